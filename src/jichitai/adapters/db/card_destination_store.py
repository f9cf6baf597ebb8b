"""The 送付先 of each person's 個人番号カード and 番号通知書類 (standard §7.1.1.4 (1120)) in the
database: the ``CardDestinationStore`` port on ``card_destinations`` (each setting or clearing a
new version, so its history stays), and the 送付先情報 written to ``cs_outbox`` in the same
transaction. Each method is one short transaction scoped to one municipality (``act_for``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import orjson
from sqlalchemy import Connection, Engine, func, insert, select

from jichitai.adapters.db import row_security
from jichitai.adapters.db import tables as t
from jichitai.adapters.db.cs_outbox_store import HELD, address_of
from jichitai.adapters.db.shards import Route, route_of
from jichitai.domain.common.address import Address
from jichitai.domain.national.cs_messages import CsMessage
from jichitai.domain.national.unified_chars import describe
from jichitai.services.ports.card_destinations import SendToVersion

_D = t.card_destinations.c
_C = t.cs_outbox.c


def append_messages(
    conn: Connection, municipality_code: str, messages: Sequence[CsMessage], at: datetime
) -> None:
    """``messages`` after every message of the municipality (the last (seq, ordinal) + 1
    ordinal; with none yet, the last journal entry's seq, which wrote none), on ``conn``'s
    transaction; a message with an unconvertible character is held."""
    last = conn.execute(
        select(_C.seq, _C.ordinal)
        .where(_C.municipality_code == municipality_code)
        .order_by(_C.seq.desc(), _C.ordinal.desc())
        .limit(1)
        .with_for_update()
    ).first()
    if last is not None:
        seq, ordinal = int(last.seq), int(last.ordinal) + 1
    else:
        head = conn.execute(
            select(func.max(t.journal.c.seq)).where(
                t.journal.c.municipality_code == municipality_code
            )
        ).scalar()
        seq, ordinal = int(head or 1), 0
    for message in messages:
        held = "、".join(describe(c) for c in message.unconvertible)
        body = {**message.body, "seq": seq}
        conn.execute(
            insert(t.cs_outbox).values(
                municipality_code=municipality_code,
                seq=seq,
                ordinal=ordinal,
                kind=message.kind,
                destination=message.destination,
                body=orjson.dumps(body, option=orjson.OPT_SORT_KEYS).decode(),
                status="error" if held else "pending",
                attempts=0,
                next_attempt_at=at,
                last_error=HELD if held else "",
                unconvertible=held[:400],
            )
        )
        ordinal += 1


class SqlCardDestinations:
    """The ``CardDestinationStore`` port on every shard's ``card_destinations``."""

    def __init__(self, engine: Engine | Route) -> None:
        self._route = route_of(engine)

    def _begin(self, municipality_code: str) -> Connection:
        conn = self._route.engine_for(municipality_code)[1].connect()
        row_security.act_for(conn, municipality_code)
        return conn

    def history(self, municipality_code: str, atena_number: str) -> Sequence[SendToVersion]:
        stmt = (
            select(t.card_destinations)
            .where(_D.municipality_code == municipality_code, _D.atena_number == atena_number)
            .order_by(_D.version)
        )
        with self._begin(municipality_code) as conn:
            return [
                SendToVersion(r.version, address_of(r.address), r.set_by, r.set_at)
                for r in conn.execute(stmt)
            ]

    def record(
        self,
        municipality_code: str,
        atena_number: str,
        address: Address | None,
        by: str,
        at: datetime,
        messages: Sequence[CsMessage],
    ) -> SendToVersion:
        text = (
            orjson.dumps(address.to_json(), option=orjson.OPT_SORT_KEYS).decode()
            if address is not None
            else ""
        )
        with self._begin(municipality_code) as conn:
            last = conn.execute(
                select(func.max(_D.version)).where(
                    _D.municipality_code == municipality_code, _D.atena_number == atena_number
                )
            ).scalar()
            version = int(last or 0) + 1
            conn.execute(
                insert(t.card_destinations).values(
                    municipality_code=municipality_code,
                    atena_number=atena_number,
                    version=version,
                    address=text,
                    set_by=by[:64],
                    set_at=at,
                )
            )
            append_messages(conn, municipality_code, messages, at)
            conn.commit()
        return SendToVersion(version, address, by, at)

    def send(self, municipality_code: str, messages: Sequence[CsMessage], at: datetime) -> None:
        with self._begin(municipality_code) as conn:
            append_messages(conn, municipality_code, messages, at)
            conn.commit()

    def current(self, municipality_code: str, atena_numbers: Sequence[str]) -> dict[str, Address]:
        if not atena_numbers:
            return {}
        stmt = (
            select(_D.atena_number, _D.address)
            .where(
                _D.municipality_code == municipality_code,
                _D.atena_number.in_(list(atena_numbers)),
            )
            .order_by(_D.atena_number, _D.version)
        )
        out: dict[str, Address | None] = {}
        with self._begin(municipality_code) as conn:
            for row in conn.execute(stmt):
                out[row.atena_number] = address_of(row.address)
        return {k: v for k, v in out.items() if v is not None}
