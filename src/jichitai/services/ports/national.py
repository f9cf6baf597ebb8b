"""Ports of the links with the national systems: the CS outbox (住基ネット, standard §7.1.1.1
(1090)) and the transport to the CS."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True, slots=True)
class CsEntry:
    """One message of a municipality's CS outbox, as the worker sends it and the clerk lists it."""

    municipality_code: str
    seq: int
    ordinal: int
    kind: str
    destination: str
    body: str
    status: str
    attempts: int
    last_error: str = ""
    receipt: str | None = None
    sent_at: datetime | None = None
    unconvertible: str = ""
    """Characters of the name outside 住基ネット統一文字 the table could not convert (held)."""
    note: str = ""
    """What a clerk did: re-sent it (or made it as a re-send), completed it by hand."""
    handled_by: str = ""
    handled_at: datetime | None = None
    amendments: str = ""
    """送信データの手入力での補完: the items a reviewer changed, as JSON
    ``[{"item", "old", "new"}]`` ("" when none)."""
    withheld: bool = False
    """The person is under a 抑止・支援措置 the reader may not see through: ``body`` keeps only
    the 宛名番号, ``unconvertible`` and ``amendments`` are withheld (``WITHHELD_MARK``)."""


@dataclass(frozen=True, slots=True)
class CsAnswer:
    """What the CS said to one message: taken (``receipt``) or refused (``code``, ``message``)."""

    receipt: str | None = None
    code: str = ""
    message: str = ""
    data: dict[str, str] = field(default_factory=dict)
    """What a taken message answers besides its receipt (a 個人番号生成要求: the number)."""


class CsUnreachable(Exception):
    """The CS did not answer (down, a time-out, a server error): try again later."""


class CsOutbox(Protocol):
    """The CS outbox of every municipality (rows are written by the journal with each change).
    Each method is its own transaction, scoped to the one municipality it names."""

    def due(self, now: datetime, limit: int) -> Sequence[str]:
        """Municipalities whose oldest pending message is due and not leased."""

    def claim(self, municipality_code: str, now: datetime, until: datetime) -> CsEntry | None:
        """Lease the municipality's oldest pending message until ``until``; none if it is not
        due or another worker holds it."""

    def sent(self, entry: CsEntry, receipt: str, at: datetime) -> None: ...

    def refused(self, entry: CsEntry, error: str, at: datetime) -> None:
        """The CS refused it: ``error``, kept for the clerk; the next message goes on."""

    def failed(self, entry: CsEntry, error: str, retry_at: datetime) -> None:
        """No answer: pending again at ``retry_at`` (the messages after it wait)."""

    def listed(self, municipality_code: str, status: str | None) -> Sequence[CsEntry]:
        """The municipality's messages (of one status), in sending order."""


class CsTransport(Protocol):
    def send(self, entry: CsEntry) -> CsAnswer:
        """Send one message; raise ``CsUnreachable`` when the CS gives no answer."""

    def close(self) -> None: ...
