"""The consistency check with the CS (standard §7.1.1.2 (1100)) and the card status from the
card management system (§7.1.1.3 (1110)) through the API, against the stand-in (``jichitai
standin serve``'s server, in a thread): after everything is sent there is no difference; a
person the CS never took, a message that altered the CS's copy and an entry only at the CS are
each listed, exactly; the card status the register records follows what the card management system reports when
it is pulled."""

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
from tests.api.conftest import Tenant, a_move_in, auth, error_codes
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


def check(client: TestClient, tenant: Tenant) -> dict[str, Any]:
    response = client.get("/api/v1/cs/check", headers=auth(client, tenant.login(Role.CLERK)))
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


def copy_of(standin: str, code: str) -> dict[str, Any]:
    found: dict[str, Any] = httpx.get(
        f"{standin}/v1/identities", params={"municipality": code}
    ).json()
    return found


def crafted(standin: str, code: str, seq: int, body: dict[str, Any]) -> None:
    """A message sent to the CS by someone else than the register: the CS's copy now differs."""
    message = {"municipality_code": code, "seq": seq, "ordinal": 0, "kind": "本人確認情報"}
    answer = httpx.post(f"{standin}/v1/messages", json={**message, "body": body})
    assert answer.status_code == 200, answer.text


@pytest.mark.spec("7.1.1.2")
def test_the_check_lists_every_difference_with_the_cs_copy(
    app: App, client: TestClient, tenant: Tenant, other: Tenant, standin: str
) -> None:
    sent = app.cs.send_due()  # two tenants of two persons: 本人確認情報, 転入通知情報, 附票 notices
    assert sent.sent >= 8 and (sent.refused, sent.retrying) == (0, 0)
    clean = check(client, tenant)
    assert (clean["persons"], clean["at_cs"], clean["differences"]) == (2, 2, [])

    # A family recorded but not yet sent: unknown to the CS, listed as in the register only.
    moved = app.register.record_change(tenant.code, a_move_in(8, "佐藤", "サトウ"))
    waiting = check(client, tenant)["differences"]
    assert {(d["kind"], d["atena_number"]) for d in waiting} == {
        ("register_only", a) for a in moved.atena_numbers
    }
    assert all(
        d["resident_code"] and d["kind_label"] == "住民記録のみ（CSにない）" for d in waiting
    )
    app.cs.send_due()
    assert check(client, tenant)["differences"] == []

    # The CS's copy altered behind the register's back: exactly that item is listed.
    copy = copy_of(standin, tenant.code)
    code, held = sorted(copy.items())[0]
    crafted(standin, tenant.code, 10_000, {**held, "address": "東京都千代田区どこか1番"})
    differs = check(client, tenant)["differences"]
    assert differs == [
        {
            "kind": "differs",
            "kind_label": "項目の相違",
            "resident_code": code,
            "atena_number": held["atena"],
            "item": "address",
            "item_label": "住所",
            "register_value": held["address"],
            "cs_value": "東京都千代田区どこか1番",
        }
    ]
    # An entry the register does not have: listed as at the CS only.
    crafted(standin, tenant.code, 10_001, {**held, "resident_code": "99999999999"})
    kinds = [(d["kind"], d["resident_code"]) for d in check(client, tenant)["differences"]]
    assert kinds == [("differs", code), ("cs_only", "99999999999")]
    # The check reads the copy, it does not change it; each municipality has its own.
    assert len(copy_of(standin, tenant.code)) == 5
    assert (check(client, other)["persons"], check(client, other)["differences"]) == (2, [])


@pytest.mark.spec("7.1.1.2")
def test_the_check_needs_the_right_to_view_the_register(client: TestClient, tenant: Tenant) -> None:
    admin = auth(client, tenant.login(Role.ADMINISTRATOR))
    response = client.get("/api/v1/cs/check", headers=admin)
    assert response.status_code == 403 and error_codes(response) == ["auth.forbidden"]


@pytest.mark.spec("7.1.1.3")
def test_the_card_status_follows_what_the_card_management_system_reports(
    app: App, client: TestClient, tenant: Tenant, standin: str
) -> None:
    clerk = auth(client, tenant.login(Role.CLERK))
    head, wife = tenant.atena_numbers
    head_code = client.get(f"/api/v1/residents/{head}", headers=clerk).json()["resident_code"]
    none = client.get(f"/api/v1/residents/{head}/cards", headers=clerk).json()
    assert (none["resident_code"], none["holds_card"], none["cards"]) == (head_code, False, [])

    def report(status: str, **dates: str) -> None:
        document = {
            "municipality_code": tenant.code,
            "resident_code": head_code,
            "card": "my_number",
            "status": status,
            "updated_on": "2026-12-01",
            **dates,
        }
        assert httpx.post(f"{standin}/v1/cards", json=document).status_code == 200

    def refresh() -> dict[str, Any]:
        response = client.post("/api/v1/cards/refresh", headers=clerk)
        assert response.status_code == 200, response.text
        found: dict[str, Any] = response.json()
        return found

    def cards_of(atena: str) -> dict[str, Any]:
        found: dict[str, Any] = client.get(f"/api/v1/residents/{atena}/cards", headers=clerk).json()
        return found

    report("issued", issued_on="2026-11-20", expires_on="2036-11-20")
    assert cards_of(head)["cards"] == []  # the register shows its record: not pulled yet
    assert refresh() == {"cards": 1, "changed": 1}
    issued = cards_of(head)
    assert issued["holds_card"] is False and issued["recorded_at"]  # made, not yet handed over
    assert [(c["card_label"], c["status_label"]) for c in issued["cards"]] == [
        ("個人番号カード", "発行済（未交付）")
    ]
    report("delivered", issued_on="2026-11-20", expires_on="2036-11-20")
    assert refresh() == {"cards": 1, "changed": 1}
    assert refresh() == {"cards": 1, "changed": 0}  # nothing new
    held = cards_of(head)
    assert held["holds_card"] is True and held["cards"][0]["expires_on"] == "2036-11-20"
    report("returned", issued_on="2026-11-20", expires_on="2036-11-20")
    refresh()
    returned = cards_of(head)
    assert returned["holds_card"] is False and returned["cards"][0]["status"] == "returned"
    assert cards_of(wife)["cards"] == []
    listed = client.get("/api/v1/cards", headers=clerk).json()["cards"]
    assert [(c["resident_code"], c["status"]) for c in listed] == [(head_code, "returned")]
    admin = auth(client, tenant.login(Role.ADMINISTRATOR))
    assert client.get(f"/api/v1/residents/{head}/cards", headers=admin).status_code == 403
    unknown = client.get("/api/v1/residents/0999999999/cards", headers=clerk)
    assert unknown.status_code == 404 and error_codes(unknown) == ["person.not_found"]


@pytest.mark.spec("7.1.1.2")
def test_a_name_sent_in_unified_characters_is_no_difference(
    app: App, client: TestClient, tenant: Tenant, standin: str
) -> None:
    moved = app.register.record_change(tenant.code, a_move_in(8, "﨑山", "サキヤマ"))
    app.cs.send_due()
    names = {held["name"] for held in copy_of(standin, tenant.code).values()}
    assert any(n.startswith("崎山") for n in names)  # sent as 崎 (the table's seed)
    assert not any("﨑" in n for n in names)
    found = check(client, tenant)
    assert found["differences"] == [] and found["persons"] == 2 + len(moved.atena_numbers)
