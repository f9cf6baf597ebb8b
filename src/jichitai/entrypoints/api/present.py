"""Domain values to response bodies."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fastapi import Response
from pydantic import BaseModel

from jichitai.domain.codec import encode_tagged, to_primitive
from jichitai.domain.errors import Violation
from jichitai.entrypoints.api import schemas as s
from jichitai.entrypoints.presenters import record_view, summary_view
from jichitai.services.ports import Draft as DraftRow
from jichitai.services.staff import Shown, decode_command_text


def as_json(body: BaseModel, status_code: int = 200) -> Response:
    """The body serialised once. A route returning a ``Response`` keeps its documented
    ``response_model`` but skips FastAPI's second validation of the model it just built (a
    search answer spent a third of its time there); the schemathesis test checks every answer
    against the document."""
    return Response(body.model_dump_json(), status_code=status_code, media_type="application/json")


def error_items(violations: Iterable[Violation]) -> list[s.ErrorItem]:
    return [
        s.ErrorItem(code=v.code, message=v.message, field=v.field, level=v.severity.value)
        for v in violations
    ]


def resident(shown: Shown) -> s.Resident:
    view = record_view(shown.record, show_individual_number=shown.individual_number_shown)
    if not shown.individual_number_shown:
        view["individual_number"] = shown.individual_number_masked
    return s.Resident(
        **view,
        individual_number_shown=shown.individual_number_shown,
        flags=list(shown.flags),
        alerts=error_items(shown.alerts),
        data=to_primitive(shown.record),
    )


def search_hit(shown: Shown) -> s.SearchHit:
    return s.SearchHit(**summary_view(shown.record), flags=list(shown.flags))


def _mask_numbers(value: Any) -> Any:
    """Every ``individual_number`` in a command, masked but for its last four digits."""
    if isinstance(value, dict):
        return {
            k: (
                "********" + v[-4:]
                if k == "individual_number" and isinstance(v, str)
                else _mask_numbers(v)
            )
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_mask_numbers(v) for v in value]
    return value


def draft(row: DraftRow, *, show_individual_number: bool) -> s.Draft:
    command = encode_tagged(decode_command_text(row.command))
    return s.Draft(
        draft_id=row.draft_id,
        kind=row.kind,
        status=row.status,
        operator=row.operator,
        created_at=row.created_at,
        updated_at=row.updated_at,
        event_id=row.event_id,
        command=command if show_individual_number else _mask_numbers(command),
    )
