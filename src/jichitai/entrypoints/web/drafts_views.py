"""What the review screens show of a draft (仮登録): the command in plain Japanese, the persons it
concerns, a row of the queue, and the 住民異動届 laid out for printing.

A draft is the command the clerk entered, stored as it was typed; before approval nothing of it
is in the register. The persons are therefore taken from the check of the draft (the records
approving it would write: names of residents the command names only by 宛名番号 included) when
the check passes, and from the command alone otherwise. The My Number is masked unless the
actor's duty lets them see it, wherever it appears.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any

from jichitai.domain.access.disclosure import masked
from jichitai.domain.common.address import Address
from jichitai.domain.common.dates import RecordDate, format_seireki, format_wareki
from jichitai.domain.common.identifiers import AtenaNumber, IndividualNumber
from jichitai.domain.common.names import PersonName
from jichitai.domain.residents.change_types import change_type_of
from jichitai.domain.residents.commands import (
    ChangeCommand,
    ChangeHeader,
    IdentityCheck,
    NewPerson,
    Notifier,
    NotifierKind,
    RecordChanges,
)
from jichitai.domain.residents.labels import label_of
from jichitai.domain.residents.model import (
    Alias,
    Coverage,
    FamilyRegister,
    ForeignResidentDetails,
    ResidentKind,
    ResidentRecord,
)
from jichitai.domain.residents.relationships import Relationship
from jichitai.domain.residents.view import ChangePlan, Notice
from jichitai.entrypoints.presenters import record_view
from jichitai.entrypoints.web.changes_catalogue import counter_change_for
from jichitai.entrypoints.web.views import row
from jichitai.services.application_forms import ApplicationForm, FormPerson
from jichitai.services.audit import JST
from jichitai.services.ports import receipt_number
from jichitai.services.register_access import DraftView, Shown

NOTICE_LABELS: dict[str, str] = {
    Notice.HEAD_CHANGE_REQUEST.value: "世帯主変更依頼通知書",
    Notice.EX_OFFICIO_ENTRY_NOTICE.value: "職権記載等通知書",
    Notice.MOVE_OUT_CERTIFICATE.value: "転出証明書",
}

STATUS_LABELS: dict[str, str] = {
    "pending": "審査待ち",
    "approved": "本登録済み",
    "discarded": "破棄済み",
    "returned": "差戻し",
}

HEADER_LABELS: dict[str, str] = {
    name: label_of(ChangeHeader, name)
    for name in (
        "effective_on",
        "filed_on",
        "operator",
        "place",
        "terminal",
        "ex_officio",
        "notes",
        "acknowledged_alerts",
    )
}


COVERAGE_LABELS: dict[str, str] = {
    "national_health_insurance": "国民健康保険",
    "late_stage_elderly_care": "後期高齢者医療",
    "long_term_care": "介護保険",
    "national_pension": "国民年金",
    "child_allowance": "児童手当",
}

# Dates shown in 西暦 for foreign residents (standard §1.1.9 (90)).
_SEIREKI_WHEN_FOREIGN = frozenset({"birth_date", "stay_expires_on"})


@dataclass(frozen=True, slots=True)
class Item:
    """One line of the command in words; a nested block (a person, foreign details) has
    ``children``."""

    label: str
    value: str = ""
    is_name: bool = False
    children: tuple[Item, ...] = ()


def process_label(command: ChangeCommand) -> str:
    """The change type's one label (``change_types.py``), as the counter and the API name it."""
    return change_type_of(command).label


def local_time(at: datetime) -> str:
    """「令和8年11月26日 10:23」 in Japan time."""
    local = at.astimezone(JST)
    return f"{format_wareki(local.date())} {local:%H:%M}"


# --- the command in words ---------------------------------------------------------------------


def _is_empty(value: object) -> bool:
    return value is None or value is False or value == "" or value == () or value == frozenset()


def _number(value: IndividualNumber) -> str:
    """As the register-access façade handed it out: masked unless the reviewer's duty includes it."""
    return value.value


def _text(name: str, value: object, foreign: bool, names: Mapping[str, str] | None = None) -> str:
    """A scalar value as words: dates in 和暦 (西暦 where the standard says), labels for codes."""
    if value is True:
        return "あり"
    if isinstance(value, AtenaNumber):
        return _person(value.value, names)
    if isinstance(value, IndividualNumber):
        return _number(value)
    if isinstance(value, PersonName):
        parts = [value.full]
        if value.full_kana:
            parts.append(f"（{value.full_kana}）")
        if value.roman:
            parts.append(f" {value.roman}")
        return "".join(parts)
    if isinstance(value, RecordDate):
        return value.display("seireki" if foreign and name in _SEIREKI_WHEN_FOREIGN else "wareki")
    if isinstance(value, date):
        if foreign and name in _SEIREKI_WHEN_FOREIGN:
            return format_seireki(value)
        return format_wareki(value)
    if isinstance(value, Address):
        return value.display() or "不明"
    if isinstance(value, FamilyRegister):
        return f"{value.domicile}（筆頭者 {value.head}）"
    if isinstance(value, Relationship):
        return value.text
    if isinstance(value, Coverage):
        period = "〜".join(format_wareki(d) for d in (value.start_on, value.end_on) if d)
        label = COVERAGE_LABELS.get(value.kind.value, value.kind.value)
        return f"{label}（{period}）" if period else label
    if isinstance(value, Alias):
        return f"{value.name.full}（{format_wareki(value.entered_on)}記載）"
    if isinstance(value, Enum):
        shown = getattr(value, "label", None)
        return shown if isinstance(shown, str) else str(value.value)
    if isinstance(value, Mapping):
        return "、".join(
            f"{_person(k, names) if isinstance(k, str) and names else _text(name, k, foreign)}: "
            f"{_text(name, v, foreign, names)}"
            for k, v in value.items()
        )
    if isinstance(value, frozenset):
        return "、".join(sorted(_text(name, v, foreign) for v in value))
    if isinstance(value, tuple):
        return "、".join(_text(name, v, foreign, names) for v in value)
    held = getattr(value, "value", None)
    return held if isinstance(held, str) else str(value)


def _is_block(value: object) -> bool:
    """A nested dataclass shown as a block of its own items (not a value type with a text)."""
    return isinstance(value, (ForeignResidentDetails, RecordChanges))


def _person(number: str, names: Mapping[str, str] | None) -> str:
    """A resident the command names by 宛名番号: 「氏名（宛名番号）」 where the name is known."""
    name = (names or {}).get(number)
    return f"{name}（{number}）" if name else f"宛名番号 {number}"


def items_of(
    value: Any,
    *,
    skip: frozenset[str] = frozenset(),
    names: Mapping[str, str] | None = None,
) -> list[Item]:
    """The items of a command (or of a part of it) that are set, in the command's order; a
    command's items are named as its change type's draft wording says, the others commonly."""
    foreign = getattr(value, "kind", None) is ResidentKind.FOREIGN or isinstance(
        value, ForeignResidentDetails
    )
    counter = counter_change_for(type(value))
    own = counter.draft.labels if counter is not None else {}
    items: list[Item] = []
    for field in dataclasses.fields(value):
        name = field.name
        if name in skip or name in ("header", "expected_versions", "expected_histories"):
            continue
        held = getattr(value, name)
        if _is_empty(held) or held == {}:
            continue
        label = own.get(name) or label_of(type(value), name)
        if isinstance(held, NewPerson):
            items.append(_person_item(label, held))
        elif isinstance(held, tuple) and held and all(isinstance(m, NewPerson) for m in held):
            items.extend(_person_item(f"{label}（{n}人目）", m) for n, m in enumerate(held, 1))
        elif _is_block(held):
            items.append(Item(label, children=tuple(items_of(held, names=names))))
        else:
            items.append(
                Item(
                    label,
                    _text(name, held, foreign, names),
                    is_name=isinstance(held, PersonName) or name == "aliases",
                )
            )
    return items


def _person_item(label: str, person: NewPerson) -> Item:
    return Item(label, person.name.full, is_name=True, children=tuple(items_of(person)))


def header_items(command: ChangeCommand) -> list[Item]:
    """The header in words: its items, then 届出人 and 本人確認 as blocks of their own items
    (each labelled from ``labels.py``, the kind and the document by their enums' labels)."""
    header = command.header
    items: list[Item] = []
    for name, label in HEADER_LABELS.items():
        value = getattr(header, name)
        if not _is_empty(value):
            items.append(Item(label, _text(name, value, False)))
    if header.notifier is not None:
        items.append(
            Item(
                label_of(ChangeHeader, "notifier"),
                children=tuple(items_of(header.notifier)),
            )
        )
    if header.identity_check is not None:
        items.append(
            Item(
                label_of(ChangeHeader, "identity_check"),
                children=tuple(items_of(header.identity_check)),
            )
        )
    return items


def filed_items(command: ChangeCommand) -> list[Item]:
    """届出人 and 本人確認 alone, as the header shows them (what the approval page repeats)."""
    own = {label_of(ChangeHeader, "notifier"), label_of(ChangeHeader, "identity_check")}
    return [item for item in header_items(command) if item.label in own]


def notifier_text(notifier: Notifier) -> str:
    """「代理人 鈴木　一郎（委任）」: the kind's label, the name and the relation as written."""
    who = " ".join(p for p in (notifier.kind.label, notifier.name) if p)
    return who + (f"（{notifier.relation}）" if notifier.relation else "")


def identity_check_text(check: IdentityCheck) -> str:
    """「運転免許証」, with the note beside it where one was written."""
    return " ".join(p for p in (check.document.label, check.detail) if p)


# --- the persons ----------------------------------------------------------------------------


def _named(value: object) -> Iterator[str]:
    """Every 宛名番号 the command names (the residents it is about), in order."""
    if isinstance(value, AtenaNumber):
        yield value.value
    elif isinstance(value, tuple):
        for part in value:
            yield from _named(part)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            yield from _named(getattr(value, field.name))


def named_residents(command: ChangeCommand) -> list[str]:
    return list(dict.fromkeys(_named(command)))


def _latest(records: tuple[ResidentRecord, ...]) -> list[ResidentRecord]:
    """Each person once, with the last snapshot the change makes of them."""
    by_person: dict[str, ResidentRecord] = {}
    for record in records:
        by_person[record.atena_number.value] = record
    return list(by_person.values())


def persons(
    command: ChangeCommand,
    plan: ChangePlan | None,
    lookup: Callable[[str], Shown | None],
) -> list[dict[str, Any]]:
    """The persons of the draft: those it moves or enters first (role 異動者), then the others
    whose record it changes too (関係者, e.g. a new 世帯主 of those who stay).

    A person who becomes a resident by the change has no 宛名番号 yet (``atena_number`` None):
    the number the check draws is only drawn again at approval. Without a plan, the residents
    the command names are read with ``lookup`` (a logged read through the register-access façade; None
    when it is refused).
    """
    named = named_residents(command)
    if plan is None:
        new = _new_persons(command)
        returning = {m.returning_as.value for m in new if m.returning_as is not None}
        rows = [_new_person_row(m, command) for m in new]
        return rows + [_resident_row(n, lookup(n)) for n in named if n not in returning]
    movers: list[dict[str, Any]] = []
    others: list[dict[str, Any]] = []
    for record in _latest(plan.records):
        is_new = record.history_number == 1
        # The plan came disclosed from the register-access façade: its numbers are masked where due.
        view = record_view(record, show_individual_number=True)
        row = {
            "name": view["name"],
            "name_kana": view["name_kana"],
            "birth_date": view["birth_date"],
            "sex": view["sex"],
            "relationship": view["relationship"],
            "address": view["address"],
            "status_label": view["status_label"],
            "individual_number": view["individual_number"],
            "atena_number": None if is_new else record.atena_number.value,
            # A new record's 本籍・筆頭者 are the command's; a resident's are not the change's.
            "family_register": record.family_register if is_new else None,
        }
        (movers if is_new or record.atena_number.value in named else others).append(row)
    if not movers:
        movers, others = others, []
    return [r | {"role": "異動者"} for r in movers] + [r | {"role": "関係者"} for r in others]


def _new_persons(command: ChangeCommand) -> list[NewPerson]:
    members = getattr(command, "members", ())
    child = getattr(command, "child", None)
    return [*members, *([child] if child is not None else [])]


def _new_person_row(person: NewPerson, command: ChangeCommand) -> dict[str, Any]:
    address = getattr(command, "address", None)
    foreign = person.kind is ResidentKind.FOREIGN
    return {
        "name": person.name.full,
        "name_kana": person.name.full_kana,
        "birth_date": person.birth_date.display("seireki" if foreign else "wareki"),
        "sex": person.sex.label,
        "relationship": person.relationship.text,
        "address": address.display() if isinstance(address, Address) else "",
        "status_label": "",
        "individual_number": (
            _number(person.individual_number) if person.individual_number else None
        ),
        "atena_number": person.returning_as.value if person.returning_as else None,
        "family_register": person.family_register,
        "role": "異動者",
    }


def _resident_row(number: str, shown: Shown | None) -> dict[str, Any]:
    """A resident the command names by 宛名番号, as read now (or the number alone)."""
    if shown is not None:
        view = row(shown)
        return {
            key: view[key]
            for key in (
                "name",
                "name_kana",
                "birth_date",
                "sex",
                "relationship",
                "address",
                "status_label",
                "individual_number",
            )
        } | {"atena_number": number, "role": "異動者"}
    return {
        "name": f"宛名番号 {number} の方",
        "name_kana": "",
        "birth_date": "",
        "sex": "",
        "relationship": "",
        "address": "",
        "status_label": "",
        "individual_number": None,
        "atena_number": number,
        "role": "異動者",
    }


# --- the queue ------------------------------------------------------------------------------


def queue_row(view: DraftView, login: str, names: Mapping[str, str]) -> dict[str, Any]:
    """One draft in the queue: what, who entered it and when, and whom it is about (names the
    clerk typed; residents already registered by 氏名（宛名番号）, their names as
    ``RegisterAccess.names`` read them, or by 宛名番号 alone where the record may not be
    shown)."""
    command = view.command
    draft = view.draft
    return {
        "draft_id": draft.draft_id,
        "number": receipt_number(draft.number),
        "process": process_label(command),
        "operator": draft.operator,
        "own": draft.operator == login,
        "created": local_time(draft.created_at),
        "effective_on": format_wareki(command.header.effective_on),
        "new_names": [p.name.full for p in _new_persons(command)],
        "residents": [_person(n, names) for n in named_residents(command)],
        **_filed_by(command.header),
    }


def _filed_by(header: ChangeHeader) -> dict[str, Any]:
    """届出人 and 本人確認 of a queue row, in words: ``filed_by`` the labelled pairs the change
    records, ``notifier`` the 届出人 alone where someone other than the person filed it."""
    filed_by: list[tuple[str, str]] = []
    notifier = header.notifier
    if notifier is not None:
        filed_by.append((label_of(ChangeHeader, "notifier"), notifier_text(notifier)))
    if header.identity_check is not None:
        filed_by.append(
            (label_of(ChangeHeader, "identity_check"), identity_check_text(header.identity_check))
        )
    by_other = notifier is not None and notifier.kind is not NotifierKind.SELF
    return {"filed_by": filed_by, "notifier": filed_by[0] if by_other else None}


# --- the printed form -----------------------------------------------------------------------

_FORM_SKIP = frozenset({"members", "child", "atena_numbers", "atena_number", "family_register"})
"""Items the form prints with the persons (本籍・筆頭者 of 帰化 in the person's row)."""


def _registers(command: ChangeCommand) -> dict[str, FamilyRegister]:
    """宛名番号 → the 本籍・筆頭者 the command gives a resident it names (帰化, 修正)."""
    number = getattr(command, "atena_number", None)
    changes = getattr(command, "changes", None)
    register = getattr(command, "family_register", None) or getattr(
        changes, "family_register", None
    )
    if isinstance(number, AtenaNumber) and isinstance(register, FamilyRegister):
        return {number.value: register}
    return {}


def _relation(notifier: Notifier | None) -> str:
    """「届出人と異動者との関係」: the kind's label, an agent's relation beside it (「代理人（委任）」)."""
    if notifier is None:
        return ""
    return notifier.kind.label + (f"（{notifier.relation}）" if notifier.relation else "")


def _form_person(row: Mapping[str, Any], registers: Mapping[str, FamilyRegister]) -> FormPerson:
    register = row.get("family_register") or registers.get(row["atena_number"] or "")
    return FormPerson(
        name=row["name"],
        name_kana=row["name_kana"],
        birth_date=row["birth_date"],
        sex=row["sex"],
        relationship=row["relationship"],
        role=row["role"],
        atena_number=row["atena_number"],
        domicile=register.domicile if register is not None else "",
        family_head=register.head if register is not None else "",
    )


def _notifier_items(notifier: Notifier | None) -> tuple[tuple[str, str], ...]:
    """The 届出人's name, address and telephone as written, labelled from ``labels.py``."""
    if notifier is None:
        return ()
    return tuple(
        (label_of(Notifier, name), value)
        for name in ("name", "address", "telephone")
        if (value := getattr(notifier, name))
    )


def _flat(items: list[Item]) -> Iterator[tuple[str, str]]:
    for item in items:
        if item.children:
            for child in item.children:
                yield f"{item.label}・{child.label}", child.value
        else:
            yield item.label, item.value


def application_form(
    view: DraftView,
    plan: ChangePlan | None,
    lookup: Callable[[str], Shown | None],
    municipality_name: str,
    today: date,
) -> ApplicationForm:
    """The 住民異動届 of the draft: the facts in words and the persons. The form goes to the
    resident and is kept on paper, so it never carries a 個人番号 in full, whoever prints it."""
    command = masked(view.command)
    plan = masked(plan)
    header = command.header
    facts = list(_flat(items_of(command, skip=_FORM_SKIP)))
    if plan is not None:
        facts.insert(0, ("異動の事由", plan.reason.label))
    registers = _registers(command)
    return ApplicationForm(
        reference=receipt_number(view.draft.number),
        draft_id=view.draft.draft_id,
        municipality_name=municipality_name,
        process=process_label(command),
        effective_on=format_wareki(header.effective_on),
        filed_on=format_wareki(header.filed_on) if header.filed_on else "",
        printed_on=format_wareki(today),
        items=tuple(facts),
        persons=tuple(_form_person(p, registers) for p in persons(command, plan, lookup)),
        notifier=_notifier_items(header.notifier),
        notifier_relation=_relation(header.notifier),
    )
