"""Addresses: dictionary parts, 方書, address code, postcode, abroad and unknown."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jichitai.domain.common.address import PREFECTURES, Address
from jichitai.domain.errors import InvalidValue


def kasumigaseki(**overrides: str) -> Address:
    parts = {
        "prefecture": "東京都",
        "city": "千代田区",
        "town_area": "霞が関",
        "lot_text": "一丁目2番3号",
        "address_supplement": "○○ビル101",
        "town_code": "13101001001",
        "postcode": "100-0013",
    }
    parts.update(overrides)
    return Address.create(**parts)


def test_an_address_displays_on_one_line_with_the_building_after_a_full_width_space() -> None:
    assert kasumigaseki().display() == "東京都千代田区霞が関一丁目2番3号　○○ビル101"


@pytest.mark.spec("1.3.4")
def test_the_kata_gaki_is_kept_apart_from_the_address_proper() -> None:
    address = kasumigaseki()
    assert address.address_supplement == "○○ビル101"
    assert kasumigaseki(address_supplement="").display() == "東京都千代田区霞が関一丁目2番3号"


def test_place_names_keep_their_variant_characters() -> None:
    address = Address.create(prefecture="長崎県", city="長崎市", town_area="\ufa11戸町")
    assert address.town_area == "\ufa11戸町"


def test_surrounding_spaces_are_trimmed_but_raw_input_is_kept_verbatim() -> None:
    typed = " 東京都千代田区霞が関１－２－３ "
    address = Address.create(prefecture=" 東京都", city="千代田区\u3000", raw=typed)
    assert address.prefecture == "東京都"
    assert address.city == "千代田区"
    assert address.raw == typed


@pytest.mark.spec("1.1.17")
@pytest.mark.parametrize(
    "typed", ["100-0013", "1000013", "１００－００１３", "〒100-0013", " 100ー0013 "]
)
def test_a_postcode_is_stored_as_seven_digits(typed: str) -> None:
    address = kasumigaseki(postcode=typed)
    assert address.postcode == "1000013"
    assert address.postcode_display() == "100-0013"


@pytest.mark.spec("1.1.17")
@pytest.mark.parametrize("typed", ["100-001", "10000133", "100-00a3", "ABC-DEFG", "1000-013"])
def test_a_malformed_postcode_is_refused(typed: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        kasumigaseki(postcode=typed)
    assert caught.value.code == "address.postcode"
    assert caught.value.field == "address.postcode"


def test_an_address_without_a_postcode_displays_none() -> None:
    assert kasumigaseki(postcode="").postcode_display() == ""


@pytest.mark.spec("1.3.3")
@pytest.mark.parametrize("code", ["13101001001", "１３１０１００１００１", "1310100"])
def test_an_eleven_digit_address_code_or_a_seven_digit_town_id_is_accepted(code: str) -> None:
    assert kasumigaseki(town_code=code).town_code in {"13101001001", "1310100"}


@pytest.mark.spec("1.3.3")
@pytest.mark.parametrize(
    "code",
    [
        "1310100100",  # 10 digits
        "131010010011",  # 12 digits
        "1310100100a",
        "48101001001",  # no prefecture 48
        "00101001001",
        "13000001001",  # the prefecture itself, not a municipality
    ],
)
def test_a_malformed_address_code_is_refused(code: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        kasumigaseki(town_code=code)
    assert caught.value.code == "address.town_code"


@pytest.mark.spec("1.3.3")
def test_the_address_code_must_belong_to_the_prefecture_named() -> None:
    with pytest.raises(InvalidValue) as caught:
        kasumigaseki(town_code="27127001001")  # 大阪府
    assert caught.value.code == "address.town_code"
    assert "大阪府" in caught.value.message


def test_the_prefecture_list_follows_jis_x_0401_order() -> None:
    assert len(PREFECTURES) == 47
    assert PREFECTURES[0] == "北海道"
    assert PREFECTURES[12] == "東京都"
    assert PREFECTURES[46] == "沖縄県"


def test_an_unknown_prefecture_is_refused() -> None:
    with pytest.raises(InvalidValue) as caught:
        Address.create(prefecture="東京", city="千代田区")
    assert caught.value.code == "address.prefecture"


def test_a_domestic_address_needs_its_municipality() -> None:
    with pytest.raises(InvalidValue) as caught:
        Address.create(prefecture="東京都", town_area="霞が関")
    assert caught.value.code == "address.city_required"


def test_a_designated_city_address_may_omit_the_prefecture() -> None:
    assert Address.create(city="横浜市中区", town_area="山下町").display() == "横浜市中区山下町"


def test_an_onward_address_may_stop_at_the_municipality() -> None:
    address = Address.municipality_only("北海道", "札幌市中央区")
    assert address.display() == "北海道札幌市中央区"
    assert address.is_municipality_only
    assert not kasumigaseki().is_municipality_only


def test_an_overseas_address_shows_the_country_then_the_text() -> None:
    address = Address.create(country="アメリカ合衆国", overseas_text="New York, NY 10001")
    assert address.is_overseas
    assert address.display() == "アメリカ合衆国　New York, NY 10001"


def test_an_overseas_address_needs_a_country() -> None:
    with pytest.raises(InvalidValue) as caught:
        Address.create(overseas_text="Paris")
    assert caught.value.code == "address.country_required"


@pytest.mark.parametrize(
    "domestic", [{"city": "千代田区"}, {"postcode": "1000013"}, {"town_code": "13101001001"}]
)
def test_an_overseas_address_carries_no_domestic_part(domestic: dict[str, str]) -> None:
    with pytest.raises(InvalidValue) as caught:
        Address.create(country="フランス", **domestic)
    assert caught.value.code == "address.overseas_mixed"


def test_an_unknown_previous_address_reads_fumei() -> None:
    address = Address.unknown()
    assert address.display() == "不明"
    assert address.is_unknown
    assert not kasumigaseki().is_unknown


def test_control_characters_and_gaiji_are_refused_in_address_parts() -> None:
    with pytest.raises(InvalidValue) as control:
        Address.create(city="千代田区", town_area="霞が関\n")
    assert control.value.code == "address.control_character"
    with pytest.raises(InvalidValue) as gaiji:
        Address.create(city="千代田区", address_supplement="\ue123荘")
    assert gaiji.value.code == "address.private_use_character"
    assert gaiji.value.field == "address.address_supplement"


def test_an_overlong_part_is_refused() -> None:
    with pytest.raises(InvalidValue) as caught:
        Address.create(city="千代田区", address_supplement="あ" * 201)
    assert caught.value.code == "address.too_long"


def test_the_search_key_is_nfkc_without_spaces() -> None:
    address = kasumigaseki(lot_text="１丁目２番３号", address_supplement="ＡＢＣ ハイツ 101")
    assert address.search_key() == "東京都千代田区霞が関1丁目2番3号ABCハイツ101"


def test_json_omits_empty_fields_and_round_trips() -> None:
    address = Address.municipality_only("北海道", "札幌市中央区")
    assert address.to_json() == {"prefecture": "北海道", "city": "札幌市中央区"}
    assert Address.from_json(kasumigaseki().to_json()) == kasumigaseki()
    assert Address.from_json(Address.unknown().to_json()) == Address.unknown()


@pytest.mark.parametrize("data", [{"city": 1}, {"city": "千代田区", "ward": "x"}])
def test_malformed_json_is_refused(data: dict[str, object]) -> None:
    with pytest.raises(InvalidValue) as caught:
        Address.from_json(data)
    assert caught.value.code == "address.json"


parts = st.text(alphabet=st.sampled_from(list("東京都千代田区霞が関一丁目23番号﨑𡈽ビル")))


@given(parts, parts, parts, st.from_regex(r"[0-9]{3}-?[0-9]{4}", fullmatch=True) | st.just(""))
def test_any_valid_domestic_address_survives_a_json_round_trip(
    town_area: str, lot_text: str, supplement: str, postcode: str
) -> None:
    address = Address.create(
        city="千代田区",
        town_area=town_area,
        lot_text=lot_text,
        address_supplement=supplement,
        postcode=postcode,
    )
    assert Address.from_json(address.to_json()) == address
