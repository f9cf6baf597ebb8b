"""Faults the stand-in CS can play (issue 21: the CS answering slowly, refusing one message, down):

- ``delay`` seconds before each answer to ``POST /v1/messages`` (the message is taken first,
  then the answer is late: a sender whose time-out is shorter sees no answer and sends it again,
  and the CS answers the resend with its first receipt);
- ``refuse``: the (municipality-independent) ``seq`` numbers refused with ``cs.refused_by_test``
  (``cs.fault``), nothing taken;
- ``down``: every message answered 503 (no answer: the sender tries again later).

Set at start (``jichitai standin serve --delay 2 --refuse-seq 7``) or, while it runs, on
loopback only: ``POST /v1/faults {"delay": 0, "refuse": [7], "down": false}`` (``GET`` shows them).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Faults:
    delay: float = 0.0
    refuse: set[int] = field(default_factory=set)
    down: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def refuses(self, message: Any) -> bool:
        seq = message.get("seq") if isinstance(message, dict) else None
        with self._lock:
            return isinstance(seq, int) and seq in self.refuse

    def now(self) -> dict[str, Any]:
        with self._lock:
            return {"delay": self.delay, "refuse": sorted(self.refuse), "down": self.down}

    def set(self, document: Any) -> dict[str, Any]:
        """Apply ``{"delay": s, "refuse": [seq…], "down": bool}`` (each optional)."""
        if not isinstance(document, dict):
            raise ValueError("an object expected")
        delay, refuse, down = document.get("delay"), document.get("refuse"), document.get("down")
        if delay is not None and (not isinstance(delay, int | float) or not 0 <= delay <= 600):
            raise ValueError("delay: 0-600 seconds")
        if refuse is not None and (
            not isinstance(refuse, list) or not all(isinstance(s, int) for s in refuse)
        ):
            raise ValueError("refuse: a list of seq numbers")
        if down is not None and not isinstance(down, bool):
            raise ValueError("down: true or false")
        with self._lock:
            if delay is not None:
                self.delay = float(delay)
            if refuse is not None:
                self.refuse = set(refuse)
            if down is not None:
                self.down = down
        return self.now()

    def wait(self, event: threading.Event) -> None:
        """The configured delay (cut short when the server shuts down)."""
        with self._lock:
            delay = self.delay
        if delay > 0:
            event.wait(delay)
