"""A person under a 支援措置 in a national link's list, on the API and at the counter: the CS's
inbox (``/api/v1/cs/inbox``, ``/ui/cs/inbox``) names the row of a 転入通知 about her by nothing that
tells who she is (``WITHHELD_MARK``), a search by her name or code does not find it, and the DV
officer who may lift the measure sees the row as it is (``domain/access/suppression/listing.py``).
The clerk's read of the list does not name her in the access log."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from jichitai.bootstrap import App
from jichitai.domain.access.actor import Actor
from jichitai.domain.access.roles import Role
from jichitai.domain.access.suppression import WITHHELD_MARK
from jichitai.domain.common.identifiers import AtenaNumber
from jichitai.domain.residents.commands import MoveOut
from jichitai.services.audit import AccessSearch, Operation
from tests.api.conftest import PASSWORD, Tenant, auth
from tests.api.test_cs_inbox_api import intake, listed, notice, sent, standin  # noqa: F401
from tests.factories import a_header, a_previous_address
from tests.web.test_counter_http import log_in


def protect(client: TestClient, tenant: Tenant, atena_number: str, today: str) -> None:
    made = client.post(
        "/api/v1/suppressions",
        json={
            "kind": "dv_support",
            "atena_number": atena_number,
            "starts_on": today,
            "reason": "支援措置申出書の受理",
        },
        headers=auth(client, tenant.login(Role.DV_OFFICER)),
    )
    assert made.status_code == 201, made.text


@pytest.mark.spec("3.4")
def test_a_move_in_notice_about_a_supported_person_is_listed_without_who_she_is(
    app: App,
    client: TestClient,
    tenant: Tenant,
    standin: str,  # noqa: F811
) -> None:
    head, wife = tenant.atena_numbers[:2]
    codes = {}
    for atena in (head, wife):
        record = app.queries.current(tenant.code, atena)
        assert record.resident_code is not None
        codes[atena] = record.resident_code.value
    app.register.record_change(  # the family moved away; she is protected from whoever follows
        tenant.code,
        MoveOut(
            header=a_header(),
            atena_numbers=(AtenaNumber(head),),
            planned_on=a_header().effective_on,
            onward_address=a_previous_address(),
            special=True,
        ),
    )
    protect(client, tenant, head, app.clock.today().isoformat())
    sent(standin, notice(tenant.code, 1, codes[head]))  # taken in: she moved out
    sent(standin, notice(tenant.code, 2, codes[wife]))  # unmatched: still living here
    assert intake(app, standin, [tenant.code]).receive().received == 2

    rows = listed(client, tenant)
    assert [(r["sender_seq"], r["withheld"]) for r in rows] == [(1, True), (2, False)]
    hidden, shown = rows
    assert (hidden["name"], hidden["resident_code"], hidden["moved_on"]) == (WITHHELD_MARK, "", "")
    assert hidden["status"] == "taken" and hidden["note"].startswith("event:")
    assert codes[head] not in str(rows)
    assert shown["resident_code"] == codes[wife] and shown["name"] == "高橋　太郎"
    assert shown["note"].startswith("move_in_notice.not_moved_out")
    # A search must not confirm that she is here, by name or by code.
    assert [r["sender_seq"] for r in listed(client, tenant, q="高橋")] == [2]
    assert listed(client, tenant, q=codes[head]) == []

    # The DV officer (with a clerk's read of the register) may lift the measure: sees it all.
    app.users.add(tenant.code, "dv-clerk", PASSWORD, [Role.CLERK, Role.DV_OFFICER])
    officer = client.get("/api/v1/cs/inbox", headers=auth(client, "dv-clerk")).json()["items"]
    assert [(r["resident_code"], r["withheld"]) for r in officer] == [
        (codes[head], False),
        (codes[wife], False),
    ]

    # At the counter: the same row, the same mark; nothing of her on the page.
    log_in(client, tenant)
    page = client.get("/ui/cs/inbox")
    assert page.status_code == 200
    assert WITHHELD_MARK in page.text and codes[head] not in page.text
    assert codes[wife] in page.text

    auditor = Actor("auditor", tenant.code, frozenset({Role.AUDITOR}))
    views = app.access_log.search(auditor, AccessSearch(operation=Operation.VIEW))
    clerks = [e for e in views if e.target == "cs_inbox" and e.user_login != "dv-clerk"]
    assert clerks and all(head not in e.atena_numbers for e in clerks)
    assert any(wife in e.atena_numbers for e in clerks)
    officers = [e for e in views if e.target == "cs_inbox" and e.user_login == "dv-clerk"]
    assert officers and head in officers[0].atena_numbers
