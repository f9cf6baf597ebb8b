"""Forms of the changes that enter persons: 転入, 出生, 職権記載, and the nationality events that
enter a person anew (帰化, 国籍喪失)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from jichitai.domain.common.address import Address
from jichitai.domain.common.identifiers import HouseholdNumber
from jichitai.domain.residents.commands import (
    Birth,
    ExOfficioEntry,
    LoseNationality,
    MoveIn,
    Naturalise,
    NotifierKind,
)
from jichitai.entrypoints.web.changes_common import (
    Defaults,
    Process,
    calendar_day,
    filed_defaults,
    foreign_details,
    header,
    member_count,
    new_person,
    target,
    today_text,
)
from jichitai.entrypoints.web.changes_layout import (
    Context,
    Field,
    Group,
    Layout,
    address_group,
    dates_group,
    foreign_group,
    household_static,
    notes_group,
    notifier_groups,
    person_groups,
)
from jichitai.entrypoints.web.changes_reader import ADDRESS_PARTS, FormReader, Values, drop_empty


def address_values(prefix: str, address: Address) -> Defaults:
    return [
        (f"{prefix}.{part}", getattr(address, part))
        for part in ADDRESS_PARTS
        if getattr(address, part)
    ]


def here(prefix: str, ctx: Context) -> Defaults:
    """The municipality's prefecture and city: an address here starts with them."""
    return [(f"{prefix}.prefecture", ctx.prefecture), (f"{prefix}.city", ctx.city)]


def person_field(ctx: Context) -> Field:
    record = ctx.record
    text = (
        f"{record.name.full}（{record.birth_date.display()}生・宛名番号 {record.atena_number.value}）"
        if record
        else ""
    )
    return Field("atena_number", "対象の方", "static", text=text)


# --- 転入 / 職権記載 ----------------------------------------------------------------------------


def _members_layout(values: Values, groups: list[Group]) -> int:
    """A block per member; 「世帯員を追加」 follows the last one."""
    count = member_count(values)
    for i in range(count):
        groups += person_groups(
            f"members[{i}]", f"異動する方 {i + 1}人目", values, remove=str(i) if count > 1 else ""
        )
    groups[-1] = replace(groups[-1], adds=True)
    return count


def move_in_layout(ctx: Context, values: Values, *, ex_officio: bool = False) -> Layout:
    groups = [
        dates_group(effective_label="異動日（転入した日）" if not ex_officio else "異動日"),
        address_group("address", "新しい住所（この市区町村の住所）", here=True),
        address_group(
            "previous_address",
            "前住所（転入前の住所）",
            abroad=True,
            unknown=True,
            required=False,
            hint="国外からの場合は国名と国外の住所。分からない場合は「住所は不明」",
        ),
        Group(
            "household",
            "世帯",
            (
                Field(
                    "household_number",
                    "既存の世帯に加わる場合はその世帯番号",
                    cls="short",
                    inputmode="numeric",
                    hint="空欄なら新しい世帯になります",
                ),
            )
            + (
                ()
                if ex_officio
                else (
                    Field("from_abroad", "国外からの転入（国外転入・第30条の46等）", "check"),
                    Field("special", "特例転入（マイナンバーカードによる転入）", "check"),
                )
            ),
            boxes=("members",),
        ),
    ]
    count = _members_layout(values, groups)
    if not ex_officio:
        groups += notifier_groups(values)
    groups.append(notes_group())
    return Layout.of(groups, members=count)


def move_in_defaults(ctx: Context) -> Defaults:
    out: Defaults = [
        ("filed_on", today_text(ctx)),
        ("member_count", "1"),
        ("members[0].kind", "japanese"),
    ]
    if ctx.record is not None:
        out += [
            ("household_number", ctx.household_number),
            *address_values("address", ctx.record.address),
        ]
    else:
        out += [*here("address", ctx), ("members[0].relationship", "世帯主")]
    return out


def _members(r: FormReader, effective_on: str | None) -> list[dict[str, Any]]:
    return [
        new_person(r, f"members[{i}]", effective_on=effective_on)
        for i in range(member_count(r.values))
    ]


def build_move_in(r: FormReader) -> dict[str, Any]:
    head = header(r, filed=True)
    previous = r.address("previous_address", "前住所", required=False, allow_unknown=True)
    from_abroad = r.flag("from_abroad") or bool(previous and previous.get("country"))
    return drop_empty(
        {
            "header": head,
            "members": _members(r, head.get("effective_on")),
            "address": r.address("address", "新しい住所"),
            "previous_address": previous or {},
            "from_abroad": from_abroad or None,
            "household_number": r.parsed("household_number", "世帯番号", HouseholdNumber.parse),
            "special": r.flag("special") or None,
        },
        keep=("previous_address",),
    )


def build_ex_officio_entry(r: FormReader) -> dict[str, Any]:
    head = header(r, ex_officio=True)
    return drop_empty(
        {
            "header": head,
            "members": _members(r, head.get("effective_on")),
            "address": r.address("address", "住所"),
            "previous_address": r.address(
                "previous_address", "前住所", required=False, allow_unknown=True
            ),
            "household_number": r.parsed("household_number", "世帯番号", HouseholdNumber.parse),
        }
    )


# --- 出生 ----------------------------------------------------------------------------------------


def birth_layout(ctx: Context, values: Values) -> Layout:
    groups = [
        dates_group(effective_hint="空欄なら生年月日（和暦・西暦どちらでも）"),
        Group("household", "世帯", (household_static(ctx),), boxes=("address",)),
        *person_groups("child", "生まれた子", values),
        *notifier_groups(values),
        notes_group(),
    ]
    return Layout.of(groups)


def birth_defaults(ctx: Context) -> Defaults:
    out: Defaults = [
        ("filed_on", today_text(ctx)),
        ("household_number", ctx.household_number),
        ("child.relationship", "子"),
        ("child.kind", "japanese"),
    ]
    record = ctx.record
    if record is not None and record.kind.value == "japanese":
        out += [
            ("child.name.family", record.name.family),
            ("child.name.family_kana", record.name.family_kana),
        ]
        if record.family_register is not None:
            out += [
                ("child.family_register.domicile", record.family_register.domicile),
                ("child.family_register.head", record.family_register.head),
            ]
    return out


def build_birth(r: FormReader) -> dict[str, Any]:
    child = new_person(r, "child", effective_on=None, at_birth=True)
    head = header(r, fallback=calendar_day(child.get("birth_date")), filed=True)
    return {
        "header": head,
        "child": child,
        "household_number": r.parsed(
            "household_number", "世帯番号", HouseholdNumber.parse, required=True
        ),
    }


# --- 帰化 / 国籍喪失 ------------------------------------------------------------------------------


def naturalise_layout(ctx: Context, values: Values) -> Layout:
    groups = [
        dates_group(effective_label="異動日（帰化の日）"),
        Group(
            "person",
            "帰化した方",
            (
                person_field(ctx),
                Field("name.family", "帰化後の氏", required=True, cls="kanji-name"),
                Field("name.given", "帰化後の名", cls="kanji-name"),
                Field("name.family_kana", "氏のフリガナ"),
                Field("name.given_kana", "名のフリガナ"),
                Field("family_register.domicile", "本籍", required=True),
                Field("family_register.head", "筆頭者", required=True, cls="kanji-name"),
            ),
            boxes=("name", "family_register"),
        ),
        notes_group(),
    ]
    return Layout.of(groups)


def person_defaults(ctx: Context) -> Defaults:
    return [("filed_on", today_text(ctx)), ("atena_number", ctx.atena)]


def build_naturalise(r: FormReader) -> dict[str, Any]:
    return {
        "header": header(r),
        "atena_number": target(r),
        "name": r.person_name("name"),
        "family_register": r.family_register("family_register"),
    }


def lose_nationality_layout(ctx: Context, values: Values) -> Layout:
    groups = [
        dates_group(effective_label="異動日（国籍を失った日）"),
        Group(
            "person",
            "国籍を失った方",
            (
                person_field(ctx),
                Field("name.family", "氏", required=True, cls="kanji-name"),
                Field("name.given", "名", cls="kanji-name"),
                Field("name.family_kana", "氏のフリガナ"),
                Field("name.given_kana", "名のフリガナ"),
            ),
            boxes=("name",),
        ),
        foreign_group("foreign", roman="name.roman", legend="外国人住民の事項"),
        notes_group(),
    ]
    return Layout.of(groups)


def lose_nationality_defaults(ctx: Context) -> Defaults:
    out = person_defaults(ctx)
    if ctx.record is not None:
        name = ctx.record.name
        out += [
            ("name.family", name.family),
            ("name.given", name.given),
            ("name.family_kana", name.family_kana),
            ("name.given_kana", name.given_kana),
            ("foreign.category", "transitional_loss_of_nationality"),
        ]
    return out


def build_lose_nationality(r: FormReader) -> dict[str, Any]:
    head = header(r)
    return {
        "header": head,
        "atena_number": target(r),
        "name": r.person_name("name", roman=True, kana_required=False),
        "foreign": foreign_details(r, "foreign", became_default=head.get("effective_on")),
    }


MOVE_IN_FORM = Process(
    MoveIn,
    "move-in",
    "記載",
    "他の市区町村・国外から引っ越してきた方（家族全員を一度に入力できます）",
    move_in_layout,
    build_move_in,
    filed_defaults(move_in_defaults),
    needs_person=False,
)
BIRTH_FORM = Process(
    Birth,
    "birth",
    "記載",
    "生まれた子を親の世帯に記載します（親の住民票から開きます）",
    birth_layout,
    build_birth,
    filed_defaults(birth_defaults, NotifierKind.HEAD),
    aliases=(("members[0]", "child"), ("members", "child")),
)
EX_OFFICIO_ENTRY_FORM = Process(
    ExOfficioEntry,
    "ex-officio-entry",
    "記載",
    "実態調査などにより職権で住民票を記載します",
    lambda ctx, values: move_in_layout(ctx, values, ex_officio=True),
    build_ex_officio_entry,
    move_in_defaults,
    needs_person=False,
)
NATURALISATION_FORM = Process(
    Naturalise,
    "naturalise",
    "外国人住民",
    "外国人住民の方が帰化した（日本人住民として記載し直す）",
    naturalise_layout,
    build_naturalise,
    person_defaults,
)
LOSS_OF_NATIONALITY_FORM = Process(
    LoseNationality,
    "lose-nationality",
    "外国人住民",
    "日本の国籍を失った方（外国人住民として記載し直す）",
    lose_nationality_layout,
    build_lose_nationality,
    lose_nationality_defaults,
)
