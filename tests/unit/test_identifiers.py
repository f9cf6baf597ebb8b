"""個人番号, 宛名番号, 世帯番号, 住民票コード and 在留カード番号."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jichitai.domain.common.identifiers import (
    RESIDENT_CODE_M11_W2_7,
    RESIDENT_CODE_UNCHECKED,
    AtenaNumber,
    HouseholdNumber,
    IndividualNumber,
    ResidenceCardNumber,
    ResidentCode,
    individual_number_check_digit,
    m11_weights_2_7_check_digit,
)
from jichitai.domain.errors import InvalidValue

FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def digit_strings(length: int) -> st.SearchStrategy[str]:
    return st.text(alphabet="0123456789", min_size=length, max_size=length)


def single_digit_changes(number: str) -> list[str]:
    return [
        number[:i] + other + number[i + 1 :]
        for i in range(len(number))
        for other in "0123456789"
        if other != number[i]
    ]


# -- 個人番号 ------------------------------------------------------------------------


@pytest.mark.parametrize("number", ["983205673214", "123456789018"])
def test_the_published_individual_numbers_are_valid(number: str) -> None:
    assert individual_number_check_digit(number[:11]) == number[11]
    assert IndividualNumber.parse(number).value == number


def test_individual_number_check_digit_follows_the_ordinance() -> None:
    # 1..9,0,1 weighted 6 5 4 3 2 7 6 5 4 3 2 = 6+10+12+12+10+42+42+40+36+0+2 = 212;
    # 212 mod 11 = 3; 11 - 3 = 8
    assert individual_number_check_digit("12345678901") == "8"


@pytest.mark.parametrize(
    "text",
    [
        "123456789018",
        " 123456789018 ",
        "１２３４５６７８９０１８",
        "1234 5678 9018",
        "1234-5678-9018",
        "1234－5678－9018",
        "1234\u30005678\u30009018",
    ],
)
def test_an_individual_number_may_be_written_in_groups_of_four(text: str) -> None:
    assert str(IndividualNumber.parse(text)) == "123456789018"


@pytest.mark.parametrize(
    "text", ["12345678901", "1234567890188", "12345 678 9018", "1234--5678-9018", "abcd", ""]
)
def test_an_individual_number_that_is_not_twelve_digits_is_a_format_error(text: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        IndividualNumber.parse(text)
    assert caught.value.code == "individual_number.format"
    assert caught.value.message == "個人番号は12桁の数字で入力してください"
    assert caught.value.field == "individual_number"


def test_an_individual_number_with_a_wrong_check_digit_is_refused() -> None:
    with pytest.raises(InvalidValue) as caught:
        IndividualNumber.parse("123456789019", field="my_number")
    assert caught.value.code == "individual_number.check_digit"
    assert caught.value.message == "個人番号のチェックデジットが正しくありません"
    assert caught.value.field == "my_number"


def test_a_masked_individual_number_shows_only_the_last_four_digits() -> None:
    assert IndividualNumber.parse("983205673214").masked() == "********3214"


def test_the_individual_number_constructor_refuses_malformed_values() -> None:
    with pytest.raises(ValueError):
        IndividualNumber("1234")


@given(digit_strings(11))
def test_any_eleven_digits_with_their_check_digit_parse_as_an_individual_number(
    body: str,
) -> None:
    number = body + individual_number_check_digit(body)
    assert IndividualNumber.parse(number).value == number
    assert IndividualNumber.parse(number.translate(FULL_WIDTH)).value == number


@given(digit_strings(11))
def test_changing_one_digit_of_an_individual_number_is_caught(body: str) -> None:
    # Remainders 0 and 1 share the check digit 0, so only numbers whose check digit is not 0
    # catch every single-digit change; a changed check digit is always caught.
    number = body + individual_number_check_digit(body)
    for changed in single_digit_changes(number):
        if number[11] == "0" and changed[11] == "0":
            continue
        with pytest.raises(InvalidValue):
            IndividualNumber.parse(changed)


# -- M11W2-7, 宛名番号 and 世帯番号 --------------------------------------------------


@pytest.mark.spec("1.1.13")
def test_m11_weights_run_two_to_seven_from_the_rightmost_digit() -> None:
    # 123456789 read from the right: 9*2 + 8*3 + 7*4 + 6*5 + 5*6 + 4*7 + 3*2 + 2*3 + 1*4 = 174
    # 174 mod 11 = 9; 11 - 9 = 2
    assert m11_weights_2_7_check_digit("123456789") == "2"
    assert m11_weights_2_7_check_digit("1") == "9"  # 1*2 = 2 -> 9


@pytest.mark.spec("1.1.13")
def test_m11_remainder_zero_gives_check_digit_zero() -> None:
    # 4*2 + 1*3 = 11 -> remainder 0
    assert m11_weights_2_7_check_digit("000000014") == "0"


@pytest.mark.spec("1.1.13")
def test_m11_remainder_one_gives_zero_by_our_decision() -> None:
    # 6*2 = 12 -> remainder 1 -> 11 - 1 = 10 is no digit; the standard leaves it unstated
    assert m11_weights_2_7_check_digit("000000006") == "0"


@pytest.mark.parametrize("bad", ["", "12a", "１２"])
def test_m11_wants_ascii_digits(bad: str) -> None:
    with pytest.raises(ValueError):
        m11_weights_2_7_check_digit(bad)


@pytest.mark.spec("1.1.13")
def test_an_atena_number_is_a_nine_digit_serial_and_its_check_digit() -> None:
    number = AtenaNumber.from_serial(123456789)
    assert number.value == "1234567892"
    assert number.serial == 123456789
    assert str(number) == "1234567892"
    assert AtenaNumber.from_serial(1).value == "0000000019"


@pytest.mark.spec("1.1.13")
@given(st.integers(min_value=1, max_value=999_999_999))
def test_every_serial_round_trips_through_its_number(serial: int) -> None:
    atena = AtenaNumber.from_serial(serial)
    household = HouseholdNumber.from_serial(serial)
    assert AtenaNumber.parse(atena.value) == atena
    assert HouseholdNumber.parse(household.value).serial == serial
    assert type(AtenaNumber.parse(atena.value)) is AtenaNumber
    assert type(household) is HouseholdNumber


@pytest.mark.spec("1.1.13")
@given(st.integers(min_value=1, max_value=999_999_999))
def test_changing_one_digit_of_an_atena_number_is_caught(serial: int) -> None:
    number = AtenaNumber.from_serial(serial).value
    for changed in single_digit_changes(number):
        if number[9] == "0" and changed[9] == "0":
            continue  # remainders 0 and 1 share the check digit 0
        with pytest.raises(InvalidValue) as caught:
            AtenaNumber.parse(changed)
        assert caught.value.code == "atena_number.check_digit"


@pytest.mark.parametrize("serial", [0, -1, 1_000_000_000])
def test_a_serial_outside_one_to_999999999_is_refused(serial: int) -> None:
    with pytest.raises(InvalidValue) as caught:
        HouseholdNumber.from_serial(serial)
    assert caught.value.code == "household_number.serial"


@pytest.mark.parametrize(
    ("kind", "prefix", "label"),
    [(AtenaNumber, "atena_number", "宛名番号"), (HouseholdNumber, "household_number", "世帯番号")],
)
@pytest.mark.parametrize("text", ["123456789", "12345678921", "1234-56789-2", "12345678 92", "x"])
def test_atena_and_household_numbers_must_be_ten_digits(
    kind: type[AtenaNumber] | type[HouseholdNumber], prefix: str, label: str, text: str
) -> None:
    with pytest.raises(InvalidValue) as caught:
        kind.parse(text)
    assert caught.value.code == f"{prefix}.format"
    assert caught.value.field == prefix
    assert caught.value.message.startswith(label)


def test_a_household_number_with_a_wrong_check_digit_names_its_own_code() -> None:
    with pytest.raises(InvalidValue) as caught:
        HouseholdNumber.parse("1234567893", field="setai")
    assert caught.value.code == "household_number.check_digit"
    assert caught.value.field == "setai"
    assert caught.value.message == "世帯番号のチェックデジットが正しくありません"


def test_atena_numbers_accept_full_width_digits_and_surrounding_space() -> None:
    assert AtenaNumber.parse(" １２３４５６７８９２ ").value == "1234567892"


def test_an_atena_number_is_not_equal_to_the_household_number_with_the_same_digits() -> None:
    household: object = HouseholdNumber("1234567892")
    assert AtenaNumber("1234567892") != household


# -- 住民票コード --------------------------------------------------------------------


def test_a_resident_code_gets_its_check_digit_from_the_default_rule() -> None:
    code = ResidentCode.from_random_digits("0123456789")
    assert code.value == "0123456789" + m11_weights_2_7_check_digit("0123456789")
    assert ResidentCode.parse(code.value) == code
    assert str(code) == code.value


def test_a_resident_code_with_a_wrong_check_digit_is_refused_by_the_default_rule() -> None:
    with pytest.raises(InvalidValue) as caught:
        ResidentCode.parse("01234567893")
    assert caught.value.code == "resident_code.check_digit"
    assert caught.value.field == "resident_code"


@given(digit_strings(11))
def test_the_unchecked_rule_accepts_any_eleven_digits(digits: str) -> None:
    assert ResidentCode.parse(digits, rule=RESIDENT_CODE_UNCHECKED).value == digits


def test_the_unchecked_rule_appends_zero_to_random_digits() -> None:
    code = ResidentCode.from_random_digits("9876543210", rule=RESIDENT_CODE_UNCHECKED)
    assert code.value == "98765432100"


def test_a_resident_code_rule_is_a_parameter() -> None:
    def always_seven(first10: str) -> str | None:
        return "7"

    assert ResidentCode.from_random_digits("1111111111", rule=always_seven).value.endswith("7")
    assert ResidentCode.parse("11111111117", rule=always_seven).value == "11111111117"
    with pytest.raises(InvalidValue):
        ResidentCode.parse("11111111116", rule=always_seven)


@given(digit_strings(10))
def test_any_ten_random_digits_make_a_valid_resident_code(digits: str) -> None:
    code = ResidentCode.from_random_digits(digits, rule=RESIDENT_CODE_M11_W2_7)
    assert ResidentCode.parse(code.value.translate(FULL_WIDTH)) == code


@pytest.mark.parametrize("text", ["0123456789", "012345678920", "0123-456789-2", ""])
def test_a_resident_code_must_be_eleven_digits(text: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        ResidentCode.parse(text, field="code")
    assert caught.value.code == "resident_code.format"
    assert caught.value.field == "code"


@pytest.mark.parametrize("bad", ["123456789", "12345678901", "abcdefghij"])
def test_random_digits_must_be_ten_ascii_digits(bad: str) -> None:
    with pytest.raises(ValueError):
        ResidentCode.from_random_digits(bad)


# -- 在留カード番号 ------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["AB12345678CD", "ab12345678cd", " ＡＢ１２３４５６７８ＣＤ ", "ａb12345678Cｄ"]
)
def test_a_residence_card_number_is_normalised_to_upper_ascii(text: str) -> None:
    number = ResidenceCardNumber.parse(text)
    assert number.value == "AB12345678CD"
    assert str(number) == "AB12345678CD"


@pytest.mark.parametrize(
    "text", ["A12345678CD", "AB1234567CD", "AB12345678C", "AB-12345678-CD", "1234567890AB", ""]
)
def test_a_malformed_residence_card_number_is_refused(text: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        ResidenceCardNumber.parse(text)
    assert caught.value.code == "residence_card_number.format"
    assert caught.value.field == "residence_card_number"


def test_the_residence_card_constructor_refuses_lower_case() -> None:
    with pytest.raises(ValueError):
        ResidenceCardNumber("ab12345678cd")
