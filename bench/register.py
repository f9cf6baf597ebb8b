"""Register benchmark: approved changes per second through the service layer, and search latency.

    jichitai bench register --residents 100000      (or: make bench)

1. Seeds a fresh SQLite register (a temporary file; WAL) with the demo generator.
2. Applies a stream of mixed approved changes through ``RegisterService.record_change``, one unit
   of work each (in-town moves, births, move-ins, move-outs, corrections, deaths), and reports
   changes per second.
3. Baseline, same run, same database file system: raw ``sqlite3`` executemany of rows of the
   same size as our journal rows into a bare table, in one transaction — the storage floor.
4. Kana search latency (p99 of 2,000 prefix searches through ``RegisterQueries.search``).

The last line is the figure:
``register: <changes/s> changes/s; baseline raw journal insert <rows/s> rows/s; ratio <r>; search p99 <ms> ms at <N> residents``
"""

from __future__ import annotations

import random
import sqlite3
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bench.support import seed_demo
from sqlalchemy import select

from jichitai.adapters.db import tables as t
from jichitai.bootstrap import App, bootstrap
from jichitai.config import Settings
from jichitai.demo.names import FAMILY_NAMES, FEMALE_GIVEN_NAMES, MALE_GIVEN_NAMES
from jichitai.domain.common.address import Address
from jichitai.domain.common.dates import RecordDate
from jichitai.domain.common.identifiers import AtenaNumber, HouseholdNumber
from jichitai.domain.common.names import PersonName
from jichitai.domain.errors import DomainError
from jichitai.domain.residents import commands as c
from jichitai.domain.residents.model import FamilyRegister, ResidentKind, Sex
from jichitai.domain.residents.reasons import ChangeReason
from jichitai.domain.residents.relationships import Relationship
from jichitai.services.register import ChangeResult

CODE = "131016"
TODAY = date(2026, 11, 26)
KANA = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワ"
GIVEN = [
    *((g.kanji, g.kana, Sex.MALE) for g in MALE_GIVEN_NAMES),
    *((g.kanji, g.kana, Sex.FEMALE) for g in FEMALE_GIVEN_NAMES),
]


OSAKA = Address.create(prefecture="大阪府", city="大阪市北区", town_area="梅田", lot_text="1-1")


class BenchClock:
    """A fixed date, so the run does not depend on the day it runs."""

    def now(self) -> datetime:
        return datetime(2026, 11, 26, 3, 0, tzinfo=UTC)

    def today(self) -> date:
        return TODAY


class SeededRandom:
    def __init__(self, seed: int) -> None:
        self._random = random.Random(seed)

    def digits(self, count: int) -> str:
        return "".join(self._random.choice("0123456789") for _ in range(count))


@dataclass
class Household:
    number: str
    members: list[str]
    head: str | None


@dataclass
class State:
    households: dict[str, Household] = field(default_factory=dict)
    lot: int = 0


def load_state(app: App) -> State:
    """Read the seeded households (setup only; the measured changes go through the service)."""
    r = t.residents.c
    state = State()
    with app.engine.connect() as conn:
        rows = conn.execute(
            select(r.household_number, r.atena_number, r.relationship).where(
                r.municipality_code == CODE, r.status == "resident"
            )
        )
        for household, atena, relationship in rows:
            h = state.households.setdefault(household, Household(household, [], None))
            h.members.append(atena)
            if relationship == "世帯主":
                h.head = atena
    return state


def address(state: State) -> Address:
    state.lot += 1
    return Address.create(
        prefecture="東京都",
        city="千代田区",
        town_area="神田錦町",
        lot_text=f"{state.lot // 100 + 1}丁目{state.lot % 100 + 1}番{state.lot % 7 + 1}号",
        postcode="1010054",
    )


# The synthetic names repeat, so a newcomer may share name, sex and birth date with a resident:
# the clerk has checked the person's documents and acknowledges that alert.
CHECKED = frozenset({"person.possible_duplicate", "person.possible_returning_resident"})


def header(rng: random.Random) -> c.ChangeHeader:
    day = TODAY - timedelta(days=rng.randint(0, 10))
    return c.ChangeHeader(
        effective_on=day,
        filed_on=day,
        operator="bench",
        place="本庁",
        terminal="T01",
        acknowledged_alerts=CHECKED,
    )


def new_person(rng: random.Random, relationship: str, born: date | None = None) -> c.NewPerson:
    family = rng.choice(FAMILY_NAMES)
    given, given_kana, sex = rng.choice(GIVEN)
    born = born or date(1950, 1, 1) + timedelta(days=rng.randint(0, 20000))
    return c.NewPerson(
        kind=ResidentKind.JAPANESE,
        name=PersonName.create(family.kanji, given, family.kana, given_kana),
        birth_date=RecordDate.of(born),
        sex=sex,
        relationship=Relationship.parse(relationship),
        family_register=FamilyRegister("東京都千代田区神田錦町一丁目1番", family.kanji + given),
    )


def change_stream(
    state: State, rng: random.Random, busy: set[str]
) -> Iterator[tuple[str | None, c.ChangeCommand]]:
    """Everyday changes, each valid for the state it is applied to: (household, command).

    A household already changed in the current batch (``busy``) is not picked again, so the
    commands of one batch never depend on each other.
    """
    numbers = list(state.households)
    while True:
        household = state.households[rng.choice(numbers)]
        if not household.members or household.number in busy:
            continue
        busy.add(household.number)
        roll = rng.random()
        if roll < 0.30:
            yield (
                household.number,
                c.Correct(
                    header=header(rng),
                    atena_number=AtenaNumber(rng.choice(household.members)),
                    reason=ChangeReason.EX_OFFICIO_CORRECTION,
                    changes=c.RecordChanges(remarks=f"選挙人名簿確認 {rng.randint(1, 10**9)}"),
                ),
            )
        elif roll < 0.55:
            yield (
                household.number,
                c.InTownMove(
                    header=header(rng),
                    atena_numbers=tuple(AtenaNumber(a) for a in household.members),
                    address=address(state),
                ),
            )
        elif roll < 0.70 and household.head is not None:
            born = TODAY - timedelta(days=rng.randint(0, 10))
            yield (
                household.number,
                c.Birth(
                    header=c.ChangeHeader(
                        effective_on=born,
                        filed_on=TODAY,
                        operator="bench",
                        acknowledged_alerts=CHECKED,
                    ),
                    child=new_person(rng, "子", born),
                    household_number=HouseholdNumber(household.number),
                ),
            )
        elif roll < 0.85:
            members = (
                new_person(rng, "世帯主"),
                *(new_person(rng, "子") for _ in range(rng.randint(0, 2))),
            )
            yield (
                None,
                c.MoveIn(
                    header=header(rng),
                    members=members,
                    address=address(state),
                    previous_address=OSAKA,
                ),
            )
        elif roll < 0.95:
            yield (
                household.number,
                c.MoveOut(
                    header=c.ChangeHeader(effective_on=TODAY, filed_on=TODAY, operator="bench"),
                    atena_numbers=tuple(AtenaNumber(a) for a in household.members),
                    planned_on=TODAY,
                    onward_address=Address.municipality_only("大阪府", "大阪市北区"),
                ),
            )
        elif len(household.members) == 1:
            yield (
                household.number,
                c.Death(
                    header=header(rng),
                    atena_number=AtenaNumber(household.members[0]),
                    died_on=RecordDate.of(TODAY - timedelta(days=rng.randint(0, 10))),
                ),
            )
        else:
            yield (
                household.number,
                c.Correct(
                    header=header(rng),
                    atena_number=AtenaNumber(household.members[-1]),
                    reason=ChangeReason.MINOR_CORRECTION,
                    changes=c.RecordChanges(memo=f"方書確認 {rng.randint(1, 10**9)}"),
                ),
            )


def follow(
    state: State, household: str | None, command: c.ChangeCommand, result: ChangeResult
) -> None:
    """Keep the bench's picture of the households up to date after an applied change."""
    if isinstance(command, c.MoveIn):
        number = result.households[0]
        state.households[number] = Household(
            number, list(result.atena_numbers), result.atena_numbers[0]
        )
    elif isinstance(command, c.Birth) and household is not None:
        state.households[household].members.append(result.atena_numbers[0])
    elif isinstance(command, c.MoveOut | c.Death) and household is not None:
        h = state.households[household]
        gone = (
            {a.value for a in command.atena_numbers}
            if isinstance(command, c.MoveOut)
            else {command.atena_number.value}
        )
        h.members = [m for m in h.members if m not in gone]
        if h.head in gone:
            h.head = h.members[0] if len(h.members) == 1 else None


REFUSALS: Counter[str] = Counter()


def apply_stream(
    app: App, state: State, rng: random.Random, count: int, batch: int
) -> tuple[int, int, float]:
    """Apply ``count`` changes, ``batch`` per transaction; return (applied, refused, seconds)."""
    applied = refused = 0
    elapsed = 0.0
    while applied + refused < count:
        stream = change_stream(state, rng, set())
        chunk = [next(stream) for _ in range(min(batch, count - applied - refused))]
        commands = [command for _, command in chunk]
        started = time.perf_counter()
        outcomes: list[ChangeResult | DomainError]
        if batch == 1:
            try:
                outcomes = [app.register.record_change(CODE, commands[0])]
            except DomainError as error:
                outcomes = [error]
        else:
            outcomes = app.register.record_changes(CODE, commands)
        elapsed += time.perf_counter() - started
        for (household, command), outcome in zip(chunk, outcomes, strict=True):
            if isinstance(outcome, ChangeResult):
                applied += 1
                follow(state, household, command, outcome)
            else:
                refused += 1
                REFUSALS[outcome.code] += 1
    return applied, refused, elapsed


def baseline_rows_per_second(directory: Path, rows: int, payload: str) -> float:
    """Raw sqlite3 executemany of journal-sized rows in one transaction: the storage floor."""
    path = directory / "baseline.db"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute(
        "CREATE TABLE journal (municipality_code TEXT, seq INTEGER, event_id TEXT, payload TEXT, PRIMARY KEY (municipality_code, seq))"
    )
    data = [(CODE, i, f"{i:036d}", payload) for i in range(rows)]
    started = time.perf_counter()
    with conn:
        conn.executemany("INSERT INTO journal VALUES (?, ?, ?, ?)", data)
    elapsed = time.perf_counter() - started
    conn.close()
    return rows / elapsed


def search_p99(app: App, rng: random.Random, searches: int) -> float:
    timings = []
    for _ in range(searches):
        prefix = rng.choice(KANA) + rng.choice(KANA)
        started = time.perf_counter()
        app.queries.search(CODE, prefix, limit=50)
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.quantiles(timings, n=100)[98]


def run(*, residents: int, changes: int, seed: int, batch: int = 100) -> None:
    with tempfile.TemporaryDirectory(prefix="jichitai-bench-") as tmp:
        directory = Path(tmp)
        app = bootstrap(
            Settings(database_url=f"sqlite:///{directory / 'bench.db'}"),
            clock=BenchClock(),
            random=SeededRandom(seed),
        )
        app.upgrade_database()
        app.municipalities.add(CODE, "東京都千代田区")
        started = time.perf_counter()
        seed_demo(app, CODE, residents, seed, TODAY)
        seeded = time.perf_counter() - started
        state = load_state(app)
        living = sum(len(h.members) for h in state.households.values())
        print(f"seeded {living} residents in {len(state.households)} households in {seeded:.1f} s")

        rng = random.Random(seed)
        single = max(1, changes // 10)
        applied, refused, elapsed = apply_stream(app, state, rng, single, 1)
        print(
            f"one change per transaction: {applied / elapsed:,.0f} changes/s"
            f" ({applied} applied, {refused} refused by the rules)"
        )
        applied, refused, elapsed = apply_stream(app, state, rng, changes, batch)
        rate = applied / elapsed
        print(
            f"{batch} changes per transaction (一括入力, each in its own savepoint):"
            f" {rate:,.0f} changes/s ({applied} applied, {refused} refused by the rules)"
        )

        with app.engine.connect() as conn:
            payload = conn.execute(
                select(t.journal.c.payload).order_by(t.journal.c.seq.desc()).limit(1)
            ).scalar_one()
        baseline = baseline_rows_per_second(directory, 200_000, payload)
        p99 = search_p99(app, rng, 2_000)
        print(f"refusals by code: {dict(REFUSALS.most_common())}")
        print(f"journal entries verified: {app.register.verify_chain(CODE)}")
        app.engine.dispose()
        print(
            f"register: {rate:,.0f} changes/s; baseline raw journal insert {baseline:,.0f} rows/s; "
            f"ratio {rate / baseline:.4f}; search p99 {p99:.1f} ms at {living} residents"
        )
