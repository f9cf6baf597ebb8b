"""Drafts (仮登録) of one municipality, on the unit of work's connection.

A draft is the one mutable thing of the register: corrected until it is approved or discarded,
and read by nobody but the counter until then (it touches no projection).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, insert, select, update

from jichitai.adapters.db import tables as t
from jichitai.adapters.db.raw import RawSql
from jichitai.adapters.db.sealing import Sealing
from jichitai.domain.errors import Severity, Violation
from jichitai.services.ports import Draft

_D = t.drafts.c


def _draft(row: Any, sealing: Sealing) -> Draft:
    return Draft(
        draft_id=row.draft_id,
        kind=row.kind,
        status=row.status,
        command=sealing.open_json(row.command),
        operator=row.operator,
        created_at=row.created_at,
        updated_at=row.updated_at,
        event_id=row.event_id,
        idempotency_key=row.idempotency_key,
        editors=tuple(e for e in row.editors.split(",") if e),
        number=row.number,
        return_comment=row.return_comment,
        return_reasons=tuple(
            Violation(r["code"], r["message"], r.get("field"), Severity(r.get("level", "error")))
            for r in json.loads(row.return_reasons or "[]")
        ),
    )


def _draft_values(draft: Draft, sealing: Sealing) -> dict[str, Any]:
    return {
        "draft_id": draft.draft_id,
        "kind": draft.kind,
        "status": draft.status,
        "command": sealing.seal_json(draft.command),  # 個人番号 sealed (ADR 0015)
        "operator": draft.operator,
        "created_at": draft.created_at,
        "updated_at": draft.updated_at,
        "event_id": draft.event_id,
        "idempotency_key": draft.idempotency_key,
        "editors": ",".join(draft.editors),
        "number": draft.number,
        "return_comment": draft.return_comment,
        "return_reasons": json.dumps(
            [
                {"code": v.code, "message": v.message, "field": v.field}
                for v in draft.return_reasons
            ],
            ensure_ascii=False,
        ),
    }


class SqlDrafts:
    """The ``DraftRepository`` port for one municipality."""

    def __init__(self, connection: Connection, municipality_code: str, sealing: Sealing) -> None:
        self._conn = connection
        self._mc = municipality_code
        self._sealing = sealing

    def add(self, draft: Draft) -> None:
        self._conn.execute(
            insert(t.drafts).values(
                municipality_code=self._mc, **_draft_values(draft, self._sealing)
            )
        )

    def next_number(self) -> int:
        """The next 受付番号 from ``id_sequences`` (``draft``), locked until commit."""
        return RawSql(self._conn).next_number(self._mc, "draft")

    def get(self, draft_id: str) -> Draft | None:
        """The draft, locked until the unit of work ends (approve and discard must not race)."""
        row = self._conn.execute(
            select(t.drafts)
            .where(_D.municipality_code == self._mc, _D.draft_id == draft_id)
            .with_for_update()
        ).one_or_none()
        return _draft(row, self._sealing) if row is not None else None

    def by_idempotency_key(self, key: str) -> Draft | None:
        row = self._conn.execute(
            select(t.drafts).where(_D.municipality_code == self._mc, _D.idempotency_key == key)
        ).one_or_none()
        return _draft(row, self._sealing) if row is not None else None

    def update(self, draft: Draft) -> None:
        values = _draft_values(draft, self._sealing)
        del values["draft_id"]
        self._conn.execute(
            update(t.drafts)
            .where(_D.municipality_code == self._mc, _D.draft_id == draft.draft_id)
            .values(**values)
        )

    def listed(self, status: str | None = "pending") -> Sequence[Draft]:
        """The drafts in that status (every draft with None), oldest first."""
        stmt = select(t.drafts).where(_D.municipality_code == self._mc).order_by(_D.created_at)
        if status is not None:
            stmt = stmt.where(_D.status == status)
        return [_draft(row, self._sealing) for row in self._conn.execute(stmt)]
