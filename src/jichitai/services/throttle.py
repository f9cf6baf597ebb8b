"""Rate limits per key (a client address, a login from an address): how many events in a window.

One mechanism for every door that a stranger can hammer without logging in (log-in, the public
``/verify``): each key may have ``limit`` events within any ``window``; the next one is refused
until the oldest of them leaves the window. The state is kept in this process's memory, bounded
to ``max_keys`` keys (the least recently used are forgotten first), so a flood of new addresses
cannot grow it without end. With several server processes each keeps its own count, so the
deployment's limit is the per-process limit times the number of processes (see ADR 0009).
"""

from __future__ import annotations

import threading
from collections import OrderedDict, deque
from dataclasses import dataclass
from datetime import datetime, timedelta

from jichitai.services.ports import Clock


@dataclass(frozen=True, slots=True)
class Limit:
    """At most ``limit`` events per ``window`` for one key."""

    limit: int
    window: timedelta

    def __post_init__(self) -> None:
        if self.limit < 1 or self.window <= timedelta(0):
            raise ValueError(f"a limit needs at least one event in a positive window: {self}")


class Throttle:
    """Counts events per key within a sliding window; thread-safe."""

    def __init__(self, clock: Clock, limit: Limit, *, max_keys: int = 100_000) -> None:
        self._clock = clock
        self._limit = limit
        self._max_keys = max_keys
        self._events: OrderedDict[str, deque[datetime]] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def limit(self) -> Limit:
        return self._limit

    def _recent(self, key: str, now: datetime) -> deque[datetime] | None:
        events = self._events.get(key)
        if events is None:
            return None
        start = now - self._limit.window
        while events and events[0] <= start:
            events.popleft()
        if not events:
            del self._events[key]
            return None
        return events

    def retry_after(self, key: str) -> timedelta | None:
        """None if one more event is allowed now; else how long until it is."""
        now = self._clock.now()
        with self._lock:
            events = self._recent(key, now)
            if events is None or len(events) < self._limit.limit:
                return None
            return max(events[0] + self._limit.window - now, timedelta(seconds=1))

    def hit(self, key: str) -> None:
        """Count one event for ``key``, allowed or not (a failed log-in always counts)."""
        now = self._clock.now()
        with self._lock:
            self._count(key, self._recent(key, now), now)

    def take(self, key: str) -> timedelta | None:
        """Count one event if allowed and answer None; else how long to wait (nothing counted)."""
        now = self._clock.now()
        with self._lock:
            events = self._recent(key, now)
            if events is not None and len(events) >= self._limit.limit:
                return max(events[0] + self._limit.window - now, timedelta(seconds=1))
            self._count(key, events, now)
            return None

    def _count(self, key: str, events: deque[datetime] | None, now: datetime) -> None:
        if events is None:
            events = deque(maxlen=self._limit.limit)
            self._events[key] = events
        self._events.move_to_end(key)
        events.append(now)
        while len(self._events) > self._max_keys:
            self._events.popitem(last=False)

    def forget(self, key: str) -> None:
        """Clear the count of ``key`` (a successful log-in clears its failures)."""
        with self._lock:
            self._events.pop(key, None)

    def forget_prefix(self, prefix: str) -> None:
        """Clear the count of every key starting with ``prefix`` (an administrator's unlock
        clears one login's failures from every address). Walks the keys: for rare calls."""
        with self._lock:
            for key in [k for k in self._events if k.startswith(prefix)]:
                del self._events[key]
