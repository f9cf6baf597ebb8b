"""Every read of the national links' lists is in the access log (standard §10.2 (1370)), as the
register's reads are: the CS's inbox and outbox, the consistency check, the cards and the
番号連携 records each leave one ``view`` entry naming the persons shown by 宛名番号 (a person
the register does not know is counted, not named), and a refused read leaves its refusal."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from fastapi.testclient import TestClient

from jichitai.bootstrap import App, standin_cs_server
from jichitai.config import Settings
from jichitai.domain.access.roles import Role
from tests.api.conftest import Tenant, a_move_in, auth
from tests.api.test_cs_inbox_api import notice, sent
from tests.apps import settings_for


@pytest.fixture
def standin(tmp_path: Path) -> Iterator[str]:
    server = standin_cs_server("127.0.0.1", 0, str(tmp_path / "cs"))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def app_settings(tmp_path: Path, webhook_allowed_networks: str, standin: str) -> Settings:
    return dataclasses.replace(
        settings_for(tmp_path / "keys", webhook_allowed_networks), cs_url=standin
    )


def last_entry(client: TestClient, tenant: Tenant, **params: str) -> dict[str, Any]:
    auditor = auth(client, tenant.login(Role.AUDITOR))
    answer = client.get("/api/v1/access-log", params={"limit": "1", **params}, headers=auditor)
    assert answer.status_code == 200, answer.text
    entry: dict[str, Any] = answer.json()["entries"][0]
    return entry


def read(client: TestClient, tenant: Tenant, path: str, role: Role = Role.CLERK) -> Any:
    answer = client.get(path, headers=auth(client, tenant.login(role)))
    assert answer.status_code == 200, answer.text
    return answer.json()


@pytest.mark.spec("10.2")
def test_each_list_of_the_national_links_is_logged_with_the_persons_it_shows(
    app: App, client: TestClient, tenant: Tenant, standin: str
) -> None:
    head, wife = tenant.atena_numbers
    clerk = tenant.login(Role.CLERK)

    # The outbox: the persons its messages concern (before anything is sent).
    read(client, tenant, "/api/v1/cs/messages?status=pending")
    entry = last_entry(client, tenant, operation="view")
    assert (entry["user_login"], entry["target"]) == (clerk, "cs_messages status=pending")
    assert set(entry["atena_numbers"]) == {head, wife} and entry["person_count"] == 2
    assert entry["outcome"] == "ok" and entry["my_number_shown"] is False
    app.cs.send_due()

    # The check: the persons with a difference (a family not sent yet), with both sides' values.
    moved = app.register.record_change(tenant.code, a_move_in(8, "佐藤", "サトウ"))
    found = read(client, tenant, "/api/v1/cs/check")
    assert {d["atena_number"] for d in found["differences"]} == set(moved.atena_numbers)
    entry = last_entry(client, tenant, operation="view")
    assert entry["target"] == f"cs_check persons={found['persons']} at_cs={found['at_cs']}"
    assert sorted(entry["atena_numbers"]) == sorted(moved.atena_numbers)
    app.cs.send_due()
    read(client, tenant, "/api/v1/cs/check")  # no difference: no one shown
    entry = last_entry(client, tenant, operation="view")
    assert entry["atena_numbers"] == [] and entry["person_count"] == 0

    # The cards: one person's, and the list of every recorded card (found by 住民票コード).
    head_code = app.queries.current(tenant.code, head).resident_code
    assert head_code is not None
    card = {
        "municipality_code": tenant.code,
        "resident_code": head_code.value,
        "card": "my_number",
        "status": "issued",
        "updated_on": "2026-12-01",
    }
    assert httpx.post(f"{standin}/v1/cards", json=card).status_code == 200
    assert client.post("/api/v1/cards/refresh", headers=auth(client, clerk)).json() == {
        "cards": 1,
        "changed": 1,
    }
    read(client, tenant, f"/api/v1/residents/{wife}/cards")
    entry = last_entry(client, tenant, atena_number=wife)
    assert (entry["operation"], entry["target"]) == ("view", f"cards:{wife}")
    assert read(client, tenant, "/api/v1/cards")["cards"][0]["resident_code"] == head_code.value
    entry = last_entry(client, tenant, operation="view")
    assert (entry["target"], entry["atena_numbers"]) == ("cards", [head])

    # The inbox: a notice for a person living here is named; one for a code nobody here holds
    # is counted.
    sent(standin, notice(tenant.code, 1, "12345678901"))
    sent(standin, notice(tenant.code, 2, head_code.value))
    assert app.cs_inbox.receive().received == 2
    items = read(client, tenant, "/api/v1/cs/inbox?status=unmatched")["items"]
    assert len(items) == 2
    entry = last_entry(client, tenant, operation="view")
    assert entry["target"] == "cs_inbox status=unmatched"
    assert entry["atena_numbers"] == [head] and entry["person_count"] == 2
    # The clerk's own search in it is logged with what it found.
    read(client, tenant, f"/api/v1/cs/inbox?q={head_code.value}")
    entry = last_entry(client, tenant, operation="view")
    assert entry["target"] == f"cs_inbox q={head_code.value}"
    assert (entry["atena_numbers"], entry["person_count"]) == ([head], 1)

    # 番号連携 records: the persons they concern; whether the values were shown.
    reviewer = auth(client, tenant.login(Role.REVIEWER))
    obtained = client.post(f"/api/v1/residents/{head}/number-link/fugo", headers=reviewer)
    assert obtained.status_code == 201, obtained.text
    read(client, tenant, "/api/v1/number-link/records", Role.REVIEWER)
    entry = last_entry(client, tenant, operation="view")
    assert (entry["target"], entry["atena_numbers"]) == ("number_link", [head])
    assert entry["my_number_shown"] is True
    read(client, tenant, "/api/v1/number-link/records")
    assert last_entry(client, tenant, operation="view")["my_number_shown"] is False

    # The person's own disclosure lists these reads (the outbox, the cards, the inbox…).
    auditor = auth(client, tenant.login(Role.AUDITOR))
    disclosed = client.get(f"/api/v1/residents/{head}/access-log", headers=auditor)
    assert disclosed.status_code == 200, disclosed.text
    views = [r for r in disclosed.json()["rows"] if r["operation"] == "view"]
    assert len(views) >= 5 and clerk not in disclosed.text


@pytest.mark.spec("10.2")
@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/cs/messages",
        "/api/v1/cs/check",
        "/api/v1/cards",
        "/api/v1/cs/inbox",
        "/api/v1/number-link/records",
    ],
)
def test_a_refused_read_leaves_its_refusal(client: TestClient, tenant: Tenant, path: str) -> None:
    admin = auth(client, tenant.login(Role.ADMINISTRATOR))
    assert client.get(path, headers=admin).status_code == 403
    entry = last_entry(client, tenant, outcome="refused")
    assert (entry["user_login"], entry["target"]) == (
        tenant.login(Role.ADMINISTRATOR),
        f"GET {path}",
    )
    assert entry["operation"] == "refused" and entry["detail"] == "403 auth.forbidden"
