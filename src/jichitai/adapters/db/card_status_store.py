"""The register's record of the cards as the card management system last reported them
(standard §7.1.1.3 (1110)): the ``CardStatusStore`` port on ``card_statuses``, one short
transaction per call, scoped to one municipality (row-level security: ``act_for``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection, Engine, delete, insert, select, update

from jichitai.adapters.db import row_security
from jichitai.adapters.db import tables as t
from jichitai.adapters.db.shards import Route, route_of
from jichitai.services.ports import CardStatus

_C = t.card_statuses.c


def _card(row: object) -> tuple[CardStatus, datetime]:
    r = row._mapping  # type: ignore[attr-defined]
    status = CardStatus(
        r["resident_code"], r["card"], r["status"], r["issued_on"], r["expires_on"], r["updated_on"]
    )
    return status, r["recorded_at"]


class SqlCardStatuses:
    def __init__(self, engine: Engine | Route) -> None:
        self._route = route_of(engine)

    def _begin(self, municipality_code: str) -> Connection:
        conn = self._route.engine_for(municipality_code)[1].connect()
        row_security.act_for(conn, municipality_code)
        return conn

    def replace(self, municipality_code: str, statuses: Sequence[CardStatus], at: datetime) -> int:
        reported = {(s.resident_code, s.card): s for s in statuses}
        changed = 0
        with self._begin(municipality_code) as conn:
            held = {
                (c.resident_code, c.card): c
                for c, _ in map(
                    _card,
                    conn.execute(
                        select(t.card_statuses)
                        .where(_C.municipality_code == municipality_code)
                        .order_by(_C.resident_code, _C.card)
                    ),
                )
            }
            for key in sorted(set(held) - set(reported)):
                conn.execute(
                    delete(t.card_statuses).where(
                        _C.municipality_code == municipality_code,
                        _C.resident_code == key[0],
                        _C.card == key[1],
                    )
                )
                changed += 1
            for key in sorted(reported):
                new, old = reported[key], held.get(key)
                if old == new:
                    continue
                values = {
                    "status": new.status,
                    "issued_on": new.issued_on,
                    "expires_on": new.expires_on,
                    "updated_on": new.updated_on,
                    "recorded_at": at,
                }
                if old is None:
                    conn.execute(
                        insert(t.card_statuses).values(
                            municipality_code=municipality_code,
                            resident_code=key[0],
                            card=key[1],
                            **values,
                        )
                    )
                else:
                    conn.execute(
                        update(t.card_statuses)
                        .where(
                            _C.municipality_code == municipality_code,
                            _C.resident_code == key[0],
                            _C.card == key[1],
                        )
                        .values(**values)
                    )
                changed += 1
            conn.commit()
        return changed

    def listed(
        self, municipality_code: str, resident_code: str | None = None
    ) -> Sequence[tuple[CardStatus, datetime]]:
        stmt = select(t.card_statuses).where(_C.municipality_code == municipality_code)
        if resident_code is not None:
            stmt = stmt.where(_C.resident_code == resident_code)
        with self._begin(municipality_code) as conn:
            return [_card(r) for r in conn.execute(stmt.order_by(_C.resident_code, _C.card))]
