"""Staff sessions in the database (table ``staff_sessions``), read by their key on every request;
one municipality's inside a unit of work (a log-in's session commits with its access-log entry)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from jichitai.adapters.db import tables as t
from jichitai.services.ports import StaffSession

_S = t.staff_sessions.c


def _session(row: Any) -> StaffSession:
    return StaffSession(
        municipality_code=row.municipality_code,
        session_id=row.session_id,
        login=row.login,
        created_at=row.created_at,
        expires_at=row.expires_at,
        ended_at=row.ended_at,
        end_reason=row.end_reason,
    )


class SqlSessions:
    """The ``SessionRepository`` port: one municipality's sessions, on the unit of work's
    connection."""

    def __init__(self, connection: Connection, municipality_code: str) -> None:
        self._conn = connection
        self._mc = municipality_code

    def add(self, session: StaffSession) -> None:
        if session.municipality_code != self._mc:
            raise ValueError(f"session of {session.municipality_code} in {self._mc}'s unit")
        self._conn.execute(
            insert(t.staff_sessions).values(
                municipality_code=self._mc,
                session_id=session.session_id,
                login=session.login,
                created_at=session.created_at,
                expires_at=session.expires_at,
                ended_at=session.ended_at,
                end_reason=session.end_reason,
            )
        )

    def get(self, session_id: str) -> StaffSession | None:
        row = self._conn.execute(
            select(t.staff_sessions).where(
                _S.municipality_code == self._mc, _S.session_id == session_id
            )
        ).one_or_none()
        return _session(row) if row else None

    def end(self, session_id: str, at: datetime, reason: str) -> bool:
        ended = self._conn.execute(
            update(t.staff_sessions)
            .where(
                _S.municipality_code == self._mc,
                _S.session_id == session_id,
                _S.ended_at.is_(None),
                _S.expires_at > at,
            )
            .values(ended_at=at, end_reason=reason)
        )
        return ended.rowcount == 1

    def end_all(
        self, login: str, at: datetime, reason: str, *, keep: str | None = None
    ) -> Sequence[str]:
        live = [
            _S.municipality_code == self._mc,
            _S.login == login,
            _S.ended_at.is_(None),
            _S.expires_at > at,
        ]
        if keep is not None:
            live.append(_S.session_id != keep)
        # Read and end in one transaction: the ids returned are exactly the rows ended.
        ids = list(
            self._conn.execute(
                select(_S.session_id).where(*live).order_by(_S.session_id).with_for_update()
            ).scalars()
        )
        if ids:
            self._conn.execute(
                update(t.staff_sessions)
                .where(_S.municipality_code == self._mc, _S.session_id.in_(ids))
                .values(ended_at=at, end_reason=reason)
            )
        return ids

    def purge(self, login: str, expired_before: datetime) -> None:
        self._conn.execute(
            delete(t.staff_sessions).where(
                _S.municipality_code == self._mc,
                _S.login == login,
                _S.expires_at < expired_before,
            )
        )
