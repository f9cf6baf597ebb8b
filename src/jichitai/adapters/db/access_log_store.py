"""The access log of one municipality inside a unit of work (SQLite and PostgreSQL).

Every statement names the unit of work's municipality. An append runs in the unit of work's
transaction, beside the action it records: the municipality's row in ``access_log_heads`` is
locked (``SELECT … FOR UPDATE`` on PostgreSQL, held until the unit of work ends; on SQLite the
write transaction began ``IMMEDIATE`` and already holds the database's write lock, see
``engine.py``), the entry and its person rows are inserted and the head moves on. Appends to one
municipality are therefore serialised, ``seq`` is dense and the chain has no fork; and an entry
commits with what it records or not at all (ADR 0012). The head is the last lock a use case
takes: services append to the log as their last write.

The tables refuse UPDATE and DELETE (triggers; on PostgreSQL also the grants of
``jichitai_app``): nothing here tries either, and the head is the only row that changes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Select, and_, func, select

from jichitai.adapters.db import tables as t
from jichitai.adapters.db.raw import RawSql
from jichitai.domain.errors import NotFound, Violation
from jichitai.services.audit import (
    AccessEntry,
    AccessSearch,
    Operation,
    Outcome,
    UserActivity,
)

_L = t.access_log.c
_P = t.access_log_persons.c
_H = t.access_log_heads.c


def _join(values: Sequence[str]) -> str:
    return ",".join(values)


def _split(text: str) -> tuple[str, ...]:
    return tuple(text.split(",")) if text else ()


def _entry(row: Any) -> AccessEntry:
    return AccessEntry(
        municipality_code=row.municipality_code,
        seq=row.seq,
        entry_id=row.entry_id,
        at=row.at,
        user_login=row.user_login,
        roles=_split(row.roles),
        terminal=row.terminal,
        place=row.place,
        operation=Operation(row.operation),
        purpose=row.purpose,
        target=row.target,
        atena_numbers=_split(row.atena_numbers),
        person_count=row.person_count,
        my_number_shown=bool(row.my_number_shown),
        outcome=Outcome(row.outcome),
        detail=row.detail,
        prev_hash=row.prev_hash,
        entry_hash=row.entry_hash,
    )


def _values(entry: AccessEntry) -> dict[str, Any]:
    return {
        "municipality_code": entry.municipality_code,
        "seq": entry.seq,
        "entry_id": entry.entry_id,
        "at": entry.at,
        "user_login": entry.user_login,
        "roles": _join(entry.roles),
        "terminal": entry.terminal,
        "place": entry.place,
        "operation": entry.operation.value,
        "purpose": entry.purpose,
        "target": entry.target,
        "atena_numbers": _join(entry.atena_numbers),
        "person_count": entry.person_count,
        "my_number_shown": entry.my_number_shown,
        "outcome": entry.outcome.value,
        "detail": entry.detail,
        "prev_hash": entry.prev_hash,
        "entry_hash": entry.entry_hash,
    }


_COLUMNS = (
    "municipality_code, seq, entry_id, at, user_login, roles, terminal, place, operation,"
    " purpose, target, atena_numbers, person_count, my_number_shown, outcome, detail,"
    " prev_hash, entry_hash"
)
_INSERT_ENTRY = (
    f"INSERT INTO access_log ({_COLUMNS}) VALUES ("
    + ", ".join(":" + c.strip() for c in _COLUMNS.split(","))
    + ")"
)
_INSERT_PERSON = "INSERT INTO access_log_persons (municipality_code, atena_number, seq) VALUES (:mc, :atena, :seq)"


class SqlAccessLog:
    """``AccessLogRepository``: one municipality's log on the unit of work's connection."""

    def __init__(self, connection: Connection, municipality_code: str) -> None:
        self._conn = connection
        self._mc = municipality_code
        self._sql: RawSql | None = None

    def append(self, build: Callable[[int, str], AccessEntry]) -> AccessEntry:
        # Every logged read appends here, so the statements are plain SQL on the driver's cursor
        # (adapters/db/raw.py): through SQLAlchemy Core they were a quarter of a read's time.
        if self._sql is None:
            self._sql = RawSql(self._conn)
        sql, mc = self._sql, self._mc
        head = sql.locked_head("access_log_heads", mc)
        if head is None:
            raise _unknown(mc)
        seq, prev_hash = head[0] + 1, head[1]
        entry = build(seq, prev_hash)
        if (entry.municipality_code, entry.seq, entry.prev_hash) != (mc, seq, prev_hash):
            raise ValueError(
                f"entry built for {entry.municipality_code}#{entry.seq}, "
                f"expected {mc}#{seq} after {prev_hash}"
            )
        sql.execute(_INSERT_ENTRY, {k: sql.value(v) for k, v in _values(entry).items()})
        if entry.atena_numbers:
            sql.many(
                _INSERT_PERSON,
                [{"mc": mc, "atena": a, "seq": seq} for a in entry.atena_numbers],
            )
        sql.execute(
            "UPDATE access_log_heads SET last_seq = :seq, last_hash = :hash"
            " WHERE municipality_code = :mc",
            {"seq": seq, "hash": entry.entry_hash, "mc": mc},
        )
        return entry

    def head(self) -> tuple[int, str]:
        row = self._conn.execute(
            select(_H.last_seq, _H.last_hash).where(_H.municipality_code == self._mc)
        ).one_or_none()
        if row is None:
            raise _unknown(self._mc)
        return int(row.last_seq), str(row.last_hash)

    def entries(self, after_seq: int = 0, limit: int | None = None) -> list[AccessEntry]:
        stmt = (
            select(t.access_log)
            .where(_L.municipality_code == self._mc, _L.seq > after_seq)
            .order_by(_L.seq)
        )
        if limit is not None:
            stmt = stmt.limit(limit)
        return [_entry(row) for row in self._conn.execute(stmt)]

    def indexed_persons(self, after_seq: int, through_seq: int) -> list[tuple[int, str]]:
        stmt = (
            select(_P.seq, _P.atena_number)
            .where(
                _P.municipality_code == self._mc,
                _P.seq > after_seq,
                _P.seq <= through_seq,
            )
            .order_by(_P.seq, _P.atena_number)
        )
        return [(int(row.seq), str(row.atena_number)) for row in self._conn.execute(stmt)]

    def search(
        self, query: AccessSearch, *, before_seq: int | None = None, limit: int
    ) -> list[AccessEntry]:
        mc = self._mc
        stmt: Select[Any] = select(t.access_log).where(_L.municipality_code == mc)
        if query.atena_number:
            stmt = stmt.join(
                t.access_log_persons,
                and_(
                    _P.municipality_code == _L.municipality_code,
                    _P.seq == _L.seq,
                ),
            ).where(_P.municipality_code == mc, _P.atena_number == query.atena_number)
        if query.user_login:
            stmt = stmt.where(_L.user_login == query.user_login)
        if query.since is not None:
            stmt = stmt.where(_L.at >= query.since)
        if query.until is not None:
            stmt = stmt.where(_L.at < query.until)
        if query.operation is not None:
            stmt = stmt.where(_L.operation == query.operation.value)
        if query.outcome is not None:
            stmt = stmt.where(_L.outcome == query.outcome.value)
        if before_seq is not None:
            stmt = stmt.where(_L.seq < before_seq)
        stmt = stmt.order_by(_L.seq.desc()).limit(limit)
        found = [_entry(row) for row in self._conn.execute(stmt)]
        if query.atena_number:  # the index is not hashed: trust only what the entry says
            found = [e for e in found if query.atena_number in e.atena_numbers]
        return found

    def activity(
        self, since: datetime, until: datetime, operation: Operation | None = None
    ) -> list[UserActivity]:
        conditions = [
            _L.municipality_code == self._mc,
            _L.at >= since,
            _L.at < until,
            _L.outcome == Outcome.OK.value,
        ]
        if operation is not None:
            conditions.append(_L.operation == operation.value)
        stmt = (
            select(
                _L.user_login,
                func.count(func.distinct(_L.seq)).label("entries"),
                func.count(func.distinct(_P.atena_number)).label("persons"),
            )
            .select_from(
                t.access_log.outerjoin(
                    t.access_log_persons,
                    and_(_P.municipality_code == _L.municipality_code, _P.seq == _L.seq),
                )
            )
            .where(*conditions)
            .group_by(_L.user_login)
            .order_by(_L.user_login)
        )
        return [
            UserActivity(str(row.user_login), int(row.entries), int(row.persons))
            for row in self._conn.execute(stmt)
        ]


def _unknown(code: str) -> NotFound:
    return NotFound(
        Violation(
            "municipality.not_found",
            f"地方公共団体コード {code} の団体は登録されていません",
            "municipality_code",
        )
    )
