"""Records as people read them: 和暦 for Japanese residents, 西暦 only where the standard says."""

from __future__ import annotations

import pytest

from jichitai.entrypoints.presenters import record_view, summary_view
from tests.factories import a_foreign_person, a_household, a_person, a_valid_individual_number
from tests.fakes import FakeRegister


@pytest.mark.spec("1.1.9")
def test_a_japanese_residents_dates_are_shown_in_wareki_and_the_my_number_masked() -> None:
    fake = FakeRegister()
    number = a_valid_individual_number(3)
    _, (head,) = a_household(fake, a_person(born="昭和50年1月2日", individual_number=number))
    view = record_view(fake.currents[head.value])
    assert view["birth_date"] == "昭和50年1月2日"
    assert view["became_resident_on"].startswith("令和")
    assert view["individual_number"] == "********" + number.value[-4:]
    assert (
        record_view(fake.currents[head.value], show_individual_number=True)["individual_number"]
        == number.value
    )


@pytest.mark.spec("1.1.9")
def test_a_foreign_residents_birth_and_expiry_are_in_seireki_other_dates_in_wareki() -> None:
    fake = FakeRegister()
    _, (person,) = a_household(fake, a_foreign_person())
    record = fake.currents[person.value]
    view = record_view(record)
    assert view["birth_date"][:4].isdigit()
    assert view["foreign"]["stay_expires_on"][:4].isdigit()
    assert view["foreign"]["became_foreign_resident_on"].startswith(("令和", "平成", "昭和"))
    assert view["became_resident_on"].startswith(("令和", "平成", "昭和"))
    assert summary_view(record)["birth_date"][:4].isdigit()
