"""When a failed webhook delivery is tried again, and when it is given up (dead letter)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Exponential backoff: ``base`` after the first failure, doubling, never more than ``cap``.

    With the defaults a delivery is tried 15 times over about 40 minutes before it becomes a
    dead letter, so a receiver that is down or answers 500 for minutes loses nothing.
    """

    base_seconds: float = 1.0
    cap_seconds: float = 300.0
    max_attempts: int = 15

    def __post_init__(self) -> None:
        if self.base_seconds <= 0 or self.cap_seconds < self.base_seconds:
            raise ValueError("backoff needs 0 < base <= cap")
        if self.max_attempts < 1:
            raise ValueError("at least one attempt")

    def delay(self, attempts: int) -> timedelta:
        """The wait after ``attempts`` failed tries (1 for the first failure)."""
        exponent = min(max(attempts - 1, 0), 62)
        return timedelta(seconds=min(self.cap_seconds, self.base_seconds * 2**exponent))

    def next_attempt(self, attempts: int, now: datetime) -> datetime | None:
        """When to try again after ``attempts`` failures; ``None``: give up (dead letter)."""
        if attempts >= self.max_attempts:
            return None
        return now + self.delay(attempts)
