"""印鑑登録: who may register, the seal's size, and how a registration ends."""

from __future__ import annotations

from datetime import date

import pytest

from jichitai.domain.errors import DomainError
from jichitai.domain.seals.registration import (
    Applicant,
    EndReason,
    Impression,
    SealRegistration,
    SealStatus,
    attained_age,
    check_registration,
    end_registration,
)

TODAY = date(2026, 11, 26)
GOOD = Impression(15.0, 15.0)


def an_applicant(**changes: object) -> Applicant:
    values: dict[str, object] = {
        "atena_number": "0000000019",
        "is_resident": True,
        "birth_date": date(1980, 1, 2),
    }
    values.update(changes)
    return Applicant(**values)  # type: ignore[arg-type]


def a_registration(**changes: object) -> SealRegistration:
    values: dict[str, object] = {
        "atena_number": "0000000019",
        "registration_number": "00001",
        "registered_on": date(2020, 4, 1),
        "impression": GOOD,
        "image_sha256": "0" * 64,
    }
    values.update(changes)
    return SealRegistration(**values)  # type: ignore[arg-type]


def codes(error: DomainError) -> list[str]:
    return [v.code for v in error.violations]


@pytest.mark.parametrize(
    ("born", "on", "age"),
    [
        (date(2011, 4, 1), date(2026, 3, 30), 14),
        (date(2011, 4, 1), date(2026, 3, 31), 15),  # the eve of the birthday
        (date(2008, 2, 29), date(2023, 2, 27), 14),
        (date(2008, 2, 29), date(2023, 2, 28), 15),  # common year: the eve of 1 March
        (date(2008, 2, 29), date(2024, 2, 27), 15),
        (date(2008, 2, 29), date(2024, 2, 28), 16),  # leap year: the eve of 29 February
    ],
)
def test_age_is_counted_as_the_law_counts_it(born: date, on: date, age: int) -> None:
    assert attained_age(born, on) == age


def test_a_resident_of_fifteen_with_a_seal_of_8_to_25_mm_may_register() -> None:
    check_registration(an_applicant(birth_date=date(2011, 11, 27)), None, GOOD, TODAY)
    for side in (8.0, 25.0):
        check_registration(an_applicant(), None, Impression(side, side), TODAY)
    ended = end_registration(a_registration(), EndReason.REQUESTED, date(2025, 1, 1))
    check_registration(an_applicant(), ended, GOOD, TODAY)  # after abolition: again


def test_every_reason_to_refuse_is_given_at_once() -> None:
    with pytest.raises(DomainError) as refused:
        check_registration(
            an_applicant(is_resident=False, birth_date=date(2012, 1, 1), adult_ward=True),
            a_registration(),
            Impression(7.9, 25.1),
            TODAY,
        )
    assert codes(refused.value) == [
        "seal.already_registered",
        "seal.not_resident",
        "seal.too_young",
        "seal.adult_ward_conditions",
        "seal.size",
        "seal.size",
    ]
    with pytest.raises(DomainError) as unknown:
        check_registration(an_applicant(birth_date=None), None, GOOD, TODAY)
    assert codes(unknown.value) == ["seal.birth_date_unknown"]
    check_registration(
        an_applicant(adult_ward=True, representative_present=True), None, GOOD, TODAY
    )


def test_a_registration_ends_once_by_loss_or_abolition() -> None:
    lost = end_registration(a_registration(), EndReason.CARD_LOST, TODAY)
    assert (lost.status, lost.ended_on, lost.end_reason) == (
        SealStatus.LOST,
        TODAY,
        EndReason.CARD_LOST,
    )
    died = end_registration(a_registration(), EndReason.DIED, TODAY)
    assert died.status is SealStatus.ABOLISHED and not died.is_active
    with pytest.raises(DomainError) as again:
        end_registration(lost, EndReason.REQUESTED, TODAY)
    assert codes(again.value) == ["seal.not_active"]
    with pytest.raises(DomainError) as early:
        end_registration(a_registration(), EndReason.REQUESTED, date(2019, 1, 1))
    assert codes(early.value) == ["seal.end_before_registration"]


def test_the_impression_is_measured_from_pixels_and_declared_resolution() -> None:
    measured = Impression.from_pixels(177, 354, 300, 600)
    assert measured.width_mm == pytest.approx(14.986, abs=0.001)
    assert measured.height_mm == pytest.approx(14.986, abs=0.001)
