"""全国地方公共団体コード: 2-digit prefecture + 3-digit municipality + 1 check digit.

The code is the register's natural tenant key ("131016" is 千代田区, "282049" 西宮市).

In JIS X 0402 the municipality part 100–199 is kept for the 政令指定都市 (designated cities)
and their wards (行政区): the city's own code ends in 0 (横浜市 14100) and its wards follow it
(中区 14104 … 14118) up to the next designated city of the prefecture (川崎市 14130). Tokyo's
special wards (特別区, 13101–13123) are municipalities of their own, not wards of a city.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from jichitai.domain.common.identifiers import ascii_digits
from jichitai.domain.common.prefectures import PREFECTURES
from jichitai.domain.errors import invalid

__all__ = [
    "DESIGNATED_CITIES",
    "MunicipalityCode",
    "designated_city_of",
    "municipality_check_digit",
]

DESIGNATED_CITIES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "01100": "札幌市", "04100": "仙台市", "11100": "さいたま市", "12100": "千葉市",
        "14100": "横浜市", "14130": "川崎市", "14150": "相模原市", "15100": "新潟市",
        "22100": "静岡市", "22130": "浜松市", "23100": "名古屋市", "26100": "京都市",
        "27100": "大阪市", "27140": "堺市", "28100": "神戸市", "33100": "岡山市",
        "34100": "広島市", "40100": "北九州市", "40130": "福岡市", "43100": "熊本市",
    }
)  # fmt: skip
"""The 20 政令指定都市 by the first five digits of their code (熊本市, 2012, was the last). A new
one is a row here; a ward added or renumbered (浜松市, 2024) needs nothing: see
:func:`designated_city_of`."""


def designated_city_of(first5: str) -> str | None:
    """The designated city (first five digits) that ``first5`` is, or is a ward of; else None.

    ``"14104"`` (横浜市中区) and ``"14100"`` (横浜市) give ``"14100"``; ``"13101"`` (千代田区, a
    special ward) and ``"14201"`` (横須賀市) give None. A code of the 100s belongs to the nearest
    designated city at or below it in the same prefecture (the numbering keeps each city's wards
    right after it), so the wards need no table of their own.
    """
    if len(first5) != 5 or not (first5.isascii() and first5.isdigit()):
        return None
    if not 100 <= int(first5[2:]) <= 199:
        return None
    owners = [code for code in DESIGNATED_CITIES if code[:2] == first5[:2] and code <= first5]
    return max(owners) if owners else None


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
