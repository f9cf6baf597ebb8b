"""What a resident certificate says (standard §5.1 (1000)): its sheets, each person's items, and
the certification text, as lines of text a renderer draws and a digest covers.

- Kinds: 住民票の写し (living records only), 住民票の除票の写し (removed records only), and
  住民票記載事項証明書 (either; titled 住民票除票記載事項証明書 for removed records); each kind's
  title and certification text are registered in ``kinds.py``.
- Whole household or chosen members; 世帯連記式 (at most four persons a sheet, one household) or
  個人票 (one person a sheet); with or without history.
- 世帯主・続柄, 本籍・筆頭者, 住民票コード and 個人番号 — and for foreign residents 国籍・地域, the
  art. 30-45 category, 在留資格, 在留期間等, its expiry, the card number and 通称 — are omitted
  unless asked for (the standard's default).
- Before a planned move-out date, what the move-out notice recorded is omitted (§5.1).
- The 旧氏, when recorded, after the name (it is part of the name: never omitted).
- フリガナ only when asked for (§5.3 (1020)), and then in brackets after the name, the 旧氏 and the 通称
  (「住民　太郎　（ジュウミン　タロウ）」), never on a line of its own.
- 「公用」 marked on every sheet when the copy is for official use (§5.7 (1060)).
- Dates in 和暦, except a foreign resident's birth date and stay expiry (西暦).
- The certification text goes on the last sheet only, and says what the copy is a copy of
  (``certification``): a 住民票の写し of the whole household 「…世帯全員の住民票の原本と…」, of
  one person or some members 「…住民票の原本と…」; a 除票 and a 除票記載事項証明書 name the 除票.

Who may ask for which item (a role's rights, the My Number's legal limits) and refusals for
suppressed persons are the service's; this module only lays out what it is given.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum

from jichitai.domain.certificates.kinds import (
    CertificateKind,
    ItemChoice,
    SheetLayout,
    certificate_type,
)
from jichitai.domain.common.dates import format_seireki, format_wareki
from jichitai.domain.errors import DomainError, Violation
from jichitai.domain.residents.model import ForeignResidentDetails, ResidentKind, ResidentRecord

PERSONS_PER_HOUSEHOLD_SHEET = 4


WHOLE_HOUSEHOLD_CERTIFICATION = "この写しは、世帯全員の住民票の原本と相違ないことを証明する。"
REMOVED_RECORDED_MATTERS_CERTIFICATION = (
    "上記の事項は、住民票の除票に記載されていることを証明する。"
)


def certification(kind: CertificateKind, *, whole_household: bool, removed: bool) -> str:
    """The certification text (認証文) for what the copy is: a 住民票の写し listing everyone in the
    household certifies the household's whole 住民票 (世帯全員); one of one person or of some
    members certifies their 住民票 only, as municipalities print it. A 記載事項証明書 of removed
    records (titled 住民票除票記載事項証明書) certifies what the 除票 records."""
    if kind is CertificateKind.RESIDENCE_CERTIFICATE and whole_household:
        return WHOLE_HOUSEHOLD_CERTIFICATION
    if kind is CertificateKind.RECORDED_MATTERS_CERTIFICATE and removed:
        return REMOVED_RECORDED_MATTERS_CERTIFICATION
    return certificate_type(kind).certification


OFFICIAL_USE_MARK = "公用"
REMARKS_LABEL = "備考"


def remarks_of(records: Sequence[ResidentRecord]) -> tuple[str, ...]:
    """The 備考 area of a sheet: each person's 備考 (統合記載欄のＣ類型, free text as recorded,
    e.g. 「職権消除（失踪宣告）」 or 「特別養子縁組」), line by line, led by the person's name when
    the sheet lists several. The メモ (§1.1.15) is never printed.

    A planned move-out is not here: before its date §5.1 (1000) leaves what the move-out notice
    recorded off the certificate (the record in effect is the one before it), and after it the
    除票 prints 転出予定年月日 and 転出先 among the person's items."""
    out: list[str] = []
    for record in records:
        lines = [line.strip() for line in record.remarks.splitlines() if line.strip()]
        if len(records) > 1:
            lines = [f"{record.name.full or record.name.roman}：{line}" for line in lines]
        out.extend(lines)
    return tuple(out)


def with_reading(text: str, reading: str) -> str:
    """A name followed by its reading in brackets, as §5.3 writes it (no reading: the name)."""
    return f"{text}　（{reading}）" if reading.strip() else text


@dataclass(frozen=True, slots=True)
class Field:
    label: str
    value: str

    @property
    def line(self) -> str:
        return f"{self.label}　{self.value}"


@dataclass(frozen=True, slots=True)
class PersonBlock:
    atena_number: str
    fields: tuple[Field, ...]
    history: tuple[str, ...] = ()

    @property
    def lines(self) -> list[str]:
        return [f.line for f in self.fields] + [f"履歴　{h}" for h in self.history]


@dataclass(frozen=True, slots=True)
class SheetImpression:
    """A registered seal's impression printed on the sheet (印鑑登録証明書), at its real size.
    The image itself is the registration's; the sheet names it and its digest."""

    registration_number: str
    image_sha256: str
    width_mm: float
    height_mm: float


@dataclass(frozen=True, slots=True)
class Sheet:
    title: str
    header: tuple[Field, ...]
    persons: tuple[PersonBlock, ...]
    certification: str = ""
    """The certification text: on the last sheet only."""
    impression: SheetImpression | None = None
    mark: str = ""
    """A marking printed beside the title (「公用」), or none."""
    remarks: tuple[str, ...] = ()
    """The lines of the 備考 area (``remarks_of``)."""

    @property
    def lines(self) -> list[str]:
        """What the sheet says, for the digest; the impression counts by its image's SHA-256.
        A sheet without remarks says what it said before they were printed."""
        lines = [self.title, *([self.mark] if self.mark else []), *(f.line for f in self.header)]
        if self.impression is not None:
            lines.append(f"印影　{self.impression.image_sha256}")
        for person in self.persons:
            lines.extend(person.lines)
        lines.extend(f"{REMARKS_LABEL}　{r}" for r in self.remarks)
        if self.certification:
            lines.append(self.certification)
        return lines


@dataclass(frozen=True, slots=True)
class ResidentCertificateRequest:
    kind: CertificateKind
    layout: SheetLayout = SheetLayout.HOUSEHOLD
    items: ItemChoice = field(default_factory=ItemChoice)
    with_history: bool = False
    whole_household: bool = False
    """The records are everyone in the household (the caller knows the household; a 住民票の写し
    then certifies the 世帯全員's 住民票)."""


def resident_sheets(
    request: ResidentCertificateRequest,
    records: Sequence[ResidentRecord],
    today: date,
    histories: Mapping[str, Sequence[ResidentRecord]] | None = None,
) -> list[Sheet]:
    """The sheets of a 住民票の写し, 除票の写し or 記載事項証明書 of ``records`` (in the order given:
    the household's display order)."""
    _check(request, records, today)
    kind = request.kind
    title = certificate_type(kind).title
    removed = all(_removed_on(r, today) for r in records)
    if kind is CertificateKind.RECORDED_MATTERS_CERTIFICATE and removed:
        title = "住民票除票記載事項証明書"
    blocks = [
        _person(r, request, today, (histories or {}).get(r.atena_number.value, ())) for r in records
    ]
    if request.layout is SheetLayout.PERSONAL:
        groups = [[(r, b)] for r, b in zip(records, blocks, strict=True)]
    else:
        pairs = list(zip(records, blocks, strict=True))
        groups = [
            pairs[i : i + PERSONS_PER_HOUSEHOLD_SHEET]
            for i in range(0, len(pairs), PERSONS_PER_HOUSEHOLD_SHEET)
        ]
    mark = OFFICIAL_USE_MARK if request.items.official_use else ""
    sheets = [
        Sheet(
            title,
            _header(group[0][0], records, request),
            tuple(b for _, b in group),
            mark=mark,
            remarks=remarks_of([r for r, _ in group]),
        )
        for group in groups
    ]
    sheets[-1] = replace(
        sheets[-1],
        certification=certification(kind, whole_household=request.whole_household, removed=removed),
    )
    return sheets


def _check(
    request: ResidentCertificateRequest, records: Sequence[ResidentRecord], today: date
) -> None:
    if not certificate_type(request.kind).is_record_copy:
        raise ValueError(f"{request.kind} is not a resident-record certificate")
    if not records:
        raise DomainError(
            Violation("certificate.no_persons", "証明する方を選択してください", "persons")
        )
    if request.kind is CertificateKind.RESIDENCE_CERTIFICATE:
        removed = [r.atena_number.value for r in records if _removed_on(r, today)]
        if removed:
            raise DomainError(
                Violation(
                    "certificate.removed_record",
                    f"除票の方（宛名番号 {'、'.join(removed)}）は住民票の写しに記載できません。"
                    "除票の写しを選択してください",
                    "kind",
                )
            )
    if request.kind is CertificateKind.REMOVED_RECORD_CERTIFICATE:
        living = [r.atena_number.value for r in records if not _removed_on(r, today)]
        if living:
            raise DomainError(
                Violation(
                    "certificate.not_removed",
                    f"住民の方（宛名番号 {'、'.join(living)}）は除票の写しに記載できません",
                    "kind",
                )
            )
    if request.kind is CertificateKind.RECORDED_MATTERS_CERTIFICATE:
        removed = [r.atena_number.value for r in records if _removed_on(r, today)]
        if removed and len(removed) < len(records):
            # Its title and certification name either the 住民票 or the 除票, never both.
            raise DomainError(
                Violation(
                    "certificate.living_and_removed",
                    f"除票の方（宛名番号 {'、'.join(removed)}）と住民の方は同じ記載事項証明書に"
                    "記載できません。別々に発行してください",
                    "persons",
                )
            )
    if request.layout is SheetLayout.HOUSEHOLD:
        households = {r.household_number.value for r in records}
        if len(households) > 1:
            raise DomainError(
                Violation(
                    "certificate.several_households",
                    "世帯連記式には一つの世帯の方だけを記載できます（個人票を選択してください）",
                    "layout",
                )
            )


def _removed_on(record: ResidentRecord, today: date) -> bool:
    """Whether the record is a 除票. The records given are those in effect on ``today``
    (``domain/residents/timeline.py``): before a planned move-out's date that is the snapshot
    before it, so the move-out's items are left out as §5.1 (1000) requires."""
    return record.is_removed


def _header(
    first: ResidentRecord,
    records: Sequence[ResidentRecord],
    request: ResidentCertificateRequest,
) -> tuple[Field, ...]:
    fields = [Field("住所", first.address.display())]
    if request.items.head_and_relationship:
        head = next((r for r in records if r.is_head), None)
        if head is not None:
            fields.append(Field("世帯主", head.name.full))
    return tuple(fields)


def foreign_resident_fields(details: ForeignResidentDetails) -> list[Field]:
    """A foreign resident's items (法第30条の45): 国籍・地域, the category, 在留資格, 在留期間等 and
    its expiry (西暦), the residence card's number; the ones recorded."""
    f = [
        Field("国籍・地域", details.nationality),
        Field("法第30条の45に規定する区分", details.category.label),
    ]
    if details.residence_status:
        f.append(Field("在留資格", details.residence_status))
    if details.period_of_stay:
        f.append(Field("在留期間等", details.period_of_stay))
    if details.stay_expires_on is not None:
        f.append(Field("在留期間等の満了の日", format_seireki(details.stay_expires_on)))
    if details.residence_card_number is not None:
        f.append(Field("在留カード等番号", details.residence_card_number.value))
    return f


def _person(
    record: ResidentRecord,
    request: ResidentCertificateRequest,
    today: date,
    history: Sequence[ResidentRecord],
) -> PersonBlock:
    items = request.items
    foreign = record.kind is ResidentKind.FOREIGN
    details = record.foreign
    f: list[Field] = []
    name = record.name
    reading = name.full_kana if items.furigana else ""
    f.append(Field("氏名", with_reading(name.full if name.full.strip() else name.roman, reading)))
    if foreign and name.roman and name.full != name.roman:
        f.append(Field("氏名（ローマ字）", name.roman))
    former = record.former_surname
    if former is not None:  # part of the name when recorded (令第30条の13), never omitted
        f.append(
            Field("旧氏", with_reading(former.full, former.full_kana if items.furigana else ""))
        )
    if foreign and items.foreign_items and details is not None and details.current_alias:
        alias = details.current_alias.name
        f.append(Field("通称", with_reading(alias.full, alias.full_kana if items.furigana else "")))
    f.append(Field("生年月日", record.birth_date.display("seireki" if foreign else "wareki")))
    f.append(Field("性別", record.sex.label))
    if items.head_and_relationship:
        f.append(Field("続柄", record.relationship.text))
    f.append(Field("住民となった年月日", record.became_resident_on.display()))
    f.append(Field("住所を定めた年月日", record.address_set_on.display()))
    if record.filed_on is not None:
        f.append(Field("届出日", format_wareki(record.filed_on)))
    if record.previous_address is not None:
        f.append(Field("前住所", record.previous_address.display()))
    if items.domicile and not foreign and record.family_register is not None:
        f.append(Field("本籍", record.family_register.domicile))
        f.append(Field("筆頭者", record.family_register.head))
    if items.resident_code and record.resident_code is not None:
        f.append(Field("住民票コード", record.resident_code.value))
    if items.individual_number and record.individual_number is not None:
        f.append(Field("個人番号", record.individual_number.value))
    if foreign and items.foreign_items and details is not None:
        f.extend(foreign_resident_fields(details))
    if record.move_out is not None:
        f.append(Field("転出予定年月日", format_wareki(record.move_out.planned_on)))
        f.append(Field("転出先", record.move_out.onward_address.display()))
    if _removed_on(record, today):
        reason = record.removal_reason.label if record.removal_reason else ""
        on = record.removal_event_date.display() if record.removal_event_date else ""
        if not on and record.removed_on is not None:
            on = format_wareki(record.removed_on)
        f.append(Field("消除", f"{on}　{reason}".strip("　")))
    lines = (
        tuple(f"{format_wareki(h.effective_on)}　{h.reason.label}" for h in history)
        if request.with_history
        else ()
    )
    return PersonBlock(record.atena_number.value, tuple(f), lines)


def certificate_lines(sheets: Sequence[Sheet]) -> list[str]:
    """Every line of the certificate, sheet by sheet: what the QR code's digest covers."""
    return [line for sheet in sheets for line in sheet.lines]


class OverflowReason(StrEnum):
    TOO_LONG = "too_long"
    """More than fits its row even set at the smallest size (文字溢れ)."""
    GAIJI = "gaiji"
    """A character the certificate font has no glyph for (未登録外字)."""

    @property
    def label(self) -> str:
        return "文字溢れ" if self is OverflowReason.TOO_LONG else "未登録外字"


@dataclass(frozen=True, slots=True)
class Overflow:
    """One value of a certificate that cannot be printed whole (§5.8 (1070)): an alert when the
    copy is made, and a row of the 文字超過リスト."""

    sheet: int
    """The sheet's number, from 1."""
    label: str
    value: str
    reason: OverflowReason


def blanked(sheets: Sequence[Sheet], overflows: Sequence[Overflow]) -> list[Sheet]:
    """The sheets with each overflowing value printed blank (the municipality's choice, §5.8);
    the label stays, so the reader sees that an item was left out."""
    hit = {(o.sheet, o.label, o.value) for o in overflows}
    if not hit:
        return list(sheets)

    def kept(number: int, fields: tuple[Field, ...]) -> tuple[Field, ...]:
        return tuple(Field(f.label, "") if (number, f.label, f.value) in hit else f for f in fields)

    out = []
    for number, sheet in enumerate(sheets, 1):
        persons = tuple(
            replace(
                p,
                fields=kept(number, p.fields),
                history=tuple(h for h in p.history if (number, "履歴", h) not in hit),
            )
            for p in sheet.persons
        )
        out.append(replace(sheet, header=kept(number, sheet.header), persons=persons))
    return out
