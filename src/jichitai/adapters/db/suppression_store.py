"""Suppression settings (抑止・支援措置) of one municipality in a unit of work, SQLite and
PostgreSQL alike.

Every statement names the unit of work's municipality; nothing is read across tenants.
Processes are kept comma-separated in the order of ``Process``; details as JSON text. ``update``
compares the stored ``version`` and raises ``ConflictError`` when another change came first.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from datetime import date
from typing import Any

from sqlalchemy import Connection, insert, or_, select, update

from jichitai.adapters.db import tables as t
from jichitai.adapters.db.raw import RawSql
from jichitai.domain.access.suppression import Process, Suppression, SuppressionKind
from jichitai.domain.errors import ConflictError, Severity, Violation

_s = t.suppressions.c


def _processes_text(processes: frozenset[Process]) -> str:
    return ",".join(p.value for p in Process if p in processes)


def suppression_values(setting: Suppression) -> dict[str, Any]:
    return {
        "kind": setting.kind.value,
        "atena_number": setting.atena_number,
        "household_number": setting.household_number,
        "processes": _processes_text(setting.processes),
        "level": setting.level.value,
        "starts_on": setting.starts_on,
        "ends_on": setting.ends_on,
        "reason": setting.reason,
        "details": json.dumps(dict(setting.details), ensure_ascii=False, sort_keys=True),
        "set_by": setting.set_by,
        "set_at": setting.set_at,
        "lifted_by": setting.lifted_by,
        "lifted_at": setting.lifted_at,
        "released_by": setting.released_by,
        "released_until": setting.released_until,
        "version": setting.version,
    }


def suppression_from_row(row: Any) -> Suppression:
    return Suppression(
        municipality_code=row.municipality_code,
        suppression_id=row.suppression_id,
        kind=SuppressionKind(row.kind),
        atena_number=row.atena_number,
        household_number=row.household_number,
        processes=frozenset(Process(p) for p in row.processes.split(",") if p),
        level=Severity(row.level),
        starts_on=row.starts_on,
        ends_on=row.ends_on,
        reason=row.reason,
        set_by=row.set_by,
        set_at=row.set_at,
        details=json.loads(row.details) if row.details else {},
        lifted_by=row.lifted_by,
        lifted_at=row.lifted_at,
        released_by=row.released_by,
        released_until=row.released_until,
        version=row.version,
    )


class SqlSuppressions:
    """The ``SuppressionRepository`` port for one municipality, on the unit of work's
    connection."""

    def __init__(self, connection: Connection, municipality_code: str) -> None:
        self._conn = connection
        self._mc = municipality_code
        self._sql = RawSql(connection)

    def add(self, setting: Suppression) -> None:
        if setting.municipality_code != self._mc:
            raise ValueError(f"setting of {setting.municipality_code} in {self._mc}'s unit of work")
        self._conn.execute(
            insert(t.suppressions).values(
                municipality_code=self._mc,
                suppression_id=setting.suppression_id,
                **suppression_values(setting),
            )
        )

    def get(self, suppression_id: str) -> Suppression | None:
        row = self._conn.execute(
            select(t.suppressions).where(
                _s.municipality_code == self._mc, _s.suppression_id == suppression_id
            )
        ).one_or_none()
        return suppression_from_row(row) if row is not None else None

    def update(self, setting: Suppression, *, expected_version: int) -> None:
        changed = self._conn.execute(
            update(t.suppressions)
            .where(
                _s.municipality_code == self._mc,
                _s.suppression_id == setting.suppression_id,
                _s.version == expected_version,
            )
            .values(**suppression_values(setting))
        ).rowcount
        if changed != 1:
            raise ConflictError(
                Violation(
                    "suppression.conflict",
                    "この抑止の設定は他の処理で更新されました。画面を更新してやり直してください",
                    "suppression_id",
                )
            )

    def for_targets(
        self,
        atena_numbers: Collection[str],
        household_numbers: Collection[str],
        *,
        include_lifted: bool = False,
    ) -> Sequence[Suppression]:
        targets = []
        if atena_numbers:
            targets.append(_s.atena_number.in_(sorted(set(atena_numbers))))
        if household_numbers:
            targets.append(_s.household_number.in_(sorted(set(household_numbers))))
        if not targets:
            return []
        stmt = (
            select(t.suppressions)
            .where(_s.municipality_code == self._mc, or_(*targets))
            .order_by(_s.set_at, _s.suppression_id)
        )
        if not include_lifted:
            stmt = stmt.where(_s.lifted_at.is_(None))
        return [suppression_from_row(row) for row in self._conn.execute(stmt)]

    def person_exists(self, atena_number: str) -> bool:
        r = t.residents.c
        found = self._conn.execute(
            select(r.atena_number).where(
                r.municipality_code == self._mc, r.atena_number == atena_number
            )
        ).first()
        return found is not None

    def household_exists(self, household_number: str) -> bool:
        h = t.households.c
        found = self._conn.execute(
            select(h.household_number).where(
                h.municipality_code == self._mc, h.household_number == household_number
            )
        ).first()
        return found is not None

    def due_feed(self, on: date) -> Sequence[Suppression]:
        # Raw SQL: the feed asks this before every answer, as it asks for due planned changes
        # (journal.py ``due_planned``); almost always nothing is due.
        ids = self._sql.all(
            "SELECT suppression_id FROM suppressions WHERE municipality_code = :mc"
            " AND feed_told_seq IS NULL AND starts_on <= :on AND lifted_at IS NULL",
            {"mc": self._mc, "on": self._sql.value(on)},
        )
        if not ids:
            return []
        stmt = (
            select(t.suppressions)
            .where(_s.municipality_code == self._mc, _s.suppression_id.in_([i for (i,) in ids]))
            .order_by(_s.starts_on, _s.set_at, _s.suppression_id)
        )
        return [suppression_from_row(row) for row in self._conn.execute(stmt)]

    def mark_feed_told(self, suppression_id: str, seq: int) -> None:
        self._conn.execute(
            update(t.suppressions)
            .where(_s.municipality_code == self._mc, _s.suppression_id == suppression_id)
            .values(feed_told_seq=seq)
        )
