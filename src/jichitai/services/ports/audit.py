"""Ports of the access log (アクセスログ): where its hash-chained entries are kept."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:  # the entries are the access log's own values (services/audit.py)
    from jichitai.services.audit import AccessEntry, AccessSearch, Operation, UserActivity


class AccessLogStore(Protocol):
    """Where the access log lives. Every method is scoped to one municipality's entries."""

    def append(
        self, municipality_code: str, build: Callable[[int, str], AccessEntry]
    ) -> AccessEntry:
        """In one transaction: lock the municipality's head, ``build(next_seq, prev_hash)``,
        store the entry and its person rows, move the head; return the entry."""

    def head(self, municipality_code: str) -> tuple[int, str] | None:
        """The last sequence number and hash (not locked); ``None`` for an unknown municipality."""

    def entries(
        self, municipality_code: str, after_seq: int = 0, limit: int | None = None
    ) -> Sequence[AccessEntry]:
        """Entries in sequence order, after ``after_seq``."""

    def indexed_persons(
        self, municipality_code: str, after_seq: int, through_seq: int
    ) -> Sequence[tuple[int, str]]:
        """The person index (seq, 宛名番号) for entries in (after_seq, through_seq]."""

    def search(
        self,
        municipality_code: str,
        query: AccessSearch,
        *,
        before_seq: int | None = None,
        limit: int,
    ) -> Sequence[AccessEntry]:
        """Entries matching the query's atena_number, user_login, since, until, operation and
        outcome (``night_or_holiday`` and ``query.limit`` are the service's), newest first,
        with ``seq < before_seq`` when given."""

    def activity(
        self,
        municipality_code: str,
        since: datetime,
        until: datetime,
        operation: Operation | None = None,
    ) -> Sequence[UserActivity]:
        """Per user: successful entries in [since, until) (of one operation if given) and the
        distinct persons they concern, by login."""
