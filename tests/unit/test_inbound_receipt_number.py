"""The 受付番号 reader of the inbound decoder: a number as read out at the counter."""

from __future__ import annotations

import pytest

from jichitai.domain.errors import InvalidValue
from jichitai.domain.inbound.text import read_receipt_number


@pytest.mark.parametrize(
    ("typed", "number"),
    [("123", 123), ("000123", 123), ("１２３", 123), (" 42\u3000", 42), ("", None), ("　", None)],
)
def test_a_receipt_number_is_read_in_half_or_full_width_digits(
    typed: str, number: int | None
) -> None:
    assert read_receipt_number(typed, "number") == number


@pytest.mark.parametrize("typed", ["12a", "１２-３", "1234567890", "٣", "-1", "1.5"])
def test_anything_but_up_to_nine_digits_is_refused_naming_the_field(typed: str) -> None:
    with pytest.raises(InvalidValue) as refused:
        read_receipt_number(typed, "number")
    (violation,) = refused.value.violations
    assert violation.code == "input.receipt_number" and violation.field == "number"
    assert violation.message == "受付番号は数字で入力してください"
