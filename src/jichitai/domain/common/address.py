"""Addresses: current, previous (転入前) and onward (転出先), in Japan or abroad.

Standard §1.3.3 (250) keeps an address as dictionary parts with an 11-digit address code
(prefecture 2 [JIS X 0401] + municipality 3 [JIS X 0402] + 大字 3 + 小字 3) and a postcode
(§1.1.17 (170)); §1.3.4 (260) adds the 方書 (building, room) tied to the address.

Decisions:

* Text parts are kept as typed (only surrounding spaces are trimmed): place names carry variant
  characters too. ``raw`` is the text as first entered and is kept verbatim, untouched.
* A domestic address needs at least ``city``. ``prefecture`` may be empty (the municipality code
  implies it and designated cities are often written without it) but, when given, must be one of the
  47 names and agree with the address code. Onward addresses often stop at the municipality
  (:meth:`Address.municipality_only`).
* An overseas address has ``country`` (name or code) and optional ``overseas_text``; it carries no
  domestic part, address code or postcode.
* 「不明」 (unknown previous address) is :meth:`Address.unknown`.
* ``town_code`` is the 11-digit address code or a 7-digit 町字ID (Address Base Registry);
  ``postcode`` is stored as 7 ASCII digits ("123-4567", full-width digits and a leading 〒
  are accepted).
* Whether an address lies in a municipality (a resident's address must: 住民基本台帳法 第5条,
  the register records the residents *of the municipality*) is one rule,
  :meth:`Address.lies_in`, shared by every door that needs it (the migration import first).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, fields
from functools import lru_cache
from typing import Any, Final

from jichitai.domain.common.municipality import DESIGNATED_CITIES, designated_city_of
from jichitai.domain.common.names import forbidden_character, text_length
from jichitai.domain.common.prefectures import PREFECTURES
from jichitai.domain.common.variants import fold_kanji
from jichitai.domain.errors import Violation, invalid

__all__ = [
    "OUTSIDE_MUNICIPALITY",
    "PREFECTURES",
    "UNKNOWN_TEXT",
    "Address",
    "normalize_postcode",
    "normalize_town_code",
]


UNKNOWN_TEXT: Final = "不明"
OUTSIDE_MUNICIPALITY: Final = "address.outside_municipality"
"""The code of :meth:`Address.outside_violation`."""

_TRIM: Final = " \u3000"
_FULL_SPACE: Final = "\u3000"
_MAX_PART: Final = 200
_POSTCODE_RE: Final = re.compile(r"〒?\s*([0-9]{3})[-‐‑–—―−ー]?([0-9]{4})")
_TOWN_CODE_RE: Final = re.compile(r"[0-9]{7}|[0-9]{11}")
_SEARCH_DROP: Final = str.maketrans({" ": None, "\u3000": None})

_TEXT_PARTS: Final = (
    ("prefecture", "都道府県"),
    ("city", "市区町村"),
    ("town_area", "町字"),
    ("lot_text", "番地"),
    ("address_supplement", "方書"),
    ("country", "国名"),
    ("overseas_text", "国外住所"),
)
_DOMESTIC_PARTS: Final = ("prefecture", "city", "town_area", "lot_text", "address_supplement")


def _clean_part(value: str, field: str, label: str) -> str:
    text = value.strip(_TRIM)
    found = forbidden_character(text)
    if found is not None:
        kind, char = found
        if kind == "private_use":
            raise invalid(
                "address.private_use_character",
                f"{label}に外字（U+{ord(char):04X}）が含まれています。"
                "外字は文字情報基盤の文字に同定してください。",
                field,
            )
        raise invalid(
            "address.control_character",
            f"{label}に制御文字（U+{ord(char):04X}）は使用できません。",
            field,
        )
    if text_length(text) > _MAX_PART:
        raise invalid(
            "address.too_long", f"{label}は{_MAX_PART}文字以内で入力してください。", field
        )
    return text


def normalize_postcode(value: str, field: str = "postcode") -> str:
    """「123-4567」, 「１２３４５６７」, 「〒123-4567」 → "1234567"; "" stays "".

    Anything else raises ``address.postcode``.
    """
    text = unicodedata.normalize("NFKC", value).strip()
    if not text:
        return ""
    match = _POSTCODE_RE.fullmatch(text)
    if match is None:
        raise invalid(
            "address.postcode", "郵便番号は7桁の数字（例: 123-4567）で入力してください。", field
        )
    return match.group(1) + match.group(2)


def normalize_town_code(value: str, field: str = "town_code") -> str:
    """The 11-digit address code or a 7-digit 町字ID as ASCII digits; else ``address.town_code``."""
    code = unicodedata.normalize("NFKC", value).strip()
    if not code:
        return ""
    if _TOWN_CODE_RE.fullmatch(code) is None:
        raise invalid(
            "address.town_code",
            "住所コードは11桁（都道府県2桁＋市区町村3桁＋大字3桁＋小字3桁）"
            "または町字IDの7桁の数字で入力してください。",
            field,
        )
    if len(code) == 11:
        if not 1 <= int(code[:2]) <= len(PREFECTURES):
            raise invalid(
                "address.town_code",
                f"住所コードの都道府県コード「{code[:2]}」は存在しません。",
                field,
            )
        if code[2:5] == "000":
            raise invalid(
                "address.town_code", "住所コードの市区町村コードが指定されていません。", field
            )
    return code


@dataclass(frozen=True, slots=True)
class Address:
    """One address. Build it with :meth:`create`, :meth:`municipality_only` or :meth:`unknown`."""

    prefecture: str = ""
    city: str = ""
    town_area: str = ""
    lot_text: str = ""
    address_supplement: str = ""
    town_code: str = ""
    postcode: str = ""
    country: str = ""
    overseas_text: str = ""
    raw: str = ""

    @classmethod
    def create(
        cls,
        *,
        prefecture: str = "",
        city: str = "",
        town_area: str = "",
        lot_text: str = "",
        address_supplement: str = "",
        town_code: str = "",
        postcode: str = "",
        country: str = "",
        overseas_text: str = "",
        raw: str = "",
        field_prefix: str = "address",
    ) -> Address:
        """Validate and build. Codes: ``address.city_required``, ``address.country_required``,
        ``address.overseas_mixed``, ``address.prefecture``, ``address.town_code``,
        ``address.postcode``, ``address.too_long``, ``address.control_character``,
        ``address.private_use_character``.
        """
        given = {
            "prefecture": prefecture,
            "city": city,
            "town_area": town_area,
            "lot_text": lot_text,
            "address_supplement": address_supplement,
            "country": country,
            "overseas_text": overseas_text,
        }
        parts = {
            name: _clean_part(given[name], f"{field_prefix}.{name}", label)
            for name, label in _TEXT_PARTS
        }
        code = normalize_town_code(town_code, f"{field_prefix}.town_code")
        post = normalize_postcode(postcode, f"{field_prefix}.postcode")
        if parts["country"] or parts["overseas_text"]:
            if not parts["country"]:
                raise invalid(
                    "address.country_required",
                    "国外の住所には国名を入力してください。",
                    f"{field_prefix}.country",
                )
            if any(parts[name] for name in _DOMESTIC_PARTS) or code or post:
                raise invalid(
                    "address.overseas_mixed",
                    "国外の住所に国内の住所・住所コード・郵便番号は指定できません。",
                    f"{field_prefix}.country",
                )
        else:
            if not parts["city"]:
                raise invalid(
                    "address.city_required",
                    "住所には市区町村を入力してください（国外の場合は国名）。",
                    f"{field_prefix}.city",
                )
            prefecture_name = parts["prefecture"]
            if prefecture_name and prefecture_name not in PREFECTURES:
                raise invalid(
                    "address.prefecture",
                    f"都道府県「{prefecture_name}」は存在しません。"
                    "東京都、北海道、大阪府、神奈川県のように入力してください。",
                    f"{field_prefix}.prefecture",
                )
            if prefecture_name and len(code) == 11:
                expected = PREFECTURES[int(code[:2]) - 1]
                if expected != prefecture_name:
                    raise invalid(
                        "address.town_code",
                        f"住所コードの都道府県（{expected}）が"
                        f"都道府県「{prefecture_name}」と一致しません。",
                        f"{field_prefix}.town_code",
                    )
        return cls(**parts, town_code=code, postcode=post, raw=raw)

    @classmethod
    def municipality_only(cls, prefecture: str, city: str) -> Address:
        """An address known only down to the municipality (typical for an onward address)."""
        return cls.create(prefecture=prefecture, city=city)

    @classmethod
    def unknown(cls) -> Address:
        """「不明」: an unknown previous address."""
        return cls(raw=UNKNOWN_TEXT)

    @property
    def is_overseas(self) -> bool:
        return bool(self.country)

    @property
    def is_unknown(self) -> bool:
        return self.raw == UNKNOWN_TEXT and not self._has_parts()

    @property
    def is_municipality_only(self) -> bool:
        return (
            bool(self.city)
            and not self.is_overseas
            and not (self.town_area or self.lot_text or self.address_supplement)
        )

    def _has_parts(self) -> bool:
        return any(getattr(self, name) for name in (*_DOMESTIC_PARTS, "country", "overseas_text"))

    def display(self) -> str:
        """One line, e.g. 「東京都千代田区霞が関一丁目2番3号　○○ビル101」.

        The 方書 follows a full-width space; abroad it is 「国名　住所」; an unknown address
        gives 「不明」, and ``raw`` is shown when there is nothing else.
        """
        if self.is_overseas:
            return _FULL_SPACE.join(part for part in (self.country, self.overseas_text) if part)
        if not self._has_parts():
            return self.raw
        line = f"{self.prefecture}{self.city}{self.town_area}{self.lot_text}"
        if self.address_supplement:
            return f"{line}{_FULL_SPACE}{self.address_supplement}"
        return line

    def lies_in(self, municipality_code: str, municipality_name: str) -> bool:
        """Whether this address lies in the municipality ``municipality_code`` (the 6-digit
        地方公共団体コード with its check digit, as a tenant is keyed) registered under
        ``municipality_name`` (「東京都千代田区」 or 「千代田区」: with or without the
        prefecture). The rule is :meth:`outside_violation`'s; this is its yes or no.
        """
        return self.outside_violation(municipality_code, municipality_name) is None

    def outside_violation(
        self, municipality_code: str, municipality_name: str, *, field_prefix: str = "address"
    ) -> Violation | None:
        """None when the address lies in the municipality; else why not: a
        :class:`~jichitai.domain.errors.Violation` ``address.outside_municipality`` whose field
        is the part at fault (``<field_prefix>.country``, ``.city``, ``.town_code`` or
        ``.prefecture``) and whose Japanese message says what it names instead.

        The address lies in the municipality when it names it and nothing in it names another:

        1. Overseas (a country) and unknown (「不明」, no 市区郡町村名) addresses are not in it.
        2. An 11-digit address code (``town_code``) must start with the municipality's code
           without its check digit (the 7-digit 町字ID carries no municipality and is not read).
        3. A prefecture, when given, must be the code's (its first two digits, JIS X 0401).
        4. The 市区郡町村名 (``city``) must be the registered name without its prefecture;
           a prefecture written into the city part (「東京都千代田区」) is read as one; a 郡 may
           stand before a town or village on either side (「西多摩郡瑞穂町」 is 「瑞穂町」).
           Names are compared as the search compares them: NFKC, spaces, IVS and variant
           characters folded (髙 → 高), and ヶ as ケ (鎌ヶ谷市 is 鎌ケ谷市).
        5. 政令指定都市 (:data:`~jichitai.domain.common.municipality.DESIGNATED_CITIES`): a city
           tenant (横浜市) holds addresses in each of its wards, written with the ward
           (「横浜市中区」, address codes of the ward, 14104…) or without; a ward tenant
           (横浜市中区, 141046) holds addresses written with its ward, or with the city alone
           (「横浜市」, or a code of the city, 14100…), since they name no other ward — but not
           「横浜市西区」 or a code of another ward.

        Without a prefecture or an address code, two municipalities of the same name (府中市 of
        東京都 and of 広島県) cannot be told apart: such an address is taken to lie in either.
        Raises ``ValueError`` for a code that is not six digits of a prefecture 01–47 (tenant
        codes are checked when the tenant is added).
        """
        tenant = _Tenant.of(municipality_code, municipality_name)
        label = f"{municipality_name}（{municipality_code}）"

        def outside(part: str, message: str) -> Violation:
            return Violation(OUTSIDE_MUNICIPALITY, message, f"{field_prefix}.{part}")

        if self.is_overseas:
            return outside("country", f"住所が国外（{self.country}）です。{label}の住所であること")
        city = _place_key(self.city)
        if not city:
            shown = self.display() or UNKNOWN_TEXT
            return outside(
                "city", f"住所に市区郡町村名がありません（{shown}）。{label}の住所であること"
            )
        if len(self.town_code) == 11 and not tenant.holds_area(self.town_code[:5]):
            return outside(
                "town_code",
                f"住所の町字コード {self.town_code} は{label}の区域のものではありません"
                f"（市区町村コード {self.town_code[:5]}）",
            )
        prefecture = _place_key(self.prefecture)
        written = _PREFECTURE_START.match(city)  # 「東京都千代田区」 typed whole into the city part
        if written is not None and written.end() < len(city):
            prefecture, city = prefecture or written.group(), city[written.end() :]
        if prefecture and prefecture != _place_key(tenant.prefecture):
            shown = self.prefecture or prefecture
            return outside(
                "prefecture",
                f"住所の都道府県「{shown}」は{label}の都道府県（{tenant.prefecture}）ではありません",
            )
        if not tenant.holds_city(city):
            return outside("city", f"住所の市区郡町村名「{self.city}」は{label}ではありません")
        return None

    def postcode_display(self) -> str:
        """「123-4567」, or "" without a postcode."""
        return f"{self.postcode[:3]}-{self.postcode[3:]}" if self.postcode else ""

    def search_key(self) -> str:
        """NFKC of :meth:`display` without spaces (full-width digits → ASCII and so on)."""
        return unicodedata.normalize("NFKC", self.display()).translate(_SEARCH_DROP)

    def to_json(self) -> dict[str, str]:
        """A JSON-ready dict of the non-empty fields."""
        return {name: value for name in _FIELD_NAMES if (value := getattr(self, name))}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Address:
        """Rebuild from :meth:`to_json` output (shapes checked; stored text trusted as it is)."""
        values: dict[str, str] = {}
        for name in _FIELD_NAMES:
            value = data.get(name, "")
            if type(value) is not str:
                raise invalid(
                    "address.json",
                    f"住所データの形式が正しくありません（{name}）。",
                    name,
                )
            values[name] = value
        unknown_keys = data.keys() - _FIELD_SET
        if unknown_keys:
            raise invalid(
                "address.json",
                f"住所データに不明な項目があります（{'、'.join(sorted(unknown_keys))}）。",
                None,
            )
        return cls(**values)


_FIELD_NAMES: Final = tuple(item.name for item in fields(Address))
_FIELD_SET: Final = frozenset(_FIELD_NAMES)
_KE: Final = str.maketrans({"ヶ": "ケ", "ヵ": "カ"})
_COUNTY: Final = "郡"
_TOWN_OR_VILLAGE: Final = ("町", "村")
_WARD: Final = "区"


@lru_cache(maxsize=4096)
def _place_key(text: str) -> str:
    """A place name as :meth:`Address.outside_violation` compares it (NFKC, spaces, IVS and
    variants folded by the search's own :func:`fold_kanji`, ヶ as ケ). Cached: a register
    repeats a few place names (an import asks once per living resident)."""
    return fold_kanji(unicodedata.normalize("NFKC", text)).translate(_KE)


_PREFECTURE_START: Final = re.compile("|".join(_place_key(name) for name in PREFECTURES))


def _with_county(longer: str, shorter: str) -> bool:
    """``longer`` is ``shorter`` with a 郡 before it (「西多摩郡瑞穂町」, 「瑞穂町」). A 郡 holds
    only towns and villages and has a name of its own, so 大和郡山市 is not a 「山市」 of 大和郡."""
    head = longer.removesuffix(shorter)
    return (
        head != longer
        and len(head) >= 2
        and head.endswith(_COUNTY)
        and shorter.endswith(_TOWN_OR_VILLAGE)
    )


@dataclass(frozen=True, slots=True)
class _Tenant:
    """A municipality as :meth:`Address.outside_violation` reads it."""

    first5: str
    prefecture: str
    city: str  # the registered name without its prefecture, as a place key
    city_code: str | None  # the designated city it is (= first5) or is a ward of; else None
    parent: str  # a ward tenant's city (place key), else ""
    ward: str  # a ward tenant's ward (place key), else ""

    @classmethod
    @lru_cache(maxsize=64)
    def of(cls, code: str, name: str) -> _Tenant:
        """The municipality read once per code and name (cached, like :func:`_place_key`)."""
        if not (len(code) == 6 and code.isascii() and code.isdigit()):
            raise ValueError(f"a municipality code needs 6 ASCII digits, got {code!r}")
        if not 1 <= int(code[:2]) <= len(PREFECTURES):
            raise ValueError(f"no prefecture {code[:2]} in municipality code {code!r}")
        first5, prefecture = code[:5], PREFECTURES[int(code[:2]) - 1]
        city = _place_key(name).removeprefix(_place_key(prefecture))
        city_code = designated_city_of(first5)
        parent = ward = ""
        if city_code is not None and city_code != first5:
            parent = _place_key(DESIGNATED_CITIES[city_code])
            ward = city.removeprefix(parent)
        return cls(first5, prefecture, city, city_code, parent, ward)

    def holds_area(self, area: str) -> bool:
        """Whether a municipality code (first five digits) of an address code is in here."""
        if area == self.first5:
            return True
        if self.city_code == self.first5:  # a designated city: each of its wards
            return designated_city_of(area) == self.first5
        return bool(self.parent) and area == self.city_code  # a ward: its city as a whole

    def holds_city(self, city: str) -> bool:
        """Whether a 市区郡町村名 (place key, prefecture taken off) names this municipality."""
        if city == self.city or _with_county(city, self.city) or _with_county(self.city, city):
            return True
        if self.city_code == self.first5:  # 「横浜市中区」 in 横浜市
            ward = city.removeprefix(self.city)
            return ward != city and len(ward) >= 2 and ward.endswith(_WARD)
        return bool(self.parent) and city in (self.parent, self.parent + self.ward)
