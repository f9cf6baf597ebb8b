"""Katakana readings (フリガナ) and the fuzzy kana search key.

Readings are kept in full-width katakana (standard §1.1.18 (180)). :func:`to_katakana`
normalises what an operator or a legacy file types; :func:`validate_reading` refuses
anything that is not a reading; :func:`fold_kana` derives the key for the fuzzy kana
search of §2.1.2 (330) / §2.1.3 (340).

What :func:`fold_kana` folds, in this order (the key is for matching only, never shown):

1. :func:`to_katakana`: hiragana → katakana, half-width → full-width, voiced marks
   combined (カ + ゛ → ガ).
2. ヴ-sounds → バ-row, as §2.1.2 lists: ヴァ→バ, ヴィ→ビ, ヴゥ/ヴ→ブ, ヴェ→ベ, ヴォ→ボ,
   ヴャ/ヴュ/ヴョ→ビャ/ビュ/ビョ; ヷ/ヸ/ヹ/ヺ → バ/ビ/ベ/ボ.
3. One character table:

   * voiced and semi-voiced → plain (ガ→カ, ジ→シ, ズ→ス, ダ→タ, バ/パ→ハ, ゴ→コ …),
     except ヂ/ヅ below;
   * small → large (ァ→ア, ッ→ツ, ャ→ヤ, ュ→ユ, ョ→ヨ, ヮ→ワ, ヵ→カ, ヶ→ケ);
   * ヰ→イ, ヱ→エ, ヲ→オ, and ワ→ハ (§2.1.2 lists 「ワ」と「ハ」 among the pairs);
   * ヂ → シ and ヅ → ス, i.e. together with ジ and ズ: §2.1.2 names 「ヂ」と「ジ」 and
     「ズ」と「ヅ」 (same sound, the usual misspelling: ミカヅキ/ミカズキ). One key cannot
     also put ヂ with チ without merging チ and シ (and ツ with ス, so that ツヅキ would
     meet スズキ): ヂ/チ and ヅ/ツ therefore do *not* meet;
   * removed: long-vowel marks and dash variants (ー ｰ － ― ‐ ‑ – — − -), spaces
     (half- and full-width), ・, and stray voiced marks (゛ ゜, combining or not).

4. Long vowels written with a kana (§2.1.2: a ウ after an オ段 kana, from the second
   character on, counts as オ; and the presence of a long vowel is ignored):
   after an オ段 kana (オコソトノホモヨロ once step 3 has run) any run of ウ/オ is
   dropped, and after a ウ段 kana (ウクスツヌフムユル) any run of ウ is dropped.
   So コウ, コオ, コー and コ all give コ; サイトウ, サイトオ, サイトー → サイト;
   ヨウコ, ヨーコ → ヨコ; ユウコ, ユーコ → ユコ; シヨウ, ショウ, ショー → シヨ.
   The ウ段 rule goes beyond §2.1.2 for the same reason (ユウコ/ユーコ).
   Not folded: エイ/エー (ケイコ stays, ケーコ → ケコ), ア段 + ア, イ段 + イ.

Because spaces are removed first, the key of a full name (氏 + 名) is the key of its
concatenation: search the family and given keys separately when the boundary matters.
The function is idempotent.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

from jichitai.domain.errors import invalid

__all__ = ["fold_kana", "to_katakana", "validate_reading"]

_FULL_SPACE: Final = "\u3000"
_LONG_MARK: Final = "ー"
# Dashes typed where a long-vowel mark was meant (half-width ｰ is handled by the half-width table).
_DASHES: Final = "-‐‑‒–—―−－"
_SPACES: Final = " \u3000\u00a0"


def _build_to_katakana_table() -> dict[int, str]:
    table: dict[int, str] = {}
    # Hiragana ぁ (U+3041) … ゖ (U+3096) sit 0x60 below their katakana; ゝゞ → ヽヾ too.
    for cp in [*range(0x3041, 0x3097), 0x309D, 0x309E]:
        table[cp] = chr(cp + 0x60)
    # Half-width katakana and punctuation (U+FF61 … U+FF9F) → their full-width compatibility form;
    # the half-width voiced marks become the spacing full-width ones, composed afterwards.
    for cp in range(0xFF61, 0xFFA0):
        table[cp] = unicodedata.normalize("NFKC", chr(cp))
    table[0xFF9E] = "゛"
    table[0xFF9F] = "゜"
    for dash in _DASHES:
        table[ord(dash)] = _LONG_MARK
    return table


def _build_compositions() -> dict[str, str]:
    """(katakana base + combining mark) → precomposed katakana, e.g. "カ\u3099" → "ガ"."""
    pairs: dict[str, str] = {}
    for cp in range(0x30A1, 0x30FF):
        decomposed = unicodedata.normalize("NFD", chr(cp))
        if len(decomposed) == 2 and decomposed[1] in "\u3099\u309a":
            pairs[decomposed] = chr(cp)
    return pairs


_TO_KATAKANA: Final = str.maketrans(_build_to_katakana_table())
_COMPOSITIONS: Final = _build_compositions()
_MARK_TO_COMBINING: Final = {"゛": "\u3099", "゜": "\u309a", "\u3099": "\u3099", "\u309a": "\u309a"}
_COMPOSE_RE: Final = re.compile(
    "([" + "".join(sorted({pair[0] for pair in _COMPOSITIONS})) + "])([゛゜\u3099\u309a])"
)
_SPACE_RUN_RE: Final = re.compile(f"[{_SPACES}]+")


def _compose(match: re.Match[str]) -> str:
    pair = match.group(1) + _MARK_TO_COMBINING[match.group(2)]
    return _COMPOSITIONS.get(pair, match.group(0))


def _katakana_core(text: str) -> str:
    """Hiragana → katakana, half-width → full-width, voiced marks combined (no space handling)."""
    converted = text.translate(_TO_KATAKANA)
    if "゛" in converted or "゜" in converted or "\u3099" in converted or "\u309a" in converted:
        converted = _COMPOSE_RE.sub(_compose, converted)
    return converted


def to_katakana(text: str) -> str:
    """Normalise a typed reading: katakana, full-width, one full-width space between words.

    Hiragana becomes katakana, half-width katakana becomes full-width with its voiced mark
    combined (ｶﾞ → ガ, ｳﾞ → ヴ), a kana followed by ゛/゜ (or a combining mark) is combined,
    dash variants become ー, and runs of half-/full-width spaces become one full-width
    space; leading and trailing spaces are dropped. Other characters are left alone
    (:func:`validate_reading` decides about them).
    """
    converted = _katakana_core(text)
    if " " in converted or _FULL_SPACE in converted or "\u00a0" in converted:
        converted = _SPACE_RUN_RE.sub(_FULL_SPACE, converted).strip(_FULL_SPACE)
    return converted


_READING_RE: Final = re.compile("[\u30a1-\u30fa\u30fb\u30fc\u3000]*")
_NOT_READING_RE: Final = re.compile("[^\u30a1-\u30fa\u30fb\u30fc\u3000]")


def validate_reading(text: str, field: str) -> str:
    """Return the normalised reading, or refuse it (``reading.not_katakana``).

    Accepted after :func:`to_katakana`: full-width katakana ァ … ヺ, ー, ・ and the
    full-width space.
    An empty (or all-space) reading is allowed and returns "".
    """
    reading = to_katakana(text)
    if _READING_RE.fullmatch(reading) is None:
        bad = _NOT_READING_RE.search(reading)
        shown = bad.group(0) if bad is not None else ""
        raise invalid(
            "reading.not_katakana",
            "フリガナは全角カタカナで入力してください"
            f"（使用できない文字「{shown}」が含まれています）。",
            field,
        )
    return reading


# --- fuzzy key ---------------------------------------------------------------------------

_VU_RE: Final = re.compile("ヴ([ァィゥェォャュョ]?)")
_VU_REPLACEMENTS: Final = {
    "": "ブ",
    "ァ": "バ",
    "ィ": "ビ",
    "ゥ": "ブ",
    "ェ": "ベ",
    "ォ": "ボ",
    "ャ": "ビャ",
    "ュ": "ビュ",
    "ョ": "ビョ",
}


def _unvu(match: re.Match[str]) -> str:
    return _VU_REPLACEMENTS[match.group(1)]


def _build_fold_table() -> dict[int, str | None]:
    folds: dict[str, str] = {}
    # Voiced / semi-voiced → plain, read from Unicode's own decompositions (ガ = カ + U+3099 …).
    for cp in range(0x30A1, 0x30FB):
        decomposed = unicodedata.normalize("NFD", chr(cp))
        if len(decomposed) == 2 and decomposed[1] in "\u3099\u309a":
            folds[chr(cp)] = decomposed[0]
    small_to_large = dict(zip("ァィゥェォッャュョヮヵヶ", "アイウエオツヤユヨワカケ", strict=True))
    folds.update(small_to_large)
    folds.update({"ヰ": "イ", "ヱ": "エ", "ヲ": "オ", "ワ": "ハ"})
    folds.update({"ヂ": "シ", "ヅ": "ス"})
    folds.update({"ヴ": "フ", "ヷ": "ハ", "ヸ": "ヒ", "ヹ": "ヘ", "ヺ": "ホ"})

    def final(char: str) -> str:
        # Follow chains to their end (ヮ → ワ → ハ, ッ → ツ) so the table is closed.
        seen = char
        while folds.get(seen, seen) != seen:
            seen = folds[seen]
        return seen

    table: dict[int, str | None] = {ord(char): final(char) for char in folds}
    for removed in _LONG_MARK + "ｰ" + _DASHES + _SPACES + "・･゛゜\u3099\u309a":
        table[ord(removed)] = None
    return table


_FOLD: Final = str.maketrans(_build_fold_table())
_O_ROW: Final = "オコソトノホモヨロ"
_U_ROW: Final = "ウクスツヌフムユル"
_LONG_VOWEL_RE: Final = re.compile(f"(?<=[{_O_ROW}])[ウオ]+|(?<=[{_U_ROW}])ウ+")


def fold_kana(text: str) -> str:
    """The fuzzy kana search key (standard §2.1.2 (330)); see the module docstring for the rules.

    >>> fold_kana("サイトウ") == fold_kana("さいとー") == fold_kana("ｻｲﾄｵ")
    True
    """
    key = _katakana_core(text)
    if "ヴ" in key:
        key = _VU_RE.sub(_unvu, key)
    key = key.translate(_FOLD)
    return _LONG_VOWEL_RE.sub("", key)
