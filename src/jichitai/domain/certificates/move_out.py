"""What a 転出証明書 says (住民基本台帳法施行令 第23条): one person's certificate of a filed move-out.

A household's movers each get their own certificate (one person a call). Every item the
order lists is shown, none is optional: 氏名 (with its フリガナ in brackets), 出生の年月日, 男女の別, 世帯主の氏名と
続柄 (for the head: 世帯主), 本籍・筆頭者 (Japanese residents), 住所 and 住所を定めた年月日, 転出先,
転出の予定年月日, 住民票コード and 個人番号; for a foreign resident also 国籍・地域, the art. 30-45
category, 在留資格, 在留期間等, its expiry (西暦) and the card number. Only a move-out filed and
not cancelled has one; 国外転出 and 特例転出 (the new municipality receives the data online)
have none.

A re-issue (再交付) shows the data as first issued, marked 「再交付」 in its title
(``reissued``): the mark is part of the text the QR code's digest covers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from jichitai.domain.certificates.contents import (
    Field,
    PersonBlock,
    Sheet,
    foreign_resident_fields,
    with_reading,
)
from jichitai.domain.certificates.kinds import CertificateKind, certificate_type
from jichitai.domain.common.dates import format_wareki
from jichitai.domain.errors import DomainError, Violation
from jichitai.domain.residents.model import ResidentKind, ResidentRecord, ResidentStatus

REISSUE_MARK = "（再交付）"


def move_out_sheets(
    record: ResidentRecord, today: date, household_head: ResidentRecord | None = None
) -> list[Sheet]:
    """The one sheet of a 転出証明書 for ``record`` (a person whose move-out was filed).

    ``household_head`` is the head of the household the person leaves (``None`` when the
    person is the head, or when no head is recorded: then only the relationship is shown).
    ``today`` is the day of issue; the certificate can be issued before and after the planned
    date (a 転出予定 is recorded as filed).
    """
    del today  # the content does not change with the day of issue; kept for a uniform call
    _check(record)
    assert record.move_out is not None
    move_out = record.move_out
    foreign = record.kind is ResidentKind.FOREIGN
    details = record.foreign
    name = record.name
    # The reading always: the municipality moved to registers the person from this sheet. In
    # brackets after the name, as §5.3 (1020) writes it.
    shown = name.full if name.full.strip() else name.roman
    f: list[Field] = [Field("氏名", with_reading(shown, name.full_kana))]
    if foreign and name.roman and name.full != name.roman:
        f.append(Field("氏名（ローマ字）", name.roman))
    former = record.former_surname
    if former is not None:
        f.append(Field("旧氏", with_reading(former.full, former.full_kana)))
    if foreign and details is not None and details.current_alias:
        alias = details.current_alias.name
        f.append(Field("通称", with_reading(alias.full, alias.full_kana)))
    f.append(Field("生年月日", record.birth_date.display("seireki" if foreign else "wareki")))
    f.append(Field("性別", record.sex.label))
    head = record if record.is_head else household_head
    if head is not None:
        f.append(Field("世帯主", head.name.full if head.name.full.strip() else head.name.roman))
    f.append(Field("続柄", record.relationship.text))
    if not foreign and record.family_register is not None:
        f.append(Field("本籍", record.family_register.domicile))
        f.append(Field("筆頭者", record.family_register.head))
    f.append(Field("住所を定めた年月日", record.address_set_on.display()))
    if move_out.filed_on is not None:
        f.append(Field("転出届出年月日", format_wareki(move_out.filed_on)))
    f.append(Field("転出先", move_out.onward_address.display()))
    f.append(Field("転出の予定年月日", format_wareki(move_out.planned_on)))
    if record.resident_code is not None:
        f.append(Field("住民票コード", record.resident_code.value))
    if record.individual_number is not None:
        f.append(Field("個人番号", record.individual_number.value))
    if foreign and details is not None:
        f.extend(foreign_resident_fields(details))
    kind = CertificateKind.MOVE_OUT_CERTIFICATE
    return [
        Sheet(
            certificate_type(kind).title,
            (Field("住所", record.address.display()),),
            (PersonBlock(record.atena_number.value, tuple(f)),),
            certificate_type(kind).certification,
        )
    ]


def _check(record: ResidentRecord) -> None:
    atena = record.atena_number.value
    if record.move_out is None or record.status is not ResidentStatus.MOVED_OUT:
        raise DomainError(
            Violation(
                "certificate.no_move_out",
                f"宛名番号 {atena} の方には転出の届出が記録されていません"
                "（取り消された転出には転出証明書を発行できません）",
                "atena_number",
            )
        )
    if record.move_out.onward_address.is_overseas:
        raise DomainError(
            Violation(
                "certificate.move_out_abroad",
                "国外への転出には転出証明書を発行しません",
                "atena_number",
            )
        )
    if record.move_out.special:
        raise DomainError(
            Violation(
                "certificate.special_move_out",
                "特例転出（マイナンバーカードによる転出）には転出証明書を発行しません",
                "atena_number",
            )
        )


def reissued(sheets: Sequence[Sheet]) -> list[Sheet]:
    """The sheets of a 再交付: the same content, each title marked 「（再交付）」 (once)."""
    return [
        s if s.title.endswith(REISSUE_MARK) else replace(s, title=s.title + REISSUE_MARK)
        for s in sheets
    ]
