"""Log-in (standard §10.3 (1380)): one answer and one hash for every failure, throttled per
client address and per login from an address, and bounded in how many hashes run at once.

What a stranger must not learn or do:

- **Which logins exist.** An unknown login, a wrong password and a login refused by its
  throttle get the same answer (``auth.invalid_credentials``, same message and field) after the
  same work: one look-up and exactly one Argon2 verification (against a dummy hash when there is
  no password to check). Only a correct password tells more (``auth.disabled``,
  ``auth.expired``): whoever knows it may know that.
- **Lock a user out.** There is no per-account lock. Failures are counted per client address
  and per (login, address) (``services/login_throttles.py``); a user's colleague at another
  terminal, or the user after a success, is not affected by a stranger's tries. Administrators
  still see the failure count, may disable an account, and ``unlock`` clears its throttles.
- **Keep the server hashing.** An address past its limit is refused with 429 before anything is
  hashed; at most a few hashes run at once (``services/hashing.py``), beyond that 503.

Logins are unique per municipality: a log-in names the municipality, or, when it does not, the
login must exist in exactly one (in none or several: the same failure answer).

A log-in's writes are one unit of work of the user's municipality: the session, the renewed hash
or cleared failure count, and the access-log entry (a failure: the count and its entry) commit
together; hashing is done before it opens.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta

from jichitai.domain.access.actor import Actor, Unauthenticated
from jichitai.domain.errors import TooManyRequests, Violation
from jichitai.services.audit import AccessLog, Operation
from jichitai.services.login_throttles import LoginThrottles
from jichitai.services.ports import Clock, PasswordHasher, StaffUser, UnitOfWork
from jichitai.services.sessions import OpenedSession, SessionService
from jichitai.services.users import MAX_PASSWORD_LENGTH, UserService, bad_credentials


@dataclass(frozen=True, slots=True)
class Where:
    """Where a log-in comes from, for the throttles and the access log."""

    client: str
    """The client address as the server sees it (behind a reverse proxy, see docs/api.md)."""
    terminal: str = ""
    place: str = ""
    purpose: str = ""


@dataclass(frozen=True, slots=True)
class LoggedIn:
    user: StaffUser
    session: OpenedSession


def _throttled(wait: timedelta) -> TooManyRequests:
    minutes = max(1, math.ceil(wait.total_seconds() / 60))
    return TooManyRequests(
        Violation(
            "auth.throttled",
            "この端末からのログインの失敗が続いたため、しばらくログインを受け付けません。"
            f"{minutes}分ほど待ってから再度お試しください",
            None,
        ),
        retry_after_seconds=math.ceil(wait.total_seconds()),
    )


class LoginService:
    def __init__(
        self,
        uow_for: Callable[[str], UnitOfWork],
        users: UserService,
        hasher: PasswordHasher,
        throttles: LoginThrottles,
        sessions: SessionService,
        access_log: AccessLog,
        clock: Clock,
    ) -> None:
        self._uow_for = uow_for
        self._users = users
        self._hasher = hasher
        self._throttles = throttles
        self._sessions = sessions
        self._access_log = access_log
        self._clock = clock
        self._dummy_hash: str | None = None
        self._dummy_lock = threading.Lock()

    def log_in(
        self, login: str, password: str, where: Where, *, municipality_code: str = ""
    ) -> LoggedIn:
        """A new session for the user, or a refusal (see the module's docstring)."""
        wait = self._throttles.address_wait(where.client)
        if wait is not None:
            raise _throttled(wait)
        dummy = self._dummy()
        candidates = self._users.candidates(login, municipality_code)
        user = candidates[0] if len(candidates) == 1 else None
        refused_here = self._throttles.login_refused(login, where.client)
        if user is None or refused_here or len(password) > MAX_PASSWORD_LENGTH:
            # The same one verification as for a real password, whose answer is ignored.
            self._hasher.verify(dummy, password[:MAX_PASSWORD_LENGTH])
            right = False
        else:
            right = self._hasher.verify(user.password_hash, password)
        if user is None or not right:
            refused_for = self._throttles.failed(login, where.client)
            detail = _failure_detail(candidates, refused_here)
            until = self._clock.now() + refused_for if refused_for is not None else None
            for candidate in candidates:  # each municipality's log shows tries at its login
                with self._uow_for(candidate.municipality_code) as uow:
                    if candidate is user:  # the failure counted with its entry
                        self._users.failed_log_in_in(uow, user, until)
                    self._record(uow, candidate, where, Operation.LOGIN_FAILED, detail=detail)
                    uow.commit()
            raise bad_credentials()
        self._throttles.succeeded(login, where.client)
        try:
            self._users.usable(user)
        except Unauthenticated as refused:
            with self._uow_for(user.municipality_code) as uow:
                self._record(uow, user, where, Operation.LOGIN_FAILED, detail=refused.code)
                uow.commit()
            raise
        renewed = self._users.after_log_in(user, password)  # hashed before the unit of work
        with self._uow_for(user.municipality_code) as uow:
            if renewed is not None:
                self._users.save_in(uow, renewed)
                user = renewed
            session = self._sessions.open_in(uow, user)
            self._record(uow, user, where, Operation.LOGIN, target=f"session:{session.session_id}")
            uow.commit()
        return LoggedIn(user, session)

    def _dummy(self) -> str:
        """A hash to verify against when there is no real one. Made on the first log-in of the
        process (whatever its outcome), so it does not set the first unknown login apart."""
        with self._dummy_lock:
            if self._dummy_hash is None:
                self._dummy_hash = self._hasher.hash("timing equaliser")
            return self._dummy_hash

    def _record(
        self,
        uow: UnitOfWork,
        user: StaffUser,
        where: Where,
        operation: Operation,
        *,
        target: str = "",
        detail: str = "",
    ) -> None:
        actor = Actor(
            user.login,
            user.municipality_code,
            user.roles,
            terminal=where.terminal or where.client,
            place=where.place,
            purpose=where.purpose,
        )
        outcome = "ok" if operation is Operation.LOGIN else "refused"
        self._access_log.record_in(
            uow, actor, operation, target=target, outcome=outcome, detail=detail
        )


def _failure_detail(candidates: Sequence[StaffUser], throttled: bool) -> str:
    """What the access log says about a failure (the client is told none of it)."""
    if throttled:
        return "auth.throttled_login"
    if len(candidates) > 1:
        return "auth.ambiguous_login"
    return "auth.invalid_credentials"
