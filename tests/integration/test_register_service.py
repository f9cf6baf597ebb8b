"""RegisterService through the real database: journal, hash chain, idempotency, atomicity,
optimistic concurrency and drafts (仮登録 → 本登録).

Every test gets a municipality of its own (a fresh, valid 地方公共団体コード), so tests share the
session's database without seeing each other's data.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import Engine, select, update

from jichitai.adapters.db import tables as t
from jichitai.adapters.db.journal import SqlJournal
from jichitai.adapters.db.register_rows import decode_record
from jichitai.adapters.db.unit_of_work import SqlUnitOfWork
from jichitai.bootstrap import App
from jichitai.codec import canonical_json
from jichitai.domain.common.address import Address
from jichitai.domain.common.dates import RecordDate
from jichitai.domain.common.identifiers import AtenaNumber, HouseholdNumber
from jichitai.domain.errors import ConflictError, DomainError, NotFound, RuleViolations, Severity
from jichitai.domain.residents.commands import (
    Birth,
    ChangeHeader,
    Correct,
    Death,
    InTownMove,
    MoveIn,
    MoveOut,
    NewPerson,
    RecordChanges,
)
from jichitai.domain.residents.model import ResidentStatus, Sex
from jichitai.domain.residents.reasons import ChangeReason
from jichitai.services.ports import GENESIS_HASH, JournalEntry
from jichitai.services.register import ChangeResult, entry_hash
from tests.database import append_only_lifted
from tests.factories import (
    EFFECTIVE_ON,
    a_header,
    a_municipality,
    a_person,
    a_previous_address,
    a_valid_individual_number,
    an_address,
)
from tests.fakes import TODAY, FixedClock


@pytest.fixture
def random_seed() -> int:
    return 20261126


@pytest.fixture
def code(app: App) -> str:
    return a_municipality(app, "46", "試験市")


def move_in(
    *members: NewPerson,
    header: ChangeHeader | None = None,
    address: Address | None = None,
    household_number: HouseholdNumber | None = None,
) -> MoveIn:
    return MoveIn(
        header=header or a_header(),
        members=members or (a_person(),),
        address=address or an_address(),
        previous_address=a_previous_address(),
        household_number=household_number,
    )


def a_couple() -> MoveIn:
    return move_in(
        a_person(),
        a_person(
            given="花子",
            kana=("タカハシ", "ハナコ"),
            relationship="妻",
            born="昭和52年5月6日",
            sex=Sex.FEMALE,
        ),
    )


def household_of(app: App, code: str, atena: str) -> HouseholdNumber:
    return app.queries.current(code, atena).household_number


def journal(engine: Engine, code: str) -> list[JournalEntry]:
    with SqlUnitOfWork(engine, code) as uow:
        return list(uow.journal.journal())


def history_rows(engine: Engine, code: str) -> list[Any]:
    h = t.resident_history.c
    with engine.connect() as conn:
        return list(
            conn.execute(
                select(h.atena_number, h.history_number, h.seq, h.event_id, h.record)
                .where(h.municipality_code == code)
                .order_by(h.seq, h.atena_number, h.history_number)
            )
        )


def household_version(engine: Engine, code: str, household: HouseholdNumber) -> int | None:
    h = t.households.c
    with engine.connect() as conn:
        value = conn.execute(
            select(h.version).where(
                h.municipality_code == code, h.household_number == household.value
            )
        ).scalar_one_or_none()
    return None if value is None else int(value)


def tenant_rows(engine: Engine, code: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row the municipality owns, table by table, in primary-key order."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as conn:
        for table in t.tenant_tables():
            stmt = (
                select(table)
                .where(table.c.municipality_code == code)
                .order_by(*table.primary_key.columns)
            )
            out[table.name] = [tuple(row) for row in conn.execute(stmt)]
    return out


# --- the journal ---------------------------------------------------------------------------------


@pytest.mark.spec("1.2.1")
def test_each_approved_change_appends_exactly_one_journal_entry_numbered_1_2_3(
    app: App, engine: Engine, code: str
) -> None:
    first = app.register.record_change(code, a_couple())
    assert [e.seq for e in journal(engine, code)] == [1]
    head, wife = first.atena_numbers
    household = household_of(app, code, head)
    child = a_person(
        given="太郎", kana=("タカハシ", "タロウ"), relationship="子", born="2026-11-01"
    )
    second = app.register.record_change(
        code, Birth(header=a_header(), child=child, household_number=household)
    )
    assert [e.seq for e in journal(engine, code)] == [1, 2]
    third = app.register.record_change(
        code,
        Correct(
            header=a_header(),
            atena_number=AtenaNumber(wife),
            reason=ChangeReason.MINOR_CORRECTION,
            changes=RecordChanges(remarks="旧姓で郵便物が届く"),
        ),
    )
    entries = journal(engine, code)
    assert [e.seq for e in entries] == [1, 2, 3]
    assert [r.seq for r in (first, second, third)] == [1, 2, 3]
    assert [e.event_id for e in entries] == [first.event_id, second.event_id, third.event_id]
    assert [e.kind for e in entries] == ["move_in", "birth", "correction"]
    assert [e.reason for e in entries] == ["domestic_move_in", "birth", "minor_correction"]
    assert [e.reason_group for e in entries] == ["entry", "entry", "correction"]


@pytest.mark.spec("1.2.1")
def test_journal_numbering_is_per_municipality(app: App, engine: Engine, code: str) -> None:
    other = a_municipality(app, "46", "試験市")
    app.register.record_change(code, move_in())
    app.register.record_change(other, move_in())
    app.register.record_change(code, move_in(a_person(name="佐藤", kana=("サトウ", "イチロウ"))))
    assert [e.seq for e in journal(engine, code)] == [1, 2]
    assert [e.seq for e in journal(engine, other)] == [1]


@pytest.mark.spec("1.3.1")
def test_a_journal_entry_records_the_dates_the_clock_time_and_who_entered_it_where(
    app: App, engine: Engine, code: str, clock: FixedClock
) -> None:
    header = a_header(
        effective_on=date(2026, 11, 18),
        filed_on=date(2026, 11, 24),
        operator="職員0815",
        place="北出張所 窓口2",
        terminal="KITA-07",
        notes="本人確認書類: 運転免許証",
    )
    app.register.record_change(code, move_in(header=header))
    (entry,) = journal(engine, code)
    assert entry.effective_on == date(2026, 11, 18)
    assert entry.filed_on == date(2026, 11, 24)
    assert entry.recorded_at == clock.now()
    assert entry.recorded_at.utcoffset() == timedelta(0)
    assert (entry.operator, entry.place, entry.terminal) == (
        "職員0815",
        "北出張所 窓口2",
        "KITA-07",
    )
    assert entry.notes == "本人確認書類: 運転免許証"
    assert entry.ex_officio is False
    assert entry.idempotency_key is None


def test_recorded_at_is_stored_as_aware_utc_whatever_the_clocks_offset(
    app: App, engine: Engine, code: str, clock: FixedClock
) -> None:
    jst = timezone(timedelta(hours=9), "JST")
    clock.at = datetime(2026, 11, 26, 10, 23, 45, 678901, tzinfo=jst)
    app.register.record_change(code, move_in())
    (entry,) = journal(engine, code)
    assert entry.recorded_at == clock.at
    assert entry.recorded_at.utcoffset() == timedelta(0)
    assert entry.recorded_at.isoformat() == "2026-11-26T01:23:45.678901+00:00"
    assert app.register.verify_chain(code) == 1


@pytest.mark.spec("1.2.1")
def test_a_journal_entry_holds_the_full_resulting_state_of_each_person(
    app: App, engine: Engine, code: str
) -> None:
    result = app.register.record_change(code, a_couple())
    head, wife = result.atena_numbers
    moved = app.register.record_change(
        code,
        InTownMove(
            header=a_header(),
            atena_numbers=(AtenaNumber(head), AtenaNumber(wife)),
            address=an_address(lot="三丁目4番5号", supplement="霞が関ハイツ201"),
        ),
    )
    first, second = journal(engine, code)
    rows = history_rows(engine, code)
    assert [(r.atena_number, r.history_number, r.seq, r.event_id) for r in rows] == [
        (head, 1, 1, result.event_id),
        (wife, 1, 1, result.event_id),
        (head, 2, 2, moved.event_id),
        (wife, 2, 2, moved.event_id),
    ]
    for entry, kind, event_rows in ((first, "MoveIn", rows[:2]), (second, "InTownMove", rows[2:])):
        payload = json.loads(entry.payload)
        assert payload["persons"] == [head, wife]
        assert payload["command"]["type"] == kind
        # The journal carries each person's whole snapshot, the same text as resident_history.
        assert payload["records"] == [json.loads(r.record) for r in event_rows]
    current = app.queries.current(code, wife)
    assert decode_record(rows[3].record) == current
    assert canonical_json(current) == rows[3].record
    assert current.history_number == 2
    assert current.address.address_supplement == "霞が関ハイツ201"
    assert current.name.family == "髙橋"  # kept glyph for glyph


# --- the hash chain ------------------------------------------------------------------------------


def three_entries(app: App, code: str) -> list[ChangeResult]:
    first = app.register.record_change(code, a_couple())
    head = first.atena_numbers[0]
    household = household_of(app, code, head)
    child = a_person(
        given="太郎", kana=("タカハシ", "タロウ"), relationship="子", born="2026-11-01"
    )
    second = app.register.record_change(
        code, Birth(header=a_header(), child=child, household_number=household)
    )
    third = app.register.record_change(
        code, move_in(a_person(name="佐藤", given="二郎", kana=("サトウ", "ジロウ")))
    )
    return [first, second, third]


def test_the_chain_links_each_entry_to_the_previous_one_from_64_zeros(
    app: App, engine: Engine, code: str
) -> None:
    three_entries(app, code)
    entries = journal(engine, code)
    assert entries[0].prev_hash == "0" * 64 == GENESIS_HASH
    for before, after in itertools.pairwise(entries):
        assert after.prev_hash == before.entry_hash
    for entry in entries:
        assert entry.entry_hash == entry_hash(entry)
    assert len({e.entry_hash for e in entries}) == 3
    assert app.register.verify_chain(code) == 3
    with engine.connect() as conn:
        head = conn.execute(
            select(t.journal_heads).where(t.journal_heads.c.municipality_code == code)
        ).one()
    assert (head.last_seq, head.last_hash) == (3, entries[-1].entry_hash)


@pytest.mark.parametrize(
    "column, value",
    [
        ("payload", None),  # set below: the payload with one record altered
        ("operator", "職員9999"),
        ("effective_on", date(2026, 1, 1)),
        ("prev_hash", "f" * 64),
    ],
)
def test_verify_chain_names_the_entry_whose_stored_row_was_altered(
    app: App, engine: Engine, code: str, column: str, value: object
) -> None:
    three_entries(app, code)
    j = t.journal.c
    with engine.begin() as conn, append_only_lifted(conn):  # past the database's wall
        if value is None:
            payload = conn.execute(
                select(j.payload).where(j.municipality_code == code, j.seq == 2)
            ).scalar_one()
            value = payload.replace("太郎", "次郎")
            assert value != payload
        conn.execute(
            update(t.journal).where(j.municipality_code == code, j.seq == 2).values({column: value})
        )
    with pytest.raises(DomainError) as refused:
        app.register.verify_chain(code)
    assert refused.value.code == "journal.tampered"
    assert refused.value.field == "seq"
    assert "通番 2" in refused.value.message


def test_verify_chain_notices_an_entry_deleted_from_the_middle(
    app: App, engine: Engine, code: str
) -> None:
    three_entries(app, code)
    j = t.journal.c
    with engine.begin() as conn, append_only_lifted(conn):  # past the database's wall
        conn.execute(t.journal.delete().where(j.municipality_code == code, j.seq == 2))
    with pytest.raises(DomainError) as refused:
        app.register.verify_chain(code)
    assert refused.value.code == "journal.tampered"
    assert "通番 3" in refused.value.message


def test_verify_chain_notices_entries_cut_off_the_end(app: App, engine: Engine, code: str) -> None:
    three_entries(app, code)
    j = t.journal.c
    with engine.begin() as conn, append_only_lifted(conn):  # past the database's wall
        conn.execute(t.journal.delete().where(j.municipality_code == code, j.seq == 3))
    with pytest.raises(DomainError) as refused:
        app.register.verify_chain(code)
    assert refused.value.code == "journal.tampered"
    assert "通番 3" in refused.value.message


# --- idempotency ---------------------------------------------------------------------------------


def test_the_same_idempotency_key_twice_records_once_and_answers_the_same_event(
    app: App, engine: Engine, code: str
) -> None:
    first = app.register.record_change(code, a_couple(), idempotency_key="counter-1/0001")
    before = tenant_rows(engine, code)
    again = app.register.record_change(code, a_couple(), idempotency_key="counter-1/0001")
    assert first.replayed is False
    assert again.replayed is True
    assert again.event_id == first.event_id
    assert again.seq == first.seq == 1
    assert again.atena_numbers == first.atena_numbers
    assert tenant_rows(engine, code) == before
    (entry,) = journal(engine, code)
    assert entry.idempotency_key == "counter-1/0001"
    assert app.queries.stats(code).persons == 2


def test_a_different_idempotency_key_records_a_new_change(app: App, code: str) -> None:
    app.register.record_change(code, move_in(), idempotency_key="k-1")
    other = app.register.record_change(
        code, move_in(a_person(name="佐藤", kana=("サトウ", "イチロウ"))), idempotency_key="k-2"
    )
    assert (other.seq, other.replayed) == (2, False)


@pytest.mark.parametrize("key", ["took_effect:1", "protection:s-1:protection_set"])
def test_a_key_of_the_systems_own_entries_is_refused_and_nothing_is_written(
    app: App, engine: Engine, code: str, key: str
) -> None:
    """Else a change would be taken for a replay of the entry the system appended with it."""
    with pytest.raises(DomainError) as refused:
        app.register.record_change(code, move_in(), idempotency_key=key)
    assert refused.value.code == "request.invalid_idempotency_key"
    assert journal(engine, code) == []


# --- atomicity -----------------------------------------------------------------------------------


def test_a_refused_change_writes_nothing(app: App, engine: Engine, code: str) -> None:
    app.register.record_change(code, a_couple())
    before = tenant_rows(engine, code)
    assert before["journal"] and before["id_sequences"] and before["households"]
    two_heads = move_in(
        a_person(name="鈴木", kana=("スズキ", "イチロウ")),
        a_person(name="鈴木", given="次郎", kana=("スズキ", "ジロウ")),
    )
    with pytest.raises(RuleViolations) as refused:
        app.register.record_change(code, two_heads)
    assert refused.value.code == "household.second_head"
    # The rules drew a new household number and 宛名番号 before refusing: rolled back too.
    assert tenant_rows(engine, code) == before


def test_a_failure_half_way_through_the_append_writes_nothing(
    app: App, engine: Engine, code: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    app.register.record_change(code, a_couple())
    before = tenant_rows(engine, code)

    def broken(self: SqlJournal, household_versions: dict[str, int | None]) -> None:
        raise RuntimeError("disk full")

    with monkeypatch.context() as patch:
        patch.setattr(SqlJournal, "_write_households", broken)
        with pytest.raises(RuntimeError, match="disk full"):
            app.register.record_change(
                code, move_in(a_person(name="鈴木", kana=("スズキ", "イチロウ")))
            )
    assert tenant_rows(engine, code) == before
    # The chain carries on from where it was.
    retried = app.register.record_change(
        code, move_in(a_person(name="鈴木", kana=("スズキ", "イチロウ")))
    )
    assert retried.seq == 2
    assert app.register.verify_chain(code) == 2


# --- optimistic concurrency ----------------------------------------------------------------------


def test_two_changes_based_on_the_same_household_version_the_second_conflicts(
    app: App, engine: Engine, code: str
) -> None:
    head, wife = app.register.record_change(code, a_couple()).atena_numbers
    household = household_of(app, code, head)
    seen = household_version(engine, code, household)
    assert seen == 1
    expected = {household.value: seen}
    child = a_person(
        given="太郎", kana=("タカハシ", "タロウ"), relationship="子", born="2026-11-01"
    )
    born = app.register.record_change(
        code,
        Birth(header=a_header(expected_versions=expected), child=child, household_number=household),
    )
    stale = Correct(
        header=a_header(expected_versions=expected),
        atena_number=AtenaNumber(wife),
        reason=ChangeReason.MINOR_CORRECTION,
        changes=RecordChanges(remarks="旧姓で郵便物が届く"),
    )
    before = tenant_rows(engine, code)
    with pytest.raises(ConflictError) as refused:
        app.register.record_change(code, stale)
    assert refused.value.code == "change.conflict"
    assert refused.value.field == f"expected_versions.{household.value}"
    assert tenant_rows(engine, code) == before
    # Nothing lost: the first change is there, the stale one is not.
    members = {m.atena_number.value for m in app.queries.household(code, household.value)}
    assert members == {head, wife, born.atena_numbers[0]}
    assert app.queries.current(code, wife).remarks == ""
    assert household_version(engine, code, household) == 2
    # Based on the version it now reads, the correction goes through.
    redone = app.register.record_change(
        code, replace(stale, header=a_header(expected_versions={household.value: 2}))
    )
    assert redone.seq == 3
    assert household_version(engine, code, household) == 3


# --- drafts (仮登録) -------------------------------------------------------------------------------


def register_view(app: App, engine: Engine, code: str) -> dict[str, Any]:
    """Everything a reader of the register can see: every row but the drafts' own (the drafts
    and the counter of their 受付番号)."""
    rows = {name: rows for name, rows in tenant_rows(engine, code).items() if name != "drafts"}
    rows["id_sequences"] = [row for row in rows.get("id_sequences", []) if row[1] != "draft"]
    return {
        "search": [r.atena_number for r in app.queries.search(code, "たかはし")],
        "stats": app.queries.stats(code),
        "journal": journal(engine, code),
        "rows": rows,
    }


@pytest.mark.spec("4.0.8")
def test_a_saved_draft_changes_nothing_anyone_can_read(
    app: App, engine: Engine, code: str, clock: FixedClock
) -> None:
    app.register.record_change(code, move_in())
    before = register_view(app, engine, code)
    draft = app.register.save_draft(
        code,
        move_in(a_person(given="次郎", kana=("タカハシ", "ジロウ"))),
        operator="職員0042",
    )
    assert draft.status == "pending"
    assert draft.created_at == clock.now()
    assert register_view(app, engine, code) == before
    assert [d.draft_id for d in app.register.drafts(code)] == [draft.draft_id]
    with pytest.raises(NotFound):
        app.queries.current(code, AtenaNumber.from_serial(2).value)


@pytest.mark.spec("4.0.8")
def test_a_draft_can_be_corrected_before_approval_and_the_corrected_change_is_applied(
    app: App, engine: Engine, code: str
) -> None:
    draft = app.register.save_draft(
        code, move_in(a_person(given="次朗", kana=("タカハシ", "ジロウ")))
    )
    updated = app.register.update_draft(
        code, draft.draft_id, move_in(a_person(given="次郎", kana=("タカハシ", "ジロウ")))
    )
    assert updated.draft_id == draft.draft_id
    assert journal(engine, code) == []
    result = app.register.approve_draft(code, draft.draft_id)
    assert result.seq == 1
    assert app.queries.current(code, result.atena_numbers[0]).name.given == "次郎"
    assert app.register.drafts(code) == []
    (entry,) = journal(engine, code)
    assert entry.event_id == result.event_id


@pytest.mark.spec("4.0.8")
def test_a_discarded_draft_cannot_be_approved(app: App, engine: Engine, code: str) -> None:
    draft = app.register.save_draft(code, move_in())
    app.register.discard_draft(code, draft.draft_id)
    assert app.register.drafts(code) == []
    with pytest.raises(DomainError) as refused:
        app.register.approve_draft(code, draft.draft_id)
    assert refused.value.code == "draft.not_pending"
    assert journal(engine, code) == []
    with pytest.raises(NotFound) as missing:
        app.register.approve_draft(code, "no-such-draft")
    assert missing.value.code == "draft.not_found"


@pytest.mark.spec("4.0.8")
def test_approval_applies_the_rules_as_they_stand_at_approval(
    app: App, engine: Engine, code: str
) -> None:
    number = a_valid_individual_number(4242)
    draft = app.register.save_draft(
        code, move_in(a_person(name="鈴木", kana=("スズキ", "イチロウ"), individual_number=number))
    )
    # Meanwhile someone else is recorded with the same 個人番号: the draft is no longer valid.
    app.register.record_change(code, move_in(a_person(individual_number=number)))
    before = tenant_rows(engine, code)
    with pytest.raises(RuleViolations) as refused:
        app.register.approve_draft(code, draft.draft_id)
    assert "person.duplicate_live" in {v.code for v in refused.value.violations}
    assert tenant_rows(engine, code) == before
    assert [d.draft_id for d in app.register.drafts(code)] == [draft.draft_id]  # still pending


@pytest.mark.spec("4.0.8")
def test_an_alert_is_acknowledged_at_approval(app: App, engine: Engine, code: str) -> None:
    late = a_header(effective_on=date(2026, 10, 1), filed_on=date(2026, 11, 20))
    draft = app.register.save_draft(code, move_in(header=late))
    with pytest.raises(RuleViolations) as refused:
        app.register.approve_draft(code, draft.draft_id)
    assert [v.code for v in refused.value.violations] == ["move_in.late_filing"]
    assert journal(engine, code) == []
    result = app.register.approve_draft(
        code, draft.draft_id, acknowledged_alerts=frozenset({"move_in.late_filing"})
    )
    assert [a.code for a in result.alerts] == ["move_in.late_filing"]
    (entry,) = journal(engine, code)
    payload = json.loads(entry.payload)
    assert [a["code"] for a in payload["alerts"]] == ["move_in.late_filing"]
    assert payload["command"]["header"]["acknowledged_alerts"] == ["move_in.late_filing"]


@pytest.mark.spec("4.0.8")
def test_approving_a_draft_twice_records_it_once_and_answers_the_first_result(
    app: App, engine: Engine, code: str
) -> None:
    draft = app.register.save_draft(code, a_couple())
    result = app.register.approve_draft(code, draft.draft_id)
    again = app.register.approve_draft(code, draft.draft_id)
    assert (again.event_id, again.seq, again.replayed) == (result.event_id, result.seq, True)
    assert again.atena_numbers == result.atena_numbers
    (entry,) = journal(engine, code)
    assert entry.event_id == result.event_id
    with SqlUnitOfWork(engine, code) as uow:
        stored = uow.drafts.get(draft.draft_id)
    assert stored is not None
    assert (stored.status, stored.event_id) == ("approved", result.event_id)


def test_a_draft_idempotency_key_saves_once_and_refuses_another_command(
    app: App, code: str
) -> None:
    first = app.register.save_draft(code, a_couple(), operator="clerk", idempotency_key="k-1")
    again = app.register.save_draft(code, a_couple(), operator="clerk", idempotency_key="k-1")
    assert again.draft_id == first.draft_id
    assert [d.draft_id for d in app.register.drafts(code)] == [first.draft_id]
    with pytest.raises(DomainError) as refused:
        app.register.save_draft(code, move_in(a_person()), operator="clerk", idempotency_key="k-1")
    assert refused.value.code == "idempotency.key_reused"
    assert len(app.register.drafts(code)) == 1


@pytest.mark.spec("4.0.8")
def test_drafts_do_not_write_the_register_until_approved_even_for_removals(
    app: App, engine: Engine, code: str
) -> None:
    _, wife = app.register.record_change(code, a_couple()).atena_numbers
    draft = app.register.save_draft(
        code,
        Death(
            header=a_header(), atena_number=AtenaNumber(wife), died_on=RecordDate.of(EFFECTIVE_ON)
        ),
    )
    assert app.queries.current(code, wife).status is ResidentStatus.RESIDENT
    assert len(app.queries.search(code, "たかはし", include_removed=False)) == 2
    app.register.approve_draft(code, draft.draft_id)
    assert app.queries.current(code, wife).status is ResidentStatus.DEAD
    assert len(app.queries.search(code, "たかはし", include_removed=False)) == 1
    assert [e.kind for e in journal(engine, code)] == ["move_in", "death"]


# --- bulk input (一括入力) -----------------------------------------------------------------------


@pytest.mark.spec("4.0.10")
def test_bulk_input_records_each_change_on_its_own_and_a_refused_one_writes_nothing(
    app: App, engine: Engine, code: str
) -> None:
    first = app.register.record_change(code, a_couple())
    head = first.atena_numbers[0]
    future = replace(a_header(), effective_on=TODAY + timedelta(days=3))
    outcomes = app.register.record_changes(
        code,
        [
            move_in(a_person(given="一", kana=("タカハシ", "ハジメ"))),
            Correct(  # refused: 異動日 in the future
                header=future,
                atena_number=AtenaNumber(head),
                reason=ChangeReason.EX_OFFICIO_CORRECTION,
                changes=RecordChanges(remarks="未来"),
            ),
            Correct(
                header=a_header(),
                atena_number=AtenaNumber(head),
                reason=ChangeReason.EX_OFFICIO_CORRECTION,
                changes=RecordChanges(remarks="選挙人名簿確認"),
            ),
        ],
    )
    assert isinstance(outcomes[0], ChangeResult)
    assert isinstance(outcomes[1], RuleViolations)
    assert outcomes[1].code == "change.effective_on_future"
    assert isinstance(outcomes[2], ChangeResult)
    assert [e.seq for e in journal(engine, code)] == [1, 2, 3]
    assert app.queries.current(code, head).remarks == "選挙人名簿確認"
    assert app.register.verify_chain(code) == 3


@pytest.mark.spec("4.0.10")
def test_a_change_refused_in_bulk_input_leaves_no_numbers_or_records_behind(
    app: App, engine: Engine, code: str
) -> None:
    duplicate = a_valid_individual_number(7)
    app.register.record_change(code, move_in(a_person(individual_number=duplicate)))
    before = tenant_rows(engine, code)
    outcomes = app.register.record_changes(
        code, [move_in(a_person(given="二郎", individual_number=duplicate))]
    )
    assert isinstance(outcomes[0], RuleViolations)
    assert outcomes[0].code == "person.duplicate_live"
    assert tenant_rows(engine, code) == before


@pytest.mark.spec("4.0.9")
def test_checking_a_change_runs_every_rule_and_writes_nothing(
    app: App, engine: Engine, code: str
) -> None:
    app.register.record_change(code, a_couple())
    before = tenant_rows(engine, code)
    plan = app.register.check_change(code, move_in(a_person(given="三郎")))
    assert plan.reason is ChangeReason.DOMESTIC_MOVE_IN
    assert plan.records[0].name.given == "三郎"
    with pytest.raises(RuleViolations) as refusal:
        app.register.check_change(
            code,
            move_in(
                a_person(given="四郎"),
                header=replace(a_header(), effective_on=TODAY + timedelta(days=1)),
            ),
        )
    assert refusal.value.code == "change.effective_on_future"
    assert tenant_rows(engine, code) == before


@pytest.mark.spec("1.1.5")
def test_a_planned_move_out_counts_as_a_resident_until_its_date(
    app: App, clock: FixedClock, code: str
) -> None:
    single = app.register.record_change(code, move_in(a_person(given="一人")))
    app.register.record_change(code, a_couple())
    planned = TODAY + timedelta(days=7)
    app.register.record_change(
        code,
        MoveOut(
            header=replace(a_header(), effective_on=planned, filed_on=TODAY),
            atena_numbers=(AtenaNumber(single.atena_numbers[0]),),
            planned_on=planned,
            onward_address=Address.municipality_only("大阪府", "大阪市北区"),
        ),
    )
    before = app.queries.stats(code)
    assert (before.residents, before.planned_move_outs, before.removed_records) == (3, 1, 0)
    clock.day = planned
    after = app.queries.stats(code)
    assert (after.residents, after.planned_move_outs, after.removed_records) == (2, 0, 1)


@pytest.mark.spec("4.1.1.2")
def test_the_database_finds_a_removed_record_with_the_same_name_sex_and_birth_date(
    app: App, code: str
) -> None:
    first = app.register.record_change(code, move_in(a_person(given="五郎")))
    app.register.record_change(
        code,
        MoveOut(
            header=a_header(),
            atena_numbers=(AtenaNumber(first.atena_numbers[0]),),
            planned_on=EFFECTIVE_ON,
            onward_address=Address.municipality_only("大阪府", "大阪市北区"),
        ),
    )
    with pytest.raises(RuleViolations) as refusal:
        app.register.record_change(code, move_in(a_person(given="五郎")))
    assert refusal.value.code == "person.possible_returning_resident"
    returning = replace(a_person(given="五郎"), returning_as=AtenaNumber(first.atena_numbers[0]))
    again = app.register.record_change(code, move_in(returning))
    assert again.atena_numbers == first.atena_numbers


def test_a_replayed_change_answers_its_acknowledged_alerts_as_they_were(
    app: App, code: str
) -> None:
    app.register.record_change(code, move_in(a_person(given="六郎")))
    header = replace(a_header(), acknowledged_alerts=frozenset({"person.possible_duplicate"}))
    first = app.register.record_change(
        code, move_in(a_person(given="六郎"), header=header), idempotency_key="same-person"
    )
    again = app.register.record_change(
        code, move_in(a_person(given="六郎"), header=header), idempotency_key="same-person"
    )
    assert again.replayed
    assert again.alerts == first.alerts
    assert [a.code for a in again.alerts] == ["person.possible_duplicate"]
    assert all(a.severity is Severity.ALERT for a in again.alerts)
