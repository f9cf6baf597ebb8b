"""Ports every area uses: the clock, the random source and the source of identifiers (the
services never read the time or draw randomness themselves; ``adapters/clock.py`` does, and tests
inject fixed or seeded doubles)."""

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


class IdSource(Protocol):
    """Random identifiers and credentials: the random part of event and access-log ids (UUID
    version 7), draft, subscriber and suppression ids (UUID version 4), session ids, API keys
    and webhook secrets.

    Apart from :class:`RandomSource` because these must be unique across every municipality,
    process and run that share a database, and unguessable where they are credentials: the real
    source is the operating system's secure generator (``secrets``). A test may inject a seeded
    one to replay a run (one seed per application sharing a database)."""

    def bits(self, count: int) -> int:
        """A number of ``count`` random bits."""

    def token(self, nbytes: int) -> str:
        """``nbytes`` random bytes as URL-safe text (``secrets.token_urlsafe``'s form)."""
