"""Database fixtures (integration and API tests): one database per session, built by migrations.

``JICHITAI_DATABASE_URL`` set and non-empty (``scripts/with-postgres.sh`` does it) → that
database, whose ``public`` schema is DROPPED and recreated first so every run starts empty
(point it only at a throwaway database). Otherwise a fresh SQLite file per session.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine

from jichitai.adapters.db.engine import create_engine_for, is_sqlite
from jichitai.adapters.db.migrate import upgrade
from jichitai.adapters.db.tables import metadata


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("JICHITAI_DATABASE_URL")
    if url:
        return url
    path: Path = tmp_path_factory.mktemp("db") / "jichitai.db"
    return f"sqlite:///{path}"


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = create_engine_for(database_url)
    if not is_sqlite(engine):
        with engine.begin() as connection:
            connection.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
            connection.exec_driver_sql("CREATE SCHEMA public")
    upgrade(engine)
    yield engine
    engine.dispose()


@contextmanager
def append_only_lifted(connection: Connection) -> Iterator[None]:
    """Within the connection's transaction, the append-only tables (the access log, the seal
    journal…) accept DELETE: for cleaning a test database only (PostgreSQL: the superuser's
    replica mode skips triggers; SQLite: the triggers are dropped and created again in the same
    transaction)."""
    recreate: list[str] = []
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SET LOCAL session_replication_role = replica")
    else:
        triggers = connection.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"
        ).all()
        for name, sql in triggers:
            connection.exec_driver_sql(f"DROP TRIGGER {name}")
            recreate.append(sql)
    yield
    for sql in recreate:
        connection.exec_driver_sql(sql)


def delete_all_rows(engine: Engine) -> None:
    """Empty every table of the register, children before parents (schema stays)."""
    with engine.begin() as connection, append_only_lifted(connection):
        for table in reversed(metadata.sorted_tables):
            connection.execute(table.delete())


@pytest.fixture
def clean_db(engine: Engine) -> Iterator[Engine]:
    """The session's engine on an empty database; emptied again afterwards."""
    delete_all_rows(engine)
    yield engine
    delete_all_rows(engine)
