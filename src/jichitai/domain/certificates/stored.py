"""A certificate's sheets as canonical JSON: what the issue history keeps of each copy, so the
copy can be re-issued as it was first made (not from today's record).

Canonical: keys sorted, no spaces, characters as recorded (no ``\\u`` escapes, variant
selectors kept), fields and persons in their printed order; a sheet's seal impression (印鑑登録証明書)
by its registration number, image digest and size (the image is the registration's); a sheet's
mark (「公用」) under ``mark``, written only when there is one, so copies kept before marks existed
read back unchanged; likewise its 備考 lines under ``remarks``. ``sheets_from_json`` reads back
exactly what ``sheets_to_json`` wrote (a round trip gives equal sheets and equal text) and
refuses anything else (``certificate.content_unreadable``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from jichitai.domain.certificates.contents import Field, PersonBlock, Sheet, SheetImpression
from jichitai.domain.errors import DomainError, Violation

FORMAT_VERSION = 1


def sheets_to_json(sheets: Sequence[Sheet]) -> str:
    data = {"version": FORMAT_VERSION, "sheets": [_sheet_data(s) for s in sheets]}
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _sheet_data(sheet: Sheet) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": sheet.title,
        "header": [[f.label, f.value] for f in sheet.header],
        "persons": [
            {
                "atena_number": p.atena_number,
                "fields": [[f.label, f.value] for f in p.fields],
                "history": list(p.history),
            }
            for p in sheet.persons
        ],
        "certification": sheet.certification,
        "impression": _impression_data(sheet.impression),
    }
    if sheet.mark:
        data["mark"] = sheet.mark
    if sheet.remarks:
        data["remarks"] = list(sheet.remarks)
    return data


def _impression_data(impression: SheetImpression | None) -> dict[str, Any] | None:
    if impression is None:
        return None
    return {
        "registration_number": impression.registration_number,
        "image_sha256": impression.image_sha256,
        "width_mm": impression.width_mm,
        "height_mm": impression.height_mm,
    }


def _impression(value: Any) -> SheetImpression | None:
    if value is None:
        return None
    keys = {"registration_number", "image_sha256", "width_mm", "height_mm"}
    if not isinstance(value, dict) or set(value) != keys:
        raise _unreadable()
    sizes = (value["width_mm"], value["height_mm"])
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in sizes):
        raise _unreadable()
    return SheetImpression(
        _text(value["registration_number"]),
        _text(value["image_sha256"]),
        float(sizes[0]),
        float(sizes[1]),
    )


def _unreadable() -> DomainError:
    return DomainError(
        Violation(
            "certificate.content_unreadable",
            "保存されている証明書の内容を読み取れません",
            "content",
        )
    )


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise _unreadable()
    return value


def _fields(value: Any) -> tuple[Field, ...]:
    if not isinstance(value, list):
        raise _unreadable()
    out = []
    for pair in value:
        if not isinstance(pair, list) or len(pair) != 2:
            raise _unreadable()
        out.append(Field(_text(pair[0]), _text(pair[1])))
    return tuple(out)


def _person(value: Any) -> PersonBlock:
    if not isinstance(value, dict) or set(value) != {"atena_number", "fields", "history"}:
        raise _unreadable()
    history = value["history"]
    if not isinstance(history, list):
        raise _unreadable()
    return PersonBlock(
        _text(value["atena_number"]),
        _fields(value["fields"]),
        tuple(_text(h) for h in history),
    )


def _sheet(value: Any) -> Sheet:
    keys = {"title", "header", "persons", "certification", "impression"}
    if not isinstance(value, dict) or set(value) - {"mark", "remarks"} != keys:
        raise _unreadable()
    remarks = value.get("remarks", [])
    if not isinstance(remarks, list):
        raise _unreadable()
    persons = value["persons"]
    if not isinstance(persons, list):
        raise _unreadable()
    return Sheet(
        _text(value["title"]),
        _fields(value["header"]),
        tuple(_person(p) for p in persons),
        _text(value["certification"]),
        _impression(value["impression"]),
        _text(value.get("mark", "")),
        tuple(_text(r) for r in remarks),
    )


def sheets_from_json(text: str) -> list[Sheet]:
    try:
        data = json.loads(text)
    except ValueError:
        raise _unreadable() from None
    if not isinstance(data, dict) or data.get("version") != FORMAT_VERSION:
        raise _unreadable()
    sheets = data.get("sheets")
    if not isinstance(sheets, list) or not sheets:
        raise _unreadable()
    return [_sheet(s) for s in sheets]
