"""The model of 抑止 and 支援措置: the processes a setting guards, its kinds, its status and the
setting itself (:class:`Suppression`). The rules around it are described in the package."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any, TypeAlias

from jichitai.domain.errors import Severity

__all__ = [
    "DV_KINDS",
    "KIND_LABELS",
    "PROCESS_LABELS",
    "Level",
    "Process",
    "Status",
    "Suppression",
    "SuppressionKind",
]


class Process(StrEnum):
    """A process a setting guards."""

    VIEW = "view"
    """照会: showing the person's record on a staff screen."""
    ISSUE = "issue"
    """証明書発行: 住民票の写し等 at the counter, by post, at a kiosk (コンビニ交付)."""
    CHANGE = "change"
    """異動入力: recording a change that concerns the person."""
    FEED = "feed"
    """他システム連携: passing the person's data to other systems."""


PROCESS_LABELS: dict[Process, str] = {
    Process.VIEW: "照会",
    Process.ISSUE: "証明書発行",
    Process.CHANGE: "異動入力",
    Process.FEED: "他システム連携",
}


class SuppressionKind(StrEnum):
    SUPPRESSION = "suppression"
    """抑止: any other suppression (e.g. 異動入力 pending an inquiry)."""
    DV_SUPPORT = "dv_support"
    """支援措置: DV, stalking, child abuse and similar victims (§3.4)."""
    PROVISIONAL_DV_SUPPORT = "provisional_dv_support"
    """仮支援措置: from the application until the need is confirmed, and during a move (§3.4)."""


KIND_LABELS: dict[SuppressionKind, str] = {
    SuppressionKind.SUPPRESSION: "抑止",
    SuppressionKind.DV_SUPPORT: "支援措置",
    SuppressionKind.PROVISIONAL_DV_SUPPORT: "仮支援措置",
}

DV_KINDS: frozenset[SuppressionKind] = frozenset(
    {SuppressionKind.DV_SUPPORT, SuppressionKind.PROVISIONAL_DV_SUPPORT}
)

Level: TypeAlias = Severity
"""抑止レベル: ``Severity.ERROR`` (エラー) or ``Severity.ALERT`` (アラート)."""


class Status(StrEnum):
    """Where a setting stands at a given moment."""

    SCHEDULED = "scheduled"
    """開始前: ``starts_on`` is still to come."""
    IN_FORCE = "in_force"
    """抑止中."""
    RELEASED = "released"
    """一時解除中: until ``released_until`` (FEED stays guarded)."""
    LIFTED = "lifted"
    """解除済み: lifted explicitly; a lifted setting never applies again."""


@dataclass(frozen=True, slots=True)
class Suppression:
    """One setting, as the ``suppressions`` table keeps it (municipality code first)."""

    municipality_code: str
    suppression_id: str
    kind: SuppressionKind
    atena_number: str | None
    household_number: str | None
    processes: frozenset[Process]
    level: Severity
    starts_on: date
    ends_on: date | None
    reason: str
    set_by: str
    set_at: datetime
    details: Mapping[str, Any] = field(default_factory=dict, hash=False)
    lifted_by: str | None = None
    lifted_at: datetime | None = None
    released_by: str | None = None
    released_until: datetime | None = None
    version: int = 1

    @property
    def is_dv(self) -> bool:
        """支援措置 or 仮支援措置."""
        return self.kind in DV_KINDS

    @property
    def is_lifted(self) -> bool:
        return self.lifted_at is not None

    def status(self, *, today: date, now: datetime) -> Status:
        """開始前, 抑止中, 一時解除中 or 解除済み. The end date plays no part (§3.1)."""
        if self.lifted_at is not None:
            return Status.LIFTED
        if today < self.starts_on:
            return Status.SCHEDULED
        if self.released_until is not None and now < self.released_until:
            return Status.RELEASED
        return Status.IN_FORCE

    def is_active(self, *, today: date, now: datetime) -> bool:
        """Started and not lifted (in force or temporarily released): the person is flagged."""
        return self.status(today=today, now=now) in (Status.IN_FORCE, Status.RELEASED)

    def guards(self, process: Process, *, today: date, now: datetime) -> bool:
        """The setting names ``process`` and applies to it now (a release spares all but FEED)."""
        if process not in self.processes:
            return False
        status = self.status(today=today, now=now)
        return status is Status.IN_FORCE or (status is Status.RELEASED and process is Process.FEED)

    def applies_to(self, atena_number: str, household_number: str | None) -> bool:
        """The setting targets this person, or the household they belong to."""
        return self.atena_number == atena_number or (
            household_number is not None and self.household_number == household_number
        )
