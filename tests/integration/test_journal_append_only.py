"""The 異動 journal is append-only in the database itself (migration 0016), as the access log
and the seal journal are: every connection's UPDATE and DELETE of an entry is refused (and on
PostgreSQL TRUNCATE, and the application role has no right to them), while recording changes
and ``jichitai journal verify`` work as before."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, insert, select, text
from sqlalchemy.exc import DBAPIError

from jichitai.adapters.db import tables as t
from jichitai.adapters.db.engine import is_sqlite
from jichitai.bootstrap import App
from jichitai.domain.access.actor import Actor, Forbidden
from jichitai.domain.access.roles import Role
from jichitai.domain.residents.commands import MoveIn
from tests.factories import a_header, a_municipality, a_person, a_previous_address, an_address

BIN = Path(__file__).resolve().parents[2] / ".venv" / "bin" / "jichitai"


@pytest.fixture
def random_seed() -> int:
    return 20261207


@pytest.fixture
def code(app: App) -> str:
    code = a_municipality(app, "47", "台帳市")
    for name, kana in (("高橋", "タカハシ"), ("佐藤", "サトウ"), ("鈴木", "スズキ")):
        app.register.record_change(
            code,
            MoveIn(
                header=a_header(),
                members=(a_person(name=name, kana=(kana, "イチロウ")),),
                address=an_address(),
                previous_address=a_previous_address(),
            ),
        )
    return code


def _refused(engine: Engine, sql: str, params: dict[str, Any]) -> DBAPIError:
    with engine.connect() as conn, pytest.raises(DBAPIError) as refused:
        conn.execute(text(sql), params)
    return refused.value


def _entries(engine: Engine, code: str) -> list[tuple[int, str, str]]:
    j = t.journal.c
    with engine.connect() as conn:
        rows = conn.execute(
            select(j.seq, j.operator, j.entry_hash)
            .where(j.municipality_code == code)
            .order_by(j.seq)
        ).all()
    return [(r.seq, r.operator, r.entry_hash) for r in rows]


def _journal_verify(
    database_url: str, code: str, tmp_path: Path
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "JICHITAI_DATABASE_URL": database_url, "JICHITAI_KEY_DIR": str(tmp_path)}
    return subprocess.run(
        [str(BIN), "journal", "verify", "-m", code, "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE journal SET operator = '職員9999' WHERE municipality_code = :mc AND seq = 2",
        "UPDATE journal SET payload = '{}' WHERE municipality_code = :mc",
        "DELETE FROM journal WHERE municipality_code = :mc AND seq = 3",
        "DELETE FROM journal WHERE municipality_code = :mc",
    ],
)
def test_the_database_refuses_to_change_or_remove_journal_entries(
    app: App, engine: Engine, database_url: str, code: str, sql: str, tmp_path: Path
) -> None:
    before = _entries(engine, code)
    assert [seq for seq, _, _ in before] == [1, 2, 3]
    refused = _refused(engine, sql, {"mc": code})
    assert "journal is append-only" in str(refused.orig)
    if not is_sqlite(engine):
        assert getattr(refused.orig, "sqlstate", None) == "42501"  # insufficient_privilege
    assert _entries(engine, code) == before
    assert app.register.verify_chain(code) == 3
    verified = _journal_verify(database_url, code, tmp_path)
    assert verified.returncode == 0, verified.stderr
    assert json.loads(verified.stdout) == {"municipality_code": code, "entries": 3, "chain": "ok"}


def test_recording_goes_on_after_a_refused_edit(app: App, engine: Engine, code: str) -> None:
    _refused(engine, "DELETE FROM journal WHERE municipality_code = :mc", {"mc": code})
    app.register.record_change(
        code,
        MoveIn(
            header=a_header(),
            members=(a_person(name="田中", kana=("タナカ", "イチロウ")),),
            address=an_address(),
            previous_address=a_previous_address(),
        ),
    )
    assert app.register.verify_chain(code) == 4


def test_postgresql_refuses_truncate_of_the_journal(app: App, engine: Engine, code: str) -> None:
    if is_sqlite(engine):
        pytest.skip("SQLite has no TRUNCATE")
    refused = _refused(engine, "TRUNCATE journal CASCADE", {})
    assert "journal is append-only" in str(refused.orig)
    assert app.register.verify_chain(code) == 3


def test_the_application_role_may_append_to_the_journal_but_not_change_it(
    engine: Engine, code: str
) -> None:
    if is_sqlite(engine):
        pytest.skip("database roles exist on PostgreSQL only")
    j = t.journal.c
    with engine.begin() as conn:
        conn.exec_driver_sql("GRANT USAGE ON SCHEMA public TO jichitai_app")
        row = (
            conn.execute(select(t.journal).where(j.municipality_code == code, j.seq == 3))
            .one()
            ._asdict()
        )
    with engine.connect() as conn:
        conn.begin()
        conn.exec_driver_sql("SET LOCAL ROLE jichitai_app")
        # the municipality the transaction acts for (row-level security, migration 0022)
        conn.execute(text("SELECT set_config('jichitai.municipality', :mc, true)"), {"mc": code})
        copy = {**row, "seq": 4, "event_id": "00000000-0000-7000-8000-000000000004"}
        conn.execute(insert(t.journal).values(copy))  # INSERT (and SELECT) stay granted
        for sql in (
            "UPDATE journal SET operator = 'x' WHERE municipality_code = :mc",
            "DELETE FROM journal WHERE municipality_code = :mc",
            "TRUNCATE journal",
        ):
            with pytest.raises(DBAPIError) as refused, conn.begin_nested():
                conn.execute(text(sql), {"mc": code})
            assert getattr(refused.value.orig, "sqlstate", None) == "42501", sql
            assert "permission denied" in str(refused.value.orig)
        conn.rollback()


def test_the_journal_is_checked_with_an_auditors_right(app: App, code: str) -> None:
    auditor = Actor("auditor", code, frozenset({Role.AUDITOR}))
    assert app.register_overview.verify_journal(auditor) == 3
    with pytest.raises(Forbidden):
        app.register_overview.verify_journal(Actor("clerk", code, frozenset({Role.CLERK})))
