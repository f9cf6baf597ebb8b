"""Staff sessions: each log-in is a server-side record that the token names (standard §10.3).

A token alone would stay good until it expires, whatever happened since; so every token (the
API's bearer token and the counter's cookie hold the same one) names a session, and every request
reads that session by its key. Ending it refuses the token at once, in every server process:

- a log-out (the counter's button, ``POST /api/v1/auth/logout``) ends the session it is made in;
- a user's own password change ends all their *other* sessions (the one making the change goes
  on: the user just proved the password);
- an administrator's password reset, disabling the user, or a change of their roles or validity
  ends all of the user's sessions.

Each end is written to the access log: a log-out as ``LOGOUT``, every other end as
``END_SESSION`` by whoever caused it, the reason in ``detail``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from jichitai.domain.access.actor import Actor, Unauthenticated
from jichitai.domain.errors import Violation
from jichitai.services.audit import AccessLog, Operation
from jichitai.services.ports import (
    Clock,
    IdSource,
    SessionStore,
    StaffSession,
    StaffUser,
    TokenClaims,
    TokenCodec,
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
        store: SessionStore,
        tokens: TokenCodec,
        clock: Clock,
        access_log: AccessLog,
        ids: IdSource,
    ) -> None:
        self._store = store
        self._tokens = tokens
        self._clock = clock
        self._access_log = access_log
        self._ids = ids

    def open(self, user: StaffUser) -> OpenedSession:
        """A new session for a user who has just proved their password."""
        now = self._clock.now()
        session_id = self._ids.token(18)  # 24 characters, 144 random bits
        token, expires = self._tokens.issue(user.login, user.municipality_code, session_id)
        self._store.purge(user.municipality_code, user.login, now - KEPT_AFTER_EXPIRY)
        self._store.add(
            StaffSession(
                municipality_code=user.municipality_code,
                session_id=session_id,
                login=user.login,
                created_at=now,
                expires_at=expires,
            )
        )
        return OpenedSession(token, session_id, expires)

    def check(self, token: str) -> TokenClaims:
        """The claims of a valid token whose session is live; else ``Unauthenticated``.

        One read by key on every request, never cached: an ended session must be refused by
        every process at once.
        """
        claims = self._tokens.read(token)
        session = self._store.get(claims.municipality_code, claims.session_id)
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
        session = self._store.get(claims.municipality_code, claims.session_id)
        if session is None or session.login != claims.login:
            return None
        return claims

    def log_out(self, actor: Actor, session_id: str) -> None:
        """End the session the actor is acting in (the counter's log-out, the API's)."""
        now = self._clock.now()
        if self._store.end(actor.municipality_code, session_id, now, EndReason.LOGOUT):
            self._access_log.record(
                actor, Operation.LOGOUT, target=f"session:{session_id}", detail=EndReason.LOGOUT
            )

    def end_all(
        self, actor: Actor, user: StaffUser, reason: EndReason, *, keep: str | None = None
    ) -> int:
        """End every live session of ``user`` but ``keep``, each written to the access log as
        ended by ``actor`` for ``reason``; the number ended."""
        ended = self._store.end_all(
            user.municipality_code, user.login, self._clock.now(), reason, keep=keep
        )
        for session_id in ended:
            self._access_log.record(
                actor,
                Operation.END_SESSION,
                target=f"user:{user.login}:session:{session_id}",
                detail=reason,
            )
        return len(ended)
