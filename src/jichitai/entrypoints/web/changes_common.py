"""What every change form's reading shares: the process description, the command's header, a
person entering the register, a foreign resident's items and the household's member blocks."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from jichitai.domain.common.dates import format_wareki
from jichitai.domain.common.identifiers import (
    AtenaNumber,
    IndividualNumber,
    ResidenceCardNumber,
    ResidentCode,
)
from jichitai.domain.residents.change_types import ChangeType, change_type_for
from jichitai.domain.residents.commands import (
    IdentityCheck,
    IdentityDocument,
    Notifier,
    NotifierKind,
)
from jichitai.domain.residents.labels import label_of
from jichitai.domain.residents.model import ForeignResidentCategory
from jichitai.entrypoints.web.changes_layout import Context, Layout
from jichitai.entrypoints.web.changes_reader import FormReader, Values, drop_empty
from jichitai.services.register_access import Checked

MAX_MEMBERS = 12
_ALERT_CODE = re.compile(r"[a-z0-9_.]{1,100}")
_MEMBER = re.compile(r"members\[(\d+)\](.*)")

Defaults = list[tuple[str, str]]


@dataclass(frozen=True, slots=True)
class Process:
    """The form one change type (``command``) is entered with at the counter, and how the form
    becomes the command. Its name is the change type's label (``change_types.py``)."""

    command: type
    key: str
    """The form's name in its address (``/ui/changes/new/<key>``)."""
    section: str
    lead: str
    layout: Callable[[Context, Values], Layout]
    build: Callable[[FormReader], dict[str, Any]]
    """The command's JSON form, but its ``type``: the catalogue adds the command's name."""
    defaults: Callable[[Context], Defaults]
    needs_person: bool = True
    aliases: tuple[tuple[str, str], ...] = ()
    """Paths the rules name → the form's field (MoveOut's ``effective_on`` is its 転出予定日)."""
    reads_changes: bool = False
    """The form chooses one of the person's recorded changes (取消し): opening it for a person
    also reads their history (``Context.changes``, logged as a read of it)."""

    @property
    def change_type(self) -> ChangeType[Any]:
        return change_type_for(self.command)

    @property
    def label(self) -> str:
        return self.change_type.label

    def place(self, path: str) -> str:
        for source, target in self.aliases:
            if path == source:
                return target
            for joint in (".", "["):
                if path.startswith(source + joint):
                    return target + path[len(source) :]
        return path


def header(
    r: FormReader,
    *,
    effective: str = "effective_on",
    label: str = "異動日",
    fallback: str | None = None,
    ex_officio: bool = False,
    filed: bool = False,
) -> dict[str, Any]:
    """届出の日付 and the alerts acknowledged. A blank 異動日 takes ``fallback`` where the form
    gives one (the day of birth or of death, when that is a calendar day). A ``filed`` form
    (one drawing ``changes_layout.notifier_groups``) also gives its 届出人 and 本人確認."""
    effective_on = r.date(effective, label, required=False)
    if effective_on is None and not _faulted(r, effective):
        if fallback is not None:
            effective_on = fallback
        else:
            r.missing(effective, label)
    acknowledged = sorted({c for c in r.values.all("acknowledged") if _ALERT_CODE.fullmatch(c)})
    return drop_empty(
        {
            "effective_on": effective_on,
            "filed_on": r.date("filed_on", "届出日", required=False),
            "notes": r.text("notes", "留意事項"),
            "ex_officio": ex_officio or None,
            "acknowledged_alerts": acknowledged,
            "expected_versions": _versions(r, EXPECTED_VERSIONS),
            "expected_histories": _versions(r, EXPECTED_HISTORIES),
            **(_notifier(r) if filed else {}),
        }
    )


def _notifier(r: FormReader) -> dict[str, Any]:
    """届出人 and 本人確認 as typed; each left out when blank. The kinds and the telephone are
    checked by the decoder (the telephone as written, as the API's is)."""
    telephone = r.raw("notifier.telephone")
    notifier = {
        "kind": r.choice(
            "notifier.kind", label_of(Notifier, "kind"), NOTIFIER_KIND_VALUES, required=False
        ),
        "name": r.text("notifier.name", label_of(Notifier, "name")),
        "address": r.text("notifier.address", label_of(Notifier, "address")),
        "telephone": telephone if telephone.strip() else None,
        "relation": r.text("notifier.relation", label_of(Notifier, "relation")),
    }
    check = {
        "document": r.choice(
            "identity_check.document",
            label_of(IdentityCheck, "document"),
            IDENTITY_DOCUMENT_VALUES,
            required=False,
        ),
        "detail": r.text("identity_check.detail", label_of(IdentityCheck, "detail")),
    }
    return {"notifier": drop_empty(notifier), "identity_check": drop_empty(check)}


NOTIFIER_KIND_VALUES = tuple(k.value for k in NotifierKind)
IDENTITY_DOCUMENT_VALUES = tuple(d.value for d in IdentityDocument)


def filed_defaults(
    defaults: Callable[[Context], Defaults], kind: NotifierKind = NotifierKind.SELF
) -> Callable[[Context], Defaults]:
    """A filed form's defaults: the 届出人 is the person (本人), or for a 出生 or a 死亡 the
    世帯主, unless the clerk chooses otherwise (the usual case costs no click)."""

    def with_notifier(ctx: Context) -> Defaults:
        return [*defaults(ctx), ("notifier.kind", kind.value)]

    return with_notifier


EXPECTED_VERSIONS = "expected_versions."
EXPECTED_HISTORIES = "expected_histories."
_VERSION_KEY = re.compile(r"[0-9]{10}")
_VERSION = re.compile(r"[0-9]{1,9}")


def _versions(r: FormReader, prefix: str) -> dict[str, int]:
    """The versions the confirmation page carried (hidden fields named ``<prefix><number>``):
    a 世帯番号's version or a 宛名番号's 履歴番号, as the confirmed plan was checked against."""
    found: dict[str, int] = {}
    for name, value in r.values.pairs:
        key = name.removeprefix(prefix)
        if key != name and _VERSION_KEY.fullmatch(key) and _VERSION.fullmatch(value):
            found[key] = int(value)
    return found


def without_versions(values: Values) -> Values:
    """The form's values without the confirmation page's versions: a form being corrected is
    checked afresh and confirmed again against the register as it then is."""
    return Values(
        tuple(
            (k, v)
            for k, v in values.pairs
            if not k.startswith((EXPECTED_VERSIONS, EXPECTED_HISTORIES))
        )
    )


def version_fields(checked: Checked) -> dict[str, str]:
    """Hidden fields holding the versions a confirmed change was checked against."""
    fields = {EXPECTED_VERSIONS + k: str(v) for k, v in checked.expected_versions.items()}
    fields |= {EXPECTED_HISTORIES + k: str(v) for k, v in checked.expected_histories.items()}
    return fields


def calendar_day(record_date: dict[str, str] | None) -> str | None:
    """The ISO day of a RecordDate's JSON if it is a calendar day (a 異動日 may default to it)."""
    if record_date and record_date.get("kind") == "calendar":
        return record_date.get("date")
    return None


def _faulted(r: FormReader, name: str) -> bool:
    return any(v.field == name for v in r.violations)


def missing_date(r: FormReader, name: str, label: str, why: str) -> None:
    if not _faulted(r, name):
        r.fault("input.required", f"{label}を入力してください（{why}）", name)


def foreign_details(r: FormReader, prefix: str, *, became_default: str | None) -> dict[str, Any]:
    categories = [c.value for c in ForeignResidentCategory]
    became = r.record_date(
        f"{prefix}.became_foreign_resident_on", "外国人住民となった日", required=False
    )
    if (
        became is None
        and became_default
        and not _faulted(r, f"{prefix}.became_foreign_resident_on")
    ):
        became = {"kind": "calendar", "date": became_default}
    details = {
        "nationality": r.text(f"{prefix}.nationality", "国籍・地域", required=True),
        "category": r.choice(f"{prefix}.category", "区分", categories),
        "became_foreign_resident_on": became,
        "residence_status": r.text(f"{prefix}.residence_status", "在留資格"),
        "period_of_stay": r.text(f"{prefix}.period_of_stay", "在留期間等"),
        "stay_expires_on": r.date(
            f"{prefix}.stay_expires_on", "在留期間の満了の日", required=False, seireki=True
        ),
        "residence_card_number": r.parsed(
            f"{prefix}.residence_card_number", "在留カード等の番号", ResidenceCardNumber.parse
        ),
        "special_permanent_certificate_number": r.text(
            f"{prefix}.special_permanent_certificate_number", "特別永住者証明書の番号"
        ),
    }
    if became is None:
        missing_date(
            r, f"{prefix}.became_foreign_resident_on", "外国人住民となった日", "異動日も空欄です"
        )
    return drop_empty(details)


_SURNAME = ("family", "family_kana")


def new_person(
    r: FormReader, prefix: str, *, effective_on: str | None, at_birth: bool = False
) -> dict[str, Any]:
    """A person entering the register (NewPerson): Japanese with 本籍・筆頭者, or foreign with the
    items of art. 30-45 (外国人住民となった日 by default the 異動日, or for a birth the day of
    birth)."""
    kind = r.choice(f"{prefix}.kind", "住民の種別", ("japanese", "foreign")) or "japanese"
    foreign = kind == "foreign"
    person: dict[str, Any] = {
        "kind": kind,
        "name": r.person_name(f"{prefix}.name", roman=foreign, kana_required=not foreign),
        "birth_date": r.record_date(f"{prefix}.birth_date", "生年月日", seireki=foreign),
        "sex": r.choice(f"{prefix}.sex", "性別", ("male", "female")),
        "relationship": r.relationship(f"{prefix}.relationship"),
        "individual_number": r.parsed(
            f"{prefix}.individual_number", "個人番号", IndividualNumber.parse
        ),
        "resident_code": r.parsed(f"{prefix}.resident_code", "住民票コード", ResidentCode.parse),
    }
    if foreign:
        became = calendar_day(person["birth_date"]) if at_birth else effective_on
        person["foreign"] = foreign_details(r, f"{prefix}.foreign", became_default=became)
    else:
        person["family_register"] = r.family_register(f"{prefix}.family_register")
        if any(r.values.get(f"{prefix}.former_surname.{part}").strip() for part in _SURNAME):
            person["former_surname"] = r.person_name(
                f"{prefix}.former_surname", kana_required=False
            )
    return drop_empty(person)


# --- member blocks -------------------------------------------------------------------------------


def member_count(values: Values) -> int:
    try:
        count = int(values.get("member_count", "1"))
    except ValueError:
        count = 1
    return max(1, min(count, MAX_MEMBERS))


_SEX_OF = {
    "妻": "female", "母": "female", "姉": "female", "妹": "female", "子の妻": "female",
    "妻の母": "female", "夫の母": "female", "妻（未届）": "female",
    "夫": "male", "父": "male", "兄": "male", "弟": "male", "子の夫": "male",
    "妻の父": "male", "夫の父": "male", "夫（未届）": "male",
}  # fmt: skip


def suggested_relationship(values: Values, index: int) -> str:
    """The 続柄 most families have for the member added as ``index``: the head's spouse second
    (when the first member is the head), a child after that. Only a suggestion: shown in the
    field, read on the confirmation page."""
    if values.get("members[0].relationship") != "世帯主":
        return ""
    if index == 1:
        return {"male": "妻", "female": "夫"}.get(values.get("members[0].sex"), "")
    return "子"


def with_member_added(values: Values) -> tuple[Values, str]:
    """One more member block, with what a family usually shares copied from the first member
    (種別, 氏 and its フリガナ, 本籍, 筆頭者), a 続柄 suggested (and the sex it implies); and the
    field to put the cursor in."""
    count = member_count(values)
    if count >= MAX_MEMBERS:
        return values, ""
    new = f"members[{count}]"
    copied = {
        f"{new}.{part}": values.get(f"members[0].{part}")
        for part in (
            "kind",
            "name.family",
            "name.family_kana",
            "family_register.domicile",
            "family_register.head",
        )
    }
    relationship = suggested_relationship(values, count)
    if relationship:
        copied[f"{new}.relationship"] = relationship
        if relationship in _SEX_OF:
            copied[f"{new}.sex"] = _SEX_OF[relationship]
    updates = {"member_count": str(count + 1), **copied}
    focus = f"{new}.name.given" if copied[f"{new}.name.family"] else f"{new}.name.family"
    return values.replaced(updates), focus


def with_member_removed(values: Values, index: int) -> Values:
    count = member_count(values)
    if count <= 1 or not 0 <= index < count:
        return values

    def rename(name: str) -> str | None:
        found = _MEMBER.fullmatch(name)
        if found is None:
            return name
        at = int(found[1])
        if at == index:
            return None
        return f"members[{at - 1}]{found[2]}" if at > index else name

    return values.renamed(rename).replaced({"member_count": str(count - 1)})


def relationships(r: FormReader, atenas: Iterable[str]) -> dict[str, str]:
    """The new 続柄 typed for each member (blank: kept as it is, where the rule allows)."""
    out = {}
    for atena in atenas:
        found = r.relationship(f"relationships.{atena}", required=False)
        if found:
            out[atena] = found
    return out


def target(r: FormReader, name: str = "atena_number") -> str | None:
    """The person the form was opened for (a hidden field: their 宛名番号)."""
    return r.parsed(name, "対象の方", AtenaNumber.parse, required=True)


def chosen(r: FormReader, name: str = "atena_numbers") -> list[str]:
    """The members ticked (宛名番号, in the order posted, each once)."""
    return list(dict.fromkeys(v for v in r.values.all(name) if v.isdigit() and len(v) == 10))


def today_text(ctx: Context) -> str:
    return format_wareki(ctx.today)
