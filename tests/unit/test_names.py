"""Names are kept glyph for glyph; readings are katakana; search keys are derived."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jichitai.domain.common.names import PersonName, text_length, validate_name_text
from jichitai.domain.errors import InvalidValue

IVS_KUZU = "葛\U000e0102"
COMPAT_TSUKA = "\ufa10"  # NFC would turn this into 塚 U+585A
COMPAT_SAKI = "\ufa11"


# --- validate_name_text ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "髙橋",
        "𠮷田",
        f"山{COMPAT_SAKI}",
        "渡邉",
        "齋藤",
        "𡈽屋",
        f"{IVS_KUZU}西",
        f"{COMPAT_TSUKA}本",
    ],
)
def test_a_name_is_returned_exactly_as_given(name: str) -> None:
    assert validate_name_text(name, "name.family") == name


def test_a_compatibility_ideograph_is_not_normalised_away() -> None:
    assert validate_name_text(f"{COMPAT_TSUKA}本", "name.family") == "\ufa10本"


def test_only_surrounding_half_and_full_width_spaces_are_trimmed() -> None:
    assert validate_name_text("\u3000 SMITH JOHN \u3000", "name.roman") == "SMITH JOHN"


@pytest.mark.parametrize("blank", ["", " ", "\u3000\u3000"])
def test_an_empty_name_is_refused(blank: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        validate_name_text(blank, "name.family")
    assert caught.value.code == "name.required"
    assert caught.value.field == "name.family"


@pytest.mark.parametrize("bad", ["山\t田", "山田\n", "山\u200b田", "山\x00田", "山\u2028田"])
def test_control_and_invisible_format_characters_are_refused(bad: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        validate_name_text(bad, "name.family")
    assert caught.value.code == "name.control_character"


@pytest.mark.parametrize("gaiji", ["\ue000", "\uf8ff", "\U000f0000", "\U0010fffd"])
def test_a_private_use_gaiji_must_first_be_identified_with_an_mj_character(gaiji: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        validate_name_text(f"山{gaiji}", "name.family")
    assert caught.value.code == "name.private_use_character"
    assert "外字は文字情報基盤の文字に同定してください" in caught.value.message


def test_a_name_longer_than_the_limit_is_refused() -> None:
    with pytest.raises(InvalidValue) as caught:
        validate_name_text("あ" * 11, "name.given", max_length=10)
    assert caught.value.code == "name.too_long"


def test_variation_selectors_do_not_count_towards_the_length() -> None:
    name = IVS_KUZU * 10
    assert text_length(name) == 10
    assert validate_name_text(name, "name.family", max_length=10) == name


# --- PersonName --------------------------------------------------------------------------------


@pytest.mark.spec("1.1.18")
def test_a_name_keeps_its_glyphs_and_normalises_its_readings() -> None:
    name = PersonName.create("髙橋", "一郎", "たかはし", "ｲﾁﾛｳ", kana_confirmed=True)
    assert name == PersonName("髙橋", "一郎", "タカハシ", "イチロウ", kana_confirmed=True)
    assert name.full == "髙橋　一郎"
    assert name.full_kana == "タカハシ　イチロウ"


def test_a_name_without_a_given_name_is_the_family_name_alone() -> None:
    name = PersonName.create("𡈽屋", family_kana="ツチヤ")
    assert name.full == "𡈽屋"
    assert name.full_kana == "ツチヤ"


def test_the_family_name_is_required() -> None:
    with pytest.raises(InvalidValue) as caught:
        PersonName.create(" ", "一郎")
    assert caught.value.code == "name.required"
    assert caught.value.field == "name.family"


def test_errors_name_the_part_at_fault_under_the_field_prefix() -> None:
    with pytest.raises(InvalidValue) as caught:
        PersonName.create("山田", "花子", given_kana="花子", field_prefix="former_name")
    assert caught.value.code == "reading.not_katakana"
    assert caught.value.field == "former_name.given_kana"


def test_a_foreign_resident_known_only_by_a_roman_name_has_it_as_the_family_name() -> None:
    name = PersonName.create("", roman="SMITH JOHN", family_kana="スミス　ジョン")
    assert name.family == "SMITH JOHN"
    assert name.roman == "SMITH JOHN"
    assert name.is_roman_only
    assert name.full == "SMITH JOHN"


def test_a_foreign_resident_may_have_a_kanji_name_and_a_roman_name() -> None:
    name = PersonName.create("王", "小明", roman="WANG XIAOMING")
    assert name.full == "王　小明"
    assert not name.is_roman_only


@pytest.mark.spec("2.1.2")
def test_variant_spellings_of_a_name_share_the_kanji_key() -> None:
    assert (
        PersonName.create("髙橋", "一郎").kanji_key == PersonName.create("高橋", "一郎").kanji_key
    )
    assert PersonName.create("渡邉").kanji_key == PersonName.create("渡辺").kanji_key


@pytest.mark.spec("2.1.2")
def test_fuzzy_spellings_of_a_reading_share_the_kana_key() -> None:
    saito = PersonName.create("齋藤", "洋子", "サイトウ", "ヨウコ")
    assert saito.kana_key == PersonName.create("斉藤", "陽子", "さいとー", "ﾖｰｺ").kana_key


def test_a_name_without_readings_has_an_empty_kana_key() -> None:
    assert PersonName.create("山田").kana_key == ""


def test_json_omits_empty_parts() -> None:
    assert PersonName.create("山田").to_json() == {"family": "山田"}
    assert PersonName.create("山田", "太郎", "ヤマダ", kana_confirmed=True).to_json() == {
        "family": "山田",
        "given": "太郎",
        "family_kana": "ヤマダ",
        "kana_confirmed": True,
    }


def test_json_keeps_an_ivs_sequence() -> None:
    name = PersonName.create(f"{IVS_KUZU}西", "𠮷")
    assert PersonName.from_json(name.to_json()) == name
    assert name.to_json()["family"] == "葛\U000e0102西"


@pytest.mark.parametrize(
    "data",
    [{}, {"family": ""}, {"family": 1}, {"family": "山田", "kana_confirmed": "yes"}],
)
def test_malformed_json_is_refused(data: dict[str, object]) -> None:
    with pytest.raises(InvalidValue) as caught:
        PersonName.from_json(data)
    assert caught.value.code == "name.json"


name_texts = st.text(
    alphabet=st.sampled_from(
        ["髙", "橋", "𠮷", "田", "\ufa11", "邉", "葛", "\U000e0102", "A", " "]
    ),
    min_size=1,
).filter(lambda text: text.strip() and not text.startswith("\U000e0102"))
kana_texts = st.text(alphabet=st.sampled_from(list("タカハシイチロウー")))


@given(name_texts, st.one_of(st.just(""), name_texts), kana_texts, kana_texts, st.booleans())
def test_a_name_survives_a_json_round_trip(
    family: str, given_name: str, family_kana: str, given_kana: str, confirmed: bool
) -> None:
    name = PersonName.create(family, given_name, family_kana, given_kana, confirmed)
    assert PersonName.from_json(name.to_json()) == name
