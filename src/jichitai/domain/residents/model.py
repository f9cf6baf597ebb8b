"""住民票: one person's record as the register keeps it, one full snapshot per change.

Standard §1.2.1 (200) keeps every item of a person in one row per change, keyed by 宛名番号 and
履歴番号 (1, 2, 3 …), with household data copied into each person's row; the current record is
the row with the highest 履歴番号. ``ResidentRecord`` is that row. It is immutable: a change makes
a new snapshot with the next history number (``dataclasses.replace`` + ``next_history``).

Items: 住民基本台帳法 art. 7 for Japanese residents (standard §1.1.1 (10)), art. 30-45 for foreign
residents (§1.1.2 (20)), and the standard's other items (§1.1.5 除票, §1.1.7 旧氏・通称).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum
from typing import Any

from jichitai.domain.common.address import Address
from jichitai.domain.common.dates import RecordDate
from jichitai.domain.common.identifiers import (
    AtenaNumber,
    HouseholdNumber,
    IndividualNumber,
    ResidenceCardNumber,
    ResidentCode,
)
from jichitai.domain.common.names import PersonName
from jichitai.domain.residents.reasons import ChangeReason
from jichitai.domain.residents.relationships import Relationship

REMOVED_RECORD_RETENTION_YEARS = 150
"""除票 are kept 150 years (was 5 until the 2019 amendment); standard §1.1.5 (50)."""


class ResidentKind(StrEnum):
    """住民種別: 1 日本人住民, 2 外国人住民."""

    JAPANESE = "japanese"
    FOREIGN = "foreign"

    @property
    def label(self) -> str:
        return "日本人住民" if self is ResidentKind.JAPANESE else "外国人住民"

    @property
    def code(self) -> str:
        return "1" if self is ResidentKind.JAPANESE else "2"


class ResidentStatus(StrEnum):
    """住民状態: 1 住民, 2 転出, 3 死亡, 9 その他の消除."""

    RESIDENT = "resident"
    MOVED_OUT = "moved_out"
    DEAD = "dead"
    REMOVED = "removed"

    @property
    def label(self) -> str:
        return {"resident": "住民", "moved_out": "転出", "dead": "死亡", "removed": "消除"}[
            self.value
        ]

    @property
    def code(self) -> str:
        return {"resident": "1", "moved_out": "2", "dead": "3", "removed": "9"}[self.value]


class Sex(StrEnum):
    """男女の別."""

    MALE = "male"
    FEMALE = "female"

    @property
    def label(self) -> str:
        return "男" if self is Sex.MALE else "女"


class ForeignResidentCategory(StrEnum):
    """第30条の45に規定する区分."""

    MID_TO_LONG_TERM = "mid_to_long_term"
    SPECIAL_PERMANENT = "special_permanent"
    TEMPORARY_REFUGE = "temporary_refuge"
    PROVISIONAL_STAY = "provisional_stay"
    TRANSITIONAL_BIRTH = "transitional_birth"
    TRANSITIONAL_LOSS_OF_NATIONALITY = "transitional_loss_of_nationality"

    @property
    def label(self) -> str:
        return _CATEGORY_LABELS[self]


_CATEGORY_LABELS = {
    ForeignResidentCategory.MID_TO_LONG_TERM: "中長期在留者",
    ForeignResidentCategory.SPECIAL_PERMANENT: "特別永住者",
    ForeignResidentCategory.TEMPORARY_REFUGE: "一時庇護許可者",
    ForeignResidentCategory.PROVISIONAL_STAY: "仮滞在許可者",
    ForeignResidentCategory.TRANSITIONAL_BIRTH: "出生による経過滞在者",
    ForeignResidentCategory.TRANSITIONAL_LOSS_OF_NATIONALITY: "国籍喪失による経過滞在者",
}


class CoverageKind(StrEnum):
    """Insurance and benefit items of art. 7 (10)–(11-2), kept per person."""

    NATIONAL_HEALTH_INSURANCE = "national_health_insurance"
    LATE_STAGE_ELDERLY_CARE = "late_stage_elderly_care"
    LONG_TERM_CARE = "long_term_care"
    NATIONAL_PENSION = "national_pension"
    CHILD_ALLOWANCE = "child_allowance"


@dataclass(frozen=True, slots=True)
class Coverage:
    """被保険者該当 with start and end dates (国民年金: also 基礎年金番号 and 種別)."""

    kind: CoverageKind
    start_on: date | None = None
    end_on: date | None = None
    number: str = ""
    category: str = ""
    category_changed_on: date | None = None


@dataclass(frozen=True, slots=True)
class Alias:
    """通称 with the date and municipality of its entry and deletion (§1.1.7 (70))."""

    name: PersonName
    entered_on: date
    entered_in: str = ""
    deleted_on: date | None = None
    deleted_in: str = ""


@dataclass(frozen=True, slots=True)
class ForeignResidentDetails:
    """Items of art. 30-45 that only foreign residents have (§1.1.2 (20))."""

    nationality: str
    category: ForeignResidentCategory
    became_foreign_resident_on: RecordDate
    residence_status: str = ""
    period_of_stay: str = ""
    stay_expires_on: date | None = None
    residence_card_number: ResidenceCardNumber | None = None
    special_permanent_certificate_number: str = ""
    alien_registration_on: RecordDate | None = None
    aliases: tuple[Alias, ...] = ()

    @property
    def current_alias(self) -> Alias | None:
        live = [a for a in self.aliases if a.deleted_on is None]
        return live[-1] if live else None


@dataclass(frozen=True, slots=True)
class FamilyRegister:
    """戸籍の表示: 本籍 and 筆頭者; either may be 「なし」 or 「不明」 (§1.1.12 (120))."""

    domicile: str
    head: str


@dataclass(frozen=True, slots=True)
class MoveOutDetails:
    """転出: planned values, and the 転入通知 values stored beside them (§1.1.5, §4.1.3.1)."""

    planned_on: date
    onward_address: Address
    filed_on: date | None = None
    special: bool = False
    notice_on: date | None = None
    confirmed_address: Address | None = None
    confirmed_on: date | None = None

    @property
    def removal_on(self) -> date:
        """The earlier of the planned date and the notified move-in date (§1.1.5 (50))."""
        if self.confirmed_on is not None and self.confirmed_on < self.planned_on:
            return self.confirmed_on
        return self.planned_on


@dataclass(frozen=True, slots=True)
class ResidentRecord:
    """住民票 (住民基本台帳法 第7条, 第30条の45): one full snapshot of one person."""

    atena_number: AtenaNumber
    history_number: int
    kind: ResidentKind
    status: ResidentStatus
    name: PersonName
    birth_date: RecordDate
    sex: Sex
    household_number: HouseholdNumber
    relationship: Relationship
    became_resident_on: RecordDate
    address: Address
    address_set_on: RecordDate
    reason: ChangeReason
    effective_on: date
    filed_on: date | None = None
    previous_address: Address | None = None
    previous_address_unreported: bool = False
    family_register: FamilyRegister | None = None
    former_surname: PersonName | None = None
    individual_number: IndividualNumber | None = None
    resident_code: ResidentCode | None = None
    foreign: ForeignResidentDetails | None = None
    display_order: int = 0
    electoral_roll: bool = False
    coverages: tuple[Coverage, ...] = ()
    move_out: MoveOutDetails | None = None
    removal_reason: ChangeReason | None = None
    removed_on: date | None = None
    removal_event_date: RecordDate | None = None  # 事由の生じた年月日 as given (may be 不詳)
    hidden_from_other_systems: bool = False
    remarks: str = ""
    memo: str = ""

    @property
    def is_resident(self) -> bool:
        return self.status is ResidentStatus.RESIDENT

    @property
    def is_removed(self) -> bool:
        """A 除票: removed by move-out, death, naturalisation, ex-officio removal, 改製 …."""
        return self.status is not ResidentStatus.RESIDENT

    @property
    def is_head(self) -> bool:
        return self.relationship.is_head

    @property
    def retained_until(self) -> date | None:
        """The last day a 除票 must be kept: 150 years after its removal (法第15条の2, 2019).

        None for a living record. The register never deletes records by itself; this date tells
        a retention batch (standard §9.3 (1300)) what it may move or destroy.
        """
        if self.removed_on is None or self.is_resident:
            return None
        year = self.removed_on.year + REMOVED_RECORD_RETENTION_YEARS
        try:
            return self.removed_on.replace(year=year)
        except ValueError:  # removed on 29 February, kept until 28 February
            return self.removed_on.replace(year=year, day=28)

    def next_history(
        self, reason: ChangeReason, effective_on: date, **changes: Any
    ) -> ResidentRecord:
        """The snapshot that follows this one: history number + 1, with the given changes."""
        return replace(
            self,
            history_number=self.history_number + 1,
            reason=reason,
            effective_on=effective_on,
            **changes,
        )
