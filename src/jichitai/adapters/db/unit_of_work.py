"""Unit of work: one database transaction on one municipality's data.

``with uow: ...; uow.commit()`` — leaving the block without ``commit`` rolls back, so a change
that fails half-way writes nothing. This module is the only place that commits.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import Any, Self, TypeVar, cast

from sqlalchemy import Connection, Engine, insert, select

from jichitai.adapters.db import row_security
from jichitai.adapters.db import tables as t
from jichitai.adapters.db.access_log_store import SqlAccessLog
from jichitai.adapters.db.certificate_store import SqlCertificates
from jichitai.adapters.db.drafts import SqlDrafts
from jichitai.adapters.db.engine import READ_ONLY
from jichitai.adapters.db.journal import SqlJournal
from jichitai.adapters.db.number_link_store import SqlNumberLink
from jichitai.adapters.db.outbox_store import SqlOutbox
from jichitai.adapters.db.raw import RawSql
from jichitai.adapters.db.read_model import SqlRegisterReadModel
from jichitai.adapters.db.register_import import SqlRegisterImport
from jichitai.adapters.db.register_rows import CurrentRecords
from jichitai.adapters.db.seal_store import SqlSealRepository
from jichitai.adapters.db.sealing import Sealing, keys_of
from jichitai.adapters.db.session_store import SqlSessions
from jichitai.adapters.db.shards import (
    HOME,
    MOVED,
    UNANSWERED,
    WAIT_FOR_MOVE,
    Route,
    ShardCatalog,
    SingleDatabase,
    move_lock,
    route_of,
    shard_unavailable,
)
from jichitai.adapters.db.subscriber_store import SqlSubscribers
from jichitai.adapters.db.suppression_store import SqlSuppressions
from jichitai.adapters.db.town_area_store import SqlTownAreas
from jichitai.adapters.db.user_directory import SqlUsers
from jichitai.adapters.security.my_number_keys import MyNumberKeys
from jichitai.domain.errors import NotFound, Violation
from jichitai.services.ports import GENESIS_HASH, Municipality

_R = TypeVar("_R")

MOVE_SWITCH_SECONDS = 5.0
"""How long a unit of work waits for the catalog to name a moved municipality's new shard."""

_OPEN = "SELECT name, placement FROM municipalities WHERE code = :mc"
# The same, and the transaction's municipality for row-level security (row_security.py): set
# only when the municipality exists, in the same round trip.
_OPEN_POSTGRESQL = (
    "SELECT name, placement, set_config(:setting, :mc, true) FROM municipalities WHERE code = :mc"
)


class SqlUnitOfWork:
    """A transaction scoped to one municipality; each of its repositories filters by that code.

    The repositories are made when first used, on the unit of work's one connection: a use case
    pays only for those it touches, and whatever they write commits (or rolls back) together.
    """

    def __init__(
        self,
        engine: Engine | Route,
        municipality_code: str,
        *,
        read_only: bool = False,
        snapshot: bool = False,
        keys: MyNumberKeys | None = None,
        pinned: bool = False,
    ) -> None:
        """``read_only``: for queries only; on SQLite the transaction then starts DEFERRED and
        does not queue behind writers (a write inside it fails). ``snapshot``: every read of
        the transaction sees the same committed state (SQLite's read transactions always do;
        PostgreSQL needs REPEATABLE READ), for a long read such as a full extract. ``keys``:
        the 個人番号 keys (ADR 0015), by default those bound to the engine (``bind_keys``).
        ``engine``: one database, or the shard catalog that says which database holds the
        municipality (ADR 0016). ``pinned``: a move's check of the municipality's rows in this
        database, whether it serves the municipality or not (read only)."""
        self._route = route_of(engine)
        self._keys = keys
        self._municipality_code = municipality_code
        self._read_only = read_only or snapshot or pinned
        self._pinned = pinned
        self._snapshot = snapshot
        self._connection: Connection | None = None
        self._repositories: dict[str, Any] = {}

    def __enter__(self) -> Self:
        code = self._municipality_code
        shard, engine = self._route.engine_for(code)
        connection, sql, known = self._open(shard, engine)
        placement = None if known is None else known[1]
        served = known is not None and (placement is None or self._pinned)
        if not served:
            connection.close()
            if self._rerouted(shard, moved=placement == MOVED):
                # A stale catalog: the municipality lives on another shard now.
                shard, engine = self._route.engine_for(code)
                connection, sql, known = self._open(shard, engine)
                served = known is not None and known[1] is None
                if not served:
                    connection.close()
        if not served:
            if known is None:  # no tenant, no data: refuse rather than answer "nobody found"
                raise NotFound(
                    Violation(
                        "municipality.not_found",
                        f"地方公共団体コード {code} の団体は登録されていません",
                        "municipality_code",
                    )
                )
            raise shard_unavailable(shard, code)  # the catalog and the shards disagree
        assert known is not None
        self._keys = self._keys or keys_of(engine)
        self._connection = connection
        self._sql = sql
        self._municipality_name = str(known[0])
        mc = self._municipality_code

        def nothing_sealed() -> bool:
            # Asked once, when the municipality has no keys yet (a scan of its snapshots only
            # then): its first keys may be made unless something sealed is already stored.
            return all(
                sql.one(
                    f"SELECT 1 FROM {table} WHERE municipality_code = :mc"
                    f" AND {column} LIKE :sealed LIMIT 1",
                    {"mc": mc, "sealed": '%"enc:v1:%'},
                )
                is None
                for table, column in (("resident_history", "record"), ("drafts", "command"))
            )

        self._records = CurrentRecords(sql, mc, Sealing(self._keys, mc, nothing_sealed))
        self._repositories = {}
        return self

    def _rerouted(self, shard: str, *, moved: bool) -> bool:
        """Whether the catalog names another shard than ``shard``. Right after a move the
        shard says ``moved`` a moment before the catalog names the new one: asked again for
        up to ``MOVE_SWITCH_SECONDS``."""
        code = self._municipality_code
        if not moved:
            return self._route.rerouted(code, shard, moved=False)
        deadline = time.monotonic() + MOVE_SWITCH_SECONDS
        while not self._route.rerouted(code, shard, moved=True):
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.05)
        return True

    def _open(self, shard: str, engine: Engine) -> tuple[Connection, RawSql, Any]:
        """A connection to ``shard`` with its transaction begun, and the municipality's row
        there (name, placement), or None. A write waits while a move freezes the municipality
        (``shard_moves.py``): it takes the municipality's move lock, shared, first."""
        try:
            connection = engine.connect()
        except UNANSWERED as exc:
            if isinstance(self._route, SingleDatabase) or shard == HOME:
                raise
            raise shard_unavailable(shard, self._municipality_code) from exc
        if self._read_only:
            connection = connection.execution_options(**READ_ONLY)
        postgresql = connection.dialect.name == "postgresql"
        if self._snapshot and postgresql:
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
        try:
            connection.begin()
            sql = RawSql(connection)
            if postgresql and not self._read_only:
                sql.one(WAIT_FOR_MOVE, move_lock(self._municipality_code))
            known = sql.one(
                _OPEN_POSTGRESQL if postgresql else _OPEN,
                {"mc": self._municipality_code, "setting": row_security.MUNICIPALITY},
            )
        except BaseException:
            connection.close()
            raise
        return connection, sql, known

    def _repository(self, name: str, make: Callable[[Connection, str], _R]) -> _R:
        """The repository ``make`` builds on this unit of work's connection, made once."""
        assert self._connection is not None, "the unit of work is not open"
        found = self._repositories.get(name)
        if found is None:
            found = self._repositories[name] = make(self._connection, self._municipality_code)
        return cast(_R, found)

    @property
    def journal(self) -> SqlJournal:
        return self._repository("journal", lambda c, mc: SqlJournal(c, mc, self._records))

    @property
    def read_model(self) -> SqlRegisterReadModel:
        return self._repository(
            "read_model", lambda c, mc: SqlRegisterReadModel(c, mc, self._records)
        )

    @property
    def drafts(self) -> SqlDrafts:
        return self._repository("drafts", lambda c, mc: SqlDrafts(c, mc, self._records.sealing))

    @property
    def imports(self) -> SqlRegisterImport:
        return self._repository(
            "imports", lambda c, mc: SqlRegisterImport(c, mc, self._records.sealing)
        )

    @property
    def seals(self) -> SqlSealRepository:
        return self._repository("seals", SqlSealRepository)

    @property
    def access_log(self) -> SqlAccessLog:
        return self._repository("access_log", SqlAccessLog)

    @property
    def suppressions(self) -> SqlSuppressions:
        return self._repository("suppressions", SqlSuppressions)

    @property
    def certificates(self) -> SqlCertificates:
        return self._repository(
            "certificates", lambda c, mc: SqlCertificates(c, mc, self._records.sealing)
        )

    @property
    def users(self) -> SqlUsers:
        return self._repository("users", SqlUsers)

    @property
    def sessions(self) -> SqlSessions:
        return self._repository("sessions", SqlSessions)

    @property
    def subscribers(self) -> SqlSubscribers:
        return self._repository("subscribers", SqlSubscribers)

    @property
    def outbox(self) -> SqlOutbox:
        return self._repository("outbox", SqlOutbox)

    @property
    def town_areas(self) -> SqlTownAreas:
        return self._repository("town_areas", SqlTownAreas)

    @property
    def number_link(self) -> SqlNumberLink:
        return self._repository("number_link", SqlNumberLink)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._connection is not None
        try:
            if self._connection.in_transaction():
                self._connection.rollback()
        finally:
            self._connection.close()
            self._connection = None
            self._repositories = {}

    def commit(self) -> None:
        """Commit; the unit of work ends here (on PostgreSQL a later statement would begin a
        transaction without the municipality's setting, and row-level security shows it no
        row of any municipality)."""
        assert self._connection is not None
        self._connection.commit()

    @property
    def municipality_code(self) -> str:
        return self._municipality_code

    @property
    def municipality_name(self) -> str:
        return self._municipality_name

    @contextmanager
    def trial(self) -> Iterator[None]:
        """A savepoint rolled back whatever happens inside."""
        assert self._connection is not None
        self._sql.execute("SAVEPOINT trial", {})
        try:
            yield
        finally:
            self._sql.execute("ROLLBACK TO SAVEPOINT trial", {})
            self._sql.execute("RELEASE SAVEPOINT trial", {})
            self._records.forget()

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """A nested transaction: an exception inside rolls back only what it wrote.

        Plain SAVEPOINT statements on the driver cursor (SQLAlchemy's ``begin_nested`` costs
        ~200 µs a time, more than the change itself).
        """
        assert self._connection is not None
        self._sql.execute("SAVEPOINT change", {})
        try:
            yield
        except BaseException:
            # Undo what the change wrote; its records may be in the identity map, so drop it.
            self._sql.execute("ROLLBACK TO SAVEPOINT change", {})
            self._sql.execute("RELEASE SAVEPOINT change", {})
            self._records.forget()
            raise
        self._sql.execute("RELEASE SAVEPOINT change", {})


class SqlMunicipalityDirectory:
    """The tenants (table ``municipalities`` of each shard, global, not tenant-owned): a
    municipality is listed by the shard that serves it (ADR 0016)."""

    def __init__(self, engine: Engine | Route) -> None:
        self._route = route_of(engine)

    def add(self, municipality: Municipality, shard: str | None = None) -> None:
        """Adds ``municipality`` on ``shard`` (by default the catalog database, ``home``)."""
        catalog = self._route if isinstance(self._route, ShardCatalog) else None
        if catalog is not None and shard not in (None, HOME):
            engine = catalog.shard_engine(shard)
        elif shard not in (None, HOME):
            raise NotFound(
                Violation("shard.not_found", f"シャード {shard} は登録されていません", "shard")
            )
        else:
            engine = self._route.engine_for(municipality.code)[1]
        with engine.begin() as conn:
            row_security.act_for(conn, municipality.code)  # its heads are its rows
            conn.execute(
                insert(t.municipalities).values(
                    code=municipality.code,
                    name=municipality.name,
                    created_at=municipality.created_at,
                )
            )
            for head in (t.journal_heads, t.access_log_heads, t.seal_heads):
                conn.execute(
                    insert(head).values(
                        municipality_code=municipality.code, last_seq=0, last_hash=GENESIS_HASH
                    )
                )
        if catalog is not None and shard not in (None, HOME):
            catalog.assign(municipality.code, shard, municipality.created_at)

    def get(self, code: str) -> Municipality | None:
        m = t.municipalities.c
        shard, engine = self._route.engine_for(code)
        try:
            with engine.connect().execution_options(**READ_ONLY) as conn:
                row = conn.execute(
                    select(t.municipalities).where(m.code == code, m.placement.is_(None))
                ).one_or_none()
        except UNANSWERED as exc:
            if isinstance(self._route, SingleDatabase) or shard == HOME:
                raise
            raise shard_unavailable(shard, code) from exc
        if row is None and self._route.rerouted(code, shard, moved=False):
            return self.get(code)
        return Municipality(row.code, row.name, row.created_at) if row else None

    def all(self) -> list[Municipality]:
        m = t.municipalities.c
        found = []
        if isinstance(self._route, ShardCatalog):
            self._route.reload()  # a listing asked for: every shard of the catalog as it is now
        for shard, engine in self._route.serving():
            try:
                with engine.connect().execution_options(**READ_ONLY) as conn:
                    rows = conn.execute(select(t.municipalities).where(m.placement.is_(None))).all()
            except UNANSWERED:
                if isinstance(self._route, SingleDatabase) or shard == HOME:
                    raise
                continue  # a shard that does not answer lists nothing (``shard list`` says so)
            found += [
                Municipality(r.code, r.name, r.created_at)
                for r in rows
                if self._route.serves(shard, r.code)
            ]
        return sorted(found, key=lambda one: one.code)
