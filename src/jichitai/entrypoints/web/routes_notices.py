"""Notices (通知書) at the counter, printed through ``app.notices`` (``docs/certificates.md``,
Notices): for one recorded change the ones it calls for — 受理通知 (§4.1.0.3 (580)), 職権記載等
通知書 (§4.2.0.1 (750)), 世帯主変更依頼通知書 (§4.0.5 (500)), 住民票コード通知票 (§4.3.3
(890)) — linked from the page after 本登録 and from a person's list of recorded changes; and the
転入通知未着者一覧 with its 照会書 (§4.1.3.1.4 (710)) for a number of days.

The service decides who may print and which notices a change calls for; every print is logged
by it. A print that needs the clerk's confirmation first (a person under 支援措置) asks for it
on a page of its own and is sent again with the codes confirmed.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, Response

from jichitai.domain.access.roles import Permission
from jichitai.domain.common.dates import format_wareki
from jichitai.domain.errors import DomainError, NotFound
from jichitai.domain.notices.kinds import NoticeKind, notice_type
from jichitai.entrypoints.web.refs import PersonRefs
from jichitai.entrypoints.web.session import Counter, CurrentCounter, app_of
from jichitai.entrypoints.web.templating import (
    NO_PROBLEMS,
    Problems,
    for_the_form,
    one_problem,
    page,
    refusal,
)
from jichitai.services.notices import DEFAULT_DAYS, PrintedNotice

router = APIRouter(prefix="/ui", include_in_schema=False)

EVENT_ID = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
EventId = Annotated[str, Path(pattern=EVENT_ID)]
Acknowledged = Annotated[list[str], Query(max_length=10)]
PDF_HEADERS = {
    "Cache-Control": "no-store",
    "Pragma": "no-cache",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}


def _pdf(printed: PrintedNotice, name: str) -> Response:
    return Response(
        printed.pdf,
        media_type="application/pdf",
        headers={**PDF_HEADERS, "Content-Disposition": f'inline; filename="{name}.pdf"'},
    )


def _codes(acknowledged: list[str]) -> frozenset[str]:
    return frozenset(a for a in acknowledged if a and len(a) <= 100)


def _confirm(request: Request, counter: Counter, error: DomainError, action: str) -> Response:
    """The alerts of a print to confirm (支援措置 …), or the refusal as the error page shows it."""
    if error.violations and all(not v.is_error for v in error.violations):
        return page(
            request,
            "notices/acknowledge.html",
            counter,
            status=409,
            alerts=error.violations,
            action=action,
            days=request.query_params.get("days", ""),
        )
    raise error


def notice_links(event_id: str, kinds: tuple[NoticeKind, ...]) -> list[dict[str, str]]:
    """The print links of a recorded change, in the order the kinds are registered."""
    return [
        {"href": f"/ui/notices/{event_id}/{k.value}.pdf", "title": notice_type(k).title}
        for k in kinds
    ]


def printable(request: Request, counter: Counter, event_id: str) -> list[dict[str, str]]:
    """The notices a recorded change calls for, for a user who may print (else none)."""
    if not counter.may(Permission.ISSUE) or not re.match(EVENT_ID, event_id):
        return []
    try:
        kinds = app_of(request).notices.applicable(counter.actor, event_id)
    except NotFound:
        return []  # an imported history step: nothing was filed or recorded here to notify
    return notice_links(event_id, kinds)


@router.get("/notices/{event_id}/{kind}.pdf")
def change_notice(
    request: Request,
    event_id: EventId,
    kind: NoticeKind,
    counter: CurrentCounter,
    acknowledged: Acknowledged = [],  # noqa: B006
) -> Response:
    try:
        printed = app_of(request).notices.for_change(
            counter.actor, kind, event_id, _codes(acknowledged)
        )
    except DomainError as e:
        return _confirm(request, counter, e, f"/ui/notices/{event_id}/{kind.value}.pdf")
    return _pdf(printed, f"{kind.value}-{event_id}")


def _michaku_page(
    request: Request,
    counter: Counter,
    days: str,
    *,
    status: int = 200,
    problems: Problems = NO_PROBLEMS,
) -> HTMLResponse:
    return page(
        request,
        "notices/michaku.html",
        counter,
        status=status,
        problems=problems,
        days=days,
        today=format_wareki(app_of(request).clock.today()),
    )


@router.get("/notices/michaku")
def michaku(request: Request, counter: CurrentCounter) -> HTMLResponse:
    return _michaku_page(request, counter, str(DEFAULT_DAYS))


@router.get("/notices/michaku.pdf")
def michaku_pdf(
    request: Request,
    counter: CurrentCounter,
    days: Annotated[str, Query(max_length=10)] = str(DEFAULT_DAYS),
    acknowledged: Acknowledged = [],  # noqa: B006
) -> Response:
    """転入通知未着者一覧 and the 照会書 of persons removed ``days`` or more days ago."""
    text = days.strip()
    if not text.isascii() or not text.isdigit():
        problems = one_problem("notice.days_invalid", "経過日数は数字で入力してください", "days")
        return _michaku_page(request, counter, text, status=422, problems=problems)
    try:
        printed = app_of(request).notices.move_in_notice_missing(
            counter.actor, int(text), _codes(acknowledged)
        )
    except DomainError as e:
        if for_the_form(e) and any(v.is_error for v in e.violations):
            return _michaku_page(request, counter, text, status=422, problems=refusal(e, ["days"]))
        return _confirm(request, counter, e, "/ui/notices/michaku.pdf")
    return _pdf(printed, f"michaku-{int(text)}")


@router.get("/residents/{ref}/notices")
def person_notices(request: Request, ref: str, counter: CurrentCounter) -> HTMLResponse:
    """The person's recorded changes, newest first, each with the notices it calls for."""
    refs: PersonRefs = request.app.state.person_refs
    actor = counter.actor
    atena = refs.atena_number(actor.login, ref)
    app = app_of(request)
    changes = app.register_access.changes(actor, atena)
    rows: list[dict[str, Any]] = [
        {
            "history_number": c.history_number,
            "reason": c.reason_label,
            "effective_on": format_wareki(c.effective_on),
            "event_id": c.event_id,
            "links": printable(request, counter, c.event_id),
        }
        for c in changes
    ]
    return page(request, "notices/person.html", counter, ref=ref, rows=rows)
