"""Withheld persons as a business system meets them: named by 宛名番号 and nothing else, in the
feed, the ``/withheld`` list and (by absence) the extract; back as an ordinary record once
released; and received anyway by a subscriber whose duty the administrator exempted (the
election roll), a setting that is logged.

Standard §7.2.3 (1190) 宛名連携; docs/integration.md "Withheld persons".
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from jichitai.bootstrap import App
from jichitai.domain.access.actor import Actor
from jichitai.domain.access.roles import Role
from jichitai.domain.access.suppression import Process
from jichitai.domain.common.identifiers import AtenaNumber
from jichitai.domain.residents.commands import Correct, RecordChanges
from jichitai.domain.residents.reasons import ChangeReason
from jichitai.services.audit import AccessSearch, Operation
from jichitai.services.subscribers import Credentials
from tests.api.conftest import Tenant, auth, error_codes
from tests.factories import a_header, an_administrator
from tests.fakes import FixedClock

pytestmark = pytest.mark.spec("7.2.3")

SUPPORT = "支援措置対象フラグ"


def subscribe(app: App, tenant: Tenant, system: str = "child_allowance") -> Credentials:
    """A subscriber receiving every item of the 住民 file but the 個人番号 (the widest sweep)."""
    items = [i for i in app.integration.item_names if i != "個人番号"]
    return app.subscribers.add(
        an_administrator(tenant.code),
        name="選挙システム" if system == "elections" else "児童手当システム",
        system=system,
        items=[*items, SUPPORT],
        my_number_allowed=False,
    )


def key(credentials: Credentials) -> dict[str, str]:
    return {"Authorization": f"Bearer {credentials.api_key}"}


def get(client: TestClient, credentials: Credentials, path: str, **params: str) -> str:
    response = client.get(f"/integration/v1{path}", params=params, headers=key(credentials))
    assert response.status_code == 200, response.text
    return response.text


def changes(client: TestClient, credentials: Credentials, after: str = "0") -> list[dict]:  # type: ignore[type-arg]
    body = json.loads(get(client, credentials, "/changes", after=after, limit="1000"))
    found: list[dict] = body["changes"]  # type: ignore[type-arg]
    return found


def withheld(client: TestClient, credentials: Credentials) -> list[str]:
    found: list[str] = json.loads(get(client, credentials, "/withheld"))["withheld_persons"]
    return found


def set_hidden(app: App, tenant: Tenant, atena: str, hidden: bool) -> int:
    return app.register.record_change(
        tenant.code,
        Correct(
            header=a_header(),
            atena_number=AtenaNumber(atena),
            reason=ChangeReason.MINOR_CORRECTION,
            changes=RecordChanges(hidden_from_other_systems=hidden),
        ),
    ).seq


def officer(tenant: Tenant, role: Role) -> Actor:
    return Actor(login=tenant.login(role), municipality_code=tenant.code, roles=frozenset({role}))


def own_values(record: dict[str, str], others: Sequence[dict[str, str]]) -> set[str]:
    """The values of ``record`` no other person's record has (what would betray it), but its
    宛名番号 (which the protocol names) and short codes (a code "12" is in any cursor)."""
    shared = {v for other in others for v in other.values()}
    return {
        v
        for k, v in record.items()
        if k not in ("宛名番号", SUPPORT)
        and v not in shared
        and (len(v) >= 4 or (len(v) >= 2 and not v.isascii()))
    }


def sweep(texts: Sequence[str], secrets: set[str]) -> None:
    for text in texts:
        leaked = sorted(s for s in secrets if s in text)
        assert leaked == [], leaked


def test_a_person_flagged_hidden_is_named_by_atena_only_and_released_as_an_ordinary_record(
    app: App, client: TestClient, tenant: Tenant
) -> None:
    credentials = subscribe(app, tenant)
    head, spouse = tenant.atena_numbers
    before = {
        r["宛名番号"]: r for r in map(json.loads, get(client, credentials, "/extract").splitlines())
    }
    secrets = own_values(before[spouse], [before[head]])
    assert {"花子", "ハナコ"} <= secrets and len(secrets) >= 4, secrets  # real items

    seq = set_hidden(app, tenant, spouse, True)
    change = changes(client, credentials, str(seq - 1))[0]
    assert change["withheld_persons"] == [spouse] and change["withheld"] == 1
    assert change["persons"] == [] and change["records"] == [] and change["households"] == []
    # what happened to the person, and when, is theirs: the change says only that it was withheld
    assert (change["kind"], change["reason"], change["reason_group"]) == ("withheld",) * 3
    assert change["effective_on"] is change["filed_on"] is change["recorded_at"] is None
    assert withheld(client, credentials) == [spouse]
    extract = [json.loads(line) for line in get(client, credentials, "/extract").splitlines()]
    assert [r["宛名番号"] for r in extract] == [head]  # left out, as the feed says
    # re-read from the start, the move-in names the spouse the same way (judged now)
    first = changes(client, credentials)[0]
    assert first["withheld_persons"] == [spouse] and first["persons"] == [head]
    assert first["kind"] == "move_in"  # the head's change, as the head's record tells
    refused = client.get(f"/integration/v1/persons/{spouse}", headers=key(credentials))
    assert refused.status_code == 403 and error_codes(refused) == ["integration.withheld"]
    household = get(client, credentials, f"/households/{tenant.household_number}")
    search = get(client, credentials, "/persons", q="タカハシ ハナコ")
    sweep(
        [
            get(client, credentials, "/changes", after="0", limit="1000"),
            get(client, credentials, "/extract"),
            get(client, credentials, "/extract", format="csv"),
            get(client, credentials, "/withheld"),
            household,
            search,
            refused.text,
        ],
        secrets,
    )

    seq = set_hidden(app, tenant, spouse, False)
    released = changes(client, credentials, str(seq - 1))[0]
    assert released["withheld_persons"] == [] and released["persons"] == [spouse]
    assert released["records"][0]["名_日本人"] == "花子"  # the upsert a consumer applies
    assert withheld(client, credentials) == []
    again = client.get(f"/integration/v1/persons/{spouse}", headers=key(credentials))
    assert again.status_code == 200 and again.json()["record"]["名_日本人"] == "花子"


def test_a_suppression_or_support_measure_is_told_by_the_withheld_list_and_lifting_it_too(
    app: App, client: TestClient, tenant: Tenant
) -> None:
    credentials = subscribe(app, tenant)
    head, spouse = tenant.atena_numbers
    setting = app.suppressions.set(
        officer(tenant, Role.SUPPRESSION_OFFICER),
        kind="suppression",
        household_number=tenant.household_number,
        processes=[Process.FEED],
        starts_on=app.clock.today(),
        reason="照会中",
    )
    app.suppressions.set(
        officer(tenant, Role.DV_OFFICER),
        kind="dv_support",
        atena_number=spouse,
        processes=[Process.ISSUE],  # not guarding feeds: told by the flag, not withheld
        starts_on=app.clock.today(),
        reason="支援措置申出",
    )
    assert withheld(client, credentials) == sorted([head, spouse])
    assert get(client, credentials, "/extract") == ""
    first = changes(client, credentials)[0]
    assert first["withheld_persons"] == sorted([head, spouse]) and first["records"] == []
    assert first["kind"] == "withheld" and first["effective_on"] is None

    app.suppressions.lift(officer(tenant, Role.SUPPRESSION_OFFICER), setting.suppression_id)
    assert withheld(client, credentials) == []
    again = client.get(f"/integration/v1/persons/{head}", headers=key(credentials))
    assert again.status_code == 200
    records = {r["宛名番号"]: r for r in changes(client, credentials)[0]["records"]}
    assert records[spouse][SUPPORT] == "1" and records[head][SUPPORT] == "0"


def test_an_election_roll_receives_protected_persons_once_the_administrator_sets_its_duty(
    app: App, client: TestClient, tenant: Tenant
) -> None:
    elections = subscribe(app, tenant, "elections")
    others = subscribe(app, tenant)
    head, spouse = tenant.atena_numbers
    app.suppressions.set(
        officer(tenant, Role.DV_OFFICER),
        kind="dv_support",
        atena_number=spouse,
        processes=[Process.ISSUE, Process.FEED],
        starts_on=app.clock.today(),
        reason="支援措置申出",
    )
    set_hidden(app, tenant, head, True)
    assert withheld(client, elections) == sorted([head, spouse])

    admin = auth(client, tenant.login(Role.ADMINISTRATOR))
    sid = elections.subscriber.subscriber_id
    path = f"/api/v1/subscribers/{sid}/withheld-duties"
    unknown = client.put(path, json={"duties": ["horse_racing"]}, headers=admin)
    assert unknown.status_code == 422 and error_codes(unknown) == ["subscriber.unknown_system"]
    clerk = auth(client, tenant.login(Role.CLERK))
    assert client.put(path, json={"duties": ["elections"]}, headers=clerk).status_code == 403
    set_duty = client.put(path, json={"duties": ["elections"]}, headers=admin)
    assert set_duty.status_code == 200, set_duty.text
    assert set_duty.json()["withheld_duties"] == ["elections"]

    assert withheld(client, elections) == []
    roll = {
        r["宛名番号"]: r for r in map(json.loads, get(client, elections, "/extract").splitlines())
    }
    assert set(roll) == {head, spouse} and roll[spouse][SUPPORT] == "1"
    assert roll[spouse]["名_日本人"] == "花子"
    feed = changes(client, elections)
    assert all(c["withheld_persons"] == [] for c in feed)
    assert (
        client.get(f"/integration/v1/persons/{spouse}", headers=key(elections)).status_code == 200
    )
    # the other subscriber is not concerned
    assert withheld(client, others) == sorted([head, spouse])
    assert get(client, others, "/extract") == ""

    cleared = client.put(path, json={"duties": []}, headers=admin)
    assert cleared.json()["withheld_duties"] == []
    assert withheld(client, elections) == sorted([head, spouse])
    auditor = officer(tenant, Role.AUDITOR)
    logged = [  # newest first
        e.target
        for e in app.access_log.search(
            auditor, AccessSearch(operation=Operation.MANAGE_SUBSCRIBERS)
        )
        if e.target.startswith(f"subscriber:{sid}:withheld_duties")
    ]
    assert logged == [
        f"subscriber:{sid}:withheld_duties:elections>-",
        f"subscriber:{sid}:withheld_duties:->elections",
    ]


def test_a_duty_for_withheld_persons_needs_the_support_flag_item(
    app: App, client: TestClient, tenant: Tenant
) -> None:
    narrow = app.subscribers.add(
        an_administrator(tenant.code),
        name="選挙システム",
        system="elections",
        items=["氏_日本人"],
        my_number_allowed=False,
    )
    admin = auth(client, tenant.login(Role.ADMINISTRATOR))
    refused = client.put(
        f"/api/v1/subscribers/{narrow.subscriber.subscriber_id}/withheld-duties",
        json={"duties": ["elections"]},
        headers=admin,
    )
    assert refused.status_code == 422
    assert error_codes(refused) == ["subscriber.support_item_required"]


def test_a_setting_that_begins_on_a_later_day_shows_in_the_withheld_list_from_that_day(
    app: App, client: TestClient, tenant: Tenant, clock: FixedClock
) -> None:
    """The list shows it from that day (a setting applies until lifted; its end date plays no
    part, §3.1); the feed tells it too (tests/api/test_feed_protection.py)."""
    credentials = subscribe(app, tenant)
    head, spouse = tenant.atena_numbers
    today = clock.day
    setting = app.suppressions.set(
        officer(tenant, Role.SUPPRESSION_OFFICER),
        kind="suppression",
        atena_number=spouse,
        processes=[Process.FEED],
        starts_on=today + timedelta(days=1),
        reason="照会中",
    )
    assert withheld(client, credentials) == []  # not yet
    clock.day = today + timedelta(days=1)
    assert withheld(client, credentials) == [spouse]
    extract = [json.loads(line) for line in get(client, credentials, "/extract").splitlines()]
    assert [r["宛名番号"] for r in extract] == [head]
    app.suppressions.lift(officer(tenant, Role.SUPPRESSION_OFFICER), setting.suppression_id)
    assert withheld(client, credentials) == []
    back = client.get(f"/integration/v1/persons/{spouse}", headers=key(credentials))
    assert back.status_code == 200
