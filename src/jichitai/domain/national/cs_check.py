"""The consistency check of the register with its CS (standard §7.1.1.2 (1100)), pure: every
difference between the 本人確認情報 the register holds and the CS's copy, by 住民票コード.

Three kinds: a person only in the register (the CS never took her, or a 住民票コード the CS does
not know), one only at the CS, and an item that differs (name, reading, birth date, sex,
address, status). Values are compared as our messages carry them (``cs_messages.identity_items``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

REGISTER_ONLY = "register_only"
CS_ONLY = "cs_only"
DIFFERS = "differs"
KIND_LABELS = {
    REGISTER_ONLY: "住民記録のみ（CSにない）",
    CS_ONLY: "CSのみ（住民記録にない）",
    DIFFERS: "項目の相違",
}
COMPARED: tuple[str, ...] = ("name", "name_kana", "birth_date", "sex", "address", "status")
ITEM_LABELS = {
    "name": "氏名",
    "name_kana": "氏名（フリガナ）",
    "birth_date": "生年月日",
    "sex": "性別",
    "address": "住所",
    "status": "状態",
    "resident_code": "住民票コード",
}


@dataclass(frozen=True, slots=True)
class Difference:
    """One difference; for ``differs`` one row per item, with both values."""

    kind: str
    resident_code: str
    atena_number: str
    item: str = ""
    register_value: str = ""
    cs_value: str = ""

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def item_label(self) -> str:
        return ITEM_LABELS.get(self.item, self.item)


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def differences(
    register: Mapping[str, tuple[str, Mapping[str, Any]]],
    cs: Mapping[str, Mapping[str, Any]],
    without_code: tuple[str, ...] = (),
) -> list[Difference]:
    """The differences between ``register`` (住民票コード -> (宛名番号, items)) and the CS's
    ``cs`` (住民票コード -> body), by 住民票コード; ``without_code``: 宛名番号 of persons with no
    住民票コード (the CS cannot know them), listed as register-only first."""
    out = [Difference(REGISTER_ONLY, "", atena, "resident_code") for atena in without_code]
    for code in sorted(set(register) | set(cs)):
        held = cs.get(code)
        if code not in register:
            assert held is not None
            out.append(Difference(CS_ONLY, code, _text(held.get("atena"))))
            continue
        atena, items = register[code]
        if held is None:
            out.append(Difference(REGISTER_ONLY, code, atena))
            continue
        for item in COMPARED:
            ours, theirs = _text(items.get(item)), _text(held.get(item))
            if ours != theirs:
                out.append(Difference(DIFFERS, code, atena, item, ours, theirs))
    return out
