"""全国地方公共団体コード and its check digit."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jichitai.domain.common.municipality import MunicipalityCode, municipality_check_digit
from jichitai.domain.errors import InvalidValue

five_digit_bodies = st.builds(
    lambda pref, rest: f"{pref:02d}{rest:03d}",
    st.integers(min_value=1, max_value=47),
    st.integers(min_value=0, max_value=999),
)


@pytest.mark.parametrize(("first5", "check"), [("13101", "6"), ("28204", "9")])
def test_check_digit_matches_the_published_examples(first5: str, check: str) -> None:
    assert municipality_check_digit(first5) == check


def test_check_digit_is_the_last_digit_of_eleven_minus_the_remainder() -> None:
    # 1*6 + 3*5 + 1*4 + 0*3 + 1*2 = 27; 27 mod 11 = 5; 11 - 5 = 6
    assert municipality_check_digit("13101") == "6"
    # remainder 0: 1*6 + 1*5 = 11 -> 11 - 0 = 11 -> last digit "1"
    assert municipality_check_digit("11000") == "1"
    # remainder 1: 1*6 + 2*3 = 12 -> 11 - 1 = 10 -> last digit "0"
    assert municipality_check_digit("10020") == "0"


@pytest.mark.parametrize("bad", ["1310", "131011", "1310a", "１３１０１", ""])
def test_check_digit_function_wants_exactly_five_ascii_digits(bad: str) -> None:
    with pytest.raises(ValueError):
        municipality_check_digit(bad)


@pytest.mark.parametrize("text", ["131016", " 131016 ", "１３１０１６", "\u3000131016\t"])
def test_a_code_is_read_with_full_width_digits_and_surrounding_space(text: str) -> None:
    code = MunicipalityCode.parse(text)
    assert code.value == "131016"
    assert str(code) == "131016"
    assert code.prefecture_code == "13"


def test_nishinomiya_parses_and_names_hyogo() -> None:
    assert MunicipalityCode.parse("282049").prefecture_code == "28"


@pytest.mark.parametrize(
    "text", ["13101", "1310166", "13101a", "131-016", "13 1016", "", "一三一〇一六"]
)
def test_anything_but_six_digits_is_a_format_error(text: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        MunicipalityCode.parse(text)
    assert caught.value.code == "municipality_code.format"
    assert caught.value.field == "municipality_code"
    assert "6桁" in caught.value.message


@pytest.mark.parametrize("first5", ["00101", "48101", "99999"])
def test_prefecture_outside_01_to_47_is_refused(first5: str) -> None:
    text = first5 + municipality_check_digit(first5)
    with pytest.raises(InvalidValue) as caught:
        MunicipalityCode.parse(text, field="tenant")
    assert caught.value.code == "municipality_code.prefecture"
    assert caught.value.field == "tenant"


def test_a_wrong_check_digit_is_refused() -> None:
    with pytest.raises(InvalidValue) as caught:
        MunicipalityCode.parse("131017")
    assert caught.value.code == "municipality_code.check_digit"
    assert "チェックデジット" in caught.value.message


def test_the_constructor_refuses_a_malformed_value() -> None:
    with pytest.raises(ValueError):
        MunicipalityCode("13101")


def test_codes_are_values() -> None:
    assert MunicipalityCode.parse("131016") == MunicipalityCode("131016")
    assert len({MunicipalityCode("131016"), MunicipalityCode.parse(" 131016")}) == 1


@given(five_digit_bodies)
def test_any_body_with_its_computed_check_digit_parses(body: str) -> None:
    code = MunicipalityCode.parse(body + municipality_check_digit(body))
    assert code.value[:5] == body


@given(five_digit_bodies, st.integers(min_value=0, max_value=9))
def test_every_other_check_digit_is_refused(body: str, digit: int) -> None:
    right = municipality_check_digit(body)
    if str(digit) == right:
        return
    with pytest.raises(InvalidValue) as caught:
        MunicipalityCode.parse(body + str(digit))
    assert caught.value.code == "municipality_code.check_digit"
