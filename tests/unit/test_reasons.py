"""異動事由 (standard §1.2.2 (210)) and the change vocabulary's 【実装しない機能】."""

from __future__ import annotations

import dataclasses
import typing

import pytest

from jichitai.domain.residents import commands
from jichitai.domain.residents.commands import ChangeCommand, ChangeHeader
from jichitai.domain.residents.reasons import ChangeReason, ReasonGroup

R = ChangeReason

# Standard §1.2.2 (210), verbatim and in its order (the spec writes the brackets full-width).
STANDARD_ENTRY = [
    "国内転入",
    "国外転入等",
    "出生",
    "職権記載（帰化等）",
    "職権記載（国籍喪失）",
    "職権記載",
    "改製",
    "再製",
    "異動の取消し（増）",
]
STANDARD_REMOVAL = [
    "国内転出",
    "国外転出",
    "死亡",
    "職権消除（帰化等）",
    "職権消除（国籍喪失）",
    "職権消除",
    "改製",
    "再製",
    "異動の取消し（減）",
]
STANDARD_CORRECTION = [
    "転居",
    "軽微な修正",
    "職権修正",
    "誤記修正",
    "個人番号の変更請求",
    "個人番号の職権修正",
    "個人番号の職権記載",
    "住民票コードの変更請求",
    "住民票コードの職権記載",
    "世帯分離",
    "世帯合併",
    "世帯変更",
    "世帯主変更",
    "旧氏の記載",
    "旧氏の変更",
    "旧氏の削除",
    "通称の記載",
    "通称の削除",
    "異動の取消し（修正）",
]

EXPECTED: list[tuple[ChangeReason, str, ReasonGroup]] = [
    (R.DOMESTIC_MOVE_IN, "国内転入", ReasonGroup.ENTRY),
    (R.MOVE_IN_FROM_ABROAD, "国外転入等", ReasonGroup.ENTRY),
    (R.BIRTH, "出生", ReasonGroup.ENTRY),
    (R.EX_OFFICIO_ENTRY_NATURALISATION, "職権記載（帰化等）", ReasonGroup.ENTRY),
    (R.EX_OFFICIO_ENTRY_LOSS_OF_NATIONALITY, "職権記載（国籍喪失）", ReasonGroup.ENTRY),
    (R.EX_OFFICIO_ENTRY, "職権記載", ReasonGroup.ENTRY),
    (R.REISSUE_ENTRY, "改製", ReasonGroup.ENTRY),
    (R.REMAKE_ENTRY, "再製", ReasonGroup.ENTRY),
    (R.CANCELLATION_INCREASE, "異動の取消し（増）", ReasonGroup.ENTRY),
    (R.DOMESTIC_MOVE_OUT, "国内転出", ReasonGroup.REMOVAL),
    (R.MOVE_OUT_ABROAD, "国外転出", ReasonGroup.REMOVAL),
    (R.DEATH, "死亡", ReasonGroup.REMOVAL),
    (R.EX_OFFICIO_REMOVAL_NATURALISATION, "職権消除（帰化等）", ReasonGroup.REMOVAL),
    (R.EX_OFFICIO_REMOVAL_LOSS_OF_NATIONALITY, "職権消除（国籍喪失）", ReasonGroup.REMOVAL),
    (R.EX_OFFICIO_REMOVAL, "職権消除", ReasonGroup.REMOVAL),
    (R.REISSUE_REMOVAL, "改製", ReasonGroup.REMOVAL),
    (R.REMAKE_REMOVAL, "再製", ReasonGroup.REMOVAL),
    (R.CANCELLATION_DECREASE, "異動の取消し（減）", ReasonGroup.REMOVAL),
    (R.IN_TOWN_MOVE, "転居", ReasonGroup.CORRECTION),
    (R.MINOR_CORRECTION, "軽微な修正", ReasonGroup.CORRECTION),
    (R.EX_OFFICIO_CORRECTION, "職権修正", ReasonGroup.CORRECTION),
    (R.CLERICAL_CORRECTION, "誤記修正", ReasonGroup.CORRECTION),
    (R.INDIVIDUAL_NUMBER_CHANGE_ON_REQUEST, "個人番号の変更請求", ReasonGroup.CORRECTION),
    (R.INDIVIDUAL_NUMBER_EX_OFFICIO_CORRECTION, "個人番号の職権修正", ReasonGroup.CORRECTION),
    (R.INDIVIDUAL_NUMBER_EX_OFFICIO_ENTRY, "個人番号の職権記載", ReasonGroup.CORRECTION),
    (R.RESIDENT_CODE_CHANGE_ON_REQUEST, "住民票コードの変更請求", ReasonGroup.CORRECTION),
    (R.RESIDENT_CODE_EX_OFFICIO_ENTRY, "住民票コードの職権記載", ReasonGroup.CORRECTION),
    (R.HOUSEHOLD_SPLIT, "世帯分離", ReasonGroup.CORRECTION),
    (R.HOUSEHOLD_MERGE, "世帯合併", ReasonGroup.CORRECTION),
    (R.HOUSEHOLD_CHANGE, "世帯変更", ReasonGroup.CORRECTION),
    (R.HEAD_CHANGE, "世帯主変更", ReasonGroup.CORRECTION),
    (R.FORMER_SURNAME_ENTRY, "旧氏の記載", ReasonGroup.CORRECTION),
    (R.FORMER_SURNAME_CHANGE, "旧氏の変更", ReasonGroup.CORRECTION),
    (R.FORMER_SURNAME_DELETION, "旧氏の削除", ReasonGroup.CORRECTION),
    (R.ALIAS_ENTRY, "通称の記載", ReasonGroup.CORRECTION),
    (R.ALIAS_DELETION, "通称の削除", ReasonGroup.CORRECTION),
    (R.CANCELLATION_CORRECTION, "異動の取消し（修正）", ReasonGroup.CORRECTION),
]

COMMAND_TYPES: tuple[type, ...] = typing.get_args(ChangeCommand)


def labels_of(group: ReasonGroup) -> list[str]:
    return [reason.label for reason in ChangeReason if reason.group is group]


@pytest.mark.spec("1.2.2")
@pytest.mark.parametrize(
    ("reason", "label", "group"), EXPECTED, ids=[r.value for r, _, _ in EXPECTED]
)
def test_every_reason_has_the_standards_japanese_label_and_group(
    reason: ChangeReason, label: str, group: ReasonGroup
) -> None:
    assert reason.label == label
    assert reason.group is group


@pytest.mark.spec("1.2.2")
def test_the_reason_list_is_exactly_the_standards_list() -> None:
    assert set(ChangeReason) == {reason for reason, _, _ in EXPECTED}
    assert len(ChangeReason) == len(STANDARD_ENTRY) + len(STANDARD_REMOVAL) + len(
        STANDARD_CORRECTION
    )


@pytest.mark.spec("1.2.2")
@pytest.mark.parametrize(
    ("group", "standard"),
    [
        (ReasonGroup.ENTRY, STANDARD_ENTRY),
        (ReasonGroup.REMOVAL, STANDARD_REMOVAL),
        (ReasonGroup.CORRECTION, STANDARD_CORRECTION),
    ],
)
def test_each_groups_membership_equals_the_standards_list_in_its_order(
    group: ReasonGroup, standard: list[str]
) -> None:
    assert labels_of(group) == standard


@pytest.mark.spec("1.2.2")
def test_the_groups_are_labelled_kisai_shojo_and_shusei() -> None:
    assert [g.label for g in ReasonGroup] == ["記載", "消除", "修正"]


@pytest.mark.spec("1.2.2")
def test_reason_values_are_unique_stable_ascii_codes() -> None:
    values = [reason.value for reason in ChangeReason]
    assert len(set(values)) == len(values)
    assert all(v.isascii() and v == v.lower() for v in values)
    assert ChangeReason("domestic_move_in") is R.DOMESTIC_MOVE_IN


@pytest.mark.spec("1.2.2")
def test_no_cancel_in_town_move_reason_exists() -> None:
    # 【実装しない機能】: a 「転居取消」 category; cancelling a 転居 is a 異動の取消し（修正）.
    assert not any("転居取消" in reason.label for reason in ChangeReason)
    assert not any("cancel" in reason.value and "town" in reason.value for reason in ChangeReason)
    assert [r for r in ChangeReason if r.label.startswith("異動の取消し")] == [
        R.CANCELLATION_INCREASE,
        R.CANCELLATION_DECREASE,
        R.CANCELLATION_CORRECTION,
    ]


@pytest.mark.spec("1.2.2")
def test_a_label_shared_by_two_groups_is_only_kaisei_and_saisei() -> None:
    shared = set(labels_of(ReasonGroup.ENTRY)) & set(labels_of(ReasonGroup.REMOVAL))
    assert shared == {"改製", "再製"}
    assert not set(labels_of(ReasonGroup.CORRECTION)) & (
        set(labels_of(ReasonGroup.ENTRY)) | set(labels_of(ReasonGroup.REMOVAL))
    )


# --- 【実装しない機能】 in the command vocabulary ----------------------------------------------

PROCESSING_DATE_NAMES = {
    "recorded_at",
    "recorded_on",
    "processed_at",
    "processed_on",
    "processing_date",
    "processing_on",
    "today",
}
APPROVAL_NAMES = {"approver", "approved_by", "approved_on", "approved_at", "approval"}


def all_field_names(cls: type) -> set[str]:
    return {f.name for f in dataclasses.fields(cls)}


@pytest.mark.spec("4.0.3")
def test_the_header_records_the_standards_facts_of_every_change() -> None:
    # §1.2.1 (200): effective date, filing date, place and terminal, notes; plus the operator.
    assert {"effective_on", "filed_on", "operator", "place", "terminal", "notes"} <= (
        all_field_names(ChangeHeader)
    )


@pytest.mark.spec("4.0.3")
@pytest.mark.parametrize("command", COMMAND_TYPES, ids=lambda c: c.__name__)
def test_no_command_accepts_a_processing_date(command: type) -> None:
    # 【実装しない機能】 of §4.0.3 (480): entering any processing date but today.
    names = all_field_names(command) | all_field_names(ChangeHeader)
    assert not names & PROCESSING_DATE_NAMES
    assert "header" in all_field_names(command)


@pytest.mark.spec("4.0.8")
def test_approval_data_is_not_part_of_the_change_header() -> None:
    # 【実装しない機能】 of §4.0.8 (530): keeping the approver's name and approval date.
    for command in (ChangeHeader, *COMMAND_TYPES):
        assert not all_field_names(command) & APPROVAL_NAMES, command.__name__


@pytest.mark.spec("4.1.4.1")
@pytest.mark.parametrize(
    "command",
    [
        commands.HouseholdSplit,
        commands.HouseholdMerge,
        commands.HouseholdChange,
        commands.HeadChange,
    ],
    ids=lambda c: c.__name__,
)
def test_household_changes_carry_no_address(command: type) -> None:
    # 【実装しない機能】 of §4.1.4.1 (720): changing the address together with a household change.
    assert not {n for n in all_field_names(command) if "address" in n}


@pytest.mark.spec("1.2.2")
def test_every_command_type_is_a_dataclass_with_a_header() -> None:
    assert COMMAND_TYPES  # every member of the union (test_change_types.py: all registered)
    for command in COMMAND_TYPES:
        assert dataclasses.is_dataclass(command)
        hints = typing.get_type_hints(command)
        assert hints["header"] is ChangeHeader


@pytest.mark.spec("4.2.2.1")
def test_a_death_has_no_presumed_death_option_or_cause_of_death() -> None:
    # 【実装しない機能】 of §4.2.2.1 (820): choosing 死亡 / 推定死亡, and causes of death.
    assert all_field_names(commands.Death) == {"header", "atena_number", "died_on"}
