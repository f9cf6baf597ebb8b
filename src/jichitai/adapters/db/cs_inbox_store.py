"""``cs_inbox`` in the database: the messages other municipalities sent through the CS, taken
in from the CS's mailbox (``services/cs_inbox.py``). Each method is one short transaction scoped
to one municipality (row-level security: ``act_for``). Taking a message in twice (a fetch
repeated after a lost answer, two workers at once) leaves one row: the same ``relay_id`` or the
same sender, ``seq`` and ``ordinal`` is passed over."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import orjson
from sqlalchemy import Connection, Engine, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from jichitai.adapters.db import row_security
from jichitai.adapters.db import tables as t
from jichitai.adapters.db.shards import Route, route_of
from jichitai.services.ports import CsDelivery, CsInboxRow

_C = t.cs_inbox.c


def _row(row: object) -> CsInboxRow:
    r = row._mapping  # type: ignore[attr-defined]
    return CsInboxRow(
        municipality_code=r["municipality_code"],
        relay_id=r["relay_id"],
        kind=r["kind"],
        sender=r["sender"],
        sender_seq=r["sender_seq"],
        sender_ordinal=r["sender_ordinal"],
        resident_code=r["resident_code"],
        name=r["name"],
        body=r["body"],
        status=r["status"],
        note=r["note"],
        received_at=r["received_at"],
        updated_at=r["updated_at"],
    )


def _text(body: object, key: str, limit: int) -> str:
    value = body.get(key, "") if isinstance(body, dict) else ""
    return value[:limit] if isinstance(value, str) else ""


class SqlCsInbox:
    """The ``CsInbox`` port on every shard's ``cs_inbox``."""

    def __init__(self, engine: Engine | Route) -> None:
        self._route = route_of(engine)

    def _begin(self, municipality_code: str) -> Connection:
        conn = self._route.engine_for(municipality_code)[1].connect()
        row_security.act_for(conn, municipality_code)
        return conn

    def last_relay_id(self, municipality_code: str) -> int:
        with self._begin(municipality_code) as conn:
            found = conn.execute(
                select(func.max(_C.relay_id)).where(_C.municipality_code == municipality_code)
            ).scalar()
        return int(found or 0)

    def add(self, municipality_code: str, deliveries: Sequence[CsDelivery], at: datetime) -> int:
        added = 0
        with self._begin(municipality_code) as conn:
            for d in deliveries:
                taken = conn.execute(
                    select(_C.relay_id)
                    .where(
                        _C.municipality_code == municipality_code,
                        (_C.relay_id == d.relay_id)
                        | (
                            (_C.sender == d.sender)
                            & (_C.sender_seq == d.seq)
                            & (_C.sender_ordinal == d.ordinal)
                        ),
                    )
                    .order_by(_C.relay_id)
                    .limit(1)
                ).first()
                if taken is not None:
                    continue
                body = orjson.loads(d.body)
                try:
                    with conn.begin_nested():
                        conn.execute(
                            insert(t.cs_inbox).values(
                                municipality_code=municipality_code,
                                relay_id=d.relay_id,
                                kind=d.kind[:20],
                                sender=d.sender[:6],
                                sender_seq=d.seq,
                                sender_ordinal=d.ordinal,
                                resident_code=_text(body, "resident_code", 11),
                                name=_text(body, "name", 200),
                                body=d.body,
                                status="new",
                                note="",
                                received_at=at,
                                updated_at=at,
                            )
                        )
                except IntegrityError:
                    continue  # another worker took it in just now
                added += 1
            conn.commit()
        return added

    def listed(
        self, municipality_code: str, status: str | None = None, kind: str | None = None
    ) -> Sequence[CsInboxRow]:
        stmt = select(t.cs_inbox).where(_C.municipality_code == municipality_code)
        if status is not None:
            stmt = stmt.where(_C.status == status)
        if kind is not None:
            stmt = stmt.where(_C.kind == kind)
        with self._begin(municipality_code) as conn:
            return [_row(r) for r in conn.execute(stmt.order_by(_C.relay_id))]

    def mark(
        self,
        municipality_code: str,
        relay_id: int,
        status: str,
        note: str,
        at: datetime,
        *,
        expected: str,
    ) -> bool:
        with self._begin(municipality_code) as conn:
            done = conn.execute(
                update(t.cs_inbox)
                .where(
                    _C.municipality_code == municipality_code,
                    _C.relay_id == relay_id,
                    _C.status == expected,
                )
                .values(status=status, note=note[:300], updated_at=at)
            ).rowcount
            conn.commit()
        return done == 1
