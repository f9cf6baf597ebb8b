"""Suppressions (抑止) and DV support (支援措置) through the API: who may set them, and how they
guard view, change and search results (§3.1, §3.4)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from jichitai.domain.access.roles import Role
from jichitai.domain.common.dates import RecordDate
from jichitai.domain.common.identifiers import AtenaNumber
from jichitai.domain.residents.commands import Death
from tests.api.conftest import Tenant, auth, command_json, error_codes
from tests.factories import a_header
from tests.fakes import FixedClock


def set_suppression(client: TestClient, tenant: Tenant, role: Role, **body: Any) -> Any:
    return client.post(
        "/api/v1/suppressions",
        json={"starts_on": "2026-11-01", "reason": "照会中のため", **body},
        headers=auth(client, tenant.login(role)),
    )


def death(atena: str) -> dict[str, Any]:
    return command_json(
        Death(
            header=a_header(),
            atena_number=AtenaNumber(atena),
            died_on=RecordDate.parse("令和8年11月20日"),
        )
    )


@pytest.mark.spec("3.1")
def test_only_the_suppression_officer_sets_a_suppression(
    client: TestClient, tenant: Tenant
) -> None:
    body = {"kind": "suppression", "atena_number": tenant.atena_numbers[0], "processes": ["view"]}
    for role in (Role.CLERK, Role.REVIEWER, Role.ADMINISTRATOR, Role.AUDITOR):
        refused = set_suppression(client, tenant, role, **body)
        assert refused.status_code == 403, role
    made = set_suppression(client, tenant, Role.SUPPRESSION_OFFICER, **body)
    assert made.status_code == 201, made.text
    assert made.json()["status"] == "in_force"
    assert made.json()["level"] == "error"
    dv = set_suppression(
        client,
        tenant,
        Role.SUPPRESSION_OFFICER,
        kind="dv_support",
        atena_number=tenant.atena_numbers[1],
    )
    assert dv.status_code == 403


@pytest.mark.spec("3.1")
def test_a_view_suppression_blocks_reading_until_a_reviewer_releases_it_for_a_while(
    client: TestClient, tenant: Tenant, clock: FixedClock
) -> None:
    head = tenant.atena_numbers[0]
    made = set_suppression(
        client,
        tenant,
        Role.SUPPRESSION_OFFICER,
        kind="suppression",
        atena_number=head,
        processes=["view", "change"],
    ).json()
    clerk = auth(client, tenant.login(Role.CLERK))
    blocked = client.get(f"/api/v1/residents/{head}", headers=clerk)
    assert blocked.status_code == 422
    assert error_codes(blocked) == ["suppression.blocked"]
    household = client.get(f"/api/v1/households/{tenant.household_number}", headers=clerk)
    assert error_codes(household) == ["suppression.blocked"]
    hits = client.get("/api/v1/residents", params={"q": "たかはし"}, headers=clerk).json()
    flags = {h["atena_number"]: h["flags"] for h in hits["results"]}
    assert flags[head] == ["suppression"]
    assert flags[tenant.atena_numbers[1]] == []
    change = client.post("/api/v1/drafts", json={"command": death(head)}, headers=clerk)
    assert error_codes(change) == ["suppression.blocked"]

    reviewer = auth(client, tenant.login(Role.REVIEWER))
    released = client.post(
        f"/api/v1/suppressions/{made['suppression_id']}/release",
        json={"minutes": 10},
        headers=reviewer,
    )
    assert released.status_code == 200, released.text
    assert released.json()["status"] == "released"
    assert client.get(f"/api/v1/residents/{head}", headers=clerk).status_code == 200
    clock.at += timedelta(minutes=11)
    clerk = auth(client, tenant.login(Role.CLERK))
    again = client.get(f"/api/v1/residents/{head}", headers=clerk)
    assert error_codes(again) == ["suppression.blocked"]


@pytest.mark.spec("3.4")
@pytest.mark.spec("2.2.4")
def test_dv_support_shows_an_alert_to_acknowledge_and_hides_its_details_from_the_clerk(
    client: TestClient, tenant: Tenant
) -> None:
    head = tenant.atena_numbers[0]
    made = set_suppression(
        client,
        tenant,
        Role.DV_OFFICER,
        kind="dv_support",
        atena_number=head,
        reason="DV等支援措置申出書",
        details={"加害者": "元配偶者（乙）"},
    )
    assert made.status_code == 201, made.text
    assert made.json()["ends_on"] == "2027-10-31"
    clerk = auth(client, tenant.login(Role.CLERK))
    first = client.get(f"/api/v1/residents/{head}", headers=clerk)
    assert first.status_code == 422
    assert first.json()["errors"][0]["level"] == "alert"
    assert error_codes(first) == ["dv_support.notice"]
    seen = client.get(
        f"/api/v1/residents/{head}", params={"acknowledged": "dv_support.notice"}, headers=clerk
    )
    assert seen.status_code == 200, seen.text
    assert seen.json()["flags"] == ["dv_support"]
    listed = client.get("/api/v1/suppressions", params={"atena_number": head}, headers=clerk)
    assert listed.status_code == 200
    assert listed.json()["suppressions"][0]["details"] == {}
    assert "元配偶者" not in listed.text
    officer = client.get(
        "/api/v1/suppressions",
        params={"atena_number": head},
        headers=auth(client, tenant.login(Role.DV_OFFICER)),
    )
    assert officer.json()["suppressions"][0]["details"] == {"加害者": "元配偶者（乙）"}


@pytest.mark.spec("3.1")
def test_a_lifted_suppression_no_longer_applies_and_the_end_date_alone_does_not_lift(
    client: TestClient, tenant: Tenant, clock: FixedClock
) -> None:
    head = tenant.atena_numbers[0]
    made = set_suppression(
        client,
        tenant,
        Role.SUPPRESSION_OFFICER,
        kind="suppression",
        atena_number=head,
        processes=["view"],
        ends_on="2026-11-30",
    ).json()
    clock.day += timedelta(days=30)
    clerk = auth(client, tenant.login(Role.CLERK))
    assert error_codes(client.get(f"/api/v1/residents/{head}", headers=clerk)) == [
        "suppression.blocked"
    ]
    lifted = client.post(
        f"/api/v1/suppressions/{made['suppression_id']}/lift",
        headers=auth(client, tenant.login(Role.SUPPRESSION_OFFICER)),
    )
    assert lifted.json()["status"] == "lifted"
    assert client.get(f"/api/v1/residents/{head}", headers=clerk).status_code == 200
