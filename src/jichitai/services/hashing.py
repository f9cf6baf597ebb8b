"""Password hashing with a bound on how many run at once.

Argon2id is made to be expensive (about 64 MiB and most of a second of CPU per hash with the
production parameters). Unbounded, a flood of log-ins from many addresses would make the server
run dozens at once: memory grows with each, every answer slows down, staff included. So at most
``limit`` hashes run at once (default: the number of CPUs), at most ``max_waiting`` more may
wait for a turn, and anything beyond is refused at once with 503 ``auth.busy`` (Retry-After),
without hashing. Every hash and verification goes through the bound: log-ins, password changes
and administrators' resets alike.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from jichitai.domain.errors import Unavailable, Violation
from jichitai.services.ports import PasswordHasher

T = TypeVar("T")

#: Seconds a client is asked to wait when refused for capacity.
RETRY_AFTER_SECONDS = 2
#: Seconds a waiting request waits for its turn at most before it is refused (a safety net: a
#: hash takes under a second, so a turn normally comes long before).
MAX_WAIT_SECONDS = 10.0


def busy() -> Unavailable:
    return Unavailable(
        Violation(
            "auth.busy",
            "ログインの処理が混み合っています。少し待ってから再度お試しください",
            None,
        ),
        retry_after_seconds=RETRY_AFTER_SECONDS,
    )


class BoundedHasher:
    """A ``PasswordHasher`` running at most ``limit`` operations at once; thread-safe."""

    def __init__(self, hasher: PasswordHasher, limit: int, max_waiting: int) -> None:
        if limit < 1 or max_waiting < 0:
            raise ValueError(
                f"a hashing bound needs limit >= 1, max_waiting >= 0: {limit}, {max_waiting}"
            )
        self._hasher = hasher
        self._limit = limit
        self._max_waiting = max_waiting
        self._running = 0
        self._waiting = 0
        self._turn = threading.Condition()

    def hash(self, password: str) -> str:
        return self._bounded(lambda: self._hasher.hash(password))

    def verify(self, password_hash: str, password: str) -> bool:
        return self._bounded(lambda: self._hasher.verify(password_hash, password))

    def needs_rehash(self, password_hash: str) -> bool:
        return self._hasher.needs_rehash(password_hash)  # reads the parameters; no hashing

    def _bounded(self, work: Callable[[], T]) -> T:
        with self._turn:
            if self._running >= self._limit:
                if self._waiting >= self._max_waiting:
                    raise busy()
                self._waiting += 1
                try:
                    if not self._turn.wait_for(
                        lambda: self._running < self._limit, timeout=MAX_WAIT_SECONDS
                    ):
                        raise busy()
                finally:
                    self._waiting -= 1
            self._running += 1
        try:
            return work()
        finally:
            with self._turn:
                self._running -= 1
                self._turn.notify()
