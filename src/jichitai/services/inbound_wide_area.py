"""The inbound decoder of a 広域交付要求 (``domain/national/wide_area.py``): what the 交付地's
clerk types from the applicant and their identity document, read the same from the API, the CLI
and the counter. Every fault is reported at once, each with its field."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jichitai.domain.common.dates import RecordDate
from jichitai.domain.common.identifiers import ResidentCode
from jichitai.domain.common.municipality import MunicipalityCode
from jichitai.domain.errors import DomainError, InvalidValue, Violation, invalid
from jichitai.domain.national.wide_area import SCOPES, WideAreaRequest, birth_key
from jichitai.services.inbound_national import full_name

_ITEMS = ("resident_code", "name", "birth_date", "to", "scope")


def decode_wide_area_request(data: Any) -> WideAreaRequest:
    """``{"resident_code", "name", "birth_date", "to", "scope"?}`` checked: the 住民票コード with
    its check digit, the name as a name, the birth date as the register reads dates (和暦 or
    西暦, or a kept wording), the 住所地's 地方公共団体コード, the scope (person or household)."""
    if not isinstance(data, dict):
        raise invalid("input.shape", "広域交付要求は項目の組で入力してください", "request")
    found: list[Violation] = []
    unknown = sorted(str(k) for k in data if k not in _ITEMS)
    if unknown:
        found.append(
            Violation(
                "input.unknown_item", f"不明な項目があります（{'、'.join(unknown)}）", "request"
            )
        )
    texts: dict[str, str] = {}
    for key in _ITEMS:
        value = data.get(key, "person" if key == "scope" else "")
        if not isinstance(value, str):
            found.append(Violation("input.shape", "文字列で入力してください", key))
            value = ""
        texts[key] = value.strip(" \u3000")
    made: dict[str, str] = {}
    readers: dict[str, Callable[[str], str]] = {
        "resident_code": lambda v: ResidentCode.parse(v, "resident_code").value,
        "name": lambda v: full_name(v, "name", "氏名"),
        "birth_date": lambda v: birth_key(RecordDate.parse(v, field="birth_date")),
        "to": lambda v: MunicipalityCode.parse(v, "to").value,
    }
    for key, read in readers.items():
        if not texts[key] and key != "name":
            found.append(Violation("input.required", "入力してください", key))
            continue
        try:
            made[key] = read(texts[key])
        except DomainError as error:
            found.extend(error.violations)
    if texts["scope"] not in SCOPES:
        found.append(
            Violation(
                "wide_area.scope_unknown",
                "範囲は person（本人のみ）か household（世帯全員）です",
                "scope",
            )
        )
    if found:
        raise InvalidValue(*found)
    return WideAreaRequest(
        resident_code=made["resident_code"],
        name=made["name"],
        birth_date=made["birth_date"],
        to=made["to"],
        scope=texts["scope"],
    )
