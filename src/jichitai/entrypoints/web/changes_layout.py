"""What a change form shows: its fields in groups, and the parts every form shares (the dates of
the notification, an address, a person entering the register, the household's members).

One template draws every process's form from these descriptions, so a field's name, its label,
its messages box and the path the register's rules name it by stay one and the same.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date

from jichitai.domain.residents.commands import (
    IdentityCheck,
    IdentityDocument,
    Notifier,
    NotifierKind,
)
from jichitai.domain.residents.labels import label_of
from jichitai.domain.residents.model import ForeignResidentCategory, ResidentRecord
from jichitai.entrypoints.web.changes_reader import Values
from jichitai.services.register_access import RecordedChange

TOWN_LIST = "town-areas"
RELATIONSHIP_LIST = "relationship-terms"
STATUS_LIST = "residence-statuses"
DATE_HINT = "和暦・西暦どちらでも（例: R8.11.26、令和8年11月26日、2026-11-26）"
SEIREKI_HINT = "西暦で入力（和暦も可）。例: 1990-04-01"
RELATIONSHIP_HINT = "世帯主から見た続柄（候補は↓キーで選べます）"
RECORD_DATE_HINT = DATE_HINT + "。不詳の場合は「昭和20年頃」「年月日不詳」など"

RELATIONSHIP_TERMS = (
    "世帯主", "妻", "夫", "子", "父", "母", "子の妻", "子の夫", "妻の子", "夫の子", "子の子",
    "妻の父", "妻の母", "夫の父", "夫の母", "兄", "姉", "弟", "妹", "妻（未届）", "夫（未届）",
    "縁故者", "同居人",
)  # fmt: skip
RESIDENCE_STATUSES = (
    "永住者", "定住者", "日本人の配偶者等", "永住者の配偶者等", "家族滞在", "留学",
    "技術・人文知識・国際業務", "技能", "技能実習", "特定技能", "特定活動", "経営・管理", "教授",
    "研究", "教育", "企業内転勤", "介護", "高度専門職", "医療", "興行", "文化活動",
)  # fmt: skip
SEXES = (("", "選んでください"), ("male", "男"), ("female", "女"))
KINDS = (("japanese", "日本人住民"), ("foreign", "外国人住民"))
CATEGORIES = (("", "選んでください"), *((c.value, c.label) for c in ForeignResidentCategory))


@dataclass(frozen=True, slots=True)
class Field:
    """One input: ``name`` is the command's JSON path, as the rules name it."""

    name: str
    label: str
    kind: str = "text"
    """text, date, select, radios, check, checks, textarea, static (shown only) or hidden."""
    options: tuple[tuple[str, str], ...] = ()
    hint: str = ""
    required: bool = False
    cls: str = ""
    datalist: str = ""
    inputmode: str | None = None
    text: str = ""
    """What a static field shows."""


@dataclass(frozen=True, slots=True)
class Group:
    """A fieldset: ``name`` is its messages box (the rules name e.g. ``members[0]``)."""

    name: str
    legend: str
    fields: tuple[Field, ...]
    boxes: tuple[str, ...] = ()
    """More messages boxes: paths the rules name that no input has (``members[0].name``)."""
    hint: str = ""
    folded: bool = False
    """Drawn as <details>, open when ``opened`` or when one of its fields is at fault."""
    opened: bool = False
    remove: str = ""
    """A member block's index: it gets a 「この方を削除」 button."""
    adds: bool = False
    """「世帯員を追加」 follows this group (the last member block)."""

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.boxes, *(f.name for f in self.fields))


@dataclass(frozen=True, slots=True)
class Member:
    """A member of the household the form was opened from, as the form lists them."""

    atena: str
    name: str
    kana: str
    birth: str
    sex: str
    relationship: str
    is_head: bool

    @property
    def label(self) -> str:
        return f"{self.name}（{self.relationship}・{self.birth}生）"


@dataclass(frozen=True, slots=True)
class Context:
    """What the form is opened with: today, the municipality, and the person it was opened from
    (their record and household), if any."""

    today: date
    prefecture: str
    city: str
    ref: str = ""
    record: ResidentRecord | None = None
    members: tuple[Member, ...] = ()
    household: tuple[ResidentRecord, ...] = ()
    """The members' current records (個人番号 removed unless the clerk may see it)."""
    masked_numbers: Mapping[str, str | None] = field(default_factory=dict)
    """Each member's (and the person's) 個人番号 masked, by 宛名番号: whether one is held."""
    may_view_number: bool = False
    changes: tuple[RecordedChange, ...] = ()
    """The person's recorded changes, newest first: read only for a form choosing one (取消し)."""

    @property
    def names(self) -> dict[str, str]:
        """The 氏名 of the person and their household's members, by 宛名番号."""
        records = (*self.household, *([self.record] if self.record else []))
        return {r.atena_number.value: r.name.full for r in records}

    @property
    def household_number(self) -> str:
        return self.record.household_number.value if self.record else ""

    @property
    def atena(self) -> str:
        return self.record.atena_number.value if self.record else ""

    @property
    def head(self) -> Member | None:
        return next((m for m in self.members if m.is_head), None)


@dataclass(frozen=True, slots=True)
class Layout:
    """A process's form as drawn: its groups, and whether members can be added."""

    groups: tuple[Group, ...]
    members: int = 0
    """How many member blocks (``members[i]``); 0 when the form has none."""
    names: frozenset[str] = frozenset()
    """Every name a message can be shown next to (inputs and messages boxes)."""
    boxes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Per group, the messages boxes it draws besides its inputs' own (each name once)."""

    @classmethod
    def of(cls, groups: list[Group], members: int = 0) -> Layout:
        inputs = {f.name for g in groups for f in g.fields if f.kind != "hidden"}
        seen: set[str] = set(inputs)
        boxes: dict[str, tuple[str, ...]] = {}
        for g in groups:
            own = []
            for name in (g.name, *g.boxes):
                if name not in seen:
                    seen.add(name)
                    own.append(name)
            boxes[g.name] = tuple(own)
        return cls(tuple(groups), members, frozenset(seen), boxes)

    def date_fields(self) -> list[str]:
        return [f.name for g in self.groups for f in g.fields if f.kind == "date"]


RECORD_DATES = ("birth_date", "died_on", "became_foreign_resident_on")


def is_record_date(name: str) -> bool:
    """Dates the register keeps as they are known (不詳 allowed): birth, death, 外国人住民となった日."""
    return name.rsplit(".", 1)[-1] in RECORD_DATES


def in_seireki(name: str, values: Values) -> bool:
    """A foreign resident's birth date and period-of-stay expiry are shown in 西暦 (§1.1.9)."""
    if name.endswith("stay_expires_on"):
        return True
    if name.endswith("birth_date"):
        prefix = name.rsplit(".", 1)[0] if "." in name else ""
        kind = (
            values.get(f"{prefix}.kind") if prefix and prefix != "changes" else values.get("kind")
        )
        return kind == "foreign"
    return False


# --- shared groups -------------------------------------------------------------------------------


def dates_group(
    *,
    effective: str = "effective_on",
    effective_label: str = "異動日",
    effective_hint: str = "",
    filed: bool = True,
) -> Group:
    fields = [
        Field(effective, effective_label, "date", hint=effective_hint or DATE_HINT, required=True)
    ]
    if filed:
        fields.append(Field("filed_on", "届出日", "date", hint=DATE_HINT))
    return Group("dates", "届出の日付", tuple(fields))


NOTIFIER_KINDS = tuple((k.value, k.label) for k in NotifierKind)
IDENTITY_DOCUMENTS = tuple((d.value, d.label) for d in IdentityDocument)
NAMED_NOTIFIERS = (NotifierKind.AGENT.value, NotifierKind.OTHER.value)
"""Kinds of 届出人 who are named on the form (the rules refuse them unnamed)."""


def notifier_groups(values: Values) -> list[Group]:
    """届出人 and 本人確認, on every form of a change filed by someone (never on a 職権 form):
    the kind (本人 prefilled by the form's defaults) and the document shown, then, folded
    unless the notifier is an agent or another, their name, address, telephone and relation."""
    own = label_of(Notifier, "kind")
    main = Group(
        "notifier",
        "届出人・本人確認",
        (
            Field("notifier.kind", own, "radios", NOTIFIER_KINDS),
            Field("identity_check.document", label_of(IdentityCheck, "document"), "radios", IDENTITY_DOCUMENTS),
            Field("identity_check.detail", "本人確認の補足（「その他」の書類の名前など）"),
        ),
        boxes=("identity_check",),
    )  # fmt: skip
    details = Group(
        "notifier_details",
        "届出人の氏名・住所（代理人・その他の場合）",
        (
            Field("notifier.name", label_of(Notifier, "name"), cls="kanji-name"),
            Field("notifier.address", label_of(Notifier, "address")),
            Field("notifier.telephone", label_of(Notifier, "telephone"), cls="short", inputmode="tel"),
            Field("notifier.relation", "異動する方との関係（代理人の場合。例: 委任、親族）"),
        ),
        folded=True,
        opened=values.get("notifier.kind") in NAMED_NOTIFIERS,
    )  # fmt: skip
    return [main, details]


def notes_group() -> Group:
    return Group(
        "notes_group",
        "留意事項",
        (Field("notes", "留意事項（審査者への連絡など。住民票には記載されません）", "textarea"),),
    )


def address_group(
    prefix: str,
    legend: str,
    *,
    here: bool = False,
    abroad: bool = False,
    unknown: bool = False,
    required: bool = True,
    hint: str = "",
) -> Group:
    """An address: ``here`` (in this municipality) completes the 町字 from the register."""
    fields = [
        Field(f"{prefix}.prefecture", "都道府県", cls="short"),
        Field(f"{prefix}.city", "市区町村", required=required and not abroad, cls="short"),
        Field(
            f"{prefix}.town_area",
            "町字（丁目まで）",
            datalist=TOWN_LIST if here else "",
            hint="候補は↓キーで選べます" if here else "",
        ),
        Field(f"{prefix}.lot_text", "番地（例: 2番3号）"),
        Field(f"{prefix}.address_supplement", "方書（建物名・部屋番号）"),
        Field(f"{prefix}.postcode", "郵便番号", cls="short", inputmode="numeric"),
    ]
    if abroad:
        fields += [
            Field(f"{prefix}.country", "国名（国外の場合）", cls="short"),
            Field(f"{prefix}.overseas_text", "国外の住所"),
        ]
    if unknown:
        fields.append(Field(f"{prefix}.unknown", "住所は不明", "check"))
    return Group(prefix, legend, tuple(fields), hint=hint)


def person_groups(prefix: str, legend: str, values: Values, *, remove: str = "") -> list[Group]:
    """A person entering the register: the items of every resident, then (folded) those of a
    foreign resident only."""
    main = Group(
        prefix,
        legend,
        (
            Field(f"{prefix}.kind", "住民の種別", "select", KINDS),
            Field(f"{prefix}.name.family", "氏", required=True, cls="kanji-name"),
            Field(f"{prefix}.name.family_kana", "氏のフリガナ", hint="全角カタカナ（ひらがな・半角カナは全角カタカナにします）"),
            Field(f"{prefix}.name.given", "名", cls="kanji-name"),
            Field(f"{prefix}.name.given_kana", "名のフリガナ"),
            Field(f"{prefix}.birth_date", "生年月日", "date", hint=RECORD_DATE_HINT, required=True),
            Field(f"{prefix}.sex", "性別", "radios", SEXES[1:], required=True),
            Field(f"{prefix}.relationship", "続柄", required=True, datalist=RELATIONSHIP_LIST, hint=RELATIONSHIP_HINT),
            Field(f"{prefix}.family_register.domicile", "本籍（日本人住民）", hint="不明の場合は「不明」", required=True),
            Field(f"{prefix}.family_register.head", "筆頭者（日本人住民）", cls="kanji-name", required=True),
            Field(f"{prefix}.former_surname.family", "旧氏（記載を求められた場合）", cls="kanji-name"),
            Field(f"{prefix}.former_surname.family_kana", "旧氏のフリガナ"),
            Field(f"{prefix}.resident_code", "住民票コード（転出証明書などから）", cls="short", inputmode="numeric", hint="11桁。空欄なら新しく付番します"),
            Field(f"{prefix}.individual_number", "個人番号（分かる場合）", cls="short", inputmode="numeric"),
        ),
        boxes=(f"{prefix}.name", f"{prefix}.family_register", f"{prefix}.former_surname", f"{prefix}.returning_as"),
        remove=remove,
    )  # fmt: skip
    foreign = foreign_group(f"{prefix}.foreign", roman=f"{prefix}.name.roman")
    opened = values.get(f"{prefix}.kind") == "foreign"
    return [main, replace(foreign, folded=True, opened=opened)]


def foreign_group(
    prefix: str, *, roman: str = "", legend: str = "外国人住民の事項（外国人住民のみ）"
) -> Group:
    fields = [Field(roman, "氏名（ローマ字）", cls="kanji-name")] if roman else []
    fields += [
        Field(f"{prefix}.nationality", "国籍・地域", cls="short"),
        Field(f"{prefix}.category", "第30条の45に規定する区分", "select", CATEGORIES),
        Field(f"{prefix}.residence_status", "在留資格", datalist=STATUS_LIST),
        Field(f"{prefix}.period_of_stay", "在留期間等（例: 3年）", cls="short"),
        Field(f"{prefix}.stay_expires_on", "在留期間の満了の日", "date", hint=SEIREKI_HINT),
        Field(f"{prefix}.residence_card_number", "在留カード等の番号", cls="short", hint="例: AB12345678CD"),
        Field(f"{prefix}.special_permanent_certificate_number", "特別永住者証明書の番号", cls="short"),
        Field(f"{prefix}.became_foreign_resident_on", "外国人住民となった日", "date", hint="空欄なら異動日"),
    ]  # fmt: skip
    return Group(prefix, legend, tuple(fields))


def persons_field(ctx: Context, label: str = "異動する方（世帯員から選ぶ）") -> Field:
    options = tuple((m.atena, m.label) for m in ctx.members)
    return Field("atena_numbers", label, "checks", options, required=True)


def new_head_field(ctx: Context, label: str = "新しい世帯主") -> Field:
    options = (("", "選んでください"), *((m.atena, m.label) for m in ctx.members))
    return Field("new_head", label, "select", options)


def relationships_group(ctx: Context, hint: str) -> Group:
    """A new 続柄 for each member listed (``members``: their 宛名番号, kept hidden)."""
    fields = tuple(
        Field(
            f"relationships.{m.atena}",
            f"{m.name}（現在: {m.relationship}）の新しい続柄",
            datalist=RELATIONSHIP_LIST,
        )
        for m in ctx.members
    )
    return Group("relationships", "続柄", (Field("members", "", "hidden"), *fields), hint=hint)


def household_static(ctx: Context) -> Field:
    head = ctx.head
    who = f"世帯主 {head.name}" if head else "世帯主なし"
    return Field(
        "household_number", "世帯", "static", text=f"{who}の世帯（世帯番号 {ctx.household_number}）"
    )
