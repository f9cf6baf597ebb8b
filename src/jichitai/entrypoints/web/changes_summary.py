"""The confirmation page's content: the change in plain Japanese, read off the plan the rules
made (who, what changes from what to what, and the dates), so the resident reads what will be
recorded, not what the form happened to hold."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from jichitai.domain.common.dates import format_wareki
from jichitai.domain.residents.commands import Cancel, ChangeCommand, ChangeHeader
from jichitai.domain.residents.model import ResidentRecord
from jichitai.domain.residents.view import ChangePlan, Notice
from jichitai.entrypoints.presenters import record_view
from jichitai.entrypoints.web.views import FIELD_LABELS, SUB_LABELS
from jichitai.services.register_access import RecordedChange

NOTICES = {
    Notice.HEAD_CHANGE_REQUEST: "世帯主変更の届出をお願いする通知（世帯主変更依頼通知書）をお送りします",
    Notice.EX_OFFICIO_ENTRY_NOTICE: "職権で記載したことをお知らせする通知をお送りします",
    Notice.MOVE_OUT_CERTIFICATE: "転出証明書をお渡しします",
}
_SHOWN = (
    "name",
    "name_kana",
    "kind_label",
    "birth_date",
    "sex",
    "relationship",
    "address",
    "address_set_on",
    "previous_address",
    "registered_domicile",
    "family_register_head",
    "former_surname",
    "foreign",
    "individual_number",
    "resident_code",
    "household_number",
    "status_label",
    "move_out",
    "removal_reason",
    "removed_on",
    "removal_event_date",
    "remarks",
)
_NEW_OMITTED = frozenset({"household_number", "status_label", "resident_code", "address_set_on"})


@dataclass(frozen=True, slots=True)
class PersonChange:
    name: str
    kana: str
    what: str
    rows: tuple[tuple[str, str, str], ...]
    """(item, before, after); before is "" for a person entering the register."""


@dataclass(frozen=True, slots=True)
class Summary:
    title: str
    facts: tuple[tuple[str, str], ...]
    common: tuple[tuple[str, str, str], ...]
    """Rows every person shares (the new address of a family), shown once."""
    persons: tuple[PersonChange, ...]
    notices: tuple[str, ...]
    alerts: tuple[str, ...]

    @property
    def has_before(self) -> bool:
        """Whether any row holds something before the change: a page entering persons only
        (転入, 出生 …) has no 変更前 column, as every one of its rows would read 「—」."""
        rows = (*self.common, *(r for p in self.persons for r in p.rows))
        return any(before not in ("", "—") for _, before, _ in rows)


def _flat(view: Mapping[str, Any]) -> dict[str, str]:
    out: dict[str, str] = {}
    for key in _SHOWN:
        value = view.get(key)
        if isinstance(value, dict):
            for sub, item in value.items():
                if item not in (None, ""):
                    out[SUB_LABELS.get(sub) or FIELD_LABELS.get(key, key)] = str(item)
        elif value not in (None, "", False):
            out[FIELD_LABELS.get(key, key)] = str(value)
    return out


def _view(record: ResidentRecord, masked: str | None) -> dict[str, str]:
    view = record_view(record)
    view["individual_number"] = masked
    return _flat(view)


def _date(day: date | None) -> str:
    return format_wareki(day) if day else "—"


def summarise(
    label: str,
    command: ChangeCommand,
    plan: ChangePlan,
    before: Mapping[str, ResidentRecord],
    masked_numbers: Mapping[str, str | None],
    known_households: Sequence[str],
    changes: Sequence[RecordedChange] = (),
) -> Summary:
    """``before``: the current records of the persons the clerk opened (their 個人番号 as
    ``masked_numbers`` gives them); a person of the plan not among them enters the register.
    A household number not in ``known_households`` is shown as a new household. The persons
    counted as moving are those the change's own 異動事由 records; another person of the plan
    (the member left alone who becomes head ex officio, §4.0.4) is shown, not counted. A 取消し
    names the change it cancels, in the words of the person's ``changes`` it was chosen from."""
    header = command.header
    persons: list[PersonChange] = []
    last: dict[str, ResidentRecord] = {}
    moving: set[str] = set()
    for record in plan.records:  # a person may have two snapshots (帰化: removal, entry)
        last[record.atena_number.value] = record
        if record.reason is plan.reason:
            moving.add(record.atena_number.value)
    for atena, after in last.items():
        old = before.get(atena)
        number = after.individual_number.masked() if after.individual_number else None
        now = _view(after, number)
        household = FIELD_LABELS["household_number"]
        if household in now and now[household] not in known_households:
            now[household] = "新しい世帯"
        if old is None:
            rows = tuple(
                (key, "", value)
                for key, value in now.items()
                if key not in {FIELD_LABELS[k] for k in _NEW_OMITTED}
            )
            what = "新たに記載されます"
        else:
            then = _view(old, masked_numbers.get(atena))
            rows = tuple(
                (key, then.get(key, "—"), now.get(key, "—"))
                for key in dict.fromkeys([*then, *now])
                if then.get(key) != now.get(key)
            )
            what = "消除されます" if after.is_removed and not old.is_removed else "記載が変わります"
            if atena not in moving and after.is_head and not old.is_head:
                what = "世帯に残る方として世帯主になります"
        persons.append(PersonChange(after.name.full, after.name.full_kana, what, rows))
    common: tuple[tuple[str, str, str], ...] = ()
    if len(persons) > 1:
        shared = set(persons[0].rows).intersection(*(p.rows for p in persons[1:]))
        common = tuple(row for row in persons[0].rows if row in shared)
        persons = [
            PersonChange(p.name, p.kana, p.what, tuple(r for r in p.rows if r not in shared))
            for p in persons
        ]
    facts = (
        ("届出の種類", label),
        ("異動事由", plan.reason.label + ("（職権）" if plan.ex_officio else "")),
        ("異動日", _date(header.effective_on)),
        ("届出日", _date(header.filed_on)),
        *_cancelled(command, changes),
        ("異動する方", f"{len(moving) or len(persons)}人"),
        *_filed_by(header),
    )
    return Summary(
        title=label,
        facts=facts,
        common=common,
        persons=tuple(persons),
        notices=tuple(NOTICES[n] for n in plan.notices if n in NOTICES),
        alerts=tuple(a.message for a in plan.alerts),
    )


def change_text(change: RecordedChange) -> str:
    """One recorded change as the clerk chooses it: 「令和8年11月7日 転入（履歴番号 1）」."""
    when = format_wareki(change.effective_on)
    return f"{when} {change.reason_label}（履歴番号 {change.history_number}）"


def _cancelled(
    command: ChangeCommand, changes: Sequence[RecordedChange]
) -> tuple[tuple[str, str], ...]:
    """「取り消す異動」 of a 取消し: the chosen change in words, or its 異動ID where it was typed."""
    if not isinstance(command, Cancel):
        return ()
    chosen = next((c for c in changes if c.event_id == command.event_id), None)
    return (("取り消す異動", change_text(chosen) if chosen else f"異動ID {command.event_id}"),)


def _filed_by(header: ChangeHeader) -> tuple[tuple[str, str], ...]:
    """届出人 and 本人確認, where the change records them."""
    rows: list[tuple[str, str]] = []
    notifier = header.notifier
    if notifier is not None:
        who = " ".join(p for p in (notifier.kind.label, notifier.name) if p)
        rows.append(("届出人", who + (f"（{notifier.relation}）" if notifier.relation else "")))
        if notifier.address or notifier.telephone:
            rows.append(
                (
                    "届出人の住所・電話番号",
                    " ".join(p for p in (notifier.address, notifier.telephone) if p),
                )
            )
    check = header.identity_check
    if check is not None:
        rows.append(("本人確認", " ".join(p for p in (check.document.label, check.detail) if p)))
    return tuple(rows)
