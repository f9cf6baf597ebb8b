"""広域交付住民票 through the CS (standard §7.1.1.1 (1090): 広域交付地市区町村より広域交付住民票の
交付要求を受信した場合、広域交付住民票情報をCS経由で交付市区町村CSへ送信できること; 住基法12条の4).

A resident asks another municipality's counter (the 交付地) for a copy of their 住民票. That
municipality sends a **広域交付要求** through the CS to the resident's own (the 住所地); the
住所地 answers with the **広域交付住民票情報**, the items the 交付地 prints, or with a refusal.
Both ride the CS outbox and the CS's relay between municipalities, in our format
``jichitai-cs/1`` (``docs/national-links.md``).

**What the answer carries.** The items of a 住民票の写し for the person, or for every living
member of the household when the request asks for the household: 氏名 and its reading, 生年月日,
男女の別, 続柄, 世帯主, 住所, 住民となった年月日, 住所を定めた年月日 (and its 届出日), 前住所. Not
the 本籍・筆頭者, the 個人番号 nor the 住民票コード: a 広域交付住民票 omits them (住基法12条の4,
令15条の4). The requested person's 住民票コード goes in the message's envelope only (every CS
message carries one), never among the printed items.

**When the 住所地 refuses.** The person is not found by the 住民票コード, is no longer a resident,
or the name and birth date the 交付地 took from the applicant do not match (a code alone never
yields a record); or a 抑止・支援措置 guarding 証明書発行 applies (an alert too: no clerk of the
住所地 is there to acknowledge it). The refusal names the reason by code only, never what the
register holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from jichitai.domain.common.dates import DateKind, RecordDate
from jichitai.domain.national.unified_chars import UnifiedTable, to_unified
from jichitai.domain.residents.model import ResidentRecord

WIDE_AREA_REQUEST = "広域交付要求"
WIDE_AREA_RECORD = "広域交付住民票情報"
WIDE_AREA_KINDS: tuple[str, ...] = (WIDE_AREA_REQUEST, WIDE_AREA_RECORD)
REQUEST_REASON = "wide_area_request"
RECORD_REASON = "wide_area_record"
SCOPES: tuple[str, ...] = ("person", "household")

REFUSALS: dict[str, str] = {
    "wide_area.not_found": "住民票コードの方は住民基本台帳に記録されていません",
    "wide_area.not_resident": "住民票コードの方は住民ではありません（除票は広域交付の対象外です）",
    "wide_area.not_matched": "氏名または生年月日が住民票の記載と一致しません",
    "wide_area.protected": "交付を制限している方のため、広域交付できません（住所地の窓口で請求してください）",
}


@dataclass(frozen=True, slots=True)
class WideAreaRequest:
    """What the 交付地's clerk took from the applicant and the applicant's identity document."""

    resident_code: str
    name: str
    birth_date: str
    """ISO for a calendar date, else the wording as the register keeps it (``birth_key``)."""
    to: str
    """The 住所地's 地方公共団体コード."""
    scope: str = "person"


def birth_key(value: RecordDate) -> str:
    """A birth date as the CS messages carry it (ISO, or the wording of a non-calendar date)."""
    return value.approximation.isoformat() if value.kind is DateKind.CALENDAR else value.text


def same_name(given: str, kept: str) -> bool:
    """Names compared without their spaces (full-width or not)."""
    return "".join(given.split()) == "".join(kept.split())


def request_body(request: WideAreaRequest, common: dict[str, Any]) -> dict[str, Any]:
    return {
        **common,
        "kind": WIDE_AREA_REQUEST,
        "reason": REQUEST_REASON,
        "reason_label": "広域交付要求",
        "resident_code": request.resident_code,
        "name": request.name,
        "birth_date": request.birth_date,
        "sex": "",
        "address": "",
        "scope": request.scope,
    }


def refusal_body(request: dict[str, Any], code: str, common: dict[str, Any]) -> dict[str, Any]:
    return {
        **_answer_common(request, common),
        "status": "refused",
        "refusal": {"code": code, "message": REFUSALS[code]},
        "members": [],
    }


def record_body(
    request: dict[str, Any],
    person: ResidentRecord,
    members: Sequence[ResidentRecord],
    head_name: str,
    common: dict[str, Any],
    table: UnifiedTable,
) -> tuple[dict[str, Any], tuple[str, ...]]:
    """The 広域交付住民票情報 of ``members`` (the person, or the household's living members in
    their order), names and addresses in 住基ネット統一文字; and the characters the table could
    not convert (the message is then held for the clerk)."""
    unconvertible: list[str] = []

    def unified(text: str) -> str:
        conversion = to_unified(text, table)
        unconvertible.extend(c for c in conversion.unconvertible if c not in unconvertible)
        return conversion.text

    items = [
        {
            "name": unified(m.name.full),
            "name_kana": m.name.full_kana,
            "birth_date": m.birth_date.display("seireki"),
            "sex": m.sex.value,
            "relationship": m.relationship.text,
            "household_head": m.is_head,
            "became_resident_on": m.became_resident_on.display("seireki"),
            "address_set_on": m.address_set_on.display("seireki"),
            "filed_on": m.filed_on.isoformat() if m.filed_on else "",
            "previous_address": (
                unified(m.previous_address.display()) if m.previous_address else ""
            ),
        }
        for m in members
    ]
    body = {
        **_answer_common(request, common),
        "status": "issued",
        "name": unified(person.name.full),
        "birth_date": birth_key(person.birth_date),
        "sex": person.sex.value,
        "address": unified(person.address.display()),
        "household_head_name": unified(head_name),
        "members": items,
    }
    return body, tuple(unconvertible)


def _answer_common(request: dict[str, Any], common: dict[str, Any]) -> dict[str, Any]:
    return {
        **common,
        "kind": WIDE_AREA_RECORD,
        "reason": RECORD_REASON,
        "reason_label": "広域交付住民票情報",
        "resident_code": str(request.get("resident_code", "")),
        "name": str(request.get("name", "")),
        "birth_date": str(request.get("birth_date", "")),
        "sex": "",
        "address": "",
        "scope": str(request.get("scope", "person")),
        "request": {
            "sender": str(request.get("sender", "")),
            "seq": request.get("sender_seq"),
            "ordinal": request.get("sender_ordinal"),
        },
    }
