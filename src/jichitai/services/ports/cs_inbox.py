"""Ports of the messages other municipalities send through the CS (転入通知情報, 転出証明書情報):
the CS's mailbox of a municipality and the ``cs_inbox`` table they are taken into."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True, slots=True)
class CsDelivery:
    """One message of the CS's mailbox: ``relay_id`` is its number there (rising)."""

    relay_id: int
    receipt: str
    sender: str
    seq: int
    ordinal: int
    kind: str
    body: str
    to: str = ""
    """The municipality it is addressed to (a shared CS's mailbox holds several's; 共同利用)."""


@dataclass(frozen=True, slots=True)
class CsInboxRow:
    """One message taken in: ``status`` ``new`` (not yet acted on), ``taken`` (a 転入通知 recorded
    automatically), ``unmatched`` (``note``: why not), ``used`` (a 転出証明書情報 a 特例転入 was
    started from, ``note``: the draft)."""

    municipality_code: str
    relay_id: int
    kind: str
    sender: str
    sender_seq: int
    sender_ordinal: int
    resident_code: str
    name: str
    body: str
    status: str
    note: str
    received_at: datetime
    updated_at: datetime
    withheld: bool = False
    """The person is under a 抑止・支援措置 the reader may not see through: ``resident_code``,
    ``name``, ``body`` and the reason of ``note`` are withheld (``WITHHELD_MARK``)."""


class CsMailbox(Protocol):
    def fetch(self, municipality_code: str, after: int) -> Sequence[CsDelivery]:
        """The messages for the municipality numbered above ``after``, oldest first; raise
        ``CsUnreachable`` when the CS gives no answer."""

    def close(self) -> None: ...


class CsInbox(Protocol):
    """``cs_inbox`` of every municipality; each method its own transaction."""

    def last_relay_id(self, municipality_code: str) -> int:
        """The highest ``relay_id`` taken in (0: none)."""

    def add(self, municipality_code: str, deliveries: Sequence[CsDelivery], at: datetime) -> int:
        """Take the deliveries in as ``new`` rows; one already taken (the same ``relay_id``, or
        the same sender, ``seq`` and ``ordinal``) is passed over. How many were added."""

    def listed(
        self, municipality_code: str, status: str | None = None, kind: str | None = None
    ) -> Sequence[CsInboxRow]:
        """The rows (of one status, of one kind), in the order they arrived."""

    def mark(
        self,
        municipality_code: str,
        relay_id: int,
        status: str,
        note: str,
        at: datetime,
        *,
        expected: str,
    ) -> bool:
        """Set a row's status if it is still ``expected`` (compare-and-set); whether it was."""
