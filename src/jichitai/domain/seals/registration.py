"""The rules of 印鑑登録 as the issue states them (the municipality's 印鑑条例 follows the
national model): one registration per person; a resident aged 15 or over; an adult ward (成年被
後見人) only in person with the legal representative present; the seal's impression at least
8 mm and at most 25 mm on each side. A registration ends by the card's loss (亡失), by
abolition on request (廃止), or by abolition on the person's move-out or death (職権廃止).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

from jichitai.domain.common.dates import attained_age as attained_age  # kept importable here
from jichitai.domain.errors import DomainError, Violation

MIN_AGE = 15
MIN_SIDE_MM = 8.0
MAX_SIDE_MM = 25.0
MM_PER_INCH = 25.4


class SealStatus(StrEnum):
    ACTIVE = "active"
    LOST = "lost"
    """印鑑登録証の亡失: the registration ends; certificates can no longer be issued."""
    ABOLISHED = "abolished"


class EndReason(StrEnum):
    CARD_LOST = "card_lost"
    REQUESTED = "requested"
    MOVED_OUT = "moved_out"
    DIED = "died"
    REMOVED = "removed"
    """The person's record was removed otherwise (職権消除 and the like)."""


END_LABELS: dict[EndReason, str] = {
    EndReason.CARD_LOST: "亡失",
    EndReason.REQUESTED: "廃止（申請）",
    EndReason.MOVED_OUT: "廃止（転出）",
    EndReason.DIED: "廃止（死亡）",
    EndReason.REMOVED: "廃止（住民票の消除）",
}


@dataclass(frozen=True, slots=True)
class Impression:
    """The inked area of a seal image, measured from its pixels and declared resolution."""

    width_mm: float
    height_mm: float

    @classmethod
    def from_pixels(cls, width_px: int, height_px: int, dpi_x: float, dpi_y: float) -> Impression:
        return cls(width_px / dpi_x * MM_PER_INCH, height_px / dpi_y * MM_PER_INCH)


@dataclass(frozen=True, slots=True)
class Applicant:
    """What the counter knows of the person asking to register."""

    atena_number: str
    is_resident: bool
    birth_date: date | None
    """None when the recorded birth date is not a calendar day (不詳 etc.)."""
    adult_ward: bool = False
    representative_present: bool = False


@dataclass(frozen=True, slots=True)
class SealRegistration:
    atena_number: str
    registration_number: str
    registered_on: date
    impression: Impression
    image_sha256: str
    status: SealStatus = SealStatus.ACTIVE
    ended_on: date | None = None
    end_reason: EndReason | None = None

    @property
    def is_active(self) -> bool:
        return self.status is SealStatus.ACTIVE


def impression_faults(impression: Impression) -> list[Violation]:
    faults: list[Violation] = []
    for side, value in (("幅", impression.width_mm), ("高さ", impression.height_mm)):
        if not MIN_SIDE_MM <= value <= MAX_SIDE_MM:
            faults.append(
                Violation(
                    "seal.size",
                    f"印影の{side}が{value:.1f}mmです（{MIN_SIDE_MM:.0f}mm以上{MAX_SIDE_MM:.0f}mm以内の"
                    "印鑑に限り登録できます）",
                    "image",
                )
            )
    return faults


def check_registration(
    applicant: Applicant,
    existing: SealRegistration | None,
    impression: Impression,
    today: date,
) -> None:
    """Refuse (every fault at once) what may not be registered."""
    faults: list[Violation] = []
    if existing is not None and existing.is_active:
        faults.append(
            Violation(
                "seal.already_registered",
                f"この方は既に印鑑を登録しています（登録番号 {existing.registration_number}）。"
                "新たに登録するには先に廃止してください",
                "atena_number",
            )
        )
    if not applicant.is_resident:
        faults.append(
            Violation("seal.not_resident", "住民でない方は印鑑登録できません", "atena_number")
        )
    if applicant.birth_date is None:
        faults.append(
            Violation(
                "seal.birth_date_unknown",
                "生年月日が確定していないため、15歳以上であることを確認できません",
                "atena_number",
            )
        )
    elif attained_age(applicant.birth_date, today) < MIN_AGE:
        faults.append(
            Violation("seal.too_young", "15歳未満の方は印鑑登録できません", "atena_number")
        )
    if applicant.adult_ward and not applicant.representative_present:
        faults.append(
            Violation(
                "seal.adult_ward_conditions",
                "成年被後見人の方は、本人が申請し法定代理人が同行する場合に限り登録できます",
                "representative_present",
            )
        )
    faults.extend(impression_faults(impression))
    if faults:
        raise DomainError(*faults)


def end_registration(
    registration: SealRegistration, reason: EndReason, on: date
) -> SealRegistration:
    """The registration ended by ``reason`` on ``on``; an ended one cannot end again."""
    if not registration.is_active:
        raise DomainError(
            Violation(
                "seal.not_active",
                "この印鑑登録は既に亡失又は廃止されています",
                "registration_number",
            )
        )
    if on < registration.registered_on:
        raise DomainError(
            Violation("seal.end_before_registration", "登録日より前の日付は指定できません", "on")
        )
    status = SealStatus.LOST if reason is EndReason.CARD_LOST else SealStatus.ABOLISHED
    return replace(registration, status=status, ended_on=on, end_reason=reason)
