"""What the counter's pages show of records: rows for tables, the history as a timeline of
changes, and the warnings a clerk must see first. Built on the presenters the CLI and API use,
so a date or a label reads the same everywhere."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from jichitai.domain.access.suppression import KIND_LABELS, SuppressionKind
from jichitai.domain.common.address import Address
from jichitai.domain.common.dates import DateKind, attained_age, format_wareki
from jichitai.domain.common.names import PersonName
from jichitai.domain.errors import invalid
from jichitai.domain.residents.labels import label_of
from jichitai.domain.residents.model import (
    FamilyRegister,
    ForeignResidentDetails,
    MoveOutDetails,
    ResidentRecord,
    ResidentStatus,
)
from jichitai.domain.residents.reasons import ChangeReason
from jichitai.entrypoints.presenters import record_view
from jichitai.services.register_access import Shown

# Fields of a snapshot that change with every event and say nothing the timeline's own
# columns (history number, reason, dates) do not.
_BOOKKEEPING = frozenset(
    {"history_number", "reason", "reason_label", "effective_on", "filed_on", "status"}
)
# The record's items as ``record_view`` names them, labelled from the domain's one table
# (``domain/residents/labels.py``): key → (owner, item).
_VIEW_ITEMS: dict[str, tuple[type, str]] = {
    "name": (ResidentRecord, "name"),
    "name_kana": (ResidentRecord, "name_kana"),
    "kana_confirmed": (PersonName, "kana_confirmed"),
    "birth_date": (ResidentRecord, "birth_date"),
    "sex": (ResidentRecord, "sex"),
    "relationship": (ResidentRecord, "relationship"),
    "household_number": (ResidentRecord, "household_number"),
    "address": (ResidentRecord, "address"),
    "postcode": (Address, "postcode"),
    "became_resident_on": (ResidentRecord, "became_resident_on"),
    "address_set_on": (ResidentRecord, "address_set_on"),
    "previous_address": (ResidentRecord, "previous_address"),
    "status_label": (ResidentRecord, "status"),
    "kind_label": (ResidentRecord, "kind"),
    "resident_code": (ResidentRecord, "resident_code"),
    "individual_number": (ResidentRecord, "individual_number"),
    "registered_domicile": (FamilyRegister, "domicile"),
    "family_register_head": (FamilyRegister, "head"),
    "former_surname": (ResidentRecord, "former_surname"),
    "foreign": (ResidentRecord, "foreign"),
    "move_out": (ResidentRecord, "move_out"),
    "removal_reason": (ResidentRecord, "removal_reason"),
    "removed_on": (ResidentRecord, "removed_on"),
    "removal_event_date": (ResidentRecord, "removal_event_date"),
    "retained_until": (ResidentRecord, "retained_until"),
    "remarks": (ResidentRecord, "remarks"),
}
# The items of the view's nested blocks (``foreign``, ``move_out``): key → (owner, item).
_SUB_ITEMS: dict[str, tuple[type, str]] = {
    "roman_name": (PersonName, "roman"),
    **{
        k: (ForeignResidentDetails, k)
        for k in (
            "nationality",
            "category",
            "residence_status",
            "period_of_stay",
            "stay_expires_on",
            "residence_card_number",
            "became_foreign_resident_on",
        )
    },
    "alias": (ResidentRecord, "alias"),
    **{
        k: (MoveOutDetails, k)
        for k in (
            "planned_on",
            "onward_address",
            "notice_on",
            "confirmed_address",
            "confirmed_on",
        )
    },
}
FIELD_LABELS: dict[str, str] = {key: label_of(*item) for key, item in _VIEW_ITEMS.items()}
"""The label of each item of ``record_view`` a page shows."""
SUB_LABELS: dict[str, str] = {key: label_of(*item) for key, item in _SUB_ITEMS.items()}
"""The label of each item of the view's nested blocks (外国人住民の事項, 転出の予定)."""

FLAG_MESSAGES: dict[str, str] = {
    SuppressionKind.DV_SUPPORT.value: "支援措置対象者です（DV・ストーカー等）。"
    "住所等を加害者に知られないよう、交付・閲覧・照会の相手方を必ず確認してください",
    SuppressionKind.PROVISIONAL_DV_SUPPORT.value: "仮支援措置の対象者です。"
    "支援措置と同様に取り扱ってください",
    SuppressionKind.SUPPRESSION.value: "抑止が設定されています。設定内容を確認してから処理してください",
}


def flag_labels(flags: Sequence[str]) -> list[str]:
    labels = []
    for flag in flags:
        try:
            labels.append(KIND_LABELS[SuppressionKind(flag)])
        except ValueError:
            labels.append(flag)
    return labels


def age_text(record: ResidentRecord, today: date) -> str:
    """満年齢 today (``52歳``) as the law counts it, or at death for one who died
    (``80歳（死亡時）``); ``—`` when the birth date is 不詳 (its stand-in day would give an age
    the register does not know). A day not on the calendar (昭和25年2月29日) counts from the
    nearest real day, as the register sorts it."""
    birth = record.birth_date
    if birth.kind is DateKind.UNKNOWN:
        return "—"
    if record.status is ResidentStatus.DEAD:
        died = record.removal_event_date
        on = died.approximation if died is not None and died.is_calendar else record.removed_on
        if on is not None:
            return f"{attained_age(birth.approximation, on)}歳（死亡時）"
    return f"{attained_age(birth.approximation, today)}歳"


_MOVING_OUT = frozenset({ChangeReason.DOMESTIC_MOVE_OUT.value, ChangeReason.MOVE_OUT_ABROAD.value})


def status_text(shown: Shown) -> str:
    """The state a clerk reads in a table: 住民, 除票 with why (``除票（転出）``), or for a
    resident whose 転出 is filed for a later day ``転出予定 令和8年12月1日``."""
    record = shown.record
    if record.is_removed:
        return f"除票（{record.status.label}）"
    pending = shown.pending
    if pending is not None:
        what = "転出" if pending.reason in _MOVING_OUT else pending.reason_label
        return f"{what}予定 {format_wareki(pending.effective_on)}"
    return record.status.label


def row(shown: Shown, today: date | None = None) -> dict[str, Any]:
    """A search hit or a household member as a table row; with ``today``, the age on that day
    (``age``)."""
    view = record_view(shown.record)
    view["individual_number"] = (
        view["individual_number"]
        if shown.individual_number_shown
        else shown.individual_number_masked
    )
    view["flags"] = flag_labels(shown.flags)
    view["is_removed"] = shown.record.is_removed
    view["status_text"] = status_text(shown)
    if today is not None:
        view["age"] = age_text(shown.record, today)
    return view


def _is_selector(code: int) -> bool:
    return 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF


def characters(text: str) -> list[tuple[str, str]]:
    """Each character of ``text`` with its code (``U+9AD9``), a variation selector kept with the
    character it selects (``U+845B U+E0100``): for reading a name character by character,
    enlarged (standard §2.2.3 (370))."""
    found: list[tuple[str, list[int]]] = []
    for char in text:
        code = ord(char)
        if _is_selector(code) and found:
            found[-1][1].append(code)
        elif not char.isspace():
            found.append((char, [code]))
    return [
        ("".join(chr(c) for c in codes), " ".join(f"U+{c:04X}" for c in codes))
        for _, codes in found
    ]


@dataclass(frozen=True, slots=True)
class Change:
    """One step of a person's history: the event and what it changed."""

    history_number: int
    reason: str
    effective_on: str
    filed_on: str
    changes: tuple[tuple[str, str, str], ...]
    """(label, before, after) of each item that changed."""


def _text(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "済" if value else "未"
    return str(value)


def history_items(view: dict[str, Any]) -> dict[str, Any]:
    """The items of a record view a history row compares, by label: a nested block (外国人住民の
    事項, 転出の予定) as its own items, each under its own label, never a field name."""
    items: dict[str, Any] = {}
    for key, value in view.items():
        if key in _BOOKKEEPING or key not in FIELD_LABELS:
            continue
        if isinstance(value, dict):
            for sub, held in value.items():
                items[SUB_LABELS.get(sub) or FIELD_LABELS[key]] = held
        else:
            items[FIELD_LABELS[key]] = value
    return items


def timeline(snapshots: Sequence[Shown]) -> list[Change]:
    """The history newest first: each event with the items it changed (the first with every
    item it recorded)."""
    changes: list[Change] = []
    previous: dict[str, Any] = {}
    for shown in snapshots:
        view = record_view(shown.record)
        if not shown.individual_number_shown:
            view["individual_number"] = shown.individual_number_masked
        items = history_items(view)
        differences = tuple(
            (label, _text(previous.get(label)), _text(value))
            for label, value in items.items()
            if previous.get(label) != value and not (not previous and value in (None, "", False))
        )
        # An item the new snapshot no longer holds (a 転出 cancelled) is shown as emptied.
        differences += tuple(
            (label, _text(value), "—")
            for label, value in previous.items()
            if label not in items and value not in (None, "", False)
        )
        changes.append(
            Change(
                history_number=shown.record.history_number,
                reason=view["reason_label"],
                effective_on=view["effective_on"],
                filed_on=view["filed_on"] or "—",
                changes=differences,
            )
        )
        previous = items
    return list(reversed(changes))


_CODE = re.compile(r"(?:U\+|0X|&#X)?([0-9A-F]{4,6});?")


@dataclass(frozen=True, slots=True)
class CharacterView:
    """One character looked up (§2.2.3 文字コード照会): drawn large, its codes and its name."""

    glyph: str
    codes: str
    name: str


def _code_points(text: str) -> list[int] | None:
    """``U+20BB7``, ``20BB7``, ``0x20BB7`` or ``&#x20BB7;``, one or more (a selector after its
    character), as code points; None when the text is not codes."""
    tokens = text.upper().replace(",", " ").split()
    found = [_CODE.fullmatch(t) for t in tokens]
    if not tokens or not all(found):
        return None
    return [int(m.group(1), 16) for m in found if m]


def look_up_characters(text: str) -> list[CharacterView]:
    """The characters typed, or the characters the typed codes name, each with its codes and
    Unicode name; a code that names no character is refused (``char.code_invalid``)."""
    points = _code_points(text)
    if points is not None:
        bad = [p for p in points if p > 0x10FFFF or 0xD800 <= p <= 0xDFFF]
        if bad:
            raise invalid(
                "char.code_invalid",
                f"文字コード U+{bad[0]:04X} に当たる文字はありません",
                "q",
            )
        text = "".join(chr(p) for p in points)
    return [
        CharacterView(glyph, codes, unicodedata.name(glyph[0], ""))
        for glyph, codes in characters(text)
    ]
