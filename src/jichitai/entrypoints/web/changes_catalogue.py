"""The counter's part of every change type, and what all their forms do alike: build the
command the API would build from the same input, and put each refusal next to the field it is
about.

A change type is the domain's (``domain/residents/change_types.py``: command, rules, label); the
counter registers against it, once, the form it is entered with and how its draft reads to a
reviewer (``COUNTER_CHANGES``). The menu, the forms' addresses and the review screens' wording
are derived from that registration, and a test checks that it covers every change type.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Final

from jichitai.domain.errors import DomainError, NotFound, Violation
from jichitai.domain.residents.change_types import ChangeType
from jichitai.domain.residents.commands import ChangeCommand
from jichitai.entrypoints.web.changes_common import Process
from jichitai.entrypoints.web.changes_correction import CORRECTION_FORM
from jichitai.entrypoints.web.changes_entries import (
    BIRTH_FORM,
    EX_OFFICIO_ENTRY_FORM,
    LOSS_OF_NATIONALITY_FORM,
    MOVE_IN_FORM,
    NATURALISATION_FORM,
)
from jichitai.entrypoints.web.changes_existing import (
    CANCELLATION_FORM,
    DEATH_FORM,
    EX_OFFICIO_REMOVAL_FORM,
    HEAD_CHANGE_FORM,
    HOUSEHOLD_CHANGE_FORM,
    HOUSEHOLD_MERGE_FORM,
    HOUSEHOLD_SPLIT_FORM,
    IN_TOWN_MOVE_FORM,
    MOVE_IN_NOTICE_FORM,
    MOVE_OUT_FORM,
    REISSUE_FORM,
)
from jichitai.entrypoints.web.changes_layout import Layout, in_seireki, is_record_date
from jichitai.entrypoints.web.changes_reader import REQUIRED, FormReader, Values
from jichitai.entrypoints.web.templating import Problems, problems_of
from jichitai.services.inbound import decode_change


@dataclass(frozen=True, slots=True)
class DraftWording:
    """How a draft of one change type reads on the review screens and the printed 住民異動届
    (``drafts_views.py``): the items that mean something more particular in this change than
    the common wording says (a 転入's 住所 is the new address)."""

    labels: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CounterChange:
    """The counter's part of one change type: its form and how its draft reads."""

    form: Process
    draft: DraftWording = DraftWording()

    @property
    def change_type(self) -> ChangeType[Any]:
        return self.form.change_type


_JOINS = "加わる世帯（世帯番号）"

COUNTER_CHANGES: Final[tuple[CounterChange, ...]] = (
    CounterChange(
        MOVE_IN_FORM, DraftWording({"address": "新しい住所", "household_number": _JOINS})
    ),
    CounterChange(MOVE_OUT_FORM),
    CounterChange(
        IN_TOWN_MOVE_FORM,
        DraftWording({"address": "新しい住所", "household_number": "異動先の世帯（世帯番号）"}),
    ),
    CounterChange(BIRTH_FORM, DraftWording({"household_number": _JOINS})),
    CounterChange(DEATH_FORM),
    CounterChange(CORRECTION_FORM),
    CounterChange(HOUSEHOLD_SPLIT_FORM),
    CounterChange(HOUSEHOLD_MERGE_FORM),
    CounterChange(HOUSEHOLD_CHANGE_FORM),
    CounterChange(HEAD_CHANGE_FORM),
    CounterChange(MOVE_IN_NOTICE_FORM),
    CounterChange(EX_OFFICIO_ENTRY_FORM, DraftWording({"household_number": _JOINS})),
    CounterChange(EX_OFFICIO_REMOVAL_FORM),
    CounterChange(
        NATURALISATION_FORM,
        DraftWording({"name": "帰化後の氏名", "family_register": "帰化後の本籍・筆頭者"}),
    ),
    CounterChange(LOSS_OF_NATIONALITY_FORM, DraftWording({"name": "国籍喪失後の氏名"})),
    CounterChange(REISSUE_FORM),
    CounterChange(CANCELLATION_FORM),
)
"""In the order the counter's menu lists them within each of its ``SECTIONS``."""

PROCESSES: Final[dict[str, Process]] = {c.form.key: c.form for c in COUNTER_CHANGES}
SECTIONS = ("記載", "消除", "住所・世帯", "修正", "外国人住民")
_BY_COMMAND: Final[dict[type, CounterChange]] = {c.form.command: c for c in COUNTER_CHANGES}


def counter_change_for(command_type: type) -> CounterChange | None:
    """The counter's registration of a command class (None for anything else)."""
    return _BY_COMMAND.get(command_type)


_ELSEWHERE = {"atena_number": "atena_numbers"}
"""A refusal about one person (a suppression) on a form that lists several: at the list."""
_PARENT = re.compile(r"(.*)(\.[^.\[\]]+|\[\d+\])$")


def process_of(key: str) -> Process:
    found = PROCESSES.get(key)
    if found is None:
        raise NotFound(Violation("counter.process_unknown", "この手続きはありません", "process"))
    return found


def build(process: Process, reader: FormReader) -> ChangeCommand:
    """The command of a posted form: each value checked by its type, then the same decoding and
    checks as the API's (``services/inbound.py::decode_change``, the one inbound decoder). Refusals
    name the form's fields."""
    data = {"type": process.change_type.name, **process.build(reader)}
    reader.refuse_if_any()
    return decode_change(data)


def locate(process: Process, path: str | None, known: Iterable[str]) -> str | None:
    """The form field (or messages box) a refusal's path is shown at: the API's ``command.``
    and the header's ``header.`` dropped, the process's aliases applied, then the nearest
    enclosing part the form has (``members[0].foreign.x`` → ``members[0].foreign``)."""
    if not path:
        return None
    names = set(known)
    for prefix in ("command.", "header."):
        path = path.removeprefix(prefix)
    path = process.place(path)
    if path not in names and path in _ELSEWHERE:
        path = _ELSEWHERE[path]
    while path:
        if path in names:
            return path
        parent = _PARENT.fullmatch(path)
        if parent is None:
            return None
        path = parent[1]
    return None


def placed(
    process: Process,
    violations: Sequence[Violation],
    layout: Layout,
    names: Mapping[str, str] | None = None,
) -> Problems:
    """The refusals at the fields they name; a person of the form (``names``: 氏名 by 宛名番号)
    a message names by 宛名番号 alone is named 氏名（宛名番号）, as the clerk knows them."""
    moved = [
        replace(
            v,
            field=locate(process, v.field, layout.names),
            message=named(v.message, names or {}),
        )
        for v in violations
    ]
    return problems_of(moved, layout.names)


def named(message: str, names: Mapping[str, str]) -> str:
    """``message`` with each 「宛名番号 N（の方）」 of a person in ``names`` as 「氏名（宛名番号 N）」
    (in parentheses already: 「（氏名・宛名番号 N）」); a message naming them already is kept."""
    for atena, name in names.items():
        if atena not in message or f"{name}（宛名番号 {atena}）" in message:
            continue
        message = message.replace(f"（宛名番号 {atena}）", f"（{name}・宛名番号 {atena}）")
        as_named = f"{name}（宛名番号 {atena}）".replace("\\", "\\\\")
        message = re.sub(rf"(?<![（・])宛名番号 ?{atena}(?!\d)(?: ?の方)?", as_named, message)
    return message


def live_answer(
    process: Process, violations: Sequence[Violation], layout: Layout
) -> dict[str, object]:
    """The live check's answer as counter.js reads it; blanks not yet filled in are not
    reported while the clerk is still typing, and alerts are shown as such."""
    fields: dict[str, list[str]] = {}
    general: list[str] = []
    for v in violations:
        if v.code == REQUIRED:
            continue
        where = locate(process, v.field, layout.names)
        text = (
            v.message if v.is_error else f"【要確認】{v.message}（確認画面へ進むと確認欄が出ます）"
        )
        if where:
            fields.setdefault(where, []).append(text)
        else:
            general.append(text)
    return {"fields": fields, "general": general}


def dates_understood(layout: Layout, values: Values) -> dict[str, str]:
    """How each filled date field is understood (和暦, or 西暦 for a foreign resident's birth
    date and the stay's expiry), shown next to it."""
    reader = FormReader(values)
    for name in layout.date_fields():
        if not values.get(name).strip():
            continue
        if is_record_date(name):
            reader.record_date(name, "", seireki=in_seireki(name, values))
        else:
            reader.date(name, "", seireki=in_seireki(name, values))
    return reader.echo


def refused(error: DomainError) -> tuple[Violation, ...]:
    """A refusal's violations as the counter words them (the API's header name is not ours)."""
    out = []
    for v in error.violations:
        if v.code == "idempotency.key_reused":
            v = replace(
                v,
                message="この入力画面からは既に別の内容で仮登録しています。"
                "新しい届出として送るには「新しい届出として入力し直す」を押してください",
                field=None,
            )
        out.append(v)
    return tuple(out)
