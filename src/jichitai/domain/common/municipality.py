"""全国地方公共団体コード: 2-digit prefecture + 3-digit municipality + 1 check digit.

The code is the register's natural tenant key ("131016" is 千代田区, "282049" 西宮市).
"""

from __future__ import annotations

from dataclasses import dataclass

from jichitai.domain.common.address import PREFECTURES
from jichitai.domain.common.identifiers import ascii_digits
from jichitai.domain.errors import invalid

__all__ = ["MunicipalityCode", "municipality_check_digit"]

_WEIGHTS = (6, 5, 4, 3, 2)


def _is_six_digits(text: str) -> bool:
    return len(text) == 6 and text.isascii() and text.isdigit()


def municipality_check_digit(first5: str) -> str:
    """The 6th digit: weights 6 5 4 3 2, check = last digit of (11 − Σ mod 11)."""
    if len(first5) != 5 or not (first5.isascii() and first5.isdigit()):
        raise ValueError(f"municipality_check_digit needs 5 ASCII digits, got {first5!r}")
    total = sum(int(c) * w for c, w in zip(first5, _WEIGHTS, strict=True))
    return str((11 - total % 11) % 10)


@dataclass(frozen=True, slots=True)
class MunicipalityCode:
    """A 6-digit 地方公共団体コード with a correct check digit."""

    value: str

    def __post_init__(self) -> None:
        if not _is_six_digits(self.value):
            raise ValueError(f"MunicipalityCode needs 6 ASCII digits, got {self.value!r}")

    @classmethod
    def parse(cls, text: str, field: str = "municipality_code") -> MunicipalityCode:
        digits = ascii_digits(text)
        if not _is_six_digits(digits):
            message = "地方公共団体コードは6桁の数字で入力してください"
            raise invalid("municipality_code.format", message, field)
        if not 1 <= int(digits[:2]) <= 47:
            message = "地方公共団体コードの都道府県コード（先頭2桁）は01から47までです"
            raise invalid("municipality_code.prefecture", message, field)
        if municipality_check_digit(digits[:5]) != digits[5]:
            message = "地方公共団体コードのチェックデジットが正しくありません"
            raise invalid("municipality_code.check_digit", message, field)
        return cls(digits)

    @property
    def prefecture_code(self) -> str:
        """The two-digit 都道府県コード ("13" for 東京都)."""
        return self.value[:2]

    @property
    def prefecture(self) -> str:
        """The prefecture's name (東京都 for 131016), by its 都道府県コード (JIS X 0401)."""
        return PREFECTURES[int(self.prefecture_code) - 1]

    def __str__(self) -> str:
        return self.value
