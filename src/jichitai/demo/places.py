"""Places for the demo register: town areas (町字) of the demo municipality, and elsewhere.

* :class:`MunicipalityPlaces` makes addresses inside one municipality: its prefecture and city as
  given, a 町字 with its 丁目 (霞が関一丁目), a 住居表示 lot (2番3号) and, for about half the
  households, a 方書 (building and room: 「コーポ九段302」). A few real wards (千代田区, 中央区,
  港区, 新宿区) have their real town areas and postcodes; any other municipality gets common
  town-area names (本町, 栄町 …) with postcodes that are plausible for its prefecture.
* :func:`domestic_elsewhere` gives an address in another municipality (転入前住所, 転出先),
  :func:`abroad` one in another country (国外転入・国外転出).

Lots can also be written in the older 地番 style (「3番地12」): :func:`legacy_lot` and
:func:`modern_lot` let the demo enter an address that way and put it right later with a
軽微な修正.

Every function takes the ``random.Random`` to draw from: nothing here is random on its own.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from random import Random
from typing import Final

from jichitai.domain.common.address import PREFECTURES, Address

__all__ = [
    "ABROAD",
    "ELSEWHERE",
    "GENERIC_TOWN_AREAS",
    "KNOWN_TOWN_AREAS",
    "MunicipalityPlaces",
    "Place",
    "TownArea",
    "abroad",
    "domestic_elsewhere",
    "kanji_number",
    "legacy_lot",
    "modern_lot",
    "modernised",
]


@dataclass(frozen=True, slots=True)
class TownArea:
    """A 町字: its name, postcode (7 digits), how many 丁目 it has (0: none) and blocks (番)."""

    name: str
    postcode: str
    chome: int = 0
    blocks: int = 15


def _rows(table: str) -> list[str]:
    return [row for row in table.strip().split() if row]


def _areas(table: str) -> tuple[TownArea, ...]:
    """Rows "名前:郵便番号:丁目数:番の数"."""
    out = []
    for row in _rows(table):
        name, postcode, chome, blocks = row.split(":")
        out.append(TownArea(name, postcode, int(chome), int(blocks)))
    return tuple(out)


KNOWN_TOWN_AREAS: Final[dict[tuple[str, str], tuple[TownArea, ...]]] = {
    ("東京都", "千代田区"): _areas(
        """
        霞が関:1000013:3:3 丸の内:1000005:3:6 大手町:1000004:2:9 有楽町:1000006:2:10
        永田町:1000014:2:17 平河町:1020093:2:7 麹町:1020083:6:12 一番町:1020082:0:27
        二番町:1020084:0:14 三番町:1020075:0:30 四番町:1020081:0:10 五番町:1020076:0:14
        六番町:1020085:0:15 紀尾井町:1020094:0:4 隼町:1020092:0:4 富士見:1020071:2:14
        飯田橋:1020072:4:10 九段北:1020073:4:4 九段南:1020074:4:7 神田錦町:1010054:3:23
        神田神保町:1010051:3:29 神田小川町:1010052:3:28 神田駿河台:1010062:4:11
        神田須田町:1010041:2:25 神田淡路町:1010063:2:10 神田佐久間町:1010025:4:14
        神田和泉町:1010024:0:2 外神田:1010021:6:16 岩本町:1010032:3:11 東神田:1010031:3:7
        内神田:1010047:3:22 西神田:1010065:3:8 三崎町:1010061:3:10 猿楽町:1010064:2:8
        神田司町:1010048:2:21 神田美土代町:1010053:0:11 鍛冶町:1010044:2:9 一ツ橋:1010003:2:6
        """
    ),
    ("東京都", "中央区"): _areas(
        """
        日本橋:1030027:3:16 銀座:1040061:8:12 築地:1040045:7:16 月島:1040052:4:21
        勝どき:1040054:6:5 晴海:1040053:5:5 佃:1040051:3:11 八丁堀:1040032:4:13 新川:1040033:2:31
        日本橋人形町:1030013:3:15 日本橋浜町:1030007:3:42 湊:1040043:3:18
        """
    ),
    ("東京都", "港区"): _areas(
        """
        六本木:1060032:7:23 赤坂:1070052:9:14 麻布十番:1060045:4:10 芝:1050014:5:37
        高輪:1080074:4:23 白金:1080072:6:17 南青山:1070062:7:16 虎ノ門:1050001:5:12
        新橋:1050004:6:23 海岸:1050022:3:37
        """
    ),
    ("東京都", "新宿区"): _areas(
        """
        西新宿:1600023:8:24 歌舞伎町:1600021:2:45 高田馬場:1690075:4:41 四谷:1600004:4:34
        大久保:1690072:3:16 百人町:1690073:4:9 早稲田町:1620042:0:80 新宿:1600022:7:11
        市谷本村町:1620845:0:10 神楽坂:1620825:6:5
        """
    ),
}
"""Real 町字 and postcodes of a few wards, keyed by (prefecture, city)."""

GENERIC_TOWN_AREAS: Final[tuple[tuple[str, int], ...]] = (
    ("本町", 4),
    ("中央", 5),
    ("栄町", 3),
    ("緑町", 3),
    ("旭町", 4),
    ("幸町", 2),
    ("昭和町", 3),
    ("若葉", 3),
    ("桜木町", 2),
    ("東町", 3),
    ("西町", 3),
    ("南町", 2),
    ("北町", 2),
    ("松が丘", 4),
    ("城山", 2),
    ("新町", 3),
    ("元町", 2),
    ("宮前", 3),
    ("朝日町", 2),
    ("清水", 4),
)
"""Common 町字 names (with their number of 丁目) for municipalities without their own list."""

_POSTCODE_PREFIX: Final[dict[str, str]] = dict(
    zip(
        PREFECTURES,
        _rows(
            "060 030 020 980 010 990 960 310 320 371 330 260 180 231 950 930 920 910 400 380 "
            "500 420 460 514 520 600 530 650 630 640 680 690 700 730 753 770 760 790 780 810 "
            "840 850 860 870 880 890 900"
        ),
        strict=True,
    )
)
"""A plausible first three postcode digits per prefecture (for generic town areas)."""

_KANJI_DIGITS: Final = "〇一二三四五六七八九"


def kanji_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十 (丁目 are written in kanji)."""
    if not 1 <= n <= 99:
        raise ValueError(f"kanji_number takes 1..99, got {n}")
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _KANJI_DIGITS[tens] + "十")
    return head + ("" if ones == 0 else _KANJI_DIGITS[ones])


_BUILDING_PREFIXES: Final = (
    "コーポ",
    "メゾン",
    "ハイツ",
    "パークハウス",
    "グランドメゾン",
    "ライオンズマンション",
    "レジデンス",
    "プラウド",
    "クレストフォルム",
    "サンハイム",
)
_BUILDING_SUFFIXES: Final = ("", "マンション", "タワー", "ヒルズ", "コート", "テラス")


def _building(rng: Random, area: str) -> str:
    """「コーポ九段302」: a building in the town area and a room (floor + number)."""
    stem = area[2:] if area.startswith("神田") and len(area) > 3 else area
    prefix = rng.choice(_BUILDING_PREFIXES)
    suffix = rng.choice(_BUILDING_SUFFIXES) if prefix in ("コーポ", "メゾン", "ハイツ") else ""
    floor = rng.choice((1, 1, 2, 2, 3, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14, 15, 18, 21))
    room = floor * 100 + rng.randint(1, 8)
    return f"{prefix}{stem}{suffix}{room}"


def modern_lot(block: int, number: int) -> str:
    """住居表示: 「2番3号」."""
    return f"{block}番{number}号"


def legacy_lot(block: int, number: int) -> str:
    """地番 style: 「2番地3」."""
    return f"{block}番地{number}"


_LEGACY = re.compile(r"(\d+)番地(\d+)")


def modernised(address: Address) -> Address:
    """The same address with a 地番-style lot (「2番地3」) rewritten as 「2番3号」."""
    match = _LEGACY.fullmatch(address.lot_text)
    if match is None:
        return address
    return Address.create(
        prefecture=address.prefecture,
        city=address.city,
        town_area=address.town_area,
        lot_text=modern_lot(int(match[1]), int(match[2])),
        address_supplement=address.address_supplement,
        postcode=address.postcode,
        town_code=address.town_code,
    )


class MunicipalityPlaces:
    """Addresses inside one municipality (the one the register belongs to)."""

    def __init__(self, prefecture: str, city: str) -> None:
        if not city.strip():
            raise ValueError("MunicipalityPlaces needs the city (市区町村) name")
        self.prefecture = prefecture.strip()
        self.city = city.strip()
        known = KNOWN_TOWN_AREAS.get((self.prefecture, self.city))
        self.town_areas: tuple[TownArea, ...] = known or self._generic()

    def _generic(self) -> tuple[TownArea, ...]:
        prefix = _POSTCODE_PREFIX.get(self.prefecture, "100")
        areas = []
        for name, chome in GENERIC_TOWN_AREAS:
            tail = zlib.crc32(f"{self.prefecture}{self.city}{name}".encode()) % 10_000
            areas.append(TownArea(name, f"{prefix}{tail:04d}", chome, 20))
        return tuple(areas)

    def address(self, rng: Random, *, legacy: bool = False, supplement: float = 0.5) -> Address:
        """A random address here; ``legacy`` writes the lot 地番-style; ``supplement`` is the
        share of addresses with a 方書."""
        area = rng.choice(self.town_areas)
        town = area.name + (f"{kanji_number(rng.randint(1, area.chome))}丁目" if area.chome else "")
        block = rng.randint(1, area.blocks)
        number = rng.randint(1, 24)
        lot = legacy_lot(block, number) if legacy else modern_lot(block, number)
        building = _building(rng, area.name) if rng.random() < supplement else ""
        return Address.create(
            prefecture=self.prefecture,
            city=self.city,
            town_area=town,
            lot_text=lot,
            address_supplement=building,
            postcode=area.postcode,
        )

    def other_address(self, rng: Random, current: Address) -> Address:
        """A random address here that differs from ``current`` (for a 転居)."""
        for _ in range(50):
            candidate = self.address(rng)
            if candidate.display() != current.display():
                return candidate
        raise RuntimeError("no different address found")  # pragma: no cover - 50 misses in a row

    def domicile(self, rng: Random) -> str:
        """A 本籍 here: 「東京都千代田区神田錦町二丁目3番地」."""
        area = rng.choice(self.town_areas)
        town = area.name + (f"{kanji_number(rng.randint(1, area.chome))}丁目" if area.chome else "")
        return f"{self.prefecture}{self.city}{town}{rng.randint(1, area.blocks)}番地"

    def elsewhere(self, rng: Random, *, municipality_only: bool = False) -> Address:
        """An address in another municipality than this one (:func:`domestic_elsewhere`)."""
        return domestic_elsewhere(
            rng, exclude=(self.prefecture, self.city), municipality_only=municipality_only
        )


@dataclass(frozen=True, slots=True)
class Place:
    """A town area in another municipality, with its postcode."""

    prefecture: str
    city: str
    town_area: str
    postcode: str


ELSEWHERE: Final[tuple[Place, ...]] = tuple(
    Place(*row.split(":"))
    for row in _rows(
        """
    北海道:札幌市中央区:北一条西:0600001 宮城県:仙台市青葉区:一番町:9800811
    福島県:郡山市:駅前:9630201 茨城県:つくば市:竹園:3050032 栃木県:宇都宮市:馬場通り:3200026
    群馬県:高崎市:八島町:3700849 埼玉県:さいたま市浦和区:高砂:3300063 埼玉県:川口市:本町:3320012
    千葉県:千葉市中央区:中央:2600013 千葉県:船橋市:本町:2730005 東京都:世田谷区:三軒茶屋:1540024
    東京都:練馬区:豊玉北:1760012 東京都:八王子市:旭町:1920083 東京都:江東区:豊洲:1350061
    東京都:千代田区:神田神保町:1010051 東京都:新宿区:西新宿:1600023 東京都:港区:六本木:1060032
    神奈川県:横浜市中区:山下町:2310023 神奈川県:川崎市中原区:小杉町:2110063
    神奈川県:藤沢市:鵠沼石上:2510025 新潟県:新潟市中央区:万代:9500088 石川県:金沢市:香林坊:9200981
    長野県:松本市:中央:3900811 静岡県:静岡市葵区:呉服町:4200031 愛知県:名古屋市中区:栄:4600008
    京都府:京都市中京区:河原町通:6048005 大阪府:大阪市北区:梅田:5300001
    兵庫県:神戸市中央区:三宮町:6500021 奈良県:奈良市:三条町:6308122 岡山県:岡山市北区:表町:7000822
    広島県:広島市中区:紙屋町:7300031 香川県:高松市:丸亀町:7600029 福岡県:福岡市博多区:博多駅前:8120011
    熊本県:熊本市中央区:手取本町:8600808 鹿児島県:鹿児島市:山之口町:8920844 沖縄県:那覇市:久茂地:9000015
    """
    )
)
"""Town areas in other municipalities: previous and onward addresses."""

ABROAD: Final[dict[str, tuple[str, ...]]] = {
    "米国": ("ニューヨーク州ニューヨーク市", "カリフォルニア州サンノゼ市"),
    "英国": ("ロンドン",),
    "シンガポール": ("シンガポール",),
    "タイ": ("バンコク都",),
    "ドイツ": ("ノルトライン＝ヴェストファーレン州デュッセルドルフ市",),
    "中国": ("上海市長寧区",),
}
"""Where Japanese residents come back from or leave for (foreign residents use their own
country's addresses, :attr:`jichitai.demo.names.Nationality.cities`)."""


def domestic_elsewhere(
    rng: Random,
    *,
    exclude: tuple[str, str] | None = None,
    municipality_only: bool = False,
) -> Address:
    """An address in another municipality; ``exclude`` is (prefecture, city) of this one."""
    choices: Sequence[Place] = [p for p in ELSEWHERE if (p.prefecture, p.city) != exclude]
    place = rng.choice(choices)
    if municipality_only:
        return Address.municipality_only(place.prefecture, place.city)
    chome = rng.randint(1, 4)
    return Address.create(
        prefecture=place.prefecture,
        city=place.city,
        town_area=f"{place.town_area}{kanji_number(chome)}丁目",
        lot_text=modern_lot(rng.randint(1, 20), rng.randint(1, 24)),
        address_supplement=_building(rng, place.town_area) if rng.random() < 0.4 else "",
        postcode=place.postcode,
    )


def abroad(rng: Random, country: str | None = None, cities: Sequence[str] = ()) -> Address:
    """An address abroad: ``country`` (else one of :data:`ABROAD`) and a city text."""
    if country is None:
        country = rng.choice(sorted(ABROAD))
    texts = list(cities) or list(ABROAD.get(country, ()))
    return Address.create(country=country, overseas_text=rng.choice(texts) if texts else "")
