"""広域交付住民票 through the CS, on the API (standard §7.1.1.1 (1090): 広域交付地市区町村より広域交付
住民票の交付要求を受信した場合、広域交付住民票情報をCS経由で交付市区町村CSへ送信できること).

Two municipalities of one deployment and the stand-in CS: the 交付地's clerk sends a 広域交付要求;
the 住所地 answers it without a clerk after its intake (the person, or the household), or refuses
(a name that does not match, a 支援措置); the answer comes back to the 交付地's inbox. What the
clerk types is read by the inbound decoder; the answer is logged at the 住所地 as a disclosure."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient

from jichitai.adapters.db.cs_inbox_store import SqlCsInbox
from jichitai.adapters.db.cs_outbox_store import SqlCsOutbox
from jichitai.adapters.http.cs_mailbox import HttpCsMailbox
from jichitai.adapters.http.cs_transport import HttpCsTransport
from jichitai.bootstrap import App
from jichitai.domain.access.actor import Actor
from jichitai.domain.access.roles import Role
from jichitai.domain.integration.retry import RetryPolicy
from jichitai.services.cs_inbox import CsIntake
from jichitai.services.national import CsSender
from tests.api.conftest import Tenant, auth, error_codes
from tests.api.test_cs_inbox_api import listed, standin  # noqa: F401
from tests.fakes import FixedClock

pytestmark = pytest.mark.spec("7.1.1.1")


class Link:
    """The worker's two steps against the stand-in: send what is due, take in (and answer)."""

    def __init__(self, app: App, url: str, clock: FixedClock, codes: list[str]) -> None:
        self.sender = CsSender(
            SqlCsOutbox(app.engine),
            HttpCsTransport(url, 5),
            clock,
            RetryPolicy(1, 1, 3),
            read_log=app.read_log,
        )
        self.intake = CsIntake(
            SqlCsInbox(app.engine),
            HttpCsMailbox(url, timeout=5),
            clock,
            lambda: codes,
            app.register,
            app.queries,
            app.register_access,
            app.read_log,
            answer_requests=app.wide_area.answer,
        )

    def round(self) -> int:
        """Send, take in (the 住所地 answers), send the answers, take them in: how many were
        answered."""
        self.sender.send_due()
        answered = self.intake.receive().answered
        self.sender.send_due()
        self.intake.receive()
        return answered


def person(client: TestClient, tenant: Tenant, index: int = 0) -> dict[str, Any]:
    found = client.get(
        f"/api/v1/residents/{tenant.atena_numbers[index]}",
        headers=auth(client, tenant.login(Role.CLERK)),
    )
    assert found.status_code == 200, found.text
    record: dict[str, Any] = found.json()
    return record


def asked(client: TestClient, at: Tenant, **items: str) -> Any:
    return client.post(
        "/api/v1/cs/wide-area-requests",
        json=items,
        headers=auth(client, at.login(Role.CLERK)),
    )


def answers(client: TestClient, at: Tenant) -> list[dict[str, Any]]:
    return listed(client, at, kind="広域交付住民票情報")


def test_the_home_municipality_answers_a_request_with_the_copy_or_a_refusal(
    app: App,
    client: TestClient,
    tenant: Tenant,
    other: Tenant,
    standin: str,  # noqa: F811
    clock: FixedClock,
) -> None:
    link = Link(app, standin, clock, [tenant.code, other.code])
    head = person(client, tenant)
    code, name, born = head["resident_code"], head["name"], head["birth_date"]
    made = asked(
        client,
        other,
        resident_code=code,
        name=name.replace("\u3000", " "),  # typed with an ASCII space: the same name
        birth_date=born,
        to=tenant.code,
    )
    assert made.status_code == 201, made.text
    assert (made.json()["kind"], made.json()["status"]) == ("広域交付要求", "pending")
    assert link.round() == 1
    (copy,) = answers(client, other)
    assert (copy["sender"], copy["resident_code"]) == (tenant.code, code)
    answer = copy["answer"]
    assert answer["status"] == "issued" and answer["refusal"] is None
    (member,) = answer["members"]
    assert member["name"] == name and member["relationship"] == "世帯主"
    # A 広域交付住民票 omits the 本籍・筆頭者, the 個人番号 and the 住民票コード.
    assert not {"family_register", "individual_number", "resident_code"} & set(member)
    # The 住所地 sees the request answered, and logged the disclosure.
    (request,) = listed(client, tenant, kind="広域交付要求")
    assert request["status"] == "taken" and request["note"].startswith("交付（1名）")
    auditor = auth(client, tenant.login(Role.AUDITOR))
    log = client.get("/api/v1/access-log", headers=auditor).json()["entries"]
    disclosed = [e for e in log if e["target"] == f"wide_area:{other.code}"]
    assert len(disclosed) == 1 and disclosed[0]["operation"] == "export"

    # The household: both members, in their order.
    assert asked(client, other, resident_code=code, name=name, birth_date=born,
                 to=tenant.code, scope="household").status_code == 201  # fmt: skip
    assert link.round() == 1
    household = answers(client, other)[-1]["answer"]
    assert [m["relationship"] for m in household["members"]] == ["世帯主", "妻"]

    # A name that does not match: refused by code, nothing of the record told.
    asked(client, other, resident_code=code, name="別人　次郎", birth_date=born, to=tenant.code)
    assert link.round() == 1
    refused = answers(client, other)[-1]["answer"]
    assert refused["status"] == "refused" and refused["members"] == []
    assert refused["refusal"]["code"] == "wide_area.not_matched"

    # Under a 支援措置 the 住所地 refuses, whoever asks.
    officer = Actor(tenant.login(Role.DV_OFFICER), tenant.code, frozenset({Role.DV_OFFICER}))
    app.suppressions.set(
        officer,
        kind="dv_support",
        atena_number=tenant.atena_numbers[0],
        starts_on=date(2026, 11, 1),
        reason="支援措置申出",
    )
    asked(client, other, resident_code=code, name=name, birth_date=born, to=tenant.code)
    assert link.round() == 1
    protected = answers(client, other)[-1]["answer"]
    assert protected["refusal"]["code"] == "wide_area.protected" and protected["members"] == []


def test_what_the_clerk_types_is_checked_and_nothing_is_sent_on_a_fault(
    app: App, client: TestClient, tenant: Tenant, other: Tenant
) -> None:
    head = person(client, tenant)
    wrong = asked(
        client,
        other,
        resident_code=head["resident_code"][:10] + str((int(head["resident_code"][10]) + 1) % 10),
        name="",
        birth_date="昭和99年13月1日",
        to="12345",
        scope="all",
    )
    assert wrong.status_code == 422
    assert set(error_codes(wrong)) >= {
        "resident_code.check_digit",
        "input.required",
        "municipality_code.format",
        "wide_area.scope_unknown",
    }
    own = asked(client, other, resident_code=head["resident_code"], name=head["name"],
                birth_date=head["birth_date"], to=other.code)  # fmt: skip
    assert own.status_code == 422 and error_codes(own) == ["wide_area.own_municipality"]
    incomplete = asked(client, other, resident_code=head["resident_code"])
    assert incomplete.status_code == 422
    forbidden = client.post(
        "/api/v1/cs/wide-area-requests",
        json={
            "resident_code": head["resident_code"],
            "name": head["name"],
            "birth_date": head["birth_date"],
            "to": tenant.code,
        },
        headers=auth(client, other.login(Role.AUDITOR)),
    )
    assert forbidden.status_code == 403
    pending = client.get(
        "/api/v1/cs/messages",
        params={"status": "pending"},
        headers=auth(client, other.login(Role.CLERK)),
    ).json()["messages"]
    assert [m for m in pending if m["kind"] == "広域交付要求"] == []
