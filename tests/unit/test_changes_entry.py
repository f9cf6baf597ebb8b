"""記載: 転入 (§4.1.1), 再転入 (§4.1.1.2), 出生 (§4.2.1.2) and 職権記載 (§4.2.1.1)."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jichitai.domain.common.address import Address
from jichitai.domain.common.dates import RecordDate
from jichitai.domain.common.identifiers import ResidenceCardNumber, ResidentCode
from jichitai.domain.errors import DomainError, InvalidValue, RuleViolations, Severity
from jichitai.domain.residents.commands import (
    Birth,
    ChangeHeader,
    Death,
    ExOfficioEntry,
    MoveIn,
    MoveOut,
    NewPerson,
)
from jichitai.domain.residents.model import ResidentKind, ResidentRecord, ResidentStatus, Sex
from jichitai.domain.residents.reasons import ChangeReason
from jichitai.domain.residents.relationships import Relationship
from jichitai.domain.residents.view import ChangeKind, Notice
from tests.factories import (
    a_foreign_person,
    a_header,
    a_household,
    a_person,
    a_previous_address,
    a_valid_individual_number,
    acknowledging,
    an_address,
    an_overseas_address,
    foreign_details,
)
from tests.fakes import TODAY, FakeRegister, record, refused, violation

ERROR = Severity.ERROR
ALERT = Severity.ALERT


def wife(**overrides: object) -> NewPerson:
    values: dict[str, object] = {
        "given": "花子",
        "kana": ("タカハシ", "ハナコ"),
        "relationship": "妻",
        "born": "昭和52年3月4日",
        "sex": Sex.FEMALE,
    }
    return a_person(**(values | overrides))  # type: ignore[arg-type]


def move_in(*members: NewPerson, **overrides: object) -> MoveIn:
    values: dict[str, object] = {
        "header": a_header(),
        "members": members or (a_person(),),
        "address": an_address(),
        "previous_address": a_previous_address(),
    }
    values.update(overrides)
    return MoveIn(**values)  # type: ignore[arg-type]


def move_out(*atenas: object, on: date = date(2026, 11, 22)) -> MoveOut:
    return MoveOut(
        header=a_header(effective_on=on, filed_on=on),
        atena_numbers=atenas,  # type: ignore[arg-type]
        planned_on=on,
        onward_address=Address.municipality_only("大阪府", "大阪市北区"),
    )


# --- 国内転入: a new household ----------------------------------------------------------------


@pytest.mark.spec("4.1.1.1")
def test_a_move_in_forms_a_new_household_with_its_head() -> None:
    fake = FakeRegister()
    plan = record(fake, move_in(a_person(), wife()))
    head, spouse = plan.records
    assert plan.kind is ChangeKind.MOVE_IN
    assert plan.reason is ChangeReason.DOMESTIC_MOVE_IN
    assert head.household_number == spouse.household_number
    assert plan.households == (head.household_number.value,)
    assert head.is_head and spouse.relationship == Relationship("妻")
    assert (head.history_number, spouse.history_number) == (1, 1)
    assert head.status is ResidentStatus.RESIDENT
    assert head.kind is ResidentKind.JAPANESE
    assert head.atena_number != spouse.atena_number
    assert fake.household_residents(head.household_number) == [head, spouse]


@pytest.mark.spec("4.1.1.1")
def test_a_move_in_keeps_the_name_glyph_for_glyph() -> None:
    fake = FakeRegister()
    plan = record(
        fake, move_in(a_person(name="髙橋", given="𠮷太郎", kana=("タカハシ", "キチタロウ")))
    )
    assert plan.records[0].name.family == "髙橋"
    assert plan.records[0].name.given == "𠮷太郎"


@pytest.mark.spec("4.1.1.1")
def test_address_set_on_equals_became_resident_on_after_a_move_in() -> None:
    fake = FakeRegister()
    (r,) = record(fake, move_in()).records
    assert r.became_resident_on == RecordDate.of(date(2026, 11, 20))
    assert r.address_set_on == r.became_resident_on


@pytest.mark.spec("4.1.1.1")
def test_a_given_date_of_becoming_resident_is_also_the_address_set_date() -> None:
    fake = FakeRegister()
    became = RecordDate.of(date(2026, 11, 18))
    (r,) = record(fake, move_in(a_person(became_resident_on=became))).records
    assert r.became_resident_on == became == r.address_set_on


@pytest.mark.spec("1.2.1")
def test_a_move_in_records_the_header_facts_and_the_previous_address() -> None:
    fake = FakeRegister()
    header = a_header(effective_on=date(2026, 11, 20), filed_on=date(2026, 11, 24))
    (r,) = record(fake, move_in(header=header)).records
    assert r.effective_on == date(2026, 11, 20)
    assert r.filed_on == date(2026, 11, 24)
    assert r.previous_address == a_previous_address()
    assert r.address == an_address()
    assert r.reason is ChangeReason.DOMESTIC_MOVE_IN


@pytest.mark.spec("4.3.1")
def test_a_new_resident_gets_a_resident_code_with_a_valid_check_digit() -> None:
    fake = FakeRegister()
    (r,) = record(fake, move_in()).records
    assert r.resident_code is not None
    assert ResidentCode.parse(r.resident_code.value) == r.resident_code


@pytest.mark.spec("4.3.1")
def test_a_resident_code_brought_on_the_move_out_certificate_is_kept() -> None:
    fake = FakeRegister()
    code = ResidentCode.from_random_digits("1234567890")
    (r,) = record(fake, move_in(a_person(resident_code=code))).records
    assert r.resident_code == code


@pytest.mark.spec("1.1.13")
def test_atena_and_household_numbers_carry_an_m11_check_digit() -> None:
    fake = FakeRegister()
    (r,) = record(fake, move_in()).records
    assert type(r.atena_number).parse(r.atena_number.value) == r.atena_number
    assert type(r.household_number).parse(r.household_number.value) == r.household_number


@pytest.mark.spec("4.0.2")
def test_a_new_household_without_a_head_needs_the_alert_acknowledged() -> None:
    fake = FakeRegister()
    lodger = a_person(relationship="同居人")
    refusal = refused(fake, move_in(lodger))
    violation(refusal, "household.no_head", "members", ALERT)
    header = acknowledging(a_header(), "household.no_head")
    plan = record(fake, move_in(lodger, header=header))
    assert [a.code for a in plan.alerts] == ["household.no_head"]


@pytest.mark.spec("1.1.10")
def test_a_new_household_with_two_heads_is_refused() -> None:
    fake = FakeRegister()
    refusal = refused(fake, move_in(a_person(), wife(relationship="世帯主")))
    violation(refusal, "household.second_head", "members", ERROR)


@pytest.mark.spec("4.1.0.1")
def test_a_move_in_with_no_persons_is_refused() -> None:
    fake = FakeRegister()
    refusal = refused(
        fake,
        MoveIn(
            header=a_header(),
            members=(),
            address=an_address(),
            previous_address=a_previous_address(),
        ),
    )
    violation(refusal, "change.no_persons", "members", ERROR)


@pytest.mark.spec("4.1.1.1")
def test_a_move_in_address_abroad_is_refused() -> None:
    fake = FakeRegister()
    refusal = refused(fake, move_in(address=an_overseas_address()))
    violation(refusal, "move_in.address_abroad", "address", ERROR)


@pytest.mark.spec("4.1.1.1")
def test_a_domestic_move_in_needs_a_previous_address_but_it_may_be_unknown() -> None:
    fake = FakeRegister()
    refusal = refused(fake, move_in(previous_address=Address()))
    violation(refusal, "move_in.previous_address_required", "previous_address", ERROR)
    (r,) = record(fake, move_in(previous_address=Address.unknown())).records
    assert r.previous_address is not None and r.previous_address.display() == "不明"


@pytest.mark.spec("4.1.1.4")
def test_an_unreported_earlier_move_is_kept_with_the_previous_address() -> None:
    fake = FakeRegister()
    plan = record(fake, move_in(previous_address_unreported=True))
    assert plan.records[0].previous_address_unreported is True


# --- joining an existing household -------------------------------------------------------------


@pytest.mark.spec("4.0.2")
def test_a_move_in_may_join_an_existing_household() -> None:
    fake = FakeRegister()
    household, (head,) = a_household(fake)
    plan = record(fake, move_in(wife(), household_number=household))
    (joined,) = plan.records
    assert joined.household_number == household
    assert {r.atena_number for r in fake.household_residents(household)} == {
        head,
        joined.atena_number,
    }
    assert fake.now(head).history_number == 1  # the head's record is untouched


@pytest.mark.spec("4.0.2")
def test_joining_a_household_at_another_address_is_refused() -> None:
    fake = FakeRegister()
    household, _ = a_household(fake)
    refusal = refused(
        fake, move_in(wife(), household_number=household, address=an_address("五丁目1番"))
    )
    violation(refusal, "household.address_differs", "address", ERROR)


@pytest.mark.spec("4.0.2")
def test_joining_a_household_that_has_a_head_as_a_second_head_is_refused() -> None:
    fake = FakeRegister()
    household, _ = a_household(fake)
    newcomer = a_person(given="次郎", kana=("タカハシ", "ジロウ"))
    refusal = refused(fake, move_in(newcomer, household_number=household))
    violation(refusal, "household.second_head", "members", ERROR)


@pytest.mark.spec("4.0.2")
def test_joining_a_household_without_residents_is_refused() -> None:
    fake = FakeRegister()
    household, (head,) = a_household(fake)
    record(fake, move_out(head))
    refusal = refused(fake, move_in(wife(), household_number=household))
    violation(refusal, "household.not_found", "household_number", ERROR)


# --- 国外転入等 ----------------------------------------------------------------------------------


@pytest.mark.spec("4.1.0.1")
def test_a_move_in_from_abroad_keeps_the_overseas_previous_address() -> None:
    fake = FakeRegister()
    plan = record(fake, move_in(from_abroad=True, previous_address=an_overseas_address()))
    (r,) = plan.records
    assert plan.reason is ChangeReason.MOVE_IN_FROM_ABROAD
    assert r.reason is ChangeReason.MOVE_IN_FROM_ABROAD
    assert r.previous_address is not None and r.previous_address.is_overseas


@pytest.mark.spec("4.1.0.1")
@pytest.mark.parametrize(
    ("from_abroad", "previous"),
    [(True, a_previous_address()), (False, an_overseas_address())],
    ids=["abroad-with-domestic-previous", "domestic-with-overseas-previous"],
)
def test_a_previous_address_of_the_other_kind_needs_the_alert_acknowledged(
    from_abroad: bool, previous: Address
) -> None:
    fake = FakeRegister()
    refusal = refused(fake, move_in(from_abroad=from_abroad, previous_address=previous))
    violation(refusal, "move_in.previous_address_kind", "previous_address", ALERT)
    header = acknowledging(a_header(), "move_in.previous_address_kind")
    plan = record(fake, move_in(from_abroad=from_abroad, previous_address=previous, header=header))
    assert [a.code for a in plan.alerts] == ["move_in.previous_address_kind"]


@pytest.mark.spec("4.1.0.1")
def test_a_move_in_filed_together_with_a_birth_is_a_move_in() -> None:
    # §4.1.0.1: a 転入届 filed with a 出生届 takes the move-in reason.
    fake = FakeRegister()
    baby = a_person(
        given="小𠮷", kana=("タカハシ", "コキチ"), relationship="子", born="令和8年11月1日"
    )
    plan = record(fake, move_in(a_person(), baby))
    assert {r.reason for r in plan.records} == {ChangeReason.DOMESTIC_MOVE_IN}


# --- 再転入者 -----------------------------------------------------------------------------------


def _returning_case(fake: FakeRegister, how: str) -> tuple[NewPerson, NewPerson]:
    """A person as first entered, and as entered again on return, matching only by ``how``."""
    number = a_valid_individual_number(7)
    code = ResidentCode.from_random_digits("5550001112")
    if how == "individual_number":
        first = a_person(individual_number=number)
        again = a_person(individual_number=number)
    elif how == "resident_code":
        first = a_person(resident_code=code)
        again = a_person(resident_code=code)
    else:
        first = a_foreign_person()
        again = a_foreign_person(foreign=foreign_details(became_foreign_resident_on="2027-01-10"))
    return first, again


@pytest.mark.spec("4.1.1.2")
@pytest.mark.parametrize("how", ["individual_number", "resident_code", "residence_card_number"])
def test_a_returning_resident_keeps_the_old_atena_number_and_continues_its_history(
    how: str,
) -> None:
    fake = FakeRegister()
    first, again = _returning_case(fake, how)
    (entered,) = record(fake, move_in(first)).records
    record(fake, move_out(entered.atena_number))
    assert fake.now(entered.atena_number).status is ResidentStatus.MOVED_OUT
    header = a_header(effective_on=date(2026, 11, 25), filed_on=date(2026, 11, 25))
    (returned,) = record(fake, move_in(again, header=header)).records
    assert returned.atena_number == entered.atena_number
    assert returned.history_number == 3
    assert [s.history_number for s in fake.history(entered.atena_number)] == [1, 2, 3]
    assert returned.status is ResidentStatus.RESIDENT
    assert returned.move_out is None and returned.removed_on is None
    assert returned.household_number != entered.household_number  # a new household
    # One person keeps one 住民票コード: the removed record's code is reused.
    assert returned.resident_code == entered.resident_code


@pytest.mark.spec("4.1.1.2")
def test_a_returning_resident_keeps_the_old_my_number_when_matched_by_resident_code() -> None:
    fake = FakeRegister()
    number = a_valid_individual_number(8)
    (entered,) = record(fake, move_in(a_person(individual_number=number))).records
    record(fake, move_out(entered.atena_number))
    again = a_person(resident_code=entered.resident_code)
    (returned,) = record(
        fake, move_in(again, header=a_header(effective_on=date(2026, 11, 25)))
    ).records
    assert returned.atena_number == entered.atena_number
    assert returned.individual_number == number


@pytest.mark.spec("4.1.1.2")
def test_a_removed_record_of_a_dead_person_is_not_a_returning_resident() -> None:
    fake = FakeRegister()
    number = a_valid_individual_number(9)
    (entered,) = record(fake, move_in(a_person(individual_number=number))).records
    record(
        fake,
        Death(
            header=a_header(effective_on=date(2026, 11, 21)),
            atena_number=entered.atena_number,
            died_on=RecordDate.of(date(2026, 11, 21)),
        ),
    )
    refusal = refused(
        fake,
        move_in(
            a_person(individual_number=number), header=a_header(effective_on=date(2026, 11, 25))
        ),
    )
    violation(refusal, "person.matches_dead_record", "members[0].individual_number", ERROR)


@pytest.mark.spec("4.1.1.2")
def test_a_live_duplicate_my_number_is_refused_and_nothing_is_applied() -> None:
    fake = FakeRegister()
    number = a_valid_individual_number(1)
    record(fake, move_in(a_person(individual_number=number)))
    snapshots = dict(fake.snapshots)
    other = a_person(name="佐藤", given="葵", kana=("サトウ", "アオイ"), individual_number=number)
    refusal = refused(fake, move_in(other, address=an_address("二丁目1番")))
    assert isinstance(refusal, RuleViolations)
    v = violation(refusal, "person.duplicate_live", "members[0].individual_number", ERROR)
    assert "個人番号" in v.message
    assert fake.snapshots == snapshots


@pytest.mark.spec("4.1.1.2")
def test_a_live_duplicate_resident_code_is_refused_naming_that_field() -> None:
    fake = FakeRegister()
    (entered,) = record(fake, move_in()).records
    other = a_person(
        name="佐藤", given="葵", kana=("サトウ", "アオイ"), resident_code=entered.resident_code
    )
    refusal = refused(fake, move_in(other))
    violation(refusal, "person.duplicate_live", "members[0].resident_code", ERROR)


@pytest.mark.spec("4.1.1.2")
def test_the_same_my_number_twice_in_one_move_in_is_refused() -> None:
    fake = FakeRegister()
    number = a_valid_individual_number(2)
    refusal = refused(
        fake, move_in(a_person(individual_number=number), wife(individual_number=number))
    )
    violation(refusal, "person.duplicate_in_change", "members[1].individual_number", ERROR)


@pytest.mark.spec("4.1.1.2")
def test_the_same_name_sex_and_birth_date_needs_the_alert_acknowledged() -> None:
    fake = FakeRegister()
    household, (first,) = a_household(fake)
    # 高橋 is the common form of 髙橋: the same person as far as the search key goes.
    twin = a_person(name="高橋")
    refusal = refused(fake, move_in(twin, address=an_address("三丁目4番")))
    assert [v.severity for v in refusal.violations] == [ALERT]
    v = violation(refusal, "person.possible_duplicate", "members[0].name", ALERT)
    assert first.value in v.message
    header = acknowledging(a_header(), "person.possible_duplicate")
    plan = record(fake, move_in(twin, address=an_address("三丁目4番"), header=header))
    assert [a.code for a in plan.alerts] == ["person.possible_duplicate"]
    assert plan.records[0].atena_number != first
    assert plan.records[0].household_number != household


@pytest.mark.spec("4.1.1.2")
def test_a_different_birth_date_is_not_a_possible_duplicate() -> None:
    fake = FakeRegister()
    a_household(fake)
    plan = record(fake, move_in(a_person(born="昭和50年1月3日"), address=an_address("三丁目4番")))
    assert plan.alerts == ()


# --- dates --------------------------------------------------------------------------------------


@pytest.mark.spec("4.0.3")
def test_a_future_effective_date_is_refused_for_a_move_in() -> None:
    fake = FakeRegister()
    header = a_header(effective_on=date(2026, 11, 27), filed_on=TODAY)
    refusal = refused(fake, move_in(header=header))
    violation(refusal, "change.effective_on_future", "effective_on", ERROR)


@pytest.mark.spec("4.0.3")
def test_todays_effective_date_is_accepted() -> None:
    fake = FakeRegister()
    record(fake, move_in(header=a_header(effective_on=TODAY)))


@pytest.mark.spec("4.1.0.2")
def test_a_future_filing_date_is_refused() -> None:
    fake = FakeRegister()
    refusal = refused(fake, move_in(header=a_header(filed_on=date(2026, 12, 1))))
    violation(refusal, "change.filed_on_future", "filed_on", ERROR)


@pytest.mark.spec("1.1.8")
def test_a_future_birth_date_is_refused() -> None:
    fake = FakeRegister()
    refusal = refused(fake, move_in(a_person(born="令和9年1月1日")))
    violation(refusal, "person.birth_date_future", "members[0].birth_date", ERROR)


@pytest.mark.spec("4.1.1.1")
def test_a_move_in_filed_more_than_14_days_late_needs_the_alert_acknowledged() -> None:
    fake = FakeRegister()
    header = a_header(effective_on=date(2026, 11, 1), filed_on=date(2026, 11, 16))
    refusal = refused(fake, move_in(header=header))
    violation(refusal, "move_in.late_filing", "filed_on", ALERT)
    plan = record(fake, move_in(header=acknowledging(header, "move_in.late_filing")))
    assert [a.code for a in plan.alerts] == ["move_in.late_filing"]


@pytest.mark.spec("4.1.1.1")
def test_a_move_in_filed_on_the_14th_day_is_in_time() -> None:
    fake = FakeRegister()
    header = a_header(effective_on=date(2026, 11, 1), filed_on=date(2026, 11, 15))
    assert record(fake, move_in(header=header)).alerts == ()


@pytest.mark.spec("4.1.1.1")
@settings(max_examples=40, deadline=None)
@given(days_late=st.integers(min_value=0, max_value=60))
def test_the_late_filing_alert_appears_exactly_after_14_days(days_late: int) -> None:
    fake = FakeRegister()
    effective = date(2026, 9, 1)
    header = a_header(effective_on=effective, filed_on=effective + timedelta(days=days_late))
    try:
        plan = record(fake, move_in(header=header))
    except RuleViolations as refusal:
        assert days_late > 14
        assert [v.code for v in refusal.violations] == ["move_in.late_filing"]
    else:
        assert days_late <= 14
        assert plan.alerts == ()


# --- who may be entered -------------------------------------------------------------------------


@pytest.mark.spec("1.1.6")
def test_a_japanese_resident_without_honseki_is_refused() -> None:
    fake = FakeRegister()
    refusal = refused(fake, move_in(a_person(family_register=None)))
    violation(refusal, "person.family_register_required", "members[0].family_register", ERROR)


@pytest.mark.spec("1.1.12")
def test_honseki_may_be_written_as_unknown() -> None:
    from jichitai.domain.residents.model import FamilyRegister

    fake = FakeRegister()
    (r,) = record(fake, move_in(a_person(family_register=FamilyRegister("不明", "不明")))).records
    assert r.family_register == FamilyRegister("不明", "不明")


@pytest.mark.spec("1.1.6")
def test_a_foreign_mid_to_long_term_resident_without_a_residence_card_is_refused() -> None:
    fake = FakeRegister()
    person = a_foreign_person(foreign=foreign_details(card=None))
    refusal = refused(
        fake, move_in(person, from_abroad=True, previous_address=an_overseas_address())
    )
    violation(
        refusal,
        "foreign.residence_card_required",
        "members[0].foreign.residence_card_number",
        ERROR,
    )


@pytest.mark.spec("1.1.11")
def test_a_relationship_outside_the_whitelist_is_refused_at_parse() -> None:
    with pytest.raises(InvalidValue) as caught:
        Relationship.parse("祖父")
    assert caught.value.code == "relationship.not_allowed"
    assert caught.value.field == "relationship"
    assert "父の父" in caught.value.message


@pytest.mark.spec("1.1.11")
def test_a_relationship_built_without_parse_is_still_refused_by_the_rules() -> None:
    fake = FakeRegister()
    person = wife(relationship=Relationship("祖母"))
    refusal = refused(fake, move_in(a_person(), person))
    violation(refusal, "relationship.not_allowed", "members[1].relationship", ERROR)


@pytest.mark.spec("11.1")
def test_a_refusal_lists_every_error_at_once() -> None:
    fake = FakeRegister()
    header = a_header(effective_on=date(2026, 12, 1), filed_on=date(2026, 12, 1))
    refusal = refused(fake, move_in(a_person(family_register=None), header=header))
    codes = {v.code for v in refusal.violations}
    assert {
        "change.effective_on_future",
        "change.filed_on_future",
        "person.family_register_required",
    } <= codes
    assert isinstance(refusal, DomainError)
    assert refusal.code == refusal.violations[0].code


# --- 出生 ----------------------------------------------------------------------------------------


def a_baby(**overrides: object) -> NewPerson:
    values: dict[str, object] = {
        "given": "𠮷乃",
        "kana": ("タカハシ", "ヨシノ"),
        "relationship": "子",
        "born": "令和8年11月10日",
        "sex": Sex.FEMALE,
    }
    return a_person(**(values | overrides))  # type: ignore[arg-type]


@pytest.mark.spec("4.2.1.2")
def test_a_birth_joins_the_household_at_its_address() -> None:
    fake = FakeRegister()
    address = an_address("四丁目5番6号", "霞が関ハイツ101")
    household, _ = a_household(fake, a_person(), wife(), address=address)
    header = a_header(effective_on=date(2026, 11, 10), filed_on=date(2026, 11, 12))
    plan = record(fake, Birth(header=header, child=a_baby(), household_number=household))
    (child,) = plan.records
    assert plan.kind is ChangeKind.BIRTH and plan.reason is ChangeReason.BIRTH
    assert child.household_number == household
    assert child.address == address
    assert child.previous_address is None
    assert child.relationship == Relationship("子")
    assert child.history_number == 1
    assert len(fake.household_residents(household)) == 3


@pytest.mark.spec("4.2.1.2")
def test_a_birth_date_after_the_effective_date_is_refused() -> None:
    fake = FakeRegister()
    household, _ = a_household(fake)
    header = a_header(effective_on=date(2026, 11, 9))
    refusal = refused(fake, Birth(header=header, child=a_baby(), household_number=household))
    violation(refusal, "birth.after_effective_on", "child.birth_date", ERROR)


@pytest.mark.spec("4.2.1.2")
def test_a_birth_outside_a_household_needs_an_address() -> None:
    fake = FakeRegister()
    child = a_baby(relationship="世帯主")
    refusal = refused(fake, Birth(header=a_header(), child=child))
    violation(refusal, "birth.address_required", "address", ERROR)
    plan = record(fake, Birth(header=a_header(), child=child, address=an_address()))
    assert plan.records[0].is_head


@pytest.mark.spec("4.2.1.2")
def test_a_birth_at_another_address_than_the_household_is_refused() -> None:
    fake = FakeRegister()
    household, _ = a_household(fake)
    command = Birth(
        header=a_header(), child=a_baby(), household_number=household, address=an_address("九丁目")
    )
    violation(refused(fake, command), "household.address_differs", "address", ERROR)


# --- 職権記載 ------------------------------------------------------------------------------------


@pytest.mark.spec("4.2.1.1")
def test_an_ex_officio_entry_is_flagged_and_calls_for_the_notice() -> None:
    fake = FakeRegister()
    header = a_header(ex_officio=True, filed_on=None, notes="実態調査により住所を認定")
    plan = record(
        fake,
        ExOfficioEntry(
            header=header,
            members=(a_person(),),
            address=an_address(),
            previous_address=Address.unknown(),
        ),
    )
    (r,) = plan.records
    assert plan.kind is ChangeKind.EX_OFFICIO_ENTRY
    assert plan.reason is ChangeReason.EX_OFFICIO_ENTRY
    assert plan.ex_officio is True
    assert plan.notices == (Notice.EX_OFFICIO_ENTRY_NOTICE,)
    assert r.previous_address is not None and r.previous_address.is_unknown
    assert r.filed_on is None


@pytest.mark.spec("4.2.1.1")
def test_an_ex_officio_entry_follows_the_same_person_rules() -> None:
    fake = FakeRegister()
    command = ExOfficioEntry(
        header=a_header(), members=(a_person(family_register=None),), address=an_address()
    )
    violation(
        refused(fake, command), "person.family_register_required", "members[0].family_register"
    )


@pytest.mark.spec("4.2.0.2")
def test_a_move_in_recorded_ex_officio_is_marked_as_such() -> None:
    fake = FakeRegister()
    plan = record(fake, move_in(header=a_header(ex_officio=True)))
    assert plan.ex_officio is True
    assert (
        record(fake, move_in(wife(relationship="世帯主"), address=an_address("8番"))).ex_officio
        is False
    )


@pytest.mark.spec("1.2.1")
def test_a_header_is_a_frozen_value() -> None:
    header = a_header()
    with pytest.raises(dataclasses.FrozenInstanceError):
        header.effective_on = TODAY  # type: ignore[misc]
    assert isinstance(header, ChangeHeader)


@pytest.mark.spec("1.1.2")
def test_a_residence_card_number_is_matched_case_insensitively_at_parse() -> None:
    assert ResidenceCardNumber.parse("ab12345678cd") == ResidenceCardNumber("AB12345678CD")


@pytest.mark.spec("1.1.6")
@pytest.mark.parametrize("address", [Address(), Address.unknown()], ids=["empty", "unknown"])
def test_a_move_in_without_an_address_is_refused(address: Address) -> None:
    fake = FakeRegister()
    refusal = refused(fake, move_in(a_person(), address=address))
    violation(refusal, "address.required", field="address")


# --- 再転入者 matched by name, sex and birth date (3情報) ----------------------------------------


def _moved_out_person(fake: FakeRegister) -> ResidentRecord:
    (entered,) = record(fake, move_in(a_person(name="髙橋", given="一郎"))).records
    record(fake, move_out(entered.atena_number))
    return fake.now(entered.atena_number)


@pytest.mark.spec("4.1.1.2")
def test_a_newcomer_matching_a_removed_record_by_name_sex_and_birth_gets_an_alert() -> None:
    fake = FakeRegister()
    removed = _moved_out_person(fake)
    header = a_header(effective_on=date(2026, 11, 25), filed_on=date(2026, 11, 25))
    refusal = refused(fake, move_in(a_person(name="髙橋", given="一郎"), header=header))
    alert = violation(
        refusal, "person.possible_returning_resident", "members[0].returning_as", Severity.ALERT
    )
    assert removed.atena_number.value in alert.message
    acknowledged = dataclasses.replace(
        header, acknowledged_alerts=frozenset({"person.possible_returning_resident"})
    )
    (entered,) = record(
        fake, move_in(a_person(name="髙橋", given="一郎"), header=acknowledged)
    ).records
    assert entered.atena_number != removed.atena_number  # not the same person: a new record


@pytest.mark.spec("4.1.1.2")
def test_the_clerk_can_choose_the_removed_record_and_the_person_returns_under_it() -> None:
    fake = FakeRegister()
    removed = _moved_out_person(fake)
    header = a_header(effective_on=date(2026, 11, 25), filed_on=date(2026, 11, 25))
    person = dataclasses.replace(
        a_person(name="髙橋", given="一郎"), returning_as=removed.atena_number
    )
    (returned,) = record(fake, move_in(person, header=header)).records
    assert returned.atena_number == removed.atena_number
    assert returned.history_number == removed.history_number + 1
    assert returned.resident_code == removed.resident_code
    assert returned.is_resident


@pytest.mark.spec("4.1.1.2")
def test_only_a_removed_record_that_is_not_a_death_can_be_chosen_as_returning() -> None:
    fake = FakeRegister()
    _, (living,) = a_household(fake, a_person(name="𠮷田", given="花子", sex=Sex.FEMALE))
    person = dataclasses.replace(a_person(), returning_as=living)
    refusal = refused(fake, move_in(person))
    violation(refusal, "person.returning_record_invalid", "members[0].returning_as")
