"""The 送付先 of a person's 個人番号カード and 番号通知書類 as it comes in through any door (API,
CLI; standard §7.1.1.4 (1120)), parsed by the one inbound decoder's rules (``inbound.py``):
the address by its parts, as the register's addresses are."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from jichitai.domain.common.address import Address
from jichitai.domain.common.identifiers import (
    RESIDENT_CODE_UNCHECKED,
    AtenaNumber,
    ResidentCode,
)
from jichitai.domain.errors import Violation, invalid
from jichitai.domain.national.cs_messages import KINDS
from jichitai.services.inbound import _Faults, _iso_day, address_data

__all__ = ["CsMessageFilter", "decode_atena", "decode_cs_filter", "decode_send_to"]


@dataclass(frozen=True, slots=True)
class CsMessageFilter:
    """What the clerk searches the CS messages by (the send history, §7.1.1.4 (1120))."""

    kind: str | None = None
    atena_number: str = ""
    resident_code: str = ""
    sent_from: date | None = None
    sent_to: date | None = None

    @property
    def empty(self) -> bool:
        return self == CsMessageFilter()


def decode_cs_filter(
    kind: Any = None, person: Any = None, sent_from: Any = None, sent_to: Any = None
) -> CsMessageFilter:
    """The search of the CS messages: a kind (``送付先情報`` …), a person (宛名番号, 10 digits,
    or 住民票コード, 11) and the days (JST) it was sent, from and to; every fault reported."""
    faults = _Faults()
    if kind is not None and kind not in KINDS:
        faults.found.append(
            Violation("cs.kind_unknown", f"電文種別 {str(kind)[:40]} はありません", "kind")
        )
    atena = code = ""
    text = person.strip() if isinstance(person, str) else ""
    if person is not None and len(text) == 11:
        found = faults.run("person", ResidentCode.parse, text, "person", RESIDENT_CODE_UNCHECKED)
        code = found.value if found else ""
    elif person is not None:
        atena = faults.run("person", AtenaNumber.parse, text, "person")
        atena = atena.value if atena else ""
    first = faults.run("sent_from", _iso_day, sent_from, "sent_from") if sent_from else None
    last = faults.run("sent_to", _iso_day, sent_to, "sent_to") if sent_to else None
    if first and last and first > last:
        faults.found.append(
            Violation("cs.period", "送信日の範囲は開始日を終了日以前にしてください", "sent_to")
        )
    faults.raise_if_any()
    return CsMessageFilter(kind, atena, code, first, last)


def decode_atena(text: Any) -> str:
    """A 宛名番号 (with its check digit)."""
    if not isinstance(text, str):
        raise invalid("input.shape", "宛名番号は文字列で入力してください", "atena_number")
    return AtenaNumber.parse(text.strip()).value


def decode_send_to(data: Any) -> Address:
    """A 送付先: a domestic address (``{"prefecture", "city", "town_area", "lot_text",
    "address_supplement" (方書), "postcode", "town_code"}``), at least its 市区町村. Codes:
    ``card_destination.address_required``, ``card_destination.overseas`` and those of an
    address (``address.*``, ``input.*``)."""
    if not isinstance(data, dict) or not data:
        raise invalid(
            "card_destination.address_required", "送付先の住所を入力してください", "address"
        )
    parts = address_data(data, "address")
    if not parts or set(parts) == {"raw"}:
        raise invalid(
            "card_destination.address_required", "送付先の住所を入力してください", "address"
        )
    made = Address.from_json(parts)
    if made.is_overseas:
        raise invalid(
            "card_destination.overseas",
            "送付先は国内の居所を入力してください（国外の住所は指定できません）",
            "address.country",
        )
    return made
