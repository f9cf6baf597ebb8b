"""Numbers the register keeps about a person or household, each with its check digit.

* 個人番号 (My Number): 11 digits + 1, 番号法施行令 art. 8 / 総務省令85号 art. 5.
* 宛名番号 / 世帯番号: a 9-digit serial + 1 check digit, modulus 11 weights 2-7 (standard §1.1.13).
* 住民票コード: 10 random digits + 1. Its check formula (告示436号) is not public, so the rule is
  a parameter (:data:`ResidentCodeRule`); :data:`RESIDENT_CODE_M11_W2_7` is our best guess.
* 在留カード番号: 2 letters + 8 digits + 2 letters; no check digit is published.

Every ``parse`` strips surrounding whitespace and accepts full-width digits (０-９). Separators
inside a number are refused, except that a 個人番号 may be written in groups of four separated by
a space or a hyphen ("1234 5678 9018", "1234-5678-9018").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar, Self

from jichitai.domain.errors import invalid

__all__ = [
    "RESIDENT_CODE_M11_W2_7",
    "RESIDENT_CODE_UNCHECKED",
    "AtenaNumber",
    "HouseholdNumber",
    "IndividualNumber",
    "MaskedIndividualNumber",
    "ResidenceCardNumber",
    "ResidentCode",
    "ResidentCodeRule",
    "ascii_digits",
    "individual_number_check_digit",
    "m11_weights_2_7_check_digit",
]

_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
# Hyphen-like characters a Japanese IME produces, folded to "-" for the 個人番号 groups.
_HYPHENS = str.maketrans(dict.fromkeys("－‐‑‒–—―−ー", "-") | {"\u3000": " "})
_ASCII_DIGITS = re.compile(r"[0-9]+", re.ASCII)


def ascii_digits(text: str) -> str:
    """``text`` stripped of surrounding whitespace, with full-width digits made ASCII."""
    return text.strip().translate(_FULLWIDTH_DIGITS)


def _is_digits(text: str, length: int) -> bool:
    return len(text) == length and _ASCII_DIGITS.fullmatch(text) is not None


def _require_digits(digits: str, length: int | None, what: str) -> None:
    if _ASCII_DIGITS.fullmatch(digits) is None or (length is not None and len(digits) != length):
        expected = "ASCII digits" if length is None else f"{length} ASCII digits"
        raise ValueError(f"{what} needs {expected}, got {digits!r}")


# -- check digits ----------------------------------------------------------------------------------


def individual_number_check_digit(first11: str) -> str:
    """個人番号の検査用数字: weights 6 5 4 3 2 7 6 5 4 3 2 left to right; 0 if Σ mod 11 <= 1."""
    _require_digits(first11, 11, "individual_number_check_digit")
    weights = (6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
    remainder = sum(int(c) * w for c, w in zip(first11, weights, strict=True)) % 11
    return "0" if remainder <= 1 else str(11 - remainder)


def m11_weights_2_7_check_digit(digits: str) -> str:
    """Modulus 11 with weights 2-7 (M11W2-7) over ``digits``.

    Weights 2, 3, 4, 5, 6, 7, 2, 3, … are applied from the rightmost digit; r = Σ mod 11 and the
    check digit is 11 − r, with r = 0 giving 0 as standard §1.1.13 says. The standard does not say
    what r = 1 (11 − r = 10, not a digit) gives: **we decided it gives 0 as well**, the usual
    practice, so every serial gets a number (rather than skipping serials).
    """
    _require_digits(digits, None, "m11_weights_2_7_check_digit")
    total = sum(int(c) * (2 + i % 6) for i, c in enumerate(reversed(digits)))
    remainder = total % 11
    return "0" if remainder in (0, 1) else str(11 - remainder)


# -- 個人番号 --------------------

_INDIVIDUAL_NUMBER = re.compile(r"([0-9]{4})[ -]?([0-9]{4})[ -]?([0-9]{4})", re.ASCII)


@dataclass(frozen=True, slots=True)
class IndividualNumber:
    """個人番号 (My Number): 12 digits, the last a check digit."""

    value: str

    def __post_init__(self) -> None:
        if not _is_digits(self.value, 12):
            raise ValueError(f"IndividualNumber needs 12 ASCII digits, got {self.value!r}")

    @classmethod
    def parse(cls, text: str, field: str = "individual_number") -> IndividualNumber:
        normalised = ascii_digits(text).translate(_HYPHENS)
        match = _INDIVIDUAL_NUMBER.fullmatch(normalised)
        if match is None:
            message = "個人番号は12桁の数字で入力してください"
            raise invalid("individual_number.format", message, field)
        digits = "".join(match.groups())
        if individual_number_check_digit(digits[:11]) != digits[11]:
            message = "個人番号のチェックデジットが正しくありません"
            raise invalid("individual_number.check_digit", message, field)
        return cls(digits)

    def masked(self) -> str:
        """Only the last four digits visible: "********3214"."""
        return "********" + self.value[-4:]

    @property
    def is_masked(self) -> bool:
        """Whether this is only the masked form (:class:`MaskedIndividualNumber`)."""
        return False

    def __str__(self) -> str:
        return self.value


_MASKED = re.compile(r"\*{8}[0-9]{4}", re.ASCII)


@dataclass(frozen=True, slots=True)
class MaskedIndividualNumber(IndividualNumber):
    """A 個人番号 as shown to someone whose duty does not include it: "********3214".

    Made by :meth:`of` where the services decide what an actor may see
    (``domain/access/disclosure.py``), so every screen and answer built from it shows the masked
    form whatever it calls (``value``, ``masked()``, ``str``). It is never stored: the codec
    encodes only an exact ``IndividualNumber``, and a masked form is refused as input.
    """

    def __post_init__(self) -> None:
        if _MASKED.fullmatch(self.value) is None:
            raise ValueError(
                f"MaskedIndividualNumber needs '********' and 4 digits, got {self.value!r}"
            )

    @classmethod
    def of(cls, number: IndividualNumber) -> MaskedIndividualNumber:
        return number if isinstance(number, MaskedIndividualNumber) else cls(number.masked())

    def masked(self) -> str:
        return self.value

    @property
    def is_masked(self) -> bool:
        return True


# -- 宛名番号 / 世帯番号 --------------------

SERIAL_MAX = 999_999_999


@dataclass(frozen=True, slots=True)
class _SerialNumber:
    """A 9-digit serial followed by its M11W2-7 check digit (standard §1.1.13)."""

    value: str

    _code: ClassVar[str] = "serial_number"
    _label: ClassVar[str] = "番号"

    def __post_init__(self) -> None:
        if not _is_digits(self.value, 10):
            raise ValueError(f"{type(self).__name__} needs 10 ASCII digits, got {self.value!r}")

    @classmethod
    def parse(cls, text: str, field: str | None = None) -> Self:
        field = cls._code if field is None else field
        digits = ascii_digits(text)
        if not _is_digits(digits, 10):
            message = f"{cls._label}は10桁の数字で入力してください"
            raise invalid(f"{cls._code}.format", message, field)
        if m11_weights_2_7_check_digit(digits[:9]) != digits[9]:
            message = f"{cls._label}のチェックデジットが正しくありません"
            raise invalid(f"{cls._code}.check_digit", message, field)
        return cls(digits)

    @classmethod
    def from_serial(cls, serial: int, field: str | None = None) -> Self:
        """The number for ``serial`` (1..999,999,999): its 9 digits and the check digit."""
        if isinstance(serial, bool) or not 1 <= serial <= SERIAL_MAX:
            message = f"{cls._label}の連番は1から{SERIAL_MAX:,}までです"
            raise invalid(f"{cls._code}.serial", message, cls._code if field is None else field)
        body = f"{serial:09d}"
        return cls(body + m11_weights_2_7_check_digit(body))

    @property
    def serial(self) -> int:
        """The serial part (without the check digit)."""
        return int(self.value[:9])

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True)
class AtenaNumber(_SerialNumber):
    """宛名番号: a person's number within the municipality; kept on a move between wards."""

    _code: ClassVar[str] = "atena_number"
    _label: ClassVar[str] = "宛名番号"


@dataclass(frozen=True, slots=True)
class HouseholdNumber(_SerialNumber):
    """世帯番号: a household's number; a move between wards of a designated city gets a new one."""

    _code: ClassVar[str] = "household_number"
    _label: ClassVar[str] = "世帯番号"


# -- 住民票コード --------------------

ResidentCodeRule = Callable[[str], str | None]
"""Given a 住民票コード's first 10 digits: the expected check digit, or ``None`` to accept any."""


def _resident_code_m11_w2_7(first10: str) -> str | None:
    return m11_weights_2_7_check_digit(first10)


def _resident_code_unchecked(first10: str) -> str | None:
    return None


RESIDENT_CODE_M11_W2_7: ResidentCodeRule = _resident_code_m11_w2_7
"""Our assumption for the unpublished rule of 告示436号: M11W2-7, remainder 0 or 1 → 0."""

RESIDENT_CODE_UNCHECKED: ResidentCodeRule = _resident_code_unchecked
"""Accept any 11th digit (use when codes come from 住基ネット and the rule is unknown)."""


@dataclass(frozen=True, slots=True)
class ResidentCode:
    """住民票コード: 11 digits (10 random + 1 check). Show it only when the person asks."""

    value: str

    def __post_init__(self) -> None:
        if not _is_digits(self.value, 11):
            raise ValueError(f"ResidentCode needs 11 ASCII digits, got {self.value!r}")

    @classmethod
    def parse(
        cls,
        text: str,
        field: str = "resident_code",
        rule: ResidentCodeRule = RESIDENT_CODE_M11_W2_7,
    ) -> ResidentCode:
        digits = ascii_digits(text)
        if not _is_digits(digits, 11):
            message = "住民票コードは11桁の数字で入力してください"
            raise invalid("resident_code.format", message, field)
        expected = rule(digits[:10])
        if expected is not None and expected != digits[10]:
            message = "住民票コードのチェックデジットが正しくありません"
            raise invalid("resident_code.check_digit", message, field)
        return cls(digits)

    @classmethod
    def from_random_digits(
        cls, ten_digits: str, rule: ResidentCodeRule = RESIDENT_CODE_M11_W2_7
    ) -> ResidentCode:
        """Append the check digit to 10 random digits (an unchecked rule appends "0")."""
        _require_digits(ten_digits, 10, "ResidentCode.from_random_digits")
        check = rule(ten_digits)
        return cls(ten_digits + ("0" if check is None else check))

    def __str__(self) -> str:
        return self.value


# -- 在留カード番号 --------------------

_RESIDENCE_CARD = re.compile(r"[A-Z]{2}[0-9]{8}[A-Z]{2}", re.ASCII)


@dataclass(frozen=True, slots=True)
class ResidenceCardNumber:
    """在留カード番号 (or 特別永住者証明書番号): e.g. "AB12345678CD"."""

    value: str

    def __post_init__(self) -> None:
        if _RESIDENCE_CARD.fullmatch(self.value) is None:
            raise ValueError(f"ResidenceCardNumber malformed: {self.value!r}")

    @classmethod
    def parse(cls, text: str, field: str = "residence_card_number") -> ResidenceCardNumber:
        # NFKC folds full-width letters and digits to ASCII; then upper-case.
        normalised = unicodedata.normalize("NFKC", text).strip().upper()
        if _RESIDENCE_CARD.fullmatch(normalised) is None:
            message = (
                "在留カード等番号は英字2桁・数字8桁・英字2桁で入力してください（例: AB12345678CD）"
            )
            raise invalid("residence_card_number.format", message, field)
        return cls(normalised)

    def __str__(self) -> str:
        return self.value
