"""The real clock, random source and id source (the only places that read the time or draw
randomness)."""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo


class SystemClock:
    """Now in UTC; 'today' in the municipality's time zone (Japan), which sets the 処理日."""

    def __init__(self, timezone: str = "Asia/Tokyo") -> None:
        self._zone = ZoneInfo(timezone)

    def now(self) -> datetime:
        return datetime.now(UTC)  # noqa: TID251  # the one real clock

    def today(self) -> date:
        return datetime.now(self._zone).date()  # noqa: TID251  # the one real clock


class SystemRandom:
    """Cryptographically random digits (``secrets``): neither 住民票コード nor a certificate's
    確認コード may be guessable or sequential."""

    def digits(self, count: int) -> str:
        return "".join(str(secrets.randbelow(10)) for _ in range(count))


class SystemIds:
    """Identifiers and credentials from the operating system's secure generator (``secrets``):
    unique across processes and runs, and unguessable (session ids, API keys)."""

    def bits(self, count: int) -> int:
        return secrets.randbits(count)

    def token(self, nbytes: int) -> str:
        return secrets.token_urlsafe(nbytes)
