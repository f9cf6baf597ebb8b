"""Which database errors mean "the database cannot be reached now" (503 database.unavailable,
``adapters/db/outages.py``) and which stay errors: the errors as psycopg and SQLAlchemy raise
them, classified without a server (the server-side proofs: tests/api/test_database_outage.py)."""

from __future__ import annotations

import sqlite3

import psycopg
import pytest
from psycopg import errors
from sqlalchemy.exc import DBAPIError, OperationalError

from jichitai.adapters.db.outages import unavailable


def wrapped(cause: Exception, *, invalidated: bool = False) -> DBAPIError:
    return DBAPIError.instance(
        "SELECT 1", {}, cause, psycopg.Error, connection_invalidated=invalidated
    )


@pytest.mark.parametrize(
    "cause",
    [
        psycopg.OperationalError("connection failed: Connection refused"),
        errors.AdminShutdown("terminating connection due to administrator command"),
        errors.CannotConnectNow("the database system is starting up"),
        errors.ConnectionFailure("connection failure"),
        errors.TooManyConnections("too many clients"),
        errors.ReadOnlySqlTransaction("cannot execute INSERT in a read-only transaction"),
    ],
)
def test_a_server_gone_going_or_not_the_primary_is_unavailable(cause: Exception) -> None:
    refusal = unavailable(wrapped(cause))
    assert refusal is not None
    assert refusal.code == "database.unavailable"
    assert "データベース" in refusal.message
    assert refusal.retry_after_seconds >= 1


@pytest.mark.parametrize(
    "cause",
    [
        errors.UniqueViolation("duplicate key"),
        errors.InsufficientPrivilege("permission denied for table journal"),
        errors.RaiseException("the journal is append-only"),
        errors.QueryCanceled("canceling statement due to statement timeout"),
    ],
)
def test_a_refusal_of_the_statement_stays_an_error(cause: Exception) -> None:
    assert unavailable(wrapped(cause)) is None


def test_sqlite_operational_errors_stay_errors_and_an_invalidated_connection_does_not() -> None:
    no_table = OperationalError("SELECT 1", {}, sqlite3.OperationalError("no such table: x"))
    assert unavailable(no_table) is None
    assert unavailable(ValueError("not a database error")) is None
    cut = wrapped(psycopg.InterfaceError("the connection is lost"), invalidated=True)
    assert unavailable(cut) is not None
