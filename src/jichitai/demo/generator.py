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
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from random import Random
from typing import Final, Protocol, assert_never

from jichitai.demo import names as n
from jichitai.demo.places import MunicipalityPlaces, abroad, domestic_elsewhere, modernised
from jichitai.domain.common.address import Address
from jichitai.domain.common.dates import RecordDate
from jichitai.domain.common.identifiers import (
    AtenaNumber,
    HouseholdNumber,
    IndividualNumber,
    ResidenceCardNumber,
    individual_number_check_digit,
)
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
from jichitai.domain.residents.model import (
    FamilyRegister,
    ForeignResidentCategory,
    ForeignResidentDetails,
    ResidentKind,
    Sex,
)
from jichitai.domain.residents.reasons import ChangeReason
from jichitai.domain.residents.relationships import Relationship
from jichitai.services.register import ChangeResult

__all__ = ["ChangeRecorder", "DemoSummary", "seed_register"]

FOREIGN_REGISTER_START: Final = date(2012, 7, 9)
"""Foreign residents are in the 住民基本台帳 from this day (改正住基法 施行日)."""
FORMER_SURNAME_START: Final = date(2019, 11, 5)
"""旧氏 can be entered from this day."""
FOREIGN_SHARE: Final = 0.03
OPERATOR: Final = "demo"
PLACE: Final = "市民課窓口"
TERMINAL: Final = "DEMO-01"

_HEAD = "世帯主"
_SPOUSES = ("妻", "夫")


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


# --- generator-side state ---------------------------------------------------------------------


@dataclass(eq=False)
class _Person:
    name: PersonName
    sex: Sex
    birth: RecordDate
    kind: ResidentKind
    relationship: str
    family_register: FamilyRegister | None = None
    individual_number: IndividualNumber | None = None
    foreign: ForeignResidentDetails | None = None
    maiden: n.NameReading | None = None
    """The family name before marriage, for a later 旧氏の記載."""
    true_name: PersonName | None = None
    """Set when the name was entered with a wrong reading: the name a 誤記修正 puts right."""
    partner: _Person | None = None
    parents: tuple[_Person, ...] = ()
    atena: str = ""
    household: _Household | None = None
    living: bool = False
    last_on: date = date.min
    entry_event: str = ""
    last_child_on: date = date.min

    @property
    def born(self) -> date:
        return self.birth.approximation

    def age_on(self, on: date) -> int:
        b = self.born
        return on.year - b.year - ((on.month, on.day) < (b.month, b.day))


@dataclass(eq=False)
class _Household:
    members: list[_Person]
    address: Address
    moved_in_on: date = date.min
    previous_address: Address | None = None
    from_abroad: bool = False
    number: str = ""

    @property
    def living(self) -> bool:
        return bool(self.members)

    def head(self) -> _Person | None:
        return next((m for m in self.members if m.relationship == _HEAD), None)

    def last_on(self) -> date:
        return max(m.last_on for m in self.members)


# --- scheduled events -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _HouseholdMovesIn:
    """転入 of a planned household; once recorded, its later history is scheduled."""

    household: _Household


@dataclass(frozen=True, slots=True)
class _HouseholdArrives:
    """転入 of a recent arrival (the top-up): nothing is scheduled after it."""

    household: _Household


@dataclass(frozen=True, slots=True)
class _HouseholdMovesInTown:
    """転居 of the whole household to another address in town."""

    household: _Household


@dataclass(frozen=True, slots=True)
class _HouseholdMovesOut:
    """転出 of the whole household."""

    household: _Household


@dataclass(frozen=True, slots=True)
class _MoveInNoticeArrives:
    """A 転入通知 from the municipality a person moved to."""

    person: _Person
    moved_in_on: date
    confirmed: Address


@dataclass(frozen=True, slots=True)
class _ChildLeaves:
    """An adult child moves out of town alone (転出)."""

    person: _Person


@dataclass(frozen=True, slots=True)
class _ChildSplitsOff:
    """世帯分離: an adult child forms a household of their own at the same address."""

    person: _Person


@dataclass(frozen=True, slots=True)
class _FamilySplitsOff:
    """世帯分離 of the young family in a three-generation household (子, 子の妻, 子の子)."""

    son: _Person


@dataclass(frozen=True, slots=True)
class _ChildIsBorn:
    """出生 of a child of ``mother`` and her partner."""

    mother: _Person


@dataclass(frozen=True, slots=True)
class _PersonDies:
    """死亡 (and a new head, when the head dies)."""

    person: _Person


@dataclass(frozen=True, slots=True)
class _LotRewritten:
    """軽微な修正: a lot entered 地番-style rewritten as 住居表示."""

    household: _Household


@dataclass(frozen=True, slots=True)
class _ReadingCorrected:
    """誤記修正: a reading entered wrongly at the move-in is put right."""

    person: _Person


@dataclass(frozen=True, slots=True)
class _FormerSurnameEntered:
    """旧氏の記載 for a married woman, at her request."""

    person: _Person


@dataclass(frozen=True, slots=True)
class _RemovedExOfficio:
    """職権消除 after a survey found nobody living there."""

    person: _Person


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
        self.persons: list[_Person] = []
        self.households: list[_Household] = []
        self.queue: list[_Scheduled] = []
        self.counter = itertools.count()
        self.identities: set[tuple[str, str, date]] = set()
        self.numbers: set[str] = set()
        self.cards: set[str] = set()
        self.events: Counter[str] = Counter()
        self.refusals: Counter[str] = Counter()
        self.refused = 0
        self.skipped = 0
        self.planned_persons = 0
        self.planned_foreign = 0
        self.entered = 0
        weights = [max(1, 60 - i // 3) for i in range(len(n.COMMON_FAMILY_NAMES))]
        weights += [18] * len(n.RARE_FAMILY_NAMES)
        self.family_weights = list(itertools.accumulate(weights))
        self.forced_rare = list(n.RARE_FAMILY_NAMES)
        self.rng.shuffle(self.forced_rare)

    # --- the run ------------------------------------------------------------------------------

    def run(self) -> DemoSummary:
        must_have = [
            "three_gen_parents",
            "three_gen_children",
            "lodger",
            "relative",
            "unmarried",
            "single_parent",
            "couple_children",
            "special_permanent",
            "foreign_single",
            "foreign_family",
            "mixed",
        ]
        initial = round(self.target * 0.97)
        while self.planned_persons < initial:
            shape = must_have.pop(0) if must_have else None
            household = self.plan_household(shape, recent=False)
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
                household = self.plan_household(None, recent=True, max_size=missing - planned)
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

    def record(
        self, command: ChangeCommand, persons: Sequence[_Person] = ()
    ) -> ChangeResult | None:
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

    # --- identifiers --------------------------------------------------------------------------

    def individual_number(self) -> IndividualNumber:
        while True:
            body = "".join(str(self.id_rng.randrange(10)) for _ in range(11))
            value = body + individual_number_check_digit(body)
            if value not in self.numbers:
                self.numbers.add(value)
                return IndividualNumber(value)

    def card_number(self) -> str:
        letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
        while True:
            value = (
                "".join(self.id_rng.choice(letters) for _ in range(2))
                + "".join(str(self.id_rng.randrange(10)) for _ in range(8))
                + "".join(self.id_rng.choice(letters) for _ in range(2))
            )
            if value not in self.cards:
                self.cards.add(value)
                return value

    # --- people -------------------------------------------------------------------------------

    def birth_date(self, age: int, *, oddities: bool = True) -> RecordDate:
        """Born ``age`` years before today; now and then an unknown or non-calendar date for
        someone born in 昭和 before 1956 (as old family registers have them)."""
        days = int(age * 365.25) + self.rng.randrange(365)
        born = self.today - timedelta(days=days)
        if oddities and date(1927, 1, 1) <= born < date(1956, 1, 1):
            roll = self.rng.random()
            showa = born.year - 1925
            if roll < 0.04:
                text = self.rng.choice(
                    (f"昭和{showa}年頃", f"昭和{showa}年{born.month}月頃", f"昭和{showa}年月日不詳")
                )
                return RecordDate.parse(text)
            if roll < 0.10:
                month = self.rng.choice((2, 4, 6, 9, 11))
                last = 29 if month == 2 and born.year % 4 == 0 else 28 if month == 2 else 30
                day = self.rng.randint(last + 1, 31 if month != 2 else 30)
                return RecordDate.parse(f"昭和{showa}年{month}月{day}日")
        return RecordDate.of(born)

    def family(self) -> n.NameReading:
        if self.forced_rare:
            return self.forced_rare.pop()
        return self.name_rng.choices(n.FAMILY_NAMES, cum_weights=self.family_weights)[0]

    def other_family(self, *avoid: n.NameReading) -> n.NameReading:
        while True:
            candidate = self.name_rng.choices(n.FAMILY_NAMES, cum_weights=self.family_weights)[0]
            if all(candidate.kana != a.kana for a in avoid):
                return candidate

    def given(self, sex: Sex, born: date) -> n.GivenName:
        pool = n.MALE_GIVEN_NAMES if sex is Sex.MALE else n.FEMALE_GIVEN_NAMES
        generation = n.generation_of(born.year)
        if self.name_rng.random() < 0.85:
            pool = tuple(g for g in pool if g.generation == generation)
        return self.name_rng.choice(pool)

    def claim(self, name: PersonName, sex: Sex, birth: RecordDate) -> bool:
        """Reserve an identity (name, sex, birth date) so that no two persons share one."""
        key = (name.kanji_key, sex.value, birth.approximation)
        if key in self.identities:
            return False
        self.identities.add(key)
        return True

    def japanese(
        self,
        family: n.NameReading,
        sex: Sex,
        birth: RecordDate,
        relationship: str,
        register: FamilyRegister | None = None,
        *,
        maiden: n.NameReading | None = None,
    ) -> _Person:
        for _ in range(50):
            given = self.given(sex, birth.approximation)
            name = PersonName.create(family.kanji, given.kanji, family.kana, given.kana)
            if self.claim(name, sex, birth):
                break
        else:  # pragma: no cover - 50 clashes in a row
            raise RuntimeError("no free name")
        person = _Person(
            name=name,
            sex=sex,
            birth=birth,
            kind=ResidentKind.JAPANESE,
            relationship=relationship,
            family_register=register,
            individual_number=self.individual_number() if self.rng.random() < 0.95 else None,
            maiden=maiden,
        )
        if self.rng.random() < 0.03:
            wrong = _misread(name, self.rng)
            if wrong is not None:
                person.true_name, person.name = name, wrong
        return person

    def register_of(self, head_name: PersonName, *, local: float = 0.4) -> FamilyRegister:
        if self.place_rng.random() < 0.05:
            domicile = "東京都千代田区千代田1番"
        elif self.place_rng.random() < local:
            domicile = self.places.domicile(self.place_rng)
        else:
            elsewhere = self.places.elsewhere(self.place_rng)
            domicile = f"{elsewhere.prefecture}{elsewhere.city}{elsewhere.town_area}{self.place_rng.randint(1, 30)}番地"
        return FamilyRegister(domicile, head_name.full)

    def register_headed_by(self, family: n.NameReading, sex: Sex, born: date) -> FamilyRegister:
        """A register whose 筆頭者 is someone not in the household (e.g. a single adult's father)."""
        given = self.given(sex, born)
        return self.register_of(PersonName(family.kanji, given.kanji))

    def foreigner(
        self,
        nationality: n.Nationality,
        sex: Sex,
        birth: RecordDate,
        relationship: str,
        status: str,
        *,
        family: n.ForeignNamePart | None = None,
        arrived: date,
    ) -> _Person:
        for _ in range(50):
            fam = family or self.name_rng.choice(nationality.family_names)
            pool = nationality.male_given if sex is Sex.MALE else nationality.female_given
            giv = self.name_rng.choice(pool)
            roman = f"{fam.roman} {giv.roman}"
            if fam.kanji and giv.kanji:
                name = PersonName.create(fam.kanji, giv.kanji, fam.kana, giv.kana, roman=roman)
            else:
                name = PersonName.create("", "", fam.kana, giv.kana, roman=roman)
            if self.claim(name, sex, birth):
                break
        else:  # pragma: no cover
            raise RuntimeError("no free foreign name")
        special = status == "特別永住者"
        became = RecordDate.of(max(arrived, FOREIGN_REGISTER_START))
        if special:
            details = ForeignResidentDetails(
                nationality=nationality.name,
                category=ForeignResidentCategory.SPECIAL_PERMANENT,
                became_foreign_resident_on=became,
                residence_status="特別永住者",
                special_permanent_certificate_number=self.card_number(),
            )
        else:
            details = ForeignResidentDetails(
                nationality=nationality.name,
                category=ForeignResidentCategory.MID_TO_LONG_TERM,
                became_foreign_resident_on=became,
                residence_status=status,
                period_of_stay=n.PERIODS_OF_STAY.get(status, "3年"),
                stay_expires_on=self.today + timedelta(days=self.rng.randint(45, 1500)),
                residence_card_number=ResidenceCardNumber(self.card_number()),
            )
        return _Person(
            name=name,
            sex=sex,
            birth=birth,
            kind=ResidentKind.FOREIGN,
            relationship=relationship,
            foreign=details,
            individual_number=self.individual_number() if self.rng.random() < 0.9 else None,
        )

    # --- households ---------------------------------------------------------------------------

    def pick_shape(self) -> str:
        if (
            self.planned_foreign < FOREIGN_SHARE * (self.planned_persons + 2)
            and self.rng.random() < 0.5
        ):
            return self.rng.choices(
                ("foreign_single", "foreign_family", "special_permanent", "mixed"),
                weights=(6, 2, 1, 2),
            )[0]
        return self.rng.choices(
            (
                "single",
                "couple",
                "couple_children",
                "single_parent",
                "three_gen_parents",
                "three_gen_children",
                "lodger",
                "relative",
                "unmarried",
            ),
            weights=(33, 21, 22, 6, 4, 3, 3, 2, 2),
        )[0]

    def plan_household(self, shape: str | None, *, recent: bool, max_size: int = 99) -> _Household:
        for _ in range(20):
            chosen = shape or self.pick_shape()
            members, earliest = self.plan_members(chosen)
            if len(members) <= max_size or shape is not None:
                break
            for m in members:  # too big for what is missing: give the identities back
                self.identities.discard((m.name.kanji_key, m.sex.value, m.born))
        youngest = max(m.born for m in members)
        start = max(
            self.today - timedelta(days=730 if recent else 30 * 365),
            youngest + timedelta(days=1),
            earliest,
        )
        start = min(start, self.today)
        moved_in = start + timedelta(days=self.rng.randrange((self.today - start).days + 1))
        foreign = [m for m in members if m.foreign is not None]
        status = foreign[0].foreign.residence_status if foreign and foreign[0].foreign else ""
        chance = {"特別永住者": 0.0, "技能実習": 0.9, "留学": 0.7, "特定技能": 0.6, "永住者": 0.15}
        from_abroad = self.rng.random() < (chance.get(status, 0.5) if foreign else 0.04)
        if from_abroad and foreign:
            nationality = n.nationality_named(
                foreign[0].foreign.nationality if foreign[0].foreign else ""
            )
            previous = abroad(self.place_rng, nationality.name, nationality.cities)
        elif from_abroad:
            previous = abroad(self.place_rng)
        else:
            previous = self.places.elsewhere(self.place_rng)
        for m in foreign:
            assert m.foreign is not None
            became = RecordDate.of(max(moved_in, FOREIGN_REGISTER_START))
            m.foreign = _with_became(m.foreign, became)
        legacy = self.rng.random() < 0.05
        address = self.places.address(self.place_rng, legacy=legacy)
        household = _Household(
            members=members,
            address=address,
            moved_in_on=moved_in,
            previous_address=previous,
            from_abroad=from_abroad,
        )
        self.planned_persons += len(members)
        self.planned_foreign += len(foreign)
        return household

    def plan_members(self, shape: str) -> tuple[list[_Person], date]:
        """The members of a household of ``shape`` (head first) and its earliest move-in date."""
        rng = self.rng
        earliest = date.min
        if shape in ("foreign_single", "foreign_family", "special_permanent", "mixed"):
            return self.plan_foreign(shape)
        family = self.family()
        if shape == "single":
            age = rng.choice(
                (rng.randint(19, 39), rng.randint(19, 39), rng.randint(40, 64), rng.randint(65, 95))
            )
            sex = rng.choice((Sex.MALE, Sex.FEMALE))
            birth = self.birth_date(age)
            register = self.register_headed_by(
                family, Sex.MALE, birth.approximation - timedelta(days=10000)
            )
            head = self.japanese(family, sex, birth, _HEAD, register)
            return [head], earliest
        if shape in ("couple", "couple_children", "three_gen_parents"):
            if shape == "couple":
                head_age = rng.choice(
                    (rng.randint(24, 40), rng.randint(41, 64), rng.randint(65, 90))
                )
            elif shape == "couple_children":
                head_age = rng.randint(27, 55)
            else:
                head_age = rng.randint(38, 58)
            members = self.couple(family, head_age, wife_may_head=shape != "three_gen_parents")
            head, spouse = members
            if shape in ("couple_children", "three_gen_parents"):
                members += self.children(
                    family,
                    head,
                    spouse,
                    rng.choice((1, 1, 2, 2, 2, 3))
                    if shape == "couple_children"
                    else rng.randint(0, 2),
                    "子",
                )
            if shape == "three_gen_parents":
                members += self.parents_of(head, family)
            return members, earliest
        if shape == "single_parent":
            sex = Sex.FEMALE if rng.random() < 0.85 else Sex.MALE
            birth = self.birth_date(rng.randint(26, 52))
            register = self.register_of(PersonName(family.kanji, "", family.kana))
            head = self.japanese(family, sex, birth, _HEAD)
            head.family_register = FamilyRegister(register.domicile, head.name.full)
            mother = head if sex is Sex.FEMALE else None
            father = head if sex is Sex.MALE else None
            kids = self.children(family, father, mother, rng.choice((1, 1, 2)), "子", single=head)
            return [head, *kids], earliest
        if shape == "three_gen_children":
            members = self.couple(family, rng.randint(60, 80), wife_may_head=False)
            head, spouse = members
            son_birth = self.birth_date(
                max(28, head.age_on(self.today) - rng.randint(25, 33)), oddities=False
            )
            son_register = self.register_of(PersonName(family.kanji, "", family.kana), local=0.6)
            son = self.japanese(family, Sex.MALE, son_birth, "子")
            son.family_register = FamilyRegister(son_register.domicile, son.name.full)
            son.parents = (head, spouse)
            maiden = self.other_family(family)
            wife_birth = self.birth_date(
                max(26, son.age_on(self.today) + rng.randint(-4, 3)), oddities=False
            )
            wife = self.japanese(
                family, Sex.FEMALE, wife_birth, "子の妻", son.family_register, maiden=maiden
            )
            son.partner, wife.partner = wife, son
            grandchildren = self.children(family, son, wife, rng.randint(0, 2), "子の子")
            return [head, spouse, son, wife, *grandchildren], earliest
        if shape == "lodger":
            head = self.japanese(
                family,
                rng.choice((Sex.MALE, Sex.FEMALE)),
                self.birth_date(rng.randint(24, 60)),
                _HEAD,
            )
            head.family_register = self.register_headed_by(
                family, Sex.MALE, head.born - timedelta(days=11000)
            )
            other = self.other_family(family)
            lodger = self.japanese(
                other,
                rng.choice((Sex.MALE, Sex.FEMALE)),
                self.birth_date(rng.randint(22, 60)),
                "同居人",
            )
            lodger.family_register = self.register_headed_by(
                other, Sex.MALE, lodger.born - timedelta(days=11000)
            )
            return [head, lodger], earliest
        if shape == "relative":
            members = self.couple(family, rng.randint(45, 75))
            other = self.other_family(family)
            aunt = self.japanese(other, Sex.FEMALE, self.birth_date(rng.randint(70, 92)), "縁故者")
            aunt.family_register = self.register_headed_by(
                other, Sex.MALE, aunt.born - timedelta(days=1500)
            )
            return [*members, aunt], earliest
        if shape == "unmarried":
            head = self.japanese(family, Sex.MALE, self.birth_date(rng.randint(25, 50)), _HEAD)
            head.family_register = self.register_headed_by(
                family, Sex.MALE, head.born - timedelta(days=11000)
            )
            other = self.other_family(family)
            partner = self.japanese(
                other,
                Sex.FEMALE,
                self.birth_date(max(22, head.age_on(self.today) + rng.randint(-6, 3))),
                "妻（未届）",
            )
            partner.family_register = self.register_headed_by(
                other, Sex.MALE, partner.born - timedelta(days=11000)
            )
            head.partner, partner.partner = partner, head
            return [head, partner], earliest
        raise ValueError(f"unknown household shape {shape!r}")

    def couple(
        self, family: n.NameReading, head_age: int, *, wife_may_head: bool = True
    ) -> list[_Person]:
        """A married couple sharing ``family``; usually the husband is the head."""
        rng = self.rng
        wife_head = rng.random() < 0.1 and wife_may_head
        husband_birth = self.birth_date(
            head_age if not wife_head else head_age + rng.randint(-2, 5)
        )
        wife_birth = self.birth_date(
            max(20, (head_age if wife_head else head_age + rng.randint(-7, 2)))
        )
        maiden = self.other_family(family)
        husband = self.japanese(family, Sex.MALE, husband_birth, "夫" if wife_head else _HEAD)
        register = self.register_of(husband.true_name or husband.name)
        husband.family_register = register
        wife = self.japanese(
            family, Sex.FEMALE, wife_birth, _HEAD if wife_head else "妻", register, maiden=maiden
        )
        husband.partner, wife.partner = wife, husband
        return [wife, husband] if wife_head else [husband, wife]

    def children(
        self,
        family: n.NameReading,
        father: _Person | None,
        mother: _Person | None,
        count: int,
        relationship: str,
        *,
        single: _Person | None = None,
    ) -> list[_Person]:
        """Children born when the mother (or the single parent) was 22–42, youngest last."""
        parent = mother or single or father
        assert parent is not None
        register = (father or mother or parent).family_register
        kids: list[_Person] = []
        parent_age = parent.age_on(self.today)
        for _ in range(count):
            low = max(0, parent_age - 42)
            high = parent_age - 22
            if high < low:
                break
            age = self.rng.randint(low, high)
            birth = self.birth_date(age, oddities=False)
            if any(abs((birth.approximation - k.born).days) < 300 for k in kids):
                continue
            kid = self.japanese(
                family, self.rng.choice((Sex.MALE, Sex.FEMALE)), birth, relationship, register
            )
            kid.parents = tuple(p for p in (father, mother) if p is not None) or (parent,)
            kids.append(kid)
        kids.sort(key=lambda k: k.born)
        if mother is not None and kids:
            mother.last_child_on = kids[-1].born
        return kids

    def parents_of(self, head: _Person, family: n.NameReading) -> list[_Person]:
        """The head's father and/or mother (父, 母), aged 25–35 more than the head."""
        rng = self.rng
        out: list[_Person] = []
        head_age = head.age_on(self.today)
        which = rng.choice(("both", "mother", "mother", "father"))
        father_birth = self.birth_date(min(101, head_age + rng.randint(26, 35)))
        father_name = PersonName(
            family.kanji, self.given(Sex.MALE, father_birth.approximation).kanji
        )
        register = self.register_of(father_name, local=0.3)
        if head.relationship == _HEAD and head.sex is Sex.FEMALE:
            return []  # her parents would be 父/母 with another family name: keep it simple
        if which in ("both", "father"):
            father = self.japanese(family, Sex.MALE, father_birth, "父", register)
            father.family_register = FamilyRegister(register.domicile, father.name.full)
            register = father.family_register
            out.append(father)
        if which in ("both", "mother"):
            maiden = self.other_family(family)
            mother = self.japanese(
                family,
                Sex.FEMALE,
                self.birth_date(min(99, head_age + rng.randint(24, 33))),
                "母",
                register,
                maiden=maiden,
            )
            out.append(mother)
        if len(out) == 2:
            out[0].partner, out[1].partner = out[1], out[0]
        head.parents = tuple(out)
        return out

    def plan_foreign(self, shape: str) -> tuple[list[_Person], date]:
        rng = self.rng
        if shape == "special_permanent":
            nationality = n.nationality_named(n.SPECIAL_PERMANENT_NATIONALITY)
            family = rng.choice(nationality.family_names)
            head_age = rng.randint(35, 80)
            head = self.foreigner(
                nationality,
                Sex.MALE,
                self.birth_date(head_age),
                _HEAD,
                "特別永住者",
                family=family,
                arrived=self.today,
            )
            wife = self.foreigner(
                nationality,
                Sex.FEMALE,
                self.birth_date(max(25, head_age + rng.randint(-5, 2))),
                "妻",
                "特別永住者",
                arrived=self.today,
            )
            head.partner, wife.partner = wife, head
            members = [head, wife]
            for _ in range(rng.randint(0, 2)):
                age = rng.randint(
                    max(0, wife.age_on(self.today) - 40), max(0, wife.age_on(self.today) - 24)
                )
                kid = self.foreigner(
                    nationality,
                    rng.choice((Sex.MALE, Sex.FEMALE)),
                    self.birth_date(age, oddities=False),
                    "子",
                    "特別永住者",
                    family=family,
                    arrived=self.today,
                )
                kid.parents = (head, wife)
                members.append(kid)
            return members, FOREIGN_REGISTER_START
        nationality = rng.choice(n.FOREIGN_NATIONALITIES)
        statuses, weights = zip(*nationality.statuses, strict=True)
        if shape == "foreign_single":
            status = rng.choices(statuses, weights=weights)[0]
            if status in ("家族滞在", "日本人の配偶者等"):
                status = "技術・人文知識・国際業務"
            age = (
                rng.randint(19, 30)
                if status in ("留学", "技能実習", "特定技能")
                else rng.randint(24, 55)
            )
            head = self.foreigner(
                nationality,
                rng.choice((Sex.MALE, Sex.FEMALE)),
                self.birth_date(age),
                _HEAD,
                status,
                arrived=self.today,
            )
            short = status in ("留学", "技能実習", "特定技能")
            earliest = self.today - timedelta(days=3 * 365) if short else FOREIGN_REGISTER_START
            return [head], earliest
        if shape == "foreign_family":
            status = "永住者" if rng.random() < 0.3 else "技術・人文知識・国際業務"
            family = rng.choice(nationality.family_names)
            head_age = rng.randint(28, 50)
            head = self.foreigner(
                nationality,
                Sex.MALE,
                self.birth_date(head_age),
                _HEAD,
                status,
                family=family,
                arrived=self.today,
            )
            wife_status = "永住者" if status == "永住者" else "家族滞在"
            wife = self.foreigner(
                nationality,
                Sex.FEMALE,
                self.birth_date(max(24, head_age + rng.randint(-5, 2))),
                "妻",
                wife_status,
                arrived=self.today,
            )
            head.partner, wife.partner = wife, head
            members = [head, wife]
            for _ in range(rng.randint(1, 2)):
                age = rng.randint(0, max(0, min(15, wife.age_on(self.today) - 24)))
                kid = self.foreigner(
                    nationality,
                    rng.choice((Sex.MALE, Sex.FEMALE)),
                    self.birth_date(age, oddities=False),
                    "子",
                    wife_status,
                    family=family,
                    arrived=self.today,
                )
                kid.parents = (head, wife)
                members.append(kid)
            return members, FOREIGN_REGISTER_START
        # mixed: a Japanese husband (head) and a foreign wife (日本人の配偶者等 or 永住者)
        surname = self.family()
        head_age = rng.randint(28, 60)
        husband = self.japanese(surname, Sex.MALE, self.birth_date(head_age), _HEAD)
        husband.family_register = self.register_of(husband.true_name or husband.name)
        spouse_nat = rng.choice(
            [
                x
                for x in n.FOREIGN_NATIONALITIES
                if any(s == "日本人の配偶者等" for s, _ in x.statuses)
            ]
        )
        status = "日本人の配偶者等" if rng.random() < 0.6 else "永住者"
        wife = self.foreigner(
            spouse_nat,
            Sex.FEMALE,
            self.birth_date(max(22, head_age + rng.randint(-10, 1))),
            "妻",
            status,
            arrived=self.today,
        )
        husband.partner, wife.partner = wife, husband
        kids = self.children(surname, husband, wife, rng.randint(0, 2), "子")
        return [husband, wife, *kids], FOREIGN_REGISTER_START

    # --- new person commands --------------------------------------------------------------------

    def new_person(self, p: _Person, became_on: date | None = None) -> NewPerson:
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

    def do_move_in(self, on: date, household: _Household) -> None:
        if self.enter(household, on):
            self.schedule(household, on)

    def enter(self, household: _Household, on: date) -> bool:
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

    def schedule(self, household: _Household, since: date) -> None:
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

    def do_in_town_move(self, on: date, household: _Household) -> None:
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

    def do_move_out(self, on: date, household: _Household) -> None:
        if not household.living:
            return self.skip()
        self.move_out(household, list(household.members), on, notices=True)

    def move_out(
        self, household: _Household, movers: list[_Person], on: date, *, notices: bool
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

    def leave(self, household: _Household, leaving: Sequence[_Person]) -> None:
        """Take persons out of their household; a sole survivor becomes head (as the rules do)."""
        for m in leaving:
            m.living = False
            household.members.remove(m)
        if household.members and household.head() is None and len(household.members) == 1:
            household.members[0].relationship = _HEAD

    def do_notice(self, on: date, notice: _MoveInNoticeArrives) -> None:
        command = RecordMoveInNotice(
            header=self.header(on),
            atena_number=AtenaNumber(notice.person.atena),
            notice_on=on,
            confirmed_address=notice.confirmed,
            moved_in_on=notice.moved_in_on,
        )
        self.record(command, [notice.person])

    def do_leave(self, on: date, person: _Person) -> None:
        """An adult child moves out of town alone."""
        household = person.household
        if (
            not person.living
            or household is None
            or person.relationship == _HEAD
            or len(household.members) < 2
        ):
            return self.skip()
        self.move_out(household, [person], on, notices=True)

    def do_split(self, on: date, person: _Person) -> None:
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

    def do_split_family(self, on: date, son: _Person) -> None:
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
        household: _Household,
        movers: list[_Person],
        head: _Person,
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
        new = _Household(members=[], address=household.address, moved_in_on=on)
        new.number = result.households[-1]  # the source household(s), then the new one
        for m in movers:
            household.members.remove(m)
            new.members.append(m)
            m.household = new
            m.relationship = _HEAD if m is head else relationships[m.atena]
        self.households.append(new)
        self.schedule_after_split(new, on)

    def schedule_after_split(self, household: _Household, since: date) -> None:
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

    def do_birth(self, on: date, mother: _Person) -> None:
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
        if _HEAD in rels and rels & set(_SPOUSES):
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
        child = self.japanese(
            family, sex, RecordDate.of(on), relationship, japanese_parent.family_register
        )
        child.individual_number = child.individual_number or self.individual_number()
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

    def do_death(self, on: date, person: _Person) -> None:
        household = person.household
        if not person.living or household is None:
            return self.skip()
        others = [m for m in household.members if m is not person]
        follow_up: tuple[_Person, dict[str, str]] | None = None
        if person.relationship == _HEAD and len(others) >= 2:
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
                new_head.relationship = _HEAD
                for m in household.members:
                    if m.atena in changed:
                        m.relationship = changed[m.atena]

    def do_lot_correction(self, on: date, household: _Household) -> None:
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

    def do_kana_correction(self, on: date, person: _Person) -> None:
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

    def do_former_surname(self, on: date, person: _Person) -> None:
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

    def do_ex_officio_removal(self, on: date, person: _Person) -> None:
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
                person.relationship in _SPOUSES
                and head is not None
                and head.kind is ResidentKind.JAPANESE
            ):
                right = head.true_name or head.name
                family = n.NameReading(right.family, right.family_kana)
                assert head.family_register is not None
                register = head.family_register
            else:
                family = self.family()
                register = None
            for _ in range(50):
                given = self.given(person.sex, person.born)
                name = PersonName.create(family.kanji, given.kanji, family.kana, given.kana)
                if self.claim(name, person.sex, person.birth):
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


def _with_became(details: ForeignResidentDetails, became: RecordDate) -> ForeignResidentDetails:
    return replace(details, became_foreign_resident_on=became)


def _detailed(onward: Address, rng: Random) -> Address:
    """The full address the new municipality confirms for a municipality-only onward address."""
    for _ in range(20):
        candidate = domestic_elsewhere(rng)
        if (candidate.prefecture, candidate.city) == (onward.prefecture, onward.city):
            return candidate
    return onward


_VOICED: Final = dict(
    zip(
        "カキクケコサシスセソタチツテトハヒフヘホ",
        "ガギグゲゴザジズゼゾダヂヅデドバビブベボ",
        strict=True,
    )
)
_UNVOICED: Final = {v: k for k, v in _VOICED.items()}


def _misread(name: PersonName, rng: Random) -> PersonName | None:
    """The name with one plausible reading slip (ヤマサキ → ヤマザキ, サイトウ → サイト)."""
    parts = [("family_kana", name.family_kana), ("given_kana", name.given_kana)]
    rng.shuffle(parts)
    for field_name, kana in parts:
        spots = [i for i, ch in enumerate(kana) if i > 0 and (ch in _VOICED or ch in _UNVOICED)]
        if spots:
            i = rng.choice(spots)
            ch = kana[i]
            wrong = kana[:i] + (_VOICED.get(ch) or _UNVOICED[ch]) + kana[i + 1 :]
        elif kana.endswith("ウ") and len(kana) > 2:
            wrong = kana[:-1]
        else:
            continue
        if field_name == "family_kana":
            return PersonName.create(name.family, name.given, wrong, name.given_kana)
        return PersonName.create(name.family, name.given, name.family_kana, wrong)
    return None


def _sibling_term(person: _Person, anchor: _Person) -> str:
    older = person.born < anchor.born
    if person.sex is Sex.MALE:
        return "兄" if older else "弟"
    return "姉" if older else "妹"


def _successor(dead: _Person, others: list[_Person]) -> tuple[_Person, dict[str, str]] | None:
    """The new head after the head's death, and everyone's relationship to them (or None when
    that cannot be said simply: the death is then not generated)."""
    spouse = next((m for m in others if m.relationship in _SPOUSES), None)
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
