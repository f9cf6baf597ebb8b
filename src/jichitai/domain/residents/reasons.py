"""異動事由: the change reasons of standard §1.2.2 (210), in its three groups.

The standard requires a system to classify every change into exactly these reasons (a system may
keep finer codes, but must map each onto one of them). A separate "転居取消" (cancel in-town move)
reason is one of the standard's 【実装しない機能】 and does not exist here: cancelling an in-town
move is a 異動の取消し(修正).
"""

from __future__ import annotations

from enum import StrEnum


class ReasonGroup(StrEnum):
    """記載の事由 / 消除の事由 / 修正の事由."""

    ENTRY = "entry"
    REMOVAL = "removal"
    CORRECTION = "correction"

    @property
    def label(self) -> str:
        return {"entry": "記載", "removal": "消除", "correction": "修正"}[self.value]


class ChangeReason(StrEnum):
    """One 異動事由 of standard §1.2.2 (210). Values are stable codes used in storage and APIs."""

    # 記載の事由
    DOMESTIC_MOVE_IN = "domestic_move_in"
    MOVE_IN_FROM_ABROAD = "move_in_from_abroad"
    BIRTH = "birth"
    EX_OFFICIO_ENTRY_NATURALISATION = "ex_officio_entry_naturalisation"
    EX_OFFICIO_ENTRY_LOSS_OF_NATIONALITY = "ex_officio_entry_loss_of_nationality"
    EX_OFFICIO_ENTRY = "ex_officio_entry"
    REISSUE_ENTRY = "reissue_entry"
    REMAKE_ENTRY = "remake_entry"
    CANCELLATION_INCREASE = "cancellation_increase"
    # 消除の事由
    DOMESTIC_MOVE_OUT = "domestic_move_out"
    MOVE_OUT_ABROAD = "move_out_abroad"
    DEATH = "death"
    EX_OFFICIO_REMOVAL_NATURALISATION = "ex_officio_removal_naturalisation"
    EX_OFFICIO_REMOVAL_LOSS_OF_NATIONALITY = "ex_officio_removal_loss_of_nationality"
    EX_OFFICIO_REMOVAL = "ex_officio_removal"
    REISSUE_REMOVAL = "reissue_removal"
    REMAKE_REMOVAL = "remake_removal"
    CANCELLATION_DECREASE = "cancellation_decrease"
    # 修正の事由
    IN_TOWN_MOVE = "in_town_move"
    MINOR_CORRECTION = "minor_correction"
    EX_OFFICIO_CORRECTION = "ex_officio_correction"
    CLERICAL_CORRECTION = "clerical_correction"
    INDIVIDUAL_NUMBER_CHANGE_ON_REQUEST = "individual_number_change_on_request"
    INDIVIDUAL_NUMBER_EX_OFFICIO_CORRECTION = "individual_number_ex_officio_correction"
    INDIVIDUAL_NUMBER_EX_OFFICIO_ENTRY = "individual_number_ex_officio_entry"
    RESIDENT_CODE_CHANGE_ON_REQUEST = "resident_code_change_on_request"
    RESIDENT_CODE_EX_OFFICIO_ENTRY = "resident_code_ex_officio_entry"
    HOUSEHOLD_SPLIT = "household_split"
    HOUSEHOLD_MERGE = "household_merge"
    HOUSEHOLD_CHANGE = "household_change"
    HEAD_CHANGE = "head_change"
    FORMER_SURNAME_ENTRY = "former_surname_entry"
    FORMER_SURNAME_CHANGE = "former_surname_change"
    FORMER_SURNAME_DELETION = "former_surname_deletion"
    ALIAS_ENTRY = "alias_entry"
    ALIAS_DELETION = "alias_deletion"
    CANCELLATION_CORRECTION = "cancellation_correction"

    @property
    def group(self) -> ReasonGroup:
        return _GROUPS[self]

    @property
    def label(self) -> str:
        """The standard's Japanese wording, as shown to staff and on certificates."""
        return _LABELS[self]


_LABELS: dict[ChangeReason, str] = {
    ChangeReason.DOMESTIC_MOVE_IN: "国内転入",
    ChangeReason.MOVE_IN_FROM_ABROAD: "国外転入等",
    ChangeReason.BIRTH: "出生",
    ChangeReason.EX_OFFICIO_ENTRY_NATURALISATION: "職権記載（帰化等）",
    ChangeReason.EX_OFFICIO_ENTRY_LOSS_OF_NATIONALITY: "職権記載（国籍喪失）",
    ChangeReason.EX_OFFICIO_ENTRY: "職権記載",
    ChangeReason.REISSUE_ENTRY: "改製",
    ChangeReason.REMAKE_ENTRY: "再製",
    ChangeReason.CANCELLATION_INCREASE: "異動の取消し（増）",
    ChangeReason.DOMESTIC_MOVE_OUT: "国内転出",
    ChangeReason.MOVE_OUT_ABROAD: "国外転出",
    ChangeReason.DEATH: "死亡",
    ChangeReason.EX_OFFICIO_REMOVAL_NATURALISATION: "職権消除（帰化等）",
    ChangeReason.EX_OFFICIO_REMOVAL_LOSS_OF_NATIONALITY: "職権消除（国籍喪失）",
    ChangeReason.EX_OFFICIO_REMOVAL: "職権消除",
    ChangeReason.REISSUE_REMOVAL: "改製",
    ChangeReason.REMAKE_REMOVAL: "再製",
    ChangeReason.CANCELLATION_DECREASE: "異動の取消し（減）",
    ChangeReason.IN_TOWN_MOVE: "転居",
    ChangeReason.MINOR_CORRECTION: "軽微な修正",
    ChangeReason.EX_OFFICIO_CORRECTION: "職権修正",
    ChangeReason.CLERICAL_CORRECTION: "誤記修正",
    ChangeReason.INDIVIDUAL_NUMBER_CHANGE_ON_REQUEST: "個人番号の変更請求",
    ChangeReason.INDIVIDUAL_NUMBER_EX_OFFICIO_CORRECTION: "個人番号の職権修正",
    ChangeReason.INDIVIDUAL_NUMBER_EX_OFFICIO_ENTRY: "個人番号の職権記載",
    ChangeReason.RESIDENT_CODE_CHANGE_ON_REQUEST: "住民票コードの変更請求",
    ChangeReason.RESIDENT_CODE_EX_OFFICIO_ENTRY: "住民票コードの職権記載",
    ChangeReason.HOUSEHOLD_SPLIT: "世帯分離",
    ChangeReason.HOUSEHOLD_MERGE: "世帯合併",
    ChangeReason.HOUSEHOLD_CHANGE: "世帯変更",
    ChangeReason.HEAD_CHANGE: "世帯主変更",
    ChangeReason.FORMER_SURNAME_ENTRY: "旧氏の記載",
    ChangeReason.FORMER_SURNAME_CHANGE: "旧氏の変更",
    ChangeReason.FORMER_SURNAME_DELETION: "旧氏の削除",
    ChangeReason.ALIAS_ENTRY: "通称の記載",
    ChangeReason.ALIAS_DELETION: "通称の削除",
    ChangeReason.CANCELLATION_CORRECTION: "異動の取消し（修正）",
}

_ENTRY = {
    ChangeReason.DOMESTIC_MOVE_IN,
    ChangeReason.MOVE_IN_FROM_ABROAD,
    ChangeReason.BIRTH,
    ChangeReason.EX_OFFICIO_ENTRY_NATURALISATION,
    ChangeReason.EX_OFFICIO_ENTRY_LOSS_OF_NATIONALITY,
    ChangeReason.EX_OFFICIO_ENTRY,
    ChangeReason.REISSUE_ENTRY,
    ChangeReason.REMAKE_ENTRY,
    ChangeReason.CANCELLATION_INCREASE,
}
_REMOVAL = {
    ChangeReason.DOMESTIC_MOVE_OUT,
    ChangeReason.MOVE_OUT_ABROAD,
    ChangeReason.DEATH,
    ChangeReason.EX_OFFICIO_REMOVAL_NATURALISATION,
    ChangeReason.EX_OFFICIO_REMOVAL_LOSS_OF_NATIONALITY,
    ChangeReason.EX_OFFICIO_REMOVAL,
    ChangeReason.REISSUE_REMOVAL,
    ChangeReason.REMAKE_REMOVAL,
    ChangeReason.CANCELLATION_DECREASE,
}
_GROUPS: dict[ChangeReason, ReasonGroup] = {
    r: ReasonGroup.ENTRY
    if r in _ENTRY
    else ReasonGroup.REMOVAL
    if r in _REMOVAL
    else ReasonGroup.CORRECTION
    for r in ChangeReason
}
