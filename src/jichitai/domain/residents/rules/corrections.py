"""修正 (§4.2.3), 個人番号・住民票コードの異動 (§4.3, §4.4), 旧氏・通称 (§1.1.7): one
person's items corrected under one 修正の事由, which must fit the items changed.
"""

from __future__ import annotations

from dataclasses import replace

from jichitai.domain.errors import NotFound, Violation
from jichitai.domain.residents.commands import ChangeHeader, Correct, RecordChanges
from jichitai.domain.residents.model import Alias, ResidentKind, ResidentRecord
from jichitai.domain.residents.reasons import ChangeReason
from jichitai.domain.residents.rules.checks import Checks
from jichitai.domain.residents.rules.persons import check_relationship, planned_move_out
from jichitai.domain.residents.view import ChangeContext, ChangeKind, ChangePlan, RegisterView

_CORRECTION_REASONS = {
    ChangeReason.MINOR_CORRECTION,
    ChangeReason.EX_OFFICIO_CORRECTION,
    ChangeReason.CLERICAL_CORRECTION,
    ChangeReason.INDIVIDUAL_NUMBER_CHANGE_ON_REQUEST,
    ChangeReason.INDIVIDUAL_NUMBER_EX_OFFICIO_CORRECTION,
    ChangeReason.INDIVIDUAL_NUMBER_EX_OFFICIO_ENTRY,
    ChangeReason.RESIDENT_CODE_CHANGE_ON_REQUEST,
    ChangeReason.RESIDENT_CODE_EX_OFFICIO_ENTRY,
    ChangeReason.FORMER_SURNAME_ENTRY,
    ChangeReason.FORMER_SURNAME_CHANGE,
    ChangeReason.FORMER_SURNAME_DELETION,
    ChangeReason.ALIAS_ENTRY,
    ChangeReason.ALIAS_DELETION,
}


_CLEARABLE = {"former_surname", "individual_number", "family_register", "remarks", "memo"}


_ON_REQUEST = {
    ChangeReason.INDIVIDUAL_NUMBER_CHANGE_ON_REQUEST,
    ChangeReason.RESIDENT_CODE_CHANGE_ON_REQUEST,
    ChangeReason.FORMER_SURNAME_ENTRY,
    ChangeReason.FORMER_SURNAME_CHANGE,
    ChangeReason.FORMER_SURNAME_DELETION,
}
"""Corrections made on the person's request (請求), not ex officio."""


def plan_correct(
    cmd: Correct, view: RegisterView, ctx: ChangeContext, checks: Checks
) -> ChangePlan:
    """修正 (§4.2.3), 個人番号・住民票コードの異動 (§4.3, §4.4), 旧氏・通称 (§1.1.7)."""
    record = view.current(cmd.atena_number)
    if record is None:
        raise NotFound(
            Violation("person.not_found", "該当する住民は登録されていません", "atena_number")
        )
    reason = cmd.reason
    if reason not in _CORRECTION_REASONS:
        checks.error(
            "correct.reason_not_allowed",
            f"異動事由「{reason.label}」は記載事項の修正には使えません",
            "reason",
        )
    planned = planned_move_out(record, "atena_number", checks)
    if not planned and record.is_removed and reason is not ChangeReason.CLERICAL_CORRECTION:
        checks.error("correct.removed_record", "除票の修正は誤記修正でのみ行えます", "atena_number")
    c = cmd.changes
    # 通称 is never emptied: its deletion is dated and kept in the alias history (§1.1.7 (70)).
    for name in c.clear - _CLEARABLE - {"alias"}:
        checks.error(
            "correct.not_clearable", f"項目 {name} は削除できません", f"changes.clear.{name}"
        )
    changes = _correction_changes(record, c, cmd.header, ctx, checks)
    _check_reason_fits(reason, record, c, checks)
    if c.individual_number is not None and c.individual_number != record.individual_number:
        others = [
            m
            for m in view.find_by_identifiers(c.individual_number, None, None)
            if m.atena_number != record.atena_number
        ]
        if any(m.is_resident for m in others):
            checks.error(
                "person.duplicate_live",
                "この個人番号は他の住民に記載されています",
                "changes.individual_number",
            )
    if c.resident_code is not None and c.resident_code != record.resident_code:
        others = [
            m
            for m in view.find_by_identifiers(None, c.resident_code, None)
            if m.atena_number != record.atena_number
        ]
        if others:
            checks.error(
                "person.duplicate_resident_code",
                "この住民票コードは他の方に記載されています",
                "changes.resident_code",
            )
    if not changes:
        checks.error("correct.nothing_to_change", "修正する項目がありません", "changes")
    _check_corrected_event(cmd, view, checks)
    updated = record.next_history(reason, cmd.header.effective_on, **changes)
    return ChangePlan(
        ChangeKind.CORRECTION,
        reason,
        (updated,),
        ex_officio=reason not in _ON_REQUEST,
        corrects_event_id=cmd.corrects_event_id,
        households=(record.household_number.value,),
    )


def _correction_changes(
    record: ResidentRecord,
    c: RecordChanges,
    header: ChangeHeader,
    ctx: ChangeContext,
    checks: Checks,
) -> dict[str, object]:
    changes: dict[str, object] = {}
    for name in (
        "name",
        "birth_date",
        "sex",
        "family_register",
        "former_surname",
        "individual_number",
        "resident_code",
        "address",
        "foreign",
        "electoral_roll",
        "coverages",
        "hidden_from_other_systems",
        "display_order",
        "remarks",
        "memo",
    ):
        value = getattr(c, name)
        if value is not None and value != getattr(record, name):
            changes[name] = value
    if c.relationship is not None and c.relationship != record.relationship:
        if c.relationship.is_head or record.is_head:
            checks.error(
                "correct.head_by_head_change",
                "世帯主の変更は世帯主変更で行ってください",
                "changes.relationship",
            )
        changes["relationship"] = c.relationship
    if c.foreign is not None and record.kind is ResidentKind.JAPANESE:
        checks.error(
            "person.foreign_items_for_japanese",
            "日本人住民に外国人住民の項目は記載できません",
            "changes.foreign",
        )
    if c.family_register is not None and record.kind is ResidentKind.FOREIGN:
        checks.error(
            "person.family_register_for_foreign",
            "外国人住民に本籍は記載できません",
            "changes.family_register",
        )
    if c.former_surname is not None and record.kind is ResidentKind.FOREIGN:
        checks.error(
            "correct.former_surname_foreign",
            "旧氏は日本人住民についてのみ記載できます（外国人住民は通称）",
            "changes.former_surname",
        )
    if c.relationship is not None:
        check_relationship(c.relationship, "changes.relationship", checks)
    for name in c.clear & _CLEARABLE:
        if name == "family_register" and record.kind is ResidentKind.JAPANESE:
            checks.error(
                "person.family_register_required",
                "日本人住民の本籍・筆頭者は空欄にできません",
                "changes.clear",
            )
            continue
        if getattr(record, name) not in (None, ""):
            changes[name] = "" if name in ("remarks", "memo") else None
    if c.birth_date is not None and c.birth_date.approximation > ctx.today:
        checks.error(
            "person.birth_date_future", "生年月日に未来の日付は入力できません", "changes.birth_date"
        )
    if c.alias is not None or "alias" in c.clear:
        foreign = changes.get("foreign", record.foreign)
        if foreign is None:
            checks.error(
                "alias.japanese", "通称は外国人住民についてのみ記載できます", "changes.alias"
            )
        else:
            assert isinstance(foreign, type(record.foreign)) and foreign is not None
            aliases = list(foreign.aliases)
            if "alias" in c.clear:
                aliases = [
                    replace(a, deleted_on=header.effective_on, deleted_in=ctx.municipality_code)
                    if a.deleted_on is None
                    else a
                    for a in aliases
                ]
            if c.alias is not None:
                aliases.append(Alias(c.alias, header.effective_on, ctx.municipality_code))
            changes["foreign"] = replace(foreign, aliases=tuple(aliases))
    return changes


def _check_reason_fits(
    reason: ChangeReason, record: ResidentRecord, c: RecordChanges, checks: Checks
) -> None:
    """Each 修正の事由 names what it changes: the reason and the items must agree."""
    number_reasons = {
        ChangeReason.INDIVIDUAL_NUMBER_CHANGE_ON_REQUEST,
        ChangeReason.INDIVIDUAL_NUMBER_EX_OFFICIO_CORRECTION,
        ChangeReason.INDIVIDUAL_NUMBER_EX_OFFICIO_ENTRY,
    }
    code_reasons = {
        ChangeReason.RESIDENT_CODE_CHANGE_ON_REQUEST,
        ChangeReason.RESIDENT_CODE_EX_OFFICIO_ENTRY,
    }
    if reason in number_reasons and c.individual_number is None:
        checks.error(
            "correct.individual_number_required",
            "個人番号を入力してください",
            "changes.individual_number",
        )
    if (
        reason is ChangeReason.INDIVIDUAL_NUMBER_EX_OFFICIO_ENTRY
        and record.individual_number is not None
    ):
        checks.error(
            "correct.individual_number_exists",
            "個人番号は既に記載されています",
            "changes.individual_number",
        )
    if reason in code_reasons and c.resident_code is None:
        checks.error(
            "correct.resident_code_required",
            "住民票コードを入力してください",
            "changes.resident_code",
        )
    if reason is ChangeReason.FORMER_SURNAME_ENTRY:
        if c.former_surname is None:
            checks.error(
                "correct.former_surname_required",
                "旧氏を入力してください",
                "changes.former_surname",
            )
        elif record.former_surname is not None:
            checks.error(
                "correct.former_surname_exists",
                "旧氏は既に記載されています。旧氏の変更を選んでください",
                "reason",
            )
    if reason is ChangeReason.FORMER_SURNAME_CHANGE and (
        c.former_surname is None or record.former_surname is None
    ):
        checks.error(
            "correct.former_surname_change",
            "記載されている旧氏を新しい旧氏に変更してください",
            "changes.former_surname",
        )
    if reason is ChangeReason.FORMER_SURNAME_DELETION and "former_surname" not in c.clear:
        checks.error(
            "correct.former_surname_deletion",
            "旧氏の削除では旧氏を削除対象にしてください",
            "changes.clear",
        )
    live_alias = record.foreign.current_alias if record.foreign else None
    if reason is ChangeReason.ALIAS_ENTRY and c.alias is None:
        checks.error("correct.alias_required", "通称を入力してください", "changes.alias")
    elif reason is ChangeReason.ALIAS_ENTRY and live_alias is not None:
        checks.error(
            "correct.alias_exists",
            "通称は既に記載されています。先に通称の削除を行ってください",
            "reason",
        )
    if reason is ChangeReason.ALIAS_DELETION and "alias" not in c.clear:
        checks.error(
            "correct.alias_deletion", "通称の削除では通称を削除対象にしてください", "changes.clear"
        )
    elif reason is ChangeReason.ALIAS_DELETION and record.foreign and live_alias is None:
        checks.error("correct.alias_none", "削除する通称が記載されていません", "changes.clear")
    if (
        reason is ChangeReason.INDIVIDUAL_NUMBER_CHANGE_ON_REQUEST
        and record.individual_number is None
    ):
        checks.error(
            "correct.individual_number_missing",
            "個人番号が記載されていません。個人番号の職権記載を選んでください",
            "reason",
        )
    if reason is ChangeReason.RESIDENT_CODE_EX_OFFICIO_ENTRY and record.resident_code is not None:
        checks.error(
            "correct.resident_code_exists",
            "住民票コードは既に記載されています。住民票コードの変更請求を選んでください",
            "reason",
        )
    if c.alias is not None and reason is not ChangeReason.ALIAS_ENTRY:
        checks.error(
            "correct.alias_reason", "通称の記載は異動事由「通称の記載」で行ってください", "reason"
        )
    if c.former_surname is not None and reason not in (
        ChangeReason.FORMER_SURNAME_ENTRY,
        ChangeReason.FORMER_SURNAME_CHANGE,
        ChangeReason.CLERICAL_CORRECTION,
    ):
        checks.error(
            "correct.former_surname_reason", "旧氏は旧氏の記載・変更で入力してください", "reason"
        )


def _check_corrected_event(cmd: Correct, view: RegisterView, checks: Checks) -> None:
    """``corrects_event_id`` names the earlier change this correction puts right (the feed and
    the journal pass it on with that meaning): a change of this municipality that wrote this
    person's record, never a later one, another person's or none."""
    if cmd.corrects_event_id is None:
        return
    event = view.event(cmd.corrects_event_id)
    if event is None:
        checks.error(
            "correct.corrected_event_not_found",
            "訂正する異動が見つかりません（この団体の異動のIDを指定してください）",
            "corrects_event_id",
        )
    elif cmd.atena_number.value not in dict(event.persons):
        checks.error(
            "correct.corrected_event_other_person",
            "訂正する異動はこの方の記録を記載した異動ではありません",
            "corrects_event_id",
        )
