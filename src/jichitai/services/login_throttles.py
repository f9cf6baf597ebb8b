"""How many failed log-ins a client address, and a login from one address, may have in a while.

Two limits, both on failures only (``services/throttle.py``), neither of which a stranger can
turn against a user elsewhere:

- **per client address** (default 20 failures in 15 minutes): past it, every log-in from that
  address is refused with 429 before any password is hashed, so one address cannot keep the
  server hashing. A success does not clear it (else one valid account would reset the count
  between guesses at others).
- **per login and address** (default 5 failures in 15 minutes): past it, that login is refused
  from that address with the ordinary "wrong ID or password" answer, after a dummy hash and
  without the real password being checked, so guessing stops and the answer tells nothing. The
  same user logging in from another terminal is not affected. A success from that address, or
  an administrator's unlock (from every address), clears it.

The counts live in the process's memory (see ``Throttle``); with several server processes each
keeps its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from jichitai.services.ports import Clock
from jichitai.services.throttle import Limit, Throttle

#: Longer logins than this are not real ones; the key keeps this much (bounded memory).
_KEY_LOGIN_LENGTH = 64


@dataclass(frozen=True, slots=True)
class LoginLimits:
    per_address: Limit = field(default_factory=lambda: Limit(20, timedelta(minutes=15)))
    per_login: Limit = field(default_factory=lambda: Limit(5, timedelta(minutes=15)))


def _pair(login: str, address: str) -> str:
    return f"{login[:_KEY_LOGIN_LENGTH]}\x00{address}"


class LoginThrottles:
    def __init__(self, clock: Clock, limits: LoginLimits | None = None) -> None:
        limits = limits or LoginLimits()
        self._addresses = Throttle(clock, limits.per_address)
        self._logins = Throttle(clock, limits.per_login)

    def address_wait(self, address: str) -> timedelta | None:
        """None if the address may try to log in; else how long it must wait."""
        return self._addresses.retry_after(address)

    def login_refused(self, login: str, address: str) -> bool:
        """Whether that login has had its share of failures from that address."""
        return self._logins.retry_after(_pair(login, address)) is not None

    def failed(self, login: str, address: str) -> timedelta | None:
        """Count a failed log-in; how long that login is now refused from that address, if it
        is."""
        self._addresses.hit(address)
        self._logins.hit(_pair(login, address))
        return self._logins.retry_after(_pair(login, address))

    def succeeded(self, login: str, address: str) -> None:
        self._logins.forget(_pair(login, address))

    def forget_login(self, login: str) -> None:
        """Clear the login's failures from every address (an administrator's unlock)."""
        self._logins.forget_prefix(login[:_KEY_LOGIN_LENGTH] + "\x00")
