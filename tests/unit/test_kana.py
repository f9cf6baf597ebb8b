"""Readings (フリガナ) and the fuzzy kana search key."""

from __future__ import annotations

import jaconv
import pytest
from hypothesis import given
from hypothesis import strategies as st

from jichitai.domain.common.kana import fold_kana, to_katakana, validate_reading
from jichitai.domain.errors import InvalidValue

HIRAGANA = [chr(cp) for cp in range(0x3041, 0x3097)]
# Katakana without ヴ: ヴ + small vowel is read as one sound (ヴァ → バ), so swapping a small
# vowel for a large one after ヴ legitimately changes the key.
KATAKANA = [chr(cp) for cp in range(0x30A1, 0x30FB) if chr(cp) != "ヴ"] + ["ー"]
VOICED_PAIRS = [
    (voiced, plain)
    for voiced, plain in zip(
        "ガギグゲゴザジズゼゾダデドバビブベボパピプペポ",
        "カキクケコサシスセソタテトハヒフヘホハヒフヘホ",
        strict=True,
    )
]
SMALL_PAIRS = list(zip("ァィゥェォッャュョヮヵヶ", "アイウエオツヤユヨワカケ", strict=True))

readings = st.lists(
    st.sampled_from([*KATAKANA, *HIRAGANA, "ヴ", " ", "\u3000", "ｶﾞ", "ﾊﾟ", "ｳﾞ", "゛", "・"])
).map("".join)


# --- to_katakana / validate_reading ----------------------------------------------------------


@pytest.mark.spec("1.1.18")
def test_hiragana_is_turned_into_katakana() -> None:
    assert to_katakana("たかはし　いちろう") == "タカハシ　イチロウ"


@pytest.mark.spec("1.1.18")
@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("ｶﾞｯｺｳ", "ガッコウ"),
        ("ﾊﾟﾋﾟﾌﾟ", "パピプ"),
        ("ｳﾞｧｲｵﾘﾝ", "ヴァイオリン"),
        ("ｻｲﾄｰ", "サイトー"),
        ("ﾀﾅｶ ﾊﾅｺ", "タナカ　ハナコ"),
    ],
)
def test_half_width_katakana_becomes_full_width_with_voiced_marks_combined(
    typed: str, expected: str
) -> None:
    assert to_katakana(typed) == expected


def test_a_kana_followed_by_a_separate_voiced_mark_is_combined() -> None:
    assert to_katakana("カ゛ハ゜") == "ガパ"
    assert to_katakana("カ\u3099ウ\u3099") == "ガヴ"


def test_runs_of_spaces_become_one_full_width_space_and_ends_are_trimmed() -> None:
    assert to_katakana("  タカハシ \u3000 イチロウ\u3000") == "タカハシ　イチロウ"


def test_dash_variants_typed_for_a_long_vowel_become_the_long_vowel_mark() -> None:
    assert to_katakana("サイト-") == "サイトー"
    assert to_katakana("ヨ－コ") == "ヨーコ"


@given(st.text(alphabet=st.sampled_from(HIRAGANA)))
def test_to_katakana_agrees_with_jaconv_on_hiragana(text: str) -> None:
    assert to_katakana(text) == jaconv.hira2kata(text)


@given(st.text(alphabet=st.sampled_from(KATAKANA)))
def test_half_width_input_reads_back_as_the_full_width_katakana(text: str) -> None:
    half = jaconv.z2h(text, kana=True, ascii=False, digit=False)
    # Half-width has no small ヮ/ヵ/ヶ nor ヰ/ヱ/ヷ-ヺ: jaconv keeps those full-width.
    assert to_katakana(half) == text


@pytest.mark.spec("1.1.18")
def test_a_reading_is_returned_normalised() -> None:
    assert validate_reading(" わたなべ　ｹﾝ ", "name.family_kana") == "ワタナベ　ケン"


@pytest.mark.spec("1.1.18")
def test_a_reading_may_hold_the_long_vowel_mark_and_the_middle_dot() -> None:
    assert validate_reading("スミス・ジョーンズ", "name.family_kana") == "スミス・ジョーンズ"


def test_an_empty_reading_is_allowed() -> None:
    assert validate_reading("", "name.given_kana") == ""
    assert validate_reading(" \u3000 ", "name.given_kana") == ""


@pytest.mark.spec("1.1.18")
@pytest.mark.parametrize("typed", ["高橋", "タカハシ1", "Takahashi", "タカハシ（旧姓）", "ア゛"])
def test_a_reading_with_anything_but_katakana_is_refused(typed: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        validate_reading(typed, "name.family_kana")
    assert caught.value.code == "reading.not_katakana"
    assert caught.value.field == "name.family_kana"
    assert "カタカナ" in caught.value.message


# --- fold_kana ---------------------------------------------------------------------------------


@pytest.mark.spec("2.1.2")
@pytest.mark.parametrize(
    "spellings",
    [
        ["タカハシ", "タカハジ", "たかはし", "ﾀｶﾊｼ"],
        ["サイトウ", "サイトオ", "サイトー", "サイト"],
        ["シヨウ", "ショウ", "ショー"],
        ["ヨウコ", "ヨーコ", "ヨオコ"],
        ["コウ", "コオ", "コー"],
        ["ユウコ", "ユーコ"],
        ["オオノ", "オーノ", "オウノ"],
    ],
)
def test_spellings_of_the_same_name_meet_under_the_fuzzy_key(spellings: list[str]) -> None:
    assert len({fold_kana(spelling) for spelling in spellings}) == 1


@pytest.mark.spec("2.1.2")
@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("ヂ", "ジ"),
        ("ズ", "ヅ"),
        ("ワ", "ハ"),
        ("ヴァ", "バ"),
        ("ヴィ", "ビ"),
        ("ヴ", "ブ"),
        ("オ", "ヲ"),
        ("ヒ", "ピ"),
        ("ッ", "ツ"),
        ("ャ", "ヤ"),
        ("ュ", "ユ"),
        ("ョ", "ヨ"),
    ],
)
def test_the_pairs_the_standard_lists_fold_equal(one: str, other: str) -> None:
    assert fold_kana(f"ア{one}カ") == fold_kana(f"ア{other}カ")


@pytest.mark.spec("2.1.2")
def test_a_u_after_an_o_row_kana_from_the_second_character_on_counts_as_o() -> None:
    assert fold_kana("トウキョウ") == fold_kana("トオキョオ")
    assert fold_kana("ウタ") != fold_kana("オタ")  # first character: not a long vowel


@pytest.mark.spec("2.1.2")
@pytest.mark.parametrize("mark", ["ー", "―", "－", "‐", "ｰ", "-"])
def test_every_long_vowel_and_dash_variant_is_ignored(mark: str) -> None:
    assert fold_kana(f"メ{mark}ル") == fold_kana("メル")


@pytest.mark.spec("2.1.2")
def test_spaces_between_family_and_given_name_are_ignored() -> None:
    assert fold_kana("タナカ　ハナコ") == fold_kana("タナカ ハナコ") == fold_kana("タナカハナコ")


def test_mikazuki_spelled_with_zu_or_du_meets() -> None:
    assert fold_kana("ミカヅキ") == fold_kana("ミカズキ")


def test_different_names_keep_different_keys() -> None:
    assert fold_kana("ツヅキ") != fold_kana("スズキ")
    assert fold_kana("タナカ") != fold_kana("タカナ")
    assert fold_kana("ケイコ") != fold_kana("ケコ")


@given(readings)
def test_fold_kana_is_idempotent(text: str) -> None:
    key = fold_kana(text)
    assert fold_kana(key) == key


@given(st.text())
def test_fold_kana_is_idempotent_on_any_text(text: str) -> None:
    key = fold_kana(text)
    assert fold_kana(key) == key


@given(st.text(alphabet=st.sampled_from(HIRAGANA)))
def test_a_hiragana_reading_folds_like_its_katakana(text: str) -> None:
    katakana = "".join(chr(ord(char) + 0x60) for char in text)
    assert fold_kana(to_katakana(text)) == fold_kana(katakana)
    assert fold_kana(text) == fold_kana(katakana)


def _swapped(pairs: list[tuple[str, str]]) -> st.SearchStrategy[tuple[str, str]]:
    """Two katakana strings that differ only by swapping members of ``pairs``."""
    piece = st.one_of(
        st.sampled_from(KATAKANA).map(lambda char: (char, char)),
        st.sampled_from(pairs),
    )
    return st.lists(piece).map(
        lambda pieces: ("".join(a for a, _ in pieces), "".join(b for _, b in pieces))
    )


@given(_swapped(VOICED_PAIRS))
def test_voiced_and_unvoiced_spellings_fold_equal(pair: tuple[str, str]) -> None:
    assert fold_kana(pair[0]) == fold_kana(pair[1])


@given(_swapped(SMALL_PAIRS))
def test_small_and_large_kana_spellings_fold_equal(pair: tuple[str, str]) -> None:
    assert fold_kana(pair[0]) == fold_kana(pair[1])
