"""Bad input: always a 4xx in the one error shape, nothing written, never a 500."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from jichitai.bootstrap import App
from jichitai.domain.access.roles import Role
from jichitai.domain.common.identifiers import AtenaNumber
from jichitai.domain.residents.commands import Correct, RecordChanges
from jichitai.domain.residents.model import FamilyRegister
from jichitai.domain.residents.reasons import ChangeReason
from tests.api.conftest import Tenant, a_move_in, auth, command_json, error_codes
from tests.factories import a_header


@pytest.fixture
def clerk(client: TestClient, tenant: Tenant) -> dict[str, str]:
    return auth(client, tenant.login(Role.CLERK))


def drafts_of(app: App, tenant: Tenant) -> int:
    return len(app.register.drafts(tenant.code))


def test_malformed_json_is_a_400(
    app: App, client: TestClient, tenant: Tenant, clerk: dict[str, str]
) -> None:
    response = client.post(
        "/api/v1/drafts",
        content=b'{"command": {"type": "Death",',
        headers={**clerk, "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert error_codes(response) == ["request.json_invalid"]
    assert drafts_of(app, tenant) == 0


def test_unknown_fields_are_refused_at_the_top_and_inside_the_command(
    app: App, client: TestClient, tenant: Tenant, clerk: dict[str, str]
) -> None:
    body = {"command": command_json(a_move_in(21)), "extra": 1}
    top = client.post("/api/v1/drafts", json=body, headers=clerk)
    assert top.status_code == 422
    assert error_codes(top) == ["request.extra_forbidden"]
    assert top.json()["errors"][0]["field"] == "extra"
    command = command_json(a_move_in(21))
    command["header"]["colour"] = "red"
    inner = client.post("/api/v1/drafts", json={"command": command}, headers=clerk)
    assert inner.status_code == 422
    assert error_codes(inner) == ["command.invalid"]
    assert inner.json()["errors"][0]["field"].startswith("command")
    assert drafts_of(app, tenant) == 0


@pytest.mark.parametrize(
    "command",
    [
        "not an object",
        {"type": "NoSuchChange"},
        {"type": "Death", "header": {"effective_on": "2026-13-45"}, "atena_number": "1"},
        {"type": "Death", "header": {"effective_on": 20261126}, "atena_number": "0000000019"},
        {"type": "Death", "header": {"effective_on": "2026-11-20"}, "atena_number": 19},
    ],
)
def test_wrong_types_and_values_are_422(
    app: App, client: TestClient, tenant: Tenant, clerk: dict[str, str], command: object
) -> None:
    response = client.post("/api/v1/drafts", json={"command": command}, headers=clerk)
    assert response.status_code == 422, response.text
    assert error_codes(response)
    assert drafts_of(app, tenant) == 0


def test_control_characters_are_refused_with_the_field(
    app: App, client: TestClient, tenant: Tenant, clerk: dict[str, str]
) -> None:
    command = command_json(a_move_in(22))
    command["header"]["notes"] = "備考\x00\x1b[31m"
    response = client.post("/api/v1/drafts", json={"command": command}, headers=clerk)
    assert response.status_code == 422
    assert error_codes(response) == ["input.control_character"]
    assert response.json()["errors"][0]["field"] == "notes"  # as the rules and the counter name it
    search = client.get("/api/v1/residents", params={"q": "たか\x07はし"}, headers=clerk)
    assert search.status_code == 422
    assert error_codes(search) == ["input.control_character"]
    assert drafts_of(app, tenant) == 0


def test_a_10_mb_string_is_refused_before_it_is_read(
    app: App, client: TestClient, tenant: Tenant, clerk: dict[str, str]
) -> None:
    command = command_json(a_move_in(23))
    command["header"]["notes"] = "あ" * (10 * 1024 * 1024 // 3)
    response = client.post("/api/v1/drafts", json={"command": command}, headers=clerk)
    assert response.status_code == 413
    assert error_codes(response) == ["request.too_large"]
    assert drafts_of(app, tenant) == 0


def test_a_long_string_under_the_body_limit_is_refused_by_length(
    app: App, client: TestClient, tenant: Tenant, clerk: dict[str, str]
) -> None:
    command = command_json(a_move_in(24))
    command["header"]["notes"] = "あ" * 5000
    response = client.post("/api/v1/drafts", json={"command": command}, headers=clerk)
    assert response.status_code == 422
    assert error_codes(response) == ["input.too_long"]


def test_unknown_routes_and_methods_answer_in_the_error_shape(
    client: TestClient, clerk: dict[str, str]
) -> None:
    missing = client.get("/api/v1/nothing-here", headers=clerk)
    assert missing.status_code == 404
    assert error_codes(missing) == ["route.not_found"]
    wrong = client.delete("/api/v1/residents", headers=clerk)
    assert wrong.status_code == 405
    assert error_codes(wrong) == ["route.method_not_allowed"]


def test_a_path_that_is_not_an_atena_number_is_422(
    client: TestClient, clerk: dict[str, str]
) -> None:
    response = client.get("/api/v1/residents/12345", headers=clerk)
    assert response.status_code == 422
    assert error_codes(response) == ["request.string_pattern_mismatch"]


def test_the_same_idempotency_key_records_once_and_another_body_is_refused(
    app: App, client: TestClient, tenant: Tenant, clerk: dict[str, str]
) -> None:
    body = {"command": command_json(a_move_in(25, "佐藤", "サトウ"))}
    headers = {**clerk, "Idempotency-Key": "move-in-0001"}
    first = client.post("/api/v1/drafts", json=body, headers=headers)
    again = client.post("/api/v1/drafts", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json()["draft"]["draft_id"] == again.json()["draft"]["draft_id"]
    assert drafts_of(app, tenant) == 1
    other = {"command": command_json(a_move_in(26, "鈴木", "スズキ"))}
    refused = client.post("/api/v1/drafts", json=other, headers=headers)
    assert refused.status_code == 422
    assert error_codes(refused) == ["idempotency.key_reused"]
    assert drafts_of(app, tenant) == 1
    bad_key = client.post(
        "/api/v1/drafts", json=other, headers={**clerk, "Idempotency-Key": "key with spaces"}
    )
    assert error_codes(bad_key) == ["request.invalid_idempotency_key"]


def test_an_alert_is_confirmed_by_resubmitting_with_its_acknowledgement(
    app: App, client: TestClient, tenant: Tenant, clerk: dict[str, str]
) -> None:
    duplicate = command_json(a_move_in(27))  # same names and births as the tenant's couple
    first = client.post("/api/v1/drafts", json={"command": duplicate}, headers=clerk)
    assert first.status_code == 422
    alerts = first.json()["errors"]
    assert {a["level"] for a in alerts} == {"alert"}
    duplicate["header"]["acknowledged_alerts"] = sorted({a["code"] for a in alerts})
    second = client.post("/api/v1/drafts", json={"command": duplicate}, headers=clerk)
    assert second.status_code == 201, second.text
    assert {a["code"] for a in second.json()["alerts"]} == {a["code"] for a in alerts}


def test_a_change_based_on_an_old_household_version_is_a_409(
    app: App, client: TestClient, tenant: Tenant, clerk: dict[str, str]
) -> None:
    reviewer = auth(client, tenant.login(Role.REVIEWER))
    command = command_json(a_move_in(28, "佐藤", "サトウ"))
    command["household_number"] = tenant.household_number
    for member in command["members"]:
        member["relationship"] = "同居人"
    command["header"]["expected_versions"] = {tenant.household_number: 0}
    stale = client.post("/api/v1/drafts", json={"command": command}, headers=clerk)
    assert stale.status_code == 409, stale.text
    assert error_codes(stale) == ["change.conflict"]
    assert "版 0 → 1" in stale.json()["errors"][0]["message"]
    # Without versions the draft remembers those it was checked against, and approving it
    # after the household changed is refused the same way.
    del command["header"]["expected_versions"]
    submitted = client.post("/api/v1/drafts", json={"command": command}, headers=clerk)
    assert submitted.status_code == 201, submitted.text
    draft = submitted.json()["draft"]
    assert draft["prepared_against"]["households"] == {tenant.household_number: 1}
    app.register.record_change(
        tenant.code,
        Correct(
            header=a_header(),
            atena_number=AtenaNumber(tenant.atena_numbers[0]),
            reason=ChangeReason.CLERICAL_CORRECTION,
            changes=RecordChanges(family_register=FamilyRegister("京都府京都市北区", "高橋　一郎")),
        ),
    )
    approved = client.post(f"/api/v1/drafts/{draft['draft_id']}/approve", json={}, headers=reviewer)
    assert approved.status_code == 409, approved.text
    assert error_codes(approved) == ["change.conflict"]
    assert "版 1 → 2" in approved.text


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("%ff%fe", "request.invalid_header"),
        ("%07bell", "request.invalid_header"),
        ("x" * 101, "request.invalid_header"),
    ],
)
def test_a_bad_context_header_is_a_422_not_a_crash(
    client: TestClient, clerk: dict[str, str], value: str, code: str
) -> None:
    response = client.get("/api/v1/me", headers={**clerk, "X-Jichitai-Place": value})
    assert response.status_code == 422
    assert error_codes(response) == [code]
    assert response.json()["errors"][0]["field"] == "X-Jichitai-Place"


def test_deeply_nested_json_is_a_400(client: TestClient, clerk: dict[str, str]) -> None:
    body = b'{"command":' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    response = client.post(
        "/api/v1/drafts", content=body, headers={**clerk, "Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert error_codes(response)
