"""SuppressionService with an in-memory store: rights, tenancy, lifting, release, extension,
guarding processes and flagging search results (§3.1, §3.4)."""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest

from jichitai.domain.access.actor import Actor, Forbidden
from jichitai.domain.access.roles import Role
from jichitai.domain.access.suppression import Process, Status, Suppression, SuppressionKind
from jichitai.domain.common.identifiers import AtenaNumber, HouseholdNumber
from jichitai.domain.errors import (
    ConflictError,
    DomainError,
    InvalidValue,
    NotFound,
    RuleViolations,
    Severity,
    Violation,
)
from jichitai.services.ports import GENESIS_HASH, JournalEntry, SuppressionRepository
from jichitai.services.suppression import SuppressionService
from tests.fakes import (
    MUNICIPALITY_CODE,
    NOW,
    FixedClock,
    MemoryAccessLogStore,
    SeededIds,
    access_log,
    memory_units,
    violation,
)

MC = MUNICIPALITY_CODE
OTHER_MC = "011002"
A1, A2, A3 = (AtenaNumber.from_serial(n).value for n in (1, 2, 3))
H1, H2 = (HouseholdNumber.from_serial(n).value for n in (1, 2))
PERSONS = {(MC, A1): H1, (MC, A2): H1, (MC, A3): H2, (OTHER_MC, A1): H1}
SUPPRESSION, DV, PROVISIONAL = (
    SuppressionKind.SUPPRESSION,
    SuppressionKind.DV_SUPPORT,
    SuppressionKind.PROVISIONAL_DV_SUPPORT,
)


class InMemorySuppressionStore:
    """Suppression settings of every municipality in a dict; ``of(code)`` is one municipality's
    ``SuppressionRepository`` (what a unit of work hands out). Counts the queries
    ``for_targets`` answers."""

    outside_transactions = ("queries",)  # a count of what was asked, rolled back or not

    def __init__(self, persons: dict[tuple[str, str], str]) -> None:
        self.rows: dict[tuple[str, str], Suppression] = {}
        self.told: dict[tuple[str, str], int] = {}
        self.persons = persons
        self.queries = 0

    def add(self, setting: Suppression) -> None:
        key = (setting.municipality_code, setting.suppression_id)
        assert key not in self.rows
        self.rows[key] = setting

    def get(self, municipality_code: str, suppression_id: str) -> Suppression | None:
        return self.rows.get((municipality_code, suppression_id))

    def update(self, setting: Suppression, *, expected_version: int) -> None:
        key = (setting.municipality_code, setting.suppression_id)
        stored = self.rows.get(key)
        if stored is None or stored.version != expected_version:
            raise ConflictError(Violation("suppression.conflict", "他の処理で更新されました"))
        self.rows[key] = setting

    def for_targets(
        self,
        municipality_code: str,
        atena_numbers: Collection[str],
        household_numbers: Collection[str],
        *,
        include_lifted: bool = False,
    ) -> Sequence[Suppression]:
        self.queries += 1
        return [
            s
            for (mc, _), s in sorted(self.rows.items(), key=lambda kv: kv[1].set_at)
            if mc == municipality_code
            and (s.atena_number in atena_numbers or s.household_number in household_numbers)
            and (include_lifted or s.lifted_at is None)
        ]

    def person_exists(self, municipality_code: str, atena_number: str) -> bool:
        return (municipality_code, atena_number) in self.persons

    def household_exists(self, municipality_code: str, household_number: str) -> bool:
        return any(
            mc == municipality_code and h == household_number for (mc, _), h in self.persons.items()
        )

    def of(self, code: str) -> MemorySuppressions:
        return MemorySuppressions(self, code)


class MemorySuppressions:
    """``SuppressionRepository`` of one municipality over the store."""

    def __init__(self, store: InMemorySuppressionStore, code: str) -> None:
        self.store = store
        self.code = code

    def add(self, setting: Suppression) -> None:
        assert setting.municipality_code == self.code
        self.store.add(setting)

    def get(self, suppression_id: str) -> Suppression | None:
        return self.store.get(self.code, suppression_id)

    def update(self, setting: Suppression, *, expected_version: int) -> None:
        assert setting.municipality_code == self.code
        self.store.update(setting, expected_version=expected_version)

    def for_targets(
        self,
        atena_numbers: Collection[str],
        household_numbers: Collection[str],
        *,
        include_lifted: bool = False,
    ) -> Sequence[Suppression]:
        return self.store.for_targets(
            self.code, atena_numbers, household_numbers, include_lifted=include_lifted
        )

    def person_exists(self, atena_number: str) -> bool:
        return self.store.person_exists(self.code, atena_number)

    def household_exists(self, household_number: str) -> bool:
        return self.store.household_exists(self.code, household_number)

    def due_feed(self, on: date) -> Sequence[Suppression]:
        return [
            s
            for (mc, sid), s in self.store.rows.items()
            if mc == self.code
            and (mc, sid) not in self.store.told
            and s.lifted_at is None
            and s.starts_on <= on
        ]

    def mark_feed_told(self, suppression_id: str, seq: int) -> None:
        self.store.told[(self.code, suppression_id)] = seq


@dataclass(frozen=True)
class Person:
    """What the ``protection`` entry reads of a person: the number and the record's history."""

    atena_number: AtenaNumber
    history_number: int = 1


class MemoryJournalStore:
    """The journal of every municipality (its entries only) and the register's persons
    (``PERSONS``, each with one record) as ``uow.journal`` and ``uow.read_model`` see them."""

    def __init__(self, persons: dict[tuple[str, str], str]) -> None:
        self.entries: dict[str, list[JournalEntry]] = {}
        self.persons = persons

    def of(self, code: str) -> MemoryJournal:
        return MemoryJournal(self, code)


class MemoryJournal:
    def __init__(self, store: MemoryJournalStore, code: str) -> None:
        self.store = store
        self.code = code

    def entries(self) -> list[JournalEntry]:
        return self.store.entries.setdefault(self.code, [])

    def journal_head(self) -> tuple[int, str]:
        entries = self.entries()
        return (entries[-1].seq, entries[-1].entry_hash) if entries else (0, GENESIS_HASH)

    def entry_by_idempotency_key(self, key: str) -> JournalEntry | None:
        return next((e for e in self.entries() if e.idempotency_key == key), None)

    def append(self, entry: JournalEntry, records: Sequence[object], _: object) -> None:
        seq, prev_hash = self.journal_head()
        assert (entry.seq, entry.prev_hash) == (seq + 1, prev_hash)
        assert records == []  # no 異動: no snapshot
        self.entries().append(entry)

    def household_residents(self, household_number: HouseholdNumber) -> list[Person]:
        return [
            Person(AtenaNumber(a))
            for (mc, a), h in sorted(self.store.persons.items())
            if mc == self.code and h == household_number.value
        ]

    def household_pending_removals(
        self, household_number: HouseholdNumber, after: date
    ) -> list[Person]:
        return []

    def snapshot_on(self, atena_number: AtenaNumber, on: date) -> Person | None:
        known = (self.code, atena_number.value) in self.store.persons
        return Person(atena_number) if known else None


def service_of(
    store: InMemorySuppressionStore,
    clock: FixedClock,
    journal: MemoryJournalStore | None = None,
    **options: Any,
) -> SuppressionService:
    """The service over the store (and an access log and a journal of its own), a unit of work
    a use case."""
    log = MemoryAccessLogStore(MC, OTHER_MC)
    entries = journal or MemoryJournalStore(store.persons)
    units = memory_units(
        (MC, OTHER_MC), suppressions=store, access_log=log, journal=entries, read_model=entries
    )
    return SuppressionService(units, clock, access_log(log, clock), SeededIds(1), **options)


def guard(
    service: SuppressionService,
    code: str,
    process: Process,
    persons: Sequence[tuple[str, str]],
    acknowledged: frozenset[str] = frozenset(),
) -> tuple[Violation, ...]:
    """``service.guard`` in a unit of work of ``code`` (the service's own kind)."""
    with service._uow_for(code) as uow:
        return service.guard(uow, process, persons, acknowledged)


def flags_of(
    service: SuppressionService, code: str, persons: Sequence[tuple[str, str]]
) -> dict[str, tuple[str, ...]]:
    with service._uow_for(code) as uow:
        return service.flags(uow, persons)


def an_actor(*roles: Role, municipality_code: str = MC, login: str = "") -> Actor:
    return Actor(
        login=login or roles[0].value, municipality_code=municipality_code, roles=frozenset(roles)
    )


CLERK = an_actor(Role.CLERK)
OFFICER = an_actor(Role.SUPPRESSION_OFFICER)
DV_OFFICER = an_actor(Role.DV_OFFICER)
BOTH = an_actor(Role.SUPPRESSION_OFFICER, Role.DV_OFFICER, Role.CLERK, login="chief")
OTHER_OFFICER = an_actor(Role.SUPPRESSION_OFFICER, Role.DV_OFFICER, municipality_code=OTHER_MC)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def store() -> InMemorySuppressionStore:
    return InMemorySuppressionStore(PERSONS)


@pytest.fixture
def service(store: InMemorySuppressionStore, clock: FixedClock) -> SuppressionService:
    ids = iter(f"id-{n}" for n in range(1, 1000))
    return service_of(store, clock, new_id=lambda: next(ids))


def suppress(service: SuppressionService, actor: Actor = OFFICER, **overrides: Any) -> Suppression:
    values: dict[str, Any] = {
        "kind": SUPPRESSION,
        "atena_number": A1,
        "processes": [Process.ISSUE],
        "level": Severity.ERROR,
        "starts_on": date(2026, 4, 1),
        "reason": "照会中のため",
    }
    return service.set(actor, **(values | overrides))


def protect(service: SuppressionService, **overrides: Any) -> Suppression:
    values: dict[str, Any] = {
        "kind": DV,
        "atena_number": A1,
        "starts_on": date(2026, 4, 1),
        "reason": "DV等支援措置申出書による",
        "details": {"加害者": "元配偶者", "連絡先": "090-0000-0000"},
        "processes": None,
        "level": None,
    }
    return suppress(service, DV_OFFICER, **(values | overrides))


def test_the_repository_in_this_file_is_a_suppression_repository(
    store: InMemorySuppressionStore,
) -> None:
    port: SuppressionRepository = store.of(MC)
    assert port.get("none") is None


# --- rights ------------------------------------------------------------------------------------


@pytest.mark.spec("3.1")
def test_a_clerk_cannot_set_a_suppression_or_dv_support(service: SuppressionService) -> None:
    for kind in SuppressionKind:
        with pytest.raises(Forbidden) as refusal:
            suppress(service, CLERK, kind=kind)
        violation(refusal.value, "auth.forbidden")


@pytest.mark.spec("3.4")
def test_a_suppression_officer_cannot_set_dv_support(service: SuppressionService) -> None:
    for kind in (DV, PROVISIONAL):
        with pytest.raises(Forbidden):
            suppress(service, OFFICER, kind=kind)


@pytest.mark.spec("3.1")
def test_a_dv_officer_cannot_set_an_ordinary_suppression(service: SuppressionService) -> None:
    with pytest.raises(Forbidden):
        suppress(service, DV_OFFICER)


@pytest.mark.spec("3.1")
def test_lifting_and_releasing_need_the_right_for_the_kind(service: SuppressionService) -> None:
    plain = suppress(service)
    dv = protect(service)
    for actor, setting in ((CLERK, plain), (DV_OFFICER, plain), (CLERK, dv), (OFFICER, dv)):
        with pytest.raises(Forbidden):
            service.lift(actor, setting.suppression_id)
        with pytest.raises(Forbidden):
            service.release_temporarily(actor, setting.suppression_id)
        with pytest.raises(Forbidden):
            service.amend_end(actor, setting.suppression_id, date(2027, 3, 31))
    with pytest.raises(Forbidden):
        service.extend(OFFICER, dv.suppression_id)


def test_an_unknown_id_is_not_found_and_a_clerk_is_refused_first(
    service: SuppressionService,
) -> None:
    with pytest.raises(NotFound) as refusal:
        service.lift(OFFICER, "nope")
    violation(refusal.value, "suppression.not_found", "suppression_id")
    with pytest.raises(Forbidden):
        service.lift(CLERK, "nope")


# --- setting -----------------------------------------------------------------------------------


@pytest.mark.spec("3.1")
def test_setting_records_who_when_and_the_actors_municipality(
    service: SuppressionService, store: InMemorySuppressionStore
) -> None:
    setting = suppress(service, household_number=None, processes=["issue", "change"])
    assert setting.municipality_code == MC
    assert (setting.set_by, setting.set_at, setting.version) == ("suppression_officer", NOW, 1)
    assert setting.processes == {Process.ISSUE, Process.CHANGE}
    assert store.get(MC, setting.suppression_id) == setting
    assert store.get(OTHER_MC, setting.suppression_id) is None


@pytest.mark.spec("3.1")
def test_a_setting_needs_a_person_or_household_of_the_register(
    service: SuppressionService,
) -> None:
    with pytest.raises(NotFound) as refusal:
        suppress(service, atena_number=AtenaNumber.from_serial(99).value)
    violation(refusal.value, "suppression.person_not_found", "atena_number")
    with pytest.raises(NotFound) as refusal:
        suppress(service, atena_number=None, household_number=HouseholdNumber.from_serial(9).value)
    violation(refusal.value, "suppression.household_not_found", "household_number")
    # A3 is known in this municipality only; an officer elsewhere cannot reach them.
    with pytest.raises(NotFound):
        suppress(service, OTHER_OFFICER, atena_number=A3)
    household = suppress(service, atena_number=None, household_number=H1)
    assert (household.atena_number, household.household_number) == (None, H1)


def test_an_invalid_setting_is_refused_before_anything_is_stored(
    service: SuppressionService, store: InMemorySuppressionStore
) -> None:
    with pytest.raises(InvalidValue) as refusal:
        suppress(service, processes=[], reason="")
    violation(refusal.value, "suppression.processes_required", "processes")
    violation(refusal.value, "suppression.reason_required", "reason")
    with pytest.raises(InvalidValue) as refusal:
        suppress(service, kind="unknown")
    violation(refusal.value, "suppression.kind_unknown", "kind")
    assert store.rows == {}


@pytest.mark.spec("3.4")
def test_dv_support_defaults_to_refusing_copies_for_one_year(service: SuppressionService) -> None:
    setting = protect(service, starts_on=date(2020, 4, 1))
    assert setting.processes == {Process.ISSUE} and setting.level is Severity.ERROR
    assert setting.ends_on == date(2021, 3, 31)
    edited = protect(service, starts_on=date(2020, 4, 1), ends_on=date(2020, 12, 31))
    assert edited.ends_on == date(2020, 12, 31)


# --- lifting, release, extension ---------------------------------------------------------------


@pytest.mark.spec("3.1")
def test_only_an_explicit_lift_ends_a_setting(
    service: SuppressionService, clock: FixedClock
) -> None:
    setting = suppress(service, ends_on=date(2026, 6, 30))
    persons = [(A1, H1)]
    clock.day = date(2030, 1, 1)  # long after the end date
    with pytest.raises(RuleViolations):
        guard(service, MC, Process.ISSUE, persons)
    lifted = service.lift(OFFICER, setting.suppression_id)
    assert (lifted.lifted_by, lifted.lifted_at, lifted.version) == ("suppression_officer", NOW, 2)
    assert guard(service, MC, Process.ISSUE, persons) == ()
    with pytest.raises(DomainError) as refusal:
        service.lift(OFFICER, setting.suppression_id)
    violation(refusal.value, "suppression.lifted")


@pytest.mark.spec("3.1")
def test_a_temporary_release_returns_to_force_after_the_time_set(
    service: SuppressionService, clock: FixedClock
) -> None:
    setting = suppress(service, processes=[Process.ISSUE, Process.FEED])
    persons = [(A1, H1)]
    released = service.release_temporarily(OFFICER, setting.suppression_id, 45)
    assert released.released_until == NOW + timedelta(minutes=45)
    assert released.released_by == "suppression_officer"
    assert guard(service, MC, Process.ISSUE, persons) == ()
    with pytest.raises(RuleViolations):  # never passed on as a lift to other systems
        guard(service, MC, Process.FEED, persons)
    clock.at = NOW + timedelta(minutes=45)
    with pytest.raises(RuleViolations):
        guard(service, MC, Process.ISSUE, persons)


@pytest.mark.spec("3.1")
def test_the_release_time_has_a_configurable_default_and_bounds(
    store: InMemorySuppressionStore, clock: FixedClock
) -> None:
    service = service_of(store, clock, release_minutes=10, max_release_minutes=60)
    setting = suppress(service)
    released = service.release_temporarily(OFFICER, setting.suppression_id)
    assert released.released_until == NOW + timedelta(minutes=10)
    for minutes in (0, -5, 61, True):
        with pytest.raises(InvalidValue) as refusal:
            service.release_temporarily(OFFICER, setting.suppression_id, minutes)
        violation(refusal.value, "suppression.release_minutes", "minutes")
    assert service_of(store, clock).release_temporarily(
        OFFICER, setting.suppression_id
    ).released_until == NOW + timedelta(minutes=30)
    with pytest.raises(ValueError):
        service_of(store, clock, release_minutes=0)


@pytest.mark.spec("3.4")
def test_dv_support_is_extended_by_its_officer_from_one_month_before_the_end(
    service: SuppressionService, clock: FixedClock
) -> None:
    setting = protect(service, starts_on=date(2020, 4, 1))
    clock.day = date(2021, 2, 28)
    with pytest.raises(DomainError) as refusal:
        service.extend(DV_OFFICER, setting.suppression_id)
    violation(refusal.value, "dv_support.extension_too_early")
    clock.day = date(2021, 3, 1)
    extended = service.extend(DV_OFFICER, setting.suppression_id)
    assert extended.ends_on == date(2022, 3, 31) and extended.version == 2
    amended = service.amend_end(DV_OFFICER, setting.suppression_id, date(2022, 1, 31))
    assert amended.ends_on == date(2022, 1, 31) and amended.version == 3


class StaleReads(InMemorySuppressionStore):
    """Answers ``get`` with the version first read, as a second screen open too long would."""

    def __init__(self, persons: dict[tuple[str, str], str]) -> None:
        super().__init__(persons)
        self.first_read: dict[tuple[str, str], Suppression] = {}

    def get(self, municipality_code: str, suppression_id: str) -> Suppression | None:
        found = super().get(municipality_code, suppression_id)
        if found is None:
            return None
        return self.first_read.setdefault((municipality_code, suppression_id), found)


def test_a_change_based_on_a_stale_version_is_a_conflict(clock: FixedClock) -> None:
    store = StaleReads(PERSONS)
    service = service_of(store, clock)
    setting = suppress(service)
    service.release_temporarily(OFFICER, setting.suppression_id)  # version 2, read as 1
    with pytest.raises(ConflictError):
        service.lift(OFFICER, setting.suppression_id)
    stored = store.rows[(MC, setting.suppression_id)]
    assert stored.lifted_at is None and stored.version == 2


# --- tenancy -----------------------------------------------------------------------------------


@pytest.mark.spec("3.1")
def test_a_setting_of_another_municipality_is_out_of_reach(service: SuppressionService) -> None:
    setting = suppress(service)
    with pytest.raises(NotFound):
        service.lift(OTHER_OFFICER, setting.suppression_id)
    assert service.list_for(OTHER_OFFICER, atena_number=A1) == ()
    assert guard(service, OTHER_MC, Process.ISSUE, [(A1, H1)]) == ()
    assert flags_of(service, OTHER_MC, [(A1, H1)]) == {A1: ()}


# --- listing -----------------------------------------------------------------------------------


@pytest.mark.spec("3.4")
def test_only_the_dv_officer_sees_the_reason_and_details_of_dv_support(
    service: SuppressionService,
) -> None:
    dv = protect(service)
    plain = suppress(service)
    full = service.list_for(DV_OFFICER, atena_number=A1)
    assert [s.suppression_id for s in full] == [dv.suppression_id, plain.suppression_id]
    assert full[0].details == dv.details and full[0].reason == dv.reason
    for actor in (CLERK, OFFICER):
        seen = {s.kind: s for s in service.list_for(actor, atena_number=A1)}
        assert (seen[DV].reason, dict(seen[DV].details)) == ("", {})
        assert (seen[DV].processes, seen[DV].ends_on) == (dv.processes, dv.ends_on)
        assert seen[SUPPRESSION].reason == plain.reason


def test_listing_takes_lifted_settings_and_households_on_request(
    service: SuppressionService,
) -> None:
    lifted = suppress(service)
    service.lift(OFFICER, lifted.suppression_id)
    household = suppress(service, atena_number=None, household_number=H1)
    assert service.list_for(CLERK, atena_number=A1) == ()
    assert [s.suppression_id for s in service.list_for(CLERK, A1, H1, include_lifted=True)] == [
        lifted.suppression_id,
        household.suppression_id,
    ]
    with pytest.raises(InvalidValue) as refusal:
        service.list_for(CLERK)
    violation(refusal.value, "suppression.target_required")
    with pytest.raises(Forbidden):
        service.list_for(an_actor(Role.AUDITOR), atena_number=A1)


# --- guarding processes ------------------------------------------------------------------------


@pytest.mark.spec("3.4")
def test_guard_refuses_a_copy_for_a_protected_person(service: SuppressionService) -> None:
    protect(service)
    with pytest.raises(RuleViolations) as refusal:
        guard(service, MC, Process.ISSUE, [(A1, H1)])
    v = violation(refusal.value, "dv_support.blocked", "atena_number", Severity.ERROR)
    assert v.message == "この方は支援措置の対象者です。住民票の写し等の交付はできません"
    assert "元配偶者" not in str(refusal.value)
    with pytest.raises(RuleViolations):  # an error cannot be acknowledged away
        guard(service, MC, Process.ISSUE, [(A1, H1)], frozenset({"dv_support.blocked"}))


@pytest.mark.spec("3.4")
def test_guard_on_view_needs_the_protection_notice_acknowledged(
    service: SuppressionService, clock: FixedClock
) -> None:
    protect(service, starts_on=date(2025, 12, 26))  # ends 2026-12-25: within one month
    with pytest.raises(RuleViolations) as refusal:
        guard(service, MC, Process.VIEW, [(A1, H1)])
    assert [v.code for v in refusal.value.violations] == [
        "dv_support.notice",
        "dv_support.ending_soon",
    ]
    ack = frozenset({"dv_support.notice", "dv_support.ending_soon"})
    alerts = guard(service, MC, Process.VIEW, [(A1, H1)], ack)
    assert [v.code for v in alerts] == ["dv_support.notice", "dv_support.ending_soon"]
    assert all(v.severity is Severity.ALERT for v in alerts)
    clock.day = date(2026, 11, 25)
    assert [v.code for v in guard(service, MC, Process.VIEW, [(A1, H1)], ack)] == [
        "dv_support.notice"
    ]
    clock.day = date(2026, 12, 26)
    with pytest.raises(RuleViolations) as refusal:
        guard(service, MC, Process.VIEW, [(A1, H1)], ack)
    assert [v.code for v in refusal.value.violations] == ["dv_support.ended"]


@pytest.mark.spec("3.1")
def test_guard_checks_every_person_in_one_query_and_names_them(
    service: SuppressionService, store: InMemorySuppressionStore
) -> None:
    suppress(service, atena_number=A2, processes=[Process.CHANGE])
    suppress(
        service, atena_number=None, household_number=H2, processes=[Process.CHANGE], level="alert"
    )
    store.queries = 0
    persons = [(A1, H1), (A2, H1), (A3, H2)]
    with pytest.raises(RuleViolations) as refusal:
        guard(service, MC, Process.CHANGE, persons)
    assert store.queries == 1
    assert [(v.code, v.severity) for v in refusal.value.violations] == [
        ("suppression.blocked", Severity.ERROR),
        ("suppression.alert", Severity.ALERT),
    ]
    assert refusal.value.violations[0].message == f"宛名番号 {A2} の方は異動入力が抑止されています"
    assert A3 in refusal.value.violations[1].message
    assert guard(service, MC, Process.ISSUE, persons) == ()
    assert guard(service, MC, Process.ISSUE, []) == ()


@pytest.mark.spec("3.1")
def test_an_acknowledged_alert_lets_the_process_go_on(service: SuppressionService) -> None:
    suppress(service, level=Severity.ALERT)
    with pytest.raises(RuleViolations) as refusal:
        guard(service, MC, Process.ISSUE, [(A1, H1)])
    violation(refusal.value, "suppression.alert", "atena_number", Severity.ALERT)
    alerts = guard(service, MC, Process.ISSUE, [(A1, H1)], frozenset({"suppression.alert"}))
    assert [v.code for v in alerts] == ["suppression.alert"]


# --- flags for search results ------------------------------------------------------------------


@pytest.mark.spec("3.1")
def test_flags_mark_suppressed_and_protected_persons_in_one_query(
    service: SuppressionService, store: InMemorySuppressionStore
) -> None:
    protect(service, atena_number=A2)
    suppress(service, atena_number=None, household_number=H1)
    scheduled = suppress(service, atena_number=A3, starts_on=date(2027, 1, 1))
    store.queries = 0
    flags = flags_of(service, MC, [(A1, H1), (A2, H1), (A3, H2)])
    assert store.queries == 1
    assert flags == {A1: ("suppression",), A2: ("suppression", "dv_support"), A3: ()}
    assert scheduled.status(today=date(2026, 11, 26), now=NOW) is Status.SCHEDULED
    assert flags_of(service, MC, []) == {}


def test_the_municipality_is_always_the_actors(
    service: SuppressionService, store: InMemorySuppressionStore
) -> None:
    setting = suppress(service, BOTH)  # ``set`` has no municipality parameter at all
    assert (setting.municipality_code, setting.set_by) == (MC, "chief")
    assert list(store.rows) == [(MC, setting.suppression_id)]


@pytest.mark.spec("3.1")
def test_temporary_release_is_a_right_of_its_own(service: SuppressionService) -> None:
    """A reviewer may release a 抑止 for a moment but not set or lift one; a DV support's error
    is released only by the DV officer (§3.1, §3.4)."""
    reviewer = an_actor(Role.REVIEWER, login="reviewer")
    setting = suppress(service)
    released = service.release_temporarily(reviewer, setting.suppression_id, 10)
    assert released.released_by == "reviewer"
    with pytest.raises(Forbidden):
        suppress(service, reviewer)
    with pytest.raises(Forbidden):
        service.lift(reviewer, setting.suppression_id)
    dv = protect(service, atena_number=A2)
    with pytest.raises(Forbidden):
        service.release_temporarily(reviewer, dv.suppression_id, 10)
    with pytest.raises(Forbidden):
        service.release_temporarily(OFFICER, dv.suppression_id, 10)
    assert service.release_temporarily(DV_OFFICER, dv.suppression_id, 10).released_by
    with pytest.raises(Forbidden):
        service.release_temporarily(CLERK, setting.suppression_id, 10)


def test_only_a_setting_that_changes_what_other_systems_receive_is_told_when_it_begins_or_ends(
    store: InMemorySuppressionStore, clock: FixedClock
) -> None:
    """docs/integration.md "Withheld persons": a ``protection`` entry when a setting guarding
    feeds, or a support measure, is set or lifted; nothing for a release, an extension, a new
    end date or a setting of other processes only; a setting made in advance waits for its day."""
    journal = MemoryJournalStore(PERSONS)
    service = service_of(store, clock, journal)

    def told() -> list[tuple[str, str, list[str]]]:
        return [
            (e.kind, e.reason, json.loads(e.payload)["persons"])
            for e in journal.entries.get(MC, [])
        ]

    suppress(service, processes=[Process.ISSUE])  # nothing other systems receive changes
    assert told() == []
    feed = suppress(service, household_number=H1, atena_number=None, processes=[Process.FEED])
    assert told() == [("protection", "protection_set", [A1, A2])]  # every member
    service.release_temporarily(OFFICER, feed.suppression_id, 10)  # feed stays guarded
    dv = protect(service, starts_on=clock.today() - timedelta(days=400))
    clock.day = dv.ends_on - timedelta(days=10)  # type: ignore[operator]
    service.extend(DV_OFFICER, dv.suppression_id)
    service.amend_end(DV_OFFICER, dv.suppression_id, clock.today() + timedelta(days=500))
    assert [reason for _, reason, _ in told()] == ["protection_set"] * 2
    service.lift(DV_OFFICER, dv.suppression_id)
    assert told()[-1] == ("protection", "protection_lifted", [dv.atena_number])
    later = suppress(service, starts_on=clock.today() + timedelta(days=1), processes=["feed"])
    assert len(told()) == 3  # told on its day by the effective-dates step
    with service._uow_for(MC) as uow:
        assert [s.suppression_id for s in uow.suppressions.due_feed(clock.today())] == []
        due = uow.suppressions.due_feed(clock.today() + timedelta(days=1))
        assert [s.suppression_id for s in due] == [later.suppression_id]
