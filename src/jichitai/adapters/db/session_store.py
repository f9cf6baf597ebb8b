"""Staff sessions in the database (table ``staff_sessions``), read by their key on every request."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, delete, insert, select, update

from jichitai.adapters.db import tables as t
from jichitai.adapters.db.engine import READ_ONLY
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


class SqlSessionStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def add(self, session: StaffSession) -> None:
        with self._engine.begin() as conn:
            conn.execute(
                insert(t.staff_sessions).values(
                    municipality_code=session.municipality_code,
                    session_id=session.session_id,
                    login=session.login,
                    created_at=session.created_at,
                    expires_at=session.expires_at,
                    ended_at=session.ended_at,
                    end_reason=session.end_reason,
                )
            )

    def get(self, municipality_code: str, session_id: str) -> StaffSession | None:
        with self._engine.connect().execution_options(**READ_ONLY) as conn:
            row = conn.execute(
                select(t.staff_sessions).where(
                    _S.municipality_code == municipality_code, _S.session_id == session_id
                )
            ).one_or_none()
        return _session(row) if row else None

    def end(self, municipality_code: str, session_id: str, at: datetime, reason: str) -> bool:
        with self._engine.begin() as conn:
            ended = conn.execute(
                update(t.staff_sessions)
                .where(
                    _S.municipality_code == municipality_code,
                    _S.session_id == session_id,
                    _S.ended_at.is_(None),
                    _S.expires_at > at,
                )
                .values(ended_at=at, end_reason=reason)
            )
        return ended.rowcount == 1

    def end_all(
        self,
        municipality_code: str,
        login: str,
        at: datetime,
        reason: str,
        *,
        keep: str | None = None,
    ) -> Sequence[str]:
        live = [
            _S.municipality_code == municipality_code,
            _S.login == login,
            _S.ended_at.is_(None),
            _S.expires_at > at,
        ]
        if keep is not None:
            live.append(_S.session_id != keep)
        with self._engine.begin() as conn:
            # Read and end in one transaction: the ids returned are exactly the rows ended.
            ids = list(
                conn.execute(
                    select(_S.session_id).where(*live).order_by(_S.session_id).with_for_update()
                ).scalars()
            )
            if ids:
                conn.execute(
                    update(t.staff_sessions)
                    .where(_S.municipality_code == municipality_code, _S.session_id.in_(ids))
                    .values(ended_at=at, end_reason=reason)
                )
        return ids

    def purge(self, municipality_code: str, login: str, expired_before: datetime) -> None:
        with self._engine.begin() as conn:
            conn.execute(
                delete(t.staff_sessions).where(
                    _S.municipality_code == municipality_code,
                    _S.login == login,
                    _S.expires_at < expired_before,
                )
            )
