"""The municipality's 町字 master (table ``town_areas``, ADR 0013): the ``TownAreaRepository``
port on the unit of work's connection."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, delete, exists, func, insert, select

from jichitai.adapters.db import tables as t
from jichitai.domain.common.town_areas import TownArea

_T = t.town_areas.c
_KEY_END = "\uffff"


def _area(row: Any) -> TownArea:
    return TownArea(
        town_id=row.town_id,
        kind=row.kind,
        oaza=row.oaza,
        chome=row.chome,
        koaza=row.koaza,
        postcode=row.postcode,
        residence_indication=bool(row.residence_indication),
        valid_from=row.valid_from,
        valid_to=row.valid_to,
    )


class SqlTownAreas:
    """One municipality's 町字 master; every statement filters by its code."""

    def __init__(self, connection: Connection, municipality_code: str) -> None:
        self._conn = connection
        self._mc = municipality_code

    def count(self) -> int:
        found = self._conn.scalar(
            select(func.count()).select_from(t.town_areas).where(_T.municipality_code == self._mc)
        )
        return int(found or 0)

    def loaded(self) -> bool:
        found = self._conn.scalar(select(exists().where(_T.municipality_code == self._mc)))
        return bool(found)

    def entries(self) -> Sequence[TownArea]:
        rows = self._conn.execute(
            select(t.town_areas).where(_T.municipality_code == self._mc).order_by(_T.town_id)
        )
        return [_area(row) for row in rows]

    def replace(self, areas: Sequence[TownArea]) -> None:
        self._conn.execute(delete(t.town_areas).where(_T.municipality_code == self._mc))
        if not areas:
            return
        self._conn.execute(
            insert(t.town_areas),
            [
                {
                    "municipality_code": self._mc,
                    "town_id": a.town_id,
                    "kind": a.kind,
                    "name_key": a.key,
                    "oaza": a.oaza,
                    "chome": a.chome,
                    "koaza": a.koaza,
                    "postcode": a.postcode,
                    "residence_indication": a.residence_indication,
                    "valid_from": a.valid_from,
                    "valid_to": a.valid_to,
                }
                for a in areas
            ],
        )

    def named(self, key: str) -> Sequence[TownArea]:
        # Sorted here, not by the database: an ORDER BY town_id makes SQLite walk the primary
        # key (every 町字 of the municipality) instead of ix_town_areas_name_key (bench/town_areas.py).
        rows = self._conn.execute(
            select(t.town_areas).where(_T.municipality_code == self._mc, _T.name_key == key)
        )
        return sorted((_area(row) for row in rows), key=lambda area: area.town_id)

    def starting(self, prefix: str, limit: int) -> Sequence[TownArea]:
        rows = self._conn.execute(
            select(t.town_areas)
            .where(
                _T.municipality_code == self._mc,
                _T.name_key >= prefix,
                _T.name_key < prefix + _KEY_END,
            )
            .order_by(_T.name_key, _T.town_id)
            .limit(limit)
        )
        return [_area(row) for row in rows]
