"""Certificates just issued at the counter, held a few minutes for the clerk who issued them.

発行する answers a page saying what was issued (so the preview's tab no longer says 「まだ発行
していません」); the signed PDF it made is held here, in the server process's memory, behind an
unguessable token (``secrets.token_urlsafe``, 256 bits) that the page links to. The PDF is never
drawn again for that link: opening it serves the very file the issue recorded (its SHA-256 is in
the history), so it is not a new issue and verifies as the one issued.

A token opens the PDF only for the same login in the same counter session (another clerk, or
the same clerk after logging out and in, gets "not found"), and only for ``LIFETIME`` after the
issue: within it the clerk may open it again (the PDF tab closed before printing, the printer
jammed); after it the file is gone from memory, and a copy is re-printed from the issue history
(再印刷, with a reason, as the history records). Each process holds at most ``MAX_HELD`` files
(the oldest dropped first); a restart forgets them all. Nothing is written to disk.
"""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from jichitai.services.certificates import Issued
from jichitai.services.ports import Clock

LIFETIME: Final = timedelta(minutes=10)
MAX_HELD: Final = 200
"""Files held by one process (a busy counter issues far fewer in ten minutes)."""
TOKEN_BYTES: Final = 32


@dataclass(frozen=True, slots=True)
class _Held:
    login: str
    session_id: str
    issued: Issued
    until: datetime


class IssuedCopies:
    def __init__(
        self, clock: Clock, lifetime: timedelta = LIFETIME, max_held: int = MAX_HELD
    ) -> None:
        self._clock = clock
        self._lifetime = lifetime
        self._max = max_held
        self._held: OrderedDict[str, _Held] = OrderedDict()
        self._lock = threading.Lock()

    def keep(self, login: str, session_id: str, issued: Issued) -> str:
        """Hold ``issued`` for this clerk's session; the token that opens it."""
        token = secrets.token_urlsafe(TOKEN_BYTES)
        now = self._clock.now()
        with self._lock:
            self._drop_expired(now)
            self._held[token] = _Held(login, session_id, issued, now + self._lifetime)
            while len(self._held) > self._max:
                self._held.popitem(last=False)
        return token

    def opened(self, login: str, session_id: str, token: str) -> Issued | None:
        """The copy behind ``token``, if this clerk's session holds it and it has not expired."""
        now = self._clock.now()
        with self._lock:
            self._drop_expired(now)
            held = self._held.get(token)
        if held is None or not (
            secrets.compare_digest(held.login, login)
            and secrets.compare_digest(held.session_id, session_id)
        ):
            return None
        return held.issued

    @property
    def lifetime_minutes(self) -> int:
        return int(self._lifetime.total_seconds() // 60)

    def _drop_expired(self, now: datetime) -> None:
        for token in [t for t, h in self._held.items() if h.until <= now]:
            del self._held[token]
