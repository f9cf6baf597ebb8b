"""Every change names every household and person it touched, and every item of the feed means
what docs/integration.md says it means.

The walk goes through every registered change type (``CHANGE_TYPES``): it reads the register
before and after the change straight from the database (each person's 履歴番号, each household's
living members), and checks the feed entry read through the API against that difference, so a
planner that forgets a household is caught whatever its kind.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from jichitai.adapters.db import tables as t
from jichitai.bootstrap import App
from jichitai.domain.access.roles import Role
from jichitai.domain.common.dates import RecordDate
from jichitai.domain.common.identifiers import AtenaNumber, HouseholdNumber
from jichitai.domain.errors import RuleViolations
from jichitai.domain.residents.change_types import CHANGE_TYPES, ChangeType
from jichitai.domain.residents.commands import (
    Birth,
    Cancel,
    ChangeCommand,
    Correct,
    Death,
    ExOfficioEntry,
    ExOfficioRemoval,
    HeadChange,
    HouseholdChange,
    HouseholdMerge,
    HouseholdSplit,
    InTownMove,
    LoseNationality,
    MoveIn,
    MoveOut,
    Naturalise,
    RecordChanges,
    RecordMoveInNotice,
    Reissue,
)
from jichitai.domain.residents.reasons import ChangeReason
from jichitai.domain.residents.relationships import Relationship
from jichitai.services.register import ChangeResult
from tests.api.conftest import Tenant, auth, command_json, error_codes
from tests.api.test_integration_api import feed, subscribe
from tests.factories import (
    a_family_register,
    a_foreign_person,
    a_header,
    a_name,
    a_person,
    a_previous_address,
    an_address,
    foreign_details,
)
from tests.fakes import TODAY

pytestmark = pytest.mark.spec("7.2.3")

ITEMS = ("氏_日本人", "名_日本人", "住民状態", "続柄1", "届出年月日")
LATER = a_header(effective_on=TODAY)


def record(app: App, code: str, command: ChangeCommand) -> ChangeResult:
    """Record the change, acknowledging the alerts it raises (a head leaving, say)."""
    try:
        return app.register.record_change(code, command)
    except RuleViolations as refused:
        if any(v.is_error for v in refused.violations):
            raise
        codes = frozenset(v.code for v in refused.violations)
        header = dataclasses.replace(command.header, acknowledged_alerts=codes)
        return app.register.record_change(code, dataclasses.replace(command, header=header))


def register_state(app: App, code: str) -> tuple[dict[str, int], dict[str, frozenset[object]]]:
    """Each person's 履歴番号, and each household's living members (with 続柄 and address)."""
    r = t.residents.c
    with app.engine.connect() as conn:
        rows = conn.execute(
            select(
                r.atena_number, r.history_number, r.household_number, r.status, r.relationship
            ).where(r.municipality_code == code)
        ).all()
    persons = {row.atena_number: row.history_number for row in rows}
    households: dict[str, set[object]] = {}
    for row in rows:
        if row.status == "resident":
            households.setdefault(row.household_number, set()).add(
                (row.atena_number, row.relationship)
            )
    return persons, {h: frozenset(m) for h, m in households.items()}


def household_rows(app: App, code: str) -> dict[str, tuple[str | None, int]]:
    h = t.households.c
    with app.engine.connect() as conn:
        rows = conn.execute(
            select(h.household_number, h.head_atena_number, h.member_count).where(
                h.municipality_code == code
            )
        ).all()
    return {row.household_number: (row.head_atena_number, row.member_count) for row in rows}


def another_household(app: App, code: str) -> tuple[str, str]:
    """A second household at the same address: (its 世帯番号, its head's 宛名番号)."""
    result = app.register.record_change(
        code,
        MoveIn(
            header=a_header(),
            members=(a_person(name="佐藤", kana=("サトウ", "イチロウ")),),
            address=an_address(),
            previous_address=a_previous_address(),
        ),
    )
    return result.households[0], result.atena_numbers[0]


# Each sets the scene in the tenant's household (head A, wife B) and answers the change to walk.
Scene = Callable[[App, Tenant], ChangeCommand]


def _b(tenant: Tenant) -> AtenaNumber:
    return AtenaNumber(tenant.atena_numbers[1])


def _a(tenant: Tenant) -> AtenaNumber:
    return AtenaNumber(tenant.atena_numbers[0])


def _h(tenant: Tenant) -> HouseholdNumber:
    return HouseholdNumber(tenant.household_number)


def _move_out(tenant: Tenant) -> MoveOut:
    return MoveOut(
        header=LATER,
        atena_numbers=(_b(tenant),),
        planned_on=TODAY,
        onward_address=a_previous_address(),
    )


def _split(tenant: Tenant) -> HouseholdSplit:
    return HouseholdSplit(header=LATER, atena_numbers=(_b(tenant),), new_head=_b(tenant))


def _cancel(app: App, tenant: Tenant) -> ChangeCommand:
    split = record(app, tenant.code, _split(tenant))
    return Cancel(header=LATER, event_id=split.event_id)


def _notice(app: App, tenant: Tenant) -> ChangeCommand:
    record(app, tenant.code, _move_out(tenant))
    return RecordMoveInNotice(
        header=LATER,
        atena_number=_b(tenant),
        notice_on=TODAY,
        confirmed_address=a_previous_address(),
        moved_in_on=TODAY,
    )


def _merge(app: App, tenant: Tenant) -> ChangeCommand:
    other, head = another_household(app, tenant.code)
    return HouseholdMerge(
        header=LATER,
        source_household=HouseholdNumber(other),
        target_household=_h(tenant),
        relationships={head: Relationship.parse("同居人")},
    )


def _change(app: App, tenant: Tenant) -> ChangeCommand:
    other, _ = another_household(app, tenant.code)
    return HouseholdChange(
        header=LATER,
        atena_numbers=(_b(tenant),),
        target_household=HouseholdNumber(other),
        relationships={tenant.atena_numbers[1]: Relationship.parse("同居人")},
    )


def _naturalise(app: App, tenant: Tenant) -> ChangeCommand:
    joined = record(
        app,
        tenant.code,
        MoveIn(
            header=a_header(),
            members=(a_foreign_person(relationship="同居人"),),
            address=an_address(),
            previous_address=a_previous_address(),
            household_number=_h(tenant),
        ),
    )
    return Naturalise(
        header=LATER,
        atena_number=AtenaNumber(joined.atena_numbers[0]),
        name=a_name("王", "秀吉", ("ワン", "シュウキチ")),
        family_register=a_family_register(),
    )


SCENES: dict[type, Scene] = {
    MoveIn: lambda app, tenant: MoveIn(
        header=LATER,
        members=(a_person(given="次郎", kana=("タカハシ", "ジロウ"), relationship="子"),),
        address=an_address(),
        previous_address=a_previous_address(),
        household_number=_h(tenant),
    ),
    Birth: lambda app, tenant: Birth(
        header=LATER,
        child=a_person(
            given="陽翔", kana=("タカハシ", "ハルト"), relationship="子", born="2026-11-01"
        ),
        household_number=_h(tenant),
    ),
    # B alone moves: a new household, and A's household loses a member without A changing.
    InTownMove: lambda app, tenant: InTownMove(
        header=LATER,
        atena_numbers=(_b(tenant),),
        address=an_address("二丁目5番1号"),
        new_head=_b(tenant),
    ),
    MoveOut: lambda app, tenant: _move_out(tenant),
    RecordMoveInNotice: _notice,
    # The head dies: the household he leaves keeps its wife, headless.
    Death: lambda app, tenant: Death(
        header=LATER, atena_number=_a(tenant), died_on=RecordDate.of(TODAY)
    ),
    ExOfficioEntry: lambda app, tenant: ExOfficioEntry(
        header=dataclasses.replace(LATER, filed_on=None),
        members=(a_person(given="三郎", kana=("タカハシ", "サブロウ"), relationship="同居人"),),
        address=an_address(),
        household_number=_h(tenant),
    ),
    ExOfficioRemoval: lambda app, tenant: ExOfficioRemoval(
        header=dataclasses.replace(LATER, filed_on=None),
        atena_numbers=(_b(tenant),),
        cause="実態調査",
    ),
    HouseholdSplit: lambda app, tenant: _split(tenant),
    HouseholdMerge: _merge,
    HouseholdChange: _change,
    HeadChange: lambda app, tenant: HeadChange(
        header=LATER,
        household_number=_h(tenant),
        new_head=_b(tenant),
        relationships={tenant.atena_numbers[0]: Relationship.parse("夫")},
    ),
    Correct: lambda app, tenant: Correct(
        header=LATER,
        atena_number=_b(tenant),
        reason=ChangeReason.MINOR_CORRECTION,
        changes=RecordChanges(remarks="備考"),
    ),
    Naturalise: _naturalise,
    LoseNationality: lambda app, tenant: LoseNationality(
        header=LATER,
        atena_number=_b(tenant),
        name=a_name("ＴＡＫＡＨＡＳＨＩ", "ＨＡＮＡＫＯ", ("タカハシ", "ハナコ")),
        foreign=foreign_details(card="AB98765432CD", became_foreign_resident_on=TODAY.isoformat()),
    ),
    Reissue: lambda app, tenant: Reissue(header=LATER, atena_number=_a(tenant)),
    Cancel: _cancel,
}


def test_every_change_type_has_a_scene_here() -> None:
    assert set(SCENES) == {c.command for c in CHANGE_TYPES}


@pytest.mark.parametrize("change_type", CHANGE_TYPES, ids=lambda c: c.name)
def test_the_feed_names_every_household_and_person_the_change_touched(
    app: App, client: TestClient, tenant: Tenant, change_type: ChangeType[Any]
) -> None:
    credentials = subscribe(app, tenant.code, ITEMS)
    command = SCENES[change_type.command](app, tenant)
    persons_before, households_before = register_state(app, tenant.code)
    cursor = feed(client, credentials)["next_cursor"]

    result = record(app, tenant.code, command)

    persons_after, households_after = register_state(app, tenant.code)
    (change,) = feed(client, credentials, after=cursor)["changes"]
    assert change["event_id"] == result.event_id
    touched_persons = {a for a, n in persons_after.items() if persons_before.get(a) != n}
    touched_households = {
        h
        for h in {*households_before, *households_after}
        if households_before.get(h) != households_after.get(h)
    }
    assert touched_persons, "the scene changes nobody"
    assert set(change["persons"]) == touched_persons
    assert {r["宛名番号"] for r in change["records"]} == touched_persons
    assert touched_households <= set(change["households"]), change["households"]
    assert set(result.households) == set(change["households"])
    # The households' own rows (head, member count) follow every household the change named.
    rows = household_rows(app, tenant.code)
    for household in change["households"]:
        members = households_after.get(household, frozenset())
        heads = [a for a, rel in members if rel == "世帯主"]  # type: ignore[misc]
        assert rows[household] == (heads[0] if heads else None, len(members)), household


def test_a_household_split_names_the_household_it_came_from(
    app: App, client: TestClient, tenant: Tenant
) -> None:
    credentials = subscribe(app, tenant.code, ITEMS)
    cursor = feed(client, credentials)["next_cursor"]
    result = record(app, tenant.code, _split(tenant))
    (change,) = feed(client, credentials, after=cursor)["changes"]
    (new,) = set(result.households) - {tenant.household_number}
    assert change["persons"] == [tenant.atena_numbers[1]]
    assert change["households"] == sorted([tenant.household_number, new])


def _filed(app: App, client: TestClient, credentials: object, atena: str) -> str:
    response = client.get(
        f"/integration/v1/persons/{atena}",
        headers={"Authorization": f"Bearer {credentials.api_key}"},  # type: ignore[attr-defined]
    )
    assert response.status_code == 200, response.text
    value: str = response.json()["record"]["届出年月日"]
    return value


def _yyyymmdd(day: date) -> str:
    return day.strftime("%Y%m%d")


@pytest.mark.spec("4.1.0.2")
def test_a_move_out_and_a_death_set_the_filing_date_of_the_record(
    app: App, client: TestClient, tenant: Tenant
) -> None:
    credentials = subscribe(app, tenant.code, ITEMS)
    filed = TODAY - timedelta(days=1)
    header = a_header(effective_on=TODAY, filed_on=filed)
    moved = record(
        app,
        tenant.code,
        MoveOut(
            header=header,
            atena_numbers=(_b(tenant),),
            planned_on=TODAY,
            onward_address=a_previous_address(),
        ),
    )
    assert _filed(app, client, credentials, tenant.atena_numbers[1]) == _yyyymmdd(filed)
    (change,) = [c for c in feed(client, credentials)["changes"] if c["event_id"] == moved.event_id]
    assert change["filed_on"] == filed.isoformat()
    assert change["records"][0]["届出年月日"] == _yyyymmdd(filed)

    record(
        app,
        tenant.code,
        Death(
            header=a_header(effective_on=TODAY, filed_on=TODAY),
            atena_number=_a(tenant),
            died_on=RecordDate.of(TODAY),
        ),
    )
    assert _filed(app, client, credentials, tenant.atena_numbers[0]) == _yyyymmdd(TODAY)


@pytest.mark.spec("4.1.0.2")
def test_a_partial_cancellation_restores_the_filing_date_only_for_the_persons_it_cancels(
    app: App, client: TestClient, tenant: Tenant
) -> None:
    credentials = subscribe(app, tenant.code, ITEMS)
    a, b = tenant.atena_numbers
    moved = record(
        app,
        tenant.code,
        InTownMove(
            header=a_header(effective_on=TODAY, filed_on=TODAY - timedelta(days=2)),
            atena_numbers=(_a(tenant), _b(tenant)),
            address=an_address("三丁目1番1号"),
        ),
    )
    cancelled = record(
        app,
        tenant.code,
        Cancel(
            header=a_header(effective_on=TODAY, filed_on=TODAY),
            event_id=moved.event_id,
            atena_numbers=(_b(tenant),),
        ),
    )
    # The wife gets back what the move replaced: the move-in's filing date; the head keeps the
    # move's, and the cancellation's own 届出日 is on its entry only.
    assert _filed(app, client, credentials, b) == _yyyymmdd(a_header().filed_on)  # type: ignore[arg-type]
    assert _filed(app, client, credentials, a) == _yyyymmdd(TODAY - timedelta(days=2))
    (change,) = [
        c for c in feed(client, credentials)["changes"] if c["event_id"] == cancelled.event_id
    ]
    assert change["persons"] == [b]
    assert change["corrects_event_id"] == moved.event_id


def test_corrects_event_id_names_the_earlier_change_an_entry_corrects(
    app: App, client: TestClient, tenant: Tenant
) -> None:
    """docs/integration.md: ``corrects_event_id`` on an entry is the earlier event it corrects (a
    誤記修正 the change it puts right, a 取消し the change it cancels); null on any other."""
    credentials = subscribe(app, tenant.code, ITEMS)
    (entered,) = feed(client, credentials)["changes"]
    corrected = record(
        app,
        tenant.code,
        Correct(
            header=LATER,
            atena_number=_b(tenant),
            reason=ChangeReason.CLERICAL_CORRECTION,
            changes=RecordChanges(name=a_name("高橋", "華子", ("タカハシ", "ハナコ"))),
            corrects_event_id=entered["event_id"],
        ),
    )
    cancelled = record(app, tenant.code, Cancel(header=LATER, event_id=corrected.event_id))
    changes = {c["event_id"]: c for c in feed(client, credentials)["changes"]}
    assert changes[entered["event_id"]]["corrects_event_id"] is None
    assert changes[corrected.event_id]["corrects_event_id"] == entered["event_id"]
    assert changes[cancelled.event_id]["corrects_event_id"] == corrected.event_id


def test_a_correction_may_name_only_an_earlier_change_of_the_same_person(
    app: App, client: TestClient, tenant: Tenant
) -> None:
    clerk = auth(client, tenant.login(Role.CLERK))
    other = record(
        app,
        tenant.code,
        MoveIn(
            header=a_header(),
            members=(a_person(name="佐藤", kana=("サトウ", "イチロウ")),),
            address=an_address(),
            previous_address=a_previous_address(),
        ),
    )

    def check(corrects: str) -> list[str]:
        command = Correct(
            header=LATER,
            atena_number=_b(tenant),
            reason=ChangeReason.CLERICAL_CORRECTION,
            changes=RecordChanges(remarks="誤記"),
            corrects_event_id=corrects,
        )
        response = client.post(
            "/api/v1/changes/check", json={"command": command_json(command)}, headers=clerk
        )
        assert response.status_code == 422, response.text
        return error_codes(response)

    assert "correct.corrected_event_not_found" in check("0190c7a4-0000-7000-8000-000000000001")
    assert "correct.corrected_event_other_person" in check(other.event_id)


@pytest.mark.spec("4.1.0.2")
def test_a_change_that_is_not_a_filing_leaves_the_filing_date_as_it_was(
    app: App, client: TestClient, tenant: Tenant
) -> None:
    """A 職権修正 sent with a 届出日 (the counter shows today's) is no 届出 (§1.2.1)."""
    credentials = subscribe(app, tenant.code, ITEMS)
    before = _filed(app, client, credentials, tenant.atena_numbers[1])
    record(
        app,
        tenant.code,
        Correct(
            header=a_header(effective_on=TODAY, filed_on=TODAY),
            atena_number=_b(tenant),
            reason=ChangeReason.EX_OFFICIO_CORRECTION,
            changes=RecordChanges(remarks="職権"),
        ),
    )
    assert before == _yyyymmdd(a_header().filed_on)  # type: ignore[arg-type]
    assert _filed(app, client, credentials, tenant.atena_numbers[1]) == before
