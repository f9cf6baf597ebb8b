"""Staff sessions: each log-in is a server-side record that the token names (standard §10.3).

A token alone would stay good until it expires, whatever happened since; so every token (the
API's bearer token and the counter's cookie hold the same one) names a session, and every request
reads that session by its key. Ending it refuses the token at once, in every server process:

- a log-out (the counter's button, ``POST /api/v1/auth/logout``) ends the session it is made in;
- a user's own password change ends all their *other* sessions (the one making the change goes
  on: the user just proved the password);
- an administrator's password reset, disabling the user, or a change of their roles or validity
  ends all of the user's sessions.

Each end is written to the access log in the unit of work that ends it: a log-out as ``LOGOUT``,
every other end as ``END_SESSION`` by whoever caused it, the reason in ``detail``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from jichitai.domain.access.actor import Actor, Unauthenticated
from jichitai.domain.errors import Violation
from jichitai.services.audit import AccessLog, Operation
from jichitai.services.ports import (
    Clock,
    IdSource,
    StaffSession,
    StaffUser,
    TokenClaims,
    TokenCodec,
    UnitOfWork,
)

#: How long a session's row is kept after it expired: a counter form posted after expiry is
#: recognised by it (the resume), and a token naming a missing row is refused anyway.
KEPT_AFTER_EXPIRY = timedelta(days=1)


class EndReason(StrEnum):
    """Why a session ended before it expired (``staff_sessions.end_reason``)."""

    LOGOUT = "logout"
    PASSWORD_CHANGED = "password_changed"
    """The user changed their own password (their other sessions end)."""
    PASSWORD_RESET = "password_reset"
    """An administrator set a new password."""
    DISABLED = "disabled"
    ROLES_CHANGED = "roles_changed"
    VALIDITY_CHANGED = "validity_changed"


@dataclass(frozen=True, slots=True)
class OpenedSession:
    """A new session and its token."""

    token: str
    session_id: str
    expires_at: datetime


def _invalid() -> Unauthenticated:
    return Unauthenticated(
        Violation(
            "auth.invalid_token",
            "認証情報が正しくありません。再度ログインしてください",
            "Authorization",
        )
    )


_ENDED_BECAUSE: dict[EndReason, str] = {
    EndReason.LOGOUT: "ログアウトしたため",
    EndReason.PASSWORD_CHANGED: "パスワードが変更されたため",
    EndReason.PASSWORD_RESET: "管理者がパスワードを再設定したため",
    EndReason.ROLES_CHANGED: "権限が変更されたため",
    EndReason.VALIDITY_CHANGED: "有効期間が変更されたため",
}


def _ended(reason: str | None) -> Unauthenticated:
    if reason == EndReason.DISABLED:  # the same answer as the user check gives
        return Unauthenticated(
            Violation("auth.disabled", "このアカウントは利用停止されています", "username")
        )
    because = next((text for known, text in _ENDED_BECAUSE.items() if known == reason), "")
    return Unauthenticated(
        Violation(
            "auth.session_ended",
            f"{because}このログインは終了しました。再度ログインしてください",
            "Authorization",
        )
    )


class SessionService:
    def __init__(
        self,
        uow_for: Callable[[str], UnitOfWork],
        reader_for: Callable[[str], UnitOfWork],
        tokens: TokenCodec,
        clock: Clock,
        access_log: AccessLog,
        ids: IdSource,
    ) -> None:
        self._uow_for = uow_for
        self._reader_for = reader_for
        self._tokens = tokens
        self._clock = clock
        self._access_log = access_log
        self._ids = ids

    def open_in(self, uow: UnitOfWork, user: StaffUser) -> OpenedSession:
        """A new session for a user who has just proved their password, in the log-in's unit of
        work (which logs it)."""
        now = self._clock.now()
        session_id = self._ids.token(18)  # 24 characters, 144 random bits
        token, expires = self._tokens.issue(user.login, user.municipality_code, session_id)
        uow.sessions.purge(user.login, now - KEPT_AFTER_EXPIRY)
        uow.sessions.add(
            StaffSession(
                municipality_code=user.municipality_code,
                session_id=session_id,
                login=user.login,
                created_at=now,
                expires_at=expires,
            )
        )
        return OpenedSession(token, session_id, expires)

    def _session(self, claims: TokenClaims) -> StaffSession | None:
        with self._reader_for(claims.municipality_code) as uow:
            return uow.sessions.get(claims.session_id)

    def check(self, token: str) -> TokenClaims:
        """The claims of a valid token whose session is live; else ``Unauthenticated``.

        One read by key on every request, never cached: an ended session must be refused by
        every process at once.
        """
        claims = self._tokens.read(token)
        session = self._session(claims)
        if session is None or session.login != claims.login:
            raise _invalid()
        if session.ended_at is not None:
            raise _ended(session.end_reason)
        if not session.live_at(self._clock.now()):
            raise _invalid()
        return claims

    def recognised(self, token: str) -> TokenClaims | None:
        """The claims of a token this server issued for a session it still knows, expired or
        ended or not: whose session a request carried even if it may no longer act in it."""
        claims = self._tokens.read_signed(token)
        if claims is None:
            return None
        session = self._session(claims)
        if session is None or session.login != claims.login:
            return None
        return claims

    def log_out(self, actor: Actor, session_id: str) -> None:
        """End the session the actor is acting in (the counter's log-out, the API's), and log it
        in the same unit of work."""
        now = self._clock.now()
        with self._uow_for(actor.municipality_code) as uow:
            if uow.sessions.end(session_id, now, EndReason.LOGOUT):
                self._access_log.record_in(
                    uow,
                    actor,
                    Operation.LOGOUT,
                    target=f"session:{session_id}",
                    detail=EndReason.LOGOUT,
                )
                uow.commit()

    def end_all_in(
        self,
        uow: UnitOfWork,
        actor: Actor,
        user: StaffUser,
        reason: EndReason,
        *,
        keep: str | None = None,
    ) -> int:
        """End every live session of ``user`` but ``keep``, each written to the access log as
        ended by ``actor`` for ``reason``, in ``uow`` (the change to the user that ends them);
        the number ended."""
        ended = uow.sessions.end_all(user.login, self._clock.now(), reason, keep=keep)
        for session_id in ended:
            self._access_log.record_in(
                uow,
                actor,
                Operation.END_SESSION,
                target=f"user:{user.login}:session:{session_id}",
                detail=reason,
            )
        return len(ended)
