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
    "千代田区長職務代理者　千代田区副区長", "佐藤　次郎", date(2026, 12, 1), date(2026, 12, 10)
)
TEXT = IssuerText("千代田区長", "山田　太郎", DEPUTY)
MAYOR = Certifier("千代田区長", "山田　太郎")
ACTING = Certifier(DEPUTY.title, DEPUTY.name, is_deputy=True)


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
    assert choose_certifier(TEXT, day, CertifierChoice.AUTO) == expected


def test_a_copy_may_name_either_whatever_the_day_but_not_a_deputy_never_registered() -> None:
    during = date(2026, 12, 5)
    assert choose_certifier(TEXT, during, CertifierChoice.MAYOR) == MAYOR
    assert choose_certifier(TEXT, date(2027, 1, 5), CertifierChoice.DEPUTY) == ACTING
    open_ended = IssuerText("千代田区長", "", Deputy("職務代理者", "", date(2026, 12, 1)))
    assert choose_certifier(open_ended, date(2030, 1, 1), CertifierChoice.AUTO).is_deputy
    unnamed = IssuerText("千代田区長", "", Deputy("職務代理者", ""))  # no period: only if chosen
    assert choose_certifier(unnamed, during, CertifierChoice.AUTO) == Certifier("千代田区長", "")
    with pytest.raises(DomainError) as none:
        choose_certifier(IssuerText("千代田区長", ""), during, CertifierChoice.DEPUTY)
    assert none.value.code == "certificate.no_deputy" and none.value.violations[0].field == (
        "certifier"
    )


def test_settings_are_trimmed_and_every_fault_is_told_at_once() -> None:
    """Names too: §1.3.9 says not to build a certifier left unnamed (「○○長 公印」)."""
    text = check_issuer(
        " 千代田区長 ", "山田　太郎", Deputy(" 副区長 ", "佐藤"), " この印は黒色です "
    )
    assert text == IssuerText(
        "千代田区長", "山田　太郎", Deputy("副区長", "佐藤"), "この印は黒色です"
    )
    with pytest.raises(DomainError) as refused:
        check_issuer(
            "",
            " ",
            Deputy(" ", "", date(2026, 12, 10), date(2026, 12, 1)),
            "長" * 41,
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
        check_issuer("区長", "山田", Deputy("副区長", "佐藤", None, date(2026, 12, 1)))
    assert no_start.value.code == "certificate.deputy_period_invalid"
