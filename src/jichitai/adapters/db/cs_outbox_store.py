"""The CS outbox in the database (standard §7.1.1.1 (1090)): rows written by the journal with
each change (``enqueue_cs``), and the ``CsOutbox`` port the worker and the clerk's list use.

Each port method is one short transaction scoped to one municipality (row-level security:
``act_for``); the queue's look-up across municipalities reads ``cs_outbox`` only
(``look_across``). A lease is a compare-and-set update of the oldest pending row, so two workers
never send the same message, and one municipality's messages go out one at a time, in order.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import orjson
from sqlalchemy import Connection, Engine, Exists, and_, exists, func, or_, select, update

from jichitai.adapters.db import row_security
from jichitai.adapters.db import tables as t
from jichitai.adapters.db.raw import RawSql
from jichitai.adapters.db.shards import Route, read_across, route_of
from jichitai.adapters.unified_chars_file import bundled_table
from jichitai.domain.common.address import Address
from jichitai.domain.national.cs_messages import SendToOf, messages_for
from jichitai.domain.national.move_messages import RELAYED_KINDS, code_for, is_municipality_code
from jichitai.domain.national.unified_chars import describe
from jichitai.domain.residents.model import ResidentRecord
from jichitai.services.ports import CsEntry

_C = t.cs_outbox.c
_INSERT = (
    "INSERT INTO cs_outbox (municipality_code, seq, ordinal, kind, destination, body, status,"
    " attempts, next_attempt_at, last_error, unconvertible) VALUES (:mc, :seq, :ordinal, :kind,"
    " :destination, :body, :status, 0, :now, :error, :unconvertible)"
)
HELD = "cs.unified_chars: 住基ネット統一文字に変換できない文字があります（変換表に加えて再送信）"


def paused(now: datetime, municipality_code: str | None = None) -> Exists:
    """The condition: the municipality's sending is switched to manual now (``cs_manual``)."""
    m = t.cs_manual.c
    return exists().where(
        m.municipality_code == (municipality_code or _C.municipality_code),
        or_(m.manual_until.is_(None), m.manual_until > now),
    )


def address_of(text: str) -> Address | None:
    """A ``card_destinations.address`` (the parts as JSON; "" when cleared)."""
    return Address.from_json(orjson.loads(text)) if text else None


def send_to_reader(sql: RawSql, municipality_code: str) -> SendToOf:
    """A person's current 送付先 (§7.1.1.4), read in the change's transaction."""

    def send_to_of(atena: str) -> Address | None:
        row = sql.one(
            "SELECT address FROM card_destinations WHERE municipality_code = :mc"
            " AND atena_number = :atena ORDER BY version DESC LIMIT 1",
            {"mc": municipality_code, "atena": atena},
        )
        return address_of(str(row[0])) if row is not None else None

    return send_to_of


def enqueue_cs(
    sql: RawSql,
    municipality_code: str,
    seq: int,
    now: datetime,
    changes: Sequence[tuple[ResidentRecord | None, ResidentRecord]],
) -> None:
    """The CS messages of journal entry ``seq`` (each person's record before and after), in the
    appending transaction: a change that rolls back leaves none."""
    rows: list[dict[str, object]] = []
    directory: list[tuple[str, str]] | None = None  # read once, if a message needs it
    send_to_of = send_to_reader(sql, municipality_code)
    for previous, current in changes:
        for message in messages_for(
            previous, current, seq=seq, unified=bundled_table(), send_to_of=send_to_of
        ):
            # A name the table cannot convert is held in error for the clerk, never sent with a
            # character dropped (住基ネット統一文字, §7.1.1.1).
            held = "、".join(describe(c) for c in message.unconvertible)
            destination = message.destination
            if (
                message.kind in RELAYED_KINDS
                and destination
                and not is_municipality_code(destination)
            ):
                # Another municipality of this deployment is named by its code (the CS relays
                # to a code); a name not found stays the name.
                if directory is None:
                    found = sql.all("SELECT code, name FROM municipalities ORDER BY code", {})
                    directory = [(str(code), str(name)) for code, name in found]
                destination = code_for(destination, directory)
            rows.append(
                {
                    "mc": municipality_code,
                    "seq": seq,
                    "ordinal": len(rows),
                    "kind": message.kind,
                    "destination": destination,
                    "body": orjson.dumps(message.body, option=orjson.OPT_SORT_KEYS).decode(),
                    "now": sql.value(now),
                    "status": "error" if held else "pending",
                    "error": HELD if held else "",
                    "unconvertible": held[:400],
                }
            )
    if rows:
        sql.many(_INSERT, rows)


def _entry(row: object) -> CsEntry:
    r = row._mapping  # type: ignore[attr-defined]
    return CsEntry(
        municipality_code=r["municipality_code"],
        seq=r["seq"],
        ordinal=r["ordinal"],
        kind=r["kind"],
        destination=r["destination"],
        body=r["body"],
        status=r["status"],
        attempts=r["attempts"],
        last_error=r["last_error"],
        receipt=r["receipt"],
        sent_at=r["sent_at"],
        unconvertible=r["unconvertible"],
        note=r["note"],
        handled_by=r["handled_by"],
        handled_at=r["handled_at"],
        amendments=r["amendments"],
    )


def _one(entry: CsEntry) -> list[object]:
    return [
        _C.municipality_code == entry.municipality_code,
        _C.seq == entry.seq,
        _C.ordinal == entry.ordinal,
    ]


class SqlCsOutbox:
    """The ``CsOutbox`` port on every shard's ``cs_outbox``."""

    def __init__(self, engine: Engine | Route) -> None:
        self._route = route_of(engine)

    def _begin(self, municipality_code: str) -> Connection:
        conn = self._route.engine_for(municipality_code)[1].connect()
        row_security.act_for(conn, municipality_code)
        return conn

    def due(self, now: datetime, limit: int) -> Sequence[str]:
        heads = (
            select(_C.municipality_code, func.min(_C.seq).label("seq"))
            .where(_C.status == "pending")
            .group_by(_C.municipality_code)
            .subquery()
        )
        stmt = (
            select(heads.c.municipality_code)
            .join(
                t.cs_outbox,
                and_(_C.municipality_code == heads.c.municipality_code, _C.seq == heads.c.seq),
            )
            .where(
                _C.status == "pending",
                _C.next_attempt_at <= now,
                or_(_C.leased_until.is_(None), _C.leased_until < now),
                ~paused(now),
            )
            .distinct()
            .limit(limit)
        )

        def read(conn: Connection) -> Sequence[str]:
            return [str(r[0]) for r in conn.execute(stmt)]

        return read_across(self._route, "cs_outbox", read, lambda code: code)[:limit]

    def claim(self, municipality_code: str, now: datetime, until: datetime) -> CsEntry | None:
        with self._begin(municipality_code) as conn:
            row = conn.execute(
                select(t.cs_outbox)
                .where(_C.municipality_code == municipality_code, _C.status == "pending")
                .order_by(_C.seq, _C.ordinal)
                .limit(1)
            ).first()
            if row is None or row.next_attempt_at > now:
                return None
            if conn.execute(select(paused(now, municipality_code))).scalar():
                return None  # switched to manual meanwhile
            if row.leased_until is not None and row.leased_until >= now:
                return None
            entry = _entry(row)
            taken = conn.execute(
                update(t.cs_outbox)
                .where(
                    *_one(entry),  # type: ignore[arg-type]
                    _C.status == "pending",
                    or_(_C.leased_until.is_(None), _C.leased_until < now),
                )
                .values(leased_until=until)
            ).rowcount
            if taken != 1:
                conn.rollback()
                return None
            conn.commit()
            return entry

    def _set(self, entry: CsEntry, **values: object) -> None:
        with self._begin(entry.municipality_code) as conn:
            conn.execute(
                update(t.cs_outbox)
                .where(*_one(entry))  # type: ignore[arg-type]
                .values(leased_until=None, **values)
            )
            conn.commit()

    def sent(self, entry: CsEntry, receipt: str, at: datetime) -> None:
        self._set(
            entry,
            status="sent",
            receipt=receipt[:64],
            sent_at=at,
            attempts=entry.attempts + 1,
            last_error="",
        )

    def refused(self, entry: CsEntry, error: str, at: datetime) -> None:
        self._set(entry, status="error", attempts=entry.attempts + 1, last_error=error[:200])

    def failed(self, entry: CsEntry, error: str, retry_at: datetime) -> None:
        self._set(
            entry, attempts=entry.attempts + 1, last_error=error[:200], next_attempt_at=retry_at
        )

    def listed(self, municipality_code: str, status: str | None) -> Sequence[CsEntry]:
        stmt = select(t.cs_outbox).where(_C.municipality_code == municipality_code)
        if status is not None:
            stmt = stmt.where(_C.status == status)
        with self._begin(municipality_code) as conn:
            return [_entry(r) for r in conn.execute(stmt.order_by(_C.seq, _C.ordinal))]
