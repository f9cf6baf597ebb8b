"""Who certifies a copy (§1.3.9 認証者, §5.6): the mayor, or the 職務代理者 during the period."""

from __future__ import annotations

from datetime import date

import pytest

from jichitai.domain.certificates.issuer import (
    Certifier,
    CertifierChoice,
    Deputy,
    IssuerText,
    check_issuer,
    choose_certifier,
)
from jichitai.domain.errors import DomainError

pytestmark = pytest.mark.spec("1.3.9")

DEPUTY = Deputy(
    "東京都千代田区長職務代理者　東京都千代田区副区長",
    "佐藤　次郎",
    date(2026, 12, 1),
    date(2026, 12, 10),
)
TEXT = IssuerText("東京都千代田区長", "山田　太郎", DEPUTY)
MAYOR = Certifier("東京都千代田区長", "山田　太郎")
ACTING = Certifier(DEPUTY.title, DEPUTY.name, is_deputy=True)
TOKYO = "東京都"


def choose(text: IssuerText, day: date, choice: CertifierChoice) -> Certifier:
    return choose_certifier(text, day, choice, prefecture=TOKYO)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 11, 30), MAYOR),
        (date(2026, 12, 1), ACTING),
        (date(2026, 12, 10), ACTING),
        (date(2026, 12, 11), MAYOR),
    ],
)
def test_the_deputy_certifies_on_the_days_of_the_period_and_the_mayor_otherwise(
    day: date, expected: Certifier
) -> None:
    assert choose(TEXT, day, CertifierChoice.AUTO) == expected


def test_a_copy_may_name_either_whatever_the_day_but_not_a_deputy_never_registered() -> None:
    during = date(2026, 12, 5)
    assert choose(TEXT, during, CertifierChoice.MAYOR) == MAYOR
    assert choose(TEXT, date(2027, 1, 5), CertifierChoice.DEPUTY) == ACTING
    open_ended = IssuerText(
        "東京都千代田区長", "山田　太郎", Deputy("東京都副区長", "佐藤", date(2026, 12, 1))
    )
    assert choose(open_ended, date(2030, 1, 1), CertifierChoice.AUTO).is_deputy
    no_period = IssuerText("東京都千代田区長", "山田　太郎", Deputy("東京都副区長", "佐藤"))
    assert choose(no_period, during, CertifierChoice.AUTO) == MAYOR  # a deputy only if chosen
    with pytest.raises(DomainError) as none:
        choose(IssuerText("東京都千代田区長", "山田　太郎"), during, CertifierChoice.DEPUTY)
    assert none.value.code == "certificate.no_deputy" and none.value.violations[0].field == (
        "certifier"
    )


def test_settings_are_trimmed_and_every_fault_is_told_at_once() -> None:
    """Names too: §1.3.9 says not to build a certifier left unnamed (「○○長 公印」)."""
    text = check_issuer(
        " 東京都千代田区長 ",
        "山田　太郎",
        Deputy(" 東京都千代田区副区長 ", "佐藤"),
        " この印は黒色です ",
        prefecture=TOKYO,
    )
    assert text == IssuerText(
        "東京都千代田区長", "山田　太郎", Deputy("東京都千代田区副区長", "佐藤"), "この印は黒色です"
    )
    with pytest.raises(DomainError) as refused:
        check_issuer(
            "",
            " ",
            Deputy(" ", "", date(2026, 12, 10), date(2026, 12, 1)),
            "長" * 41,
            prefecture=TOKYO,
        )
    faults = {(v.code, v.field) for v in refused.value.violations}
    assert faults == {
        ("certificate.issuer_title_required", "mayor_title"),
        ("certificate.issuer_name_required", "mayor_name"),
        ("certificate.issuer_title_required", "deputy.title"),
        ("certificate.issuer_name_required", "deputy.name"),
        ("certificate.deputy_period_invalid", "deputy.ends_on"),
        ("certificate.issuer_too_long", "fixed_phrase"),
    }
    with pytest.raises(DomainError) as no_start:
        check_issuer(
            "東京都区長",
            "山田",
            Deputy("東京都副区長", "佐藤", None, date(2026, 12, 1)),
            prefecture=TOKYO,
        )
    assert no_start.value.code == "certificate.deputy_period_invalid"
