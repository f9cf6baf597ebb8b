"""Names (氏名) as the register keeps them: glyph for glyph, with their katakana readings.

A name must match the family register character for character (standards §8), so validation never
normalises it: no NFC/NFKC, Ideographic Variation Sequences and compatibility ideographs are kept.
Only surrounding spaces are trimmed. Searching uses derived keys (:func:`fold_kanji`,
:func:`fold_kana`), never a rewritten name.

Refused: empty text, control and invisible formatting characters (Unicode categories Cc,
Cf, Cs, Zl, Zp; variation selectors are Mn and stay), private-use characters (外字 must
first be identified with an MJ character), and text longer than the limit. Unassigned
code points are *not* refused: this Python's Unicode tables (14.0) predate CJK
Extension H, which MJ+ characters may use.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

from jichitai.domain.common.kana import fold_kana, validate_reading
from jichitai.domain.common.variants import fold_kanji
from jichitai.domain.errors import invalid

__all__ = [
    "PersonName",
    "forbidden_character",
    "text_length",
    "validate_name_text",
]

_TRIM: Final = " \u3000"
_CONTROL_CATEGORIES: Final = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
_FULL_SPACE: Final = "\u3000"


def _is_private_use(cp: int) -> bool:
    return 0xE000 <= cp <= 0xF8FF or cp >= 0xF0000


def _is_variation_selector(cp: int) -> bool:
    return 0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF


def forbidden_character(text: str) -> tuple[Literal["control", "private_use"], str] | None:
    """The first character a register text may not hold, and why; None if the text is clean.

    Shared by names and addresses: control/format characters and private-use (外字) code points.
    """
    for char in text:
        cp = ord(char)
        if _is_private_use(cp):
            return "private_use", char
        if cp < 0x20 or (cp >= 0x7F and unicodedata.category(char) in _CONTROL_CATEGORIES):
            return "control", char
    return None


def text_length(text: str) -> int:
    """Length in characters as a reader counts them: variation selectors do not count."""
    return sum(1 for char in text if not _is_variation_selector(ord(char)))


def validate_name_text(text: str, field: str, *, max_length: int = 100) -> str:
    """Return the name exactly as given, minus leading/trailing half- and full-width spaces.

    Codes: ``name.required``, ``name.control_character``, ``name.private_use_character``,
    ``name.too_long`` (``max_length`` counts characters without variation selectors).
    """
    name = text.strip(_TRIM)
    if not name:
        raise invalid("name.required", "氏名を入力してください。", field)
    found = forbidden_character(name)
    if found is not None:
        kind, char = found
        if kind == "private_use":
            raise invalid(
                "name.private_use_character",
                f"氏名に外字（U+{ord(char):04X}）が含まれています。"
                "外字は文字情報基盤の文字に同定してください。",
                field,
            )
        raise invalid(
            "name.control_character",
            f"氏名に制御文字（U+{ord(char):04X}）は使用できません。",
            field,
        )
    if text_length(name) > max_length:
        raise invalid("name.too_long", f"氏名は{max_length}文字以内で入力してください。", field)
    return name


@dataclass(frozen=True, slots=True)
class PersonName:
    """A person's name with its readings (standard §1.1.18 (180): フリガナ + 確認フラグ).

    ``family`` is always filled and is what certificates print first. For a foreign resident the
    kanji name (if any) goes in ``family``/``given`` and the Roman-letter name in ``roman``; when a
    foreign resident has *only* a Roman-letter name, :meth:`create` copies it into ``family`` (and
    ``given`` stays empty) so that :attr:`full` and the search keys always have a name to work on.
    Use :meth:`create` to build a validated name; the plain constructor trusts its input
    (stored data).
    """

    family: str
    given: str = ""
    family_kana: str = ""
    given_kana: str = ""
    kana_confirmed: bool = False
    roman: str = ""

    @classmethod
    def create(
        cls,
        family: str,
        given: str = "",
        family_kana: str = "",
        given_kana: str = "",
        kana_confirmed: bool = False,
        roman: str = "",
        field_prefix: str = "name",
    ) -> PersonName:
        """Validate every part; raises :class:`~jichitai.domain.errors.InvalidValue`."""
        roman_name = (
            validate_name_text(roman, f"{field_prefix}.roman") if roman.strip(_TRIM) else ""
        )
        if not family.strip(_TRIM) and roman_name and not given.strip(_TRIM):
            family_name = roman_name
        else:
            family_name = validate_name_text(family, f"{field_prefix}.family")
        given_name = (
            validate_name_text(given, f"{field_prefix}.given") if given.strip(_TRIM) else ""
        )
        return cls(
            family=family_name,
            given=given_name,
            family_kana=validate_reading(family_kana, f"{field_prefix}.family_kana"),
            given_kana=validate_reading(given_kana, f"{field_prefix}.given_kana"),
            kana_confirmed=kana_confirmed,
            roman=roman_name,
        )

    @property
    def full(self) -> str:
        """「髙橋　一郎」: family, full-width space, given; the family name alone without given."""
        return f"{self.family}{_FULL_SPACE}{self.given}" if self.given else self.family

    @property
    def full_kana(self) -> str:
        """「タカハシ　イチロウ」, or whichever reading part exists ("" if none)."""
        return _FULL_SPACE.join(part for part in (self.family_kana, self.given_kana) if part)

    @property
    def kana_key(self) -> str:
        """Fuzzy kana search key of the whole reading (:func:`fold_kana`)."""
        return fold_kana(self.family_kana + self.given_kana)

    @property
    def kanji_key(self) -> str:
        """Variant-insensitive search key of the whole name (:func:`fold_kanji`)."""
        return fold_kanji(self.family + self.given)

    @property
    def is_roman_only(self) -> bool:
        """True for a foreign resident known only by a Roman-letter name."""
        return bool(self.roman) and self.family == self.roman and not self.given

    def to_json(self) -> dict[str, str | bool]:
        """A JSON-ready dict; empty parts (and an unset confirmation flag) are omitted."""
        data: dict[str, str | bool] = {"family": self.family}
        for key in ("given", "family_kana", "given_kana"):
            value: str = getattr(self, key)
            if value:
                data[key] = value
        if self.kana_confirmed:
            data["kana_confirmed"] = True
        if self.roman:
            data["roman"] = self.roman
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PersonName:
        """Rebuild from :meth:`to_json` output. Stored data is trusted: shapes are checked, the
        text rules are not re-applied (a rule tightened later must not make old records unreadable).
        """
        texts: dict[str, str] = {}
        for key in ("family", "given", "family_kana", "given_kana", "roman"):
            value = data.get(key, "")
            if not isinstance(value, str):
                raise invalid("name.json", f"氏名データの形式が正しくありません（{key}）。", key)
            texts[key] = value
        confirmed = data.get("kana_confirmed", False)
        if not isinstance(confirmed, bool):
            raise invalid(
                "name.json",
                "氏名データの形式が正しくありません（kana_confirmed）。",
                "kana_confirmed",
            )
        if not texts["family"]:
            raise invalid("name.json", "氏名データに氏がありません。", "family")
        return cls(
            family=texts["family"],
            given=texts["given"],
            family_kana=texts["family_kana"],
            given_kana=texts["given_kana"],
            kana_confirmed=confirmed,
            roman=texts["roman"],
        )
