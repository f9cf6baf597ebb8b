"""Tenancy: each municipality sees and changes only its own register.

Two municipalities numbered from 1 hold the same 宛名番号 and 世帯番号 for different people; nothing
asked of one may answer with, or write to, the other. Every statement the repository sends for a
tenant table is checked to name the tenant's code.
"""

from __future__ import annotations

import functools
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event, select

from jichitai.adapters.db import tables as t
from jichitai.adapters.db.card_destination_store import SqlCardDestinations
from jichitai.adapters.db.card_status_store import SqlCardStatuses
from jichitai.adapters.db.drafts import SqlDrafts
from jichitai.adapters.db.journal import SqlJournal
from jichitai.adapters.db.number_link_store import SqlNumberLink
from jichitai.adapters.db.raw import RawSql
from jichitai.adapters.db.read_model import SqlRegisterReadModel
from jichitai.adapters.db.register_import import SqlRegisterImport
from jichitai.adapters.db.town_area_store import SqlTownAreas
from jichitai.adapters.db.unit_of_work import SqlUnitOfWork
from jichitai.bootstrap import App
from jichitai.domain.access.suppression import Process, Suppression, SuppressionKind
from jichitai.domain.common.address import Address
from jichitai.domain.common.identifiers import AtenaNumber, HouseholdNumber
from jichitai.domain.common.municipality import municipality_check_digit
from jichitai.domain.common.town_areas import TownArea
from jichitai.domain.errors import DomainError, InvalidValue, NotFound, Severity
from jichitai.domain.residents.commands import (
    Birth,
    Cancel,
    Correct,
    InTownMove,
    MoveIn,
    MoveOut,
    NewPerson,
    RecordChanges,
)
from jichitai.domain.residents.model import Sex
from jichitai.domain.residents.reasons import ChangeReason
from jichitai.services.ports import (
    GENESIS_HASH,
    CardStatus,
    HouseholdRow,
    ImportedSnapshot,
    SearchCriteria,
)
from jichitai.services.ports.number_link import NumberLinkRecord
from tests.factories import (
    a_foreign_person,
    a_header,
    a_municipality,
    a_person,
    a_previous_address,
    a_valid_individual_number,
    an_address,
)
from tests.fakes import TODAY

_TENANT_TABLES = re.compile(
    r"\b(" + "|".join(re.escape(table.name) for table in t.tenant_tables()) + r")\b"
)


@pytest.fixture
def random_seed() -> int:
    return 5


def move_in(*members: NewPerson, lot: str = "一丁目2番3号") -> MoveIn:
    return MoveIn(
        header=a_header(),
        members=members,
        address=an_address(lot=lot),
        previous_address=a_previous_address(),
    )


@dataclass(frozen=True)
class Tenants:
    """Municipality A (髙橋一郎, who moved house once) and B (佐藤花子), both numbered from 1."""

    app: App
    a: str
    b: str
    atena: str  # the first 宛名番号 of both
    household: str  # the first 世帯番号 of both


@pytest.fixture
def tenants(app: App) -> Tenants:
    a, b = a_municipality(app, "43", "試験郡"), a_municipality(app, "43", "試験郡")
    in_a = app.register.record_change(
        a, move_in(a_person(individual_number=a_valid_individual_number(7)))
    )
    in_b = app.register.record_change(
        b,
        move_in(
            a_person(
                name="佐藤",
                given="花子",
                kana=("サトウ", "ハナコ"),
                born="昭和55年3月3日",
                sex=Sex.FEMALE,
            )
        ),
    )
    assert in_a.atena_numbers == in_b.atena_numbers  # same number, different people
    (atena,) = in_a.atena_numbers
    app.register.record_change(
        a,
        InTownMove(
            header=a_header(),
            atena_numbers=(AtenaNumber(atena),),
            address=an_address(lot="五丁目1番"),
        ),
    )
    household = app.queries.current(a, atena).household_number.value
    assert app.queries.current(b, atena).household_number.value == household
    return Tenants(app, a, b, atena, household)


def tenant_rows(engine: Engine, code: str) -> dict[str, list[tuple[Any, ...]]]:
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


# --- reads ---------------------------------------------------------------------------------------


def test_the_same_atena_number_answers_each_municipalitys_own_person(tenants: Tenants) -> None:
    q = tenants.app.queries
    assert q.current(tenants.a, tenants.atena).name.family == "髙橋"
    assert q.current(tenants.b, tenants.atena).name.family == "佐藤"
    assert [r.name.family for r in q.history(tenants.a, tenants.atena)] == ["髙橋", "髙橋"]
    assert [r.name.family for r in q.history(tenants.b, tenants.atena)] == ["佐藤"]
    assert [r.name.family for r in q.search(tenants.b, tenants.atena)] == ["佐藤"]
    assert [r.name.family for r in q.household(tenants.b, tenants.household)] == ["佐藤"]
    assert q.as_of(tenants.b, tenants.atena, TODAY).name.family == "佐藤"
    for code, family in ((tenants.a, "髙橋"), (tenants.b, "佐藤")):
        with SqlUnitOfWork(tenants.app.engine, code, read_only=True) as uow:
            found = uow.read_model.current_of([AtenaNumber(tenants.atena)])  # the queue's names
            assert [r.name.family for r in found] == [family]


def test_a_search_never_reaches_into_another_municipality(tenants: Tenants) -> None:
    q = tenants.app.queries
    head = q.current(tenants.a, tenants.atena)
    assert head.individual_number is not None and head.resident_code is not None
    for query in (
        "たかはし",
        "髙橋",
        "昭和50年1月2日",
        "五丁目1番",
        head.individual_number.value,
        head.resident_code.value,
    ):
        assert [r.atena_number.value for r in q.search(tenants.a, query)] == [tenants.atena]
        assert q.search(tenants.b, query) == []
    stats_b = q.stats(tenants.b)
    assert (stats_b.persons, stats_b.households, stats_b.events) == (1, 1, 1)


def test_town_completion_suggests_only_the_municipalitys_own_addresses(
    tenants: Tenants,
) -> None:
    app = tenants.app
    app.register.record_change(
        tenants.b,
        move_in(a_person(name="佐藤", given="次郎", kana=("サトウ", "ジロウ")), lot="七丁目1番"),
    )
    assert app.queries.town_areas(tenants.a, "東京都千代田区") == ["霞が関五丁目"]
    assert app.queries.town_areas(tenants.b, "東京都千代田区") == ["霞が関一丁目", "霞が関七丁目"]
    assert app.queries.town_areas(tenants.a, "東京都千代田区", "霞が関七") == []


def test_a_person_of_one_municipality_is_not_found_in_another(tenants: Tenants) -> None:
    app = tenants.app
    c = a_municipality(app, "43", "試験郡")
    for ask in (
        lambda: app.queries.current(c, tenants.atena),
        lambda: app.queries.history(c, tenants.atena),
    ):
        with pytest.raises(NotFound) as refused:
            ask()
        assert refused.value.code == "person.not_found"
    with pytest.raises(NotFound) as no_household:
        app.queries.household(c, tenants.household)
    assert no_household.value.code == "household.not_found"


# --- writes --------------------------------------------------------------------------------------


def test_changes_in_one_municipality_never_touch_anothers_rows_or_chain(
    tenants: Tenants, engine: Engine
) -> None:
    app = tenants.app
    before_a = tenant_rows(engine, tenants.a)
    child = a_person(
        given="桃子",
        kana=("サトウ", "モモコ"),
        relationship="子",
        born="2026-11-01",
        sex=Sex.FEMALE,
    )
    app.register.record_change(
        tenants.b,
        Birth(header=a_header(), child=child, household_number=HouseholdNumber(tenants.household)),
    )
    app.register.record_change(tenants.b, move_in(a_foreign_person(), lot="九丁目9番"))
    app.register.save_draft(tenants.b, move_in(a_person(name="鈴木", kana=("スズキ", "イチロウ"))))
    assert tenant_rows(engine, tenants.a) == before_a
    assert app.register.verify_chain(tenants.a) == 2
    assert app.register.verify_chain(tenants.b) == 3
    with SqlUnitOfWork(engine, tenants.b) as uow:
        first_b = uow.journal.journal(limit=1)[0]
    assert first_b.prev_hash == GENESIS_HASH  # B's chain starts afresh, not from A's head


def test_idempotency_keys_belong_to_one_municipality(tenants: Tenants) -> None:
    app = tenants.app
    command = move_in(a_person(name="鈴木", kana=("スズキ", "イチロウ")))
    in_a = app.register.record_change(tenants.a, command, idempotency_key="shared-key")
    in_b = app.register.record_change(tenants.b, command, idempotency_key="shared-key")
    assert (in_a.replayed, in_b.replayed) == (False, False)
    assert in_a.event_id != in_b.event_id
    assert (in_a.seq, in_b.seq) == (3, 2)


def test_an_event_or_a_draft_of_another_municipality_is_not_found(tenants: Tenants) -> None:
    app = tenants.app
    with SqlUnitOfWork(app.engine, tenants.a) as uow:
        event_id = uow.journal.journal()[0].event_id
    with pytest.raises(NotFound) as no_event:
        app.register.record_change(tenants.b, Cancel(header=a_header(), event_id=event_id))
    assert no_event.value.code == "cancel.event_not_found"
    with SqlUnitOfWork(app.engine, tenants.b) as uow:
        assert uow.journal.entry(event_id) is None  # nor is it read for a notice
    draft = app.register.save_draft(
        tenants.a, move_in(a_person(name="鈴木", kana=("スズキ", "イチロウ")))
    )
    for act in (
        lambda: app.register.approve_draft(tenants.b, draft.draft_id),
        lambda: app.register.discard_draft(tenants.b, draft.draft_id),
        lambda: app.register.update_draft(tenants.b, draft.draft_id, move_in(a_person())),
    ):
        with pytest.raises(NotFound) as no_draft:
            act()
        assert no_draft.value.code == "draft.not_found"
    assert app.register.drafts(tenants.b) == []
    assert [d.draft_id for d in app.register.drafts(tenants.a)] == [draft.draft_id]


# --- every statement names its tenant ------------------------------------------------------------


@dataclass
class Statement:
    sql: str
    parameters: Any


@pytest.fixture
def statements(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Statement]]:
    """Every statement sent: through SQLAlchemy, and the hot path's plain SQL (``RawSql``)."""
    seen: list[Statement] = []

    def capture(
        conn: Any, cursor: Any, sql: str, parameters: Any, context: Any, executemany: bool
    ) -> None:
        seen.append(Statement(sql, parameters))

    def spy(method: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(method)
        def wrapper(self: RawSql, sql: str, parameters: Any) -> Any:
            parameters = list(parameters) if not isinstance(parameters, dict) else parameters
            seen.append(Statement(sql, parameters))
            return method(self, sql, parameters)

        return wrapper

    for name in ("execute", "many", "one", "all"):
        monkeypatch.setattr(RawSql, name, spy(getattr(RawSql, name)))
    event.listen(engine, "before_cursor_execute", capture)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", capture)


#: The register's repositories (one per port), whose every public method the test exercises.
REGISTER_REPOSITORIES = (
    SqlJournal,
    SqlDrafts,
    SqlRegisterReadModel,
    SqlRegisterImport,
    SqlTownAreas,
    SqlCardStatuses,
    SqlNumberLink,
    SqlCardDestinations,
)


def public_methods(*classes: type) -> set[str]:
    return {
        f"{cls.__name__}.{name}"
        for cls in classes
        for name, method in vars(cls).items()
        if not name.startswith("_") and callable(method)
    }


@pytest.fixture
def repository_calls(monkeypatch: pytest.MonkeyPatch) -> set[str]:
    """Names (``Class.method``) of the repositories' public methods called during the test."""
    called: set[str] = set()

    def spy(name: str, method: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(method)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            called.add(name)
            return method(*args, **kwargs)

        return wrapper

    for cls in REGISTER_REPOSITORIES:
        for name, method in list(vars(cls).items()):
            if not name.startswith("_") and callable(method):
                monkeypatch.setattr(cls, name, spy(f"{cls.__name__}.{name}", method))
    return called


def bound_values(parameters: Any) -> list[Any]:
    """The values bound to a statement: a dict or tuple, or a list of them (executemany)."""
    if isinstance(parameters, dict):
        return list(parameters.values())
    if isinstance(parameters, list | tuple) and all(
        isinstance(p, dict | list | tuple) for p in parameters
    ):
        return [v for p in parameters for v in bound_values(p)]
    return list(parameters)


def test_every_statement_on_a_tenant_table_is_bound_to_the_tenant(
    tenants: Tenants, statements: list[Statement], repository_calls: set[str], tmp_path: Path
) -> None:
    app, a = tenants.app, tenants.a
    statements.clear()
    # Exercise every repository method through the services, on municipality A only.
    head = tenants.atena
    born = app.register.record_change(
        a,
        Birth(
            header=a_header(),
            child=a_person(
                given="太郎", kana=("タカハシ", "タロウ"), relationship="子", born="2026-11-01"
            ),
            household_number=HouseholdNumber(tenants.household),
        ),
        idempotency_key="birth-1",
    )
    app.register.record_change(
        a,
        Correct(
            header=a_header(expected_versions={tenants.household: 3}),
            atena_number=AtenaNumber(head),
            reason=ChangeReason.MINOR_CORRECTION,
            changes=RecordChanges(remarks="確認済"),
        ),
    )
    app.register.record_change(a, Cancel(header=a_header(), event_id=born.event_id))
    app.register.check_change(
        a,
        MoveOut(
            header=a_header(),
            atena_numbers=(AtenaNumber(head),),
            planned_on=a_header().effective_on,
            onward_address=Address.municipality_only("大阪府", "大阪市北区"),
        ),
    )
    draft = app.register.save_draft(a, move_in(a_person(name="鈴木", kana=("スズキ", "イチロウ"))))
    app.register.update_draft(
        a, draft.draft_id, move_in(a_person(name="鈴木", kana=("スズキ", "ジロウ")))
    )
    app.register.approve_draft(a, draft.draft_id)
    other = app.register.save_draft(
        a, move_in(a_person(name="田中", kana=("タナカ", "イチロウ"))), idempotency_key="draft-1"
    )
    app.register.discard_draft(a, other.draft_id)
    app.register.drafts(a)
    app.register.verify_chain(a)
    q = app.queries
    q.current(a, head)
    q.as_of(a, head, TODAY)
    q.household(a, tenants.household)
    q.stats(a)
    for query in ("たかはし", "髙橋", "1975-01-02", "五丁目", head, "AB12345678CD"):
        q.search(a, query)
    assert "霞が関五丁目" in q.town_areas(a, "東京都千代田区", "霞")
    app.layout_export.export(a, str(tmp_path / "export"))  # the whole register, in pages
    with SqlUnitOfWork(app.engine, a) as uow:  # the import's writes, rolled back (A is not empty)
        repo = uow.imports
        assert repo.has_persons()
        record = uow.read_model.current(AtenaNumber(head))
        assert record is not None
        assert uow.read_model.history_events(AtenaNumber(head))  # the 取消し form's choices
        assert uow.read_model.current_of([AtenaNumber(head)]) == [record]  # the queue's names
        last = uow.journal.journal()[-1]
        entry = replace(last, seq=last.seq + 1, event_id=str(uuid.uuid4()), idempotency_key=None)
        snapshot = ImportedSnapshot(
            head, 99, record.household_number.value, TODAY, None, "A1", "A", "resident", "{}", None
        )
        projection = repo.projection_encoder()(record)
        repo.import_snapshots([(entry, snapshot)], [projection])
        repo.import_households([HouseholdRow(HouseholdNumber.from_serial(999).value, 0)])
        repo.advance_sequences(1, 1)
        repo.next_serials()
        repo.live_duplicates()
        with repo.bulk_import():
            repo.has_persons()
        repo.import_suppressions(
            [
                Suppression(
                    municipality_code=a,
                    suppression_id="tenancy-1",
                    kind=SuppressionKind.SUPPRESSION,
                    atena_number=head,
                    household_number=None,
                    processes=frozenset({Process.ISSUE}),
                    level=Severity.ERROR,
                    starts_on=TODAY,
                    ends_on=None,
                    reason="照会中のため",
                    set_by="officer",
                    set_at=datetime(2026, 11, 26, 1, 30, tzinfo=UTC),
                )
            ]
        )
    with SqlUnitOfWork(app.engine, a) as uow:
        household = HouseholdNumber(tenants.household)
        uow.journal.snapshot(AtenaNumber(head), 1)
        uow.read_model.snapshot_on(AtenaNumber(head), TODAY)
        uow.journal.household_pending_removals(household, TODAY)
        uow.read_model.household_pending_removals(household, TODAY)
        uow.journal.household_version(household)
        uow.read_model.household_version(household)
        uow.read_model.household_residents(household)
        uow.read_model.history(AtenaNumber(head))
        assert uow.read_model.latest_snapshots_after(None, 100, include_removed=False, on=TODAY)
        assert uow.journal.feed_head() > 0
        first = uow.journal.journal(limit=1)[0]
        assert uow.journal.entry(first.event_id) == first  # notices read a change by its id
        assert uow.journal.feed_entries(0, 5)[0][1]
        assert uow.read_model.hidden_from_other_systems([head]) == frozenset()
        assert head not in uow.read_model.hidden_atena_numbers()
        code = uow.read_model.current(AtenaNumber(head)).resident_code  # type: ignore[union-attr]
        assert code is not None
        assert uow.read_model.atena_numbers_by_code([code.value, "00000000000"]) == {
            code.value: head
        }
        assert uow.journal.planned_in(0, 100) == {}  # the dates step (services/effective_dates)
        assert uow.journal.due_planned(TODAY) == []
        assert uow.journal.holding_persons(uow.journal.feed_head())  # the last move-in holds
        uow.journal.mark_took_effect(1, 0)  # no such planned change: nothing is written
        assert uow.suppressions.due_feed(TODAY) == []  # settings made in advance (same step)
        assert not uow.journal.anything_due(TODAY)  # both of the above, in one read
        uow.suppressions.mark_feed_told("tenancy-1", 0)  # rolled back with the import above
        assert head in uow.read_model.household_members_ever(household)
        uow.read_model.search(
            SearchCriteria(household_number=tenants.household, individual_number="1" * 12)
        )
        uow.drafts.listed(None)
    with SqlUnitOfWork(app.engine, a) as uow:  # the 町字 master's, rolled back (never committed)
        areas = uow.town_areas
        areas.replace([TownArea("0001001", "2", "霞が関", "五丁目")])
        assert areas.count() == 1 and areas.loaded()
        assert [x.name for x in areas.entries()] == ["霞が関五丁目"]
        assert areas.named("霞が関五丁目") and areas.starting("霞が関", 5)
    cards = SqlCardStatuses(app.engine)  # the cards reported by J-LIS (§7.1.1.3)
    card = CardStatus("12345678901", "my_number", "delivered")
    assert cards.replace(a, [card], datetime(2026, 12, 1, tzinfo=UTC)) == 1
    assert [c for c, _ in cards.listed(a, "12345678901")] == [card]
    assert cards.replace(a, [], datetime(2026, 12, 2, tzinfo=UTC)) == 1  # no longer reported
    assert cards.listed(a) == []
    send_to = SqlCardDestinations(app.engine)  # the 送付先 (§7.1.1.4), with its history
    residence = Address.create(city="千代田区", town_area="神田神保町", lot_text="一丁目1番地")
    set_at = datetime(2026, 12, 1, tzinfo=UTC)
    assert send_to.record(a, head, residence, "clerk", set_at, []).version == 1
    assert send_to.current(a, [head]) == {head: residence}
    send_to.send(a, [], set_at)
    assert [v.address for v in send_to.history(a, head)] == [residence]
    with SqlUnitOfWork(app.engine, a) as uow:  # 番号連携 (§7.1.2, §4.3.1), rolled back
        link = uow.number_link
        assert (
            link.stock_add(
                ["12345678901", "12345678912"], datetime(2026, 11, 26, 1, 30, tzinfo=UTC)
            )
            == 2
        )
        assert link.stock_size() == 2 and link.stock_code_at(1) == "12345678912"
        ((taken_at, left, low, high),) = link.stock_batches()
        assert (left, low, high) == (2, "12345678901", "12345678912")
        assert taken_at == datetime(2026, 11, 26, 1, 30, tzinfo=UTC)
        assert link.stock_take("12345678901") and not link.stock_take("12345678901")
        link.add_record(
            NumberLinkRecord(
                "tenancy-r",
                head,
                "fugo",
                "ok",
                "F",
                "",
                datetime(2026, 11, 26, 1, 30, tzinfo=UTC),
                "clerk",
            )
        )
        assert [r.request_id for r in link.records(head)] == ["tenancy-r"]
    # new_resident_code is the service's job (drawn at random), the journal refuses it.
    assert public_methods(*REGISTER_REPOSITORIES) - repository_calls == {
        "SqlJournal.new_resident_code"
    }

    tenant_statements = [s for s in statements if _TENANT_TABLES.search(s.sql)]
    assert len(tenant_statements) > 50
    for s in tenant_statements:
        sql = " ".join(s.sql.split())
        verb = sql.split(" ", 1)[0].upper()
        if verb == "INSERT":
            assert "municipality_code" in sql.split("VALUES", 1)[0], sql
        else:
            assert verb in ("SELECT", "UPDATE", "DELETE"), sql
            assert "municipality_code" in sql.split(" WHERE ", 1)[1], sql
        values = bound_values(s.parameters)
        assert a in values, sql
        assert tenants.b not in values, sql


def test_card_destinations_are_each_municipalitys_own(tenants: Tenants) -> None:
    send_to = SqlCardDestinations(tenants.app.engine)
    residence = Address.create(city="千代田区", lot_text="一丁目1番地")
    at = datetime(2026, 12, 1, tzinfo=UTC)
    send_to.record(tenants.a, "0000000019", residence, "clerk", at, [])
    assert send_to.history(tenants.b, "0000000019") == []
    assert send_to.current(tenants.b, ["0000000019"]) == {}
    assert send_to.record(tenants.b, "0000000019", None, "clerk", at, []).version == 1
    assert send_to.current(tenants.a, ["0000000019"]) == {"0000000019": residence}


def test_card_statuses_are_each_municipalitys_own(tenants: Tenants) -> None:
    cards = SqlCardStatuses(tenants.app.engine)
    at = datetime(2026, 12, 1, tzinfo=UTC)
    cards.replace(tenants.a, [CardStatus("12345678901", "juki", "suspended")], at)
    assert cards.listed(tenants.b) == [] and cards.listed(tenants.b, "12345678901") == []
    assert cards.replace(tenants.b, [], at) == 0  # B's pull never drops A's cards
    assert [c.status for c, _ in cards.listed(tenants.a)] == ["suspended"]


# --- unknown and malformed municipalities --------------------------------------------------------


def test_an_unknown_municipality_is_not_found(app: App) -> None:
    first5 = "47999"
    unknown = first5 + municipality_check_digit(first5)
    for ask in (
        lambda: app.municipalities.get(unknown),
        lambda: app.register.record_change(unknown, move_in(a_person())),
        lambda: app.register.check_change(unknown, move_in(a_person())),
        lambda: app.register.save_draft(unknown, move_in(a_person())),
        lambda: app.register.drafts(unknown),
        lambda: app.register.verify_chain(unknown),
        lambda: app.queries.search(unknown, "たかはし"),
        lambda: app.queries.current(unknown, AtenaNumber.from_serial(1).value),
        lambda: app.queries.stats(unknown),
    ):
        with pytest.raises(NotFound) as refused:
            ask()
        assert refused.value.code == "municipality.not_found"
        assert refused.value.field == "municipality_code"


def test_a_municipality_code_with_a_wrong_check_digit_is_refused(app: App) -> None:
    first5 = "13101"
    right = municipality_check_digit(first5)
    wrong = str((int(right) + 1) % 10)
    with pytest.raises(InvalidValue) as refused:
        app.municipalities.add(first5 + wrong, "千代田区")
    assert refused.value.code == "municipality_code.check_digit"
    assert all(m.code != first5 + wrong for m in app.municipalities.all())

    with pytest.raises(InvalidValue) as get_refused:
        app.municipalities.get(first5 + wrong)
    assert get_refused.value.code == "municipality_code.check_digit"


def test_a_municipality_cannot_be_added_twice(app: App) -> None:
    code = a_municipality(app, "43", "試験郡")
    with pytest.raises(DomainError) as refused:
        app.municipalities.add(code, "同名市")
    assert refused.value.code == "municipality.exists"
    assert app.municipalities.get(code).name.startswith("試験郡")


def test_the_cs_inbox_keeps_each_municipality_to_itself_and_each_message_once(
    tenants: Tenants,
) -> None:
    from jichitai.adapters.db.cs_inbox_store import SqlCsInbox
    from jichitai.services.ports import CsDelivery

    app, a, b = tenants.app, tenants.a, tenants.b
    inbox, now = SqlCsInbox(app.engine), datetime(2026, 11, 20, 3, tzinfo=UTC)
    body = '{"resident_code": "12345678901", "name": "髙橋　一郎"}'
    first = CsDelivery(7, "CS-271004-00000001", "271004", 3, 0, "転出証明書情報", body)
    assert inbox.last_relay_id(a) == 0
    assert inbox.add(a, [first], now) == 1
    # Fetched again, or relayed again under another number: still one row.
    assert inbox.add(a, [first, replace(first, relay_id=8)], now) == 0
    assert inbox.last_relay_id(a) == 7 and inbox.last_relay_id(b) == 0
    (row,) = inbox.listed(a)
    assert (row.status, row.resident_code, row.name) == ("new", "12345678901", "髙橋　一郎")
    assert inbox.listed(b) == [] and inbox.listed(a, "used") == []
    assert inbox.listed(a, kind="転入通知情報") == []
    assert not inbox.mark(b, 7, "used", "draft:x", now, expected="new")  # not B's
    assert inbox.mark(a, 7, "used", "draft:x", now, expected="new")
    assert not inbox.mark(a, 7, "used", "draft:y", now, expected="new")  # once
    assert [r.note for r in inbox.listed(a, "used")] == ["draft:x"]
