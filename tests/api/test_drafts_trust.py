"""Drafts through the staff API: four-eyes counts every editor, a draft is held to the versions
it was checked against, and an alert that first appears at approval is acknowledged there."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from jichitai.bootstrap import App
from jichitai.codec import encode_tagged
from jichitai.domain.access.roles import Role
from jichitai.domain.common.dates import RecordDate
from jichitai.domain.common.identifiers import AtenaNumber
from jichitai.domain.residents.commands import Correct, Death, RecordChanges
from jichitai.domain.residents.model import FamilyRegister
from jichitai.domain.residents.reasons import ChangeReason
from tests.api.conftest import PASSWORD, Tenant, a_move_in, auth, command_json, error_codes
from tests.factories import a_header


def death(atena: str) -> dict[str, Any]:
    return encode_tagged(
        Death(
            header=a_header(),
            atena_number=AtenaNumber(atena),
            died_on=RecordDate.parse("令和8年11月20日"),
        )
    )


def submit(client: TestClient, tenant: Tenant, command: dict[str, Any]) -> dict[str, Any]:
    answer = client.post(
        "/api/v1/drafts", json={"command": command}, headers=auth(client, tenant.login(Role.CLERK))
    )
    assert answer.status_code == 201, answer.text
    draft: dict[str, Any] = answer.json()["draft"]
    return draft


@pytest.mark.spec("4.0.8")
def test_whoever_changed_a_draft_may_not_approve_it_and_the_log_names_each_step(
    app: App, client: TestClient, tenant: Tenant
) -> None:
    head, wife = tenant.atena_numbers
    second = f"reviewer2-{tenant.code}"
    app.users.add(tenant.code, second, PASSWORD, [Role.REVIEWER])
    draft = submit(client, tenant, death(wife))
    assert draft["editors"] == [tenant.login(Role.CLERK)]
    reviewer = auth(client, tenant.login(Role.REVIEWER))
    # The reviewer rewrites the clerk's draft: another person dies.
    changed = client.put(
        f"/api/v1/drafts/{draft['draft_id']}", json={"command": death(head)}, headers=reviewer
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["operator"] == tenant.login(Role.CLERK)
    assert changed.json()["editors"] == [tenant.login(Role.CLERK), tenant.login(Role.REVIEWER)]
    alone = client.post(f"/api/v1/drafts/{draft['draft_id']}/approve", json={}, headers=reviewer)
    assert alone.status_code == 403
    assert error_codes(alone) == ["draft.self_approval"]
    # Nor may a draft become another kind of change.
    other_kind = command_json(a_move_in(40, "佐藤", "サトウ"))
    refused = client.put(
        f"/api/v1/drafts/{draft['draft_id']}", json={"command": other_kind}, headers=reviewer
    )
    assert error_codes(refused) == ["draft.kind_changed"]
    approved = client.post(
        f"/api/v1/drafts/{draft['draft_id']}/approve", json={}, headers=auth(client, second)
    )
    assert approved.status_code == 200, approved.text
    auditor = auth(client, tenant.login(Role.AUDITOR))
    log = client.get("/api/v1/access-log", headers=auditor).json()["entries"]
    steps = [
        (e["operation"], e["user_login"])
        for e in log
        if e["target"] == f"draft:{draft['draft_id']}" or e["operation"] == "approve_draft"
    ]
    assert ("submit_draft", tenant.login(Role.CLERK)) in steps
    assert ("update_draft", tenant.login(Role.REVIEWER)) in steps
    assert ("approve_draft", second) in steps


@pytest.mark.spec("10.3")
def test_answers_carry_the_versions_and_a_draft_is_held_to_those_it_was_checked_against(
    app: App, client: TestClient, tenant: Tenant
) -> None:
    wife = tenant.atena_numbers[1]
    clerk = auth(client, tenant.login(Role.CLERK))
    record = client.get(f"/api/v1/residents/{wife}", headers=clerk).json()
    household = client.get(f"/api/v1/households/{tenant.household_number}", headers=clerk).json()
    assert record["household_version"] == household["version"] == 1
    assert record["history_number"] == 1
    draft = submit(client, tenant, death(wife))
    assert draft["prepared_against"] == {
        "persons": {wife: 1},
        "households": {tenant.household_number: 1},
    }
    # Another change to the same person is approved first (from the same state).
    other = submit(
        client,
        tenant,
        encode_tagged(
            Correct(
                header=a_header(),
                atena_number=AtenaNumber(wife),
                reason=ChangeReason.CLERICAL_CORRECTION,
                changes=RecordChanges(
                    family_register=FamilyRegister("京都府京都市北区", "高橋　一郎")
                ),
            )
        ),
    )
    reviewer = auth(client, tenant.login(Role.REVIEWER))
    first = client.post(f"/api/v1/drafts/{other['draft_id']}/approve", json={}, headers=reviewer)
    assert first.status_code == 200, first.text
    stale = client.post(f"/api/v1/drafts/{draft['draft_id']}/approve", json={}, headers=reviewer)
    assert stale.status_code == 409, stale.text
    fields = {e["field"] for e in stale.json()["errors"]}
    assert fields == {f"expected_histories.{wife}", f"expected_versions.{tenant.household_number}"}
    assert "履歴番号 1 → 2" in stale.text
    assert app.queries.current(tenant.code, wife).is_resident  # nothing written


@pytest.mark.spec("4.0.8")
def test_an_alert_that_first_appears_at_approval_is_acknowledged_there(
    client: TestClient, tenant: Tenant
) -> None:
    wife = tenant.atena_numbers[1]
    draft = submit(client, tenant, death(wife))
    # After the draft, a DV support measure is set on her: approving now raises its alert.
    made = client.post(
        "/api/v1/suppressions",
        json={
            "starts_on": "2026-11-01",
            "kind": "dv_support",
            "atena_number": wife,
            "reason": "DV等支援措置申出書",
            "processes": ["change"],
            "level": "alert",
        },
        headers=auth(client, tenant.login(Role.DV_OFFICER)),
    )
    assert made.status_code == 201, made.text
    reviewer = auth(client, tenant.login(Role.REVIEWER))
    url = f"/api/v1/drafts/{draft['draft_id']}/approve"
    first = client.post(url, json={}, headers=reviewer)
    assert first.status_code == 422, first.text
    codes = error_codes(first)
    assert all(e["level"] == "alert" for e in first.json()["errors"])
    done = client.post(url, json={"acknowledged_alerts": codes}, headers=reviewer)
    assert done.status_code == 200, done.text


@pytest.mark.spec("4.0.8")
def test_a_draft_refused_at_approval_is_sent_back_resubmitted_and_approved(
    app: App, client: TestClient, tenant: Tenant
) -> None:
    wife = tenant.atena_numbers[1]
    draft = submit(client, tenant, death(wife))
    other = submit(
        client,
        tenant,
        encode_tagged(
            Correct(
                header=a_header(),
                atena_number=AtenaNumber(wife),
                reason=ChangeReason.CLERICAL_CORRECTION,
                changes=RecordChanges(
                    family_register=FamilyRegister("京都府京都市北区", "高橋　一郎")
                ),
            )
        ),
    )
    reviewer = auth(client, tenant.login(Role.REVIEWER))
    clerk = auth(client, tenant.login(Role.CLERK))
    path = f"/api/v1/drafts/{draft['draft_id']}"
    assert client.post(f"/api/v1/drafts/{other['draft_id']}/approve", json={}, headers=reviewer)
    by_clerk = client.post(f"{path}/return", json={"comment": "x"}, headers=clerk)
    assert by_clerk.status_code == 403 and error_codes(by_clerk) == ["auth.forbidden"]
    sent = client.post(f"{path}/return", json={"comment": "訂正の後で確認"}, headers=reviewer)
    assert sent.status_code == 200, sent.text
    body = sent.json()
    assert body["status"] == "returned" and body["return_comment"] == "訂正の後で確認"
    assert {e["code"] for e in body["return_reasons"]} == {"change.conflict"}
    assert error_codes(client.post(f"{path}/approve", json={}, headers=reviewer)) == [
        "draft.returned"
    ]
    pending = client.get("/api/v1/drafts", headers=clerk).json()["drafts"]
    assert draft["draft_id"] not in [d["draft_id"] for d in pending]
    returned = client.get("/api/v1/drafts?status=returned", headers=clerk).json()
    assert [d["draft_id"] for d in returned["drafts"]] == [draft["draft_id"]]
    again = client.post(f"{path}/resubmit", headers=clerk)
    assert again.status_code == 200, again.text
    assert again.json()["status"] == "pending"
    assert again.json()["prepared_against"]["persons"] == {wife: 2}, "held to the register now"
    approved = client.post(f"{path}/approve", json={}, headers=reviewer)
    assert approved.status_code == 200, approved.text
    log = client.get("/api/v1/access-log", headers=auth(client, tenant.login(Role.AUDITOR)))
    steps = [
        (e["operation"], e["user_login"])
        for e in log.json()["entries"]
        if e["target"] == f"draft:{draft['draft_id']}"
    ]
    assert ("return_draft", tenant.login(Role.REVIEWER)) in steps
    assert ("resubmit_draft", tenant.login(Role.CLERK)) in steps


def test_a_draft_whose_rules_hold_is_sent_back_only_with_a_comment(
    client: TestClient, tenant: Tenant
) -> None:
    draft = submit(client, tenant, death(tenant.atena_numbers[1]))
    second = submit(client, tenant, death(tenant.atena_numbers[0]))
    assert (draft["receipt_number"], second["receipt_number"]) == ("000001", "000002")
    reviewer = auth(client, tenant.login(Role.REVIEWER))
    path = f"/api/v1/drafts/{draft['draft_id']}/return"
    bare = client.post(path, json={}, headers=reviewer)
    assert bare.status_code == 422 and error_codes(bare) == ["draft.return_comment_required"]
    sent = client.post(path, json={"comment": "届出人の確認を"}, headers=reviewer)
    assert sent.status_code == 200 and sent.json()["return_reasons"] == []
    # Corrected through PUT, it is pending again.
    changed = client.put(
        f"/api/v1/drafts/{draft['draft_id']}",
        json={"command": death(tenant.atena_numbers[1])},
        headers=auth(client, tenant.login(Role.CLERK)),
    )
    assert changed.status_code == 200 and changed.json()["status"] == "pending"
