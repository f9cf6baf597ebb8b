"""A seeded, deterministic synthetic register: households, then thirty years of history.

:func:`seed_register` builds a register of about ``residents`` living persons through
``RegisterService.record_change`` only, so every record passes the same rules as a clerk's input
and the journal's hash chain covers all of it. It never reads the clock (``today`` is a
parameter, and must be the service clock's today) and draws only from ``random.Random`` seeded
with ``seed``: the same seed on an empty municipality gives the same persons, names, dates,
addresses and events (only the 住民票コード, drawn by the service's own random source, and the
event ids differ).

How it works. Households are planned first (shapes: single people ~35 %, couples, couples with
children, single parents, three generations, 同居人, 縁故者, an unmarried couple 妻（未届）, about
3 % foreign residents among them) with move-in dates spread over the last 30 years. Each move-in,
once recorded, schedules that household's later events (births, deaths, 転居, 転出, 世帯分離,
corrections …) at dates between its move-in and today, and everything is recorded from one queue
in order of effective date, so each person's changes follow one another in time and each is
checked against the household as it is then. Finally the register is topped up with recent
arrivals to reach ``residents``, one or two foreign residents naturalise, and two households file
a move-out with a planned date in the coming two weeks.

Separate random streams are used for the shape of the register, for names, for places and for
identifiers, so that seeding two municipalities with the same seed gives the same people even
when their town areas differ.

The generator keeps its own picture of the register in memory (persons, households, who is
head, each person's latest effective date) from what it sent and what ``ChangeResult`` answered
(the 宛名番号 in the order of the members, the households touched): it never queries the
register.
"""

from __future__ import annotations

import heapq
import itertools
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from random import Random
from typing import Final, Protocol, assert_never

from jichitai.demo import names as n
from jichitai.demo.households import FIRST_SHAPES, HouseholdPlanner
from jichitai.demo.people import People
from jichitai.demo.picture import HEAD, SPOUSES, Household, Person
from jichitai.demo.places import MunicipalityPlaces, abroad, domestic_elsewhere, modernised
from jichitai.domain.common.address import Address
from jichitai.domain.common.dates import RecordDate
from jichitai.domain.common.identifiers import AtenaNumber, HouseholdNumber
from jichitai.domain.common.names import PersonName
from jichitai.domain.errors import NotFound, RuleViolations
from jichitai.domain.residents.commands import (
    Birth,
    ChangeCommand,
    ChangeHeader,
    Correct,
    Death,
    ExOfficioRemoval,
    HeadChange,
    HouseholdSplit,
    InTownMove,
    MoveIn,
    MoveOut,
    Naturalise,
    NewPerson,
    RecordChanges,
    RecordMoveInNotice,
)
from jichitai.domain.residents.model import FamilyRegister, ResidentKind, Sex
from jichitai.domain.residents.reasons import ChangeReason
from jichitai.domain.residents.relationships import Relationship
from jichitai.services.register import ChangeResult

__all__ = ["ChangeRecorder", "DemoSummary", "seed_register"]

FORMER_SURNAME_START: Final = date(2019, 11, 5)
"""旧氏 can be entered from this day."""
OPERATOR: Final = "demo"
PLACE: Final = "市民課窓口"
TERMINAL: Final = "DEMO-01"


class ChangeRecorder(Protocol):
    """What the generator needs of the register: ``RegisterService`` is one."""

    def record_change(self, municipality_code: str, command: ChangeCommand) -> ChangeResult:
        """Record the change, or raise ``RuleViolations`` (or ``NotFound``) refusing it."""
        ...


@dataclass
class DemoSummary:
    """What :func:`seed_register` recorded."""

    municipality_code: str
    households: int = 0
    """Households with at least one living member at the end."""
    persons: int = 0
    """Persons entered (living and removed)."""
    residents: int = 0
    """Living residents at the end."""
    foreign_residents: int = 0
    removed: int = 0
    """除票: persons moved out, dead or removed ex officio."""
    events: dict[str, int] = field(default_factory=dict)
    """Recorded changes by kind (``ChangeResult.kind``: move_in, birth, death …)."""
    refused: int = 0
    """Commands the register refused (the generator carries on without them)."""
    refusals: dict[str, int] = field(default_factory=dict)
    """The violation codes of the refused commands."""
    skipped: int = 0
    """Planned events dropped before recording because the household no longer fitted them."""

    @property
    def total_events(self) -> int:
        return sum(self.events.values())

    def lines(self) -> list[str]:
        """A short human-readable report."""
        out = [
            f"団体 {self.municipality_code}: 住民 {self.residents} 人"
            f"（うち外国人住民 {self.foreign_residents} 人）、世帯 {self.households}、"
            f"除票 {self.removed}、登録した人 {self.persons}",
            f"異動 {self.total_events} 件: "
            + ", ".join(f"{kind} {count}" for kind, count in sorted(self.events.items())),
            f"拒否 {self.refused} 件"
            + (
                ": " + ", ".join(f"{code} {c}" for code, c in sorted(self.refusals.items()))
                if self.refusals
                else ""
            ),
        ]
        return out


def seed_register(
    register: ChangeRecorder,
    municipality_code: str,
    *,
    municipality_prefecture: str,
    municipality_city: str,
    residents: int,
    seed: int,
    today: date,
    progress: Callable[[int], None] | None = None,
) -> DemoSummary:
    """Record a synthetic register of about ``residents`` living persons; return what was done.

    ``today`` must be the register clock's today (no effective date may lie after it).
    ``progress`` is called after each recorded change with the number of persons entered so far
    (it ends a little above ``residents``: some of them leave again).
    """
    if residents < 1:
        raise ValueError("residents must be at least 1")
    seeder = _Seeder(
        register,
        municipality_code,
        MunicipalityPlaces(municipality_prefecture, municipality_city),
        residents=residents,
        seed=seed,
        today=today,
        progress=progress,
    )
    return seeder.run()


# --- scheduled events -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _HouseholdMovesIn:
    """転入 of a planned household; once recorded, its later history is scheduled."""

    household: Household


@dataclass(frozen=True, slots=True)
class _HouseholdArrives:
    """転入 of a recent arrival (the top-up): nothing is scheduled after it."""

    household: Household


@dataclass(frozen=True, slots=True)
class _HouseholdMovesInTown:
    """転居 of the whole household to another address in town."""

    household: Household


@dataclass(frozen=True, slots=True)
class _HouseholdMovesOut:
    """転出 of the whole household."""

    household: Household


@dataclass(frozen=True, slots=True)
class _MoveInNoticeArrives:
    """A 転入通知 from the municipality a person moved to."""

    person: Person
    moved_in_on: date
    confirmed: Address


@dataclass(frozen=True, slots=True)
class _ChildLeaves:
    """An adult child moves out of town alone (転出)."""

    person: Person


@dataclass(frozen=True, slots=True)
class _ChildSplitsOff:
    """世帯分離: an adult child forms a household of their own at the same address."""

    person: Person


@dataclass(frozen=True, slots=True)
class _FamilySplitsOff:
    """世帯分離 of the young family in a three-generation household (子, 子の妻, 子の子)."""

    son: Person


@dataclass(frozen=True, slots=True)
class _ChildIsBorn:
    """出生 of a child of ``mother`` and her partner."""

    mother: Person


@dataclass(frozen=True, slots=True)
class _PersonDies:
    """死亡 (and a new head, when the head dies)."""

    person: Person


@dataclass(frozen=True, slots=True)
class _LotRewritten:
    """軽微な修正: a lot entered 地番-style rewritten as 住居表示."""

    household: Household


@dataclass(frozen=True, slots=True)
class _ReadingCorrected:
    """誤記修正: a reading entered wrongly at the move-in is put right."""

    person: Person


@dataclass(frozen=True, slots=True)
class _FormerSurnameEntered:
    """旧氏の記載 for a married woman, at her request."""

    person: Person


@dataclass(frozen=True, slots=True)
class _RemovedExOfficio:
    """職権消除 after a survey found nobody living there."""

    person: Person


_Event = (
    _HouseholdMovesIn
    | _HouseholdArrives
    | _HouseholdMovesInTown
    | _HouseholdMovesOut
    | _MoveInNoticeArrives
    | _ChildLeaves
    | _ChildSplitsOff
    | _FamilySplitsOff
    | _ChildIsBorn
    | _PersonDies
    | _LotRewritten
    | _ReadingCorrected
    | _FormerSurnameEntered
    | _RemovedExOfficio
)
"""What may happen later to a household or a person, checked again when its day comes."""

# Events in the queue, in order of date; the counter keeps the order stable within a day.
_Scheduled = tuple[date, int, _Event]


class _Seeder:
    def __init__(
        self,
        register: ChangeRecorder,
        code: str,
        places: MunicipalityPlaces,
        *,
        residents: int,
        seed: int,
        today: date,
        progress: Callable[[int], None] | None,
    ) -> None:
        self.register = register
        self.code = code
        self.places = places
        self.target = residents
        self.today = today
        self.progress = progress
        base = f"jichitai-demo:{seed}"
        self.rng = Random(f"{base}:shape")
        self.name_rng = Random(f"{base}:names")
        self.place_rng = Random(f"{base}:places")
        self.id_rng = Random(f"{base}:ids")
        self.persons: list[Person] = []
        self.households: list[Household] = []
        self.queue: list[_Scheduled] = []
        self.counter = itertools.count()
        self.events: Counter[str] = Counter()
        self.refusals: Counter[str] = Counter()
        self.refused = 0
        self.skipped = 0
        self.entered = 0
        self.people = People(
            places,
            today=today,
            shape=self.rng,
            names=self.name_rng,
            place=self.place_rng,
            ids=self.id_rng,
        )
        self.planner = HouseholdPlanner(
            self.people, places, today=today, shape=self.rng, place=self.place_rng
        )

    # --- the run ------------------------------------------------------------------------------

    def run(self) -> DemoSummary:
        must_have = list(FIRST_SHAPES)
        initial = round(self.target * 0.97)
        while self.planner.planned_persons < initial:
            shape = must_have.pop(0) if must_have else None
            household = self.planner.plan(shape, recent=False)
            self.push(household.moved_in_on, _HouseholdMovesIn(household))
        self.drain()
        self.top_up(self.target + 3)
        self.naturalise(2 if self.target >= 1000 else 1)
        self.future_move_outs(2)
        return self.summary()

    def summary(self) -> DemoSummary:
        entered = [p for p in self.persons if p.atena]
        living = [p for p in entered if p.living]
        return DemoSummary(
            municipality_code=self.code,
            households=sum(1 for h in self.households if h.living and h.number),
            persons=len(entered),
            residents=len(living),
            foreign_residents=sum(1 for p in living if p.kind is ResidentKind.FOREIGN),
            removed=len(entered) - len(living),
            events=dict(sorted(self.events.items())),
            refused=self.refused,
            refusals=dict(sorted(self.refusals.items())),
            skipped=self.skipped,
        )

    def living_count(self) -> int:
        return sum(1 for p in self.persons if p.living)

    def push(self, on: date, event: _Event) -> None:
        heapq.heappush(self.queue, (on, next(self.counter), event))

    def drain(self) -> None:
        while self.queue:
            on, _, event = heapq.heappop(self.queue)
            self.happen(on, event)

    def happen(self, on: date, event: _Event) -> None:
        """Record ``event`` on ``on`` if the household still fits it (else count it skipped)."""
        match event:
            case _HouseholdMovesIn(household):
                self.do_move_in(on, household)
            case _HouseholdArrives(household):
                self.enter(household, on)
            case _HouseholdMovesInTown(household):
                self.do_in_town_move(on, household)
            case _HouseholdMovesOut(household):
                self.do_move_out(on, household)
            case _MoveInNoticeArrives():
                self.do_notice(on, event)
            case _ChildLeaves(person):
                self.do_leave(on, person)
            case _ChildSplitsOff(person):
                self.do_split(on, person)
            case _FamilySplitsOff(son):
                self.do_split_family(on, son)
            case _ChildIsBorn(mother):
                self.do_birth(on, mother)
            case _PersonDies(person):
                self.do_death(on, person)
            case _LotRewritten(household):
                self.do_lot_correction(on, household)
            case _ReadingCorrected(person):
                self.do_kana_correction(on, person)
            case _FormerSurnameEntered(person):
                self.do_former_surname(on, person)
            case _RemovedExOfficio(person):
                self.do_ex_officio_removal(on, person)
            case _:
                assert_never(event)

    def top_up(self, threshold: int) -> None:
        """Recent arrivals until ``threshold`` persons live here."""
        for _ in range(5):
            missing = threshold - self.living_count()
            if missing <= 0:
                return
            planned = 0
            while planned < missing:
                household = self.planner.plan(None, recent=True, max_size=missing - planned)
                planned += len(household.members)
                self.push(household.moved_in_on, _HouseholdArrives(household))
            self.drain()

    # --- recording ----------------------------------------------------------------------------

    def header(
        self, on: date, filed: date | None = None, *, alerts: frozenset[str] = frozenset()
    ) -> ChangeHeader:
        return ChangeHeader(
            effective_on=on,
            filed_on=filed,
            operator=OPERATOR,
            place=PLACE,
            terminal=TERMINAL,
            acknowledged_alerts=alerts,
        )

    def filed(self, on: date, *, most: int = 14) -> date:
        """A filing date on ``on`` or a few days later (never after today)."""
        roll = self.rng.random()
        if roll < 0.35:
            delay = 0
        elif roll < 0.85:
            delay = self.rng.randint(1, min(7, most))
        else:
            delay = self.rng.randint(1, most)
        return min(on + timedelta(days=delay), self.today)

    def record(self, command: ChangeCommand, persons: Sequence[Person] = ()) -> ChangeResult | None:
        """Record one change; a refusal is counted and answered with None."""
        on = command.header.effective_on
        for p in persons:
            if p.last_on > on:  # pragma: no cover - the queue keeps dates in order
                raise AssertionError(
                    f"out-of-order change for {p.atena} on {on} (last {p.last_on})"
                )
        try:
            result = self.register.record_change(self.code, command)
        except (RuleViolations, NotFound) as refusal:
            self.refused += 1
            for violation in refusal.violations:
                self.refusals[violation.code] += 1
            return None
        self.events[result.kind] += 1
        for p in persons:
            p.last_on = on
        self.entered += sum(1 for p in persons if not p.atena)
        if self.progress is not None:
            self.progress(self.entered)
        return result

    # --- new person commands --------------------------------------------------------------------

    def new_person(self, p: Person, became_on: date | None = None) -> NewPerson:
        return NewPerson(
            kind=p.kind,
            name=p.name,
            birth_date=p.birth,
            sex=p.sex,
            relationship=Relationship.parse(p.relationship),
            family_register=p.family_register,
            individual_number=p.individual_number,
            foreign=p.foreign,
            electoral_roll=p.kind is ResidentKind.JAPANESE
            and p.age_on(became_on or self.today) >= 18,
        )

    # --- queue handlers -------------------------------------------------------------------------

    def do_move_in(self, on: date, household: Household) -> None:
        if self.enter(household, on):
            self.schedule(household, on)

    def enter(self, household: Household, on: date) -> bool:
        assert household.previous_address is not None
        command = MoveIn(
            header=self.header(on, self.filed(on)),
            members=tuple(self.new_person(m, on) for m in household.members),
            address=household.address,
            previous_address=household.previous_address,
            from_abroad=household.from_abroad,
        )
        for m in household.members:
            self.persons.append(m)
        result = self.record(command, household.members)
        if result is None:
            for m in household.members:
                self.persons.remove(m)
            return False
        for m, atena in zip(household.members, result.atena_numbers, strict=True):
            m.atena, m.household, m.living, m.entry_event = atena, household, True, result.event_id
        household.number = result.households[0]
        self.households.append(household)
        return True

    def when(
        self, after: date, *, within: int | None = None, not_before: date | None = None
    ) -> date | None:
        """A random date after ``after`` (and after ``not_before``) up to today, or None."""
        start = max(after + timedelta(days=1), not_before or date.min)
        end = self.today if within is None else min(self.today, after + timedelta(days=within))
        if start > end:
            return None
        return start + timedelta(days=self.rng.randrange((end - start).days + 1))

    def schedule(self, household: Household, since: date) -> None:
        """Plan this household's later history (each event is checked again when it comes)."""
        rng = self.rng

        def plan(event: _Event, on: date | None) -> None:
            if on is not None:
                self.push(on, event)

        if rng.random() < 0.09:
            plan(_HouseholdMovesInTown(household), self.when(since))
        if rng.random() < 0.11:
            plan(_HouseholdMovesOut(household), self.when(since))
        if household.address.lot_text and "番地" in household.address.lot_text:
            plan(_LotRewritten(household), self.when(since, within=3 * 365))
        for m in household.members:
            if m.true_name is not None:
                plan(_ReadingCorrected(m), self.when(since, within=400))
            if m.maiden is not None and rng.random() < 0.15:
                plan(_FormerSurnameEntered(m), self.when(since, not_before=FORMER_SURNAME_START))
            if m.age_on(self.today) >= 72 and rng.random() < 0.2:
                plan(
                    _PersonDies(m),
                    self.when(since, not_before=self.today - timedelta(days=6 * 365)),
                )
            if m.relationship == "子" and m.partner is None and rng.random() < 0.3:
                adult = (
                    m.born.replace(year=m.born.year + 20)
                    if (m.born.month, m.born.day) != (2, 29)
                    else m.born + timedelta(days=7305)
                )
                plan(_ChildSplitsOff(m), self.when(since, not_before=adult))
            elif m.relationship == "子" and m.partner is None and rng.random() < 0.12:
                adult = m.born + timedelta(days=18 * 366)
                plan(_ChildLeaves(m), self.when(since, not_before=adult))
            if m.relationship == "子" and m.partner is not None and rng.random() < 0.3:
                plan(_FamilySplitsOff(m), self.when(since))
            if m.sex is Sex.FEMALE and m.partner is not None and m.relationship != "妻（未届）":
                fertile_from = m.born + timedelta(days=22 * 366)
                fertile_to = m.born + timedelta(days=42 * 366)
                for _ in range(2):
                    if rng.random() < 0.3:
                        on = self.when(
                            max(since, fertile_from),
                            not_before=self.today - timedelta(days=5 * 365),
                        )
                        if on is not None and on <= fertile_to:
                            plan(_ChildIsBorn(m), on)
        if len(household.members) == 1 and rng.random() < 0.02:
            plan(
                _RemovedExOfficio(household.members[0]),
                self.when(since, not_before=self.today - timedelta(days=3 * 365)),
            )

    def skip(self) -> None:
        self.skipped += 1

    def do_in_town_move(self, on: date, household: Household) -> None:
        if not household.living:
            return self.skip()
        address = self.places.other_address(self.place_rng, household.address)
        command = InTownMove(
            header=self.header(on, self.filed(on)),
            atena_numbers=tuple(AtenaNumber(m.atena) for m in household.members),
            address=address,
        )
        if self.record(command, household.members) is not None:
            household.address = address

    def do_move_out(self, on: date, household: Household) -> None:
        if not household.living:
            return self.skip()
        self.move_out(household, list(household.members), on, notices=True)

    def move_out(
        self, household: Household, movers: list[Person], on: date, *, notices: bool
    ) -> bool:
        """転出 of ``movers`` planned for ``on``; filed up to two weeks before (never after today)."""
        foreign = next((m.foreign for m in movers if m.foreign is not None), None)
        to_abroad = (foreign is not None and self.rng.random() < 0.6) or self.rng.random() < 0.05
        if to_abroad and foreign is not None:
            nationality = n.nationality_named(foreign.nationality)
            onward = abroad(self.place_rng, nationality.name, nationality.cities)
        elif to_abroad:
            onward = abroad(self.place_rng)
        else:
            onward = self.places.elsewhere(
                self.place_rng, municipality_only=self.place_rng.random() < 0.5
            )
        latest_before = max(m.last_on for m in movers)
        filed = max(on - timedelta(days=self.rng.randint(0, 14)), latest_before)
        filed = min(filed, self.today)
        command = MoveOut(
            header=self.header(on, filed),
            atena_numbers=tuple(AtenaNumber(m.atena) for m in movers),
            planned_on=on,
            onward_address=onward,
            abroad=onward.is_overseas,
        )
        if self.record(command, movers) is None:
            return False
        self.leave(household, movers)
        if notices and not onward.is_overseas and on <= self.today and self.rng.random() < 0.5:
            moved_in = on + timedelta(days=self.rng.randint(0, 5))
            notice_on = moved_in + timedelta(days=self.rng.randint(3, 20))
            if notice_on <= self.today:
                confirmed = (
                    onward if not onward.is_municipality_only else _detailed(onward, self.place_rng)
                )
                for m in movers:
                    self.push(notice_on, _MoveInNoticeArrives(m, moved_in, confirmed))
        return True

    def leave(self, household: Household, leaving: Sequence[Person]) -> None:
        """Take persons out of their household; a sole survivor becomes head (as the rules do)."""
        for m in leaving:
            m.living = False
            household.members.remove(m)
        if household.members and household.head() is None and len(household.members) == 1:
            household.members[0].relationship = HEAD

    def do_notice(self, on: date, notice: _MoveInNoticeArrives) -> None:
        command = RecordMoveInNotice(
            header=self.header(on),
            atena_number=AtenaNumber(notice.person.atena),
            notice_on=on,
            confirmed_address=notice.confirmed,
            moved_in_on=notice.moved_in_on,
        )
        self.record(command, [notice.person])

    def do_leave(self, on: date, person: Person) -> None:
        """An adult child moves out of town alone."""
        household = person.household
        if (
            not person.living
            or household is None
            or person.relationship == HEAD
            or len(household.members) < 2
        ):
            return self.skip()
        self.move_out(household, [person], on, notices=True)

    def do_split(self, on: date, person: Person) -> None:
        """世帯分離: an adult child forms a household of their own at the same address."""
        household = person.household
        if (
            not person.living
            or household is None
            or person.relationship != "子"
            or len(household.members) < 2
        ):
            return self.skip()
        self.split(household, [person], person, {}, on)

    def do_split_family(self, on: date, son: Person) -> None:
        """世帯分離 of the young family in a three-generation household (子, 子の妻, 子の子)."""
        household = son.household
        if not son.living or household is None or son.relationship != "子":
            return self.skip()
        wife = son.partner
        movers = [son]
        relationships: dict[str, str] = {}
        if (
            wife is not None
            and wife.living
            and wife.household is household
            and wife.relationship == "子の妻"
        ):
            movers.append(wife)
            relationships[wife.atena] = "妻"
        for m in household.members:
            if m.relationship == "子の子" and son in m.parents:
                movers.append(m)
                relationships[m.atena] = "子"
        if len(movers) >= len(household.members):
            return self.skip()
        self.split(household, movers, son, relationships, on)

    def split(
        self,
        household: Household,
        movers: list[Person],
        head: Person,
        relationships: dict[str, str],
        on: date,
    ) -> None:
        command = HouseholdSplit(
            header=self.header(on, self.filed(on)),
            atena_numbers=tuple(AtenaNumber(m.atena) for m in movers),
            new_head=AtenaNumber(head.atena),
            relationships={k: Relationship.parse(v) for k, v in relationships.items()},
        )
        result = self.record(command, movers)
        if result is None:
            return
        new = Household(members=[], address=household.address, moved_in_on=on)
        new.number = result.households[-1]  # the source household(s), then the new one
        for m in movers:
            household.members.remove(m)
            new.members.append(m)
            m.household = new
            m.relationship = HEAD if m is head else relationships[m.atena]
        self.households.append(new)
        self.schedule_after_split(new, on)

    def schedule_after_split(self, household: Household, since: date) -> None:
        rng = self.rng
        for m in household.members:
            if m.sex is Sex.FEMALE and m.partner is not None and rng.random() < 0.4:
                on = self.when(since)
                if on is not None and on <= m.born + timedelta(days=42 * 366):
                    self.push(on, _ChildIsBorn(m))
        if rng.random() < 0.1:
            on = self.when(since)
            if on is not None:
                self.push(on, _HouseholdMovesInTown(household))

    def do_birth(self, on: date, mother: Person) -> None:
        father = mother.partner
        household = mother.household
        if (
            not mother.living
            or household is None
            or father is None
            or not father.living
            or father.household is not household
            or not 20 <= mother.age_on(on) <= 44
            or (on - mother.last_child_on).days < 300
        ):
            return self.skip()
        rels = {mother.relationship, father.relationship}
        if HEAD in rels and rels & set(SPOUSES):
            relationship = "子"
        elif rels == {"子", "子の妻"}:
            relationship = "子の子"
        else:
            return self.skip()
        japanese_parent = father if father.kind is ResidentKind.JAPANESE else mother
        if japanese_parent.kind is not ResidentKind.JAPANESE:
            return self.skip()
        family = n.NameReading(japanese_parent.name.family, japanese_parent.name.family_kana)
        if japanese_parent.true_name is not None:
            family = n.NameReading(
                japanese_parent.true_name.family, japanese_parent.true_name.family_kana
            )
        sex = self.rng.choice((Sex.MALE, Sex.FEMALE))
        child = self.people.japanese(
            family, sex, RecordDate.of(on), relationship, japanese_parent.family_register
        )
        child.individual_number = child.individual_number or self.people.individual_number()
        if child.true_name is not None:  # a newborn's name is entered right
            child.name, child.true_name = child.true_name, None
        child.parents = (father, mother)
        command = Birth(
            header=self.header(on, self.filed(on)),
            child=self.new_person(child, on),
            household_number=HouseholdNumber(household.number),
        )
        self.persons.append(child)
        result = self.record(command, [child])
        if result is None:
            self.persons.remove(child)
            return
        child.atena, child.household, child.living, child.entry_event = (
            result.atena_numbers[0],
            household,
            True,
            result.event_id,
        )
        household.members.append(child)
        mother.last_child_on = on

    def do_death(self, on: date, person: Person) -> None:
        household = person.household
        if not person.living or household is None:
            return self.skip()
        others = [m for m in household.members if m is not person]
        follow_up: tuple[Person, dict[str, str]] | None = None
        if person.relationship == HEAD and len(others) >= 2:
            follow_up = _successor(person, others)
            if follow_up is None:
                return self.skip()
        alerts = frozenset({"household.head_absent"}) if follow_up is not None else frozenset()
        command = Death(
            header=self.header(on, self.filed(on, most=7), alerts=alerts),
            atena_number=AtenaNumber(person.atena),
            died_on=RecordDate.of(on),
        )
        if self.record(command, [person]) is None:
            return
        self.leave(household, [person])
        if follow_up is not None:
            new_head, relationships = follow_up
            changed = dict(relationships)
            head_change = HeadChange(
                header=self.header(on, self.filed(on)),
                household_number=HouseholdNumber(household.number),
                new_head=AtenaNumber(new_head.atena),
                relationships={k: Relationship.parse(v) for k, v in changed.items()},
            )
            if self.record(head_change, household.members) is not None:
                new_head.relationship = HEAD
                for m in household.members:
                    if m.atena in changed:
                        m.relationship = changed[m.atena]

    def do_lot_correction(self, on: date, household: Household) -> None:
        """軽微な修正: a lot entered 地番-style (3番地12) rewritten as 住居表示 (3番12号)."""
        fixed = modernised(household.address)
        if not household.living or fixed == household.address:
            return self.skip()
        for m in list(household.members):
            command = Correct(
                header=self.header(on),
                atena_number=AtenaNumber(m.atena),
                reason=ChangeReason.MINOR_CORRECTION,
                changes=RecordChanges(address=fixed),
            )
            self.record(command, [m])
        household.address = fixed

    def do_kana_correction(self, on: date, person: Person) -> None:
        """誤記修正: a reading entered wrongly at the move-in is put right."""
        if not person.living or person.true_name is None:
            return self.skip()
        command = Correct(
            header=self.header(on),
            atena_number=AtenaNumber(person.atena),
            reason=ChangeReason.CLERICAL_CORRECTION,
            changes=RecordChanges(name=person.true_name),
            corrects_event_id=person.entry_event or None,
        )
        if self.record(command, [person]) is not None:
            person.name, person.true_name = person.true_name, None

    def do_former_surname(self, on: date, person: Person) -> None:
        """旧氏の記載 for a married woman, at her request."""
        if not person.living or person.maiden is None:
            return self.skip()
        former = PersonName.create(person.maiden.kanji, "", person.maiden.kana)
        command = Correct(
            header=self.header(on, on),
            atena_number=AtenaNumber(person.atena),
            reason=ChangeReason.FORMER_SURNAME_ENTRY,
            changes=RecordChanges(former_surname=former),
        )
        if self.record(command, [person]) is not None:
            person.maiden = None

    def do_ex_officio_removal(self, on: date, person: Person) -> None:
        """職権消除 after a survey found nobody living there."""
        household = person.household
        if not person.living or household is None or len(household.members) != 1:
            return self.skip()
        command = ExOfficioRemoval(
            header=self.header(on),
            atena_numbers=(AtenaNumber(person.atena),),
            cause="実態調査の結果、居住の事実が確認できないため",
        )
        if self.record(command, [person]) is not None:
            self.leave(household, [person])

    # --- the last steps -----------------------------------------------------------------------

    def naturalise(self, count: int) -> None:
        """帰化 of one or two foreign residents: a Japanese record under a Japanese name."""
        candidates = [
            p
            for p in self.persons
            if p.living
            and p.kind is ResidentKind.FOREIGN
            and p.age_on(self.today) >= 20
            and p.last_on < self.today
        ]
        preferred = [
            p
            for p in candidates
            if p.foreign is not None
            and p.foreign.residence_status in ("永住者", "日本人の配偶者等", "特別永住者")
        ]
        pool = preferred or candidates
        for person in self.rng.sample(pool, min(count, len(pool))):
            on = self.when(person.last_on) or self.today
            household = person.household
            assert household is not None
            head = household.head()
            if (
                person.relationship in SPOUSES
                and head is not None
                and head.kind is ResidentKind.JAPANESE
            ):
                right = head.true_name or head.name
                family = n.NameReading(right.family, right.family_kana)
                assert head.family_register is not None
                register = head.family_register
            else:
                family = self.people.family()
                register = None
            for _ in range(50):
                given = self.people.given(person.sex, person.born)
                name = PersonName.create(family.kanji, given.kanji, family.kana, given.kana)
                if self.people.claim(name, person.sex, person.birth):
                    break
            if register is None:
                register = FamilyRegister(self.places.domicile(self.place_rng), name.full)
            command = Naturalise(
                header=self.header(on, on),
                atena_number=AtenaNumber(person.atena),
                name=name,
                family_register=register,
            )
            if self.record(command, [person]) is not None:
                person.kind, person.name, person.foreign = ResidentKind.JAPANESE, name, None
                person.family_register = register

    def future_move_outs(self, count: int) -> None:
        """Households that filed a move-out planned for the coming two weeks."""
        small = [
            h
            for h in self.households
            if h.living and len(h.members) <= 2 and h.last_on() < self.today
        ]
        for household in self.rng.sample(small, min(count, len(small))):
            on = self.today + timedelta(days=self.rng.randint(1, 14))
            self.move_out(household, list(household.members), on, notices=False)


# --- helpers ----------------------------------------------------------------------------------


def _detailed(onward: Address, rng: Random) -> Address:
    """The full address the new municipality confirms for a municipality-only onward address."""
    for _ in range(20):
        candidate = domestic_elsewhere(rng)
        if (candidate.prefecture, candidate.city) == (onward.prefecture, onward.city):
            return candidate
    return onward


def _sibling_term(person: Person, anchor: Person) -> str:
    older = person.born < anchor.born
    if person.sex is Sex.MALE:
        return "兄" if older else "弟"
    return "姉" if older else "妹"


def _successor(dead: Person, others: list[Person]) -> tuple[Person, dict[str, str]] | None:
    """The new head after the head's death, and everyone's relationship to them (or None when
    that cannot be said simply: the death is then not generated)."""
    spouse = next((m for m in others if m.relationship in SPOUSES), None)
    relationships: dict[str, str] = {}
    if spouse is not None:
        via = "夫の" if spouse.sex is Sex.FEMALE else "妻の"
        for m in others:
            if m is spouse:
                continue
            if m.relationship in ("父", "母"):
                relationships[m.atena] = via + m.relationship
        return spouse, relationships
    adults = sorted(
        (m for m in others if m.relationship == "子" and dead in m.parents),
        key=lambda m: m.born,
    )
    if not adults:
        return None
    heir = adults[0]
    for m in others:
        if m is heir:
            continue
        if m.relationship == "子" and dead in m.parents:
            relationships[m.atena] = _sibling_term(m, heir)
        elif m.relationship in ("父", "母"):
            relationships[m.atena] = ("父の" if dead.sex is Sex.MALE else "母の") + m.relationship
        elif m.relationship == "子の妻" and m.partner is heir:
            relationships[m.atena] = "妻"
        elif m.relationship == "子の子" and heir in m.parents:
            relationships[m.atena] = "子"
        elif m.relationship in ("同居人", "縁故者"):
            continue
        else:
            return None
    return heir, relationships
