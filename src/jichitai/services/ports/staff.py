"""Ports of staff users and their sessions: the user directory, password hashing, bearer
tokens and the session store."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from jichitai.domain.access.roles import Role


@dataclass(frozen=True, slots=True)
class StaffUser:
    """A staff user (職員) of one municipality, as stored.

    ``failed_attempts`` counts failed log-ins since the last success (for administrators to
    see); ``locked_until`` says until when log-ins for this ID were being refused from some
    address (throttled, ``services/login.py``). Neither blocks a log-in by itself: a lock that
    any stranger could set would let them shut a user out.
    """

    municipality_code: str
    login: str
    display_name: str
    roles: frozenset[Role]
    password_hash: str
    valid_from: date
    valid_until: date | None
    failed_attempts: int
    locked_until: datetime | None
    disabled: bool
    created_at: datetime
    updated_at: datetime


class UserRepository(Protocol):
    """One municipality's staff users within a unit of work (``UnitOfWork.users``); a login is
    unique within its municipality (two municipalities may each have a ``tanaka``)."""

    def add(self, user: StaffUser) -> None:
        """Raises ``ConflictError`` ``user.exists`` if the municipality already has the login."""

    def get(self, login: str) -> StaffUser | None: ...

    def update(self, user: StaffUser) -> None: ...

    def listed(self) -> Sequence[StaffUser]:
        """Every user of the municipality, by login."""


class StaffLogins(Protocol):
    """A login looked up in every municipality, outside any unit of work (a log-in that does
    not name its municipality)."""

    def with_login(self, login: str) -> Sequence[StaffUser]:
        """The users of that login in every municipality."""


class PasswordHasher(Protocol):
    """A memory-hard password hash (Argon2id in production)."""

    def hash(self, password: str) -> str: ...

    def verify(self, password_hash: str, password: str) -> bool: ...

    def needs_rehash(self, password_hash: str) -> bool: ...


@dataclass(frozen=True, slots=True)
class TokenClaims:
    """What a bearer token proves: who logged in, for which municipality, in which session."""

    login: str
    municipality_code: str
    session_id: str
    expires_at: datetime


class TokenCodec(Protocol):
    """Issues and reads bearer tokens; reading an invalid or expired one raises Unauthenticated."""

    def issue(self, login: str, municipality_code: str, session_id: str) -> tuple[str, datetime]:
        """A token for that session and when it expires."""

    def read(self, token: str) -> TokenClaims:
        """The claims of a valid, unexpired token naming a session; else ``Unauthenticated``."""

    def read_signed(self, token: str) -> TokenClaims | None:
        """The claims of a token this server signed, expired or not; None for anything else
        (the counter recognises its own user's expired session by it)."""


@dataclass(frozen=True, slots=True)
class StaffSession:
    """One log-in: the token (API bearer or counter cookie) names it by ``session_id``.

    A session ends by expiring (``expires_at``, the token's own expiry) or earlier, for the
    ``end_reason`` recorded with ``ended_at``: a log-out, a password change, or an
    administrator's change to the user.
    """

    municipality_code: str
    session_id: str
    login: str
    created_at: datetime
    expires_at: datetime
    ended_at: datetime | None = None
    end_reason: str | None = None

    def live_at(self, now: datetime) -> bool:
        return self.ended_at is None and now < self.expires_at


class SessionRepository(Protocol):
    """One municipality's staff sessions within a unit of work (``UnitOfWork.sessions``), read
    on every request (never cached: an ended session must be refused at once by every server
    process)."""

    def add(self, session: StaffSession) -> None: ...

    def get(self, session_id: str) -> StaffSession | None: ...

    def end(self, session_id: str, at: datetime, reason: str) -> bool:
        """End a live session; False if it had already ended or expired (or does not exist)."""

    def end_all(
        self, login: str, at: datetime, reason: str, *, keep: str | None = None
    ) -> Sequence[str]:
        """End every live session of the user but ``keep``; the ids of those ended."""

    def purge(self, login: str, expired_before: datetime) -> None:
        """Delete the user's sessions that expired before ``expired_before``, ended or not (the
        access log keeps the log-ins and log-outs; a row is needed only while a token naming it
        could still be presented, and a little longer for the counter's resume)."""
