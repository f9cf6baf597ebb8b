"""Engines for the two supported databases: SQLite (default, no set-up) and PostgreSQL.

SQLite is opened in WAL mode with ``synchronous=NORMAL``, foreign keys enforced and a 10 s busy
timeout, and every transaction starts with ``BEGIN IMMEDIATE``: a writer takes the database's
write lock when its transaction begins, so two writers queue (up to the busy timeout) instead
of both reading and then one failing at its first write with "database is locked" (SQLite
cannot upgrade a read transaction to a write transaction once another writer has committed).
This follows SQLAlchemy's documented recipe: the sqlite3 driver's own transaction handling is
switched off on connect (``isolation_level = None``) and SQLAlchemy emits BEGIN itself.

A connection used only for reading may start a deferred transaction instead, so it does not
queue behind writers: ``engine.connect().execution_options(**READ_ONLY)`` (ignored on
PostgreSQL).

Within one process, writers queue on a lock of the engine before ``BEGIN IMMEDIATE`` (released
when the transaction commits or rolls back). SQLite's own busy handler makes a waiting writer
sleep in growing steps (up to 100 ms) and retry; under a web server's many threads that turned
into waits of up to 0.8 s (measured with ``jichitai bench api``). The busy handler still serves
writers of other processes. The pool keeps a fixed set of connections: each one carries its own
page cache, and overflow connections opened and closed under load started cold every time.

The database file holds personal data: before SQLite opens it, it is created (or tightened)
owner-only, 0600, and SQLite then makes its ``-wal`` and ``-shm`` files with that same mode
(``adapters/private_files.py``).
"""

from __future__ import annotations

import sqlite3
import threading
import time
import weakref
from functools import partial
from typing import Any, Final

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.pool import ConnectionPoolEntry

from jichitai.adapters.db import outages
from jichitai.adapters.private_files import private_database_file

#: Execution option naming the SQLite transaction mode: "IMMEDIATE" (default) or "DEFERRED".
SQLITE_BEGIN_OPTION: Final = "jichitai_sqlite_begin"
#: Execution options for a read-only unit of work (a deferred transaction on SQLite).
READ_ONLY: Final[dict[str, Any]] = {SQLITE_BEGIN_OPTION: "DEFERRED"}

_BUSY_TIMEOUT_MS: Final = 10_000
#: How often a writer tries again for the write lock another process holds.
_RETRY_SECONDS: Final = 0.001
_SQLITE_PRAGMAS: Final = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA foreign_keys=ON",
    f"PRAGMA busy_timeout={_BUSY_TIMEOUT_MS}",
    # A register of 100,000 residents is a few hundred MB; the default 2 MB page cache made
    # every change re-read index pages from the OS (measured in bench/register.py).
    "PRAGMA cache_size=-131072",
    "PRAGMA mmap_size=1073741824",
    "PRAGMA temp_store=MEMORY",
    # Checkpoint every ~40 MB of WAL instead of every 4 MB: each checkpoint syncs the database
    # file, and at the default it ran every few bulk-input commits (11 ms a commit, measured).
    "PRAGMA wal_autocheckpoint=10000",
)
_SQLITE_BEGIN_MODES: Final = frozenset({"DEFERRED", "IMMEDIATE", "EXCLUSIVE"})
#: Connections kept open to an SQLite file (each with its own page cache); callers beyond wait.
SQLITE_POOL_SIZE: Final = 8
#: How long a writer waits for another thread's write transaction, like the busy timeout.
_WRITE_WAIT_SECONDS: Final = 10.0
_WRITE_LOCKS: weakref.WeakKeyDictionary[Engine, threading.RLock] = weakref.WeakKeyDictionary()
_HOLDS_WRITE_LOCK: Final = "jichitai_holds_write_lock"


def create_engine_for(url: str) -> Engine:
    """Create the engine for ``url`` (``sqlite:///file.db`` or ``postgresql+psycopg://...``).

    A bare ``postgresql://`` URL is taken to mean the psycopg 3 driver (the only one installed).
    """
    sa_url = make_url(url)
    if sa_url.get_backend_name() == "sqlite":
        engine = create_engine(
            sa_url,
            future=True,
            connect_args={"check_same_thread": False},
            pool_size=SQLITE_POOL_SIZE,
            max_overflow=0,
            pool_timeout=30,
        )
        _WRITE_LOCKS[engine] = threading.RLock()
        database = sa_url.database or ""
        if database and database != ":memory:" and not sa_url.query.get("uri"):
            event.listen(engine, "do_connect", partial(_private_database, database))
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)
        event.listen(engine, "commit", _sqlite_on_end)
        event.listen(engine, "rollback", _sqlite_on_end)
        return engine
    if sa_url.drivername == "postgresql":
        sa_url = sa_url.set(drivername="postgresql+psycopg")
    # Pre-ping: a pooled connection the server closed (a failover, a restart) is replaced
    # before use; a server that cannot be reached is a 503 ``database.unavailable`` (outages.py).
    engine = create_engine(sa_url, future=True, pool_pre_ping=True)
    outages.install(engine)
    return engine


def is_sqlite(engine: Engine | Connection) -> bool:
    """Whether ``engine`` (or a connection) talks to SQLite."""
    return engine.dialect.name == "sqlite"


def _private_database(database: str, *_connect_arguments: object) -> None:
    """Before each connection opens the file (it may have been deleted meanwhile): owner-only.
    Returns nothing, so SQLAlchemy goes on to connect as usual. (A ``file:`` URI is the
    caller's own arrangement and is left alone.)"""
    private_database_file(database)


def _sqlite_on_connect(dbapi_connection: Any, connection_record: ConnectionPoolEntry) -> None:
    # Stop the sqlite3 driver from issuing its own (deferred, DML-only) BEGIN; _sqlite_on_begin
    # issues ours. Also puts the connection in autocommit mode, which the PRAGMAs below need
    # (journal_mode and foreign_keys cannot change inside a transaction).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        for pragma in _SQLITE_PRAGMAS:
            cursor.execute(pragma)
    finally:
        cursor.close()


def _sqlite_on_begin(connection: Connection) -> None:
    options = connection.get_execution_options()
    if options.get("isolation_level") == "AUTOCOMMIT":
        return  # driver-level autocommit: no transaction to begin
    mode = str(options.get(SQLITE_BEGIN_OPTION, "IMMEDIATE")).upper()
    if mode not in _SQLITE_BEGIN_MODES:
        raise ValueError(f"{SQLITE_BEGIN_OPTION}={mode!r}: expected one of {_SQLITE_BEGIN_MODES}")
    lock = _WRITE_LOCKS.get(connection.engine) if mode != "DEFERRED" else None
    if lock is not None:
        if not lock.acquire(timeout=_WRITE_WAIT_SECONDS):
            raise TimeoutError("another write transaction held the database for too long")
        connection.info[_HOLDS_WRITE_LOCK] = lock
    try:
        if mode == "DEFERRED":
            connection.exec_driver_sql("BEGIN DEFERRED")
        else:
            _begin_writing(connection.connection.dbapi_connection, mode)
    except BaseException:
        _sqlite_on_end(connection)
        raise


def _begin_writing(dbapi_connection: Any, mode: str) -> None:
    """``BEGIN IMMEDIATE`` (or EXCLUSIVE), retried every millisecond while another process
    writes, up to the busy timeout.

    SQLite's own busy handler sleeps in growing steps, 100 ms apart after the first few: a
    writer in another process that commits and begins again within a millisecond or two (a
    bulk input, the webhook worker) then wins the lock almost every time, and a feed request
    that must log its read waited seconds (measured with ``jichitai bench feed``: lag p99 3.4 s).
    Trying every millisecond catches the gap between the other's transactions.
    """
    cursor = dbapi_connection.cursor()
    deadline = time.monotonic() + _WRITE_WAIT_SECONDS
    try:
        cursor.execute("PRAGMA busy_timeout=0")
        while True:
            try:
                cursor.execute(f"BEGIN {mode}")
                return
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) or time.monotonic() >= deadline:
                    raise
            time.sleep(_RETRY_SECONDS)
    finally:
        cursor.execute(f"PRAGMA busy_timeout={_BUSY_TIMEOUT_MS}")
        cursor.close()


def _sqlite_on_end(connection: Connection) -> None:
    """Commit or rollback: let the next writer of this process in."""
    lock = connection.info.pop(_HOLDS_WRITE_LOCK, None)
    if lock is not None:
        lock.release()
