"""The clerk's operations on the CS outbox in the database (``CsOperationsStore``, standard
§7.1.1.1 (1090)): re-sends, completions by hand, the switch to manual (``cs_manual``). Each
method is one short transaction scoped to one municipality (row-level security: ``act_for``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection, Engine, delete, func, insert, select, update

from jichitai.adapters.db import row_security
from jichitai.adapters.db import tables as t
from jichitai.adapters.db.cs_outbox_store import HELD, _entry
from jichitai.adapters.db.shards import Route, route_of
from jichitai.services.ports import CsEntry
from jichitai.services.ports.national_ops import CsManual

_C = t.cs_outbox.c
_M = t.cs_manual.c


class SqlCsOperations:
    def __init__(self, engine: Engine | Route) -> None:
        self._route = route_of(engine)

    def _begin(self, municipality_code: str) -> Connection:
        conn = self._route.engine_for(municipality_code)[1].connect()
        row_security.act_for(conn, municipality_code)
        return conn

    @staticmethod
    def _key(code: str, seq: int, ordinal: int) -> list[object]:
        return [_C.municipality_code == code, _C.seq == seq, _C.ordinal == ordinal]

    def entry(self, municipality_code: str, seq: int, ordinal: int) -> CsEntry | None:
        with self._begin(municipality_code) as conn:
            row = conn.execute(
                select(t.cs_outbox).where(*self._key(municipality_code, seq, ordinal))  # type: ignore[arg-type]
            ).first()
            return _entry(row) if row is not None else None

    def add_resend(
        self,
        original: CsEntry,
        body: str,
        unconvertible: str,
        note: str,
        by: str,
        at: datetime,
        close_original: str | None,
        amendments: str = "",
    ) -> CsEntry:
        code = original.municipality_code
        with self._begin(code) as conn:
            if close_original is not None:
                closed = conn.execute(
                    update(t.cs_outbox)
                    .where(
                        *self._key(code, original.seq, original.ordinal),  # type: ignore[arg-type]
                        _C.status == original.status,
                    )
                    .values(status="done", note=close_original[:300], handled_by=by, handled_at=at)
                ).rowcount
                if closed != 1:
                    conn.rollback()
                    raise LookupError(original.seq)
            made = self._append(
                conn,
                code,
                original.kind,
                original.destination,
                body,
                unconvertible,
                note,
                by,
                at,
                amendments,
            )
            conn.commit()
            return made

    def add_message(
        self,
        municipality_code: str,
        kind: str,
        destination: str,
        body: str,
        unconvertible: str,
        note: str,
        by: str,
        at: datetime,
    ) -> CsEntry:
        with self._begin(municipality_code) as conn:
            made = self._append(
                conn, municipality_code, kind, destination, body, unconvertible, note, by, at, ""
            )
            conn.commit()
            return made

    def _append(
        self,
        conn: Connection,
        code: str,
        kind: str,
        destination: str,
        body: str,
        unconvertible: str,
        note: str,
        by: str,
        at: datetime,
        amendments: str,
    ) -> CsEntry:
        """A new row after every row of the municipality (the last (seq, ordinal) + 1 ordinal;
        (0, 0) for the first), pending, or in error when held for its characters."""
        last = conn.execute(
            select(_C.seq, _C.ordinal)
            .where(_C.municipality_code == code)
            .order_by(_C.seq.desc(), _C.ordinal.desc())
            .limit(1)
            .with_for_update()
        ).first()
        seq, ordinal = (int(last.seq), int(last.ordinal) + 1) if last is not None else (0, 0)
        conn.execute(
            insert(t.cs_outbox).values(
                municipality_code=code,
                seq=seq,
                ordinal=ordinal,
                kind=kind,
                destination=destination,
                body=body,
                status="error" if unconvertible else "pending",
                attempts=0,
                next_attempt_at=at,
                last_error=HELD if unconvertible else "",
                unconvertible=unconvertible[:400],
                note=note[:300],
                handled_by=by,
                handled_at=at,
                amendments=amendments,
            )
        )
        row = conn.execute(select(t.cs_outbox).where(*self._key(code, seq, ordinal))).one()  # type: ignore[arg-type]
        return _entry(row)

    def complete(self, entry: CsEntry, note: str, by: str, at: datetime) -> CsEntry:
        code = entry.municipality_code
        key = self._key(code, entry.seq, entry.ordinal)
        with self._begin(code) as conn:
            done = conn.execute(
                update(t.cs_outbox)
                .where(*key, _C.status == entry.status)  # type: ignore[arg-type]
                .values(
                    status="done", note=note[:300], handled_by=by, handled_at=at, leased_until=None
                )
            ).rowcount
            if done != 1:
                conn.rollback()
                raise LookupError(entry.seq)
            row = conn.execute(select(t.cs_outbox).where(*key)).one()  # type: ignore[arg-type]
            conn.commit()
            return _entry(row)

    def manual(self, municipality_code: str) -> CsManual | None:
        with self._begin(municipality_code) as conn:
            row = conn.execute(
                select(t.cs_manual).where(_M.municipality_code == municipality_code)
            ).first()
        if row is None:
            return None
        return CsManual(row.municipality_code, row.manual_until, row.set_by, row.set_at, row.note)

    def set_manual(self, manual: CsManual) -> None:
        code = manual.municipality_code
        values = {
            "manual_until": manual.until,
            "set_by": manual.set_by,
            "set_at": manual.set_at,
            "note": manual.note[:300],
        }
        with self._begin(code) as conn:
            changed = conn.execute(
                update(t.cs_manual).where(_M.municipality_code == code).values(**values)
            ).rowcount
            if changed == 0:
                conn.execute(insert(t.cs_manual).values(municipality_code=code, **values))
            conn.commit()

    def clear_manual(self, municipality_code: str) -> None:
        with self._begin(municipality_code) as conn:
            conn.execute(delete(t.cs_manual).where(_M.municipality_code == municipality_code))
            conn.commit()

    def statuses(self, municipality_code: str) -> Sequence[tuple[str, int]]:
        with self._begin(municipality_code) as conn:
            rows = conn.execute(
                select(_C.status, func.count())
                .where(_C.municipality_code == municipality_code)
                .group_by(_C.status)
                .order_by(_C.status)
            )
            return [(str(s), int(n)) for s, n in rows]
