"""The schema: migrations reach head, agree with tables.py, go down and up again; tenancy keys;
and the engine settings the rest of the system relies on."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, inspect, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError, StatementError

from jichitai.adapters.db import tables
from jichitai.adapters.db.engine import READ_ONLY, create_engine_for, is_sqlite
from jichitai.adapters.db.migrate import (
    alembic_head,
    check_models_match,
    current_revision,
    downgrade,
    head_revision,
    upgrade,
)

TENANT_TABLES = {
    "journal",
    "resident_history",
    "residents",
    "households",
    "drafts",
    "journal_heads",
    "id_sequences",
    "staff_users",
    "staff_sessions",
    "suppressions",
    "access_log",
    "access_log_persons",
    "access_log_heads",
    "subscribers",
    "webhook_outbox",
    "certificate_issues",
    "certificate_disposals",
    "certificate_fees",
    "seal_heads",
    "seal_events",
    "seal_registrations",
    "town_areas",
    "planned_changes",
    "cs_outbox",
    "immigration_inbox",
    "cs_manual",
    "card_statuses",
    "free_resident_codes",
    "number_link_records",
    "cs_inbox",
    "card_destinations",
}
JST = timezone(timedelta(hours=9))


def test_upgrade_reaches_the_newest_migration(engine: Engine) -> None:
    assert head_revision() == "0032"
    assert alembic_head() == head_revision()  # the files' names say what Alembic finds
    assert current_revision(engine) == head_revision()


def test_models_and_migrations_agree(engine: Engine) -> None:
    assert check_models_match(engine) == []


def test_database_has_exactly_the_model_tables(engine: Engine) -> None:
    names = set(inspect(engine).get_table_names())
    assert names == set(tables.metadata.tables) | {"alembic_version"}


def test_every_tenant_table_is_keyed_by_municipality_code_first() -> None:
    assert {t.name for t in tables.tenant_tables()} == TENANT_TABLES
    for table in tables.tenant_tables():
        assert next(iter(table.columns)).name == "municipality_code", table.name
        assert table.primary_key.columns.values()[0].name == "municipality_code", table.name


def test_migrated_tenant_tables_are_keyed_by_municipality_code_first(engine: Engine) -> None:
    inspector = inspect(engine)
    for name in TENANT_TABLES:
        assert inspector.get_columns(name)[0]["name"] == "municipality_code", name
        pk = inspector.get_pk_constraint(name)["constrained_columns"]
        assert pk[0] == "municipality_code", name


@contextmanager
def _separate_database(database_url: str, tmp_path: Path) -> Iterator[Engine]:
    """An empty database apart from the session's: a new SQLite file, or a PostgreSQL schema."""
    if make_url(database_url).get_backend_name() == "sqlite":
        engine = create_engine_for(f"sqlite:///{tmp_path / 'separate.db'}")
        try:
            yield engine
        finally:
            engine.dispose()
        return
    schema = "jichitai_migration_check"
    admin = create_engine_for(database_url)
    with admin.begin() as connection:
        connection.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
    url = make_url(database_url).update_query_dict({"options": f"-csearch_path={schema}"})
    engine = create_engine_for(url.render_as_string(hide_password=False))
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        admin.dispose()


def test_downgrade_to_base_and_upgrade_again(database_url: str, tmp_path: Path) -> None:
    with _separate_database(database_url, tmp_path) as engine:
        assert current_revision(engine) is None
        upgrade(engine)
        assert current_revision(engine) == head_revision()

        downgrade(engine, "base")
        assert current_revision(engine) is None
        assert set(inspect(engine).get_table_names()) == {"alembic_version"}

        upgrade(engine)
        assert current_revision(engine) == head_revision()
        assert check_models_match(engine) == []


def test_drafts_entered_before_revision_0015_get_their_receipt_numbers(
    database_url: str, tmp_path: Path
) -> None:
    with _separate_database(database_url, tmp_path) as engine:
        upgrade(engine, "0012")
        at = datetime(2026, 11, 26, 9, 0, tzinfo=JST)
        with engine.begin() as connection:
            rows = [
                ("131016", "b", at),
                ("131016", "a", at),
                ("131016", "c", at - timedelta(hours=1)),
                ("131024", "d", at),
            ]
            for code, draft_id, created in rows:
                connection.execute(
                    tables.drafts.insert().values(
                        municipality_code=code,
                        draft_id=draft_id,
                        kind="Death",
                        status="pending",
                        command="{}",
                        operator="clerk",
                        created_at=created,
                        updated_at=created,
                        editors="clerk",
                    )
                )
        upgrade(engine)
        with engine.begin() as connection:
            numbers = connection.execute(
                select(tables.drafts.c.municipality_code, tables.drafts.c.draft_id)
                .add_columns(tables.drafts.c.number)
                .order_by(tables.drafts.c.draft_id)
            ).all()
            sequences = connection.execute(
                select(tables.id_sequences.c.municipality_code, tables.id_sequences.c.next_value)
                .where(tables.id_sequences.c.name == "draft")
                .order_by(tables.id_sequences.c.municipality_code)
            ).all()
        assert [tuple(r) for r in numbers] == [
            ("131016", "a", 2),
            ("131016", "b", 3),
            ("131016", "c", 1),
            ("131024", "d", 1),
        ]
        assert [tuple(r) for r in sequences] == [("131016", 4), ("131024", 2)]


def test_changes_recorded_before_their_date_before_revision_0017_are_entered_as_planned(
    database_url: str, tmp_path: Path
) -> None:
    with _separate_database(database_url, tmp_path) as engine:
        upgrade(engine, "0016")
        created = datetime(2026, 4, 1, tzinfo=UTC)
        with engine.begin() as connection:
            connection.execute(
                tables.municipalities.insert(),
                {"code": "131016", "name": "千代田区", "created_at": created},
            )
            connection.execute(
                tables.journal.insert(),
                [
                    _journal_row(seq=1, event_id="e1"),  # dated before it was recorded
                    # recorded 2026-04-03 23:30 in Japan (14:30 UTC), dated the next day
                    _journal_row(
                        seq=2,
                        event_id="e2",
                        effective_on=date(2026, 4, 4),
                        recorded_at=datetime(2026, 4, 3, 14, 30, tzinfo=UTC),
                    ),
                    # recorded 2026-04-04 00:30 in Japan (the 3rd in UTC), dated that day
                    _journal_row(
                        seq=3,
                        event_id="e3",
                        effective_on=date(2026, 4, 4),
                        recorded_at=datetime(2026, 4, 3, 15, 30, tzinfo=UTC),
                    ),
                    _journal_row(seq=4, event_id="e4", effective_on=date(2999, 1, 1)),
                ],
            )
        upgrade(engine)
        with engine.begin() as connection:
            planned = connection.execute(
                select(
                    tables.planned_changes.c.seq,
                    tables.planned_changes.c.effective_on,
                    tables.planned_changes.c.took_effect_seq,
                ).order_by(tables.planned_changes.c.seq)
            ).all()
        # A day already come is marked told (0): the feed cannot tell it on its day any more.
        assert [tuple(r) for r in planned] == [
            (2, date(2026, 4, 4), 0),
            (4, date(2999, 1, 1), None),
        ]


def test_settings_made_before_revision_0021_are_told_only_when_they_begin_later(
    database_url: str, tmp_path: Path
) -> None:
    with _separate_database(database_url, tmp_path) as engine:
        upgrade(engine, "0020")
        created = datetime(2026, 4, 1, tzinfo=UTC)

        def setting(sid: str, kind: str, processes: str, starts_on: date) -> dict[str, Any]:
            return {
                "municipality_code": "131016",
                "suppression_id": sid,
                "kind": kind,
                "atena_number": "0000000001",
                "household_number": None,
                "processes": processes,
                "level": "error",
                "starts_on": starts_on,
                "ends_on": None,
                "reason": "",
                "details": "{}",
                "set_by": "admin",
                "set_at": created,
                "lifted_by": None,
                "lifted_at": None,
                "released_by": None,
                "released_until": None,
                "version": 1,
            }

        later = date(2999, 1, 1)
        with engine.begin() as connection:
            connection.execute(
                tables.municipalities.insert(),
                {"code": "131016", "name": "千代田区", "created_at": created},
            )
            connection.execute(
                tables.suppressions.insert(),
                [
                    setting("begun", "suppression", "feed", date(2026, 4, 1)),
                    setting("feed-later", "suppression", "view,feed", later),
                    setting("dv-later", "dv_support", "issue", later),
                    setting("issue-later", "suppression", "issue", later),
                ],
            )
        upgrade(engine)
        with engine.begin() as connection:
            told = dict(
                connection.execute(
                    select(
                        tables.suppressions.c.suppression_id, tables.suppressions.c.feed_told_seq
                    )
                ).all()
            )
        assert told == {"begun": 0, "feed-later": None, "dv-later": None, "issue-later": 0}


def _journal_row(**overrides: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "municipality_code": "131016",
        "seq": 1,
        "event_id": "00000000-0000-0000-0000-000000000001",
        "idempotency_key": None,
        "kind": "move_in",
        "reason": "move_in",
        "reason_group": "entry",
        "effective_on": date(2026, 4, 1),
        "filed_on": date(2026, 4, 3),
        "recorded_at": datetime(2026, 4, 3, 9, 30, tzinfo=JST),
        "operator": "髙橋",
        "place": "本庁",
        "terminal": "T01",
        "notes": "",
        "ex_officio": False,
        "corrects_event_id": None,
        "payload": "{}",
        "prev_hash": "0" * 64,
        "entry_hash": "1" * 64,
    }
    return row | overrides


def test_journal_requires_a_known_municipality(clean_db: Engine) -> None:
    with pytest.raises(IntegrityError), clean_db.begin() as connection:
        connection.execute(tables.journal.insert(), _journal_row())


def test_idempotency_key_is_unique_per_municipality_and_optional(clean_db: Engine) -> None:
    created = datetime(2026, 4, 1, tzinfo=UTC)
    with clean_db.begin() as connection:
        connection.execute(
            tables.municipalities.insert(),
            [
                {"code": "131016", "name": "千代田区", "created_at": created},
                {"code": "011002", "name": "札幌市", "created_at": created},
            ],
        )
        connection.execute(
            tables.journal.insert(),
            [
                _journal_row(seq=1, event_id="e1", idempotency_key="k"),
                _journal_row(seq=2, event_id="e2"),
                _journal_row(seq=3, event_id="e3"),  # several NULL keys are fine
                _journal_row(municipality_code="011002", event_id="e4", idempotency_key="k"),
            ],
        )
    with pytest.raises(IntegrityError), clean_db.begin() as connection:
        connection.execute(
            tables.journal.insert(), _journal_row(seq=4, event_id="e5", idempotency_key="k")
        )


def test_times_are_stored_and_read_as_aware_utc(clean_db: Engine) -> None:
    at_jst = datetime(2026, 4, 1, 9, 0, 0, 123456, tzinfo=JST)
    with clean_db.begin() as connection:
        connection.execute(
            tables.municipalities.insert(),
            {"code": "131016", "name": "千代田区", "created_at": at_jst},
        )
        read = connection.scalar(select(tables.municipalities.c.created_at))
    assert read == at_jst
    assert read is not None and read.utcoffset() == timedelta(0)
    assert read.hour == 0  # 09:00 JST is 00:00 UTC


def test_naive_times_are_refused(clean_db: Engine) -> None:
    with pytest.raises(StatementError, match="naive datetime"), clean_db.begin() as connection:
        connection.execute(
            tables.municipalities.insert(),
            {"code": "131016", "name": "千代田区", "created_at": datetime(2026, 4, 1)},
        )


def _sqlite_only(engine: Engine) -> Path:
    if not is_sqlite(engine):
        pytest.skip("SQLite engine settings")
    assert engine.url.database is not None
    return Path(engine.url.database)


def test_sqlite_connections_use_wal_and_enforce_foreign_keys(engine: Engine) -> None:
    _sqlite_only(engine)
    with engine.connect() as connection:
        pragma = connection.exec_driver_sql
        assert pragma("PRAGMA journal_mode").scalar() == "wal"
        assert pragma("PRAGMA synchronous").scalar() == 1  # NORMAL
        assert pragma("PRAGMA foreign_keys").scalar() == 1
        assert pragma("PRAGMA busy_timeout").scalar() == 10000


def _other_writer_can_start(path: Path) -> bool:
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError as error:
        assert "locked" in str(error)
        return False
    finally:
        other.close()


def test_sqlite_transactions_take_the_write_lock_when_they_begin(engine: Engine) -> None:
    path = _sqlite_only(engine)
    with engine.connect() as connection, connection.begin():
        assert not _other_writer_can_start(path)
    assert _other_writer_can_start(path)


def test_sqlite_read_only_transactions_do_not_block_writers(engine: Engine) -> None:
    path = _sqlite_only(engine)
    with engine.connect().execution_options(**READ_ONLY) as connection, connection.begin():
        connection.execute(select(tables.municipalities.c.code)).all()
        assert _other_writer_can_start(path)


def _writer_in_another_thread_starts_at_once(engine: Engine) -> bool:
    """Whether another thread of this process can begin a write transaction within 1 s."""
    started = threading.Event()

    def write() -> None:
        with engine.connect() as connection, connection.begin():
            started.set()

    thread = threading.Thread(target=write)
    thread.start()
    began = started.wait(timeout=1)
    thread.join(timeout=15)
    return began


def test_sqlite_writers_of_one_process_queue_on_the_engine_and_every_end_lets_the_next_in(
    engine: Engine,
) -> None:
    _sqlite_only(engine)
    started = threading.Event()

    def write() -> None:
        with engine.connect() as connection, connection.begin():
            started.set()

    with engine.connect() as connection, connection.begin():
        waiting = threading.Thread(target=write)
        waiting.start()
        assert not started.wait(timeout=0.5)  # queued behind this transaction
    waiting.join(timeout=5)
    assert started.is_set()  # let in by the commit
    assert _writer_in_another_thread_starts_at_once(engine)
    with pytest.raises(RuntimeError), engine.connect() as connection, connection.begin():
        raise RuntimeError("refused half-way")
    assert _writer_in_another_thread_starts_at_once(engine)  # after a rollback
    with engine.connect() as connection:  # autobegun, closed without commit
        connection.execute(select(tables.municipalities.c.code)).all()
    assert _writer_in_another_thread_starts_at_once(engine)
    with engine.connect().execution_options(**READ_ONLY) as connection, connection.begin():
        connection.execute(select(tables.municipalities.c.code)).all()
        assert _writer_in_another_thread_starts_at_once(engine)  # readers do not queue


def test_a_writer_gets_the_lock_soon_after_another_process_lets_it_go(engine: Engine) -> None:
    path = _sqlite_only(engine)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sqlite3, sys, time\n"
            f"c = sqlite3.connect({str(path)!r}, isolation_level=None)\n"
            "c.execute('BEGIN IMMEDIATE'); print('held', flush=True)\n"
            "time.sleep(0.5); c.execute('COMMIT')\n",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        started = time.monotonic()
        with engine.begin() as connection:  # BEGIN IMMEDIATE, retried every millisecond
            waited = time.monotonic() - started
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10000
    finally:
        holder.communicate(timeout=10)
    assert waited > 0.2  # it waited for the holder instead of failing with "database is locked"
