"""Ports every area uses: the clock and the random source (the services never read the time or
draw randomness themselves; ``adapters/clock.py`` does, and tests inject seeded doubles)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Protocol


class Clock(Protocol):
    """The only source of 'now' (aware UTC) and of 'today' (the municipality's date, JST)."""

    def now(self) -> datetime: ...

    def today(self) -> date: ...


class RandomSource(Protocol):
    """Random digits for 住民票コード (drawn at random, standard §4.3.1 (870)) and for the
    確認コード of a certificate (``/verify`` finds a copy by it, so it must not be guessable):
    the real source draws them from the operating system's secure generator; tests use a seeded
    one to replay a run."""

    def digits(self, count: int) -> str: ...
