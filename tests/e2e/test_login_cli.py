"""End-to-end: logins are unique per municipality on the command line, log-in over the network
names the municipality when it must, a log-out ends the token, and behind a reverse proxy the
throttles count the real client (uvicorn's forwarded headers, ``serve --forwarded-allow-ips``)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx2 as httpx
import pytest

from tests.e2e.conftest import Cli, served

TOKYO, OSAKA = "131016", "271004"
PASSWORD = "e2e password for tanaka"


@pytest.fixture(scope="module")
def server(cli: Cli) -> Iterator[str]:
    assert cli.run("db", "upgrade").returncode == 0
    cli.ok("municipality", "add", TOKYO, "東京都千代田区")
    cli.ok("municipality", "add", OSAKA, "大阪府大阪市")
    fast = Cli(
        {
            **cli.env,
            "JICHITAI_PASSWORD_HASH_COST": "fast",
            "JICHITAI_LOGIN_FAILURES_PER_ADDRESS": "3",
        }
    )
    with served(fast, "--forwarded-allow-ips", "127.0.0.1") as base:
        yield base


def log_in(server: str, login: str, *, code: str = "", client: str = "") -> httpx.Response:
    data = {"username": login, "password": PASSWORD}
    if code:
        data["municipality_code"] = code
    headers = {"X-Forwarded-For": client} if client else {}
    return httpx.post(f"{server}/api/v1/auth/token", data=data, headers=headers)


def test_the_same_login_is_added_in_two_municipalities_but_not_twice_in_one(
    cli: Cli, server: str
) -> None:
    for code in (TOKYO, OSAKA):
        added = cli.ok(
            "user", "add", "--municipality", code, "tanaka", "--role", "clerk", stdin=PASSWORD
        )
        assert (added["login"], added["municipality_code"]) == ("tanaka", code)
    errors = cli.refused(
        "user", "add", "--municipality", TOKYO, "tanaka", "--role", "clerk", stdin=PASSWORD
    )
    assert [e["code"] for e in errors] == ["user.exists"]
    assert [u["login"] for u in cli.ok("user", "list", "--municipality", OSAKA)] == ["tanaka"]

    ambiguous = log_in(server, "tanaka")
    assert ambiguous.status_code == 401
    assert ambiguous.json()["errors"][0]["code"] == "auth.invalid_credentials"
    answer = log_in(server, "tanaka", code=OSAKA)
    assert answer.status_code == 200, answer.text
    headers = {"Authorization": f"Bearer {answer.json()['access_token']}"}
    me = httpx.get(f"{server}/api/v1/me", headers=headers)
    assert me.json()["municipality_code"] == OSAKA
    assert httpx.post(f"{server}/api/v1/auth/logout", headers=headers).status_code == 204
    ended = httpx.get(f"{server}/api/v1/me", headers=headers)
    assert ended.status_code == 401
    assert ended.json()["errors"][0]["code"] == "auth.session_ended"


def test_behind_a_proxy_the_throttle_counts_the_forwarded_client(cli: Cli, server: str) -> None:
    """The proxy (127.0.0.1, trusted) forwards two clients; one fails three times and is
    refused, the other logs in."""
    for n in range(3):
        refused = log_in(server, f"guess-{n}", client="203.0.113.5")
        assert refused.status_code == 401
    throttled = log_in(server, "tanaka", code=TOKYO, client="203.0.113.5")
    assert throttled.status_code == 429
    assert throttled.json()["errors"][0]["code"] == "auth.throttled"
    assert int(throttled.headers["Retry-After"]) >= 1
    cli.ok("user", "add", "--municipality", TOKYO, "sato", "--role", "clerk", stdin=PASSWORD)
    assert log_in(server, "sato", client="198.51.100.9").status_code == 200
