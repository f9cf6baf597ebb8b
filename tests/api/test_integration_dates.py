"""Dates through the integration API: every answer is as of an effective date (異動日), today
unless ``as_of`` names a 基準日; a planned 転出 is announced when recorded and told on its day."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from jichitai.bootstrap import App
from jichitai.domain.common.address import Address
from jichitai.domain.common.identifiers import AtenaNumber
from jichitai.domain.residents.commands import Cancel, Correct, MoveOut, RecordChanges
from jichitai.domain.residents.reasons import ChangeReason
from tests.api.conftest import Tenant, error_codes
from tests.api.test_integration_api import feed, key, subscribe
from tests.factories import EFFECTIVE_ON, a_header
from tests.fakes import TODAY, FixedClock

pytestmark = pytest.mark.spec("7.2.3")

PLANNED = TODAY + timedelta(days=7)


def plan_move_out(app: App, tenant: Tenant, person: int = 0) -> str:
    """One of the household files a 転出 today, planned for next week."""
    return app.register.record_change(
        tenant.code,
        MoveOut(
            header=a_header(effective_on=PLANNED, filed_on=TODAY),
            atena_numbers=(AtenaNumber(tenant.atena_numbers[person]),),
            planned_on=PLANNED,
            onward_address=Address.municipality_only("大阪府", "大阪市北区"),
        ),
    ).event_id


def get(client: TestClient, path: str, credentials: Any, **params: str) -> Any:
    response = client.get(path, params=params, headers=key(credentials))
    assert response.status_code == 200, response.text
    return response


def extract(client: TestClient, credentials: Any, **params: str) -> dict[str, dict[str, str]]:
    body = get(client, "/integration/v1/extract", credentials, **params).text
    records = [json.loads(line) for line in body.splitlines() if line]
    return {r["宛名番号"]: r for r in records}


def test_a_planned_move_out_is_a_resident_today_and_removed_from_its_date_at_every_door(
    app: App, client: TestClient, tenant: Tenant, clock: FixedClock
) -> None:
    credentials = subscribe(app, tenant.code, ("住民状態", "消除年月日", "氏_日本人"))
    leaving = tenant.atena_numbers[0]
    cursor = feed(client, credentials)["next_cursor"]
    planned_event = plan_move_out(app, tenant)

    # Recorded today: announced in the feed as planned, with its date.
    announced = feed(client, credentials, cursor)
    (change,) = announced["changes"]
    assert change["event_id"] == planned_event and change["takes_effect"] == "planned"
    assert change["effective_on"] == PLANNED.isoformat() and change["took_effect_of"] is None
    assert change["records"][0]["住民状態"] == "2"  # the state from its date

    # As of today she is a resident at every door.
    person = get(client, f"/integration/v1/persons/{leaving}", credentials).json()["record"]
    assert person["住民状態"] == "1" and person["消除年月日"] == ""
    assert extract(client, credentials)[leaving]["住民状態"] == "1"
    living = extract(client, credentials, include_removed="false")
    assert set(living) == set(tenant.atena_numbers)
    members = get(
        client, f"/integration/v1/households/{tenant.household_number}", credentials
    ).json()
    assert leaving in [r["宛名番号"] for r in members["records"]]
    found = get(client, "/integration/v1/persons", credentials, q=leaving).json()["records"]
    assert found[0]["住民状態"] == "1"
    # Nothing is told before the day.
    assert feed(client, credentials, announced["next_cursor"])["changes"] == []

    # On the planned day: one took_effect entry, however often the feed is read.
    clock.day = PLANNED
    clock.at = clock.at + timedelta(days=7)
    told = feed(client, credentials, announced["next_cursor"])
    (entry,) = told["changes"]
    assert entry["kind"] == "took_effect" and entry["takes_effect"] == "now"
    assert entry["took_effect_of"] == {"seq": change["seq"], "event_id": planned_event}
    # Every person the planned change wrote (the one who stays becomes 世帯主 that day).
    assert entry["effective_on"] == PLANNED.isoformat()
    assert entry["persons"] == change["persons"] and leaving in entry["persons"]
    assert {r["宛名番号"]: r["住民状態"] for r in entry["records"]}[leaving] == "2"
    assert feed(client, credentials, told["next_cursor"])["changes"] == []
    assert app.register.verify_chain(tenant.code) == entry["seq"]

    person = get(client, f"/integration/v1/persons/{leaving}", credentials).json()["record"]
    assert person["住民状態"] == "2" and person["消除年月日"] == PLANNED.strftime("%Y%m%d")
    assert leaving not in extract(client, credentials, include_removed="false")
    members = get(
        client, f"/integration/v1/households/{tenant.household_number}", credentials
    ).json()
    assert leaving not in [r["宛名番号"] for r in members["records"]]
    # ... and a 基準日 before it still answers as that day.
    before = PLANNED - timedelta(days=1)
    assert extract(client, credentials, as_of=before.isoformat())[leaving]["住民状態"] == "1"
    old = get(
        client,
        f"/integration/v1/households/{tenant.household_number}",
        credentials,
        as_of=before.isoformat(),
    ).json()
    assert leaving in [r["宛名番号"] for r in old["records"]]
    searched = get(
        client,
        "/integration/v1/persons",
        credentials,
        q=leaving,
        as_of=before.isoformat(),
        include_removed="false",
    ).json()
    assert [r["住民状態"] for r in searched["records"]] == ["1"]


def test_a_cancelled_planned_move_out_tells_nothing_on_its_day(
    app: App, client: TestClient, tenant: Tenant, clock: FixedClock
) -> None:
    credentials = subscribe(app, tenant.code)
    event = plan_move_out(app, tenant)
    app.register.record_change(
        tenant.code, Cancel(header=a_header(effective_on=TODAY), event_id=event)
    )
    cursor = feed(client, credentials)["next_cursor"]
    clock.day = PLANNED
    assert feed(client, credentials, cursor)["changes"] == []


def test_the_extract_as_of_a_past_day_is_the_register_on_that_day_after_later_changes(
    app: App, client: TestClient, tenant: Tenant, clock: FixedClock
) -> None:
    credentials = subscribe(app, tenant.code, ("住民状態", "消除年月日", "氏_日本人", "備考"))
    on_the_day = extract(client, credentials)
    plan_move_out(app, tenant, person=1)
    clock.day = PLANNED + timedelta(days=3)
    app.register.record_change(  # a later change to the one who stayed
        tenant.code,
        Correct(
            header=a_header(effective_on=clock.day),
            atena_number=AtenaNumber(tenant.atena_numbers[0]),
            reason=ChangeReason.MINOR_CORRECTION,
            changes=RecordChanges(remarks="確認済"),
        ),
    )
    now = extract(client, credentials)
    assert now[tenant.atena_numbers[1]]["住民状態"] == "2"
    assert now[tenant.atena_numbers[1]]["消除年月日"] == PLANNED.strftime("%Y%m%d")
    assert now[tenant.atena_numbers[0]]["備考"] == "確認済"
    assert extract(client, credentials, as_of=TODAY.isoformat()) == on_the_day
    before = (EFFECTIVE_ON - timedelta(days=1)).isoformat()
    assert extract(client, credentials, as_of=before) == {}  # nobody had moved in yet


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/integration/v1/extract", {}),
        ("/integration/v1/persons", {"q": "タカハシ"}),
        ("/integration/v1/households/{household}", {}),
        ("/integration/v1/persons/{atena}", {}),
    ],
)
def test_a_bad_or_future_as_of_is_refused_naming_the_parameter(
    app: App, client: TestClient, tenant: Tenant, path: str, params: dict[str, str]
) -> None:
    credentials = subscribe(app, tenant.code)
    url = path.format(household=tenant.household_number, atena=tenant.atena_numbers[0])
    for bad, code in (
        ("2026-02-30", "as_of.invalid"),
        ("20261126", "as_of.invalid"),
        ((TODAY + timedelta(days=1)).isoformat(), "as_of.future"),
    ):
        response = client.get(url, params={**params, "as_of": bad}, headers=key(credentials))
        assert response.status_code == 422, response.text
        assert error_codes(response) == [code]
        (error,) = response.json()["errors"]
        assert error["field"] == "as_of" and "as_of" in error["message"]
