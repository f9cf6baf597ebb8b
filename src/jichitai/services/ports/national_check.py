"""Ports of the consistency check with the CS (standard §7.1.1.2 (1100)) and of the card
management system (カード管理システム of J-LIS, §7.1.1.3 (1110)): what the register asks of them.
Both raise ``CsUnreachable`` (``services/ports/national.py``) when the counterpart gives no
answer."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol


class CsCopy(Protocol):
    def identities(self, municipality_code: str) -> Mapping[str, Mapping[str, Any]]:
        """The CS's copy of the municipality's 本人確認情報, by 住民票コード (each as our message
        body, ``docs/national-links.md``)."""


@dataclass(frozen=True, slots=True)
class CardStatus:
    """One card of a person as the card management system reports it."""

    resident_code: str
    card: str
    """``my_number`` (個人番号カード) or ``juki`` (住基カード)."""
    status: str
    """``applied`` (交付申請中), ``issued`` (発行済・未交付), ``delivered`` (交付済),
    ``suspended`` (一時停止), ``revoked`` (廃止), ``returned`` (返納)."""
    issued_on: date | None = None
    expires_on: date | None = None
    updated_on: date | None = None


class CardManagement(Protocol):
    def statuses(self, municipality_code: str) -> Sequence[CardStatus]:
        """Every card of the municipality's persons the card management system knows."""


class CardStatusStore(Protocol):
    """The register's record of the cards as the card management system last reported them.
    Each method is its own transaction, scoped to the one municipality it names."""

    def replace(self, municipality_code: str, statuses: Sequence[CardStatus], at: datetime) -> int:
        """Record ``statuses`` as the municipality's cards (cards no longer reported are
        dropped); the number of cards added, changed or dropped."""

    def listed(
        self, municipality_code: str, resident_code: str | None = None
    ) -> Sequence[tuple[CardStatus, datetime]]:
        """The recorded cards (of one person), with when each was recorded, by 住民票コード
        and card."""
