"""Every change the counter enters, and what all their forms do alike: build the command the
API would build from the same input, and put each refusal next to the field it is about."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import replace

from jichitai.domain.errors import DomainError, NotFound, Violation
from jichitai.domain.residents.commands import ChangeCommand
from jichitai.entrypoints.web.changes_common import Process
from jichitai.entrypoints.web.changes_correction import CORRECTION
from jichitai.entrypoints.web.changes_entries import ENTRIES
from jichitai.entrypoints.web.changes_existing import EXISTING
from jichitai.entrypoints.web.changes_layout import Layout, in_seireki, is_record_date
from jichitai.entrypoints.web.changes_reader import REQUIRED, FormReader, Values
from jichitai.entrypoints.web.templating import Problems, problems_of
from jichitai.services.inbound import decode_change

_ORDER = (
    "move-in",
    "move-out",
    "in-town-move",
    "birth",
    "death",
    "correct",
    "household-split",
    "household-merge",
    "household-change",
    "head-change",
    "move-in-notice",
    "ex-officio-entry",
    "ex-officio-removal",
    "naturalise",
    "lose-nationality",
    "reissue",
    "cancel",
)
_ALL = {p.key: p for p in (*ENTRIES, *EXISTING, CORRECTION)}
PROCESSES: dict[str, Process] = {key: _ALL[key] for key in _ORDER}
SECTIONS = ("記載", "消除", "住所・世帯", "修正", "外国人住民")
KIND_LABELS = {
    "MoveIn": "転入",
    "Birth": "出生",
    "ExOfficioEntry": "職権記載",
    "Naturalise": "帰化",
    "LoseNationality": "国籍喪失",
    "InTownMove": "転居",
    "MoveOut": "転出",
    "RecordMoveInNotice": "転入通知の受理",
    "Death": "死亡",
    "ExOfficioRemoval": "職権消除",
    "HouseholdSplit": "世帯分離",
    "HouseholdMerge": "世帯合併",
    "HouseholdChange": "世帯変更",
    "HeadChange": "世帯主変更",
    "Correct": "修正",
    "Reissue": "改製・再製",
    "Cancel": "異動の取消し",
}
"""The label of each command, as the done page names a draft."""
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
    data = process.build(reader)
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


def placed(process: Process, violations: Sequence[Violation], layout: Layout) -> Problems:
    moved = [replace(v, field=locate(process, v.field, layout.names)) for v in violations]
    return problems_of(moved, layout.names)


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
