"""Who may do what: each role's routes, My Number masking, four-eyes approval."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from jichitai.bootstrap import App
from jichitai.domain.access.actor import Actor, Forbidden
from jichitai.domain.access.roles import Permission, Role
from jichitai.domain.errors import DomainError
from jichitai.services.audit import AccessSearch, Operation
from tests.api.conftest import PASSWORD, Tenant, a_move_in, auth, command_json, error_codes
from tests.factories import an_administrator


@pytest.mark.spec("10.4")
def test_a_clerk_sees_the_my_number_masked_and_a_reviewer_sees_it(
    client: TestClient, tenant: Tenant
) -> None:
    head = tenant.atena_numbers[0]
    clerk = client.get(f"/api/v1/residents/{head}", headers=auth(client, tenant.login(Role.CLERK)))
    reviewer = client.get(
        f"/api/v1/residents/{head}", headers=auth(client, tenant.login(Role.REVIEWER))
    )
    assert clerk.status_code == reviewer.status_code == 200
    masked, shown = clerk.json(), reviewer.json()
    assert masked["individual_number"].startswith("********")
    assert masked["individual_number_shown"] is False
    assert masked["data"]["individual_number"] == masked["individual_number"]
    assert shown["individual_number_shown"] is True
    assert shown["individual_number"].isdigit() and len(shown["individual_number"]) == 12
    assert shown["individual_number"][-4:] == masked["individual_number"][-4:]
    assert shown["individual_number"] not in clerk.text


@pytest.mark.spec("10.4")
def test_a_clerk_cannot_search_by_my_number(client: TestClient, tenant: Tenant) -> None:
    reviewer = auth(client, tenant.login(Role.REVIEWER))
    number = client.get(f"/api/v1/residents/{tenant.atena_numbers[0]}", headers=reviewer).json()[
        "individual_number"
    ]
    found = client.get("/api/v1/residents", params={"q": number}, headers=reviewer)
    assert found.json()["count"] == 1
    refused = client.get(
        "/api/v1/residents", params={"q": number}, headers=auth(client, tenant.login(Role.CLERK))
    )
    assert refused.status_code == 403
    assert error_codes(refused) == ["auth.individual_number_forbidden"]


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.CLERK, True),
        (Role.REVIEWER, True),
        (Role.ADMINISTRATOR, False),
        (Role.AUDITOR, False),
    ],
)
@pytest.mark.spec("10.3")
def test_only_counter_roles_read_residents(
    client: TestClient, tenant: Tenant, role: Role, allowed: bool
) -> None:
    response = client.get(
        f"/api/v1/residents/{tenant.atena_numbers[0]}", headers=auth(client, tenant.login(role))
    )
    assert response.status_code == (200 if allowed else 403)
    if not allowed:
        assert error_codes(response) == ["auth.forbidden"]


@pytest.mark.spec("4.0.8")
@pytest.mark.spec("10.3")
def test_a_clerk_submits_and_another_reviewer_approves_but_not_their_own(
    client: TestClient, tenant: Tenant
) -> None:
    clerk = auth(client, tenant.login(Role.CLERK))
    reviewer = auth(client, tenant.login(Role.REVIEWER))
    body = {"command": command_json(a_move_in(11, "佐藤", "サトウ"))}
    submitted = client.post("/api/v1/drafts", json=body, headers=clerk)
    assert submitted.status_code == 201, submitted.text
    draft_id = submitted.json()["draft"]["draft_id"]
    assert (
        client.post(f"/api/v1/drafts/{draft_id}/approve", json={}, headers=clerk).status_code == 403
    )
    queue = client.get("/api/v1/drafts", headers=reviewer).json()
    assert [d["draft_id"] for d in queue["drafts"]] == [draft_id]
    assert queue["drafts"][0]["operator"] == tenant.login(Role.CLERK)
    approved = client.post(f"/api/v1/drafts/{draft_id}/approve", json={}, headers=reviewer)
    assert approved.status_code == 200, approved.text
    recorded = approved.json()
    assert recorded["kind"] and len(recorded["atena_numbers"]) == 2
    found = client.get("/api/v1/residents", params={"q": "サトウ"}, headers=clerk).json()
    assert {h["atena_number"] for h in found["results"]} >= set(recorded["atena_numbers"])

    own = client.post(
        "/api/v1/drafts",
        json={"command": command_json(a_move_in(12, "鈴木", "スズキ"))},
        headers=reviewer,
    )
    own_id = own.json()["draft"]["draft_id"]
    refused = client.post(f"/api/v1/drafts/{own_id}/approve", json={}, headers=reviewer)
    assert refused.status_code == 403
    assert error_codes(refused) == ["draft.self_approval"]


@pytest.mark.spec("10.3")
def test_an_administrator_manages_users_of_their_own_municipality_only(
    client: TestClient, tenant: Tenant, other: Tenant
) -> None:
    admin = auth(client, tenant.login(Role.ADMINISTRATOR))
    added = client.post(
        "/api/v1/users",
        json={"login": "new-clerk", "password": PASSWORD, "roles": ["clerk"]},
        headers=admin,
    )
    assert added.status_code == 201, added.text
    assert added.json()["municipality_code"] == tenant.code
    listed = client.get("/api/v1/users", headers=admin).json()
    assert "new-clerk" in {u["login"] for u in listed["users"]}
    assert not {u["login"] for u in listed["users"]} & set(other.logins.values())
    foreign = client.patch(
        f"/api/v1/users/{other.login(Role.CLERK)}", json={"disabled": True}, headers=admin
    )
    assert foreign.status_code == 404
    assert error_codes(foreign) == ["user.not_found"]
    clerk = auth(client, tenant.login(Role.CLERK))
    assert client.get("/api/v1/users", headers=clerk).status_code == 403


@pytest.mark.spec("4.0.8")
def test_a_draft_is_checked_corrected_and_discarded_before_approval(
    app: App, client: TestClient, tenant: Tenant
) -> None:
    clerk = auth(client, tenant.login(Role.CLERK))
    body = {"command": command_json(a_move_in(31, "佐藤", "サトウ"))}
    draft_id = client.post("/api/v1/drafts", json=body, headers=clerk).json()["draft"]["draft_id"]
    checked = client.post(f"/api/v1/drafts/{draft_id}/check", headers=clerk)
    assert checked.status_code == 200, checked.text
    assert len(checked.json()["atena_numbers"]) == 2
    # The numbers drawn for persons not yet in the register are nobody's: not logged as read.
    auditor = Actor("auditor", tenant.code, frozenset({Role.AUDITOR}))
    (logged,) = app.access_log.search(auditor, AccessSearch(operation=Operation.CHECK_DRAFT))
    assert logged.atena_numbers == ()
    corrected = {"command": command_json(a_move_in(32, "佐藤", "サトウ"))}
    updated = client.put(f"/api/v1/drafts/{draft_id}", json=corrected, headers=clerk)
    assert updated.status_code == 200, updated.text
    other_clerk = auth(client, tenant.login(Role.CLERK))
    shown = client.get(f"/api/v1/drafts/{draft_id}", headers=other_clerk).json()
    number = shown["command"]["members"][0]["individual_number"]
    assert number.startswith("********")
    assert client.delete(f"/api/v1/drafts/{draft_id}", headers=clerk).status_code == 204
    assert client.get("/api/v1/drafts", headers=clerk).json()["count"] == 0
    again = client.post(
        f"/api/v1/drafts/{draft_id}/approve",
        json={},
        headers=auth(client, tenant.login(Role.REVIEWER)),
    )
    assert error_codes(again) == ["draft.not_pending"]


def test_the_subscriber_service_itself_refuses_whoever_may_not_manage_subscribers(
    app: App, tenant: Tenant, other: Tenant
) -> None:
    """The permission is the service's, not only the API routes': every door (the API, the
    command line acting as the operator) gets the same refusal, and the same log entry."""
    credentials = app.subscribers.add(
        an_administrator(tenant.code), name="選挙システム", system="elections", items=["氏_日本人"]
    )
    sid = credentials.subscriber.subscriber_id
    clerk = Actor("clerk", tenant.code, frozenset({Role.CLERK, Role.REVIEWER}))
    subscribers = app.subscribers
    refusals = [
        lambda: subscribers.add(clerk, name="選挙", system="elections", items=["氏_日本人"]),
        lambda: subscribers.list(clerk),
        lambda: subscribers.disable(clerk, sid),
        lambda: subscribers.renew_key(clerk, sid),
        lambda: subscribers.replay(clerk, sid, 0),
        lambda: subscribers.delivery_counts(clerk, sid),
        lambda: subscribers.last_delivery_error(clerk, sid),
    ]
    for refused in refusals:
        with pytest.raises(Forbidden) as caught:
            refused()
        assert caught.value.violations[0].field == Permission.MANAGE_SUBSCRIBERS.value
    assert subscribers.list(an_administrator(other.code)) == []
    with pytest.raises(DomainError) as missing:
        subscribers.disable(an_administrator(other.code), sid)
    assert missing.value.code == "subscriber.not_found"
    assert not subscribers.list(an_administrator(tenant.code))[0].disabled
    auditor = Actor("auditor", tenant.code, frozenset({Role.AUDITOR}))
    entries = app.access_log.search(auditor, AccessSearch(operation=Operation.MANAGE_SUBSCRIBERS))
    assert [(e.user_login, e.roles, e.target) for e in entries] == [
        ("operator:test", ("administrator",), f"subscriber:{sid}:add")
    ]
