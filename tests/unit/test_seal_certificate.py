"""What a 印鑑登録証明書 says, and whose card gets one."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from jichitai.domain.certificates.contents import certificate_lines
from jichitai.domain.certificates.seal_certificate import (
    check_seal_card,
    seal_certificate_sheets,
)
from jichitai.domain.errors import DomainError
from jichitai.domain.residents.model import ResidentRecord, ResidentStatus
from jichitai.domain.seals.registration import (
    EndReason,
    Impression,
    SealRegistration,
    end_registration,
)
from tests.factories import a_foreign_person, a_household, a_person
from tests.fakes import FakeRegister


def resident(*members: object) -> ResidentRecord:
    fake = FakeRegister()
    _, [atena, *_] = a_household(fake, *members)  # type: ignore[arg-type]
    record = fake.current(atena)
    assert record is not None
    return record


def registration_of(record: ResidentRecord) -> SealRegistration:
    return SealRegistration(
        atena_number=record.atena_number.value,
        registration_number="00000042",
        registered_on=date(2026, 4, 1),
        impression=Impression(15.0, 14.8),
        image_sha256="cd" * 32,
    )


def test_the_certificate_shows_the_impression_and_the_persons_items() -> None:
    record = resident(a_person(name="髙橋", given="𠮷郎"))
    [sheet] = seal_certificate_sheets(record, registration_of(record))
    assert sheet.title == "印鑑登録証明書"
    assert [f.label for f in sheet.persons[0].fields] == ["氏名", "生年月日", "男女の別", "住所"]
    assert sheet.persons[0].fields[0].value == "髙橋　𠮷郎"
    assert sheet.persons[0].fields[1].value.startswith("昭和50年")
    assert sheet.certification == "この写しは、登録されている印影と相違ないことを証明する。"
    assert sheet.impression is not None and sheet.impression.registration_number == "00000042"
    lines = certificate_lines([sheet])
    assert "印影　" + "cd" * 32 in lines  # the digest covers the image
    assert not any("00000042" in line for line in lines)  # the card's number is not printed


def test_a_foreign_residents_certificate_has_the_roman_name_and_a_seireki_birth_date() -> None:
    record = resident(a_foreign_person())
    [sheet] = seal_certificate_sheets(record, registration_of(record))
    values = {f.label: f.value for f in sheet.persons[0].fields}
    assert values["氏名（ローマ字）"] == "WANG SHUKICHI"
    assert values["生年月日"].startswith("1990年")


def test_only_the_card_of_a_registration_in_force_gets_a_certificate() -> None:
    record = resident(a_person())
    registration = registration_of(record)
    assert check_seal_card(registration, " 00000042 ") == registration
    with pytest.raises(DomainError) as wrong:
        check_seal_card(registration, "00000041")
    assert (wrong.value.code, wrong.value.violations[0].field) == (
        "seal.card_mismatch",
        "seal_card_number",
    )
    lost = end_registration(registration, EndReason.CARD_LOST, date(2026, 5, 1))
    for nothing in (None, lost):
        with pytest.raises(DomainError) as refused:
            check_seal_card(nothing, "00000042")
        assert refused.value.code == "seal.not_registered"
    with pytest.raises(DomainError) as removed:
        seal_certificate_sheets(replace(record, status=ResidentStatus.DEAD), registration)
    assert removed.value.code == "seal.not_registered"
