"""The 送付先情報 for the card management system (カード管理システム of J-LIS, through the CS;
standard §7.1.1.4 (1120)): where a person's 個人番号カード and 番号通知書類 are sent.

The register keeps, per person, an optional 送付先: a 居所 other than the 住所 (set and cleared by
the clerk, ``services/card_destinations.py``). A ``送付先情報`` message carries the person's
住民票コード and 本人確認情報 with the destination: the 送付先 when one is set, else the 住所;
for a 転出, the 転出先. It goes out (our format ``jichitai-cs/1``, ``docs/national-links.md``):

- with a change that moves the 住所 (異動と連動: a 転居, a correction of the address, a 転出
  when first recorded) of a person who has a 送付先:
  the 送付先 stays (転居) or ends (転出: the 転出先). A person without a 送付先 gets none with
  a change: her destination is her 住所, which the change's own 本人確認情報 carries to the
  CS (sent for every change of the address), so a second message would say the same;
- when the clerk sets or clears the 送付先;
- for each person of the CS's 更新対象者 list the register matches (renewal of the card or its
  certificate).
"""

from __future__ import annotations

from typing import Any

from jichitai.domain.common.address import Address
from jichitai.domain.residents.model import ResidentRecord, ResidentStatus
from jichitai.domain.residents.reasons import ChangeReason

CARD_DESTINATION = "送付先情報"
TRIGGERS = {
    "move_in": "転入",
    "address_change": "住所の変更",
    "move_out": "転出",
    "set": "送付先の設定",
    "cleared": "送付先の削除",
    "renewal": "更新対象者",
}
"""Why a 送付先情報 went out (``trigger`` in its body), with labels."""
KIND_LABELS = {"residence": "居所（送付先）", "address": "住所", "onward": "転出先"}
_MOVE_INS = frozenset({ChangeReason.DOMESTIC_MOVE_IN, ChangeReason.MOVE_IN_FROM_ABROAD})
_MOVE_OUTS = frozenset({ChangeReason.DOMESTIC_MOVE_OUT, ChangeReason.MOVE_OUT_ABROAD})


def trigger_of(previous: ResidentRecord | None, current: ResidentRecord) -> str | None:
    """Whether a change moves the card's destination, and how (a ``TRIGGERS`` key); None when
    it does not."""
    if previous is None:
        return "move_in" if current.reason in _MOVE_INS else None
    if current.reason in _MOVE_OUTS and current.status is ResidentStatus.MOVED_OUT:
        return "move_out" if previous.status is not ResidentStatus.MOVED_OUT else None
    if current.status is ResidentStatus.RESIDENT and (
        previous.address.display() != current.address.display()
        or previous.address.postcode != current.address.postcode
    ):
        return "address_change"
    return None


def destination_items(
    record: ResidentRecord, send_to: Address | None, trigger: str
) -> dict[str, Any]:
    """The destination part of a 送付先情報: the 送付先 (a 居所) when set, else the 住所; a
    moved-out person's 転出先."""
    kind, address = "address", record.address
    if record.status is ResidentStatus.MOVED_OUT and record.move_out is not None:
        kind, address = "onward", record.move_out.onward_address
    elif send_to is not None:
        kind, address = "residence", send_to
    return {
        "trigger": trigger,
        "trigger_label": TRIGGERS[trigger],
        "send_to_kind": kind,
        "send_to_kind_label": KIND_LABELS[kind],
        "send_to": address.display(),
        "send_to_postcode": address.postcode,
        "send_to_parts": address.to_json(),
    }
