"""Every read, change and refusal is in the access log; auditors search it; a person sees who
read their data and why, without staff logins."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from jichitai.bootstrap import App
from jichitai.domain.access.roles import Role
from tests.api.conftest import Tenant, auth, error_codes
from tests.factories import an_auditor
from tests.fakes import FixedClock


def log_of(client: TestClient, tenant: Tenant, **params: Any) -> list[dict[str, Any]]:
    auditor = auth(client, tenant.login(Role.AUDITOR))
    response = client.get("/api/v1/access-log", params=params, headers=auditor)
    assert response.status_code == 200, response.text
    entries: list[dict[str, Any]] = response.json()["entries"]
    return entries


@pytest.mark.spec("10.2")
def test_a_read_is_logged_with_who_where_which_person_and_whether_the_my_number_was_shown(
    client: TestClient, tenant: Tenant
) -> None:
    head = tenant.atena_numbers[0]
    place = {
        "X-Jichitai-Terminal": "T-007",
        "X-Jichitai-Place": quote("本庁舎1階"),
        "X-Jichitai-Purpose": quote("住民票の写しの交付"),
    }
    for role in (Role.CLERK, Role.REVIEWER):
        headers = {**auth(client, tenant.login(role)), **place}
        assert client.get(f"/api/v1/residents/{head}", headers=headers).status_code == 200
    views = [e for e in log_of(client, tenant, atena_number=head) if e["operation"] == "view"]
    by_user = {e["user_login"]: e for e in views}
    clerk, reviewer = by_user[tenant.login(Role.CLERK)], by_user[tenant.login(Role.REVIEWER)]
    assert clerk["my_number_shown"] is False
    assert reviewer["my_number_shown"] is True
    for entry in (clerk, reviewer):
        assert (entry["terminal"], entry["place"], entry["purpose"]) == (
            "T-007",
            "本庁舎1階",
            "住民票の写しの交付",
        )
        assert entry["atena_numbers"] == [head]
        assert entry["outcome"] == "ok"


@pytest.mark.spec("10.2")
def test_searches_changes_and_log_ins_are_logged(client: TestClient, tenant: Tenant) -> None:
    clerk = auth(client, tenant.login(Role.CLERK))
    found = client.get("/api/v1/residents", params={"q": "たかはし"}, headers=clerk).json()
    operations = {
        e["operation"] for e in log_of(client, tenant, user_login=tenant.login(Role.CLERK))
    }
    assert {"login", "search"} <= operations
    search = next(e for e in log_of(client, tenant, operation="search"))
    assert sorted(search["atena_numbers"]) == sorted(h["atena_number"] for h in found["results"])


@pytest.mark.spec("10.2")
def test_each_refusal_of_an_authenticated_user_is_logged(
    client: TestClient, tenant: Tenant
) -> None:
    clerk = auth(client, tenant.login(Role.CLERK))
    refused = client.get("/api/v1/users", headers=clerk)
    assert refused.status_code == 403
    bad = client.get("/api/v1/residents", params={"q": "x\x00"}, headers=clerk)
    assert bad.status_code == 422
    entries = log_of(client, tenant, user_login=tenant.login(Role.CLERK), outcome="refused")
    details = {e["detail"] for e in entries}
    assert "403 auth.forbidden" in details
    assert "422 input.control_character" in details


@pytest.mark.spec("10.2")
def test_a_failed_log_in_of_a_real_user_is_logged_in_their_municipality(
    client: TestClient, tenant: Tenant
) -> None:
    client.post(
        "/api/v1/auth/token",
        data={"username": tenant.login(Role.CLERK), "password": "not the password"},
    )
    failed = log_of(client, tenant, operation="login_failed")
    assert [e["user_login"] for e in failed] == [tenant.login(Role.CLERK)]
    assert failed[0]["detail"] == "auth.invalid_credentials"


def test_only_auditors_read_the_log(client: TestClient, tenant: Tenant) -> None:
    for role in (Role.CLERK, Role.REVIEWER, Role.ADMINISTRATOR):
        response = client.get("/api/v1/access-log", headers=auth(client, tenant.login(role)))
        assert response.status_code == 403
        assert error_codes(response) == ["auth.forbidden"]


@pytest.mark.spec("10.2")
def test_night_and_holiday_access_is_found(
    client: TestClient, tenant: Tenant, clock: FixedClock
) -> None:
    head = tenant.atena_numbers[0]
    clock.at = datetime(2026, 11, 26, 14, 30, tzinfo=UTC)  # 23:30 JST
    client.get(f"/api/v1/residents/{head}", headers=auth(client, tenant.login(Role.CLERK)))
    clock.at = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)  # 10:00 JST, a Friday
    client.get(f"/api/v1/residents/{head}", headers=auth(client, tenant.login(Role.CLERK)))
    night = log_of(client, tenant, night_or_holiday=True, operation="view")
    assert [e["at"][:16] for e in night] == ["2026-11-26T14:30"]
    assert all(e["night_or_holiday"] for e in night)


def test_mass_searches_are_found(client: TestClient, tenant: Tenant, clock: FixedClock) -> None:
    clerk = auth(client, tenant.login(Role.CLERK))
    client.get("/api/v1/residents", params={"q": "たかはし"}, headers=clerk)
    auditor = auth(client, tenant.login(Role.AUDITOR))
    window = {
        "since": (clock.at - timedelta(hours=1)).isoformat(),
        "until": (clock.at + timedelta(hours=1)).isoformat(),
        "threshold": 1,
    }
    response = client.get("/api/v1/access-log/mass-searches", params=window, headers=auditor)
    assert response.status_code == 200, response.text
    assert tenant.login(Role.CLERK) in {u["user_login"] for u in response.json()["users"]}


def test_the_disclosure_names_roles_and_purposes_but_no_staff_login(
    client: TestClient, tenant: Tenant
) -> None:
    head = tenant.atena_numbers[0]
    headers = {
        **auth(client, tenant.login(Role.CLERK)),
        "X-Jichitai-Purpose": quote("転出証明書の交付"),
    }
    client.get(f"/api/v1/residents/{head}", headers=headers)
    auditor = auth(client, tenant.login(Role.AUDITOR))
    response = client.get(f"/api/v1/residents/{head}/access-log", headers=auditor)
    assert response.status_code == 200, response.text
    rows = response.json()["rows"]
    assert any(r["role"] == "窓口" and r["purpose"] == "転出証明書の交付" for r in rows)
    assert tenant.login(Role.CLERK) not in response.text


@pytest.mark.spec("10.2")
def test_the_chain_verifies_through_the_api(app: App, client: TestClient, tenant: Tenant) -> None:
    client.get(
        f"/api/v1/residents/{tenant.atena_numbers[0]}",
        headers=auth(client, tenant.login(Role.CLERK)),
    )
    auditor = auth(client, tenant.login(Role.AUDITOR))
    response = client.get("/api/v1/access-log/verify", headers=auditor)
    assert response.status_code == 200
    assert response.json()["entries"] == app.access_log.verify(an_auditor(tenant.code)) - 1
