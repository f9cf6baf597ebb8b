"""Changes only foreign residents have (§4.5): arrival, status change, naturalisation, loss of
nationality; and the art. 30-45 items that may not be blank (§1.1.6)."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from jichitai.domain.common.address import Address
from jichitai.domain.common.dates import RecordDate
from jichitai.domain.common.identifiers import AtenaNumber, ResidenceCardNumber
from jichitai.domain.common.names import PersonName
from jichitai.domain.errors import Severity
from jichitai.domain.residents.commands import (
    ChangeHeader,
    Correct,
    LoseNationality,
    MoveIn,
    MoveOut,
    Naturalise,
    NewPerson,
    RecordChanges,
)
from jichitai.domain.residents.model import (
    FamilyRegister,
    ForeignResidentCategory,
    ResidentKind,
    ResidentStatus,
)
from jichitai.domain.residents.reasons import ChangeReason
from jichitai.domain.residents.view import ChangeKind
from tests.factories import (
    a_family_register,
    a_foreign_person,
    a_header,
    a_household,
    a_person,
    a_valid_individual_number,
    an_address,
    an_overseas_address,
    foreign_details,
)
from tests.fakes import FakeRegister, record, refused, violation

ERROR = Severity.ERROR
C = ForeignResidentCategory


def arrival(
    *members: NewPerson, previous: Address | None = None, header: ChangeHeader | None = None
) -> MoveIn:
    return MoveIn(
        header=header or a_header(),
        members=members or (a_foreign_person(),),
        address=an_address("五丁目6番7号", "霞が関コーポ203"),
        previous_address=previous if previous is not None else Address(),
        from_abroad=True,
    )


def arrived(fake: FakeRegister, person: NewPerson | None = None) -> AtenaNumber:
    (r,) = record(
        fake, arrival(person or a_foreign_person(individual_number=a_valid_individual_number(21)))
    ).records
    return r.atena_number


# --- 法第30条の46 転入 / 第30条の47 ----------------------------------------------------------------


@pytest.mark.spec("4.5.1")
def test_an_arrival_from_abroad_is_a_move_in_with_a_blank_previous_address() -> None:
    fake = FakeRegister()
    plan = record(fake, arrival())
    (r,) = plan.records
    assert plan.kind is ChangeKind.MOVE_IN
    assert plan.reason is ChangeReason.MOVE_IN_FROM_ABROAD
    assert plan.alerts == ()
    assert r.kind is ResidentKind.FOREIGN
    assert r.previous_address is None
    assert r.family_register is None
    assert r.foreign is not None
    assert r.foreign.residence_card_number == ResidenceCardNumber("AB12345678CD")
    assert r.foreign.category is C.MID_TO_LONG_TERM
    assert r.foreign.stay_expires_on == date(2029, 3, 31)
    assert r.name.roman == "WANG SHUKICHI" and r.name.given == "秀𠮷"


@pytest.mark.spec("4.5.1")
def test_an_arrival_may_also_give_the_overseas_previous_address() -> None:
    fake = FakeRegister()
    (r,) = record(fake, arrival(previous=an_overseas_address("中華人民共和国", "上海市"))).records
    assert r.previous_address is not None and r.previous_address.country == "中華人民共和国"


@pytest.mark.spec("4.5.2")
def test_a_person_already_living_here_becoming_a_foreign_resident_is_entered_like_an_arrival() -> (
    None
):
    # 第30条の47: e.g. a 経過滞在者 born here who became a mid-to-long-term resident.
    fake = FakeRegister()
    person = a_foreign_person(foreign=foreign_details(became_foreign_resident_on="2026-11-18"))
    (r,) = record(fake, arrival(person)).records
    assert r.foreign is not None
    assert r.foreign.became_foreign_resident_on == RecordDate.of(date(2026, 11, 18))


@pytest.mark.spec("1.1.6")
@pytest.mark.parametrize(
    ("details", "code", "field"),
    [
        (
            foreign_details(card=None),
            "foreign.residence_card_required",
            "members[0].foreign.residence_card_number",
        ),
        (
            foreign_details(residence_status=""),
            "foreign.residence_status_required",
            "members[0].foreign.residence_status",
        ),
        (
            foreign_details(stay_expires_on=None),
            "foreign.expiry_required",
            "members[0].foreign.stay_expires_on",
        ),
        (
            foreign_details(category=C.SPECIAL_PERMANENT, card=None),
            "foreign.certificate_number_required",
            "members[0].foreign.special_permanent_certificate_number",
        ),
        (
            foreign_details(category=C.TEMPORARY_REFUGE, card=None, period_of_stay=""),
            "foreign.period_required",
            "members[0].foreign.period_of_stay",
        ),
        (
            foreign_details(category=C.PROVISIONAL_STAY, card=None, period_of_stay=""),
            "foreign.period_required",
            "members[0].foreign.period_of_stay",
        ),
    ],
    ids=[
        "card",
        "status",
        "expiry",
        "special-permanent-certificate",
        "landing-period",
        "provisional-stay-period",
    ],
)
def test_the_category_items_that_are_never_blank_are_required(
    details: object, code: str, field: str
) -> None:
    fake = FakeRegister()
    refusal = refused(fake, arrival(a_foreign_person(foreign=details)))  # type: ignore[arg-type]
    violation(refusal, code, field, ERROR)


@pytest.mark.spec("1.1.2")
def test_a_special_permanent_resident_with_a_certificate_needs_no_residence_card() -> None:
    fake = FakeRegister()
    details = foreign_details(
        category=C.SPECIAL_PERMANENT,
        card=None,
        residence_status="",
        stay_expires_on=None,
        period_of_stay="",
        special_permanent_certificate_number="AB98765432CD",
    )
    (r,) = record(fake, arrival(a_foreign_person(foreign=details))).records
    assert r.foreign is not None and r.foreign.category is C.SPECIAL_PERMANENT


@pytest.mark.spec("1.1.2")
def test_a_foreign_resident_has_no_honseki_and_needs_the_foreign_items() -> None:
    fake = FakeRegister()
    refusal = refused(fake, arrival(a_foreign_person(family_register=a_family_register())))
    violation(refusal, "person.family_register_for_foreign", "members[0].family_register", ERROR)
    refusal = refused(fake, arrival(dataclasses.replace(a_foreign_person(), foreign=None)))
    violation(refusal, "person.foreign_items_required", "members[0].foreign", ERROR)


@pytest.mark.spec("1.1.1")
def test_a_japanese_resident_cannot_carry_foreign_items() -> None:
    fake = FakeRegister()
    refusal = refused(
        fake, arrival(a_person(foreign=foreign_details()), previous=an_overseas_address())
    )
    violation(refusal, "person.foreign_items_for_japanese", "members[0].foreign", ERROR)


@pytest.mark.spec("4.1.1.2")
def test_a_residence_card_held_by_a_living_resident_is_refused() -> None:
    fake = FakeRegister()
    arrived(fake)
    other = a_foreign_person(name="李", given="明", kana=("リ", "メイ"), roman="LI MING")
    refusal = refused(fake, arrival(other))
    violation(refusal, "person.duplicate_live", "members[0].foreign.residence_card_number", ERROR)


@pytest.mark.spec("4.1.1.2")
def test_a_foreign_resident_returning_from_abroad_keeps_the_atena_number() -> None:
    fake = FakeRegister()
    atena = arrived(fake)
    record(
        fake,
        MoveOut(
            header=a_header(effective_on=date(2026, 11, 21)),
            atena_numbers=(atena,),
            planned_on=date(2026, 11, 21),
            onward_address=an_overseas_address("中華人民共和国"),
            abroad=True,
        ),
    )
    again = a_foreign_person(foreign=foreign_details(became_foreign_resident_on="2026-11-25"))
    (r,) = record(fake, arrival(again, header=a_header(effective_on=date(2026, 11, 25)))).records
    assert r.atena_number == atena
    assert r.history_number == 3
    assert r.individual_number == a_valid_individual_number(21)  # kept from the removed record


# --- 在留資格の変更 (出入国在留管理庁長官通知) ----------------------------------------------------------


@pytest.mark.spec("4.5.6")
def test_a_change_of_status_of_residence_is_an_ex_officio_correction() -> None:
    fake = FakeRegister()
    atena = arrived(fake)
    before = fake.now(atena)
    assert before.foreign is not None
    renewed = dataclasses.replace(
        before.foreign,
        residence_status="永住者",
        period_of_stay="無期限",
        stay_expires_on=date(2033, 11, 24),
        residence_card_number=ResidenceCardNumber("CD87654321EF"),
    )
    command = Correct(
        header=a_header(effective_on=date(2026, 11, 24), filed_on=None),
        atena_number=atena,
        reason=ChangeReason.EX_OFFICIO_CORRECTION,
        changes=RecordChanges(foreign=renewed),
    )
    plan = record(fake, command)
    (r,) = plan.records
    assert plan.reason is ChangeReason.EX_OFFICIO_CORRECTION and plan.ex_officio is True
    assert r.foreign == renewed
    assert r.history_number == 2
    assert fake.snapshot(atena, 1) == before
    assert fake.find_by_identifiers(None, None, ResidenceCardNumber("CD87654321EF")) == [r]


@pytest.mark.spec("4.5.6")
def test_honseki_cannot_be_given_to_a_foreign_resident_by_correction() -> None:
    fake = FakeRegister()
    atena = arrived(fake)
    command = Correct(
        header=a_header(),
        atena_number=atena,
        reason=ChangeReason.EX_OFFICIO_CORRECTION,
        changes=RecordChanges(family_register=a_family_register()),
    )
    violation(
        refused(fake, command),
        "person.family_register_for_foreign",
        "changes.family_register",
        ERROR,
    )


# --- 帰化 ----------------------------------------------------------------------------------------

JAPANESE_NAME = PersonName.create("王", "秀𠮷", "オウ", "ヒデキチ")


@pytest.mark.spec("4.5.3")
def test_naturalisation_keeps_the_identifiers_address_and_birth_date() -> None:
    fake = FakeRegister()
    household, (atena,) = a_household(
        fake,
        a_foreign_person(
            individual_number=a_valid_individual_number(22),
            foreign=foreign_details(became_foreign_resident_on="2020-04-01"),
        ),
        header=a_header(effective_on=date(2026, 11, 1)),
    )
    before = fake.now(atena)
    register = FamilyRegister("東京都千代田区霞が関一丁目2番", "王　秀𠮷")
    plan = record(
        fake,
        Naturalise(
            header=a_header(effective_on=date(2026, 11, 24), filed_on=None),
            atena_number=atena,
            name=JAPANESE_NAME,
            family_register=register,
        ),
    )
    removed, entered = plan.records
    assert plan.kind is ChangeKind.NATURALISATION
    assert plan.reason is ChangeReason.EX_OFFICIO_ENTRY_NATURALISATION
    assert plan.ex_officio is True
    # The foreign record is removed ...
    assert removed.history_number == 2
    assert removed.kind is ResidentKind.FOREIGN
    assert removed.status is ResidentStatus.REMOVED
    assert (
        removed.reason is removed.removal_reason is ChangeReason.EX_OFFICIO_REMOVAL_NATURALISATION
    )
    assert removed.removed_on == date(2026, 11, 24)
    # ... and a Japanese record follows, keeping what §4.5.3 lists.
    assert entered.history_number == 3
    assert entered.kind is ResidentKind.JAPANESE
    assert entered.status is ResidentStatus.RESIDENT
    assert entered.reason is ChangeReason.EX_OFFICIO_ENTRY_NATURALISATION
    assert entered.name == JAPANESE_NAME
    assert entered.family_register == register
    assert entered.foreign is None
    assert entered.atena_number == before.atena_number
    assert entered.resident_code == before.resident_code
    assert entered.individual_number == before.individual_number
    assert entered.address == before.address
    assert entered.birth_date == before.birth_date
    assert entered.sex == before.sex
    assert entered.relationship == before.relationship
    assert entered.household_number == household
    assert entered.address_set_on == before.address_set_on
    assert entered.previous_address == before.previous_address
    # 外国人住民となった年月日 becomes 住民となった年月日.
    assert entered.became_resident_on == RecordDate.of(date(2020, 4, 1))
    assert entered.removal_reason is None and entered.removed_on is None
    assert fake.household_residents(household) == [entered]
    assert fake.snapshot(atena, 2) == removed


@pytest.mark.spec("4.5.3")
def test_a_japanese_resident_cannot_be_naturalised() -> None:
    fake = FakeRegister()
    _, (atena,) = a_household(fake)
    command = Naturalise(
        header=a_header(),
        atena_number=atena,
        name=JAPANESE_NAME,
        family_register=a_family_register(),
    )
    violation(refused(fake, command), "naturalise.not_foreign", "atena_number", ERROR)


# --- 国籍喪失 ------------------------------------------------------------------------------------


@pytest.mark.spec("4.5.5")
def test_loss_of_nationality_removes_the_japanese_record_and_enters_a_foreign_one() -> None:
    fake = FakeRegister()
    _household, (atena,) = a_household(
        fake, a_person(individual_number=a_valid_individual_number(23))
    )
    before = fake.now(atena)
    details = foreign_details(
        nationality="アメリカ合衆国",
        category=C.TRANSITIONAL_LOSS_OF_NATIONALITY,
        residence_status="",
        period_of_stay="",
        stay_expires_on=None,
        card=None,
        became_foreign_resident_on="2026-11-23",
    )
    roman = PersonName.create("", "", roman="TAKAHASHI ICHIRO")
    plan = record(
        fake,
        LoseNationality(
            header=a_header(effective_on=date(2026, 11, 23)),
            atena_number=atena,
            name=roman,
            foreign=details,
        ),
    )
    removed, entered = plan.records
    assert plan.kind is ChangeKind.LOSS_OF_NATIONALITY
    assert plan.reason is ChangeReason.EX_OFFICIO_ENTRY_LOSS_OF_NATIONALITY
    assert removed.kind is ResidentKind.JAPANESE and removed.status is ResidentStatus.REMOVED
    assert removed.removal_reason is ChangeReason.EX_OFFICIO_REMOVAL_LOSS_OF_NATIONALITY
    assert entered.kind is ResidentKind.FOREIGN and entered.status is ResidentStatus.RESIDENT
    assert entered.reason is ChangeReason.EX_OFFICIO_ENTRY_LOSS_OF_NATIONALITY
    assert entered.family_register is None and entered.former_surname is None
    assert entered.foreign == details
    assert entered.name.roman == "TAKAHASHI ICHIRO"
    for item in (
        "atena_number",
        "resident_code",
        "individual_number",
        "address",
        "birth_date",
        "sex",
        "relationship",
        "address_set_on",
        "previous_address",
        "household_number",
        "became_resident_on",
    ):
        assert getattr(entered, item) == getattr(before, item), item
    assert [s.history_number for s in fake.history(atena)] == [1, 2, 3]


@pytest.mark.spec("4.5.5")
def test_the_foreign_items_entered_on_loss_of_nationality_are_checked_like_a_newcomers() -> None:
    fake = FakeRegister()
    _household, (atena,) = a_household(fake, a_person())
    command = LoseNationality(
        header=a_header(),
        atena_number=atena,
        name=PersonName.create("", "", roman="TAKAHASHI ICHIRO"),
        foreign=foreign_details(category=C.MID_TO_LONG_TERM, card=None),
    )
    violation(
        refused(fake, command),
        "foreign.residence_card_required",
        "foreign.residence_card_number",
        ERROR,
    )


@pytest.mark.spec("4.5.5")
def test_a_foreign_resident_cannot_lose_japanese_nationality() -> None:
    fake = FakeRegister()
    atena = arrived(fake)
    command = LoseNationality(
        header=a_header(),
        atena_number=atena,
        name=PersonName.create("", "", roman="X"),
        foreign=foreign_details(),
    )
    violation(refused(fake, command), "lose_nationality.not_japanese", "atena_number", ERROR)


@pytest.mark.spec("4.5.3")
def test_a_removed_foreign_resident_cannot_be_naturalised() -> None:
    fake = FakeRegister()
    atena = arrived(fake)
    record(
        fake,
        MoveOut(
            header=a_header(effective_on=date(2026, 11, 21)),
            atena_numbers=(atena,),
            planned_on=date(2026, 11, 21),
            onward_address=Address.municipality_only("大阪府", "大阪市北区"),
        ),
    )
    command = Naturalise(
        header=a_header(),
        atena_number=atena,
        name=JAPANESE_NAME,
        family_register=a_family_register(),
    )
    violation(refused(fake, command), "person.not_resident", "atena_number", ERROR)
