"""Which record holds on a date, through the staff API: a planned move-out leaves her a resident
until its date for every reader, a change may not be dated before a person's latest, and a
cancelled move-out never leaves a household without its head (issue "Trust first", §3)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from jichitai.bootstrap import App
from jichitai.codec import encode_tagged
from jichitai.domain.access.roles import Role
from jichitai.domain.common.address import Address
from jichitai.domain.common.identifiers import AtenaNumber
from jichitai.domain.residents.commands import Cancel, Correct, InTownMove, MoveOut, RecordChanges
from jichitai.domain.residents.reasons import ChangeReason
from tests.api.conftest import Tenant, auth, error_codes
from tests.api.test_certificate_reissue_api import squeezed
from tests.factories import a_header, a_named_certifier
from tests.fakes import TODAY, FixedClock

PLANNED = TODAY + timedelta(days=7)


def approved(client: TestClient, tenant: Tenant, command: Any) -> dict[str, Any]:
    """Submitted by the clerk and approved by the reviewer, through the API."""
    body = {"command": encode_tagged(command)}
    submitted = client.post(
        "/api/v1/drafts", json=body, headers=auth(client, tenant.login(Role.CLERK))
    )
    assert submitted.status_code == 201, submitted.text
    draft_id = submitted.json()["draft"]["draft_id"]
    done = client.post(
        f"/api/v1/drafts/{draft_id}/approve",
        json={},
        headers=auth(client, tenant.login(Role.REVIEWER)),
    )
    assert done.status_code == 200, done.text
    result: dict[str, Any] = done.json()
    return result


def planned_move_out(atena: str, on: Any = PLANNED) -> MoveOut:
    return MoveOut(
        header=a_header(effective_on=on, filed_on=TODAY),
        atena_numbers=(AtenaNumber(atena),),
        planned_on=on,
        onward_address=Address.municipality_only("北海道", "札幌市中央区"),
    )


def readers(client: TestClient, tenant: Tenant, wife: str) -> dict[str, Any]:
    """What each reader answers about the wife: her record, her household, the searches."""
    clerk = auth(client, tenant.login(Role.CLERK))
    record = client.get(f"/api/v1/residents/{wife}", headers=clerk).json()
    household = client.get(f"/api/v1/households/{tenant.household_number}", headers=clerk)
    living = client.get(
        "/api/v1/residents", params={"q": "タカハシ", "include_removed": "false"}, headers=clerk
    ).json()
    removed = client.get("/api/v1/removed-records", params={"q": "タカハシ"}, headers=clerk).json()
    return {
        "status": record["status"],
        "move_out": record.get("move_out"),
        "pending": record.get("pending"),
        "members": sorted(m["atena_number"] for m in household.json()["members"]),
        "living": sorted(h["atena_number"] for h in living["results"]),
        "removed": sorted(h["atena_number"] for h in removed["results"]),
    }


@pytest.mark.spec("1.1.5")
def test_a_planned_move_out_leaves_her_a_resident_until_its_date_then_removed_unasked(
    app: App, client: TestClient, tenant: Tenant, clock: FixedClock, tmp_path: Path
) -> None:
    head, wife = tenant.atena_numbers
    a_named_certifier(app, tenant.code)
    approved(client, tenant, planned_move_out(wife))
    before = readers(client, tenant, wife)
    assert before["status"] == "resident" and before["move_out"] is None
    assert before["pending"]["effective_on"] == PLANNED.isoformat()
    assert before["pending"]["reason"] == "domestic_move_out"
    assert before["members"] == sorted([head, wife])
    assert wife in before["living"] and wife not in before["removed"]
    # The household copy lists her, without the move-out's items (§5.1 (1000)).
    copy = client.post(
        "/api/v1/certificates",
        json={"atena_number": head, "household": True},
        headers=auth(client, tenant.login(Role.CLERK)),
    )
    assert copy.status_code == 201, copy.text
    text = squeezed(copy.content, tmp_path)
    assert "花子" in text and "転出予定" not in text and "札幌市" not in text

    clock.day = PLANNED - timedelta(days=1)
    assert readers(client, tenant, wife)["status"] == "resident"
    clock.day = PLANNED  # nobody acts: the date alone makes her record a 除票
    after = readers(client, tenant, wife)
    assert after["status"] == "moved_out" and after["pending"] is None
    assert after["move_out"]["onward_address"] == "北海道札幌市中央区"
    assert after["members"] == [head]
    assert wife not in after["living"] and wife in after["removed"]
    copy = client.post(
        "/api/v1/certificates",
        json={"atena_number": head, "household": True},
        headers=auth(client, tenant.login(Role.CLERK)),
    )
    assert "花子" not in squeezed(copy.content, tmp_path)


@pytest.mark.spec("1.2.1")
@pytest.mark.spec("4.0.3")
def test_a_change_dated_before_a_persons_latest_is_refused_with_the_date_named(
    client: TestClient, tenant: Tenant
) -> None:
    head = tenant.atena_numbers[0]

    def move(day: Any, lot: str) -> Any:
        return InTownMove(
            header=a_header(effective_on=day, filed_on=TODAY),
            atena_numbers=tuple(AtenaNumber(a) for a in tenant.atena_numbers),
            address=Address.create(
                prefecture="鹿児島県", city="試験市", town_area="中央町", lot_text=lot
            ),
        )

    approved(client, tenant, move(TODAY - timedelta(days=2), "5番"))
    clerk = auth(client, tenant.login(Role.CLERK))
    earlier = client.post(
        "/api/v1/changes/check",
        json={"command": encode_tagged(move(TODAY - timedelta(days=3), "6番"))},
        headers=clerk,
    )
    assert earlier.status_code == 422, earlier.text
    assert set(error_codes(earlier)) == {"change.effective_before_latest"}
    assert "令和8年11月24日付け" in earlier.text and "転居" in earlier.text
    # The record as of each day answers the change dated on or before it, and nothing later.
    reviewer = auth(client, tenant.login(Role.REVIEWER))
    day_before = client.get(
        f"/api/v1/residents/{head}",
        params={"as_of": (TODAY - timedelta(days=3)).isoformat()},
        headers=reviewer,
    )
    assert "5番" not in day_before.json()["address"]
    on_the_day = client.get(
        f"/api/v1/residents/{head}",
        params={"as_of": (TODAY - timedelta(days=2)).isoformat()},
        headers=reviewer,
    )
    assert on_the_day.json()["address"].endswith("5番")


@pytest.mark.spec("4.6.0.1")
@pytest.mark.spec("1.1.10")
def test_cancelling_a_move_out_after_the_rest_left_returns_her_as_head_of_her_own_household(
    app: App, client: TestClient, tenant: Tenant
) -> None:
    head, wife = tenant.atena_numbers
    hers = approved(client, tenant, planned_move_out(wife, TODAY))
    approved(client, tenant, planned_move_out(head, TODAY))
    cancel = Cancel(header=a_header(effective_on=TODAY), event_id=hers["event_id"])
    result = approved(client, tenant, cancel)
    clerk = auth(client, tenant.login(Role.CLERK))
    record = client.get(f"/api/v1/residents/{wife}", headers=clerk).json()
    assert record["status"] == "resident"
    assert record["relationship"] == "世帯主"  # not 「妻」 of a household with nobody else
    assert record["household_number"] != tenant.household_number
    assert record["household_number"] in result["households"]
    household = client.get(f"/api/v1/households/{record['household_number']}", headers=clerk)
    assert [m["atena_number"] for m in household.json()["members"]] == [wife]


@pytest.mark.spec("1.1.5")
def test_nothing_but_the_cancellation_is_recorded_for_her_before_the_date(
    client: TestClient, tenant: Tenant
) -> None:
    wife = tenant.atena_numbers[1]
    approved(client, tenant, planned_move_out(wife))
    correction = Correct(
        header=a_header(effective_on=TODAY),
        atena_number=AtenaNumber(wife),
        reason=ChangeReason.MINOR_CORRECTION,
        changes=RecordChanges(remarks="郵便物の転送あり"),
    )
    refused = client.post(
        "/api/v1/changes/check",
        json={"command": encode_tagged(correction)},
        headers=auth(client, tenant.login(Role.CLERK)),
    )
    assert refused.status_code == 422
    assert "person.planned_move_out" in error_codes(refused)
    assert "転出予定" in refused.text
