"""SqlSuppressions (the suppression repository of a unit of work) on the real database (SQLite,
and PostgreSQL with JICHITAI_DATABASE_URL): round trip, optimistic version, one query for many
persons, and tenant isolation."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from typing import Any, cast

import pytest
from sqlalchemy import Engine, event

from jichitai.adapters.db.unit_of_work import SqlUnitOfWork
from jichitai.bootstrap import App, bootstrap
from jichitai.domain.access.actor import Actor
from jichitai.domain.access.roles import Role
from jichitai.domain.access.suppression import (
    Process,
    Suppression,
    SuppressionKind,
    lift,
    new_suppression,
    release,
)
from jichitai.domain.common.identifiers import AtenaNumber, HouseholdNumber
from jichitai.domain.errors import ConflictError, NotFound, RuleViolations, Severity
from jichitai.domain.residents.commands import MoveIn
from tests.factories import a_header, a_municipality, a_person, a_previous_address, an_address
from tests.fakes import NOW, TODAY, FixedClock, SeededIds, SeededRandom

JST = timezone(timedelta(hours=9))


@pytest.fixture
def random_seed() -> int:
    return 410


class ByCode:
    """The repository asked with the municipality's code each time: one unit of work a call,
    committed (so a test reads like a series of separate requests)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def _call(self, code: str, method: str, *args: Any, **kwargs: Any) -> Any:
        with SqlUnitOfWork(self._engine, code) as uow:
            found = getattr(uow.suppressions, method)(*args, **kwargs)
            uow.commit()
        return found

    def add(self, setting: Suppression) -> None:
        self._call(setting.municipality_code, "add", setting)

    def get(self, code: str, suppression_id: str) -> Suppression | None:
        return cast("Suppression | None", self._call(code, "get", suppression_id))

    def update(self, setting: Suppression, *, expected_version: int) -> None:
        self._call(setting.municipality_code, "update", setting, expected_version=expected_version)

    def for_targets(self, code: str, *args: Any, **kwargs: Any) -> list[Suppression]:
        return list(self._call(code, "for_targets", *args, **kwargs))

    def person_exists(self, code: str, atena_number: str) -> bool:
        return bool(self._call(code, "person_exists", atena_number))

    def household_exists(self, code: str, household_number: str) -> bool:
        return bool(self._call(code, "household_exists", household_number))

    def due_feed(self, code: str, on: date) -> list[str]:
        return [s.suppression_id for s in self._call(code, "due_feed", on)]

    def mark_feed_told(self, code: str, suppression_id: str, seq: int) -> None:
        self._call(code, "mark_feed_told", suppression_id, seq)


@pytest.fixture
def store(clean_db: Engine) -> ByCode:
    return ByCode(clean_db)


def moved_in(app: App, code: str, given: str = "一郎") -> tuple[str, str]:
    """One person moved in to ``code`` as a household of their own: 宛名番号 and 世帯番号."""
    result = app.register.record_change(
        code,
        MoveIn(
            header=a_header(),
            members=(a_person(given=given),),
            address=an_address(),
            previous_address=a_previous_address(),
        ),
    )
    return result.atena_numbers[0], result.households[0]


def a_setting(
    code: str,
    suppression_id: str,
    *,
    kind: SuppressionKind = SuppressionKind.SUPPRESSION,
    atena_number: str | None = None,
    household_number: str | None = None,
    set_at: datetime = NOW,
) -> Suppression:
    return new_suppression(
        municipality_code=code,
        suppression_id=suppression_id,
        kind=kind,
        atena_number=atena_number,
        household_number=household_number,
        processes=[Process.FEED, Process.ISSUE] if kind is SuppressionKind.SUPPRESSION else None,
        level=Severity.ALERT if kind is SuppressionKind.SUPPRESSION else None,
        starts_on=date(2026, 4, 1),
        ends_on=None,
        reason="DV等支援措置申出 第12号" if kind is not SuppressionKind.SUPPRESSION else "照会中",
        details={"加害者": "𠮷田 髙志", "転送先": ["千代田区", 131016], "確認済み": True},
        set_by="officer",
        set_at=set_at,
    )


@pytest.mark.spec("3.1")
def test_a_setting_round_trips_with_its_times_processes_and_details(
    app: App, store: ByCode
) -> None:
    code = a_municipality(app)
    atena, _ = moved_in(app, code)
    setting = a_setting(code, "s-1", kind=SuppressionKind.DV_SUPPORT, atena_number=atena)
    store.add(setting)
    assert store.get(code, "s-1") == setting
    assert store.get(code, "s-1").details == setting.details  # type: ignore[union-attr]
    plain = a_setting(code, "s-2", atena_number=atena)
    store.add(plain)
    got = store.get(code, "s-2")
    assert got == plain and got is not None
    assert got.processes == {Process.FEED, Process.ISSUE} and got.level is Severity.ALERT
    assert got.set_at.tzinfo is not None and got.set_at == NOW


@pytest.mark.spec("3.1")
def test_update_compares_the_version(app: App, store: ByCode) -> None:
    code = a_municipality(app)
    atena, _ = moved_in(app, code)
    setting = a_setting(code, "s-1", atena_number=atena)
    store.add(setting)
    until = NOW.astimezone(JST) + timedelta(minutes=30)  # any zone in, UTC out
    released = release(setting, by="officer", today=TODAY, now=NOW, until=until)
    store.update(released, expected_version=setting.version)
    stored = store.get(code, "s-1")
    assert stored == released and stored is not None and stored.version == 2
    assert stored.released_until == until and stored.released_until.utcoffset() == timedelta(0)
    stale = lift(setting, by="other", at=NOW)  # based on version 1
    with pytest.raises(ConflictError) as refusal:
        store.update(stale, expected_version=setting.version)
    assert refusal.value.code == "suppression.conflict"
    assert store.get(code, "s-1") == released


@pytest.mark.spec("3.1")
def test_settings_of_many_persons_and_households_come_in_one_query(
    app: App, store: ByCode, clean_db: Engine
) -> None:
    code = a_municipality(app)
    a1, h1 = moved_in(app, code)
    a2, h2 = moved_in(app, code, given="次郎")
    store.add(a_setting(code, "p1", atena_number=a1, set_at=NOW))
    store.add(a_setting(code, "h1", household_number=h2, set_at=NOW + timedelta(seconds=1)))
    lifted = a_setting(code, "gone", atena_number=a2, set_at=NOW + timedelta(seconds=2))
    store.add(lifted)
    store.update(lift(lifted, by="o", at=NOW), expected_version=1)
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(clean_db, "before_cursor_execute", count)
    try:
        found = store.for_targets(code, [a1, a2], [h1, h2])
    finally:
        event.remove(clean_db, "before_cursor_execute", count)
    assert [s.suppression_id for s in found] == ["p1", "h1"]
    assert len([s for s in statements if "suppressions" in s]) == 1
    everything = store.for_targets(code, [a1, a2], [h1, h2], include_lifted=True)
    assert [s.suppression_id for s in everything] == ["p1", "h1", "gone"]
    assert store.for_targets(code, [], []) == []
    assert store.for_targets(code, [a2], []) == []


@pytest.mark.spec("3.1")
def test_a_setting_of_municipality_a_is_never_returned_for_b(app: App, store: ByCode) -> None:
    a = a_municipality(app, "13", "甲市")
    b = a_municipality(app, "27", "乙市")
    atena_a, household_a = moved_in(app, a)
    atena_b, household_b = moved_in(app, b)
    assert (atena_a, household_a) == (atena_b, household_b)  # both numbered from 1
    store.add(a_setting(a, "same-id", kind=SuppressionKind.DV_SUPPORT, atena_number=atena_a))
    store.add(a_setting(a, "household", household_number=household_a))
    assert store.get(b, "same-id") is None
    assert store.for_targets(b, [atena_b], [household_b], include_lifted=True) == []
    # The same id in B is a different row; updating B's never touches A's.
    store.add(a_setting(b, "same-id", atena_number=atena_b))
    setting_b = store.get(b, "same-id")
    assert setting_b is not None and setting_b.kind is SuppressionKind.SUPPRESSION
    store.update(lift(setting_b, by="b", at=NOW), expected_version=1)
    setting_a = store.get(a, "same-id")
    assert setting_a is not None and setting_a.lifted_at is None
    assert setting_a.kind is SuppressionKind.DV_SUPPORT
    with pytest.raises(ConflictError):  # B's version no longer matches, A's row is not B's
        store.update(replace(setting_a, municipality_code=b, version=2), expected_version=1)
    assert {s.suppression_id for s in store.for_targets(a, [atena_a], [household_a])} == {
        "same-id",
        "household",
    }


def test_settings_due_to_be_told_to_the_feed_are_each_municipalitys_own(
    app: App, store: ByCode
) -> None:
    a = a_municipality(app, "13", "甲市")
    b = a_municipality(app, "27", "乙市")
    atena_a, _ = moved_in(app, a)
    atena_b, _ = moved_in(app, b)
    store.add(a_setting(a, "same-id", atena_number=atena_a))  # begins 2026-04-01, not told
    store.add(a_setting(b, "same-id", atena_number=atena_b))
    assert store.due_feed(a, date(2026, 3, 31)) == []  # its day has not come
    assert store.due_feed(a, date(2026, 4, 1)) == ["same-id"]
    store.mark_feed_told(b, "same-id", 7)  # B's row only
    assert store.due_feed(a, date(2026, 4, 1)) == ["same-id"]
    assert store.due_feed(b, date(2026, 4, 1)) == []
    setting_a = store.get(a, "same-id")
    assert setting_a is not None
    store.update(lift(setting_a, by="a", at=NOW), expected_version=1)
    assert store.due_feed(a, date(2026, 4, 1)) == []  # a lifted setting is never told


def test_persons_and_households_exist_per_municipality(app: App, store: ByCode) -> None:
    a = a_municipality(app, "13", "甲市")
    b = a_municipality(app, "27", "乙市")
    atena, household = moved_in(app, a)
    assert store.person_exists(a, atena) and store.household_exists(a, household)
    assert not store.person_exists(b, atena) and not store.household_exists(b, household)
    assert not store.person_exists(a, AtenaNumber.from_serial(77).value)
    assert not store.household_exists(a, HouseholdNumber.from_serial(77).value)


@pytest.mark.spec("3.4")
def test_the_service_on_the_sql_store_guards_and_flags_across_tenants(
    app: App, store: ByCode
) -> None:
    a = a_municipality(app, "13", "甲市")
    b = a_municipality(app, "27", "乙市")
    person_a = moved_in(app, a)
    person_b = moved_in(app, b)
    clock = FixedClock()
    service = bootstrap(
        engine=app.engine, clock=clock, random=SeededRandom(411), ids=SeededIds(411)
    ).suppressions

    def guard(code: str, process: Process, persons: list[tuple[str, str]]) -> object:
        with SqlUnitOfWork(app.engine, code) as uow:
            return service.guard(uow, process, persons)

    def flags(code: str, persons: list[tuple[str, str]]) -> dict[str, tuple[str, ...]]:
        with SqlUnitOfWork(app.engine, code) as uow:
            return service.flags(uow, persons)

    officer_a = Actor("dv-a", a, frozenset({Role.DV_OFFICER}))
    officer_b = Actor("dv-b", b, frozenset({Role.DV_OFFICER}))
    setting = service.set(
        officer_a,
        kind=SuppressionKind.DV_SUPPORT,
        atena_number=person_a[0],
        starts_on=date(2026, 4, 1),
        reason="DV等支援措置申出",
        details={"加害者": "元配偶者"},
    )
    assert setting.ends_on == date(2027, 3, 31)
    with pytest.raises(RuleViolations) as refusal:
        guard(a, Process.ISSUE, [person_a])
    assert refusal.value.code == "dv_support.blocked"
    assert guard(b, Process.ISSUE, [person_b]) == ()
    assert flags(a, [person_a]) == {person_a[0]: ("dv_support",)}
    assert flags(b, [person_b]) == {person_b[0]: ()}
    with pytest.raises(NotFound):
        service.lift(officer_b, setting.suppression_id)
    released = service.release_temporarily(officer_a, setting.suppression_id, 15)
    assert guard(a, Process.ISSUE, [person_a]) == ()
    clock.at = released.released_until  # type: ignore[assignment]
    with pytest.raises(RuleViolations):
        guard(a, Process.ISSUE, [person_a])
    lifted = service.lift(officer_a, setting.suppression_id)
    assert lifted.version == 3
    assert guard(a, Process.ISSUE, [person_a]) == ()
    assert service.list_for(officer_a, atena_number=person_a[0]) == ()
    assert service.list_for(officer_a, atena_number=person_a[0], include_lifted=True) == (lifted,)


@pytest.mark.spec("3.1")
def test_every_statement_of_the_store_is_bound_to_the_municipality(
    app: App, store: ByCode, clean_db: Engine
) -> None:
    code = a_municipality(app)
    atena, household = moved_in(app, code)
    seen: list[tuple[str, object]] = []

    def record(*args: object) -> None:
        seen.append((str(args[2]), args[3]))

    event.listen(clean_db, "before_cursor_execute", record)
    try:
        setting = a_setting(code, "s-1", atena_number=atena)
        store.add(setting)
        store.get(code, "s-1")
        store.update(lift(setting, by="o", at=NOW), expected_version=1)
        store.for_targets(code, [atena], [household], include_lifted=True)
        store.person_exists(code, atena)
        store.household_exists(code, household)
        store.due_feed(code, TODAY)
        store.mark_feed_told(code, "s-1", 0)
    finally:
        event.remove(clean_db, "before_cursor_execute", record)
    tenant_statements = [
        (sql, params)
        for sql, params in seen
        if any(table in sql for table in ("suppressions", "residents", "households"))
    ]
    assert len(tenant_statements) == 7  # due_feed: one read when nothing is due
    for sql, params in tenant_statements:
        assert "municipality_code" in sql, sql
        values = params.values() if isinstance(params, dict) else params
        assert code in values, (sql, params)  # type: ignore[operator]
