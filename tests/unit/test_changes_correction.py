"""修正: 誤記修正, 軽微な修正, 職権修正 (§4.2.3), 住民票コード (§4.3), 個人番号 (§4.4),
旧氏・通称 (§1.1.7)."""

from __future__ import annotations

import dataclasses
from dataclasses import replace
from datetime import date

import pytest

from jichitai.domain.common.dates import RecordDate
from jichitai.domain.common.identifiers import AtenaNumber, ResidentCode
from jichitai.domain.common.names import PersonName
from jichitai.domain.errors import NotFound, Severity
from jichitai.domain.residents.commands import Correct, MoveOut, RecordChanges
from jichitai.domain.residents.model import Alias, ResidentStatus, Sex
from jichitai.domain.residents.reasons import ChangeReason, ReasonGroup
from jichitai.domain.residents.relationships import Relationship
from jichitai.domain.residents.view import ChangeKind
from tests.factories import (
    a_foreign_person,
    a_header,
    a_household,
    a_name,
    a_person,
    a_valid_individual_number,
    an_address,
)
from tests.fakes import MUNICIPALITY_CODE, FakeRegister, record, refused, violation

ERROR = Severity.ERROR
R = ChangeReason
ON = date(2026, 11, 24)


def correct(atena: AtenaNumber, reason: ChangeReason, **changes: object) -> Correct:
    return Correct(
        header=a_header(effective_on=ON, filed_on=ON),
        atena_number=atena,
        reason=reason,
        changes=RecordChanges(**changes),  # type: ignore[arg-type]
    )


def wife() -> object:
    return a_person(
        given="花子",
        kana=("タカハシ", "ハナコ"),
        relationship="妻",
        born="昭和52年3月4日",
        sex=Sex.FEMALE,
    )


def one_resident(fake: FakeRegister, **overrides: object) -> AtenaNumber:
    _, (atena,) = a_household(fake, a_person(**overrides))  # type: ignore[arg-type]
    return atena


def one_foreign_resident(fake: FakeRegister, **overrides: object) -> AtenaNumber:
    _, (atena,) = a_household(fake, a_foreign_person(**overrides))  # type: ignore[arg-type]
    return atena


# --- 誤記修正 ------------------------------------------------------------------------------------


@pytest.mark.spec("4.2.3.3")
def test_a_clerical_correction_of_the_reading_keeps_the_wrong_entry_in_history() -> None:
    fake = FakeRegister()
    atena = one_resident(fake)
    wrong = fake.now(atena)
    move_in_event = fake.last_event_id
    fixed = a_name(kana=("タカハシ", "イチロー"))
    command = dataclasses.replace(
        correct(atena, R.CLERICAL_CORRECTION, name=fixed), corrects_event_id=move_in_event
    )
    plan = record(fake, command)
    (r,) = plan.records
    assert plan.kind is ChangeKind.CORRECTION and plan.reason is R.CLERICAL_CORRECTION
    assert plan.corrects_event_id == move_in_event
    assert plan.ex_officio is True
    assert r.history_number == 2 and r.reason is R.CLERICAL_CORRECTION
    assert r.name.given_kana == "イチロー" and r.name.family == "髙橋"
    assert fake.snapshot(atena, 1) == wrong  # the wrong entry is never overwritten
    assert wrong.name.given_kana == "イチロウ"
    assert [s.name.given_kana for s in fake.history(atena)] == ["イチロウ", "イチロー"]


@pytest.mark.spec("4.2.3.3")
def test_a_clerical_correction_of_the_birth_date_in_the_future_is_refused() -> None:
    fake = FakeRegister()
    atena = one_resident(fake)
    command = correct(atena, R.CLERICAL_CORRECTION, birth_date=RecordDate.of(date(2027, 1, 1)))
    violation(refused(fake, command), "person.birth_date_future", "changes.birth_date", ERROR)


@pytest.mark.spec("1.1.5")
def test_a_removed_record_is_corrected_only_by_a_clerical_correction() -> None:
    fake = FakeRegister()
    atena = one_resident(fake)
    record(
        fake,
        MoveOut(
            header=a_header(effective_on=date(2026, 11, 22)),
            atena_numbers=(atena,),
            planned_on=date(2026, 11, 22),
            onward_address=an_address("一丁目", city="港区"),
        ),
    )
    command = correct(atena, R.EX_OFFICIO_CORRECTION, sex=Sex.FEMALE)
    violation(refused(fake, command), "correct.removed_record", "atena_number", ERROR)
    (r,) = record(fake, correct(atena, R.CLERICAL_CORRECTION, sex=Sex.FEMALE)).records
    assert r.sex is Sex.FEMALE
    assert r.status is ResidentStatus.MOVED_OUT  # still a 除票


@pytest.mark.spec("4.2.3.1")
def test_a_correction_that_changes_nothing_is_refused() -> None:
    fake = FakeRegister()
    atena = one_resident(fake)
    violation(
        refused(fake, correct(atena, R.EX_OFFICIO_CORRECTION)),
        "correct.nothing_to_change",
        "changes",
        ERROR,
    )
    same = correct(atena, R.EX_OFFICIO_CORRECTION, sex=Sex.MALE, address=an_address())
    violation(refused(fake, same), "correct.nothing_to_change", "changes", ERROR)


@pytest.mark.spec("1.2.2")
@pytest.mark.parametrize(
    "reason",
    [r for r in ChangeReason if r.group is not ReasonGroup.CORRECTION]
    + [
        R.IN_TOWN_MOVE,
        R.HOUSEHOLD_SPLIT,
        R.HOUSEHOLD_MERGE,
        R.HOUSEHOLD_CHANGE,
        R.HEAD_CHANGE,
        R.CANCELLATION_CORRECTION,
    ],
    ids=lambda r: r.value,
)
def test_a_correction_under_a_reason_of_another_process_is_refused(reason: ChangeReason) -> None:
    fake = FakeRegister()
    atena = one_resident(fake)
    command = correct(atena, reason, sex=Sex.FEMALE)
    violation(refused(fake, command), "correct.reason_not_allowed", "reason", ERROR)


@pytest.mark.spec("4.2.3.1")
def test_a_correction_of_an_unknown_person_is_not_found() -> None:
    fake = FakeRegister()
    with pytest.raises(NotFound):
        record(fake, correct(AtenaNumber.from_serial(5), R.EX_OFFICIO_CORRECTION, sex=Sex.FEMALE))


@pytest.mark.spec("4.1.4.1")
def test_the_head_is_changed_only_by_a_head_change() -> None:
    fake = FakeRegister()
    _, (head, spouse) = a_household(fake, a_person(), wife())  # type: ignore[arg-type]
    command = correct(spouse, R.EX_OFFICIO_CORRECTION, relationship=Relationship.parse("世帯主"))
    violation(refused(fake, command), "correct.head_by_head_change", "changes.relationship", ERROR)
    command = correct(head, R.EX_OFFICIO_CORRECTION, relationship=Relationship.parse("夫"))
    violation(refused(fake, command), "correct.head_by_head_change", "changes.relationship", ERROR)


@pytest.mark.spec("1.1.11")
def test_a_relationship_correction_follows_the_whitelist() -> None:
    fake = FakeRegister()
    _, (_, spouse) = a_household(fake, a_person(), wife())  # type: ignore[arg-type]
    (r,) = record(
        fake, correct(spouse, R.CLERICAL_CORRECTION, relationship=Relationship.parse("妻（未届）"))
    ).records
    assert r.relationship.text == "妻（未届）"
    command = correct(spouse, R.CLERICAL_CORRECTION, relationship=Relationship("家事使用人"))
    violation(refused(fake, command), "relationship.not_allowed", "changes.relationship", ERROR)


@pytest.mark.spec("1.1.6")
def test_honseki_of_a_japanese_resident_cannot_be_emptied() -> None:
    fake = FakeRegister()
    atena = one_resident(fake)
    command = correct(atena, R.EX_OFFICIO_CORRECTION, clear=frozenset({"family_register"}))
    violation(refused(fake, command), "person.family_register_required", "changes.clear", ERROR)


@pytest.mark.spec("1.1.6")
def test_items_that_are_never_blank_cannot_be_cleared() -> None:
    fake = FakeRegister()
    atena = one_resident(fake)
    command = correct(atena, R.EX_OFFICIO_CORRECTION, clear=frozenset({"address"}))
    violation(refused(fake, command), "correct.not_clearable", "changes.clear.address", ERROR)


@pytest.mark.spec("1.1.2")
def test_foreign_items_cannot_be_given_to_a_japanese_resident() -> None:
    from tests.factories import foreign_details

    fake = FakeRegister()
    atena = one_resident(fake)
    command = correct(atena, R.EX_OFFICIO_CORRECTION, foreign=foreign_details())
    violation(refused(fake, command), "person.foreign_items_for_japanese", "changes.foreign", ERROR)


# --- 軽微な修正 ----------------------------------------------------------------------------------


@pytest.mark.spec("4.2.3.2")
def test_a_minor_correction_of_the_lot_text_is_recorded_as_such() -> None:
    # e.g. 住居表示の実施: 「1234番地」 becomes 「一丁目2番3号」.
    fake = FakeRegister()
    _, (atena,) = a_household(fake, a_person(), address=an_address("1234番地"))
    plan = record(fake, correct(atena, R.MINOR_CORRECTION, address=an_address("一丁目2番3号")))
    (r,) = plan.records
    assert plan.reason is R.MINOR_CORRECTION
    assert r.address.lot_text == "一丁目2番3号"
    assert r.address_set_on == fake.snapshot(atena, 1).address_set_on  # type: ignore[union-attr]
    assert fake.snapshot(atena, 1).address.lot_text == "1234番地"  # type: ignore[union-attr]


@pytest.mark.spec("4.2.3.2")
def test_a_minor_correction_of_a_character_identification_keeps_the_new_glyph() -> None:
    # 文字の同定: 「高橋」 entered with the common glyph becomes the MJ glyph 「髙橋」.
    fake = FakeRegister()
    atena = one_resident(fake, name="高橋")
    (r,) = record(fake, correct(atena, R.MINOR_CORRECTION, name=a_name("髙橋"))).records
    assert r.name.family == "髙橋"


# --- 個人番号 ------------------------------------------------------------------------------------


@pytest.mark.spec("4.4")
def test_an_individual_number_is_entered_ex_officio() -> None:
    fake = FakeRegister()
    atena = one_resident(fake)
    number = a_valid_individual_number(11)
    plan = record(
        fake, correct(atena, R.INDIVIDUAL_NUMBER_EX_OFFICIO_ENTRY, individual_number=number)
    )
    assert plan.records[0].individual_number == number
    assert plan.ex_officio is True


@pytest.mark.spec("4.4")
def test_an_individual_number_entry_when_one_exists_is_refused() -> None:
    fake = FakeRegister()
    atena = one_resident(fake, individual_number=a_valid_individual_number(12))
    command = correct(
        atena, R.INDIVIDUAL_NUMBER_EX_OFFICIO_ENTRY, individual_number=a_valid_individual_number(13)
    )
    violation(
        refused(fake, command),
        "correct.individual_number_exists",
        "changes.individual_number",
        ERROR,
    )


@pytest.mark.spec("4.4")
def test_an_individual_number_is_changed_on_request() -> None:
    fake = FakeRegister()
    atena = one_resident(fake, individual_number=a_valid_individual_number(14))
    new = a_valid_individual_number(15)
    plan = record(
        fake, correct(atena, R.INDIVIDUAL_NUMBER_CHANGE_ON_REQUEST, individual_number=new)
    )
    assert plan.records[0].individual_number == new
    assert plan.ex_officio is False
    assert fake.snapshot(atena, 1).individual_number == a_valid_individual_number(14)  # type: ignore[union-attr]


@pytest.mark.spec("4.4")
def test_a_change_on_request_needs_a_number_to_change() -> None:
    fake = FakeRegister()
    atena = one_resident(fake)
    command = correct(
        atena,
        R.INDIVIDUAL_NUMBER_CHANGE_ON_REQUEST,
        individual_number=a_valid_individual_number(16),
    )
    violation(refused(fake, command), "correct.individual_number_missing", "reason", ERROR)


@pytest.mark.spec("4.4")
@pytest.mark.parametrize(
    "reason",
    [
        R.INDIVIDUAL_NUMBER_CHANGE_ON_REQUEST,
        R.INDIVIDUAL_NUMBER_EX_OFFICIO_CORRECTION,
        R.INDIVIDUAL_NUMBER_EX_OFFICIO_ENTRY,
    ],
    ids=lambda r: r.value,
)
def test_an_individual_number_reason_needs_the_number(reason: ChangeReason) -> None:
    fake = FakeRegister()
    atena = one_resident(fake)
    command = correct(atena, reason, remarks="番号未入力")
    violation(
        refused(fake, command),
        "correct.individual_number_required",
        "changes.individual_number",
        ERROR,
    )


@pytest.mark.spec("4.4")
def test_a_correction_to_another_residents_my_number_is_refused() -> None:
    fake = FakeRegister()
    taken = a_valid_individual_number(17)
    one_resident(fake, individual_number=taken)
    other = one_resident(fake, name="佐藤", given="葵", kana=("サトウ", "アオイ"))
    command = correct(other, R.INDIVIDUAL_NUMBER_EX_OFFICIO_ENTRY, individual_number=taken)
    refusal = refused(fake, command)
    violation(refusal, "person.duplicate_live", "changes.individual_number", ERROR)


@pytest.mark.spec("4.4")
def test_an_individual_number_ex_officio_correction_may_fill_an_omission() -> None:
    # 個人番号の修正: 誤記又は記載漏れに係る職権修正.
    fake = FakeRegister()
    atena = one_resident(fake)
    number = a_valid_individual_number(18)
    (r,) = record(
        fake, correct(atena, R.INDIVIDUAL_NUMBER_EX_OFFICIO_CORRECTION, individual_number=number)
    ).records
    assert r.individual_number == number


# --- 住民票コード --------------------------------------------------------------------------------


@pytest.mark.spec("4.3.2")
def test_a_resident_code_is_changed_on_request() -> None:
    fake = FakeRegister()
    atena = one_resident(fake)
    old = fake.now(atena).resident_code
    new = ResidentCode.from_random_digits("9876543210")
    plan = record(fake, correct(atena, R.RESIDENT_CODE_CHANGE_ON_REQUEST, resident_code=new))
    assert plan.records[0].resident_code == new
    assert plan.ex_officio is False  # 変更請求: on the person's request
    assert fake.snapshot(atena, 1).resident_code == old  # type: ignore[union-attr]


@pytest.mark.spec("4.3.2")
def test_a_resident_code_held_by_anyone_else_is_refused() -> None:
    fake = FakeRegister()
    first = one_resident(fake)
    other = one_resident(fake, name="佐藤", given="葵", kana=("サトウ", "アオイ"))
    code = fake.now(first).resident_code
    command = correct(other, R.RESIDENT_CODE_CHANGE_ON_REQUEST, resident_code=code)
    violation(
        refused(fake, command), "person.duplicate_resident_code", "changes.resident_code", ERROR
    )


@pytest.mark.spec("4.3.2")
def test_a_resident_code_reason_needs_the_code() -> None:
    fake = FakeRegister()
    atena = one_resident(fake)
    command = correct(atena, R.RESIDENT_CODE_CHANGE_ON_REQUEST, remarks="コード未入力")
    violation(
        refused(fake, command), "correct.resident_code_required", "changes.resident_code", ERROR
    )


@pytest.mark.spec("4.3.1")
def test_a_resident_code_entry_when_one_exists_is_refused() -> None:
    fake = FakeRegister()
    atena = one_resident(fake)
    command = correct(
        atena,
        R.RESIDENT_CODE_EX_OFFICIO_ENTRY,
        resident_code=ResidentCode.from_random_digits("1111111111"),
    )
    violation(refused(fake, command), "correct.resident_code_exists", "reason", ERROR)


# --- 旧氏 ----------------------------------------------------------------------------------------

FORMER = PersonName.create("辻󠄀", "", "ツジ")  # 辻 with the MJ variation selector


@pytest.mark.spec("1.1.7")
def test_a_former_surname_is_entered_changed_and_deleted_on_request() -> None:
    fake = FakeRegister()
    atena = one_resident(fake)
    plan = record(fake, correct(atena, R.FORMER_SURNAME_ENTRY, former_surname=FORMER))
    assert plan.records[0].former_surname == FORMER
    assert plan.records[0].former_surname.family == "辻\U000e0100"
    assert plan.ex_officio is False  # 請求 by the person
    other = PersonName.create("葛󠄂西", "", "カサイ")
    record(fake, correct(atena, R.FORMER_SURNAME_CHANGE, former_surname=other))
    assert fake.now(atena).former_surname == other
    record(fake, correct(atena, R.FORMER_SURNAME_DELETION, clear=frozenset({"former_surname"})))
    assert fake.now(atena).former_surname is None
    assert [s.reason for s in fake.history(atena)][1:] == [
        R.FORMER_SURNAME_ENTRY,
        R.FORMER_SURNAME_CHANGE,
        R.FORMER_SURNAME_DELETION,
    ]


@pytest.mark.spec("1.1.7")
def test_entering_a_former_surname_when_one_exists_is_refused() -> None:
    fake = FakeRegister()
    atena = one_resident(fake, former_surname=FORMER)
    command = correct(
        atena, R.FORMER_SURNAME_ENTRY, former_surname=PersonName.create("佐藤", "", "サトウ")
    )
    violation(refused(fake, command), "correct.former_surname_exists", "reason", ERROR)


@pytest.mark.spec("1.1.7")
def test_changing_a_former_surname_that_does_not_exist_is_refused() -> None:
    fake = FakeRegister()
    atena = one_resident(fake)
    command = correct(atena, R.FORMER_SURNAME_CHANGE, former_surname=FORMER)
    violation(
        refused(fake, command), "correct.former_surname_change", "changes.former_surname", ERROR
    )


@pytest.mark.spec("1.1.7")
def test_a_former_surname_entry_needs_the_former_surname() -> None:
    fake = FakeRegister()
    atena = one_resident(fake)
    command = correct(atena, R.FORMER_SURNAME_ENTRY, remarks="旧氏なし")
    violation(
        refused(fake, command), "correct.former_surname_required", "changes.former_surname", ERROR
    )


@pytest.mark.spec("1.1.7")
def test_a_former_surname_deletion_must_clear_it() -> None:
    fake = FakeRegister()
    atena = one_resident(fake, former_surname=FORMER)
    command = correct(atena, R.FORMER_SURNAME_DELETION, remarks="削除")
    violation(refused(fake, command), "correct.former_surname_deletion", "changes.clear", ERROR)


@pytest.mark.spec("1.1.7")
def test_a_former_surname_under_another_reason_is_refused() -> None:
    fake = FakeRegister()
    atena = one_resident(fake)
    command = correct(atena, R.EX_OFFICIO_CORRECTION, former_surname=FORMER)
    violation(refused(fake, command), "correct.former_surname_reason", "reason", ERROR)


@pytest.mark.spec("1.1.7")
def test_a_former_surname_for_a_foreign_resident_is_refused() -> None:
    fake = FakeRegister()
    atena = one_foreign_resident(fake)
    command = correct(atena, R.FORMER_SURNAME_ENTRY, former_surname=FORMER)
    violation(
        refused(fake, command), "correct.former_surname_foreign", "changes.former_surname", ERROR
    )


# --- 通称 ----------------------------------------------------------------------------------------

ALIAS = PersonName.create("山田", "秀𠮷", "ヤマダ", "ヒデキチ")


@pytest.mark.spec("1.1.7")
def test_an_alias_is_entered_with_its_date_and_municipality() -> None:
    fake = FakeRegister()
    atena = one_foreign_resident(fake)
    plan = record(fake, correct(atena, R.ALIAS_ENTRY, alias=ALIAS))
    foreign = plan.records[0].foreign
    assert foreign is not None
    assert foreign.aliases == (Alias(ALIAS, ON, MUNICIPALITY_CODE),)
    assert foreign.current_alias == Alias(ALIAS, ON, MUNICIPALITY_CODE)
    assert plan.reason is R.ALIAS_ENTRY and plan.ex_officio is True  # 申出による職権記載


@pytest.mark.spec("1.1.7")
def test_an_alias_deletion_keeps_the_alias_history_with_dates_and_municipality() -> None:
    fake = FakeRegister()
    atena = one_foreign_resident(fake)
    record(fake, correct(atena, R.ALIAS_ENTRY, alias=ALIAS))
    deletion = Correct(
        header=a_header(effective_on=date(2026, 11, 25)),
        atena_number=atena,
        reason=R.ALIAS_DELETION,
        changes=RecordChanges(clear=frozenset({"alias"})),
    )
    (r,) = record(fake, deletion).records
    assert r.foreign is not None
    (kept,) = r.foreign.aliases
    assert kept.name == ALIAS
    assert (kept.entered_on, kept.entered_in) == (ON, MUNICIPALITY_CODE)
    assert (kept.deleted_on, kept.deleted_in) == (date(2026, 11, 25), MUNICIPALITY_CODE)
    assert r.foreign.current_alias is None
    # A new alias may be entered after the deletion; the old one stays in the list.
    again = PersonName.create("山本", "秀吉", "ヤマモト", "ヒデヨシ")
    entry = correct(atena, R.ALIAS_ENTRY, alias=again)
    entry = replace(entry, header=a_header(effective_on=date(2026, 11, 25)))
    (r2,) = record(fake, entry).records
    assert r2.foreign is not None
    assert [a.name for a in r2.foreign.aliases] == [ALIAS, again]
    assert r2.foreign.current_alias is not None and r2.foreign.current_alias.name == again


@pytest.mark.spec("1.1.7")
def test_an_alias_for_a_japanese_resident_is_refused() -> None:
    fake = FakeRegister()
    atena = one_resident(fake)
    violation(
        refused(fake, correct(atena, R.ALIAS_ENTRY, alias=ALIAS)),
        "alias.japanese",
        "changes.alias",
        ERROR,
    )


@pytest.mark.spec("1.1.7")
def test_a_second_alias_while_one_is_recorded_is_refused() -> None:
    fake = FakeRegister()
    atena = one_foreign_resident(fake)
    record(fake, correct(atena, R.ALIAS_ENTRY, alias=ALIAS))
    command = correct(atena, R.ALIAS_ENTRY, alias=PersonName.create("山本", "", "ヤマモト"))
    violation(refused(fake, command), "correct.alias_exists", "reason", ERROR)


@pytest.mark.spec("1.1.7")
def test_deleting_an_alias_that_is_not_recorded_is_refused() -> None:
    fake = FakeRegister()
    atena = one_foreign_resident(fake)
    command = correct(atena, R.ALIAS_DELETION, clear=frozenset({"alias"}))
    violation(refused(fake, command), "correct.alias_none", "changes.clear", ERROR)


@pytest.mark.spec("1.1.7")
def test_alias_reasons_and_items_must_agree() -> None:
    fake = FakeRegister()
    atena = one_foreign_resident(fake)
    violation(
        refused(fake, correct(atena, R.EX_OFFICIO_CORRECTION, alias=ALIAS)),
        "correct.alias_reason",
        "reason",
        ERROR,
    )
    violation(
        refused(fake, correct(atena, R.ALIAS_ENTRY, remarks="通称")),
        "correct.alias_required",
        "changes.alias",
        ERROR,
    )
    violation(
        refused(fake, correct(atena, R.ALIAS_DELETION, remarks="通称")),
        "correct.alias_deletion",
        "changes.clear",
        ERROR,
    )
