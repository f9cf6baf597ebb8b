"""A seeded, deterministic synthetic register: households, then thirty years of history.

:func:`seed_register` builds a register of about ``residents`` living persons through
``RegisterService.record_change`` only, so every record passes the same rules as a clerk's input
and the journal's hash chain covers all of it. It never reads the clock (``today`` is a
parameter, and must be the service clock's today) and draws only from ``random.Random`` seeded
with ``seed``: the same seed on an empty municipality gives the same persons, names, dates,
addresses and events (only the 住民票コード, drawn by the service's own random source, and the
event ids differ), on whatever day it runs. The history counts back from a fixed day, the
anchor (:mod:`~jichitai.demo.anchor`), not from today, so that a seed's register does not
drift from one day to the next (the README's lines, the docs and the screenshots name its
persons and dates); only the last move-outs, planned for the days to come, are dated from today.

How it works. Households are planned first (shapes: single people ~35 %, couples, couples with
children, single parents, three generations, 同居人, 縁故者, an unmarried couple 妻（未届）, about
3 % foreign residents among them) with move-in dates spread over the 30 years up to the anchor.
Each move-in, once recorded, schedules that household's later events (births, deaths, 転居, 転出,
世帯分離, corrections …) at dates between its move-in and the anchor, and everything is recorded
from one queue in order of effective date, so each person's changes follow one another in time
and each is checked against the household as it is then. Finally the register is topped up with recent
arrivals to reach ``residents``, one or two foreign residents naturalise, and two households file
a move-out with a planned date in the two weeks after today.

Separate random streams are used for the shape of the register, for names, for places and for
identifiers, so that seeding two municipalities with the same seed gives the same people even
when their town areas differ.

The generator keeps its own picture of the register in memory (persons, households, who is
head, each person's latest effective date) from what it sent and what ``ChangeResult`` answered
(the 宛名番号 in the order of the members, the households touched): it never queries the
register.

The parts, composed by one run here (which also tops up, naturalises and files the last
move-outs, and sums up):

* :mod:`~jichitai.demo.picture`: that picture (``Person``, ``Household``);
* :mod:`~jichitai.demo.people`: drawing persons (names, birth dates, 本籍, identifiers);
* :mod:`~jichitai.demo.households`: planning households (shapes, members, move-in dates);
* :mod:`~jichitai.demo.schedule`: the typed scheduled events, their queue, and planning a
  household's later history;
* :mod:`~jichitai.demo.history`: recording each event when its day comes;
* :mod:`~jichitai.demo.clerk`: filling in and recording each change, and counting.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from random import Random

from jichitai.demo import names as n
from jichitai.demo.anchor import history_anchor
from jichitai.demo.clerk import ChangeRecorder, Clerk
from jichitai.demo.history import History
from jichitai.demo.households import FIRST_SHAPES, HouseholdPlanner
from jichitai.demo.people import People
from jichitai.demo.picture import SPOUSES, Picture
from jichitai.demo.places import MunicipalityPlaces
from jichitai.demo.schedule import HouseholdArrives, HouseholdMovesIn, Schedule
from jichitai.domain.common.identifiers import AtenaNumber
from jichitai.domain.common.names import PersonName
from jichitai.domain.residents.commands import Naturalise
from jichitai.domain.residents.model import FamilyRegister, ResidentKind

__all__ = ["ChangeRecorder", "DemoSummary", "seed_register"]


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

    ``today`` must be the register clock's today (no effective date may lie after it). The
    history ends at :func:`~jichitai.demo.anchor.history_anchor` of it, so the register is the
    same whatever day it is run (but for the move-outs planned for the days after today).
    ``progress`` is called after each recorded change with the number of persons entered so far
    (it ends a little above ``residents``: some of them leave again).
    """
    if residents < 1:
        raise ValueError("residents must be at least 1")
    seeding = _Seeding(
        register,
        municipality_code,
        MunicipalityPlaces(municipality_prefecture, municipality_city),
        residents=residents,
        seed=seed,
        today=today,
        progress=progress,
    )
    return seeding.run()


class _Seeding:
    """One run of the generator: its random streams, what it knows of the register, and the
    parts that plan, schedule and record."""

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
        self.code = code
        self.places = places
        self.target = residents
        self.today = today
        self.anchor = history_anchor(today)
        anchor = self.anchor
        base = f"jichitai-demo:{seed}"
        self.rng = Random(f"{base}:shape")
        self.place_rng = Random(f"{base}:places")
        self.picture = Picture()
        self.people = People(
            places,
            anchor=anchor,
            shape=self.rng,
            names=Random(f"{base}:names"),
            place=self.place_rng,
            ids=Random(f"{base}:ids"),
        )
        self.planner = HouseholdPlanner(
            self.people, places, anchor=anchor, shape=self.rng, place=self.place_rng
        )
        self.clerk = Clerk(register, code, anchor=anchor, shape=self.rng, progress=progress)
        self.schedule = Schedule(anchor=anchor, shape=self.rng)
        self.history = History(
            self.picture,
            self.people,
            self.clerk,
            self.schedule,
            places,
            anchor=anchor,
            today=today,
            shape=self.rng,
            place=self.place_rng,
        )

    def run(self) -> DemoSummary:
        """Plan the households, record them and their history in order of date, then the last
        steps."""
        first = list(FIRST_SHAPES)
        initial = round(self.target * 0.97)
        while self.planner.planned_persons < initial:
            shape = first.pop(0) if first else None
            household = self.planner.plan(shape, recent=False)
            self.schedule.add(household.moved_in_on, HouseholdMovesIn(household))
        self.history.drain()
        self.top_up(self.target + 3)
        self.naturalise(2 if self.target >= 1000 else 1)
        self.future_move_outs(2)
        return self.summary()

    def summary(self) -> DemoSummary:
        entered = [p for p in self.picture.persons if p.atena]
        living = [p for p in entered if p.living]
        clerk = self.clerk
        return DemoSummary(
            municipality_code=self.code,
            households=sum(1 for h in self.picture.households if h.living and h.number),
            persons=len(entered),
            residents=len(living),
            foreign_residents=sum(1 for p in living if p.kind is ResidentKind.FOREIGN),
            removed=len(entered) - len(living),
            events=dict(sorted(clerk.events.items())),
            refused=clerk.refused,
            refusals=dict(sorted(clerk.refusals.items())),
            skipped=clerk.skipped,
        )

    def top_up(self, threshold: int) -> None:
        """Recent arrivals until ``threshold`` persons live here."""
        for _ in range(5):
            missing = threshold - self.picture.living_count()
            if missing <= 0:
                return
            planned = 0
            while planned < missing:
                household = self.planner.plan(None, recent=True, max_size=missing - planned)
                planned += len(household.members)
                self.schedule.add(household.moved_in_on, HouseholdArrives(household))
            self.history.drain()

    # --- the last steps -----------------------------------------------------------------------

    def naturalise(self, count: int) -> None:
        """帰化 of one or two foreign residents: a Japanese record under a Japanese name."""
        candidates = [
            p
            for p in self.picture.persons
            if p.living
            and p.kind is ResidentKind.FOREIGN
            and p.age_on(self.anchor) >= 20
            and p.last_on < self.anchor
        ]
        preferred = [
            p
            for p in candidates
            if p.foreign is not None
            and p.foreign.residence_status in ("永住者", "日本人の配偶者等", "特別永住者")
        ]
        pool = preferred or candidates
        for person in self.rng.sample(pool, min(count, len(pool))):
            on = self.schedule.when(person.last_on) or self.anchor
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
                header=self.clerk.header(on, on),
                atena_number=AtenaNumber(person.atena),
                name=name,
                family_register=register,
            )
            if self.clerk.record(command, [person]) is not None:
                person.kind, person.name, person.foreign = ResidentKind.JAPANESE, name, None
                person.family_register = register

    def future_move_outs(self, count: int) -> None:
        """Households that filed a move-out planned for the two weeks after today (the only
        dates drawn from today rather than the anchor: a planned 転出 lies ahead of the clock)."""
        small = [
            h
            for h in self.picture.households
            if h.living and len(h.members) <= 2 and h.last_on() < self.anchor
        ]
        for household in self.rng.sample(small, min(count, len(small))):
            on = self.today + timedelta(days=self.rng.randint(1, 14))
            self.history.move_out(household, list(household.members), on, notices=False)
