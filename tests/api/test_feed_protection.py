"""A 抑止・支援措置 setting set or lifted without any 異動 is told by the feed: one entry of kind
``protection`` naming the persons it concerns, rendered as any change (withheld persons named
only; a released person's record carried again; the support flag to a subscriber with a duty).
It is no 異動: the chain verifies, no history number is drawn, statistics do not count it.

docs/integration.md "Withheld persons".
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from jichitai.bootstrap import App
from jichitai.domain.access.roles import Role
from jichitai.domain.common.identifiers import AtenaNumber
from jichitai.domain.errors import DomainError, NotFound
from jichitai.domain.residents.commands import Cancel, Correct, RecordChanges
from jichitai.domain.residents.reasons import ChangeReason
from tests.api.conftest import Tenant, auth
from tests.api.test_withheld_persons import SUPPORT, changes, subscribe, withheld
from tests.factories import a_header
from tests.fakes import FixedClock

pytestmark = pytest.mark.spec("7.2.3")


def set_setting(client: TestClient, tenant: Tenant, role: Role, **body: Any) -> str:
    made = client.post(
        "/api/v1/suppressions",
        json={"reason": "照会中のため", **body},
        headers=auth(client, tenant.login(role)),
    )
    assert made.status_code == 201, made.text
    sid: str = made.json()["suppression_id"]
    return sid


def guard_feed(client: TestClient, tenant: Tenant, atena_number: str, starts_on: date) -> str:
    """A 抑止 of ``atena_number`` guarding feeds (他システム連携) from ``starts_on``: its id."""
    return set_setting(
        client,
        tenant,
        Role.SUPPRESSION_OFFICER,
        kind="suppression",
        atena_number=atena_number,
        processes=["feed"],
        starts_on=starts_on.isoformat(),
    )


def lift(client: TestClient, tenant: Tenant, role: Role, suppression_id: str) -> None:
    lifted = client.post(
        f"/api/v1/suppressions/{suppression_id}/lift", headers=auth(client, tenant.login(role))
    )
    assert lifted.status_code == 200, lifted.text


def new_changes(client: TestClient, credentials: Any, after: int) -> list[dict[str, Any]]:
    return changes(client, credentials, str(after))


def test_a_suppression_guarding_feeds_is_told_withheld_when_set_and_with_the_record_when_lifted(
    app: App, client: TestClient, tenant: Tenant
) -> None:
    credentials = subscribe(app, tenant)
    _, spouse = tenant.atena_numbers
    history = app.queries.current(tenant.code, spouse).history_number
    events = app.queries.stats(tenant.code).events
    start = app.register.verify_chain(tenant.code)
    today = app.clock.today().isoformat()

    sid = guard_feed(client, tenant, spouse, app.clock.today())
    (told,) = new_changes(client, credentials, start)
    assert told["withheld_persons"] == [spouse] and told["records"] == []
    assert (told["kind"], told["reason"], told["effective_on"]) == ("withheld", "withheld", None)
    assert withheld(client, credentials) == [spouse]

    lift(client, tenant, Role.SUPPRESSION_OFFICER, sid)
    (released,) = new_changes(client, credentials, told["seq"])
    assert (released["kind"], released["reason"]) == ("protection", "protection_lifted")
    assert released["reason_label"] == "提供停止・支援措置の解除"
    assert released["reason_group"] == "protection"
    assert (released["effective_on"], released["takes_effect"]) == (today, "now")
    assert released["filed_on"] is None and released["corrects_event_id"] is None
    assert released["persons"] == [spouse] and released["withheld_persons"] == []
    assert released["records"][0]["名_日本人"] == "花子"  # rule 2: carried again
    assert released["households"] == [tenant.household_number]
    assert withheld(client, credentials) == []
    # re-read now, the set entry is judged now too: the person is released, so it carries her
    again = new_changes(client, credentials, start)[0]
    assert (again["kind"], again["reason"], again["persons"]) == (
        "protection",
        "protection_set",
        [spouse],
    )

    # no 異動: the chain holds both entries, no history number was drawn, nothing counted
    assert app.register.verify_chain(tenant.code) == start + 2
    assert app.queries.current(tenant.code, spouse).history_number == history
    assert app.queries.stats(tenant.code).events == events


def test_an_election_roll_is_told_the_support_flag_as_a_measure_is_set_and_lifted(
    app: App, client: TestClient, tenant: Tenant
) -> None:
    elections = subscribe(app, tenant, "elections")
    admin = auth(client, tenant.login(Role.ADMINISTRATOR))
    duty = client.put(
        f"/api/v1/subscribers/{elections.subscriber.subscriber_id}/withheld-duties",
        json={"duties": ["elections"]},
        headers=admin,
    )
    assert duty.status_code == 200, duty.text
    _, spouse = tenant.atena_numbers
    start = app.register.verify_chain(tenant.code)

    sid = set_setting(
        client,
        tenant,
        Role.DV_OFFICER,
        kind="dv_support",
        atena_number=spouse,
        processes=["issue", "feed"],
        starts_on=app.clock.today().isoformat(),
    )
    (told,) = new_changes(client, elections, start)
    assert (told["kind"], told["reason"]) == ("protection", "protection_set")
    assert told["withheld_persons"] == [] and told["persons"] == [spouse]
    assert told["records"][0][SUPPORT] == "1" and told["records"][0]["名_日本人"] == "花子"

    lift(client, tenant, Role.DV_OFFICER, sid)
    (released,) = new_changes(client, elections, told["seq"])
    assert released["reason"] == "protection_lifted"
    assert released["records"][0][SUPPORT] == "0"


def test_a_household_setting_names_every_current_member(
    app: App, client: TestClient, tenant: Tenant
) -> None:
    credentials = subscribe(app, tenant)
    start = app.register.verify_chain(tenant.code)
    set_setting(
        client,
        tenant,
        Role.SUPPRESSION_OFFICER,
        kind="suppression",
        household_number=tenant.household_number,
        processes=["feed"],
        starts_on=app.clock.today().isoformat(),
    )
    (told,) = new_changes(client, credentials, start)
    assert told["withheld_persons"] == sorted(tenant.atena_numbers)
    assert told["kind"] == "withheld" and told["records"] == []


def test_a_setting_that_concerns_no_feed_appends_nothing(
    app: App, client: TestClient, tenant: Tenant
) -> None:
    credentials = subscribe(app, tenant)
    head, _ = tenant.atena_numbers
    start = app.register.verify_chain(tenant.code)
    sid = set_setting(
        client,
        tenant,
        Role.SUPPRESSION_OFFICER,
        kind="suppression",
        atena_number=head,
        processes=["issue"],
        starts_on=app.clock.today().isoformat(),
    )
    lift(client, tenant, Role.SUPPRESSION_OFFICER, sid)
    assert new_changes(client, credentials, start) == []
    assert app.register.verify_chain(tenant.code) == start


def test_a_setting_made_for_a_later_day_is_told_on_that_day_once(
    app: App, client: TestClient, tenant: Tenant, clock: FixedClock
) -> None:
    credentials = subscribe(app, tenant)
    _, spouse = tenant.atena_numbers
    start = app.register.verify_chain(tenant.code)
    later = clock.day + timedelta(days=2)
    guard_feed(client, tenant, spouse, later)
    assert new_changes(client, credentials, start) == []  # not yet
    clock.day = later - timedelta(days=1)
    assert new_changes(client, credentials, start) == []
    clock.day = later
    (told,) = new_changes(client, credentials, start)  # the feed's own read tells it
    assert told["withheld_persons"] == [spouse] and told["kind"] == "withheld"
    assert new_changes(client, credentials, start) == [told]  # told once
    assert app.integration.tell_effective(tenant.code) == []
    assert app.register.verify_chain(tenant.code) == start + 1


def test_a_setting_made_in_advance_and_lifted_before_its_day_is_never_told(
    app: App, client: TestClient, tenant: Tenant, clock: FixedClock
) -> None:
    credentials = subscribe(app, tenant)
    _, spouse = tenant.atena_numbers
    start = app.register.verify_chain(tenant.code)
    later = clock.day + timedelta(days=2)
    sid = guard_feed(client, tenant, spouse, later)
    lift(client, tenant, Role.SUPPRESSION_OFFICER, sid)
    clock.day = later
    assert app.integration.tell_effective(tenant.code) == []
    assert new_changes(client, credentials, start) == []


def test_a_protection_entry_cannot_be_cancelled_or_corrected(
    app: App, client: TestClient, tenant: Tenant
) -> None:
    credentials = subscribe(app, tenant)
    _, spouse = tenant.atena_numbers
    start = app.register.verify_chain(tenant.code)
    guard_feed(client, tenant, spouse, app.clock.today())
    (told,) = new_changes(client, credentials, start)
    with pytest.raises(NotFound) as refused:  # no 異動: nothing to cancel
        app.register.record_change(
            tenant.code, Cancel(header=a_header(), event_id=told["event_id"])
        )
    assert [v.code for v in refused.value.violations] == ["cancel.event_not_found"]
    with pytest.raises(DomainError) as refused_too:
        app.register.record_change(
            tenant.code,
            Correct(
                header=a_header(),
                atena_number=AtenaNumber(spouse),
                reason=ChangeReason.CLERICAL_CORRECTION,
                changes=RecordChanges(hidden_from_other_systems=True),
                corrects_event_id=told["event_id"],
            ),
        )
    assert "correct.corrected_event_not_found" in [v.code for v in refused_too.value.violations]
