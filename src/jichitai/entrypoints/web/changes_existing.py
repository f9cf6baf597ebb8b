"""Forms of the changes to residents already in the register: moves (転居, 転出, 転入通知),
removals (死亡, 職権消除), household changes (世帯分離・合併・変更, 世帯主変更), 改製 and 取消し.

Each is opened from a resident's page: the household's members are listed to be ticked, and the
person and household numbers travel in the form as hidden fields (never in the URL).
"""

from __future__ import annotations

from typing import Any

from jichitai.domain.common.identifiers import HouseholdNumber
from jichitai.domain.residents.commands import (
    Cancel,
    Death,
    ExOfficioRemoval,
    HeadChange,
    HouseholdChange,
    HouseholdMerge,
    HouseholdSplit,
    InTownMove,
    MoveOut,
    NotifierKind,
    RecordMoveInNotice,
    Reissue,
)
from jichitai.entrypoints.web.changes_common import (
    Defaults,
    Process,
    calendar_day,
    chosen,
    filed_defaults,
    header,
    relationships,
    target,
    today_text,
)
from jichitai.entrypoints.web.changes_entries import here, person_defaults, person_field
from jichitai.entrypoints.web.changes_layout import (
    DATE_HINT,
    RECORD_DATE_HINT,
    Context,
    Field,
    Group,
    Layout,
    address_group,
    dates_group,
    household_static,
    new_head_field,
    notes_group,
    notifier_groups,
    persons_field,
    relationships_group,
)
from jichitai.entrypoints.web.changes_reader import FormReader, Values, drop_empty
from jichitai.entrypoints.web.changes_summary import change_text
from jichitai.services.register_access import RecordedChange

_RELATIONSHIPS_HINT = "世帯主との続柄が変わる方だけ入力してください（空欄は今の続柄のまま）"


def _household_atenas(r: FormReader) -> list[str]:
    """The members listed on the form (hidden), for the 続柄 fields typed for them."""
    return [v for v in r.values.all("members") if v.isdigit() and len(v) == 10]


def movers_defaults(ctx: Context) -> Defaults:
    """Only the person the form was opened from is ticked: moving others is a choice."""
    return [
        ("filed_on", today_text(ctx)),
        ("atena_numbers", ctx.atena),
        *(("members", m.atena) for m in ctx.members),
    ]


# --- 転居 ---------------------------------------------------------------------------------------


def in_town_move_layout(ctx: Context, values: Values) -> Layout:
    groups = [
        dates_group(effective_label="異動日（転居した日）"),
        Group("movers", "転居する方", (persons_field(ctx),), boxes=("atena_numbers",)),
        address_group("address", "新しい住所（転居先）", here=True),
        Group(
            "household",
            "転居先の世帯（世帯の一部が転居する場合）",
            (
                new_head_field(ctx, "新しい世帯の世帯主"),
                Field(
                    "household_number",
                    "転居先の既存の世帯に加わる場合はその世帯番号",
                    cls="short",
                    inputmode="numeric",
                ),
            ),
            hint="世帯全員が転居する場合は入力不要です",
        ),
        relationships_group(ctx, _RELATIONSHIPS_HINT),
        *notifier_groups(values),
        notes_group(),
    ]
    return Layout.of(groups)


def in_town_move_defaults(ctx: Context) -> Defaults:
    return [*movers_defaults(ctx), *here("address", ctx)]


def build_in_town_move(r: FormReader) -> dict[str, Any]:
    return drop_empty(
        {
            "header": header(r, filed=True),
            "atena_numbers": chosen(r),
            "address": r.address("address", "新しい住所"),
            "household_number": r.parsed("household_number", "世帯番号", HouseholdNumber.parse),
            "new_head": r.values.get("new_head") or None,
            "relationships": relationships(r, _household_atenas(r)),
        },
        keep=("atena_numbers",),
    )


# --- 転出・転入通知 --------------------------------------------------------------------------------


def move_out_layout(ctx: Context, values: Values) -> Layout:
    groups = [
        Group(
            "dates",
            "届出の日付",
            (
                Field(
                    "planned_on",
                    "転出予定日（転出した日）",
                    "date",
                    hint=DATE_HINT + "。これからの日付も可",
                    required=True,
                ),
                Field("filed_on", "届出日", "date", hint=DATE_HINT),
            ),
        ),
        Group("movers", "転出する方", (persons_field(ctx),), boxes=("atena_numbers",)),
        address_group(
            "onward_address",
            "転出先",
            abroad=True,
            hint="国内は市区町村まで分かれば可。国外転出は国名（と分かれば国外の住所）",
        ),
        Group(
            "options",
            "その他",
            (Field("special", "特例転出（マイナンバーカードによる転出）", "check"),),
        ),
        *notifier_groups(values),
        notes_group(),
    ]
    return Layout.of(groups)


def build_move_out(r: FormReader) -> dict[str, Any]:
    head = header(r, effective="planned_on", label="転出予定日", filed=True)
    onward = r.address("onward_address", "転出先")
    return drop_empty(
        {
            "header": head,
            "atena_numbers": chosen(r),
            "planned_on": head.get("effective_on"),
            "onward_address": onward,
            "abroad": bool(onward and onward.get("country")) or None,
            "special": r.flag("special") or None,
        },
        keep=("atena_numbers",),
    )


def move_in_notice_layout(ctx: Context, values: Values) -> Layout:
    groups = [
        dates_group(effective_hint="空欄なら転入通知を受けた日"),
        Group(
            "notice",
            "転入通知の内容",
            (
                person_field(ctx),
                Field("notice_on", "転入通知を受けた日", "date", hint=DATE_HINT, required=True),
                Field(
                    "moved_in_on", "転入した日（通知による）", "date", hint=DATE_HINT, required=True
                ),
            ),
        ),
        address_group("confirmed_address", "転入先の住所（通知による）"),
        notes_group(),
    ]
    return Layout.of(groups)


def build_move_in_notice(r: FormReader) -> dict[str, Any]:
    notice_on = r.date("notice_on", "転入通知を受けた日")
    return {
        "header": header(r, fallback=notice_on),
        "atena_number": target(r),
        "notice_on": notice_on,
        "confirmed_address": r.address("confirmed_address", "転入先の住所"),
        "moved_in_on": r.date("moved_in_on", "転入した日"),
    }


# --- 死亡・職権消除 --------------------------------------------------------------------------------


def death_layout(ctx: Context, values: Values) -> Layout:
    groups = [
        Group(
            "death",
            "死亡",
            (
                person_field(ctx),
                Field("died_on", "死亡日", "date", hint=RECORD_DATE_HINT, required=True),
            ),
        ),
        dates_group(effective_hint="空欄なら死亡日。死亡日が不詳の場合は入力してください"),
        *notifier_groups(values),
        notes_group(),
    ]
    return Layout.of(groups)


def build_death(r: FormReader) -> dict[str, Any]:
    died_on = r.record_date("died_on", "死亡日")
    return {
        "header": header(r, fallback=calendar_day(died_on), filed=True),
        "atena_number": target(r),
        "died_on": died_on,
    }


def ex_officio_removal_layout(ctx: Context, values: Values) -> Layout:
    groups = [
        dates_group(filed=False),
        Group(
            "removal",
            "消除する方と理由",
            (
                persons_field(ctx, "消除する方"),
                Field(
                    "cause",
                    "職権消除の理由（例: 実態調査により居住の実態なし）",
                    "textarea",
                    required=True,
                ),
            ),
            boxes=("atena_numbers",),
        ),
        notes_group(),
    ]
    return Layout.of(groups)


def build_ex_officio_removal(r: FormReader) -> dict[str, Any]:
    return {
        "header": header(r, ex_officio=True),
        "atena_numbers": chosen(r),
        "cause": r.text("cause", "職権消除の理由", required=True),
    }


# --- 世帯 -----------------------------------------------------------------------------------------


def split_layout(ctx: Context, values: Values) -> Layout:
    groups = [
        dates_group(),
        Group(
            "split",
            "分離して新しい世帯をつくる方",
            (persons_field(ctx, "分離する方"), new_head_field(ctx, "新しい世帯の世帯主")),
            boxes=("atena_numbers",),
        ),
        relationships_group(
            ctx, "分離する方のうち世帯主以外の方は、新しい世帯主との続柄を入力してください"
        ),
        *notifier_groups(values),
        notes_group(),
    ]
    return Layout.of(groups)


def build_split(r: FormReader) -> dict[str, Any]:
    new_head = r.values.get("new_head")
    if not new_head:
        r.fault("input.required", "新しい世帯の世帯主を選んでください", "new_head")
    return drop_empty(
        {
            "header": header(r, filed=True),
            "atena_numbers": chosen(r),
            "new_head": new_head,
            "relationships": relationships(r, _household_atenas(r)),
        },
        keep=("atena_numbers",),
    )


def merge_layout(ctx: Context, values: Values) -> Layout:
    groups = [
        dates_group(),
        Group(
            "merge",
            "合併",
            (
                Field(
                    "source_household",
                    "合併する世帯（この世帯の全員が加わります）",
                    "static",
                    text=household_static(ctx).text,
                ),
                Field(
                    "target_household",
                    "加わる先の世帯番号",
                    required=True,
                    cls="short",
                    inputmode="numeric",
                ),
            ),
        ),
        relationships_group(ctx, "加わる先の世帯主との続柄を全員分入力してください"),
        *notifier_groups(values),
        notes_group(),
    ]
    return Layout.of(groups)


def merge_defaults(ctx: Context) -> Defaults:
    return [
        ("filed_on", today_text(ctx)),
        ("source_household", ctx.household_number),
        *(("members", m.atena) for m in ctx.members),
    ]


def build_merge(r: FormReader) -> dict[str, Any]:
    return drop_empty(
        {
            "header": header(r, filed=True),
            "source_household": r.parsed(
                "source_household", "合併する世帯", HouseholdNumber.parse, required=True
            ),
            "target_household": r.parsed(
                "target_household", "加わる先の世帯番号", HouseholdNumber.parse, required=True
            ),
            "relationships": relationships(r, _household_atenas(r)),
        }
    )


def change_layout(ctx: Context, values: Values) -> Layout:
    groups = [
        dates_group(),
        Group(
            "change",
            "他の世帯に移る方",
            (
                persons_field(ctx, "移る方"),
                Field(
                    "target_household",
                    "移る先の世帯番号",
                    required=True,
                    cls="short",
                    inputmode="numeric",
                ),
            ),
            boxes=("atena_numbers",),
        ),
        relationships_group(ctx, "移る方の、移る先の世帯主との続柄を入力してください"),
        *notifier_groups(values),
        notes_group(),
    ]
    return Layout.of(groups)


def build_change(r: FormReader) -> dict[str, Any]:
    return drop_empty(
        {
            "header": header(r, filed=True),
            "atena_numbers": chosen(r),
            "target_household": r.parsed(
                "target_household", "移る先の世帯番号", HouseholdNumber.parse, required=True
            ),
            "relationships": relationships(r, _household_atenas(r)),
        },
        keep=("atena_numbers",),
    )


def head_change_layout(ctx: Context, values: Values) -> Layout:
    groups = [
        dates_group(),
        Group("head", "世帯主の変更", (household_static(ctx), new_head_field(ctx))),
        relationships_group(
            ctx,
            "新しい世帯主との続柄を入力してください（前の世帯主の方は必ず入力。空欄は今の続柄のまま）",
        ),
        *notifier_groups(values),
        notes_group(),
    ]
    return Layout.of(groups)


def head_change_defaults(ctx: Context) -> Defaults:
    return [
        ("filed_on", today_text(ctx)),
        ("household_number", ctx.household_number),
        *(("members", m.atena) for m in ctx.members),
    ]


def build_head_change(r: FormReader) -> dict[str, Any]:
    new_head = r.values.get("new_head")
    if not new_head:
        r.fault("input.required", "新しい世帯主を選んでください", "new_head")
    return drop_empty(
        {
            "header": header(r, filed=True),
            "household_number": r.parsed(
                "household_number", "世帯", HouseholdNumber.parse, required=True
            ),
            "new_head": new_head,
            "relationships": relationships(r, _household_atenas(r)),
        }
    )


# --- 改製・取消し ----------------------------------------------------------------------------------


def reissue_layout(ctx: Context, values: Values) -> Layout:
    groups = [
        dates_group(filed=False),
        Group(
            "reissue",
            "改製・再製",
            (
                person_field(ctx),
                Field(
                    "remake",
                    "再製（滅失・き損した住民票をつくり直す）。改製の場合は選ばない",
                    "check",
                ),
            ),
        ),
        notes_group(),
    ]
    return Layout.of(groups)


def build_reissue(r: FormReader) -> dict[str, Any]:
    return drop_empty(
        {
            "header": header(r),
            "atena_number": target(r),
            "remake": r.flag("remake") or None,
        }
    )


def _change_option(change: RecordedChange) -> tuple[str, str]:
    return change.event_id, change_text(change)


def cancel_layout(ctx: Context, values: Values) -> Layout:
    """Opened for a person, the change is chosen from their history (newest first); opened
    without one, its 異動ID is typed."""
    event = (
        Field(
            "event_id",
            "取り消す異動",
            "select",
            options=(("", "選んでください"), *(_change_option(c) for c in ctx.changes)),
            required=True,
            hint="この方の異動（新しい順）: 異動日・事由・履歴番号",
        )
        if ctx.changes
        else Field(
            "event_id",
            "取り消す異動のID",
            required=True,
            hint="仮登録・審査の画面（本登録済みの異動）に表示される異動IDです",
        )
    )
    fields = [event]
    if ctx.members:
        fields.append(
            persons_field(ctx, "一部の方だけ取り消す場合はその方（選ばなければ異動者全員）")
        )
    groups = [
        dates_group(filed=False),
        Group("cancel", "取り消す異動", tuple(fields), boxes=("atena_numbers",)),
        notes_group(),
    ]
    return Layout.of(groups)


def cancel_defaults(ctx: Context) -> Defaults:
    return [("filed_on", today_text(ctx))]


def build_cancel(r: FormReader) -> dict[str, Any]:
    event_id = r.text("event_id", "取り消す異動", required=True, max_length=64)
    return drop_empty(
        {
            "header": header(r),
            "event_id": event_id,
            "atena_numbers": chosen(r),
        }
    )


# fmt: off
IN_TOWN_MOVE_FORM = Process(InTownMove, "in-town-move", "住所・世帯", "市区町村の中で引っ越した方", in_town_move_layout, build_in_town_move, filed_defaults(in_town_move_defaults))
MOVE_OUT_FORM = Process(MoveOut, "move-out", "消除", "他の市区町村・国外へ引っ越す方（転出予定日はこれからの日付も可）", move_out_layout, build_move_out, filed_defaults(movers_defaults), aliases=(("effective_on", "planned_on"),))
MOVE_IN_NOTICE_FORM = Process(RecordMoveInNotice, "move-in-notice", "消除", "転出した方について転入先から届いた通知を記録します", move_in_notice_layout, build_move_in_notice, person_defaults)
DEATH_FORM = Process(Death, "death", "消除", "亡くなった方（死亡日が不詳でも入力できます）", death_layout, build_death, filed_defaults(person_defaults, NotifierKind.HEAD))
EX_OFFICIO_REMOVAL_FORM = Process(ExOfficioRemoval, "ex-officio-removal", "消除", "実態調査などにより職権で消除します", ex_officio_removal_layout, build_ex_officio_removal, movers_defaults)
HOUSEHOLD_SPLIT_FORM = Process(HouseholdSplit, "household-split", "住所・世帯", "同じ住所で世帯を分けます", split_layout, build_split, filed_defaults(movers_defaults))
HOUSEHOLD_MERGE_FORM = Process(HouseholdMerge, "household-merge", "住所・世帯", "同じ住所の別の世帯に世帯全員で加わります", merge_layout, build_merge, filed_defaults(merge_defaults))
HOUSEHOLD_CHANGE_FORM = Process(HouseholdChange, "household-change", "住所・世帯", "同じ住所の別の世帯に一部の方が移ります", change_layout, build_change, filed_defaults(movers_defaults))
HEAD_CHANGE_FORM = Process(HeadChange, "head-change", "住所・世帯", "世帯主を変え、続柄を入力し直します", head_change_layout, build_head_change, filed_defaults(head_change_defaults))
REISSUE_FORM = Process(Reissue, "reissue", "修正", "住民票を改製・再製します", reissue_layout, build_reissue, person_defaults)
CANCELLATION_FORM = Process(Cancel, "cancel", "修正", "本登録済みの異動を取り消します（この方の異動から選ぶか、異動IDを指定）", cancel_layout, build_cancel, cancel_defaults, needs_person=False, reads_changes=True)
# fmt: on
