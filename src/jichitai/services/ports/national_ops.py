"""Port of the clerk's operations on the CS outbox (standard §7.1.1.1 (1090)): re-send a message
(a new row after the pending ones), complete one by hand, switch a municipality's sending to
manual for a while. Each method is its own transaction scoped to the municipality it names."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from jichitai.services.ports.national import CsEntry


@dataclass(frozen=True, slots=True)
class CsManual:
    """Sending switched to manual (手動連携): nothing goes to the CS until ``until`` (None: until
    it is switched back)."""

    municipality_code: str
    until: datetime | None
    set_by: str
    set_at: datetime
    note: str = ""


class CsOperationsStore(Protocol):
    def entry(self, municipality_code: str, seq: int, ordinal: int) -> CsEntry | None: ...

    def add_resend(
        self,
        original: CsEntry,
        body: str,
        unconvertible: str,
        note: str,
        by: str,
        at: datetime,
        close_original: str | None,
        amendments: str = "",
    ) -> CsEntry:
        """A new pending row with ``body`` after every row of the municipality (sending order);
        with ``close_original``, the original (in error) is completed with that note;
        ``amendments``: the items a reviewer completed by hand (JSON, kept on the new row).
        Raises ``LookupError`` if the original changed status meanwhile."""

    def add_message(
        self,
        municipality_code: str,
        kind: str,
        destination: str,
        body: str,
        unconvertible: str,
        note: str,
        by: str,
        at: datetime,
    ) -> CsEntry:
        """A new message not made by a change (a 広域交付要求 or its answer), after every row of
        the municipality, pending (in error when held for ``unconvertible`` characters)."""

    def complete(self, entry: CsEntry, note: str, by: str, at: datetime) -> CsEntry:
        """手動で処理済み: status ``done`` with the note, who and when."""

    def manual(self, municipality_code: str) -> CsManual | None: ...

    def set_manual(self, manual: CsManual) -> None: ...

    def clear_manual(self, municipality_code: str) -> None: ...

    def statuses(self, municipality_code: str) -> Sequence[tuple[str, int]]:
        """How many messages of each status."""
