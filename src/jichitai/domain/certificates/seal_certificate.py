"""What a 印鑑登録証明書 says: the registered impression at its real size, and the person's 氏名
(a foreign resident's 通称 too, when recorded), 出生の年月日, 男女の別 and 住所, as the model
印鑑登録証明事務処理要領 lists them. The 登録番号 is not printed: it is the card's number, and
the card is what the applicant must show.

Only a registration still in force for a person still on the register has a certificate; the
card shown at the counter must be that registration's (a lost or abolished card, or another
person's, gets nothing).
"""

from __future__ import annotations

from jichitai.domain.certificates.contents import Field, PersonBlock, Sheet, SheetImpression
from jichitai.domain.certificates.kinds import CertificateKind, certificate_type
from jichitai.domain.errors import DomainError, Violation
from jichitai.domain.residents.model import ResidentKind, ResidentRecord
from jichitai.domain.seals.registration import SealRegistration


def check_seal_card(registration: SealRegistration | None, card_number: str) -> SealRegistration:
    """The registration the presented card (印鑑登録証) stands for, or the refusal."""
    if registration is None or not registration.is_active:
        raise DomainError(
            Violation(
                "seal.not_registered",
                "この方の印鑑登録はありません（亡失・廃止済みを含む）。印鑑登録証明書は発行できません",
                "atena_number",
            )
        )
    if card_number.strip() != registration.registration_number:
        raise DomainError(
            Violation(
                "seal.card_mismatch",
                "印鑑登録証の番号が登録と一致しません",
                "seal_card_number",
            )
        )
    return registration


def seal_certificate_sheets(record: ResidentRecord, registration: SealRegistration) -> list[Sheet]:
    """The one sheet of the person's 印鑑登録証明書."""
    if registration.atena_number != record.atena_number.value:
        raise ValueError("the registration is another person's")
    if record.is_removed or not registration.is_active:
        raise DomainError(
            Violation(
                "seal.not_registered",
                "この方の印鑑登録はありません（亡失・廃止済みを含む）。印鑑登録証明書は発行できません",
                "atena_number",
            )
        )
    foreign = record.kind is ResidentKind.FOREIGN
    name = record.name
    fields = [Field("氏名", name.full if name.full.strip() else name.roman)]
    if foreign and name.roman and name.full != name.roman:
        fields.append(Field("氏名（ローマ字）", name.roman))
    details = record.foreign
    if foreign and details is not None and details.current_alias:
        fields.append(Field("通称", details.current_alias.name.full))
    fields.append(Field("生年月日", record.birth_date.display("seireki" if foreign else "wareki")))
    fields.append(Field("男女の別", record.sex.label))
    fields.append(Field("住所", record.address.display()))
    return [
        Sheet(
            certificate_type(CertificateKind.SEAL_CERTIFICATE).title,
            (),
            (PersonBlock(record.atena_number.value, tuple(fields)),),
            certificate_type(CertificateKind.SEAL_CERTIFICATE).certification,
            SheetImpression(
                registration.registration_number,
                registration.image_sha256,
                registration.impression.width_mm,
                registration.impression.height_mm,
            ),
        )
    ]
