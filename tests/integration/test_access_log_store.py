"""The access log on the real database (SQLite, and PostgreSQL with JICHITAI_DATABASE_URL).

Entries read back exactly as they were hashed; the database itself refuses to change or remove
them (triggers on both databases, and on PostgreSQL the application role's grants); appends from
many threads leave one dense chain; every statement is scoped to one municipality; an edit that
gets past the database's wall is found by ``verify``; ``jichitai audit verify`` reports both.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import typer
from sqlalchemy import Engine, create_engine, event, insert, select, text
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from jichitai.adapters.clock import SystemIds
from jichitai.adapters.db import tables as t
from jichitai.adapters.db.engine import is_sqlite
from jichitai.adapters.db.unit_of_work import SqlUnitOfWork
from jichitai.bootstrap import App
from jichitai.domain.access.actor import Actor
from jichitai.domain.access.roles import Role
from jichitai.domain.common.identifiers import AtenaNumber
from jichitai.domain.errors import DomainError
from jichitai.entrypoints import cli_audit
from jichitai.services.audit import (
    AccessEntry,
    AccessLog,
    AccessSearch,
    Operation,
    Outcome,
    UserActivity,
)
from jichitai.services.ports import GENESIS_HASH
from tests.factories import a_municipality, an_auditor
from tests.fakes import FixedClock

A1, A2, A3 = (AtenaNumber.from_serial(n).value for n in (1, 2, 3))
WAIT = 60.0  # seconds: an upper bound for the threads to finish, never a sleep


@pytest.fixture
def random_seed() -> int:
    return 17


def access_log(engine: Engine, clock: FixedClock) -> AccessLog:
    """The service on ``engine``, one unit of work a use case (as bootstrap wires it)."""
    return AccessLog(
        lambda code: SqlUnitOfWork(engine, code),
        clock,
        SystemIds(),
        reader_for=lambda code: SqlUnitOfWork(engine, code, snapshot=True),
    )


@pytest.fixture
def log(engine: Engine, clock: FixedClock) -> AccessLog:
    return access_log(engine, clock)


def stored(engine: Engine, code: str) -> list[AccessEntry]:
    with SqlUnitOfWork(engine, code, read_only=True) as uow:
        return list(uow.access_log.entries())


def head(engine: Engine, code: str) -> tuple[int, str]:
    with SqlUnitOfWork(engine, code, read_only=True) as uow:
        return uow.access_log.head()


def indexed(engine: Engine, code: str, after: int, through: int) -> list[tuple[int, str]]:
    with SqlUnitOfWork(engine, code, read_only=True) as uow:
        return list(uow.access_log.indexed_persons(after, through))


@pytest.fixture
def code(app: App) -> str:
    return a_municipality(app, "42", "監査市")


def staff(code: str, login: str = "clerk1", *roles: Role) -> Actor:
    return Actor(
        login=login,
        municipality_code=code,
        roles=frozenset(roles or (Role.CLERK,)),
        terminal="窓口端末03",
        place="本庁舎1階 市民課",
        purpose="住民票の写しの交付（本人請求）",
    )


def auditor(code: str) -> Actor:
    return staff(code, "auditor1", Role.AUDITOR)


# --- appending and reading back ------------------------------------------------------------------


@pytest.mark.spec("10.2")
def test_entries_are_stored_read_back_as_hashed_and_verified(
    log: AccessLog, engine: Engine, clock: FixedClock, code: str
) -> None:
    clock.at = datetime(2026, 11, 26, 1, 2, 3, 456789, tzinfo=UTC)
    written = [
        log.record(
            staff(code, "reviewer1", Role.REVIEWER, Role.CLERK),
            Operation.VIEW,
            atena_numbers=(A1,),
            target="resident.show 髙橋一郎の画面",
            my_number_shown=True,
        ),
        log.record(staff(code), Operation.SEARCH, atena_numbers=(A2, A1, A3), target="kana"),
        log.record(staff(code), Operation.ISSUE, outcome="refused", detail="suppression.blocked"),
        log.record_for_user(code, "clerk2", ["clerk"], Operation.LOGIN_FAILED, outcome="refused"),
    ]
    assert stored(engine, code) == written
    assert head(engine, code) == (4, written[-1].entry_hash)
    assert written[0].prev_hash == GENESIS_HASH
    assert written[0].at == clock.at
    assert written[0].roles == ("clerk", "reviewer")
    assert indexed(engine, code, 0, 4) == [(1, A1), (2, A1), (2, A2), (2, A3)]
    assert log.verify(an_auditor(code)) == 4
    with SqlUnitOfWork(engine, code, read_only=True) as uow:
        assert [e.seq for e in uow.access_log.entries(after_seq=1, limit=2)] == [2, 3]


def test_appending_for_an_unknown_municipality_is_refused(log: AccessLog) -> None:
    with pytest.raises(DomainError) as refused:
        log.record(staff("999999"), Operation.VIEW)
    assert refused.value.code == "municipality.not_found"
    with pytest.raises(DomainError) as unknown:
        log.verify(an_auditor("999999"))
    assert unknown.value.code == "municipality.not_found"


def test_a_failed_append_leaves_neither_entry_nor_head(
    log: AccessLog, engine: Engine, code: str
) -> None:
    log.record(staff(code), Operation.VIEW, atena_numbers=(A1,))

    def broken_build(seq: int, prev_hash: str) -> Any:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError), SqlUnitOfWork(engine, code) as uow:
        uow.access_log.append(broken_build)
    first = stored(engine, code)[0]
    with pytest.raises(ValueError), SqlUnitOfWork(engine, code) as uow:
        uow.access_log.append(lambda seq, prev_hash: first)  # seq 1 again: refused
    assert head(engine, code) == (1, first.entry_hash)
    assert log.verify(an_auditor(code)) == 1


def test_an_entry_appended_in_a_unit_of_work_left_without_commit_is_not_kept(
    log: AccessLog, engine: Engine, code: str
) -> None:
    log.record(staff(code), Operation.VIEW, atena_numbers=(A1,))
    with SqlUnitOfWork(engine, code) as uow:
        log.record_in(uow, staff(code), Operation.VIEW, atena_numbers=(A2,))
    assert [e.atena_numbers for e in stored(engine, code)] == [(A1,)]
    assert indexed(engine, code, 0, 9) == [(1, A1)]
    assert log.verify(an_auditor(code)) == 1


# --- the database's wall ---------------------------------------------------------------------


def _refused_by_the_database(engine: Engine, sql: str, params: dict[str, Any]) -> DBAPIError:
    with engine.connect() as conn, conn.begin():
        with pytest.raises(DBAPIError) as refused:
            conn.execute(text(sql), params)
        conn.rollback()
    return refused.value


@pytest.mark.spec("10.2")
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE access_log SET purpose = '私用' WHERE municipality_code = :mc",
        "UPDATE access_log SET user_login = 'x' WHERE municipality_code = :mc AND seq = 1",
        "DELETE FROM access_log WHERE municipality_code = :mc",
        "UPDATE access_log_persons SET atena_number = '0000000000' WHERE municipality_code = :mc",
        "DELETE FROM access_log_persons WHERE municipality_code = :mc",
    ],
)
def test_the_database_refuses_to_change_or_remove_entries(
    log: AccessLog, engine: Engine, code: str, sql: str
) -> None:
    log.record(staff(code), Operation.VIEW, atena_numbers=(A1,))
    refused = _refused_by_the_database(engine, sql, {"mc": code})
    assert "append-only" in str(refused.orig)
    if not is_sqlite(engine):
        assert getattr(refused.orig, "sqlstate", None) == "42501"  # insufficient_privilege
    assert log.verify(an_auditor(code)) == 1
    assert indexed(engine, code, 0, 1) == [(1, A1)]


def test_postgresql_refuses_truncate_too(log: AccessLog, engine: Engine, code: str) -> None:
    if is_sqlite(engine):
        pytest.skip("SQLite has no TRUNCATE")
    log.record(staff(code), Operation.VIEW, atena_numbers=(A1,))
    for table in t.APPEND_ONLY_TABLES:
        refused = _refused_by_the_database(engine, f"TRUNCATE {table}", {})
        assert "append-only" in str(refused.orig)
    assert log.verify(an_auditor(code)) == 1


def _a_row(code: str, seq: int) -> dict[str, Any]:
    return {
        "municipality_code": code,
        "seq": seq,
        "entry_id": f"00000000-0000-7000-8000-{seq:012d}",
        "at": datetime(2026, 11, 26, tzinfo=UTC),
        "user_login": "clerk1",
        "roles": "clerk",
        "terminal": "",
        "place": "",
        "operation": "view",
        "purpose": "",
        "target": "",
        "atena_numbers": "",
        "person_count": 0,
        "my_number_shown": False,
        "outcome": "ok",
        "detail": "",
        "prev_hash": GENESIS_HASH,
        "entry_hash": GENESIS_HASH,
    }


@pytest.fixture
def app_role(engine: Engine) -> str:
    """The role migration 0002 made for the service (PostgreSQL only), able to reach the schema.

    A schema created with CREATE SCHEMA (as conftest recreates ``public``) grants PUBLIC no
    USAGE, unlike the ``public`` schema of a new database; 0002 grants only table rights.
    """
    if is_sqlite(engine):
        pytest.skip("database roles exist on PostgreSQL only")
    with engine.begin() as conn:
        conn.exec_driver_sql("GRANT USAGE ON SCHEMA public TO jichitai_app")
    return "jichitai_app"


@pytest.mark.spec("10.2")
def test_the_application_role_may_insert_and_select_but_not_update_or_delete(
    engine: Engine, code: str, app_role: str
) -> None:
    with engine.connect() as conn:
        conn.begin()
        conn.exec_driver_sql(f"SET LOCAL ROLE {app_role}")
        # the municipality the transaction acts for (row-level security, migration 0022)
        conn.execute(text("SELECT set_config('jichitai.municipality', :mc, true)"), {"mc": code})
        conn.execute(insert(t.access_log).values(_a_row(code, 1)))
        conn.execute(
            insert(t.access_log_persons).values(municipality_code=code, atena_number=A1, seq=1)
        )
        seqs = select(t.access_log.c.seq).where(t.access_log.c.municipality_code == code)
        assert conn.execute(seqs).all() == [(1,)]
        for sql in (
            "UPDATE access_log SET purpose = 'x' WHERE municipality_code = :mc",
            "DELETE FROM access_log WHERE municipality_code = :mc",
            "UPDATE access_log_persons SET seq = 2 WHERE municipality_code = :mc",
            "DELETE FROM access_log_persons WHERE municipality_code = :mc",
            "TRUNCATE access_log",
        ):
            with pytest.raises(DBAPIError) as refused, conn.begin_nested():
                conn.execute(text(sql), {"mc": code})
            assert getattr(refused.value.orig, "sqlstate", None) == "42501", sql
            assert "permission denied" in str(refused.value.orig)
        conn.rollback()


@pytest.fixture
def app_role_engine(engine: Engine, app_role: str) -> Iterator[Engine]:
    """An engine whose every session runs as the application role (PostgreSQL only)."""
    role_engine = create_engine(engine.url, connect_args={"options": f"-c role={app_role}"})
    yield role_engine
    role_engine.dispose()


def test_the_store_works_with_the_application_roles_rights_alone(
    app_role_engine: Engine, clock: FixedClock, code: str
) -> None:
    with app_role_engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT current_user").scalar() == "jichitai_app"
    log = access_log(app_role_engine, clock)
    log.record(staff(code), Operation.VIEW, atena_numbers=(A1,))
    found = log.search(auditor(code), AccessSearch(atena_number=A1))
    assert [e.operation for e in found] == [Operation.VIEW]
    assert len(log.disclosure(auditor(code), A1)) == 2  # the view and the search
    assert log.verify(an_auditor(code)) == 3  # and the disclosure


# --- tampering past the wall -------------------------------------------------------------------


def _bypassing_the_wall(engine: Engine, sql: str, params: dict[str, Any]) -> None:
    """Run ``sql`` as someone who can switch the triggers off (database owner, superuser)."""
    with engine.begin() as conn:
        if is_sqlite(engine):
            triggers = conn.exec_driver_sql(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"
                " AND tbl_name LIKE 'access_log%'"
            ).all()
            for name, _ in triggers:
                conn.exec_driver_sql(f"DROP TRIGGER {name}")
            conn.execute(text(sql), params)
            for _, create in triggers:
                conn.exec_driver_sql(create)
        else:
            conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
            conn.execute(text(sql), params)


@pytest.mark.spec("10.2")
@pytest.mark.parametrize(
    "sql, named",
    [
        (
            "UPDATE access_log SET user_login = 'someone' WHERE municipality_code = :mc AND seq = 2",
            2,
        ),
        (
            "UPDATE access_log SET my_number_shown = :yes WHERE municipality_code = :mc AND seq = 3",
            3,
        ),
        ("DELETE FROM access_log WHERE municipality_code = :mc AND seq = 2", 2),
        ("DELETE FROM access_log_persons WHERE municipality_code = :mc AND seq = 3", 3),
        (
            "INSERT INTO access_log_persons (municipality_code, atena_number, seq)"
            " VALUES (:mc, :a3, 1)",
            1,
        ),
    ],
)
def test_an_edit_past_the_database_wall_is_found_by_verify(
    log: AccessLog, engine: Engine, code: str, sql: str, named: int
) -> None:
    for atena in (A1, A2, A1):
        log.record(staff(code), Operation.VIEW, atena_numbers=(atena,))
    _bypassing_the_wall(engine, sql, {"mc": code, "yes": True, "a3": A3})
    with pytest.raises(DomainError) as broken:
        log.verify(an_auditor(code))
    assert broken.value.code == "audit.chain_broken"
    assert broken.value.field == "seq"
    assert f"通番 {named}" in broken.value.message


def test_a_forged_index_row_does_not_put_a_person_in_a_search(
    log: AccessLog, engine: Engine, code: str
) -> None:
    log.record(staff(code), Operation.VIEW, atena_numbers=(A1,))
    _bypassing_the_wall(
        engine,
        "INSERT INTO access_log_persons (municipality_code, atena_number, seq) VALUES (:mc, :a, 1)",
        {"mc": code, "a": A2},
    )
    assert log.search(auditor(code), AccessSearch(atena_number=A2)) == []
    # only the auditor's search for A2 concerns A2, not the forged link to the view of A1
    assert [r.operation for r in log.disclosure(auditor(code), A2)] == [Operation.READ_ACCESS_LOG]


# --- concurrency ---------------------------------------------------------------------------------


@pytest.mark.spec("10.2")
def test_concurrent_appends_leave_a_dense_valid_chain(
    log: AccessLog, engine: Engine, code: str
) -> None:
    threads, each = 8, 10
    barrier = threading.Barrier(threads, timeout=WAIT)

    def clerk(n: int) -> list[int]:
        barrier.wait()
        who = staff(code, f"clerk{n}")
        return [
            log.record(who, Operation.VIEW, atena_numbers=(A1, A2) if i % 2 else (A3,)).seq
            for i in range(each)
        ]

    with ThreadPoolExecutor(max_workers=threads) as pool:
        futures = [pool.submit(clerk, n) for n in range(threads)]
        seqs = [seq for f in futures for seq in f.result(timeout=WAIT)]
    assert sorted(seqs) == list(range(1, threads * each + 1))
    assert log.verify(an_auditor(code)) == threads * each
    entries = stored(engine, code)
    assert [e.seq for e in entries] == list(range(1, threads * each + 1))
    assert [e.prev_hash for e in entries[1:]] == [e.entry_hash for e in entries[:-1]]


# --- tenancy -------------------------------------------------------------------------------------


@pytest.fixture
def statements(engine: Engine) -> Iterator[list[tuple[str, Any]]]:
    """Every statement sent while the test runs, with its parameters."""
    sent: list[tuple[str, Any]] = []

    def capture(conn: Any, cursor: Any, statement: str, params: Any, *rest: Any) -> None:
        sent.append((statement, params))

    event.listen(engine, "before_cursor_execute", capture)
    yield sent
    event.remove(engine, "before_cursor_execute", capture)


_ACCESS_TABLES = re.compile(r"\baccess_log(_persons|_heads)?\b")


@pytest.mark.spec("10.2")
def test_each_municipality_searches_verifies_and_analyses_only_its_own_log(
    app: App, log: AccessLog, clock: FixedClock, statements: list[tuple[str, Any]]
) -> None:
    a, b = a_municipality(app, "42", "監査市"), a_municipality(app, "42", "監査町")
    start = clock.at
    log.record(staff(a), Operation.VIEW, atena_numbers=(A1,))
    log.record(staff(b), Operation.SEARCH, atena_numbers=(A1, A2, A3))
    log.record(staff(b), Operation.VIEW, atena_numbers=(A1,))
    log.record_for_user(b, "clerk1", ["clerk"], Operation.LOGIN)
    clock.at += timedelta(minutes=1)
    statements.clear()

    found = log.search(auditor(a), AccessSearch(atena_number=A1))
    assert [(e.municipality_code, e.operation) for e in found] == [(a, Operation.VIEW)]
    assert log.search(auditor(a), AccessSearch(atena_number=A2)) == []
    assert [r.municipality_code for r in log.disclosure(auditor(a), A1)] == [a, a]
    window = (start, start + timedelta(hours=1))
    assert log.mass_searches(auditor(a), *window, threshold=0) == [
        UserActivity("auditor1", 3, 2),  # two searches and a disclosure, for A1 and A2
        UserActivity("clerk1", 1, 1),
    ]
    assert log.logins_per_user(auditor(a), *window) == []
    assert log.logins_per_user(auditor(b), *window) == [UserActivity("clerk1", 1, 0)]
    assert log.verify(an_auditor(a)) == 6  # the view, and 5 reads of the log
    assert log.verify(an_auditor(b)) == 4

    touching = [(s, p) for s, p in statements if _ACCESS_TABLES.search(s)]
    assert touching
    for statement, params in touching:
        assert len(_values(params) & {a, b}) == 1, statement


def _values(params: Any) -> set[Any]:
    """The bound values of a statement (a mapping, a tuple, or a list of either)."""
    if isinstance(params, dict):
        return set(params.values())
    if isinstance(params, (list, tuple)):
        return set().union(*(_values(p) for p in params)) if params else set()
    return {params}


# --- the command line ------------------------------------------------------------------------


@pytest.fixture
def cli(app: App, log: AccessLog, monkeypatch: pytest.MonkeyPatch) -> typer.Typer:
    """``audit`` mounted on a command as ``cli.py`` mounts it, working on the test's app."""
    monkeypatch.setattr(app, "access_log", log)
    monkeypatch.setattr(cli_audit, "_app", lambda: app)
    root = typer.Typer()
    root.add_typer(cli_audit.audit_app, name="audit")
    return root


def test_audit_verify_prints_the_count_and_exits_0(
    cli: typer.Typer, log: AccessLog, code: str
) -> None:
    log.record(staff(code), Operation.VIEW, atena_numbers=(A1,))
    result = CliRunner().invoke(cli, ["audit", "verify", "--municipality", code, "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"municipality_code": code, "entries": 1, "chain": "ok"}
    plain = CliRunner().invoke(cli, ["audit", "verify", "-m", code])
    assert plain.exit_code == 0
    assert "entries: 1" in plain.stdout


@pytest.mark.spec("10.2")
def test_audit_verify_reports_a_broken_chain_on_stderr_and_exits_2(
    cli: typer.Typer, log: AccessLog, engine: Engine, code: str
) -> None:
    log.record(staff(code), Operation.VIEW, atena_numbers=(A1,))
    log.record(staff(code), Operation.VIEW, atena_numbers=(A2,))
    _bypassing_the_wall(
        engine,
        "UPDATE access_log SET purpose = '私用' WHERE municipality_code = :mc AND seq = 2",
        {"mc": code},
    )
    result = CliRunner().invoke(cli, ["audit", "verify", "-m", code, "--json"])
    assert result.exit_code == 2
    assert result.stdout == ""
    (error,) = json.loads(result.stderr)["errors"]
    assert (error["code"], error["field"]) == ("audit.chain_broken", "seq")
    assert "通番 2" in error["message"]


def test_audit_verify_refuses_an_unknown_municipality(cli: typer.Typer) -> None:
    result = CliRunner().invoke(cli, ["audit", "verify", "-m", "131017", "--json"])
    assert result.exit_code == 2
    assert json.loads(result.stderr)["errors"][0]["code"] == "municipality_code.check_digit"


def test_enums_and_lists_are_stored_as_plain_text(
    log: AccessLog, engine: Engine, code: str
) -> None:
    log.record(staff(code), Operation.VIEW, outcome=Outcome.REFUSED, detail="auth.forbidden")
    with engine.connect() as conn:
        row = conn.execute(
            select(t.access_log.c.outcome, t.access_log.c.roles).where(
                t.access_log.c.municipality_code == code
            )
        ).one()
    assert tuple(row) == ("refused", "clerk")
