"""A database that cannot be reached, told apart from a bug: ``Unavailable`` (HTTP 503).

During a failover (Patroni promotes the synchronous standby, docs/operations.md) the old
primary's connections break and, for a few seconds, no server accepts writes. A request caught
in that gap is refused with ``database.unavailable`` and ``Retry-After`` instead of an internal
error: nothing of it was written, or — when the connection broke during COMMIT — it may have
been, which is why the changes' retries are idempotent (a draft's ``Idempotency-Key``, approving
an approved draft answers the first result).

The translation sits on the engine (SQLAlchemy's ``handle_error`` event), so every door to the
database has it: the units of work, and the directories that read on a connection of their own
(log-in, municipalities). SQLAlchemy still invalidates the broken connection first, and the
pool's pre-ping (which must see the disconnect to replace the connection) is left alone.

Only PostgreSQL's connection failures count: on SQLite an ``OperationalError`` is also "no such
table" or a malformed statement, which must stay loud.
"""

from __future__ import annotations

from typing import Final

import psycopg
from sqlalchemy import Engine, event
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.exc import DBAPIError

from jichitai.domain.errors import Unavailable, Violation

#: Seconds a client is asked to wait: a failover takes ~10-20 s (ttl 12 s), a reconnect less.
RETRY_AFTER_SECONDS: Final = 5
#: SQLSTATE classes and codes of a server that is gone, going or not (yet) the primary:
#: 08 connection exception, 57P01-57P03 admin/crash shutdown and "cannot connect now",
#: 53300 too many connections, 25006 a read-only transaction (a demoted primary still answering).
_CLASSES: Final = ("08",)
_CODES: Final = frozenset({"57P01", "57P02", "57P03", "53300", "25006"})


def install(engine: Engine) -> None:
    """From now on ``engine`` raises ``Unavailable`` for a database it cannot reach."""
    event.listen(engine, "handle_error", _translate)


def _translate(context: ExceptionContext) -> BaseException | None:
    if context.is_pre_ping or context.sqlalchemy_exception is None:
        return None
    return unavailable(context.sqlalchemy_exception)


def unavailable(error: BaseException) -> Unavailable | None:
    """The refusal to answer for ``error`` if it means the database cannot be reached now;
    ``None`` for any other error (raise it as it is)."""
    if not isinstance(error, DBAPIError) or not _is_outage(error):
        return None
    refusal = Unavailable(
        Violation(
            "database.unavailable",
            "データベースに一時的に接続できません。しばらくしてから再度お試しください",
            None,
        ),
        retry_after_seconds=RETRY_AFTER_SECONDS,
    )
    refusal.__cause__ = error
    return refusal


def _is_outage(error: DBAPIError) -> bool:
    if error.connection_invalidated:
        return True
    cause = error.orig
    if not isinstance(cause, psycopg.Error):
        return False
    state = cause.sqlstate
    if state is None:  # psycopg's own: no server answered (refused, closed, timed out)
        return isinstance(cause, psycopg.OperationalError)
    return state in _CODES or state.startswith(_CLASSES)
