"""Variant characters (異体字): the search key folds them, the stored name keeps them."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jichitai.domain.common.variants import VARIANT_TO_COMMON, fold_kanji, has_non_bmp_or_ivs

IVS_KUZU = "葛\U000e0102"  # 葛 with the Moji_Joho selector for its MJ glyph
COMPAT_TSUKA = "\ufa10"  # 塚, CJK compatibility ideograph (NFC folds it)
COMPAT_SAKI = "\ufa11"  # 﨑, a unified ideograph in the compatibility block (NFC keeps it)


@pytest.mark.spec("2.1.2")
@pytest.mark.parametrize(
    "spellings",
    [
        ["髙橋", "高橋"],
        ["渡邉", "渡邊", "渡辺", "渡边"],
        ["𠮷田", "吉田"],
        [f"山{COMPAT_SAKI}", "山崎", "山嵜", "山碕"],
        ["齋藤", "齊藤", "斎藤", "斉藤"],
        ["濱田", "濵田", "浜田"],
        ["𡈽屋", "土屋"],
        ["曾根", "曽根"],
        [f"{COMPAT_TSUKA}本", "塚本"],
        ["澤田", "沢田"],
        ["藤田", "籐田", "籘田"],
    ],
)
def test_variant_spellings_of_a_name_fold_to_one_key(spellings: list[str]) -> None:
    assert len({fold_kanji(spelling) for spelling in spellings}) == 1


def test_a_compatibility_ideograph_that_nfc_keeps_is_folded_by_the_table() -> None:
    assert unicodedata.normalize("NFC", COMPAT_SAKI) == COMPAT_SAKI
    assert fold_kanji(COMPAT_SAKI) == "崎"


def test_an_ideographic_variation_sequence_folds_to_its_base_character() -> None:
    assert fold_kanji(IVS_KUZU) == "葛"
    assert fold_kanji(f"{IVS_KUZU}飾区") == "葛飾区"


def test_standard_variation_selectors_are_dropped() -> None:
    assert fold_kanji("辻\ufe00") == "辻"


def test_spaces_of_either_width_are_dropped() -> None:
    assert fold_kanji("髙橋　一郎") == fold_kanji("高橋 一郎") == "高橋一郎"


def test_roman_letters_meet_whatever_their_width_and_case() -> None:
    assert fold_kanji("ＳＭＩＴＨ　Ｊｏｈｎ") == fold_kanji("Smith John") == "SMITHJOHN"


def test_folding_returns_a_new_key_and_leaves_the_stored_text_alone() -> None:
    stored = f"髙橋{IVS_KUZU}"
    key = fold_kanji(stored)
    assert key == "高橋葛"
    assert stored == "髙橋葛\U000e0102"


def test_the_variant_table_maps_single_characters_to_a_form_that_is_not_itself_a_variant() -> None:
    for variant, common in VARIANT_TO_COMMON.items():
        assert len(variant) == 1
        assert len(common) == 1
        assert common not in VARIANT_TO_COMMON
        assert fold_kanji(common) == common


def test_the_variant_table_is_read_only() -> None:
    with pytest.raises(TypeError):
        VARIANT_TO_COMMON["髙"] = "x"  # type: ignore[index]


@given(st.text())
def test_fold_kanji_is_idempotent(text: str) -> None:
    key = fold_kanji(text)
    assert fold_kanji(key) == key


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("𠮷田", True),
        ("𡈽屋", True),
        (IVS_KUZU, True),
        ("辻\ufe00", True),
        ("髙橋", False),
        (f"山{COMPAT_SAKI}", False),
        ("", False),
    ],
)
def test_names_beyond_the_bmp_or_with_a_selector_are_flagged(text: str, expected: bool) -> None:
    assert has_non_bmp_or_ivs(text) is expected


def test_folding_is_idempotent_when_a_removed_space_brings_combining_marks_together() -> None:
    text = "\u0339 \u0334"
    assert fold_kanji(fold_kanji(text)) == fold_kanji(text)
