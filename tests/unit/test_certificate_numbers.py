"""発行番号 (standard §5.5 (1040)), the 確認コード beside it, and the QR payload's format."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jichitai.domain.certificates.issue_numbers import (
    IssueNumber,
    check_digit,
    grouped,
    legacy_municipality,
    new_code,
    parse_code,
)
from jichitai.domain.certificates.verification import QrPayload, content_digest, signed_message
from jichitai.domain.errors import DomainError

pytestmark = pytest.mark.spec("5.5")

CODE = new_code("31415926535897932384")
NUMBER = IssueNumber(date(2026, 11, 26), "131016", "千代田区", "本庁1", "プリンタ001", 11, CODE)
LEGACY = "202611261310160000011" + check_digit("202611261310160000011")
"""A code as copies issued before random codes carry: date, municipality, sequence, check."""

random_codes = st.text("0123456789", min_size=20, max_size=20).map(new_code)


def test_the_standards_display_and_a_digit_code_for_each_copy() -> None:
    assert NUMBER.display(1, 2) == "20261126 千代田区 本庁1 プリンタ001 011 1/2"
    blank = IssueNumber(date(2026, 11, 26), "131016", "千代田区", "", "", 7, CODE)
    assert blank.display(1, 1) == "20261126 千代田区   007 1/1"  # unknown devices left blank
    # The code is the random digits and a check digit: nothing of the date, place or sequence.
    assert CODE[:20] == "31415926535897932384" and len(CODE) == 21
    assert grouped(CODE) == "3141-5926-5358-9793-23849"
    assert parse_code(grouped(CODE)) == CODE
    assert parse_code(" ３１４１ー5926 5358‐9793 23849 ") == CODE  # as typed on a Japanese keyboard
    assert legacy_municipality(CODE) is None
    # Copies issued before keep their sequential codes, which still read (paper is in use).
    assert parse_code(f"{LEGACY[:8]}-{LEGACY[8:14]} {LEGACY[14:]}") == LEGACY
    assert legacy_municipality(LEGACY) == "131016" and grouped(LEGACY) == LEGACY
    with pytest.raises(ValueError):
        NUMBER.display(3, 2)
    # §5.5: several copies of one request, a different 発行番号 each (the following numbers).
    assert NUMBER.display(2, 2, copy=3) == "20261126 千代田区 本庁1 プリンタ001 013 2/2"
    with pytest.raises(ValueError):
        NUMBER.display(1, 1, copy=0)
    with pytest.raises(ValueError):  # a 発行番号 never gets a legacy or unchecked code
        IssueNumber(date(2026, 11, 26), "131016", "千代田区", "", "", 1, LEGACY)


@given(random_codes, st.integers(0, 20), st.integers(1, 9))
def test_a_single_mistyped_digit_is_refused(code: str, position: int, shift: int) -> None:
    """Before anything is looked up: a wrong digit, or two neighbours swapped."""
    wrong = code[:position] + str((int(code[position]) + shift) % 10) + code[position + 1 :]
    swapped = (
        code[:position] + code[position + 1 : position + 2] + code[position] + code[position + 2 :]
    )
    for typed in (wrong, swapped if swapped != code else wrong):
        with pytest.raises(DomainError) as refused:
            parse_code(typed)
        assert refused.value.code == "certificate.code_invalid"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "abc",
        CODE[:-1],
        CODE + "0",
        "2026112613101600000111",  # a legacy code with a wrong check digit
        "20261326131016000001",
        "1" * 21,
    ],
)
def test_codes_that_are_not_codes_are_refused(text: str) -> None:
    with pytest.raises(DomainError):
        parse_code(text)


def test_the_qr_payload_round_trips_and_refuses_anything_else() -> None:
    digest = content_digest(["住民票の写し", "髙橋　一郎", "葛\U000e0102飾"])
    assert digest != content_digest(["住民票の写し", "高橋　一郎", "葛飾"])
    payload = QrPayload("131016", CODE, digest, b"\x30" * 70)
    assert payload.text().startswith(f"JICHITAI2 131016 {CODE} ")
    assert QrPayload.parse(payload.text()) == payload
    # The municipality is signed with the code: the code alone no longer names it.
    assert signed_message("131016", CODE, digest) == f"131016:{CODE}:{digest.hex()}".encode()
    assert payload.message == signed_message("131016", CODE, digest)
    # A copy printed before random codes keeps its payload and its signed message.
    legacy = QrPayload("131016", LEGACY, digest, b"\x30" * 70)
    assert legacy.text().startswith(f"JICHITAI1 {LEGACY} ")
    assert QrPayload.parse(legacy.text()) == legacy
    assert legacy.message == f"{LEGACY}:{digest.hex()}".encode()
    for text in (
        "",
        "https://example.com",
        payload.text().replace("JICHITAI2", "OTHER2"),
        payload.text().replace(CODE, CODE[:-1] + str((int(CODE[-1]) + 1) % 10)),
        legacy.text().replace("JICHITAI1", "JICHITAI2"),
    ):
        with pytest.raises(DomainError) as refused:
            QrPayload.parse(text)
        assert refused.value.code == "certificate.qr_invalid"
