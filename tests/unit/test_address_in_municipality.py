"""Whether an address lies in a municipality (``Address.lies_in`` / ``outside_violation``).

The rule the migration import applies to living residents (and that the change rules for 転入
and 転居 will reuse): overseas and unknown addresses are not in it; an 11-digit address code, a
prefecture and the 市区郡町村名 must each name the municipality, with 郡, designated cities and
their wards read as the docstring says.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from jichitai.domain.common.address import OUTSIDE_MUNICIPALITY, PREFECTURES, Address
from jichitai.domain.common.municipality import designated_city_of, municipality_check_digit
from jichitai.domain.errors import InvalidValue


@dataclass(frozen=True)
class Place:
    """A municipality: the first five digits of its code, its prefecture, its name without the
    prefecture (a ward with its city) and, for a town or village, its 郡."""

    first5: str
    prefecture: str
    name: str
    county: str = ""
    wards: tuple[str, ...] = ()  # a designated city's wards (some of them), with their codes

    @property
    def code(self) -> str:
        return self.first5 + municipality_check_digit(self.first5)

    @property
    def city(self) -> str:
        """The designated city a ward belongs to ("" for any other municipality)."""
        owner = designated_city_of(self.first5)
        return next((p.name for p in PLACES if p.first5 == owner), "") if owner else ""


PLACES = (
    Place("13101", "東京都", "千代田区"),
    Place("13104", "東京都", "新宿区"),
    Place("13102", "東京都", "中央区"),
    Place("13303", "東京都", "瑞穂町", county="西多摩郡"),
    Place("14100", "神奈川県", "横浜市", wards=("14104:中区", "14103:西区", "14118:都筑区")),
    Place("14104", "神奈川県", "横浜市中区"),
    Place("14130", "神奈川県", "川崎市", wards=("14131:川崎区", "14133:中原区")),
    Place("27100", "大阪府", "大阪市", wards=("27102:都島区", "27128:中央区")),
    Place("27102", "大阪府", "大阪市都島区"),
    Place("27128", "大阪府", "大阪市中央区"),
    Place("22130", "静岡県", "浜松市", wards=("22138:中央区", "22140:天竜区")),
    Place("28204", "兵庫県", "西宮市"),
    Place("29203", "奈良県", "大和郡山市"),
    Place("07203", "福島県", "郡山市"),
    Place("12224", "千葉県", "鎌ケ谷市"),
    Place("24202", "三重県", "四日市市"),
    Place("34213", "広島県", "廿日市市"),
    Place("15461", "新潟県", "湯沢町", county="南魚沼郡"),
    Place("01400", "北海道", "倶知安町", county="虻田郡"),
    Place("13206", "東京都", "府中市"),
    Place("34208", "広島県", "府中市"),
)
TOWN_AREAS = ("本町", "栄町一丁目", "霞が関", "﨑戸町", "葛\U000e0102西")


def code_of(first5: str) -> str:
    return first5 + municipality_check_digit(first5)


def related(a: Place, b: Place) -> bool:
    """One is the other, or both are (wards of) the same designated city."""
    if a.first5 == b.first5:
        return True
    owner = designated_city_of(a.first5)
    return owner is not None and owner == designated_city_of(b.first5)


@st.composite
def inside(draw: st.DrawFn, place: Place) -> Address:
    """An address in ``place``, written any of the ways the rule accepts."""
    city = place.name
    town_code = ""
    if place.county and draw(st.booleans()):
        city = place.county + city
    if place.wards and draw(st.booleans()):
        ward_code, ward = draw(st.sampled_from(place.wards)).split(":")
        city += ward
        if draw(st.booleans()):
            town_code = ward_code + draw(st.from_regex(r"[0-9]{6}", fullmatch=True))
    elif place.city and draw(st.booleans()):
        city = place.city  # a ward tenant's address may name the city alone
    if not town_code and draw(st.booleans()):
        town_code = place.first5 + draw(st.from_regex(r"[0-9]{6}", fullmatch=True))
    if draw(st.booleans()):
        city = city.replace("ケ", "ヶ")
    with_prefecture = draw(st.sampled_from(["field", "in city", "none"]))
    if with_prefecture == "in city":
        city = place.prefecture + city
    return Address.create(
        prefecture=place.prefecture if with_prefecture == "field" else "",
        city=city,
        town_area=draw(st.sampled_from(TOWN_AREAS)),
        lot_text=f"{draw(st.integers(1, 30))}番{draw(st.integers(1, 30))}号",
        town_code=town_code,
    )


places = st.sampled_from(PLACES)


def registered(place: Place, with_prefecture: bool) -> str:
    return (place.prefecture if with_prefecture else "") + place.name


@given(st.data(), places, st.booleans())
def test_an_address_written_any_accepted_way_lies_in_its_municipality(
    data: st.DataObject, place: Place, with_prefecture: bool
) -> None:
    address = data.draw(inside(place))
    assert address.outside_violation(place.code, registered(place, with_prefecture)) is None
    assert address.lies_in(place.code, registered(place, with_prefecture))


@given(st.data(), places, places, st.booleans())
def test_an_address_that_names_its_prefecture_or_code_lies_in_no_other_municipality(
    data: st.DataObject, here: Place, other: Place, with_prefecture: bool
) -> None:
    assume(not related(here, other))
    address = data.draw(inside(here))
    assume(address.prefecture or address.town_code or address.city.startswith(here.prefecture))
    assert not address.lies_in(other.code, registered(other, with_prefecture))
    violation = address.outside_violation(other.code, registered(other, with_prefecture))
    assert violation is not None and violation.code == OUTSIDE_MUNICIPALITY
    assert violation.field in {"address.town_code", "address.prefecture", "address.city"}


@given(st.data(), places, st.sampled_from(PREFECTURES))
def test_another_prefecture_puts_the_address_elsewhere(
    data: st.DataObject, place: Place, prefecture: str
) -> None:
    assume(prefecture != place.prefecture)
    address = data.draw(inside(place))
    moved = Address.create(prefecture=prefecture, city=place.name, town_area="本町")
    assert moved.outside_violation(place.code, place.prefecture + place.name) is not None
    assert address.lies_in(place.code, place.name)


@given(
    places,
    st.text(min_size=1, max_size=20).filter(lambda t: t.strip(" \u3000")),
    st.text(max_size=300),
)
def test_an_overseas_address_lies_in_no_municipality(place: Place, country: str, text: str) -> None:
    assume(country.isprintable() and text.isprintable())
    try:
        abroad = Address.create(country=country, overseas_text=text)
    except InvalidValue:  # too long, or a character no address may hold: refused on entry
        return
    violation = abroad.outside_violation(place.code, place.name)
    assert violation is not None and violation.field == "address.country"
    assert not abroad.lies_in(place.code, place.prefecture + place.name)


@given(places, places, st.from_regex(r"[0-9]{6}", fullmatch=True))
def test_an_address_code_of_another_municipality_puts_it_elsewhere(
    here: Place, other: Place, rest: str
) -> None:
    assume(not related(here, other))
    address = Address.create(city=here.name, town_code=other.first5 + rest)
    violation = address.outside_violation(here.code, here.name)
    assert violation is not None and violation.field == "address.town_code"
    assert other.first5 in violation.message


@pytest.mark.parametrize(
    ("address", "code", "name", "field"),
    [
        # unknown (「不明」) and overseas
        (Address.unknown(), "13101", "千代田区", "address.city"),
        (Address(), "13101", "千代田区", "address.city"),
        (Address.create(country="米国", overseas_text="ニューヨーク市"), "13101", "千代田区", "address.country"),
        # the same name in another prefecture, told apart by the prefecture or the code
        (Address.create(prefecture="広島県", city="府中市"), "13206", "東京都府中市", "address.prefecture"),
        (Address.create(city="府中市", town_code="34208001001"), "13206", "府中市", "address.town_code"),
        (Address.create(city="広島県府中市"), "13206", "府中市", "address.prefecture"),
        # a 郡 is not the start of a name that merely contains 郡
        (Address.create(city="大和郡山市"), "07203", "郡山市", "address.city"),
        (Address.create(city="郡山市"), "29203", "大和郡山市", "address.city"),
        (Address.create(city="山市"), "29203", "大和郡山市", "address.city"),
        # another ward: of the ward tenant's own city, or of another designated city
        (Address.create(city="横浜市西区"), "14104", "横浜市中区", "address.city"),
        (Address.create(city="横浜市", town_code="14103001001"), "14104", "横浜市中区", "address.town_code"),
        (Address.create(city="川崎市中原区"), "14100", "神奈川県横浜市", "address.city"),
        (Address.create(city="横浜市中区", town_code="14133001001"), "14100", "横浜市", "address.town_code"),
        (Address.create(city="中区"), "14104", "横浜市中区", "address.city"),
        # a city that is not designated has no wards
        (Address.create(city="西宮市中区"), "28204", "兵庫県西宮市", "address.city"),
        # Tokyo's special wards are municipalities, not wards of a city
        (Address.create(city="新宿区", town_code="13104001001"), "13101", "東京都千代田区", "address.town_code"),
    ],
)  # fmt: skip
def test_addresses_elsewhere_name_the_part_at_fault(
    address: Address, code: str, name: str, field: str
) -> None:
    violation = address.outside_violation(code_of(code), name)
    assert violation is not None
    assert (violation.code, violation.field) == (OUTSIDE_MUNICIPALITY, field)
    assert name in violation.message and code_of(code) in violation.message
    assert not address.lies_in(code_of(code), name)


@pytest.mark.parametrize(
    ("address", "code", "name"),
    [
        (Address.create(prefecture="東京都", city="千代田区", town_area="霞が関"), "13101", "東京都千代田区"),
        (Address.create(city="千代田区", town_code="13101001001"), "13101", "千代田区"),
        (Address.create(city="東京都千代田区"), "13101", "東京都千代田区"),
        (Address.create(city="千代田区"), "13101", "東京都　千代田区"),
        (Address.create(city="西多摩郡瑞穂町"), "13303", "東京都瑞穂町"),
        (Address.create(city="瑞穂町"), "13303", "東京都西多摩郡瑞穂町"),
        (Address.create(city="鎌ヶ谷市"), "12224", "千葉県鎌ケ谷市"),
        (Address.create(city="﨑戸町"), "42999", "長崎県崎戸町"),  # variants fold, as in search
        (Address.create(city="試験市"), "13101", "試験市"),  # a test tenant: names agree
        (Address.create(city="横浜市中区", town_code="14104001001"), "14100", "神奈川県横浜市"),
        (Address.create(city="横浜市", town_code="14100001001"), "14100", "横浜市"),
        (Address.create(city="横浜市"), "14104", "神奈川県横浜市中区"),
        (Address.create(city="横浜市中区", town_code="14100000000"), "14104", "中区"),
        (Address.create(city="大阪市"), "27102", "大阪府大阪市都島区"),
        (Address.create(city="浜松市中央区", town_code="22138001001"), "22130", "浜松市"),
    ],
)  # fmt: skip
def test_addresses_in_the_municipality_lie_in_it(address: Address, code: str, name: str) -> None:
    assert address.outside_violation(code_of(code), name) is None
    assert address.lies_in(code_of(code), name)


def test_the_field_prefix_names_the_address_asked_about() -> None:
    moved = Address.create(prefecture="大阪府", city="大阪市")
    violation = moved.outside_violation(code_of("13101"), "千代田区", field_prefix="new_address")
    assert violation is not None and violation.field == "new_address.prefecture"


@pytest.mark.parametrize("code", ["13101", "1310166", "１３１０１６", "481234", "001234"])
def test_a_malformed_municipality_code_is_a_programming_error(code: str) -> None:
    with pytest.raises(ValueError, match="municipality code"):
        Address.create(city="千代田区").lies_in(code, "千代田区")


def test_wards_belong_to_the_nearest_designated_city_below_them() -> None:
    assert designated_city_of("14104") == designated_city_of("14100") == "14100"
    assert designated_city_of("14131") == "14130"
    assert designated_city_of("22138") == "22130"  # 浜松市's wards of 2024
    assert designated_city_of("13101") is None  # a special ward of Tokyo
    assert designated_city_of("14201") is None  # an ordinary city
    assert designated_city_of("1410") is None
