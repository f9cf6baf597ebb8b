"""A suppression setting (抑止・支援措置) as the data migration carries it (支援措置等 file).

:class:`~jichitai.domain.access.suppression.Suppression` itself cannot go through the codec (its
``details`` is free JSON) and names its municipality, which a migration changes. A
:class:`SuppressionRow` is the same setting without the municipality, with the processes as one
flag each (so the layout has a 1/0 item per process) and the details as canonical JSON text.
:func:`suppression_row` and :meth:`SuppressionRow.to_suppression` convert losslessly; building a
row from a file checks what the ``suppressions`` table requires (a target, at least one process,
details that are a JSON object), so a bad row is a fault of the input, never a database error.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from jichitai.domain.access.suppression import (
    DV_KINDS,
    MAX_DETAILS_LENGTH,
    Process,
    Suppression,
    SuppressionKind,
)
from jichitai.domain.errors import Severity

__all__ = ["SuppressionProcesses", "SuppressionRow", "suppression_row"]


@dataclass(frozen=True, slots=True)
class SuppressionProcesses:
    """対象事務: one flag per :class:`Process`."""

    view: bool = False
    issue: bool = False
    change: bool = False
    feed: bool = False

    @classmethod
    def of(cls, processes: frozenset[Process]) -> SuppressionProcesses:
        return cls(**{p.value: True for p in processes})

    def to_set(self) -> frozenset[Process]:
        return frozenset(p for p in Process if getattr(self, p.value))


def _details_text(details: Any) -> str:
    if not details:
        return ""
    return json.dumps(dict(details), ensure_ascii=False, sort_keys=True, separators=(",", ":"))


@dataclass(frozen=True, slots=True)
class SuppressionRow:
    """One setting of the 支援措置等 file (see the module docstring)."""

    suppression_id: str
    kind: SuppressionKind
    processes: SuppressionProcesses
    level: Severity
    starts_on: date
    reason: str
    set_by: str
    set_at: datetime
    version: int
    atena_number: str | None = None
    household_number: str | None = None
    ends_on: date | None = None
    details: str = ""
    """Canonical JSON of the details object; empty when there are none."""
    lifted_by: str | None = None
    lifted_at: datetime | None = None
    released_by: str | None = None
    released_until: datetime | None = None

    def __post_init__(self) -> None:
        if self.atena_number is None and self.household_number is None:
            raise ValueError("宛名番号又は世帯番号のどちらかが必要です")
        if self.atena_number is not None and self.household_number is not None:
            raise ValueError("宛名番号と世帯番号の一方だけを指定すること")
        if self.household_number is not None and self.kind in DV_KINDS:
            raise ValueError("支援措置・仮支援措置は世帯ではなく個人（宛名番号）に設定すること")
        if not self.processes.to_set():
            raise ValueError("対象事務が1つもありません")
        if self.ends_on is not None and self.ends_on < self.starts_on:
            raise ValueError("終了年月日が開始年月日より前です")
        if self.version < 1:
            raise ValueError(f"版 {self.version} は1以上であること")
        if self.details:
            try:
                details = json.loads(self.details)
            except ValueError:
                raise ValueError("詳細情報が JSON として読めません") from None
            if not isinstance(details, dict) or not details:
                raise ValueError("詳細情報は空でない JSON オブジェクトであること")
            if len(self.details) > MAX_DETAILS_LENGTH:
                raise ValueError(f"詳細情報は{MAX_DETAILS_LENGTH}文字以内であること")

    def to_suppression(self, municipality_code: str) -> Suppression:
        return Suppression(
            municipality_code=municipality_code,
            suppression_id=self.suppression_id,
            kind=self.kind,
            atena_number=self.atena_number,
            household_number=self.household_number,
            processes=self.processes.to_set(),
            level=self.level,
            starts_on=self.starts_on,
            ends_on=self.ends_on,
            reason=self.reason,
            set_by=self.set_by,
            set_at=self.set_at,
            details=json.loads(self.details) if self.details else {},
            lifted_by=self.lifted_by,
            lifted_at=self.lifted_at,
            released_by=self.released_by,
            released_until=self.released_until,
            version=self.version,
        )


def suppression_row(setting: Suppression) -> SuppressionRow:
    """The setting as the migration carries it (its municipality left out)."""
    return SuppressionRow(
        suppression_id=setting.suppression_id,
        kind=setting.kind,
        processes=SuppressionProcesses.of(setting.processes),
        level=setting.level,
        starts_on=setting.starts_on,
        set_by=setting.set_by,
        set_at=setting.set_at,
        atena_number=setting.atena_number,
        household_number=setting.household_number,
        ends_on=setting.ends_on,
        reason=setting.reason,
        details=_details_text(setting.details),
        lifted_by=setting.lifted_by,
        lifted_at=setting.lifted_at,
        released_by=setting.released_by,
        released_until=setting.released_until,
        version=setting.version,
    )
