"""The demo generator against the real service and database: a seeded 千代田区 of 300 residents.

Three fresh municipalities are seeded once for the module: 千代田区 and 中央区 with the same seed
(the same people, in different town areas), 港区 with another seed. Their rows are deleted before
and after, so the codes are free whatever other tests left behind. Two more are seeded with the
same seed on two different days after the demo's anchor, to show the register does not depend
on the day it is seeded.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Engine, delete, select

from jichitai.adapters.db import tables
from jichitai.adapters.db.register_rows import decode_record
from jichitai.bootstrap import App, bootstrap
from jichitai.codec import canonical_json, to_primitive
from jichitai.demo.anchor import DEMO_ANCHOR
from jichitai.demo.generator import DemoSummary, seed_register
from jichitai.domain.common.dates import DateKind
from jichitai.domain.common.identifiers import IndividualNumber
from jichitai.domain.common.municipality import municipality_check_digit
from jichitai.domain.residents.model import (
    ForeignResidentCategory,
    ResidentRecord,
    ResidentStatus,
)
from tests.database import append_only_lifted
from tests.fakes import FixedClock, SeededRandom

TODAY = date(2026, 11, 26)
NOW = datetime(2026, 11, 26, 1, 30, tzinfo=UTC)  # 10:30 JST
RESIDENTS = 300

CHIYODA = "13101" + municipality_check_digit("13101")
CHUO = "13102" + municipality_check_digit("13102")
MINATO = "13103" + municipality_check_digit("13103")
NERIMA = "13120" + municipality_check_digit("13120")
ADACHI = "13121" + municipality_check_digit("13121")


@dataclass
class Seeded:
    app: App
    summaries: dict[str, DemoSummary]

    def records(self, code: str) -> list[ResidentRecord]:
        """Every person's current record (resident or removed), in 宛名番号 order."""
        r, h = tables.residents.c, tables.resident_history.c
        with self.app.engine.connect() as connection:
            rows = connection.execute(
                select(h.record)
                .join_from(
                    tables.residents,
                    tables.resident_history,
                    (h.municipality_code == r.municipality_code)
                    & (h.atena_number == r.atena_number)
                    & (h.history_number == r.history_number),
                )
                .where(r.municipality_code == code)
                .order_by(r.atena_number)
            ).scalars()
            opened = self.app.my_number_keys.cipher(code).open_json  # ADR 0015
            return [decode_record(opened(text)) for text in rows]

    def histories(self, code: str) -> dict[str, list[ResidentRecord]]:
        h = tables.resident_history.c
        out: dict[str, list[ResidentRecord]] = {}
        with self.app.engine.connect() as connection:
            rows = connection.execute(
                select(h.atena_number, h.record)
                .where(h.municipality_code == code)
                .order_by(h.atena_number, h.history_number)
            )
            opened = self.app.my_number_keys.cipher(code).open_json
            for atena, text in rows:
                out.setdefault(atena, []).append(decode_record(opened(text)))
        return out


def _forget(engine: Engine, codes: tuple[str, ...]) -> None:
    """Delete everything these municipalities have (children first), and the tenants."""
    with engine.begin() as connection, append_only_lifted(connection):
        for table in reversed(tables.metadata.sorted_tables):
            if "municipality_code" in table.c:
                connection.execute(delete(table).where(table.c.municipality_code.in_(codes)))
        connection.execute(
            delete(tables.municipalities).where(tables.municipalities.c.code.in_(codes))
        )


@pytest.fixture(scope="module")
def seeded(engine: Engine) -> Iterator[Seeded]:
    codes = (CHIYODA, CHUO, MINATO)
    _forget(engine, codes)
    app = bootstrap(engine=engine, clock=FixedClock(NOW, TODAY), random=SeededRandom(1))
    summaries: dict[str, DemoSummary] = {}
    for code, city, seed in ((CHIYODA, "千代田区", 7), (CHUO, "中央区", 7), (MINATO, "港区", 8)):
        app.municipalities.add(code, f"東京都{city}")
        summaries[code] = seed_register(
            app.register,
            code,
            municipality_prefecture="東京都",
            municipality_city=city,
            residents=RESIDENTS,
            seed=seed,
            today=app.clock.today(),
        )
    yield Seeded(app, summaries)
    _forget(engine, codes)


def test_about_the_asked_number_of_residents_live_there_and_nothing_was_refused(
    seeded: Seeded,
) -> None:
    summary = seeded.summaries[CHIYODA]
    stats = seeded.app.queries.stats(CHIYODA)
    assert 0.9 * RESIDENTS <= stats.residents <= 1.1 * RESIDENTS
    assert summary.refused == 0, summary.refusals
    # The generator counts a move-out as removed when it is recorded; the register counts a
    # move-out planned for a later date as a resident until then (standard §1.1.5).
    planned = stats.planned_move_outs
    assert planned > 0
    assert (stats.residents, stats.households, stats.removed_records, stats.foreign) == (
        summary.residents + planned,
        summary.households,
        summary.removed - planned,
        summary.foreign_residents,
    )
    assert stats.events == summary.total_events
    expected = {"move_in", "birth", "death", "in_town_move", "move_out", "move_in_notice"}
    assert expected | {"household_split", "correction", "naturalisation"} <= set(summary.events)


def test_the_register_has_foreign_residents_with_valid_cards(seeded: Seeded) -> None:
    assert seeded.app.queries.stats(CHIYODA).foreign > 0
    foreign = [r for r in seeded.records(CHIYODA) if r.is_resident and r.foreign is not None]
    categories = {r.foreign.category for r in foreign if r.foreign is not None}
    assert categories == {
        ForeignResidentCategory.MID_TO_LONG_TERM,
        ForeignResidentCategory.SPECIAL_PERMANENT,
    }
    for record in foreign:
        details = record.foreign
        assert details is not None and record.family_register is None
        if details.category is ForeignResidentCategory.MID_TO_LONG_TERM:
            assert details.residence_card_number is not None
            assert details.stay_expires_on is not None and details.stay_expires_on > TODAY
        else:
            assert len(details.special_permanent_certificate_number) == 12
    naturalised = [
        r for r in seeded.records(CHIYODA) if r.reason.value == "ex_officio_entry_naturalisation"
    ]
    assert naturalised and all(r.foreign is None and r.family_register for r in naturalised)


def test_removed_records_include_moves_deaths_and_a_move_out_still_to_come(
    seeded: Seeded,
) -> None:
    records = seeded.records(CHIYODA)
    statuses = {r.status for r in records if r.is_removed}
    assert {ResidentStatus.MOVED_OUT, ResidentStatus.DEAD} <= statuses
    planned = [r.move_out.planned_on for r in records if r.move_out is not None]
    assert any(on > TODAY for on in planned)
    assert all(on <= TODAY + timedelta(days=14) for on in planned)
    assert any(r.move_out.confirmed_on for r in records if r.move_out is not None)


def test_names_include_rare_characters_and_dates_include_unusual_ones(seeded: Seeded) -> None:
    records = seeded.records(CHIYODA)
    assert any("𠮷" in r.name.full or "髙" in r.name.full for r in records)
    kinds = {r.birth_date.kind for r in records}
    assert DateKind.CALENDAR in kinds and kinds & {DateKind.NON_CALENDAR, DateKind.UNKNOWN}
    assert any(r.former_surname is not None for r in records)


def test_individual_numbers_are_valid_and_unique(seeded: Seeded) -> None:
    records = seeded.records(CHIYODA)
    numbers = [r.individual_number.value for r in records if r.individual_number is not None]
    assert len(numbers) >= 0.85 * len(records)
    assert len(set(numbers)) == len(numbers)
    assert all(IndividualNumber.parse(number).value == number for number in numbers)


def test_every_living_household_has_one_head_at_one_address(seeded: Seeded) -> None:
    households: dict[str, list[ResidentRecord]] = {}
    for record in seeded.records(CHIYODA):
        if record.is_resident:
            households.setdefault(record.household_number.value, []).append(record)
    assert len(households) == seeded.summaries[CHIYODA].households
    for members in households.values():
        assert sum(m.is_head for m in members) == 1
        assert len({m.address.display() for m in members}) == 1
    assert {len(m) for m in households.values()} >= {1, 2, 3, 4}


def test_each_persons_history_runs_forward_in_time(seeded: Seeded) -> None:
    for atena, history in seeded.histories(CHIYODA).items():
        dates = [r.effective_on for r in history]
        assert dates == sorted(dates), atena
        assert all(d <= TODAY for d in dates if history[-1].move_out is None)


def test_the_same_seed_gives_the_same_people_and_another_seed_others(seeded: Seeded) -> None:
    def names(code: str) -> list[str]:
        return [r.name.full for r in seeded.records(code)]

    assert names(CHIYODA) == names(CHUO)
    assert names(CHIYODA) != names(MINATO)
    chuo = {r.address.city for r in seeded.records(CHUO) if r.is_resident}
    assert chuo == {"中央区"}


def test_the_journal_chain_verifies(seeded: Seeded) -> None:
    for code, summary in seeded.summaries.items():
        assert seeded.app.register.verify_chain(code) == summary.total_events


# --- the same seed on another day -------------------------------------------------------------

PLANNED_MOVE_OUT_DATES = frozenset({"effective_on", "filed_on", "planned_on", "removed_on"})
"""The fields that date a move-out planned for the days after today (from today, not the anchor)."""


def _relative(value: object, today: date, key: str = "") -> object:
    """``value`` (a record in primitives) with the dates of a planned move-out that lie after the
    anchor written as days from ``today`` (they are dated from today)."""
    if isinstance(value, dict):
        return {k: _relative(v, today, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_relative(v, today, key) for v in value]
    if key in PLANNED_MOVE_OUT_DATES and isinstance(value, str):
        day = date.fromisoformat(value)
        if day > DEMO_ANCHOR:
            return f"today{(day - today).days:+d}"
    return value


def _seeded_on(engine: Engine, code: str, today: date) -> tuple[DemoSummary, list[str]]:
    """Seed ``code`` (seed 7, 300 residents) on ``today``; the summary, and every snapshot of
    every person then every journal entry, in order, as text (dates after the anchor relative to
    today; without what the register draws itself or stamps with the clock: 住民票コード, event
    ids, the time recorded, the hash chain)."""
    clock = FixedClock(datetime(today.year, today.month, today.day, 1, 30, tzinfo=UTC), today)
    app = bootstrap(engine=engine, clock=clock, random=SeededRandom(1))
    app.municipalities.add(code, "東京都千代田区")
    summary = seed_register(
        app.register,
        code,
        municipality_prefecture="東京都",
        municipality_city="千代田区",
        residents=RESIDENTS,
        seed=7,
        today=today,
    )
    lines: list[str] = []
    h, j = tables.resident_history.c, tables.journal.c
    with engine.connect() as connection:
        snapshots = connection.execute(
            select(h.atena_number, h.history_number, h.record)
            .where(h.municipality_code == code)
            .order_by(h.atena_number, h.history_number)
        )
        for atena, number, text in snapshots:
            content = to_primitive(decode_record(app.my_number_keys.cipher(code).open_json(text)))
            assert isinstance(content, dict)
            content.pop("resident_code", None)
            lines.append(f"{atena} {number} {canonical_json(_relative(content, today))}")
        entries = connection.execute(
            select(j.seq, j.kind, j.reason, j.effective_on, j.filed_on, j.operator, j.ex_officio)
            .where(j.municipality_code == code)
            .order_by(j.seq)
        )
        for seq, kind, reason, effective_on, filed_on, operator, ex_officio in entries:
            dates = _relative(
                [effective_on.isoformat(), filed_on and filed_on.isoformat()], today, "filed_on"
            )
            lines.append(f"{seq} {kind} {reason} {dates} {operator} {ex_officio}")
    return summary, lines


def test_a_seed_gives_the_same_register_whatever_day_it_is_seeded(engine: Engine) -> None:
    codes = (NERIMA, ADACHI)
    _forget(engine, codes)
    try:
        soon, later = DEMO_ANCHOR + timedelta(days=30), DEMO_ANCHOR + timedelta(days=400)
        first_summary, first = _seeded_on(engine, NERIMA, soon)
        second_summary, second = _seeded_on(engine, ADACHI, later)
    finally:
        _forget(engine, codes)
    assert first_summary == replace(second_summary, municipality_code=NERIMA)
    assert first_summary.refused == 0 and first_summary.residents > 250
    assert len(first) == len(second) > 600
    assert first == second
    # The history ends at the anchor; only the planned move-outs take effect after it (after
    # today), filed no later than today.
    after_anchor = [line.split(" ", 3) for line in first if "['today" in line]
    assert after_anchor and {kind for _, kind, _, _ in after_anchor} == {"move_out"}
    assert all(rest.startswith("['today+") for _, _, _, rest in after_anchor)
