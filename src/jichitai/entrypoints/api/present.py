"""Domain values to response bodies."""

from __future__ import annotations

from collections.abc import Iterable

from fastapi import Response
from pydantic import BaseModel

from jichitai.domain.errors import Violation
from jichitai.domain.residents.change_types import change_type_of
from jichitai.entrypoints.api import schemas as s
from jichitai.entrypoints.presenters import record_view, summary_view
from jichitai.services.ports import receipt_number
from jichitai.services.register_access import DraftView, Shown, record_data


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
    """A record as the register-access façade handed it out (its 個人番号 already masked where due)."""
    pending = shown.pending
    return s.Resident(
        **record_view(shown.record, show_individual_number=shown.individual_number_shown),
        individual_number_shown=shown.individual_number_shown,
        flags=list(shown.flags),
        alerts=error_items(shown.alerts),
        household_version=shown.household_version,
        pending=None
        if pending is None
        else s.PendingChange(
            effective_on=pending.effective_on,
            reason=pending.reason,
            reason_label=pending.reason_label,
            history_number=pending.history_number,
        ),
        data=record_data(shown.record),
    )


def search_hit(shown: Shown) -> s.SearchHit:
    return s.SearchHit(**summary_view(shown.record), flags=list(shown.flags))


def draft(view: DraftView) -> s.Draft:
    row, header = view.draft, view.command.header
    return s.Draft(
        draft_id=row.draft_id,
        receipt_number=receipt_number(row.number),
        kind=row.kind,
        kind_label=change_type_of(view.command).label,
        status=row.status,
        operator=row.operator,
        editors=list(row.editors),
        created_at=row.created_at,
        updated_at=row.updated_at,
        event_id=row.event_id,
        return_comment=row.return_comment,
        return_reasons=error_items(row.return_reasons),
        prepared_against=s.PreparedAgainst(
            persons=dict(header.expected_histories), households=dict(header.expected_versions)
        ),
        command=view.data,
    )
