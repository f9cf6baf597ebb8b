"""Ports of the 送付先 (standard §7.1.1.4 (1120)): the register's record of each person's
送付先 with its history, and the card management system's 更新対象者 list (through the CS)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from jichitai.domain.common.address import Address
from jichitai.domain.national.cs_messages import CsMessage


@dataclass(frozen=True, slots=True)
class SendToVersion:
    """One setting (``address``) or clearing (None) of a person's 送付先."""

    version: int
    address: Address | None
    set_by: str
    set_at: datetime


@dataclass(frozen=True, slots=True)
class RenewalTarget:
    """A person the card management system lists for renewal (of the card or its 電子証明書)."""

    resident_code: str
    card: str = ""
    expires_on: date | None = None


class CardDestinationStore(Protocol):
    """Each method is its own transaction, scoped to the one municipality it names."""

    def history(self, municipality_code: str, atena_number: str) -> Sequence[SendToVersion]:
        """The person's settings and clearings, oldest first."""

    def current(self, municipality_code: str, atena_numbers: Sequence[str]) -> dict[str, Address]:
        """The 送付先 set now, of those of ``atena_numbers`` that have one."""

    def record(
        self,
        municipality_code: str,
        atena_number: str,
        address: Address | None,
        by: str,
        at: datetime,
        messages: Sequence[CsMessage],
    ) -> SendToVersion:
        """Set (``address``) or clear (None) the 送付先 and, in the same transaction, write
        ``messages`` to the CS outbox after the municipality's other messages."""

    def send(self, municipality_code: str, messages: Sequence[CsMessage], at: datetime) -> None:
        """Write ``messages`` to the CS outbox after the municipality's other messages."""


class RenewalSource(Protocol):
    def renewal_targets(self, municipality_code: str) -> Sequence[RenewalTarget]:
        """The municipality's 更新対象者 the card management system hands out through the CS
        (``CsUnreachable`` when it does not answer)."""
