"""Ports of the 出入国在留管理庁長官通知 intake (standard §4.5.6 (960)): the notices the
authority offers (``ImmigrationSource``) and the municipality's list of those taken in
(``ImmigrationInbox``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class InboundImmigrationNotice:
    """One notice taken in: ``status`` ``listed`` (matched to ``atena_number``, waiting for the
    clerk), ``unknown`` (no person or not readable: ``reason``) or ``drafted`` (made into the
    draft ``draft_id``)."""

    municipality_code: str
    notice_id: str
    kind: str
    body: str
    residence_card_number: str
    status: str
    received_at: datetime
    atena_number: str | None = None
    reason: str = ""
    draft_id: str | None = None
    withheld: bool = False
    """The person is under a 抑止・支援措置 the reader may not see through: named by
    ``atena_number`` only, ``residence_card_number`` and ``body`` withheld."""


class ImmigrationSource(Protocol):
    def offered(self, municipality_code: str) -> Sequence[Any]:
        """The notices the authority holds for the municipality (raw JSON objects); raises
        ``CsUnreachable`` when it does not answer."""


class ImmigrationInbox(Protocol):
    def add(self, notices: Sequence[InboundImmigrationNotice]) -> int:
        """Keep the notices not yet kept (by ``notice_id``); how many were new."""

    def known(self, municipality_code: str) -> frozenset[str]: ...

    def listed(
        self, municipality_code: str, status: str | None
    ) -> Sequence[InboundImmigrationNotice]: ...

    def drafted(self, municipality_code: str, notice_id: str, draft_id: str) -> bool:
        """A ``listed`` notice made into a draft; False when it was not ``listed``."""
