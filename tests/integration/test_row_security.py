"""Database roles and row-level security (PostgreSQL only; migration 0022, ADR 0014).

The application's login (a member of ``jichitai_app``) has no DDL, cannot change the journal,
the access log or the seal journal, and sees and writes only the rows of the municipality its
transaction names: a deliberately unscoped query stays in its tenant. The auditor's login reads
the access log and nothing else. The application itself runs unchanged as ``jichitai_app``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ProgrammingError

from jichitai.adapters.db import tables as t
from jichitai.adapters.db.certificate_store import SqlIssueCodes
from jichitai.adapters.db.cs_outbox_store import SqlCsOutbox
from jichitai.adapters.db.engine import create_engine_for, is_sqlite
from jichitai.adapters.db.outbox_store import SqlOutboxQueue
from jichitai.adapters.db.user_directory import SqlStaffLogins
from jichitai.bootstrap import App
from jichitai.domain.access.actor import Actor
from jichitai.domain.access.roles import Role
from jichitai.domain.common.identifiers import AtenaNumber
from jichitai.domain.residents.commands import Correct, RecordChanges
from jichitai.domain.residents.reasons import ChangeReason
from jichitai.services.login import Where
from tests.apps import wire
from tests.factories import a_header, a_municipality, a_person, an_administrator
from tests.integration.test_tenancy import move_in

APP_LOGIN = "rls_test_app"
AUDITOR_LOGIN = "rls_test_auditor"
ACCESS_LOG = {"access_log", "access_log_persons", "access_log_heads"}
LOOKED_UP = {
    "staff_users",
    "subscribers",
    "certificate_issues",
    "webhook_outbox",
    "cs_outbox",
    "cs_manual",
}
APPEND_ONLY = {"journal", "access_log", "access_log_persons", "seal_events"}
# What the application may do to each table (migrations 0002-0032).
SIUD = {"SELECT", "INSERT", "UPDATE", "DELETE"}
APP_GRANTS = {
    **{table.name: SIUD for table in t.metadata.sorted_tables},
    **{name: {"SELECT", "INSERT"} for name in APPEND_ONLY},
    "certificate_issues": {"SELECT", "INSERT"},
    "certificate_disposals": {"SELECT", "INSERT"},
    "card_destinations": {"SELECT", "INSERT"},  # 送付先 (0032): each change a new version
    "seal_heads": {"SELECT", "INSERT", "UPDATE"},
    "seal_registrations": {"SELECT", "INSERT", "UPDATE"},
    "alembic_version": {"SELECT"},
    # The shard catalog (0024): read to route, changed only by the operator's commands.
    "shards": {"SELECT"},
    "shard_assignments": {"SELECT"},
}


@pytest.fixture(scope="module")
def logins(engine: Engine) -> Iterator[tuple[Engine, Engine]]:
    """Engines logged in as a member of ``jichitai_app`` and of ``jichitai_auditor``."""
    if is_sqlite(engine):
        pytest.skip("roles and row-level security are PostgreSQL's")
    with engine.begin() as conn:
        for login, group in ((APP_LOGIN, "jichitai_app"), (AUDITOR_LOGIN, "jichitai_auditor")):
            conn.exec_driver_sql(f"DROP ROLE IF EXISTS {login}")
            conn.exec_driver_sql(f"CREATE ROLE {login} LOGIN IN ROLE {group}")
    url = make_url(engine.url)
    made = [
        create_engine_for(url.set(username=login).render_as_string(hide_password=False))
        for login in (APP_LOGIN, AUDITOR_LOGIN)
    ]
    yield made[0], made[1]
    for one in made:
        one.dispose()
    with engine.begin() as conn:
        for login in (APP_LOGIN, AUDITOR_LOGIN):
            conn.exec_driver_sql(f"DROP ROLE {login}")


def acting_for(conn: Connection, code: str) -> None:
    conn.execute(text("SELECT set_config('jichitai.municipality', :c, true)"), {"c": code})


def codes_seen(conn: Connection, table: str) -> list[str]:
    """Every row's municipality, read with no WHERE at all."""
    return [r[0] for r in conn.execute(text(f"SELECT municipality_code FROM {table}"))]


@pytest.fixture
def two(clean_db: Engine, app: App) -> tuple[str, str]:
    """Municipalities A and B, each with a person, a correction, a subscriber that read the
    feed (journal, register, outbox, access log rows of both)."""
    made = []
    for prefix in ("44", "45"):
        code = a_municipality(app, prefix, "壁村")
        head = app.register.record_change(code, move_in(a_person())).atena_numbers[0]
        credentials = app.subscribers.add(
            an_administrator(code),
            name="国保システム",
            system="national_health_insurance",
            items=["氏_日本人", "住民状態"],
        )
        app.register.record_change(code, a_correction(head))
        app.integration.changes(credentials.subscriber, "0", 10)
        made.append(code)
    return made[0], made[1]


def a_correction(head: str) -> Correct:
    return Correct(
        header=a_header(),
        atena_number=AtenaNumber(head),
        reason=ChangeReason.MINOR_CORRECTION,
        changes=RecordChanges(remarks="備考"),
    )


def test_every_tenant_table_has_row_security_and_the_directory_has_none(
    logins: tuple[Engine, Engine], engine: Engine
) -> None:
    with engine.connect() as conn:
        flags = {
            name: (on, forced)
            for name, on, forced in conn.execute(
                text(
                    "SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class"
                    " WHERE relnamespace = current_schema()::regnamespace AND relkind = 'r'"
                )
            )
        }
        policies = {
            (table, name): (roles, command, qual)
            for table, name, roles, command, qual in conn.execute(
                text(
                    "SELECT tablename, policyname, roles::text[], cmd, qual FROM pg_policies"
                    " WHERE schemaname = current_schema()"
                )
            )
        }
    tenant = {table.name for table in t.tenant_tables()}
    assert {name for name, (on, _) in flags.items() if on} == tenant
    assert not any(forced for _, forced in flags.values())  # the owner migrates everything
    for name in tenant:
        roles, command, qual = policies[(name, "tenant")]
        expected = {"jichitai_app", "jichitai_auditor"} if name in ACCESS_LOG else {"jichitai_app"}
        assert (set(roles), command) == (expected, "ALL")
        assert "current_setting('jichitai.municipality'::text, true)" in qual
    assert {table for table, name in policies if name == "lookup"} == LOOKED_UP
    for name in LOOKED_UP:
        assert policies[(name, "lookup")][:2] == (["jichitai_app"], "SELECT")


def test_the_application_has_dml_only_and_the_auditor_reads_the_access_log_only(
    logins: tuple[Engine, Engine], engine: Engine
) -> None:
    def granted(conn: Connection, role: str) -> dict[str, set[str]]:
        found: dict[str, set[str]] = {}
        for table, privilege in conn.execute(
            text(
                "SELECT table_name, privilege_type FROM information_schema.role_table_grants"
                " WHERE grantee = :r AND table_schema = current_schema()"
            ),
            {"r": role},
        ):
            found.setdefault(table, set()).add(privilege)
        return found

    with engine.connect() as conn:
        assert granted(conn, "jichitai_app") == APP_GRANTS
        assert granted(conn, "jichitai_auditor") == {name: {"SELECT"} for name in ACCESS_LOG}
        for role in ("jichitai_app", "jichitai_auditor"):
            assert not conn.execute(
                text("SELECT has_schema_privilege(:r, current_schema(), 'CREATE')"), {"r": role}
            ).scalar()


def test_an_unscoped_query_sees_only_the_acting_municipalitys_rows(
    logins: tuple[Engine, Engine], engine: Engine, two: tuple[str, str]
) -> None:
    a, b = two
    app_engine, _ = logins
    with engine.connect() as conn:  # the owner sees both municipalities
        everything = {table.name: codes_seen(conn, table.name) for table in t.tenant_tables()}
    for name in ("journal", "resident_history", "residents", "access_log", "subscribers"):
        assert {a, b} <= set(everything[name]), name
    with app_engine.connect() as conn:
        for table in t.tenant_tables():
            with conn.begin():
                acting_for(conn, a)
                assert codes_seen(conn, table.name) == [
                    c for c in everything[table.name] if c == a
                ], table.name
            with conn.begin():  # a transaction that names no municipality sees nothing
                assert codes_seen(conn, table.name) == [], table.name
        with conn.begin():  # nor does one whose setting was left over (it ended)
            acting_for(conn, a)
        assert codes_seen(conn, "resident_history") == []
        conn.rollback()


def test_rows_of_another_municipality_cannot_be_written(
    logins: tuple[Engine, Engine], two: tuple[str, str]
) -> None:
    a, b = two
    app_engine, _ = logins
    with app_engine.connect() as conn:
        with conn.begin():
            acting_for(conn, a)
            changed = conn.execute(text("UPDATE residents SET status = status")).rowcount
            assert changed == codes_seen(conn, "residents").count(a) > 0  # A's rows only
        with conn.begin(), pytest.raises(ProgrammingError, match="row-level security"):
            acting_for(conn, a)
            conn.execute(
                text(
                    "INSERT INTO id_sequences (municipality_code, name, next_value)"
                    " VALUES (:b, 'wall', 1)"
                ),
                {"b": b},
            )
        with conn.begin(), pytest.raises(ProgrammingError, match="row-level security"):
            acting_for(conn, a)  # nor moved to another municipality
            conn.execute(text("UPDATE residents SET municipality_code = :b"), {"b": b})


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE journal SET reason = reason",
        "DELETE FROM journal",
        "DELETE FROM access_log",
        "UPDATE seal_events SET seq = seq",
        "UPDATE alembic_version SET version_num = version_num",
        "CREATE TABLE wall (id int)",
        "ALTER TABLE residents ADD COLUMN wall int",
        "DROP TABLE town_areas",
        "TRUNCATE journal",
    ],
)
def test_the_application_cannot_change_history_or_the_schema(
    logins: tuple[Engine, Engine], two: tuple[str, str], statement: str
) -> None:
    a, _ = two
    app_engine, _ = logins
    with app_engine.connect() as conn, conn.begin():
        acting_for(conn, a)
        with pytest.raises(ProgrammingError, match=r"permission denied|must be owner"):
            conn.execute(text(statement))


def test_the_auditor_reads_the_access_log_and_nothing_else(
    logins: tuple[Engine, Engine], engine: Engine, two: tuple[str, str]
) -> None:
    a, _ = two
    _, auditor = logins
    with engine.connect() as conn:
        own = [c for c in codes_seen(conn, "access_log") if c == a]
    with auditor.connect() as conn:
        with conn.begin():
            acting_for(conn, a)
            assert codes_seen(conn, "access_log") == own != []
            assert set(codes_seen(conn, "access_log_persons")) <= {a}
            assert codes_seen(conn, "access_log_heads") == [a]
        for table in ("journal", "residents", "staff_users", "municipalities"):
            with conn.begin(), pytest.raises(ProgrammingError, match="permission denied"):
                acting_for(conn, a)
                conn.execute(text(f"SELECT * FROM {table}"))
        with conn.begin(), pytest.raises(ProgrammingError, match="permission denied"):
            conn.execute(text("INSERT INTO access_log_heads VALUES (:a, 0, '')"), {"a": a})


def test_the_application_works_as_jichitai_app(
    logins: tuple[Engine, Engine], clean_db: Engine, tmp_path: Path
) -> None:
    app = wire(logins[0], tmp_path / "keys")
    code = a_municipality(app, "47", "壁町")
    other = a_municipality(app, "47", "壁町")
    head = app.register.record_change(code, move_in(a_person())).atena_numbers[0]
    app.register.record_change(other, move_in(a_person()))
    credentials = app.subscribers.add(
        an_administrator(code),
        name="国保システム",
        system="national_health_insurance",
        items=["氏_日本人", "住民状態"],
        webhook_url="https://93.184.216.34/hook",  # never called: no worker runs here
    )
    recorded = app.register.record_change(code, a_correction(head))
    assert app.queries.current(code, head).remarks == "備考"
    subscriber = app.integration.authenticate(credentials.api_key)  # looked up by its key
    page = app.integration.changes(subscriber, str(recorded.seq - 1), 10)
    assert page.next_cursor == str(recorded.seq) and len(page.changes) == 1
    # The reads that search every municipality (read only, one table each).
    due = SqlOutboxQueue(logins[0]).due(datetime(2100, 1, 1, tzinfo=UTC), 10)
    assert due == [(code, subscriber.subscriber_id)]
    app.users.add(code, "rls-clerk", "correct horse battery staple", [Role.CLERK])
    (clerk,) = SqlStaffLogins(logins[0]).with_login("rls-clerk")
    assert clerk.municipality_code == code
    logged_in = app.logins.log_in("rls-clerk", "correct horse battery staple", Where("127.0.0.1"))
    assert logged_in.user.municipality_code == code
    assert SqlIssueCodes(logins[0]).municipality_of("0000-0000-0000") is None
    # The CS queue's look-up passes over a municipality switched to manual (cs_manual, 0026).
    later = datetime(2100, 1, 1, tzinfo=UTC)
    assert sorted(SqlCsOutbox(logins[0]).due(later, 10)) == sorted([code, other])
    app.cs_ops.pause(Actor("rls-reviewer", other, frozenset({Role.REVIEWER})), None)
    assert SqlCsOutbox(logins[0]).due(later, 10) == [code]
    assert SqlCsOutbox(logins[0]).claim(other, later, later) is None
