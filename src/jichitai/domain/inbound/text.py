"""What text may come in, by kind: free text, names, readings, address parts (ADR 0010).

Every door (the staff API, the counter, the command line, imports and the doors to come) checks
text with these functions, so they accept and refuse the same values; stored data is read back
without them (``jichitai.codec``). Each returns the text as the register keeps it (trimmed; a
reading made full-width katakana) or raises ``InvalidValue`` naming the field.

Refused everywhere: control characters (a line feed only where the field takes several lines),
invisible formatting characters (bidirectional overrides such as U+202E, zero-width joiners),
line and paragraph separators, unpaired surrogates, private-use characters (外字 must first be
identified with an MJ character), emoji, ``<`` and ``>`` (markup has no place in the register;
the full-width ＜ ＞ remain), a variation selector that follows no character it could select,
and a first character of ``=``, ``+``, ``-`` or ``@``, which a spreadsheet opening the layout
export or an extract would run as a formula (exports stay byte-exact, so such values are refused
at the door rather than rewritten on the way out).

Names (氏, 名, 旧氏, 通称, 筆頭者, ローマ字の氏名) hold letters only: kanji, kana and Latin
letters, the marks that belong to them (々, ー, 〇, ゝ, variation selectors), spaces between
words, and the few signs a foreign name is written with (・ ＝ - ' . ,). Symbols, digits,
brackets (（株）, ㈱) and punctuation beyond those are refused.

The free-text items outside change commands (a staff user's display name, a subscriber's name, a
municipality's name, the certifier's title and name, the reason of a suppression or of a
certificate's re-issue or disposal, a seal event's notes) are :class:`TextItem` constants below,
each with its limit: the services (or the domain rules they apply) read every door's value with
them, and the counter calls the same ones for its fields.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Final

from jichitai.domain.common.kana import validate_reading
from jichitai.domain.common.names import validate_name_text
from jichitai.domain.errors import InvalidValue, invalid

__all__ = [
    "CERTIFICATE_REASON",
    "CERTIFIER_TEXT",
    "FORMULA_START",
    "MUNICIPALITY_NAME",
    "RETURN_COMMENT",
    "SEAL_NOTES",
    "STAFF_NAME",
    "SUBSCRIBER_NAME",
    "SUPPRESSION_REASON",
    "TextItem",
    "free_text",
    "name_text",
    "reading",
    "telephone",
    "text_fault",
]

FORMULA_START: Final = frozenset("=+-@")
_TRIM: Final = " \u3000"
_INVISIBLE: Final = frozenset({"Cf", "Cs", "Zl", "Zp"})
_NAME_SIGNS: Final = frozenset("・･＝=-‐'’.,")
_NAME_LETTERS: Final = frozenset({"Lu", "Ll", "Lt", "Lm", "Lo", "Nl"})
_EMOJI_RANGES: Final = (
    (0x1F000, 0x1FAFF),
    (0x2600, 0x27BF),
    (0x2B00, 0x2BFF),
    (0x1FC00, 0x1FFFF),
)
_EMOJI_SINGLES: Final = frozenset({0xFE0F, 0x20E3, 0x3030, 0x303D, 0x3297, 0x3299})


def _is_selector(code: int) -> bool:
    return 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF


def _is_private_use(code: int) -> bool:
    return 0xE000 <= code <= 0xF8FF or code >= 0xF0000


def _is_emoji(code: int) -> bool:
    return code in _EMOJI_SINGLES or any(lo <= code <= hi for lo, hi in _EMOJI_RANGES)


def _is_ideograph_extension(code: int) -> bool:
    """CJK extension planes, where MJ+ characters newer than this Python's tables may sit."""
    return 0x20000 <= code <= 0x3FFFF


def _shown(char: str) -> str:
    return f"U+{ord(char):04X}"


def text_fault(text: str, *, multiline: bool = False) -> tuple[str, str] | None:
    """The first fault of ``text`` by the rules every kind shares: (code, description), else
    None. ``text`` is already trimmed."""
    previous = ""
    for char in text:
        code = ord(char)
        category = unicodedata.category(char)
        if char == "\n" and multiline:
            pass
        elif category == "Cc":
            return "input.control_character", f"制御文字（{_shown(char)}）"
        elif category in _INVISIBLE and not _is_selector(code):
            return "input.control_character", f"表示されない制御文字（{_shown(char)}）"
        elif _is_private_use(code):
            return "input.private_use_character", f"外字（{_shown(char)}）"
        elif _is_emoji(code):
            return "input.emoji", f"絵文字（{char}）"
        elif char in "<>":
            return "input.angle_bracket", f"半角の「{char}」"
        elif _is_selector(code) and (not previous or previous.isspace() or previous == "\n"):
            return "input.lone_variation_selector", f"単独の異体字セレクタ（{_shown(char)}）"
        previous = char
    if text and text[0] in FORMULA_START:
        return (
            "input.formula",
            f"先頭の「{text[0]}」（表計算ソフトで数式として扱われるため、全角で入力してください）",
        )
    return None


def free_text(
    text: str,
    field: str,
    *,
    label: str = "",
    multiline: bool = False,
    max_length: int = 200,
    too_long: str = "input.too_long",
) -> str:
    """Free text (留意事項, 備考, 国籍, 在留資格 …): trimmed, then the shared rules; a value over
    ``max_length`` is refused with the code ``too_long``."""
    value = text.replace("\r\n", "\n").strip(_TRIM + ("\n" if multiline else ""))
    fault = text_fault(value, multiline=multiline)
    what = label or "この項目"
    if fault is not None:
        code, found = fault
        raise invalid(code, f"{what}に{found}は使用できません", field)
    if len(value) > max_length:
        raise invalid(too_long, f"{what}は{max_length}文字以内で入力してください", field)
    return value


@dataclass(frozen=True, slots=True)
class TextItem:
    """A free-text item outside a change command, as every door reads it: its label, its limit,
    whether it takes several lines, and the code a value over the limit is refused with (the
    item's own where it had one before these rules were shared)."""

    label: str
    max_length: int
    multiline: bool = False
    too_long: str = "input.too_long"

    def read(self, text: str, field: str, *, label: str = "") -> str:
        """``text`` trimmed and checked by the rules every kind shares (:func:`free_text`);
        ``label`` names the item in messages when the form calls it otherwise."""
        return free_text(
            text,
            field,
            label=label or self.label,
            multiline=self.multiline,
            max_length=self.max_length,
            too_long=self.too_long,
        )


# The items outside change commands. The standard sets no length for any of them (they are not
# items of the resident record); each limit is the one a door already kept, chosen where doors
# disagreed as what the item's use needs (noted on each).

STAFF_NAME: Final = TextItem("氏名", 100, too_long="user.invalid_name")
"""A staff user's display name (screens, the access log's user lists): 100, as the user
service had it (the API's 100 too; the command line had no check of its characters)."""
SUBSCRIBER_NAME: Final = TextItem("連携先の名称", 100, too_long="subscriber.name_invalid")
"""A business system's name (児童手当システム): 100, as the domain and the API had it."""
MUNICIPALITY_NAME: Final = TextItem("団体名", 50)
"""A tenant's name as ``municipality add`` registers it, prefecture included (東京都千代田区;
the longest, 北海道 with a 郡 and a 町, has 11 characters): 50. It had no limit."""
CERTIFIER_TEXT: Final = TextItem("認証者", 40, too_long="certificate.issuer_too_long")
"""The certifier's title and name (市区町村長, 職務代理者) printed on one line under the
certification of every copy: 40, as the certificate rules had it (the API's schema said 100)."""
CERTIFICATE_REASON: Final = TextItem("理由", 200, too_long="certificate.reason_too_long")
"""Why a copy is re-issued or disposed of (汚損, 対象者の誤り), kept in the issue history: 200."""
RETURN_COMMENT: Final = TextItem(
    "差戻しの理由", 500, multiline=True, too_long="draft.return_comment_too_long"
)
"""The reviewer's comment on a draft sent back to its clerk (差戻し): a few lines, 500.
(Another door had none: this item is new.)"""
SEAL_NOTES: Final = TextItem("備考", 200, too_long="seal.notes_too_long")
"""The notes of a seal registration, loss or abolition (本人確認の方法), kept in the seal
journal: 200, as the counter and the API had it (the service had none)."""
SUPPRESSION_REASON: Final = TextItem(
    "抑止の理由", 1000, multiline=True, too_long="suppression.reason_too_long"
)
"""Why a suppression or support measure is set (several lines: the application, the decision):
1000, as the suppression rules had it (the API's generic check said 2000)."""


_TELEPHONE_CHARACTERS: Final = frozenset("0123456789-()+ ")


def telephone(text: str, field: str, *, label: str = "電話番号") -> str:
    """A telephone number as written (03-1234-5678, 090 1234 5678, +81 …): digits with
    hyphens, brackets, spaces and a leading +; full-width digits and hyphens are read as
    half-width. Up to 20 characters, at least one digit."""
    value = unicodedata.normalize("NFKC", text).replace("ー", "-").replace("−", "-").strip(_TRIM)
    if not value:
        return ""
    if (
        set(value) - _TELEPHONE_CHARACTERS
        or not any(ch.isdigit() for ch in value)
        or "+" in value[1:]
    ):
        raise invalid(
            "input.telephone",
            f"{label}は数字とハイフン（-）で入力してください（例: 03-1234-5678）",
            field,
        )
    if len(value) > 20:
        raise invalid("input.too_long", f"{label}は20文字以内で入力してください", field)
    return value


def read_receipt_number(text: str, field: str) -> int | None:
    """A 受付番号 as read out to find a draft (「123」, 「000123」, full-width digits too): its
    number, or None when nothing was typed. Digits only, at most nine."""
    typed = unicodedata.normalize("NFKC", text).strip(_TRIM)
    if not typed:
        return None
    if not (typed.isascii() and typed.isdigit()) or len(typed) > 9:
        raise invalid("input.receipt_number", "受付番号は数字で入力してください", field)
    return int(typed)


def name_text(text: str, field: str, *, label: str = "氏名", max_length: int = 100) -> str:
    """A name part exactly as written (no normalisation), or refused.

    Codes: ``name.required``, ``name.control_character``, ``name.private_use_character``,
    ``name.too_long`` (as :func:`~jichitai.domain.common.names.validate_name_text`), the shared
    ``input.*`` codes, and ``name.symbol_character`` for a character no name is written with.
    """
    name = text.strip(_TRIM)
    for char in name:
        if not _name_character(char):
            raise invalid(
                "name.symbol_character",
                f"{label}に絵文字・記号（{char}）は使用できません。文字情報基盤の文字で入力してください",
                field,
            )
    fault = text_fault(name)
    if fault is not None and fault[0] not in _LEFT_TO_NAMES:
        raise invalid(fault[0], f"{label}に{fault[1]}は使用できません", field)
    return validate_name_text(name, field, max_length=max_length)


# Faults validate_name_text reports under its own codes (name.control_character …).
_LEFT_TO_NAMES: Final = frozenset({"input.control_character", "input.private_use_character"})


def _name_character(char: str) -> bool:
    code = ord(char)
    category = unicodedata.category(char)
    return (
        category in _NAME_LETTERS
        or category == "Mn"
        or char in _TRIM
        or char in _NAME_SIGNS
        or (category == "Cn" and _is_ideograph_extension(code))
        or category in ("Cc", "Cf", "Co", "Cs", "Zl", "Zp")  # left to validate_name_text
    )


def reading(text: str, field: str, *, label: str = "フリガナ") -> str:
    """A reading (フリガナ) in full-width katakana; hiragana and half-width kana are converted."""
    try:
        return validate_reading(text, field)
    except InvalidValue as refusal:
        first = refusal.violations[0]
        raise invalid(first.code, first.message.replace("フリガナ", label, 1), field) from None
