"""Messages from other municipalities through the CS, on the API: taken in from the stand-in's
mailbox once however often they are fetched, a 転入通知 that cannot be matched listed with its
reason (§4.1.3.1.2 (690)), a 転入通知 entered by hand when none came through the CS
(§4.1.3.1.3 (700)), and the 特例転入 refused when no 転出証明書情報 has arrived (§4.1.1.3 (610)).
The whole journey of a family between two municipalities is ``tests/e2e/test_cs_special_move.py``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from fastapi.testclient import TestClient

from jichitai.adapters.db.cs_inbox_store import SqlCsInbox
from jichitai.adapters.http.cs_mailbox import HttpCsMailbox
from jichitai.bootstrap import App, standin_cs_server
from jichitai.domain.access.roles import Role
from jichitai.domain.common.identifiers import AtenaNumber
from jichitai.domain.residents.commands import MoveOut, RecordMoveInNotice
from jichitai.services.cs_inbox import CsIntake
from tests.api.conftest import Tenant, auth, command_json, error_codes
from tests.factories import a_header, a_previous_address

SENDER = "271004"


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


def intake(app: App, url: str, codes: list[str]) -> CsIntake:
    return CsIntake(
        SqlCsInbox(app.engine),
        HttpCsMailbox(url, timeout=5),
        app.clock,
        lambda: codes,
        app.register,
        app.queries,
        app.register_access,
        app.read_log,
    )


def notice(to: str, seq: int, resident_code: str, destination: str | None = None) -> dict[str, Any]:
    """A 転入通知情報 as another municipality's register sends it to the CS."""
    return {
        "municipality_code": SENDER,
        "seq": seq,
        "ordinal": 0,
        "kind": "転入通知情報",
        "destination": to if destination is None else destination,
        "body": {
            "format": "jichitai-cs/1",
            "kind": "転入通知情報",
            "seq": seq,
            "resident_code": resident_code,
            "name": "高橋　太郎",
            "birth_date": "1975-01-02",
            "sex": "male",
            "address": "大阪府大阪市北区梅田一丁目1番1号",
            "new_address_parts": {
                "prefecture": "大阪府",
                "city": "大阪市北区",
                "lot_text": "梅田一丁目1番1号",
            },
            "reason": "domestic_move_in",
            "effective_on": "2026-11-20",
        },
    }


def sent(url: str, message: dict[str, Any]) -> str:
    answer = httpx.post(f"{url}/v1/messages", json=message, timeout=5)
    assert answer.status_code == 200, answer.text
    receipt: str = answer.json()["receipt"]
    return receipt


def listed(client: TestClient, tenant: Tenant, **params: str) -> list[dict[str, Any]]:
    answer = client.get(
        "/api/v1/cs/inbox", params=params, headers=auth(client, tenant.login(Role.CLERK))
    )
    assert answer.status_code == 200, answer.text
    items: list[dict[str, Any]] = answer.json()["items"]
    return items


@pytest.mark.spec("4.1.3.1.2")
@pytest.mark.spec("7.1.1.1")
def test_a_notice_that_cannot_be_matched_is_listed_with_its_reason_and_taken_in_once(
    app: App, client: TestClient, tenant: Tenant, other: Tenant, standin: str
) -> None:
    head = app.queries.current(tenant.code, tenant.atena_numbers[0])
    assert head.resident_code is not None
    first = sent(standin, notice(tenant.code, 1, "12345678901"))  # no such person
    sent(standin, notice(tenant.code, 2, head.resident_code.value))  # still living here
    assert sent(standin, notice(tenant.code, 1, "12345678901")) == first  # a resend: one message
    sent(standin, notice(tenant.code, 3, "12345678901", destination="鹿児島県試験市"))  # no code
    cs = intake(app, standin, [tenant.code, other.code])
    report = cs.receive()
    assert (report.received, report.taken, report.unmatched) == (2, 0, 2)
    assert cs.receive().received == 0  # fetched again: nothing new
    rows = listed(client, tenant)
    assert [(r["sender"], r["sender_seq"], r["status"]) for r in rows] == [
        (SENDER, 1, "unmatched"),
        (SENDER, 2, "unmatched"),
    ]
    assert rows[0]["note"].startswith("cs_inbox.unknown_resident_code")
    assert rows[1]["note"].startswith("move_in_notice.not_moved_out")
    assert listed(client, other) == []  # each municipality its own
    assert [r["sender_seq"] for r in listed(client, tenant, q=head.resident_code.value)] == [2]
    wrong = client.get(
        "/api/v1/cs/inbox",
        params={"status": "lost"},
        headers=auth(client, tenant.login(Role.CLERK)),
    )
    assert error_codes(wrong) == ["cs.status_unknown"]
    auditor = client.get("/api/v1/cs/inbox", headers=auth(client, tenant.login(Role.AUDITOR)))
    assert auditor.status_code == 403


@pytest.mark.spec("4.1.3.1.3")
def test_without_a_notice_through_the_cs_the_clerk_records_it_by_hand(
    app: App, client: TestClient, tenant: Tenant
) -> None:
    head = tenant.atena_numbers[0]
    app.register.record_change(
        tenant.code,
        MoveOut(
            header=a_header(),
            atena_numbers=tuple(AtenaNumber(a) for a in tenant.atena_numbers),
            planned_on=a_header().effective_on,
            onward_address=a_previous_address(),
            special=True,
        ),
    )
    assert listed(client, tenant) == []  # nothing came through the CS
    command = command_json(
        RecordMoveInNotice(
            header=a_header(),
            atena_number=AtenaNumber(head),
            notice_on=a_header().effective_on,
            confirmed_address=a_previous_address(),
            moved_in_on=a_header().effective_on,
        )
    )
    draft = client.post(
        "/api/v1/drafts", json={"command": command}, headers=auth(client, tenant.login(Role.CLERK))
    )
    assert draft.status_code == 201, draft.text
    approved = client.post(
        f"/api/v1/drafts/{draft.json()['draft']['draft_id']}/approve",
        json={"acknowledged_alerts": [a["code"] for a in draft.json()["alerts"]]},
        headers=auth(client, tenant.login(Role.REVIEWER)),
    )
    assert approved.status_code == 200, approved.text
    record = app.queries.latest(tenant.code, head)
    assert record.move_out is not None and record.move_out.notice_on == a_header().effective_on


@pytest.mark.spec("4.1.1.3")
def test_a_special_move_in_needs_a_received_certificate(client: TestClient, tenant: Tenant) -> None:
    clerk = auth(client, tenant.login(Role.CLERK))
    none = client.post(
        "/api/v1/cs/special-move-in", json={"resident_codes": ["12345678901"]}, headers=clerk
    )
    assert none.status_code == 404
    assert error_codes(none) == ["cs_inbox.certificate_not_received"]
    assert "12345678901" in none.json()["errors"][0]["message"]
    empty = client.post("/api/v1/cs/special-move-in", json={"resident_codes": []}, headers=clerk)
    assert error_codes(empty) == ["cs_inbox.resident_codes_required"]
    auditor = client.post(
        "/api/v1/cs/special-move-in",
        json={"resident_codes": ["12345678901"]},
        headers=auth(client, tenant.login(Role.AUDITOR)),
    )
    assert auditor.status_code == 403
