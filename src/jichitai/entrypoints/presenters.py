"""How records are shown to people and other programs: Japanese labels, 和暦/西暦 per the standard.

Standard §1.1.9 (90) and §1.3.6 (280): dates are shown in 和暦, except a foreign resident's birth
date and period-of-stay expiry, which are shown in 西暦; both calendars at once is not allowed.
The 個人番号 is masked unless the caller passes on the register-access façade's decision to show it.

Every entry point may import this module (the entry points do not import each other): what the
HTTP doors share, such as the status a refusal is answered with, lives here too.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from jichitai.domain.access.actor import Forbidden, Unauthenticated
from jichitai.domain.common.address import Address
from jichitai.domain.common.dates import format_seireki, format_wareki
from jichitai.domain.errors import (
    ConflictError,
    DomainError,
    NotFound,
    TooManyRequests,
    Unavailable,
)
from jichitai.domain.national.wide_area import WIDE_AREA_RECORD
from jichitai.domain.residents.model import ResidentKind, ResidentRecord
from jichitai.services.ports import RegisterStats


def _wareki(value: date | None) -> str | None:
    return format_wareki(value) if value else None


def _address(value: Address | None) -> str | None:
    return value.display() if value else None


def record_view(record: ResidentRecord, *, show_individual_number: bool = False) -> dict[str, Any]:
    """A record as JSON for people: codes and Japanese labels, dates as the standard shows them.

    The 個人番号 is masked unless ``show_individual_number``. Records from the register-access façade are
    already masked where the actor's duty does not include the number, and say whether it is
    shown (``Shown.individual_number_shown``): pass that on, never decide it here."""
    foreign = record.kind is ResidentKind.FOREIGN
    birth_style: Literal["wareki", "seireki"] = "seireki" if foreign else "wareki"
    number = record.individual_number
    view: dict[str, Any] = {
        "atena_number": record.atena_number.value,
        "history_number": record.history_number,
        "household_number": record.household_number.value,
        "kind": record.kind.value,
        "kind_label": record.kind.label,
        "status": record.status.value,
        "status_label": record.status.label,
        "name": record.name.full,
        "name_kana": record.name.full_kana,
        "kana_confirmed": record.name.kana_confirmed,
        "birth_date": record.birth_date.display(birth_style),
        "birth_date_kind": record.birth_date.kind.value,
        "sex": record.sex.label,
        "relationship": record.relationship.text,
        "address": record.address.display(),
        "postcode": record.address.postcode_display() if record.address.postcode else None,
        "became_resident_on": record.became_resident_on.display(),
        "address_set_on": record.address_set_on.display(),
        "filed_on": _wareki(record.filed_on),
        "previous_address": _address(record.previous_address),
        "reason": record.reason.value,
        "reason_label": record.reason.label,
        "effective_on": format_wareki(record.effective_on),
        "resident_code": record.resident_code.value if record.resident_code else None,
        "individual_number": (
            None if number is None else number.value if show_individual_number else number.masked()
        ),
    }
    if record.family_register is not None:
        view["registered_domicile"] = record.family_register.domicile
        view["family_register_head"] = record.family_register.head
    if record.former_surname is not None:
        view["former_surname"] = record.former_surname.full
    if record.foreign is not None:
        f = record.foreign
        alias = f.current_alias
        view["foreign"] = {
            "roman_name": record.name.roman or None,
            "nationality": f.nationality,
            "category": f.category.label,
            "residence_status": f.residence_status or None,
            "period_of_stay": f.period_of_stay or None,
            "stay_expires_on": format_seireki(f.stay_expires_on) if f.stay_expires_on else None,
            "residence_card_number": f.residence_card_number.value
            if f.residence_card_number
            else None,
            # Only the birth date and the expiry date are shown in 西暦 (§1.1.9 (90)).
            "became_foreign_resident_on": f.became_foreign_resident_on.display(),
            "alias": alias.name.full if alias else None,
        }
    if record.move_out is not None:
        m = record.move_out
        view["move_out"] = {
            "planned_on": format_wareki(m.planned_on),
            "onward_address": m.onward_address.display(),
            "notice_on": _wareki(m.notice_on),
            "confirmed_address": _address(m.confirmed_address),
            "confirmed_on": _wareki(m.confirmed_on),
        }
    if record.is_removed:
        view["removal_reason"] = record.removal_reason.label if record.removal_reason else None
        view["removed_on"] = _wareki(record.removed_on)
        if record.removal_event_date is not None:
            view["removal_event_date"] = record.removal_event_date.display()
        view["retained_until"] = _wareki(record.retained_until)
    if record.remarks:
        view["remarks"] = record.remarks
    return view


def summary_view(record: ResidentRecord) -> dict[str, Any]:
    """One search hit."""
    style: Literal["wareki", "seireki"] = (
        "seireki" if record.kind is ResidentKind.FOREIGN else "wareki"
    )
    return {
        "atena_number": record.atena_number.value,
        "household_number": record.household_number.value,
        "name": record.name.full,
        "name_kana": record.name.full_kana,
        "birth_date": record.birth_date.display(style),
        "sex": record.sex.label,
        "status": record.status.value,
        "status_label": record.status.label,
        "address": record.address.display(),
    }


def stats_view(municipality_code: str, name: str, stats: RegisterStats) -> dict[str, Any]:
    return {
        "municipality_code": municipality_code,
        "municipality_name": name,
        "persons": stats.persons,
        "residents": stats.residents,
        "japanese_residents": stats.japanese,
        "foreign_residents": stats.foreign,
        "households": stats.households,
        "removed_records": stats.removed_records,
        "planned_move_outs": stats.planned_move_outs,
        "events": stats.events,
        "events_by_reason": stats.events_by_reason,
    }


def status_of(error: DomainError) -> int:
    """The HTTP status a refusal is answered with, by the API (JSON) and the counter (a page)
    alike: 401 unauthenticated, 403 forbidden, 404 not found (also for another municipality's
    data), 409 conflict, 429 too many attempts, 503 at capacity, 422 for every other rule."""
    if isinstance(error, Unauthenticated):
        return 401
    if isinstance(error, Forbidden):
        return 403
    if isinstance(error, NotFound):
        return 404
    if isinstance(error, ConflictError):
        return 409
    if isinstance(error, TooManyRequests):
        return 429
    if isinstance(error, Unavailable):
        return 503
    return 422


def wide_area_answer(kind: str, body: dict[str, Any]) -> dict[str, Any] | None:
    """What a received 広域交付住民票情報 says (issued, with the members' items; or refused, with
    why), for the 交付地's clerk; None for a message of any other kind."""
    if kind != WIDE_AREA_RECORD:
        return None
    return {
        key: body.get(key)
        for key in ("status", "refusal", "scope", "address", "household_head_name", "members")
    }
