"""番号連携 in the database (standard §4.3.1, §7.1.2): the municipality's stock of free
住民票コード from the CS and the record of its requests to the number-generation service, on the
unit of work's connection (one municipality; row-level security as every tenant table)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection, delete, func, insert, select

from jichitai.adapters.db import tables as t
from jichitai.services.ports.number_link import NumberLinkRecord

_F = t.free_resident_codes.c
_R = t.number_link_records.c


class SqlNumberLink:
    """The ``NumberLinkRepository`` port for one municipality."""

    def __init__(self, connection: Connection, municipality_code: str) -> None:
        self._conn = connection
        self._mc = municipality_code

    def stock_size(self) -> int:
        found = self._conn.execute(
            select(func.count())
            .select_from(t.free_resident_codes)
            .where(_F.municipality_code == self._mc)
        ).scalar_one()
        return int(found)

    def stock_add(self, codes: Sequence[str], at: datetime) -> int:
        held = set(
            self._conn.execute(
                select(_F.resident_code)
                .where(_F.municipality_code == self._mc, _F.resident_code.in_(list(codes)))
                .order_by(_F.resident_code)
            ).scalars()
        )
        new = sorted(set(codes) - held)
        if new:
            self._conn.execute(
                insert(t.free_resident_codes),
                [
                    {"municipality_code": self._mc, "resident_code": c, "received_at": at}
                    for c in new
                ],
            )
        return len(new)

    def stock_take(self, code: str) -> bool:
        gone = self._conn.execute(
            delete(t.free_resident_codes).where(
                _F.municipality_code == self._mc, _F.resident_code == code
            )
        )
        return gone.rowcount == 1

    def stock_code_at(self, index: int) -> str | None:
        found = self._conn.execute(
            select(_F.resident_code)
            .where(_F.municipality_code == self._mc)
            .order_by(_F.resident_code)
            .offset(index)
            .limit(1)
        ).scalar_one_or_none()
        return None if found is None else str(found)

    def stock_batches(self) -> Sequence[tuple[datetime, int, str, str]]:
        found = self._conn.execute(
            select(
                _F.received_at,
                func.count(),
                func.min(_F.resident_code),
                func.max(_F.resident_code),
            )
            .where(_F.municipality_code == self._mc)
            .group_by(_F.received_at)
            .order_by(_F.received_at)
        ).all()
        return [(r[0], int(r[1]), str(r[2]), str(r[3])) for r in found]

    def add_record(self, record: NumberLinkRecord) -> None:
        self._conn.execute(
            insert(t.number_link_records).values(
                municipality_code=self._mc,
                request_id=record.request_id,
                atena_number=record.atena_number,
                kind=record.kind,
                status=record.status,
                value=record.value,
                error=record.error[:200],
                requested_at=record.requested_at,
                requested_by=record.requested_by,
            )
        )

    def records(self, atena_number: str | None) -> Sequence[NumberLinkRecord]:
        query = select(
            _R.request_id,
            _R.atena_number,
            _R.kind,
            _R.status,
            _R.value,
            _R.error,
            _R.requested_at,
            _R.requested_by,
        ).where(_R.municipality_code == self._mc)
        if atena_number is not None:
            query = query.where(_R.atena_number == atena_number)
        rows = self._conn.execute(query.order_by(_R.requested_at, _R.request_id)).all()
        return [NumberLinkRecord(*row) for row in rows]
