"""End-to-end: `jichitai serve` on 127.0.0.1, users added on the command line, a clerk logs in
over a real socket, reads a resident, and the access log's chain verifies afterwards."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator

import httpx2 as httpx
import pytest

from tests.e2e.conftest import BIN, Cli, free_port, served

CODE = "131016"
PASSWORD = "e2e password for the clerk"


@pytest.fixture(scope="module")
def server(cli: Cli) -> Iterator[str]:
    assert cli.run("db", "upgrade").returncode == 0
    cli.ok("municipality", "add", CODE, "東京都千代田区")
    cli.ok("demo", "seed", "--municipality", CODE, "--residents", "30", "--seed", "5")
    cli.ok("user", "add", "--municipality", CODE, "clerk-e2e", "--role", "clerk", stdin=PASSWORD)
    with served(cli) as base:
        yield base


def test_a_clerk_logs_in_searches_and_reads_over_the_network(cli: Cli, server: str) -> None:
    token = httpx.post(
        f"{server}/api/v1/auth/token", data={"username": "clerk-e2e", "password": PASSWORD}
    )
    assert token.status_code == 200, token.text
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    hits = httpx.get(f"{server}/api/v1/residents", params={"q": "0000000019"}, headers=headers)
    assert hits.status_code == 200, hits.text
    (hit,) = hits.json()["results"]
    atena = hit["atena_number"]
    record = httpx.get(f"{server}/api/v1/residents/{atena}", headers=headers)
    assert record.status_code == 200, record.text
    assert record.json()["atena_number"] == atena
    document = httpx.get(f"{server}/openapi.json").json()
    assert document["paths"]["/api/v1/residents/{atena_number}"]["get"]["operationId"] == (
        "getResident"
    )
    verified = cli.ok("audit", "verify", "--municipality", CODE)
    assert verified["entries"] >= 3


def test_the_password_comes_from_standard_input_and_is_checked(cli: Cli) -> None:
    errors = cli.refused(
        "user", "add", "--municipality", CODE, "weak-user", "--role", "clerk", stdin="short"
    )
    assert [e["code"] for e in errors] == ["user.weak_password"]
    errors = cli.refused(
        "user", "add", "--municipality", CODE, "odd-role", "--role", "boss", stdin=PASSWORD
    )
    assert [e["code"] for e in errors] == ["user.invalid_role"]
    listed = cli.ok("user", "list", "--municipality", CODE)
    assert [u["login"] for u in listed] == ["clerk-e2e"]


def test_production_mode_refuses_the_placeholder_secret(cli: Cli) -> None:
    env = {**cli.env, "JICHITAI_MODE": "production"}
    env.pop("JICHITAI_SECRET_KEY", None)
    result = subprocess.run(
        [str(BIN), "serve", "--port", str(free_port())],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    error = json.loads(result.stderr)["errors"][0]
    assert error["code"] == "settings.invalid"
    assert "JICHITAI_SECRET_KEY" in error["message"]
