"""転居 (§4.1.2) and 世帯変更等 (§4.1.4): split, merge, change, head change."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jichitai.domain.common.address import Address
from jichitai.domain.common.dates import RecordDate
from jichitai.domain.common.identifiers import AtenaNumber, HouseholdNumber
from jichitai.domain.errors import DomainError, NotFound, Severity
from jichitai.domain.residents.commands import (
    ChangeHeader,
    HeadChange,
    HouseholdChange,
    HouseholdMerge,
    HouseholdSplit,
    InTownMove,
    NewPerson,
)
from jichitai.domain.residents.model import ResidentStatus, Sex
from jichitai.domain.residents.reasons import ChangeReason
from jichitai.domain.residents.relationships import Relationship
from jichitai.domain.residents.view import ChangeKind, Notice
from tests.factories import a_header, a_household, a_person, acknowledging, an_address
from tests.fakes import FakeRegister, record, refused, violation

ERROR = Severity.ERROR
ALERT = Severity.ALERT
REL = Relationship.parse
NEW_HOME = an_address("三丁目3番3号", "霞が関レジデンス502")


def member(given: str, kana: str, relationship: str, born: str, sex: Sex = Sex.FEMALE) -> NewPerson:
    return a_person(
        given=given, kana=("タカハシ", kana), relationship=relationship, born=born, sex=sex
    )


def wife() -> NewPerson:
    return member("花子", "ハナコ", "妻", "昭和52年3月4日")


def son() -> NewPerson:
    return member("𠮷男", "ヨシオ", "子", "平成15年5月6日", Sex.MALE)


def daughter() -> NewPerson:
    return member("葵", "アオイ", "子", "平成18年7月8日")


def others(
    family: str, given: str, kana: tuple[str, str], relationship: str = "世帯主"
) -> NewPerson:
    return a_person(
        name=family,
        given=given,
        kana=kana,
        relationship=relationship,
        born="昭和60年10月10日",
        sex=Sex.FEMALE,
    )


def move(
    *atenas: AtenaNumber,
    address: Address = NEW_HOME,
    header: ChangeHeader | None = None,
    **extra: object,
) -> InTownMove:
    return InTownMove(header=header or a_header(), atena_numbers=atenas, address=address, **extra)  # type: ignore[arg-type]


def heads(fake: FakeRegister, household: HouseholdNumber) -> list[AtenaNumber]:
    return [r.atena_number for r in fake.household_residents(household) if r.is_head]


# --- 転居 ----------------------------------------------------------------------------------------


@pytest.mark.spec("4.1.0.1")
def test_a_whole_household_moving_in_town_keeps_its_number() -> None:
    fake = FakeRegister()
    household, atenas = a_household(fake, a_person(), wife())
    plan = record(fake, move(*atenas))
    assert plan.kind is ChangeKind.IN_TOWN_MOVE and plan.reason is ChangeReason.IN_TOWN_MOVE
    assert plan.households == (household.value,)
    for atena in atenas:
        now = fake.now(atena)
        assert now.household_number == household
        assert now.address == NEW_HOME
        assert now.reason is ChangeReason.IN_TOWN_MOVE
        assert now.history_number == 2


@pytest.mark.spec("4.1.1.1")
def test_an_in_town_move_sets_the_address_date_and_keeps_the_resident_since_date() -> None:
    fake = FakeRegister()
    _, (head,) = a_household(fake)
    before = fake.now(head)
    record(fake, move(head, header=a_header(effective_on=date(2026, 11, 25))))
    after = fake.now(head)
    assert after.address_set_on == RecordDate.of(date(2026, 11, 25))
    assert after.became_resident_on == before.became_resident_on
    assert after.previous_address == before.previous_address  # 転入前住所 is kept
    assert fake.snapshot(head, 1) == before  # history is never overwritten


@pytest.mark.spec("4.0.2")
def test_part_of_a_household_moving_forms_a_new_household_with_a_head() -> None:
    fake = FakeRegister()
    household, (head, spouse, boy, girl) = a_household(fake, a_person(), wife(), son(), daughter())
    plan = record(fake, move(boy, girl, new_head=boy, relationships={girl.value: REL("妹")}))
    new = fake.now(boy).household_number
    assert new != household
    assert fake.now(girl).household_number == new
    assert fake.now(boy).is_head and fake.now(girl).relationship == REL("妹")
    assert plan.households == (household.value, new.value)
    assert heads(fake, household) == [head]
    assert fake.now(spouse).history_number == 1


@pytest.mark.spec("4.0.2")
def test_one_member_moving_alone_becomes_head_of_the_new_household() -> None:
    fake = FakeRegister()
    household, (_, _, boy) = a_household(fake, a_person(), wife(), son())
    record(fake, move(boy))
    assert fake.now(boy).is_head
    assert fake.now(boy).household_number != household


@pytest.mark.spec("4.0.2")
def test_part_of_a_household_moving_needs_a_new_head_among_the_movers() -> None:
    fake = FakeRegister()
    _, (head, _, boy, girl) = a_household(fake, a_person(), wife(), son(), daughter())
    refusal = refused(fake, move(boy, girl, relationships={girl.value: REL("妹")}))
    violation(refusal, "in_town_move.new_head_required", "new_head", ERROR)
    refusal = refused(fake, move(boy, girl, new_head=head))
    violation(refusal, "in_town_move.new_head_required", "new_head", ERROR)


@pytest.mark.spec("4.0.2")
def test_movers_forming_a_household_keep_their_relationships_left_blank() -> None:
    """The counter's hint: 「空欄は今の続柄のまま」 (the clerk types the one that changes)."""
    fake = FakeRegister()
    _, (_, _, boy, girl) = a_household(fake, a_person(), wife(), son(), daughter())
    record(fake, move(boy, girl, new_head=boy))
    assert fake.now(boy).relationship.is_head
    assert fake.now(girl).relationship == REL("子")


@pytest.mark.spec("4.0.2")
def test_movers_may_join_another_household_at_the_new_address() -> None:
    fake = FakeRegister()
    target, (other_head,) = a_household(
        fake, others("佐藤", "𩸽子", ("サトウ", "ホッケコ")), address=NEW_HOME
    )
    household, (_head, _spouse, boy) = a_household(fake, a_person(), wife(), son())
    plan = record(
        fake, move(boy, household_number=target, relationships={boy.value: REL("同居人")})
    )
    assert fake.now(boy).household_number == target
    assert fake.now(boy).relationship == REL("同居人")
    assert heads(fake, target) == [other_head]
    assert plan.households == (household.value, target.value)


@pytest.mark.spec("4.0.2")
def test_joining_a_household_at_another_address_by_a_move_is_refused() -> None:
    fake = FakeRegister()
    target, _ = a_household(fake, others("佐藤", "𩸽子", ("サトウ", "ホッケコ")), address=NEW_HOME)
    _, (_, _, boy) = a_household(fake, a_person(), wife(), son())
    command = move(
        boy,
        address=an_address("八丁目"),
        household_number=target,
        relationships={boy.value: REL("同居人")},
    )
    violation(refused(fake, command), "household.address_differs", "address", ERROR)


@pytest.mark.spec("1.1.10")
def test_a_mover_joining_a_household_cannot_be_a_second_head() -> None:
    fake = FakeRegister()
    target, _ = a_household(fake, others("佐藤", "𩸽子", ("サトウ", "ホッケコ")), address=NEW_HOME)
    _, (_, _, boy) = a_household(fake, a_person(), wife(), son())
    command = move(boy, household_number=target, relationships={boy.value: REL("世帯主")})
    violation(refused(fake, command), "household.second_head", f"relationships.{boy.value}", ERROR)


@pytest.mark.spec("4.1.2.1")
def test_moving_to_the_same_address_needs_the_alert_acknowledged() -> None:
    fake = FakeRegister()
    _, (head,) = a_household(fake)
    refusal = refused(fake, move(head, address=an_address()))
    violation(refusal, "in_town_move.same_address", "address", ALERT)
    header = acknowledging(a_header(), "in_town_move.same_address")
    plan = record(fake, move(head, address=an_address(), header=header))
    assert [a.code for a in plan.alerts] == ["in_town_move.same_address"]


@pytest.mark.spec("4.1.2.1")
def test_another_building_on_the_same_lot_is_an_ordinary_move() -> None:
    fake = FakeRegister()
    _, (head,) = a_household(fake)
    plan = record(fake, move(head, address=an_address(supplement="別棟")))
    assert plan.alerts == ()
    assert fake.now(head).address.address_supplement == "別棟"
    # 【実装しない機能】: no automatic 「同一住所への転居」 remark.
    assert "同一住所" not in fake.now(head).remarks


@pytest.mark.spec("4.1.0.1")
def test_a_move_abroad_is_not_an_in_town_move() -> None:
    fake = FakeRegister()
    _, (head,) = a_household(fake)
    command = move(head, address=Address.create(country="大韓民国"))
    violation(refused(fake, command), "in_town_move.address_abroad", "address", ERROR)


@pytest.mark.spec("4.1.0.1")
def test_an_in_town_move_filed_late_needs_the_alert_acknowledged() -> None:
    fake = FakeRegister()
    _, (head,) = a_household(fake, a_person(), header=a_header(effective_on=date(2026, 10, 1)))
    header = a_header(effective_on=date(2026, 11, 1), filed_on=date(2026, 11, 20))
    violation(
        refused(fake, move(head, header=header)), "in_town_move.late_filing", "filed_on", ALERT
    )


@pytest.mark.spec("4.0.4")
def test_the_head_moving_with_one_member_left_makes_that_member_head() -> None:
    fake = FakeRegister()
    household, (head, spouse) = a_household(fake, a_person(), wife())
    plan = record(fake, move(head))
    assert fake.now(spouse).is_head and fake.now(spouse).household_number == household
    assert fake.now(head).is_head and fake.now(head).household_number != household
    assert plan.notices == ()  # a household of one needs no 世帯主変更届


@pytest.mark.spec("4.0.4")
def test_the_head_moving_with_two_members_left_is_refused_until_a_head_change() -> None:
    fake = FakeRegister()
    household, (head, spouse, boy) = a_household(fake, a_person(), wife(), son())
    refusal = refused(fake, move(head))
    violation(refusal, "household.head_change_required", "atena_numbers", ERROR)
    record(
        fake,
        HeadChange(
            header=a_header(),
            household_number=household,
            new_head=spouse,
            relationships={head.value: REL("夫"), boy.value: REL("子")},
        ),
    )
    record(fake, move(head))
    assert heads(fake, household) == [spouse]


# --- 世帯分離 ------------------------------------------------------------------------------------


@pytest.mark.spec("4.1.4.1")
def test_a_split_forms_a_new_household_at_the_same_address() -> None:
    fake = FakeRegister()
    household, (head, _spouse, boy, girl) = a_household(fake, a_person(), wife(), son(), daughter())
    plan = record(
        fake,
        HouseholdSplit(
            header=a_header(),
            atena_numbers=(boy, girl),
            new_head=boy,
            relationships={girl.value: REL("妹")},
        ),
    )
    assert plan.kind is ChangeKind.HOUSEHOLD_SPLIT and plan.reason is ChangeReason.HOUSEHOLD_SPLIT
    new = fake.now(boy).household_number
    assert new != household and fake.now(girl).household_number == new
    assert fake.now(boy).is_head and fake.now(girl).relationship == REL("妹")
    assert fake.now(boy).address == fake.now(head).address
    assert fake.now(boy).reason is ChangeReason.HOUSEHOLD_SPLIT
    assert heads(fake, household) == [head]
    assert plan.households == (household.value, new.value)


@pytest.mark.spec("4.1.4.1")
def test_splitting_the_whole_household_is_refused() -> None:
    fake = FakeRegister()
    _, (head, spouse) = a_household(fake, a_person(), wife())
    command = HouseholdSplit(
        header=a_header(),
        atena_numbers=(head, spouse),
        new_head=head,
        relationships={spouse.value: REL("妻")},
    )
    violation(refused(fake, command), "household_split.whole_household", "atena_numbers", ERROR)


@pytest.mark.spec("4.1.4.1")
def test_the_new_head_of_a_split_must_be_among_those_leaving() -> None:
    fake = FakeRegister()
    _, (head, _, boy) = a_household(fake, a_person(), wife(), son())
    command = HouseholdSplit(header=a_header(), atena_numbers=(boy,), new_head=head)
    violation(refused(fake, command), "household_split.head_not_mover", "new_head", ERROR)


@pytest.mark.spec("4.1.4.1")
def test_a_split_takes_members_of_one_household_only() -> None:
    fake = FakeRegister()
    _, (_, _, boy) = a_household(fake, a_person(), wife(), son())
    _, (_, other_child) = a_household(
        fake,
        others("佐藤", "𩸽子", ("サトウ", "ホッケコ")),
        member("葵", "アオイ", "子", "平成18年7月8日"),
        address=NEW_HOME,
    )
    command = HouseholdSplit(
        header=a_header(),
        atena_numbers=(boy, other_child),
        new_head=boy,
        relationships={other_child.value: REL("同居人")},
    )
    violation(refused(fake, command), "household_split.several_households", "atena_numbers", ERROR)


@pytest.mark.spec("4.0.4")
def test_the_head_splitting_off_with_one_left_makes_that_member_head() -> None:
    fake = FakeRegister()
    household, (head, spouse) = a_household(fake, a_person(), wife())
    # A household of two cannot split the head off with the other: only one may leave.
    plan = record(fake, HouseholdSplit(header=a_header(), atena_numbers=(head,), new_head=head))
    assert fake.now(spouse).is_head and fake.now(spouse).household_number == household
    assert Notice.HEAD_CHANGE_REQUEST not in plan.notices


# --- 世帯合併 / 世帯変更 -----------------------------------------------------------------------------


def two_households_at_one_address(
    fake: FakeRegister, supplement: str = ""
) -> tuple[HouseholdNumber, list[AtenaNumber], HouseholdNumber, list[AtenaNumber]]:
    target, target_members = a_household(fake, a_person(), wife())
    source, source_members = a_household(
        fake,
        others("髙橋", "次郎", ("タカハシ", "ジロウ")),
        member("桃子", "モモコ", "妻", "平成元年1月8日"),
        address=an_address(supplement=supplement),
    )
    return target, target_members, source, source_members


@pytest.mark.spec("4.1.4.1")
def test_a_merge_moves_a_whole_household_into_another() -> None:
    fake = FakeRegister()
    target, (head, _), source, (jiro, momoko) = two_households_at_one_address(fake)
    plan = record(
        fake,
        HouseholdMerge(
            header=a_header(),
            source_household=source,
            target_household=target,
            relationships={jiro.value: REL("子"), momoko.value: REL("子の妻")},
        ),
    )
    assert plan.kind is ChangeKind.HOUSEHOLD_MERGE and plan.reason is ChangeReason.HOUSEHOLD_MERGE
    assert fake.household_residents(source) == []
    assert {r.atena_number for r in fake.household_residents(target)} >= {jiro, momoko}
    assert heads(fake, target) == [head]
    assert fake.now(momoko).relationship == REL("子の妻")
    assert plan.households == (source.value, target.value)


@pytest.mark.spec("4.1.4.1")
def test_a_merge_needs_every_movers_relationship_to_the_new_head() -> None:
    fake = FakeRegister()
    target, _, source, (jiro, momoko) = two_households_at_one_address(fake)
    command = HouseholdMerge(
        header=a_header(),
        source_household=source,
        target_household=target,
        relationships={jiro.value: REL("子")},
    )
    violation(
        refused(fake, command), "relationship.required", f"relationships.{momoko.value}", ERROR
    )


@pytest.mark.spec("4.1.4.1")
def test_a_merge_with_a_household_elsewhere_is_refused() -> None:
    # 【実装しない機能】: a household change together with a change of address.
    fake = FakeRegister()
    target, _ = a_household(fake, a_person(), wife())
    source, (jiro,) = a_household(
        fake, others("髙橋", "次郎", ("タカハシ", "ジロウ")), address=NEW_HOME
    )
    command = HouseholdMerge(
        header=a_header(),
        source_household=source,
        target_household=target,
        relationships={jiro.value: REL("子")},
    )
    violation(refused(fake, command), "household.address_differs", "target_household", ERROR)


@pytest.mark.spec("4.1.4.1")
def test_a_merge_with_a_different_katagaki_on_the_same_lot_is_accepted() -> None:
    # 【実装しない機能】: requiring the movers' 方書 to equal the target household's.
    fake = FakeRegister()
    target, _, source, (jiro, momoko) = two_households_at_one_address(fake, supplement="離れ")
    record(
        fake,
        HouseholdMerge(
            header=a_header(),
            source_household=source,
            target_household=target,
            relationships={jiro.value: REL("子"), momoko.value: REL("子の妻")},
        ),
    )
    assert fake.now(jiro).household_number == target
    assert fake.now(jiro).address.address_supplement == "離れ"  # no address change on the side


@pytest.mark.spec("4.1.4.1")
def test_merging_a_household_into_itself_is_refused() -> None:
    fake = FakeRegister()
    target, (head, spouse) = a_household(fake, a_person(), wife())
    command = HouseholdMerge(
        header=a_header(),
        source_household=target,
        target_household=target,
        relationships={head.value: REL("子"), spouse.value: REL("子")},
    )
    violation(refused(fake, command), "household.same_household", "target_household", ERROR)


@pytest.mark.spec("4.1.4.1")
def test_merging_an_empty_household_is_refused() -> None:
    fake = FakeRegister()
    target, _ = a_household(fake)
    command = HouseholdMerge(
        header=a_header(), source_household=HouseholdNumber.from_serial(77), target_household=target
    )
    violation(refused(fake, command), "household.not_found", "source_household", ERROR)


@pytest.mark.spec("4.1.4.1")
def test_a_household_change_moves_some_members_into_another_household() -> None:
    fake = FakeRegister()
    target, (_head, _), source, (jiro, momoko) = two_households_at_one_address(fake)
    plan = record(
        fake,
        HouseholdChange(
            header=a_header(),
            atena_numbers=(momoko,),
            target_household=target,
            relationships={momoko.value: REL("縁故者")},
        ),
    )
    assert plan.kind is ChangeKind.HOUSEHOLD_CHANGE and plan.reason is ChangeReason.HOUSEHOLD_CHANGE
    assert fake.now(momoko).household_number == target
    assert fake.now(momoko).relationship == REL("縁故者")
    assert heads(fake, source) == [jiro]


@pytest.mark.spec("4.0.4")
def test_the_head_changing_household_with_one_left_makes_that_member_head() -> None:
    fake = FakeRegister()
    target, _, source, (jiro, momoko) = two_households_at_one_address(fake)
    plan = record(
        fake,
        HouseholdChange(
            header=a_header(),
            atena_numbers=(jiro,),
            target_household=target,
            relationships={jiro.value: REL("子")},
        ),
    )
    assert fake.now(momoko).is_head and fake.now(momoko).household_number == source
    assert Notice.HEAD_CHANGE_REQUEST not in plan.notices


@pytest.mark.spec("4.1.4.1")
def test_a_household_change_to_a_household_elsewhere_is_refused() -> None:
    fake = FakeRegister()
    target, _ = a_household(fake, a_person(), wife(), address=NEW_HOME)
    _, (_, momoko) = a_household(
        fake,
        others("髙橋", "次郎", ("タカハシ", "ジロウ")),
        member("桃子", "モモコ", "妻", "平成元年1月8日"),
    )
    command = HouseholdChange(
        header=a_header(),
        atena_numbers=(momoko,),
        target_household=target,
        relationships={momoko.value: REL("縁故者")},
    )
    violation(refused(fake, command), "household.address_differs", "target_household", ERROR)


@pytest.mark.spec("1.1.11")
def test_a_relationship_outside_the_whitelist_is_refused_in_a_household_change() -> None:
    fake = FakeRegister()
    target, _, _, (_, momoko) = two_households_at_one_address(fake)
    command = HouseholdChange(
        header=a_header(),
        atena_numbers=(momoko,),
        target_household=target,
        relationships={momoko.value: Relationship("孫")},
    )
    violation(
        refused(fake, command), "relationship.not_allowed", f"relationships.{momoko.value}", ERROR
    )


# --- 世帯主変更 ----------------------------------------------------------------------------------


@pytest.mark.spec("4.1.4.2")
def test_a_head_change_resets_the_members_relationships() -> None:
    fake = FakeRegister()
    household, (head, spouse, boy) = a_household(fake, a_person(), wife(), son())
    plan = record(
        fake,
        HeadChange(
            header=a_header(),
            household_number=household,
            new_head=boy,
            relationships={head.value: REL("父"), spouse.value: REL("母")},
        ),
    )
    assert plan.kind is ChangeKind.HEAD_CHANGE and plan.reason is ChangeReason.HEAD_CHANGE
    assert heads(fake, household) == [boy]
    assert fake.now(head).relationship == REL("父")
    assert fake.now(spouse).relationship == REL("母")
    assert {r.reason for r in plan.records} == {ChangeReason.HEAD_CHANGE}


@pytest.mark.spec("4.1.4.2")
def test_a_head_change_keeps_relationships_that_are_not_reset() -> None:
    fake = FakeRegister()
    household, (head, spouse, boy) = a_household(fake, a_person(), wife(), son())
    plan = record(
        fake,
        HeadChange(
            header=a_header(),
            household_number=household,
            new_head=spouse,
            relationships={head.value: REL("夫")},
        ),
    )
    assert fake.now(boy).relationship == REL("子")
    assert fake.now(boy).history_number == 1  # unchanged members get no new snapshot
    assert {r.atena_number for r in plan.records} == {head, spouse}


@pytest.mark.spec("4.1.4.2")
def test_the_former_head_needs_a_new_relationship() -> None:
    fake = FakeRegister()
    household, (head, spouse) = a_household(fake, a_person(), wife())
    command = HeadChange(header=a_header(), household_number=household, new_head=spouse)
    violation(refused(fake, command), "relationship.required", f"relationships.{head.value}", ERROR)


@pytest.mark.spec("1.1.10")
def test_a_head_change_cannot_give_a_second_head() -> None:
    fake = FakeRegister()
    household, (head, spouse, boy) = a_household(fake, a_person(), wife(), son())
    command = HeadChange(
        header=a_header(),
        household_number=household,
        new_head=spouse,
        relationships={head.value: REL("夫"), boy.value: REL("世帯主")},
    )
    violation(refused(fake, command), "household.second_head", f"relationships.{boy.value}", ERROR)


@pytest.mark.spec("4.1.4.1")
def test_the_new_head_must_be_a_member_and_not_already_head() -> None:
    fake = FakeRegister()
    household, (head, _) = a_household(fake, a_person(), wife())
    _, (stranger,) = a_household(fake, others("佐藤", "𩸽子", ("サトウ", "ホッケコ")))
    violation(
        refused(fake, HeadChange(header=a_header(), household_number=household, new_head=stranger)),
        "head_change.not_member",
        "new_head",
        ERROR,
    )
    violation(
        refused(fake, HeadChange(header=a_header(), household_number=household, new_head=head)),
        "head_change.already_head",
        "new_head",
        ERROR,
    )


@pytest.mark.spec("4.1.4.2")
def test_relationships_for_non_members_are_refused() -> None:
    fake = FakeRegister()
    household, (head, spouse) = a_household(fake, a_person(), wife())
    _, (stranger,) = a_household(fake, others("佐藤", "𩸽子", ("サトウ", "ホッケコ")))
    command = HeadChange(
        header=a_header(),
        household_number=household,
        new_head=spouse,
        relationships={head.value: REL("夫"), stranger.value: REL("同居人")},
    )
    violation(
        refused(fake, command),
        "head_change.relationship_for_non_member",
        f"relationships.{stranger.value}",
        ERROR,
    )


@pytest.mark.spec("1.1.11")
def test_a_relationship_outside_the_whitelist_is_refused_in_a_head_change() -> None:
    fake = FakeRegister()
    household, (head, spouse, boy) = a_household(fake, a_person(), wife(), son())
    command = HeadChange(
        header=a_header(),
        household_number=household,
        new_head=boy,
        relationships={head.value: Relationship("祖父"), spouse.value: REL("母")},
    )
    violation(
        refused(fake, command), "relationship.not_allowed", f"relationships.{head.value}", ERROR
    )


@pytest.mark.spec("1.1.10")
def test_a_household_left_without_a_head_may_be_given_one_by_a_head_change() -> None:
    from jichitai.domain.residents.commands import Death

    fake = FakeRegister()
    household, (head, spouse, boy) = a_household(fake, a_person(), wife(), son())
    died = Death(
        header=acknowledging(a_header(), "household.head_absent"),
        atena_number=head,
        died_on=RecordDate.of(date(2026, 11, 21)),
    )
    record(fake, died)
    assert heads(fake, household) == []
    record(
        fake,
        HeadChange(
            header=a_header(effective_on=date(2026, 11, 25)),
            household_number=household,
            new_head=spouse,
            relationships={boy.value: REL("子")},
        ),
    )
    assert heads(fake, household) == [spouse]
    assert fake.now(head).status is ResidentStatus.DEAD


@pytest.mark.spec("4.1.4.1")
def test_a_head_change_of_an_unknown_household_is_not_found() -> None:
    fake = FakeRegister()
    _, (head,) = a_household(fake)
    with pytest.raises(NotFound):
        record(
            fake,
            HeadChange(
                header=a_header(), household_number=HouseholdNumber.from_serial(50), new_head=head
            ),
        )


# --- any subset leaving keeps at most one head ---------------------------------------------------

FAMILY = [
    ("一郎", "イチロウ", "世帯主", "昭和50年1月2日", Sex.MALE),
    ("花子", "ハナコ", "妻", "昭和52年3月4日", Sex.FEMALE),
    ("𠮷男", "ヨシオ", "子", "平成15年5月6日", Sex.MALE),
    ("葵", "アオイ", "子", "平成18年7月8日", Sex.FEMALE),
    ("辻󠄀子", "ツジコ", "母", "昭和20年9月10日", Sex.FEMALE),
]


@pytest.mark.spec("4.0.4")
@settings(max_examples=60, deadline=None)
@given(
    size=st.integers(min_value=2, max_value=5),
    data=st.data(),
    split=st.booleans(),
)
def test_any_part_of_a_household_leaving_keeps_at_most_one_head_per_household(
    size: int, data: st.DataObject, split: bool
) -> None:
    fake = FakeRegister()
    people = [
        member(g, k, r, b, s) if r != "世帯主" else a_person() for g, k, r, b, s in FAMILY[:size]
    ]
    household, atenas = a_household(fake, *people)
    leaving = data.draw(
        st.lists(st.sampled_from(atenas), min_size=1, max_size=size - 1, unique=True),
        label="leaving",
    )
    new_head = data.draw(st.sampled_from(leaving), label="new_head")
    relationships = {a.value: REL("同居人") for a in leaving if a != new_head}
    if split:
        command: HouseholdSplit | InTownMove = HouseholdSplit(
            header=a_header(),
            atena_numbers=tuple(leaving),
            new_head=new_head,
            relationships=relationships,
        )
    else:
        command = move(*leaving, new_head=new_head, relationships=relationships)
    head_leaves = atenas[0] in leaving
    remaining = size - len(leaving)
    try:
        plan = record(fake, command)
    except DomainError as refusal:
        assert head_leaves and remaining >= 2
        assert [v.code for v in refusal.violations] == ["household.head_change_required"]
        assert len(fake.snapshots) == size
        return
    assert not (head_leaves and remaining >= 2)
    new_household = fake.now(new_head).household_number
    assert heads(fake, new_household) == [new_head]
    assert len(heads(fake, household)) == 1
    if head_leaves:
        (survivor,) = (a for a in atenas if a not in leaving)
        assert heads(fake, household) == [survivor]
        assert Notice.HEAD_CHANGE_REQUEST not in plan.notices
    else:
        assert heads(fake, household) == [atenas[0]]
    assert (
        len(fake.household_residents(household)) + len(fake.household_residents(new_household))
        == size
    )


@pytest.mark.spec("4.1.2")
def test_part_of_a_household_moving_keeps_a_blank_relationship_as_it_is() -> None:
    """世帯主, 妻 and 子: the wife and the son move out to a flat of their own in town, she its
    head; the son's 続柄 left blank stays 子."""
    fake = FakeRegister()
    _, (head, her, boy) = a_household(fake, a_person(), wife(), son())
    record(fake, move(her, boy, new_head=her))
    assert fake.now(her).relationship.is_head
    assert fake.now(boy).relationship == Relationship("子")
    assert fake.now(head).household_number != fake.now(boy).household_number


def test_joining_another_household_names_the_person_whose_relationship_is_missing() -> None:
    fake = FakeRegister()
    target, _ = a_household(fake, others("佐藤", "𩸽子", ("サトウ", "ホッケコ")), address=NEW_HOME)
    _, (_head, her) = a_household(fake, a_person(), wife())
    found = refused(fake, move(her, household_number=target))
    error = violation(found, "relationship.required", f"relationships.{her.value}", ERROR)
    assert fake.now(her).name.full in error.message and her.value in error.message
