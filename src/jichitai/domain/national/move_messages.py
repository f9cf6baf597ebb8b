"""Messages between two municipalities through the CS (issue 21, our format ``jichitai-cs/1``):
the 転出証明書情報 of a 特例転出 (§4.1.3.0.4 (670), 住基法24条の2) and the addressing of a message
to another municipality.

**What a 転出証明書情報 carries.** The items of the paper 転出証明書 (住民基本台帳法施行令第23条,
as ``domain/certificates/move_out.py`` prints them): 氏名 and its reading, 生年月日, 男女の別,
続柄 (and whether the person is the 世帯主), 本籍・筆頭者, 住所, 転出先, 転出の予定年月日,
転出届出年月日, 住民票コード and 個人番号; for a 外国人住民 also the 30条の45 items the register
keeps (``foreign``: 国籍・地域, 30条の45 区分, 外国人住民となった年月日, 在留資格, 在留期間 and
its 満了日, 在留カード等の番号, 特別永住者証明書の番号, 外国人登録の日, 通称 and its history;
住基法24条の2 applies to 外国人住民 too, 令30条の26). The 個人番号 is included: the certificate itself
carries it (令23条 lists 法7条8号の2), and the 転出証明書情報 is the certificate's content sent
instead of the paper (法24条の2); the new municipality needs it to register the person. Each
item also goes in the form a change command takes (``name_parts``, ``birth``,
``address_parts`` …), so that the new municipality's 転入 is pre-filled from it (§4.1.1.3 (610))
through the one inbound decoder.

Sent only for a 特例転出 (``special``): an ordinary 転出 gets the paper certificate, and the
new municipality registers from that. Sent once, when the 転出 is first recorded (a later
correction is not sent again: re-sending by hand is a must-not of §4.1.3.0.4).

**Addressing.** A message for another municipality names it by its 地方公共団体コード when it is
known: from the 11-digit 住所コード of the address (its first five digits and the check digit),
else by the municipality's name in the deployment's own list (the CS routes by code). Otherwise
the destination stays the name (都道府県 + 市区町村) and the CS keeps the message without relaying
it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from jichitai.domain.common.address import Address
from jichitai.domain.common.municipality import municipality_check_digit
from jichitai.domain.national.wide_area import WIDE_AREA_KINDS
from jichitai.domain.residents.model import (
    Alias,
    ForeignResidentDetails,
    ResidentRecord,
    ResidentStatus,
)
from jichitai.domain.residents.reasons import ChangeReason

MOVE_OUT_CERTIFICATE = "転出証明書情報"
RELAYED_KINDS: tuple[str, ...] = ("転入通知情報", MOVE_OUT_CERTIFICATE, *WIDE_AREA_KINDS)
"""The kinds the CS hands on to the municipality they are addressed to."""


def destination_of(address: Address) -> str:
    """The municipality an address lies in: its code when the 住所コード gives it, else its
    name (都道府県 + 市区町村)."""
    code = address.town_code
    if len(code) == 11 and code.isascii() and code.isdigit():
        return code[:5] + municipality_check_digit(code[:5])
    return f"{address.prefecture}{address.city}"


def is_municipality_code(text: str) -> bool:
    return len(text) == 6 and text.isascii() and text.isdigit()


def code_for(destination: str, directory: Iterable[tuple[str, str]]) -> str:
    """``destination`` as a 地方公共団体コード when the deployment's list of municipalities
    (code, name) names it: the same name, or (a ward of a designated city) the longest name it
    starts with followed by 区. Unknown: ``destination`` unchanged."""
    if not destination or is_municipality_code(destination):
        return destination
    best = ("", "")
    for code, name in directory:
        if name == destination:
            return code
        rest = destination[len(name) :]
        if (
            name
            and destination.startswith(name)
            and rest.endswith("区")
            and len(name) > len(best[1])
        ):
            best = (code, name)
    return best[0] or destination


def certificate_message(
    previous: ResidentRecord | None, current: ResidentRecord, common: dict[str, Any]
) -> tuple[str, dict[str, Any]] | None:
    """The 転出証明書情報 (destination, body) of a 特例転出 first recorded by this change; None
    for any other change."""
    move_out = current.move_out
    if (
        current.reason is not ChangeReason.DOMESTIC_MOVE_OUT
        or current.status is not ResidentStatus.MOVED_OUT
        or move_out is None
        or not move_out.special
        or (previous is not None and previous.move_out is not None)
    ):
        return None
    onward = move_out.onward_address
    family_register = current.family_register
    body: dict[str, Any] = {
        **common,
        "kind": MOVE_OUT_CERTIFICATE,
        "atena": current.atena_number.value,
        "resident_code": current.resident_code.value if current.resident_code else "",
        "individual_number": (current.individual_number.value if current.individual_number else ""),
        "name": current.name.full,
        "name_kana": current.name.full_kana,
        "name_parts": current.name.to_json(),
        "birth_date": current.birth_date.display("seireki"),
        "birth": current.birth_date.to_json(),
        "sex": current.sex.value,
        "resident_kind": current.kind.value,
        "relationship": current.relationship.text,
        "household_head": current.is_head,
        "family_register": (
            {"domicile": family_register.domicile, "head": family_register.head}
            if family_register is not None
            else None
        ),
        "foreign": foreign_items(current.foreign) if current.foreign is not None else None,
        "address": current.address.display(),
        "address_parts": current.address.to_json(),
        "status": current.status.value,
        "onward_address": onward.display(),
        "onward_address_parts": onward.to_json(),
        "planned_on": move_out.planned_on.isoformat(),
        "filed_on": move_out.filed_on.isoformat() if move_out.filed_on else "",
    }
    return destination_of(onward), body


def foreign_items(foreign: ForeignResidentDetails) -> dict[str, Any]:
    """A foreign resident's 30条の45 items in the form a change command's ``foreign`` takes
    (the 転入 of a person is input with them)."""
    card = foreign.residence_card_number
    registered = foreign.alien_registration_on
    return {
        "nationality": foreign.nationality,
        "category": foreign.category.value,
        "became_foreign_resident_on": foreign.became_foreign_resident_on.to_json(),
        "residence_status": foreign.residence_status,
        "period_of_stay": foreign.period_of_stay,
        "stay_expires_on": (
            foreign.stay_expires_on.isoformat() if foreign.stay_expires_on else None
        ),
        "residence_card_number": card.value if card else None,
        "special_permanent_certificate_number": foreign.special_permanent_certificate_number,
        "alien_registration_on": registered.to_json() if registered else None,
        "aliases": [_alias(a) for a in foreign.aliases],
    }


def _alias(alias: Alias) -> dict[str, Any]:
    return {
        "name": alias.name.to_json(),
        "entered_on": alias.entered_on.isoformat(),
        "entered_in": alias.entered_in,
        "deleted_on": alias.deleted_on.isoformat() if alias.deleted_on else None,
        "deleted_in": alias.deleted_in,
    }
