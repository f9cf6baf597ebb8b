"""Search keys for names written with variant characters (異体字).

A name is stored glyph for glyph (standard §8: MJ identity, IVS kept). Searching for
「高橋」 must still find 「髙橋」 (standard §2.1.2 (330): 検索文字から、異体字や正字も
包含した検索), so search uses a derived key built by :func:`fold_kanji`; the stored
text is never rewritten.

:func:`fold_kanji` does, in this order:

1. ``unicodedata.normalize("NFC")``: folds the CJK compatibility ideographs that have a canonical
   decomposition (U+FA10 → 塚 U+585A, U+FA19 → 神 U+795E …). The twelve *unified*
   ideographs of that block (U+FA0E, FA0F, FA11, FA13, FA14, FA1F, FA21, FA23, FA24, FA27,
   FA28, FA29; e.g. 﨑 U+FA11) have none and NFC leaves them alone, so 﨑 is in the table.
2. One ``str.translate`` table that
   * removes Ideographic Variation Selectors (U+E0100–U+E01EF) and standard variation selectors
     (U+FE00–U+FE0F), so 葛 + U+E0102 meets 葛;
   * removes half- and full-width spaces;
   * maps each variant in :data:`VARIANT_TO_COMMON` to its common form (髙 → 高, 邊 → 辺 …);
   * turns full-width Latin letters and digits into ASCII and upper-cases ASCII letters, so a
     foreign resident's Roman-letter name meets however it is typed (ＳＭＩＴＨ, Smith → SMITH).

The table is a starting set, not the MJ縮退マップ: grow :data:`VARIANT_TO_COMMON` as data (one
variant → one common form; a common form is never itself a key, so one pass is enough).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

__all__ = ["VARIANT_TO_COMMON", "fold_kanji", "has_non_bmp_or_ivs"]

# Variant (old form, 俗字, compatibility form …) → the form used in the search key. Where both forms
# are common the direction is a choice: the key uses the form most input methods produce.
# 曾 → 曽: 曽 (U+66FD, JIS level 1) is what 曽根/曽我 are typed with; 曾 (U+66FE) is the old form.
# Deliberately absent: 頻 (listed under 「浜」 in §2.1.2 but an ordinary, unrelated character),
# 薗/園 and 籐/藤-style pairs that are different surnames in practice, except those §2.1.2 names.
_VARIANTS: Final[dict[str, str]] = {
    # 高・吉・崎 and the other classic name variants
    "髙": "高",
    "𠮷": "吉",
    "\ufa11": "崎",  # 﨑, a unified ideograph in the compatibility block: NFC keeps it
    "嵜": "崎",
    "碕": "崎",
    "㟢": "崎",
    "邊": "辺",
    "邉": "辺",
    "边": "辺",  # §2.1.2 example
    "齋": "斉",
    "齊": "斉",
    "斎": "斉",
    "濵": "浜",
    "濱": "浜",
    "滨": "浜",  # §2.1.2 example
    "䕨": "藤",  # §2.1.2 examples
    "籘": "藤",
    "籐": "藤",
    "澤": "沢",
    "廣": "広",
    "國": "国",
    "櫻": "桜",
    "德": "徳",
    "眞": "真",
    "惠": "恵",
    "嶋": "島",
    "嶌": "島",
    "冨": "富",
    "檜": "桧",
    "龍": "竜",
    "藪": "薮",
    "籔": "薮",
    "實": "実",
    "淺": "浅",
    "瀨": "瀬",
    "條": "条",
    "壽": "寿",
    "榮": "栄",
    "縣": "県",
    "關": "関",
    "萬": "万",
    "與": "与",
    "傳": "伝",
    "彌": "弥",
    "曾": "曽",
    "峯": "峰",
    "栁": "柳",
    "桒": "桑",
    "舘": "館",
    "邨": "村",
    "埜": "野",
    "𡈽": "土",
    "\ufa10": "塚",  # compatibility 塚: NFC already folds it; listed to document the intent
    # further old forms (旧字体) common in surnames and given names
    "槗": "橋",
    "槇": "槙",
    "瀧": "滝",
    "澁": "渋",
    "渕": "淵",
    "蘆": "芦",
    "杦": "杉",
    "曻": "昇",
    "黑": "黒",
    "戶": "戸",
    "靑": "青",
    "淸": "清",
    "增": "増",
    "圓": "円",
    "團": "団",
    "豐": "豊",
    "來": "来",
    "樂": "楽",
    "學": "学",
    "寶": "宝",
    "寳": "宝",
    "莊": "荘",
    "滿": "満",
    "靜": "静",
    "聰": "聡",
    "鷗": "鴎",
    "亞": "亜",
    "嶽": "岳",
    "巖": "巌",
    "藏": "蔵",
    "會": "会",
    "應": "応",
    "禮": "礼",
    "龜": "亀",
    "將": "将",
    "壯": "壮",
}

VARIANT_TO_COMMON: Final[Mapping[str, str]] = MappingProxyType(_VARIANTS)
"""Variant character → common form used in search keys (read-only; extend ``_VARIANTS``)."""

_VARIATION_SELECTORS: Final = (*range(0xFE00, 0xFE10), *range(0xE0100, 0xE01F0))


def _build_table() -> dict[int, str | None]:
    table: dict[int, str | None] = {ord(variant): common for variant, common in _VARIANTS.items()}
    for cp in _VARIATION_SELECTORS:
        table[cp] = None
    table[ord(" ")] = None
    table[ord("\u3000")] = None
    for cp in range(0xFF10, 0xFF1A):  # ０-９
        table[cp] = chr(cp - 0xFEE0)
    for cp in [*range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B)]:  # Ａ-Ｚ, ａ-ｚ
        table[cp] = chr(cp - 0xFEE0).upper()
    for cp in range(ord("a"), ord("z") + 1):
        table[cp] = chr(cp).upper()
    return table


_FOLD_TABLE: Final = str.maketrans(_build_table())


def fold_kanji(text: str) -> str:
    """The variant-insensitive search key of a name (or any text); the input is not changed.

    >>> fold_kanji("髙橋　一郎") == fold_kanji("高橋一郎")
    True
    """
    # NFC again after the table: removing a space or selector can bring combining marks next to
    # each other in a non-canonical order, and the key must be a fixed point (idempotent).
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", text).translate(_FOLD_TABLE))


def has_non_bmp_or_ivs(text: str) -> bool:
    """True if the text holds a character beyond the BMP (𠮷, 𡈽) or a variation selector.

    Such names need MJ care: legacy encodings, some fonts and fixed-width exports cannot carry them.
    """
    return any(ord(char) > 0xFFFF or 0xFE00 <= ord(char) <= 0xFE0F for char in text)
