"""Ports of the access log (アクセスログ): where its hash-chained entries are kept, within the
unit of work of what they record (ADR 0012)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:  # the entries are the access log's own values (services/audit.py)
    from jichitai.services.audit import AccessEntry, AccessSearch, Operation, UserActivity


class AccessLogRepository(Protocol):
    """One municipality's access log within a unit of work (``UnitOfWork.access_log``)."""

    def append(self, build: Callable[[int, str], AccessEntry]) -> AccessEntry:
        """Lock the municipality's head until the unit of work ends, ``build(next_seq,
        prev_hash)``, store the entry and its person rows, move the head; return the entry.
        It commits, or rolls back, with everything else the unit of work wrote."""

    def head(self) -> tuple[int, str]:
        """The last sequence number and hash (not locked)."""

    def entries(self, after_seq: int = 0, limit: int | None = None) -> Sequence[AccessEntry]:
        """Entries in sequence order, after ``after_seq``."""

    def indexed_persons(self, after_seq: int, through_seq: int) -> Sequence[tuple[int, str]]:
        """The person index (seq, 宛名番号) for entries in (after_seq, through_seq]."""

    def search(
        self, query: AccessSearch, *, before_seq: int | None = None, limit: int
    ) -> Sequence[AccessEntry]:
        """Entries matching the query's atena_number, user_login, since, until, operation and
        outcome (``night_or_holiday`` and ``query.limit`` are the service's), newest first,
        with ``seq < before_seq`` when given."""

    def activity(
        self, since: datetime, until: datetime, operation: Operation | None = None
    ) -> Sequence[UserActivity]:
        """Per user: successful entries in [since, until) (of one operation if given) and the
        distinct persons they concern, by login."""
