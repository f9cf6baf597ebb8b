"""The messages the register sends to its CS (住基ネットのコミュニケーションサーバ, standard §7.1.1.1
(1090)) for one change, in our own JSON format (``docs/national-links.md``).

The real 電文 of 「既存住基システム改造仕様書」 are not public: this format is ours, documented, and
a municipality's adapter to the real CS translates it. The kinds, in the order a change makes
them:

- ``本人確認情報`` (住基法30条の6): a person's 住民票コード, name, birth date, sex and address with
  the 異動事由 and its date, for every change that alters one of them (or that adds or removes
  the person);
- ``転入通知情報`` (法9条1項): for a 転入, to the former municipality named by the previous
  address;
- ``転出証明書情報`` (法24条の2): for a 特例転出, to the new municipality (``move_messages.py``);
- ``個人番号生成要求`` (§7.1.2.1): for a person recorded without a 個人番号;
- ``戸籍附票記載事項通知`` (法19条) to the 本籍地 and ``市町村通知`` (法30条の50) to
  出入国在留管理庁 (``koseki_immigration.py``);
- ``送付先情報`` (§7.1.1.4 (1120)) for the card management system, with a change that moves the
  住所 of a person who has a 送付先 (``card_destination.py``).

Names and addresses go in 住基ネット統一文字 (``unified_chars.py``) when a table is given.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from jichitai.domain.common.address import Address
from jichitai.domain.common.dates import DateKind
from jichitai.domain.national.card_destination import (
    CARD_DESTINATION,
    destination_items,
    trigger_of,
)
from jichitai.domain.national.koseki_immigration import (
    FUHYO_NOTICE,
    IMMIGRATION_NOTICE,
    fuhyo_notices,
    immigration_notices,
)
from jichitai.domain.national.move_messages import (
    MOVE_OUT_CERTIFICATE,
    certificate_message,
    destination_of,
)
from jichitai.domain.national.unified_chars import UnifiedTable, to_unified
from jichitai.domain.national.wide_area import WIDE_AREA_KINDS
from jichitai.domain.residents.model import ResidentRecord
from jichitai.domain.residents.reasons import ChangeReason

FORMAT = "jichitai-cs/1"
"""The format's name and version, in every message (``format``)."""
IDENTITY = "本人確認情報"
MOVE_IN_NOTICE = "転入通知情報"
NUMBER_REQUEST = "個人番号生成要求"
"""§7.1.2.1 (1130): a person recorded without a 個人番号 (出生, 国外からの転入, 職権記載) asks
the number-generation service (J-LIS, through the CS) for one; the answer's number is taken in
as 個人番号の職権記載 (``services/number_link.py``)."""
KINDS: tuple[str, ...] = (IDENTITY, MOVE_IN_NOTICE, MOVE_OUT_CERTIFICATE, NUMBER_REQUEST)
# 戸籍附票記載事項通知 (住基法19条) and 市町村通知 (住基法30条の50): domain/national/koseki_immigration.py
KINDS += (FUHYO_NOTICE, IMMIGRATION_NOTICE)
# 広域交付要求 and 広域交付住民票情報 (住基法12条の4): domain/national/wide_area.py
KINDS += WIDE_AREA_KINDS
# 送付先情報 for the card management system (§7.1.1.4): domain/national/card_destination.py
KINDS += (CARD_DESTINATION,)
SendToOf = Callable[[str], Address | None]
"""The 送付先 (a 居所) the register keeps for a person, by 宛名番号 (None: none set)."""


@dataclass(frozen=True, slots=True)
class CsMessage:
    """One message for the CS: its kind, its addressee (the CS's own municipality, or the former
    municipality for a 転入通知) and its body (JSON-ready)."""

    kind: str
    destination: str
    body: dict[str, Any]
    unconvertible: tuple[str, ...] = ()
    """Characters of the name or an address outside 住基ネット統一文字 that the table could not convert: the
    message is held for the clerk (``unified_chars.py``), never sent with a character dropped."""


def identity_items(record: ResidentRecord) -> dict[str, Any]:
    """The 本人確認情報 of a record (住基法30条の6第1項の事項, as the register keeps them)."""
    return {
        "resident_code": record.resident_code.value if record.resident_code else "",
        "name": record.name.full,
        "name_kana": record.name.full_kana,
        "birth_date": (
            record.birth_date.approximation.isoformat()
            if record.birth_date.kind is DateKind.CALENDAR
            else record.birth_date.text
        ),
        "sex": record.sex.value,
        "address": record.address.display(),
        "status": record.status.value,
    }


def messages_for(
    previous: ResidentRecord | None,
    current: ResidentRecord,
    *,
    seq: int,
    unified: UnifiedTable | None = None,
    send_to_of: SendToOf | None = None,
) -> list[CsMessage]:
    """The messages a change of one person (``previous`` before, ``current`` after) sends, in
    the order they go out; none when the change leaves the 本人確認情報 as they were. With
    ``unified``, the name and addresses go in 住基ネット統一文字 (``unified_chars.py``);
    ``send_to_of`` gives a person's 送付先 for a 送付先情報 (read only when one goes out)."""
    out = _messages_for(previous, current, seq=seq)
    trigger = trigger_of(previous, current)
    if trigger is not None and send_to_of is not None:
        # Only for a person with a 送付先: without one the destination is the 住所, which the
        # 本人確認情報 of the same change carries (card_destination.py).
        send_to = send_to_of(current.atena_number.value)
        if send_to is not None:
            out.append(destination_message(current, send_to, trigger, seq=seq))
    if unified is None:
        return out
    return [unify(message, unified) for message in out]


def destination_message(
    record: ResidentRecord, send_to: Address | None, trigger: str, *, seq: int
) -> CsMessage:
    """A 送付先情報 of a person (``card_destination.py``): her 本人確認情報 and the destination."""
    body = {
        "format": FORMAT,
        "seq": seq,
        "kind": CARD_DESTINATION,
        "reason": record.reason.value,
        "reason_label": record.reason.label,
        "effective_on": record.effective_on.isoformat(),
        "atena": record.atena_number.value,
        **identity_items(record),
        **destination_items(record, send_to, trigger),
    }
    return CsMessage(CARD_DESTINATION, "", body)


UNIFIED_ITEMS: tuple[str, ...] = ("name", "address", "former_address", "domicile", "send_to")
"""The items sent in 住基ネット統一文字: the name, the address, a 転入通知's former address, a
戸籍附票記載事項通知's 本籍 and a 送付先情報's destination (kana, dates and codes are inside the
set)."""


def unify(message: CsMessage, table: UnifiedTable) -> CsMessage:
    """The message with its name and addresses converted to 住基ネット統一文字; the characters
    none of them could be converted by are listed once each."""
    body = dict(message.body)
    unconvertible: list[str] = []
    for item in UNIFIED_ITEMS:
        value = body.get(item)
        if not isinstance(value, str) or not value:
            continue
        conversion = to_unified(value, table)
        body[item] = conversion.text
        unconvertible += [c for c in conversion.unconvertible if c not in unconvertible]
    return CsMessage(message.kind, message.destination, body, tuple(unconvertible))


def _messages_for(
    previous: ResidentRecord | None, current: ResidentRecord, *, seq: int
) -> list[CsMessage]:
    items = identity_items(current)
    common = {
        "format": FORMAT,
        "seq": seq,
        "reason": current.reason.value,
        "reason_label": current.reason.label,
        "effective_on": current.effective_on.isoformat(),
    }
    out: list[CsMessage] = []
    if previous is None or identity_items(previous) != items:
        out.append(
            CsMessage(
                IDENTITY,
                "",
                {**common, "kind": IDENTITY, "atena": current.atena_number.value, **items},
            )
        )
    if current.reason is ChangeReason.DOMESTIC_MOVE_IN and current.previous_address is not None:
        former = current.previous_address
        destination = destination_of(former)
        if previous is None or previous.reason is not ChangeReason.DOMESTIC_MOVE_IN:
            out.append(
                CsMessage(
                    MOVE_IN_NOTICE,
                    destination,
                    {
                        **common,
                        "kind": MOVE_IN_NOTICE,
                        "former_municipality": destination,
                        "former_address": former.display(),
                        "new_address_parts": current.address.to_json(),
                        **items,
                    },
                )
            )
    certificate = certificate_message(previous, current, common)
    if certificate is not None:
        out.append(CsMessage(MOVE_OUT_CERTIFICATE, *certificate))
    if _needs_number(previous, current):
        out.append(
            CsMessage(
                NUMBER_REQUEST,
                "",
                {**common, "kind": NUMBER_REQUEST, "atena": current.atena_number.value, **items},
            )
        )
    # 戸籍附票記載事項通知 to the 本籍地, 市町村通知 to 出入国在留管理庁 (koseki_immigration.py).
    for kind, destination, items in fuhyo_notices(previous, current) + immigration_notices(
        previous, current
    ):
        out.append(CsMessage(kind, destination, {**common, "kind": kind, **items}))
    return out


_FIRST_NUMBER_REASONS = frozenset(
    {
        ChangeReason.BIRTH,
        ChangeReason.MOVE_IN_FROM_ABROAD,
        ChangeReason.EX_OFFICIO_ENTRY,
        ChangeReason.EX_OFFICIO_ENTRY_NATURALISATION,
        ChangeReason.EX_OFFICIO_ENTRY_LOSS_OF_NATIONALITY,
    }
)


def _needs_number(previous: ResidentRecord | None, current: ResidentRecord) -> bool:
    """A 個人番号生成要求 (番号法7条1項): a person's first record, made by 出生, 国外からの転入 or
    職権記載, without a 個人番号 and with a 住民票コード (the number is generated from it). A
    国内転入 brings the number on the 転出証明書."""
    return (
        previous is None
        and current.individual_number is None
        and current.resident_code is not None
        and current.reason in _FIRST_NUMBER_REASONS
    )
