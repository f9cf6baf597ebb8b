"""The messages the register sends to its CS (住基ネットのコミュニケーションサーバ, standard §7.1.1.1
(1090)) for one change, in our own JSON format (``docs/national-links.md``).

The real 電文 of 「既存住基システム改造仕様書」 are not public: this format is ours, documented, and
a municipality's adapter to the real CS translates it. Two kinds in this slice:

- ``本人確認情報`` (住基法30条の6): a person's 住民票コード, name, birth date, sex and address with
  the 異動事由 and its date, for every change that alters one of them (or that adds or removes
  the person);
- ``転入通知情報`` (法9条1項): for a 転入, to the former municipality named by the previous
  address.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jichitai.domain.common.dates import DateKind
from jichitai.domain.national.move_messages import (
    MOVE_OUT_CERTIFICATE,
    certificate_message,
    destination_of,
)
from jichitai.domain.residents.model import ResidentRecord
from jichitai.domain.residents.reasons import ChangeReason

FORMAT = "jichitai-cs/1"
"""The format's name and version, in every message (``format``)."""
IDENTITY = "本人確認情報"
MOVE_IN_NOTICE = "転入通知情報"
KINDS: tuple[str, ...] = (IDENTITY, MOVE_IN_NOTICE, MOVE_OUT_CERTIFICATE)


@dataclass(frozen=True, slots=True)
class CsMessage:
    """One message for the CS: its kind, its addressee (the CS's own municipality, or the former
    municipality for a 転入通知) and its body (JSON-ready)."""

    kind: str
    destination: str
    body: dict[str, Any]


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
    previous: ResidentRecord | None, current: ResidentRecord, *, seq: int
) -> list[CsMessage]:
    """The messages a change of one person (``previous`` before, ``current`` after) sends, in
    the order they go out; none when the change leaves the 本人確認情報 as they were."""
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
    return out
