"""The 出入国在留管理庁長官通知 taken in (standard §4.5.6 (960)), in ``immigration_inbox``: the
``ImmigrationInbox`` port, each method one short transaction scoped to one municipality
(row-level security: ``act_for``)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, Engine, insert, select, update

from jichitai.adapters.db import row_security
from jichitai.adapters.db import tables as t
from jichitai.adapters.db.shards import Route, route_of
from jichitai.services.ports import InboundImmigrationNotice

_C = t.immigration_inbox.c


def _notice(row: object) -> InboundImmigrationNotice:
    r = row._mapping  # type: ignore[attr-defined]
    return InboundImmigrationNotice(
        municipality_code=r["municipality_code"],
        notice_id=r["notice_id"],
        kind=r["kind"],
        body=r["body"],
        residence_card_number=r["residence_card_number"],
        status=r["status"],
        received_at=r["received_at"],
        atena_number=r["atena_number"],
        reason=r["reason"],
        draft_id=r["draft_id"],
    )


class SqlImmigrationInbox:
    def __init__(self, engine: Engine | Route) -> None:
        self._route = route_of(engine)

    def _begin(self, municipality_code: str) -> Connection:
        conn = self._route.engine_for(municipality_code)[1].connect()
        row_security.act_for(conn, municipality_code)
        return conn

    def known(self, municipality_code: str) -> frozenset[str]:
        with self._begin(municipality_code) as conn:
            rows = conn.execute(
                select(_C.notice_id)
                .where(_C.municipality_code == municipality_code)
                .order_by(_C.notice_id)
            )
            return frozenset(str(r[0]) for r in rows)

    def add(self, notices: Sequence[InboundImmigrationNotice]) -> int:
        added = 0
        for code in sorted({n.municipality_code for n in notices}):
            mine = [n for n in notices if n.municipality_code == code]
            with self._begin(code) as conn:
                known = {
                    str(r[0])
                    for r in conn.execute(
                        select(_C.notice_id)
                        .where(_C.municipality_code == code)
                        .order_by(_C.notice_id)
                    )
                }
                for n in mine:
                    if n.notice_id in known:
                        continue
                    known.add(n.notice_id)
                    conn.execute(
                        insert(t.immigration_inbox).values(
                            municipality_code=code,
                            notice_id=n.notice_id,
                            kind=n.kind,
                            body=n.body,
                            residence_card_number=n.residence_card_number,
                            status=n.status,
                            received_at=n.received_at,
                            atena_number=n.atena_number,
                            reason=n.reason[:200],
                            draft_id=n.draft_id,
                        )
                    )
                    added += 1
                conn.commit()
        return added

    def listed(
        self, municipality_code: str, status: str | None
    ) -> Sequence[InboundImmigrationNotice]:
        stmt = select(t.immigration_inbox).where(_C.municipality_code == municipality_code)
        if status is not None:
            stmt = stmt.where(_C.status == status)
        with self._begin(municipality_code) as conn:
            return [_notice(r) for r in conn.execute(stmt.order_by(_C.received_at, _C.notice_id))]

    def drafted(self, municipality_code: str, notice_id: str, draft_id: str) -> bool:
        with self._begin(municipality_code) as conn:
            done = conn.execute(
                update(t.immigration_inbox)
                .where(
                    _C.municipality_code == municipality_code,
                    _C.notice_id == notice_id,
                    _C.status == "listed",
                )
                .values(status="drafted", draft_id=draft_id)
            ).rowcount
            conn.commit()
            return done == 1
