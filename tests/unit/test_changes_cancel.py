"""異動の取消し (§4.6): increase, decrease and correction kinds, appended, never deleting."""

from __future__ import annotations

from datetime import date

import pytest

from jichitai.domain.common.address import Address
from jichitai.domain.common.dates import RecordDate
from jichitai.domain.common.identifiers import AtenaNumber
from jichitai.domain.errors import NotFound, Severity
from jichitai.domain.residents.commands import (
    Birth,
    Cancel,
    Correct,
    Death,
    HeadChange,
    HouseholdSplit,
    InTownMove,
    MoveIn,
    MoveOut,
    NewPerson,
    RecordChanges,
    RecordMoveInNotice,
)
from jichitai.domain.residents.model import ResidentStatus, Sex
from jichitai.domain.residents.reasons import ChangeReason
from jichitai.domain.residents.relationships import Relationship
from jichitai.domain.residents.view import ChangeKind
from tests.factories import (
    a_header,
    a_household,
    a_name,
    a_person,
    a_previous_address,
    a_valid_individual_number,
    an_address,
)
from tests.fakes import TODAY, FakeRegister, record, refused, violation

ERROR = Severity.ERROR
R = ChangeReason
OSAKA = Address.municipality_only("大阪府", "大阪市北区")


def member(given: str, kana: str, relationship: str, born: str, sex: Sex = Sex.FEMALE) -> NewPerson:
    return a_person(
        given=given, kana=("タカハシ", kana), relationship=relationship, born=born, sex=sex
    )


def wife() -> NewPerson:
    return member("花子", "ハナコ", "妻", "昭和52年3月4日")


def son() -> NewPerson:
    return member("𠮷男", "ヨシオ", "子", "平成15年5月6日", Sex.MALE)


def cancel(event_id: str, *atenas: AtenaNumber, on: date = TODAY) -> Cancel:
    return Cancel(
        header=a_header(effective_on=on, filed_on=on), event_id=event_id, atena_numbers=atenas
    )


def move_out(*atenas: AtenaNumber, on: date = date(2026, 11, 22)) -> MoveOut:
    return MoveOut(
        header=a_header(effective_on=on, filed_on=on),
        atena_numbers=atenas,
        planned_on=on,
        onward_address=OSAKA,
    )


# --- 異動の取消し（増） -------------------------------------------------------------------------------


@pytest.mark.spec("4.6.0.1")
def test_cancelling_a_move_out_restores_residency_and_the_household() -> None:
    fake = FakeRegister()
    household, (head, spouse) = a_household(fake, a_person(), wife())
    original = {a: fake.now(a) for a in (head, spouse)}
    record(fake, move_out(head))
    moved_out = fake.last_event_id
    assert fake.now(spouse).is_head  # made head when the head left
    plan = record(fake, cancel(moved_out))
    assert plan.kind is ChangeKind.CANCELLATION
    assert plan.reason is R.CANCELLATION_INCREASE
    assert plan.corrects_event_id == moved_out
    for atena in (head, spouse):
        now = fake.now(atena)
        assert now.history_number == 3
        assert now.reason is R.CANCELLATION_INCREASE
        assert now.effective_on == TODAY
        assert now.status is ResidentStatus.RESIDENT
        assert now.household_number == household
        assert now.relationship == original[atena].relationship
        assert now.address == original[atena].address
        assert now.move_out is None and now.removed_on is None
    assert [r.atena_number for r in fake.household_residents(household) if r.is_head] == [head]


@pytest.mark.spec("4.6.0.1")
def test_the_history_keeps_both_the_cancelled_and_the_cancelling_snapshots() -> None:
    fake = FakeRegister()
    _, (head,) = a_household(fake)
    record(fake, move_out(head))
    record(fake, cancel(fake.last_event_id))
    history = fake.history(head)
    assert [s.history_number for s in history] == [1, 2, 3]
    assert [s.reason for s in history] == [
        R.DOMESTIC_MOVE_IN,
        R.DOMESTIC_MOVE_OUT,
        R.CANCELLATION_INCREASE,
    ]
    assert history[1].status is ResidentStatus.MOVED_OUT  # the cancelled change stays as it was
    assert history[2].status is ResidentStatus.RESIDENT


@pytest.mark.spec("4.6.0.1")
def test_cancelling_a_move_out_after_its_planned_date_raises_no_alert() -> None:
    # 【実装しない機能】: an alert when cancelling a move-out whose planned date has come.
    fake = FakeRegister()
    _, (head,) = a_household(fake)
    record(fake, move_out(head, on=date(2026, 11, 22)))
    plan = record(fake, cancel(fake.last_event_id, on=date(2026, 12, 20)), today=date(2026, 12, 20))
    assert plan.alerts == ()
    assert fake.now(head).is_resident


@pytest.mark.spec("4.6.0.1")
def test_cancelling_a_death_restores_the_person_and_the_head() -> None:
    fake = FakeRegister()
    household, (head, spouse, boy) = a_household(fake, a_person(), wife(), son())
    died = Death(
        header=a_header(acknowledged_alerts=frozenset({"household.head_absent"})),
        atena_number=head,
        died_on=RecordDate.of(date(2026, 11, 21)),
    )
    record(fake, died)
    plan = record(fake, cancel(fake.last_event_id))
    assert plan.reason is R.CANCELLATION_INCREASE
    assert fake.now(head).status is ResidentStatus.RESIDENT and fake.now(head).is_head
    assert {r.atena_number for r in fake.household_residents(household)} == {head, spouse, boy}


@pytest.mark.spec("4.6.0.1")
def test_a_later_change_of_another_member_does_not_block_the_cancellation() -> None:
    fake = FakeRegister()
    household, (head, spouse) = a_household(fake, a_person(), wife())
    record(fake, move_out(head))
    moved_out = fake.last_event_id
    baby = member("𠮷乃", "ヨシノ", "子", "令和8年11月23日")
    record(
        fake,
        Birth(
            header=a_header(effective_on=date(2026, 11, 23)), child=baby, household_number=household
        ),
    )
    plan = record(fake, cancel(moved_out))
    assert {r.atena_number for r in plan.records} == {head, spouse}
    assert [r.atena_number for r in fake.household_residents(household) if r.is_head] == [head]


@pytest.mark.spec("4.6.0.1")
def test_restoring_a_head_into_a_household_that_has_another_head_is_refused() -> None:
    fake = FakeRegister()
    household, (head, spouse, _boy) = a_household(fake, a_person(), wife(), son())
    died = Death(
        header=a_header(acknowledged_alerts=frozenset({"household.head_absent"})),
        atena_number=head,
        died_on=RecordDate.of(date(2026, 11, 21)),
    )
    record(fake, died)
    death_event = fake.last_event_id
    record(
        fake,
        HeadChange(
            header=a_header(effective_on=date(2026, 11, 22)),
            household_number=household,
            new_head=spouse,
        ),
    )
    refusal = refused(fake, cancel(death_event))
    violation(refusal, "cancel.household_has_new_head", "event_id", ERROR)


# --- 異動の取消し（減） -------------------------------------------------------------------------------


@pytest.mark.spec("4.6.0.1")
def test_cancelling_a_move_in_removes_the_persons() -> None:
    fake = FakeRegister()
    household, (head, spouse) = a_household(fake, a_person(), wife())
    moved_in = fake.last_event_id
    plan = record(fake, cancel(moved_in))
    assert plan.reason is R.CANCELLATION_DECREASE
    for atena in (head, spouse):
        now = fake.now(atena)
        assert now.history_number == 2
        assert now.status is ResidentStatus.REMOVED
        assert now.removal_reason is R.CANCELLATION_DECREASE
        assert now.removed_on == TODAY
    assert fake.household_residents(household) == []
    assert fake.snapshot(head, 1) is not None and fake.snapshot(head, 1).is_resident  # type: ignore[union-attr]


@pytest.mark.spec("4.6.0.1")
def test_cancelling_a_birth_removes_the_child_only() -> None:
    fake = FakeRegister()
    household, (head,) = a_household(fake)
    (child,) = record(
        fake,
        Birth(
            header=a_header(effective_on=date(2026, 11, 23)),
            child=member("𠮷乃", "ヨシノ", "子", "令和8年11月23日"),
            household_number=household,
        ),
    ).records
    record(fake, cancel(fake.last_event_id))
    assert fake.now(child.atena_number).status is ResidentStatus.REMOVED
    assert [r.atena_number for r in fake.household_residents(household)] == [head]


@pytest.mark.spec("4.6.0.1")
def test_cancelling_a_returning_residents_move_in_restores_the_removed_record() -> None:
    fake = FakeRegister()
    number = a_valid_individual_number(31)
    _, (atena,) = a_household(fake, a_person(individual_number=number))
    record(fake, move_out(atena))
    removed = fake.now(atena)
    record(
        fake,
        MoveIn(
            header=a_header(effective_on=date(2026, 11, 25)),
            members=(a_person(individual_number=number),),
            address=an_address("九丁目"),
            previous_address=a_previous_address(),
        ),
    )
    assert fake.now(atena).history_number == 3
    record(fake, cancel(fake.last_event_id))
    now = fake.now(atena)
    assert now.history_number == 4
    assert now.status is ResidentStatus.MOVED_OUT
    assert now.move_out == removed.move_out
    assert now.reason is R.CANCELLATION_DECREASE


# --- 異動の取消し（修正） -----------------------------------------------------------------------------


@pytest.mark.spec("4.6.0.1")
def test_cancelling_a_correction_restores_the_old_values() -> None:
    fake = FakeRegister()
    _, (atena,) = a_household(fake)
    before = fake.now(atena)
    record(
        fake,
        Correct(
            header=a_header(),
            atena_number=atena,
            reason=R.CLERICAL_CORRECTION,
            changes=RecordChanges(name=a_name(kana=("タカハシ", "イチロー")), sex=Sex.FEMALE),
        ),
    )
    plan = record(fake, cancel(fake.last_event_id))
    assert plan.reason is R.CANCELLATION_CORRECTION
    now = fake.now(atena)
    assert now.name == before.name and now.sex is before.sex
    assert now.history_number == 3 and now.reason is R.CANCELLATION_CORRECTION


@pytest.mark.spec("1.2.2")
def test_cancelling_an_in_town_move_is_a_correction_kind_cancellation_not_a_tenkyo_torikeshi() -> (
    None
):
    fake = FakeRegister()
    household, (_head, _spouse, boy) = a_household(fake, a_person(), wife(), son())
    record(fake, InTownMove(header=a_header(), atena_numbers=(boy,), address=an_address("六丁目")))
    assert fake.now(boy).household_number != household
    plan = record(fake, cancel(fake.last_event_id))
    assert plan.reason is R.CANCELLATION_CORRECTION
    now = fake.now(boy)
    assert now.household_number == household  # back to the former household and address
    assert now.address == an_address()
    assert now.relationship == Relationship.parse("子")


@pytest.mark.spec("4.6.0.1")
def test_cancelling_a_split_returns_the_members_to_the_former_household() -> None:
    fake = FakeRegister()
    household, (_head, _spouse, boy) = a_household(fake, a_person(), wife(), son())
    record(fake, HouseholdSplit(header=a_header(), atena_numbers=(boy,), new_head=boy))
    record(fake, cancel(fake.last_event_id))
    assert fake.now(boy).household_number == household
    assert not fake.now(boy).is_head


# --- refusals ----------------------------------------------------------------------------------


@pytest.mark.spec("4.6.0.1")
def test_cancelling_a_change_followed_by_a_later_change_is_refused() -> None:
    fake = FakeRegister()
    _, (atena,) = a_household(fake)
    moved_in = fake.last_event_id
    record(
        fake,
        Correct(
            header=a_header(),
            atena_number=atena,
            reason=R.CLERICAL_CORRECTION,
            changes=RecordChanges(sex=Sex.FEMALE),
        ),
    )
    refusal = refused(fake, cancel(moved_in))
    v = violation(refusal, "cancel.later_changes", "event_id", ERROR)
    assert atena.value in v.message


@pytest.mark.spec("4.6.0.1")
def test_a_cancellation_cannot_itself_be_cancelled() -> None:
    fake = FakeRegister()
    _, (atena,) = a_household(fake)
    record(fake, move_out(atena))
    record(fake, cancel(fake.last_event_id))
    violation(refused(fake, cancel(fake.last_event_id)), "cancel.cancellation", "event_id", ERROR)


@pytest.mark.spec("4.6.0.1")
def test_cancelling_an_unknown_event_is_not_found() -> None:
    fake = FakeRegister()
    with pytest.raises(NotFound) as caught:
        record(fake, cancel("ev9999"))
    assert caught.value.code == "cancel.event_not_found"
    assert caught.value.field == "event_id"


@pytest.mark.spec("4.6.0.1")
def test_a_cancellation_may_take_some_of_the_events_persons() -> None:
    fake = FakeRegister()
    household, (head, spouse, boy) = a_household(fake, a_person(), wife(), son())
    plan = record(fake, cancel(fake.last_event_id, boy))
    assert [r.atena_number for r in plan.records] == [boy]
    assert fake.now(boy).status is ResidentStatus.REMOVED
    assert {r.atena_number for r in fake.household_residents(household)} == {head, spouse}


@pytest.mark.spec("4.6.0.1")
def test_a_cancellation_naming_someone_outside_the_event_is_refused() -> None:
    fake = FakeRegister()
    _, (_head,) = a_household(fake)
    event = fake.last_event_id
    _, (other,) = a_household(fake, member("葵", "アオイ", "世帯主", "平成2年2月2日"))
    violation(
        refused(fake, cancel(event, other)), "cancel.person_not_in_event", "atena_numbers", ERROR
    )


@pytest.mark.spec("4.0.3")
def test_a_cancellation_dated_in_the_future_is_refused() -> None:
    fake = FakeRegister()
    _, (_head,) = a_household(fake)
    violation(
        refused(fake, cancel(fake.last_event_id, on=date(2026, 12, 1))),
        "change.effective_on_future",
        "effective_on",
        ERROR,
    )


@pytest.mark.spec("4.6.0.1")
def test_a_move_in_notice_must_be_cancelled_before_the_move_out_it_follows() -> None:
    fake = FakeRegister()
    _, (head,) = a_household(fake)
    record(fake, move_out(head))
    moved_out = fake.last_event_id
    record(
        fake,
        RecordMoveInNotice(
            header=a_header(effective_on=date(2026, 11, 25)),
            atena_number=head,
            notice_on=date(2026, 11, 25),
            confirmed_address=OSAKA,
            moved_in_on=date(2026, 11, 22),
        ),
    )
    violation(refused(fake, cancel(moved_out)), "cancel.later_changes", "event_id", ERROR)
    record(fake, cancel(fake.last_event_id))
    record(fake, cancel(moved_out))
    assert fake.now(head).is_resident
    assert [s.history_number for s in fake.history(head)] == [1, 2, 3, 4, 5]
