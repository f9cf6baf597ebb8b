"""発行番号 (standard §5.5 (1040)) and the QR payload's format."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jichitai.domain.certificates.issue_numbers import IssueNumber, check_digit, parse_code
from jichitai.domain.certificates.verification import QrPayload, content_digest, signed_message
from jichitai.domain.errors import DomainError

pytestmark = pytest.mark.spec("5.5")

NUMBER = IssueNumber(date(2026, 11, 26), "131016", "千代田区", "本庁1", "プリンタ001", 11)


def test_the_standards_display_and_a_digit_code_for_each_copy() -> None:
    assert NUMBER.display(1, 2) == "20261126 千代田区 本庁1 プリンタ001 011 1/2"
    blank = IssueNumber(date(2026, 11, 26), "131016", "千代田区", "", "", 7)
    assert blank.display(1, 1) == "20261126 千代田区   007 1/1"  # unknown devices left blank
    assert NUMBER.code == "202611261310160000011" + check_digit("202611261310160000011")
    assert parse_code(NUMBER.code) == (date(2026, 11, 26), "131016", 11)
    assert parse_code(f"{NUMBER.code[:8]}-{NUMBER.code[8:14]} {NUMBER.code[14:]}")[2] == 11
    with pytest.raises(ValueError):
        NUMBER.display(3, 2)


@given(st.integers(1, 9_999_999), st.integers(0, 21), st.integers(1, 9))
def test_a_single_mistyped_digit_is_refused(sequence: int, position: int, shift: int) -> None:
    code = IssueNumber(date(2026, 11, 26), "131016", "千代田区", "", "", sequence).code
    wrong = code[:position] + str((int(code[position]) + shift) % 10) + code[position + 1 :]
    with pytest.raises(DomainError) as refused:
        parse_code(wrong)
    assert refused.value.code == "certificate.code_invalid"


@pytest.mark.parametrize("text", ["", "abc", "2026112613101600000111", "20261326131016000001"])
def test_codes_that_are_not_codes_are_refused(text: str) -> None:
    with pytest.raises(DomainError):
        parse_code(text)


def test_the_qr_payload_round_trips_and_refuses_anything_else() -> None:
    digest = content_digest(["住民票の写し", "髙橋　一郎", "葛\U000e0102飾"])
    assert digest != content_digest(["住民票の写し", "高橋　一郎", "葛飾"])
    payload = QrPayload(NUMBER.code, digest, b"\x30" * 70)
    assert QrPayload.parse(payload.text()) == payload
    assert signed_message(NUMBER.code, digest) == f"{NUMBER.code}:{digest.hex()}".encode()
    for text in ("", "https://example.com", payload.text().replace("JICHITAI1", "OTHER1")):
        with pytest.raises(DomainError) as refused:
            QrPayload.parse(text)
        assert refused.value.code == "certificate.qr_invalid"
