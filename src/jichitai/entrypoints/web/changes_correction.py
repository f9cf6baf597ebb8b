"""The correction form (修正): choose the 修正の事由 and the items, type the new values.

Each item's inputs start with the record's current value; only the items ticked go into the
command (``RecordChanges``), so an item left alone is never rewritten. A foreign resident's
items are replaced whole by the register, so the parts the form does not show (the 通称 history,
the 外国人登録 date) travel with it in a hidden field and are put back unchanged.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from jichitai.codec import to_primitive
from jichitai.domain.common.identifiers import IndividualNumber, ResidentCode
from jichitai.domain.residents.commands import Correct
from jichitai.domain.residents.model import ResidentKind
from jichitai.domain.residents.reasons import ChangeReason
from jichitai.entrypoints.web.changes_common import (
    Defaults,
    Process,
    foreign_details,
    header,
    target,
    today_text,
)
from jichitai.entrypoints.web.changes_entries import address_values, person_field
from jichitai.entrypoints.web.changes_layout import (
    RECORD_DATE_HINT,
    RELATIONSHIP_LIST,
    SEXES,
    Context,
    Field,
    Group,
    Layout,
    address_group,
    dates_group,
    foreign_group,
    notes_group,
)
from jichitai.entrypoints.web.changes_reader import FormReader, Values, drop_empty

REASONS = tuple(
    (r.value, r.label)
    for r in (
        ChangeReason.EX_OFFICIO_CORRECTION,
        ChangeReason.CLERICAL_CORRECTION,
        ChangeReason.MINOR_CORRECTION,
        ChangeReason.FORMER_SURNAME_ENTRY,
        ChangeReason.FORMER_SURNAME_CHANGE,
        ChangeReason.FORMER_SURNAME_DELETION,
        ChangeReason.ALIAS_ENTRY,
        ChangeReason.ALIAS_DELETION,
        ChangeReason.INDIVIDUAL_NUMBER_CHANGE_ON_REQUEST,
        ChangeReason.INDIVIDUAL_NUMBER_EX_OFFICIO_CORRECTION,
        ChangeReason.INDIVIDUAL_NUMBER_EX_OFFICIO_ENTRY,
        ChangeReason.RESIDENT_CODE_CHANGE_ON_REQUEST,
        ChangeReason.RESIDENT_CODE_EX_OFFICIO_ENTRY,
    )
)
ITEMS = (
    ("name", "氏名・フリガナ", ""),
    ("birth_date", "生年月日", ""),
    ("sex", "性別", ""),
    ("relationship", "続柄", ""),
    ("family_register", "本籍・筆頭者", "japanese"),
    ("address", "住所", ""),
    ("former_surname", "旧氏", "japanese"),
    ("individual_number", "個人番号", ""),
    ("resident_code", "住民票コード", ""),
    ("foreign", "外国人住民の事項（在留資格・在留期間・在留カード等）", "foreign"),
    ("alias", "通称", "foreign"),
    ("remarks", "備考", ""),
)
CLEARS = (
    ("former_surname", "旧氏を削除する", "japanese"),
    ("alias", "通称を削除する", "foreign"),
    ("remarks", "備考を削除する", ""),
)
_KEPT = ("aliases", "alien_registration_on")


def _for(kind: str, rows: tuple[tuple[str, str, str], ...]) -> tuple[tuple[str, str], ...]:
    return tuple((key, label) for key, label, only in rows if only in ("", kind))


def _name_fields(
    prefix: str, *, roman: bool = False, family_only: bool = False
) -> tuple[Field, ...]:
    fields = [Field(f"{prefix}.family", "氏", cls="kanji-name")]
    if not family_only:
        fields.append(Field(f"{prefix}.given", "名", cls="kanji-name"))
    fields.append(Field(f"{prefix}.family_kana", "氏のフリガナ"))
    if not family_only:
        fields.append(Field(f"{prefix}.given_kana", "名のフリガナ"))
    if roman:
        fields.append(Field(f"{prefix}.roman", "氏名（ローマ字）", cls="kanji-name"))
    return tuple(fields)


def correct_layout(ctx: Context, values: Values) -> Layout:
    kind = values.get("kind", "japanese")
    foreign = kind == ResidentKind.FOREIGN.value
    ticked = set(values.all("items"))
    item_groups = {
        "name": Group("item-name", "氏名・フリガナ（修正後）", _name_fields("changes.name", roman=foreign), boxes=("changes.name",)),
        "birth_date": Group("item-birth_date", "生年月日（修正後）", (Field("changes.birth_date", "生年月日", "date", hint=RECORD_DATE_HINT),)),
        "sex": Group("item-sex", "性別（修正後）", (Field("changes.sex", "性別", "select", SEXES),)),
        "relationship": Group("item-relationship", "続柄（修正後）", (Field("changes.relationship", "続柄", datalist=RELATIONSHIP_LIST),), hint="世帯主の変更は「世帯主変更」で行います"),
        "family_register": Group("item-family_register", "本籍・筆頭者（修正後）", (Field("changes.family_register.domicile", "本籍"), Field("changes.family_register.head", "筆頭者", cls="kanji-name")), boxes=("changes.family_register",)),
        "address": address_group("changes.address", "住所（修正後）", here=True),
        "former_surname": Group("item-former_surname", "旧氏（記載・変更後）", _name_fields("changes.former_surname", family_only=True), boxes=("changes.former_surname",)),
        "individual_number": Group("item-individual_number", "個人番号（修正後）", (Field("changes.individual_number", "個人番号", cls="short", inputmode="numeric"),)),
        "resident_code": Group("item-resident_code", "住民票コード（修正後）", (Field("changes.resident_code", "住民票コード", cls="short", inputmode="numeric"),)),
        "foreign": foreign_group("changes.foreign", legend="外国人住民の事項（修正後）"),
        "alias": Group("item-alias", "通称（記載する通称）", _name_fields("changes.alias"), boxes=("changes.alias",)),
        "remarks": Group("item-remarks", "備考（修正後）", (Field("changes.remarks", "備考", "textarea"),)),
    }  # fmt: skip
    groups = [
        dates_group(),
        Group(
            "correction",
            "修正の事由と項目",
            (
                person_field(ctx),
                Field("kind", "", "hidden"),
                Field("changes.foreign.kept", "", "hidden"),
                Field(
                    "reason",
                    "修正の事由",
                    "select",
                    (("", "選んでください"), *REASONS),
                    required=True,
                ),
                Field(
                    "items",
                    "修正する項目（選んだ項目だけを修正します）",
                    "checks",
                    _for(kind, ITEMS),
                ),
                Field("changes.clear", "削除する項目", "checks", _for(kind, CLEARS)),
                Field("corrects_event_id", "誤記修正の場合: 訂正する異動のID（分かれば）"),
            ),
            boxes=("changes",),
        ),
    ]
    for key, _, only in ITEMS:
        if only in ("", kind):
            group = item_groups[key]
            groups.append(
                Group(
                    group.name,
                    group.legend,
                    group.fields,
                    group.boxes,
                    group.hint,
                    folded=True,
                    opened=key in ticked,
                )
            )
    groups.append(notes_group())
    return Layout.of(groups)


def correct_defaults(ctx: Context) -> Defaults:
    out: Defaults = [("filed_on", today_text(ctx)), ("atena_number", ctx.atena)]
    r = ctx.record
    if r is None:
        return out
    foreign = r.kind is ResidentKind.FOREIGN
    out += [
        ("kind", r.kind.value),
        ("changes.name.family", r.name.family),
        ("changes.name.given", r.name.given),
        ("changes.name.family_kana", r.name.family_kana),
        ("changes.name.given_kana", r.name.given_kana),
        ("changes.name.roman", r.name.roman),
        ("changes.birth_date", r.birth_date.display("seireki" if foreign else "wareki")),
        ("changes.sex", r.sex.value),
        ("changes.relationship", r.relationship.text),
        *address_values("changes.address", r.address),
        ("changes.resident_code", r.resident_code.value if r.resident_code else ""),
        ("changes.remarks", r.remarks),
    ]
    if r.individual_number is not None and ctx.may_view_number:
        out.append(("changes.individual_number", r.individual_number.value))
    if r.family_register is not None:
        out += [
            ("changes.family_register.domicile", r.family_register.domicile),
            ("changes.family_register.head", r.family_register.head),
        ]
    if r.former_surname is not None:
        out += [
            ("changes.former_surname.family", r.former_surname.family),
            ("changes.former_surname.family_kana", r.former_surname.family_kana),
        ]
    f = r.foreign
    if f is not None:
        kept = {k: v for k, v in to_primitive(f).items() if k in _KEPT}
        out += [
            ("changes.foreign.nationality", f.nationality),
            ("changes.foreign.category", f.category.value),
            ("changes.foreign.residence_status", f.residence_status),
            ("changes.foreign.period_of_stay", f.period_of_stay),
            ("changes.foreign.stay_expires_on", f"{f.stay_expires_on:%Y-%m-%d}" if f.stay_expires_on else ""),
            ("changes.foreign.residence_card_number", f.residence_card_number.value if f.residence_card_number else ""),
            ("changes.foreign.special_permanent_certificate_number", f.special_permanent_certificate_number),
            ("changes.foreign.became_foreign_resident_on", f.became_foreign_resident_on.display()),
            ("changes.foreign.kept", json.dumps(kept, ensure_ascii=False, sort_keys=True)),
        ]  # fmt: skip
    return [(k, v) for k, v in out if v]


def _kept(r: FormReader) -> dict[str, Any]:
    text = r.raw("changes.foreign.kept")
    if not text:
        return {}
    try:
        kept = json.loads(text)
    except ValueError:
        kept = None
    if not isinstance(kept, dict) or not set(kept) <= set(_KEPT):
        r.fault(
            "input.tampered",
            "画面の内容が正しくありません。画面を開き直してください",
            "changes.foreign",
        )
        return {}
    return kept


def _changes(r: FormReader, items: list[str], foreign: bool) -> dict[str, Any]:
    read: dict[str, Callable[[], Any]] = {
        "name": lambda: r.person_name("changes.name", roman=foreign, kana_required=False),
        "birth_date": lambda: r.record_date("changes.birth_date", "生年月日", seireki=foreign),
        "sex": lambda: r.choice("changes.sex", "性別", ("male", "female")),
        "relationship": lambda: r.relationship("changes.relationship"),
        "family_register": lambda: r.family_register("changes.family_register"),
        "address": lambda: r.address("changes.address", "住所"),
        "former_surname": lambda: r.person_name("changes.former_surname", kana_required=False),
        "individual_number": lambda: r.parsed("changes.individual_number", "個人番号", IndividualNumber.parse, required=True),
        "resident_code": lambda: r.parsed("changes.resident_code", "住民票コード", ResidentCode.parse, required=True),
        "foreign": lambda: foreign_details(r, "changes.foreign", became_default=None) | _kept(r),
        "alias": lambda: r.person_name("changes.alias", kana_required=False),
        "remarks": lambda: r.text("changes.remarks", "備考", required=True),
    }  # fmt: skip
    return {item: read[item]() for item in items}


def build_correct(r: FormReader) -> dict[str, Any]:
    foreign = r.raw("kind") == ResidentKind.FOREIGN.value
    kind = "foreign" if foreign else "japanese"
    items = [key for key, _ in _for(kind, ITEMS) if key in r.values.all("items")]
    clear = [key for key, _ in _for(kind, CLEARS) if key in r.values.all("changes.clear")]
    if not items and not clear:
        r.fault("input.required", "修正する項目を選んでください", "items")
    changes = _changes(r, items, foreign)
    return drop_empty(
        {
            "header": header(r),
            "atena_number": target(r),
            "reason": r.choice("reason", "修正の事由", [value for value, _ in REASONS]),
            "changes": drop_empty({**changes, "clear": clear}),
            "corrects_event_id": r.text("corrects_event_id", "訂正する異動のID", max_length=64),
        },
        keep=("changes",),
    )


CORRECTION_FORM = Process(
    Correct,
    "correct",
    "修正",
    "記載事項を修正します（職権修正・誤記修正など。修正の事由と項目を選び、修正後の内容を入力）",
    correct_layout,
    build_correct,
    correct_defaults,
)
