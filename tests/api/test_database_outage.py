"""A database that goes away (a failover, a restart) is answered with 503 ``database.unavailable``
and ``Retry-After``, not with an internal error; a pooled connection the server closed meanwhile
is replaced before it is used (``pool_pre_ping``). PostgreSQL only: its server can be made to
close connections (``pg_terminate_backend``) as a failover does.
"""

from __future__ import annotations

import socket
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from jichitai.adapters.db.engine import create_engine_for, is_sqlite
from jichitai.adapters.db.unit_of_work import SqlUnitOfWork
from jichitai.bootstrap import App
from jichitai.domain.access.roles import Role
from jichitai.domain.errors import Unavailable
from jichitai.entrypoints.server import create_app
from tests.api.conftest import PASSWORD, Tenant, auth, error_codes
from tests.apps import wire


@pytest.fixture
def postgresql(clean_db: Engine) -> Engine:
    if is_sqlite(clean_db):
        pytest.skip("PostgreSQL only: runs in the PostgreSQL pass (scripts/with-postgres.sh)")
    return clean_db


def close_other_connections(engine: Engine) -> int:
    """As a failover does to the old primary's clients: the server ends every other session of
    the database (from a connection of its own, outside the engine's pool)."""
    dsn = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchone()
    assert row is not None
    return int(row[0])


def a_closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_connections_the_server_closed_are_replaced_before_use(
    postgresql: Engine, client: TestClient, tenant: Tenant
) -> None:
    clerk = auth(client, tenant.login(Role.CLERK))
    url = f"/api/v1/residents/{tenant.atena_numbers[0]}"
    assert client.get(url, headers=clerk).status_code == 200
    assert close_other_connections(postgresql) >= 1  # the pool's idle connection among them
    again = client.get(url, headers=clerk)
    assert again.status_code == 200, again.text


def test_a_connection_lost_mid_transaction_is_unavailable_and_nothing_is_left_open(
    postgresql: Engine, app: App, tenant: Tenant
) -> None:
    with pytest.raises(Unavailable) as refused, SqlUnitOfWork(postgresql, tenant.code) as uow:
        close_other_connections(postgresql)
        uow.users.get(tenant.login(Role.CLERK))
    assert refused.value.code == "database.unavailable"
    assert refused.value.retry_after_seconds >= 1
    # The next unit of work gets a working connection.
    with SqlUnitOfWork(postgresql, tenant.code) as uow:
        assert uow.users.get(tenant.login(Role.CLERK)) is not None


def test_no_server_to_connect_to_is_a_503_with_a_code_and_retry_after(
    postgresql: Engine, tenant: Tenant, tmp_path: Path
) -> None:
    gone = postgresql.url.set(host="127.0.0.1", port=a_closed_port(), query={})
    engine = create_engine_for(gone.render_as_string(hide_password=False))
    try:
        with TestClient(
            create_app(wire(engine, tmp_path / "keys")), raise_server_exceptions=False
        ) as c:
            answer = c.post(
                "/api/v1/auth/token",
                data={"username": tenant.login(Role.CLERK), "password": PASSWORD},
            )
    finally:
        engine.dispose()
    assert answer.status_code == 503, answer.text
    assert error_codes(answer) == ["database.unavailable"]
    assert "データベース" in answer.json()["errors"][0]["message"]
    assert int(answer.headers["Retry-After"]) >= 1
