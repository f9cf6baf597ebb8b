"""消除: 転出 (§4.1.3), 転入通知 (§4.1.3.1), 死亡 (§4.2.2.1) and 職権消除 (§4.2.2)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jichitai.domain.common.address import Address
from jichitai.domain.common.dates import RecordDate
from jichitai.domain.common.identifiers import AtenaNumber, HouseholdNumber
from jichitai.domain.errors import NotFound, Severity
from jichitai.domain.residents.commands import (
    ChangeCommand,
    Correct,
    Death,
    ExOfficioRemoval,
    HouseholdSplit,
    InTownMove,
    MoveIn,
    MoveOut,
    NewPerson,
    RecordChanges,
    RecordMoveInNotice,
)
from jichitai.domain.residents.model import MoveOutDetails, ResidentStatus, Sex
from jichitai.domain.residents.reasons import ChangeReason
from jichitai.domain.residents.relationships import Relationship
from jichitai.domain.residents.view import ChangeKind, Notice
from tests.factories import (
    a_header,
    a_household,
    a_name,
    a_person,
    a_previous_address,
    acknowledging,
    an_address,
    an_overseas_address,
)
from tests.fakes import TODAY, FakeRegister, record, refused, violation

ERROR = Severity.ERROR
ALERT = Severity.ALERT
OSAKA = Address.municipality_only("大阪府", "大阪市北区")


def member(given: str, kana: str, relationship: str, born: str, sex: Sex = Sex.FEMALE) -> NewPerson:
    return a_person(
        given=given, kana=("タカハシ", kana), relationship=relationship, born=born, sex=sex
    )


def wife() -> NewPerson:
    return member("花子", "ハナコ", "妻", "昭和52年3月4日")


def child() -> NewPerson:
    return member("𠮷乃", "ヨシノ", "子", "平成20年5月6日")


def move_out(
    *atenas: AtenaNumber,
    planned_on: date = date(2026, 11, 22),
    filed_on: date | None = date(2026, 11, 21),
    onward: Address = OSAKA,
    abroad: bool = False,
    special: bool = False,
    acknowledged: tuple[str, ...] = (),
) -> MoveOut:
    header = acknowledging(a_header(effective_on=planned_on, filed_on=filed_on), *acknowledged)
    return MoveOut(
        header=header,
        atena_numbers=atenas,
        planned_on=planned_on,
        onward_address=onward,
        abroad=abroad,
        special=special,
    )


def family(fake: FakeRegister, *extra: NewPerson) -> tuple[HouseholdNumber, list[AtenaNumber]]:
    return a_household(fake, a_person(), *extra)


# --- 転出 ----------------------------------------------------------------------------------------


@pytest.mark.spec("4.1.3.0.1")
def test_a_move_out_may_be_planned_for_a_future_date() -> None:
    fake = FakeRegister()
    _, (head,) = family(fake)
    planned = date(2026, 12, 10)
    plan = record(fake, move_out(head, planned_on=planned, filed_on=TODAY))
    (r,) = plan.records
    assert plan.kind is ChangeKind.MOVE_OUT
    assert plan.reason is ChangeReason.DOMESTIC_MOVE_OUT
    assert r.status is ResidentStatus.MOVED_OUT
    assert r.removal_reason is ChangeReason.DOMESTIC_MOVE_OUT
    assert r.removed_on == planned
    assert r.effective_on == planned
    assert r.history_number == 2
    assert r.move_out == MoveOutDetails(planned_on=planned, onward_address=OSAKA, filed_on=TODAY)
    assert r.is_removed


@pytest.mark.spec("4.0.3")
@pytest.mark.parametrize(
    "make",
    [
        lambda h, a: InTownMove(header=h, atena_numbers=(a,), address=an_address("七丁目")),
        lambda h, a: Death(header=h, atena_number=a, died_on=RecordDate.of(date(2026, 11, 25))),
        lambda h, a: ExOfficioRemoval(header=h, atena_numbers=(a,), cause="実態調査"),
        lambda h, a: Correct(
            header=h,
            atena_number=a,
            reason=ChangeReason.CLERICAL_CORRECTION,
            changes=RecordChanges(name=a_name(kana=("タカハシ", "イチロー"))),
        ),
        lambda h, a: MoveIn(
            header=h,
            members=(member("葵", "アオイ", "世帯主", "平成2年2月2日"),),
            address=an_address("六丁目"),
            previous_address=a_previous_address(),
        ),
    ],
    ids=["in_town_move", "death", "ex_officio_removal", "correction", "move_in"],
)
def test_a_future_effective_date_is_allowed_only_for_a_move_out(make: object) -> None:
    fake = FakeRegister()
    _, (head,) = family(fake)
    header = a_header(effective_on=date(2026, 11, 27), filed_on=TODAY)
    command: ChangeCommand = make(header, head)  # type: ignore[operator]
    violation(refused(fake, command), "change.effective_on_future", "effective_on", ERROR)


@pytest.mark.spec("4.1.3.0.1")
def test_the_planned_date_must_be_the_effective_date() -> None:
    fake = FakeRegister()
    _, (head,) = family(fake)
    command = MoveOut(
        header=a_header(effective_on=date(2026, 11, 22)),
        atena_numbers=(head,),
        planned_on=date(2026, 11, 23),
        onward_address=OSAKA,
    )
    violation(refused(fake, command), "move_out.planned_on_mismatch", "planned_on", ERROR)


@pytest.mark.spec("4.1.3.0.1")
def test_a_move_out_filing_date_cannot_be_in_the_future_either() -> None:
    fake = FakeRegister()
    _, (head,) = family(fake)
    refusal = refused(
        fake, move_out(head, planned_on=date(2026, 12, 10), filed_on=date(2026, 12, 1))
    )
    violation(refusal, "change.filed_on_future", "filed_on", ERROR)


@pytest.mark.spec("4.1.3.0.3")
def test_an_ordinary_domestic_move_out_calls_for_a_move_out_certificate() -> None:
    fake = FakeRegister()
    _, (head,) = family(fake)
    assert record(fake, move_out(head)).notices == (Notice.MOVE_OUT_CERTIFICATE,)


@pytest.mark.spec("4.1.3.0.4")
def test_a_special_case_move_out_sends_no_printed_certificate() -> None:
    fake = FakeRegister()
    _, (head,) = family(fake)
    plan = record(fake, move_out(head, special=True))
    assert Notice.MOVE_OUT_CERTIFICATE not in plan.notices
    assert plan.records[0].move_out is not None and plan.records[0].move_out.special is True


@pytest.mark.spec("4.1.3.0.2")
def test_a_move_out_abroad_records_the_overseas_address_without_a_certificate() -> None:
    fake = FakeRegister()
    _, (head,) = family(fake)
    plan = record(fake, move_out(head, onward=an_overseas_address(), abroad=True))
    (r,) = plan.records
    assert plan.reason is ChangeReason.MOVE_OUT_ABROAD
    assert r.removal_reason is ChangeReason.MOVE_OUT_ABROAD
    assert r.move_out is not None and r.move_out.onward_address.is_overseas
    assert Notice.MOVE_OUT_CERTIFICATE not in plan.notices


@pytest.mark.spec("4.1.3.0.2")
@pytest.mark.parametrize(
    ("onward", "abroad"),
    [(OSAKA, True), (an_overseas_address(), False)],
    ids=["abroad-to-a-domestic-address", "domestic-to-an-overseas-address"],
)
def test_the_onward_address_must_fit_the_move_out_kind(onward: Address, abroad: bool) -> None:
    fake = FakeRegister()
    _, (head,) = family(fake)
    refusal = refused(fake, move_out(head, onward=onward, abroad=abroad))
    violation(refusal, "move_out.onward_address_kind", "onward_address", ERROR)


@pytest.mark.spec("4.1.3.0.2")
def test_an_onward_address_may_stop_at_the_municipality() -> None:
    fake = FakeRegister()
    _, (head,) = family(fake)
    (r,) = record(fake, move_out(head)).records
    assert r.move_out is not None and r.move_out.onward_address.is_municipality_only


@pytest.mark.spec("4.1.3.0.1")
def test_a_move_out_filed_more_than_14_days_late_is_recorded_ex_officio_after_the_alert() -> None:
    fake = FakeRegister()
    _, (head,) = a_household(fake, a_person(), header=a_header(effective_on=date(2026, 10, 1)))
    late = move_out(head, planned_on=date(2026, 11, 1), filed_on=date(2026, 11, 16))
    violation(refused(fake, late), "move_out.late_filing_ex_officio", "filed_on", ALERT)
    plan = record(
        fake,
        move_out(
            head,
            planned_on=date(2026, 11, 1),
            filed_on=date(2026, 11, 16),
            acknowledged=("move_out.late_filing_ex_officio",),
        ),
    )
    assert plan.ex_officio is True
    assert [a.code for a in plan.alerts] == ["move_out.late_filing_ex_officio"]


@pytest.mark.spec("4.1.3.0.1")
def test_a_move_out_filed_within_14_days_after_moving_is_a_filing() -> None:
    fake = FakeRegister()
    _, (head,) = a_household(fake, a_person(), header=a_header(effective_on=date(2026, 10, 1)))
    plan = record(fake, move_out(head, planned_on=date(2026, 11, 1), filed_on=date(2026, 11, 15)))
    assert plan.ex_officio is False
    assert plan.alerts == ()


@pytest.mark.spec("4.1.3.0.1")
def test_a_move_out_before_becoming_resident_is_refused() -> None:
    fake = FakeRegister()
    _, (head,) = family(fake)
    refusal = refused(
        fake, move_out(head, planned_on=date(2026, 11, 19), filed_on=date(2026, 11, 19))
    )
    violation(refusal, "move_out.before_became_resident", "planned_on", ERROR)


@pytest.mark.spec("4.0.1")
def test_a_removed_person_cannot_move_out_again() -> None:
    fake = FakeRegister()
    _, (head,) = family(fake)
    record(fake, move_out(head))
    violation(refused(fake, move_out(head)), "person.not_resident", "atena_numbers", ERROR)


@pytest.mark.spec("4.0.1")
def test_an_unknown_person_is_not_found() -> None:
    fake = FakeRegister()
    with pytest.raises(NotFound) as caught:
        record(fake, move_out(AtenaNumber.from_serial(99)))
    assert caught.value.code == "person.not_found"
    assert fake.events == {}


@pytest.mark.spec("4.0.1")
def test_the_same_person_twice_is_refused() -> None:
    fake = FakeRegister()
    _, (head,) = family(fake)
    violation(refused(fake, move_out(head, head)), "change.duplicate_person", "atena_numbers")


@pytest.mark.spec("4.0.2")
def test_a_whole_household_moving_out_leaves_no_household_behind() -> None:
    fake = FakeRegister()
    household, atenas = family(fake, wife())
    plan = record(fake, move_out(*atenas))
    assert {r.status for r in plan.records} == {ResidentStatus.MOVED_OUT}
    assert Notice.HEAD_CHANGE_REQUEST not in plan.notices
    assert fake.household_residents(household) == []


# --- 世帯主不在 (§4.0.4) -----------------------------------------------------------------------------


@pytest.mark.spec("4.0.4")
def test_the_head_moving_out_with_one_member_left_makes_that_member_head() -> None:
    fake = FakeRegister()
    household, (head, spouse) = family(fake, wife())
    plan = record(fake, move_out(head))
    assert fake.now(spouse).is_head
    assert fake.now(spouse).reason is ChangeReason.HEAD_CHANGE
    assert fake.now(spouse).history_number == 2
    assert Notice.HEAD_CHANGE_REQUEST not in plan.notices
    assert [r.atena_number for r in fake.household_residents(household)] == [spouse]


@pytest.mark.spec("4.0.4")
def test_the_head_moving_out_with_two_members_left_needs_a_head_change_first() -> None:
    fake = FakeRegister()
    _, (head, _, _) = family(fake, wife(), child())
    refusal = refused(fake, move_out(head))
    violation(refusal, "household.head_change_required", "atena_numbers", ERROR)
    assert not refusal.violations[0].code.startswith("household.head_absent")


@pytest.mark.spec("4.0.4")
def test_a_member_moving_out_leaves_the_head_as_head() -> None:
    fake = FakeRegister()
    _, (head, spouse, kid) = family(fake, wife(), child())
    plan = record(fake, move_out(kid))
    assert [r.atena_number for r in plan.records] == [kid]
    assert Notice.HEAD_CHANGE_REQUEST not in plan.notices
    assert fake.now(head).is_head and fake.now(spouse).relationship == Relationship("妻")


# --- 転入通知 ------------------------------------------------------------------------------------


def notice(
    atena: AtenaNumber, moved_in_on: date, notice_on: date = date(2026, 11, 25)
) -> RecordMoveInNotice:
    return RecordMoveInNotice(
        header=a_header(effective_on=notice_on, filed_on=None),
        atena_number=atena,
        notice_on=notice_on,
        confirmed_address=Address.create(
            prefecture="大阪府", city="大阪市北区", lot_text="梅田二丁目3番"
        ),
        moved_in_on=moved_in_on,
    )


@pytest.mark.spec("4.1.3.1.1")
def test_a_move_in_notice_is_stored_beside_the_planned_values() -> None:
    fake = FakeRegister()
    _, (head,) = family(fake)
    planned = date(2026, 12, 10)
    record(fake, move_out(head, planned_on=planned, filed_on=TODAY))
    plan = record(fake, notice(head, moved_in_on=date(2026, 12, 12), notice_on=TODAY))
    (r,) = plan.records
    assert plan.kind is ChangeKind.MOVE_IN_NOTICE
    details = r.move_out
    assert details is not None
    assert details.planned_on == planned
    assert details.onward_address == OSAKA
    assert details.notice_on == TODAY
    assert details.confirmed_on == date(2026, 12, 12)
    assert (
        details.confirmed_address is not None
        and details.confirmed_address.lot_text == "梅田二丁目3番"
    )
    assert r.removed_on == planned  # the planned date is earlier
    assert r.status is ResidentStatus.MOVED_OUT
    assert fake.snapshot(head, 2) is not None and fake.snapshot(head, 2).move_out.notice_on is None  # type: ignore[union-attr]


@pytest.mark.spec("1.1.5")
def test_a_move_out_is_removed_at_the_earlier_notified_move_in_date() -> None:
    fake = FakeRegister()
    _, (head,) = family(fake)
    record(fake, move_out(head, planned_on=date(2026, 12, 10), filed_on=TODAY))
    (r,) = record(fake, notice(head, moved_in_on=date(2026, 12, 5), notice_on=TODAY)).records
    assert r.removed_on == date(2026, 12, 5)
    assert r.move_out is not None and r.move_out.planned_on == date(2026, 12, 10)


@pytest.mark.spec("4.1.3.1.1")
def test_a_move_in_notice_for_a_resident_is_refused() -> None:
    fake = FakeRegister()
    _, (head,) = family(fake)
    refusal = refused(fake, notice(head, moved_in_on=date(2026, 11, 22)))
    violation(refusal, "move_in_notice.not_moved_out", "atena_number", ERROR)


@pytest.mark.spec("4.1.3.1.1")
def test_a_move_in_notice_dated_in_the_future_is_refused() -> None:
    fake = FakeRegister()
    _, (head,) = family(fake)
    record(fake, move_out(head))
    command = RecordMoveInNotice(
        header=a_header(effective_on=TODAY),
        atena_number=head,
        notice_on=date(2026, 11, 30),
        confirmed_address=OSAKA,
        moved_in_on=date(2026, 11, 23),
    )
    violation(refused(fake, command), "move_in_notice.notice_on_future", "notice_on", ERROR)


@pytest.mark.spec("4.1.3.1.1")
def test_a_move_in_notice_may_follow_an_ex_officio_removal() -> None:
    fake = FakeRegister()
    _, (head,) = family(fake)
    record(
        fake,
        ExOfficioRemoval(
            header=a_header(effective_on=date(2026, 11, 22)),
            atena_numbers=(head,),
            cause="実態調査",
        ),
    )
    (r,) = record(fake, notice(head, moved_in_on=date(2026, 11, 21))).records
    assert r.status is ResidentStatus.REMOVED
    assert r.removed_on == date(2026, 11, 22)  # the ex-officio removal date stays
    assert r.move_out is not None and r.move_out.confirmed_on == date(2026, 11, 21)


@pytest.mark.spec("1.1.5")
@settings(max_examples=40, deadline=None)
@given(planned_in=st.integers(min_value=0, max_value=40), moved_in=st.integers(-5, 40))
def test_the_removal_date_is_always_the_earlier_of_planned_and_notified(
    planned_in: int, moved_in: int
) -> None:
    fake = FakeRegister()
    _, (head,) = family(fake)
    planned = date(2026, 11, 20) + timedelta(days=planned_in)
    record(fake, move_out(head, planned_on=planned, filed_on=TODAY))
    confirmed = planned + timedelta(days=moved_in)
    (r,) = record(fake, notice(head, moved_in_on=confirmed, notice_on=TODAY)).records
    assert r.removed_on == min(planned, confirmed)
    assert r.move_out is not None and r.move_out.planned_on == planned


# --- 死亡 ----------------------------------------------------------------------------------------


def death(atena: AtenaNumber, died_on: RecordDate, *acknowledged: str) -> Death:
    header = acknowledging(
        a_header(effective_on=date(2026, 11, 24), filed_on=date(2026, 11, 25)), *acknowledged
    )
    return Death(header=header, atena_number=atena, died_on=died_on)


@pytest.mark.spec("4.2.2.1")
def test_a_death_removes_the_person_with_the_dead_status() -> None:
    fake = FakeRegister()
    _, (head, spouse) = family(fake, wife())
    plan = record(fake, death(spouse, RecordDate.of(date(2026, 11, 23))))
    (r,) = plan.records
    assert plan.kind is ChangeKind.DEATH and plan.reason is ChangeReason.DEATH
    assert r.status is ResidentStatus.DEAD
    assert r.removal_reason is ChangeReason.DEATH
    assert r.removed_on == date(2026, 11, 23)
    assert r.effective_on == date(2026, 11, 24)
    assert fake.now(head).is_head and fake.now(head).history_number == 1


@pytest.mark.spec("1.1.8")
@pytest.mark.parametrize("wording", ["令和8年11月上旬", "令和8年頃", "年月日不詳"])
def test_an_unknown_date_of_death_is_accepted(wording: str) -> None:
    fake = FakeRegister()
    _, (_head, spouse) = family(fake, wife())
    died = RecordDate.parse(wording)
    (r,) = record(fake, death(spouse, died)).records
    assert r.status is ResidentStatus.DEAD
    assert r.removed_on is not None and date(2026, 1, 1) <= r.removed_on <= TODAY


@pytest.mark.spec("1.1.8")
def test_a_wholly_unknown_date_of_death_removes_the_record_on_the_effective_date() -> None:
    fake = FakeRegister()
    _, (_head, spouse) = family(fake, wife())
    (r,) = record(fake, death(spouse, RecordDate.parse("年月日不詳"))).records
    assert r.removed_on == date(2026, 11, 24)


@pytest.mark.spec("1.1.8")
def test_a_non_calendar_date_of_death_is_accepted() -> None:
    fake = FakeRegister()
    _, (_head, spouse) = family(fake, wife())
    (r,) = record(fake, death(spouse, RecordDate.parse("令和7年2月29日"))).records
    assert r.removed_on == date(2025, 2, 28)


@pytest.mark.spec("4.2.2.1")
def test_a_death_before_birth_is_refused() -> None:
    fake = FakeRegister()
    _, (_head, spouse) = family(fake, wife())
    refusal = refused(fake, death(spouse, RecordDate.of(date(1970, 1, 1))))
    violation(refusal, "death.before_birth", "died_on", ERROR)


@pytest.mark.spec("4.2.2.1")
def test_a_future_date_of_death_is_refused() -> None:
    fake = FakeRegister()
    _, (_head, spouse) = family(fake, wife())
    refusal = refused(fake, death(spouse, RecordDate.of(date(2026, 11, 30))))
    violation(refusal, "death.date_future", "died_on", ERROR)


@pytest.mark.spec("4.0.4")
def test_the_heads_death_with_one_survivor_makes_the_survivor_head() -> None:
    fake = FakeRegister()
    _household, (head, spouse) = family(fake, wife())
    plan = record(fake, death(head, RecordDate.of(date(2026, 11, 23))))
    assert fake.now(head).status is ResidentStatus.DEAD
    assert fake.now(spouse).is_head
    assert Notice.HEAD_CHANGE_REQUEST not in plan.notices
    assert plan.alerts == ()


@pytest.mark.spec("1.1.10")
def test_the_heads_death_with_two_or_more_left_is_an_alert_not_an_error() -> None:
    # Decided: a death cannot wait for a 世帯主変更; §1.1.10 allows a household without a head.
    fake = FakeRegister()
    household, (head, spouse, kid) = family(fake, wife(), child())
    refusal = refused(fake, death(head, RecordDate.of(date(2026, 11, 23))))
    assert [v.severity for v in refusal.violations] == [ALERT]
    violation(refusal, "household.head_absent", "atena_numbers", ALERT)
    plan = record(fake, death(head, RecordDate.of(date(2026, 11, 23)), "household.head_absent"))
    assert [a.code for a in plan.alerts] == ["household.head_absent"]
    assert Notice.HEAD_CHANGE_REQUEST in plan.notices
    remaining = fake.household_residents(household)
    assert {r.atena_number for r in remaining} == {spouse, kid}
    assert not any(r.is_head for r in remaining)


@pytest.mark.spec("4.2.2.1")
def test_a_dead_person_cannot_die_again() -> None:
    fake = FakeRegister()
    _, (_head, spouse) = family(fake, wife())
    record(fake, death(spouse, RecordDate.of(date(2026, 11, 23))))
    violation(
        refused(fake, death(spouse, RecordDate.of(date(2026, 11, 23)))),
        "person.not_resident",
        "atena_number",
    )


# --- 職権消除 ------------------------------------------------------------------------------------


@pytest.mark.spec("4.2.2.2")
def test_an_ex_officio_removal_needs_a_cause_and_keeps_it_in_the_remarks() -> None:
    fake = FakeRegister()
    _, (_head, spouse) = family(fake, wife())
    header = a_header(effective_on=date(2026, 11, 24), filed_on=None, ex_officio=True)
    violation(
        refused(fake, ExOfficioRemoval(header=header, atena_numbers=(spouse,), cause="  ")),
        "ex_officio_removal.cause_required",
        "cause",
        ERROR,
    )
    plan = record(fake, ExOfficioRemoval(header=header, atena_numbers=(spouse,), cause="失踪宣告"))
    (r,) = plan.records
    assert plan.kind is ChangeKind.EX_OFFICIO_REMOVAL and plan.ex_officio is True
    assert r.status is ResidentStatus.REMOVED
    assert r.removal_reason is ChangeReason.EX_OFFICIO_REMOVAL
    assert r.removed_on == date(2026, 11, 24)
    assert "職権消除（失踪宣告）" in r.remarks


@pytest.mark.spec("4.0.4")
def test_removing_the_head_ex_officio_with_one_left_makes_that_member_head() -> None:
    fake = FakeRegister()
    _, (head, spouse) = family(fake, wife())
    plan = record(
        fake, ExOfficioRemoval(header=a_header(), atena_numbers=(head,), cause="実態調査")
    )
    assert fake.now(spouse).is_head
    assert "職権消除" not in fake.now(spouse).remarks  # only the removed person gets the remark
    assert Notice.HEAD_CHANGE_REQUEST not in plan.notices


@pytest.mark.spec("1.1.10")
def test_removing_the_head_ex_officio_with_two_left_is_an_alert() -> None:
    fake = FakeRegister()
    _, (head, _, _) = family(fake, wife(), child())
    command = ExOfficioRemoval(header=a_header(), atena_numbers=(head,), cause="実態調査")
    violation(refused(fake, command), "household.head_absent", "atena_numbers", ALERT)


@pytest.mark.spec("4.0.4")
def test_a_split_of_the_head_leaving_two_behind_is_refused_like_a_move() -> None:
    fake = FakeRegister()
    _, (head, _, _) = family(fake, wife(), child())
    command = HouseholdSplit(header=a_header(), atena_numbers=(head,), new_head=head)
    violation(refused(fake, command), "household.head_change_required", "atena_numbers", ERROR)


@pytest.mark.spec("1.1.5")
def test_a_removed_record_is_kept_150_years_from_its_removal() -> None:
    fake = FakeRegister()
    _, (head,) = a_household(fake)
    assert fake.currents[head.value].retained_until is None
    record(
        fake,
        Death(header=a_header(), atena_number=head, died_on=RecordDate.of(date(2024, 2, 29))),
    )
    removed = fake.currents[head.value]
    assert removed.removed_on == date(2024, 2, 29)
    assert removed.retained_until == date(2174, 2, 28)


@pytest.mark.spec("1.1.8")
def test_an_unknown_date_of_death_keeps_its_wording_on_the_removed_record() -> None:
    fake = FakeRegister()
    _, (head,) = a_household(fake)
    died = RecordDate.parse("令和8年11月上旬")
    record(fake, Death(header=a_header(), atena_number=head, died_on=died))
    removed = fake.currents[head.value]
    assert removed.removal_event_date == died
    assert removed.removal_event_date is not None
    assert removed.removal_event_date.display() == "令和8年11月上旬"
