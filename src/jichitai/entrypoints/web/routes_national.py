"""The CS (住基ネット) at the counter (standard §7.1.1.1 (1090), §4.1.1.3 (610);
``docs/national-links.md``): the CS送信 list of the outbox with a reviewer's re-send, completion
by hand and the switch to manual sending; the CS受信 list of what other municipalities sent
(転入通知情報, 転出証明書情報), and the 特例転入 started from received 転出証明書情報, which
becomes a draft and goes on to the usual review.

The services (``app.cs``, ``app.cs_ops``, ``app.cs_inbox``) decide who may do what; a refusal
about the input is shown at the top of the list with its code, one about the user is a page of
its own. Every action redirects back to the list (a reload sends nothing twice).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from jichitai.domain.access.roles import Permission
from jichitai.domain.common.dates import format_wareki
from jichitai.domain.errors import DomainError
from jichitai.domain.national.move_messages import MOVE_OUT_CERTIFICATE, RELAYED_KINDS
from jichitai.domain.residents.reasons import ChangeReason
from jichitai.entrypoints.presenters import status_of
from jichitai.entrypoints.web.session import Counter, CurrentCounter, Posted, PostedForm, app_of
from jichitai.entrypoints.web.templating import NO_PROBLEMS, Problems, for_the_form, page, refusal
from jichitai.services.audit import JST
from jichitai.services.cs_lists import PrintedList
from jichitai.services.inbound_national import CS_AMENDABLE
from jichitai.services.ports import CsEntry
from jichitai.services.ports.cs_inbox import CsInboxRow

router = APIRouter(prefix="/ui", include_in_schema=False)
Seq = Annotated[int, Path(ge=1, le=2**62)]
Ordinal = Annotated[int, Path(ge=0, le=100_000)]
ListFormat = Annotated[Literal["pdf", "csv"], Path()]

OUTBOX_STATUSES = {
    "pending": "送信待ち",
    "sent": "送信済み",
    "error": "エラー",
    "done": "手動で処理済み",
}
INBOX_STATUSES = {
    "new": "未処理",
    "taken": "自動で受理",
    "unmatched": "照合できず",
    "used": "特例転入に使用",
}
DONE_MESSAGES = {
    "resent": "再送信を送信待ちに入れました。",
    "completed": "手動で処理済みにしました。",
    "paused": "手動連携に切り替えました。CSへは送信しません。",
    "resumed": "自動送信に戻しました。送信待ちの電文は順に送られます。",
    "amended": "補完した電文を送信待ちに入れました。",
}
OUTBOX_FIELDS = ("until",)
"""The one field shown next to its input (the manual switch's); the others go to the top."""


def _at(value: datetime | None) -> str:
    if value is None:
        return ""
    local = value.astimezone(JST)
    return f"{format_wareki(local.date())} {local:%H:%M}"


def _outbox_row(e: CsEntry) -> dict[str, Any]:
    return {
        "seq": e.seq,
        "ordinal": e.ordinal,
        "kind": e.kind,
        "destination": e.destination,
        "status": e.status,
        "status_label": OUTBOX_STATUSES.get(e.status, e.status),
        "attempts": e.attempts,
        "last_error": e.last_error,
        "receipt": e.receipt or "",
        "sent_at": _at(e.sent_at),
        "unconvertible": e.unconvertible,
        "note": e.note,
        "handled_by": e.handled_by,
        "handled_at": _at(e.handled_at),
        "resendable": e.status in ("error", "sent"),
        "completable": e.status in ("error", "pending"),
        "amendable": e.status == "error",
    }


def _choice(value: str, allowed: dict[str, str]) -> str | None:
    return value if value in allowed else None


def _outbox_page(
    request: Request,
    counter: Counter,
    status: str = "",
    *,
    code: int = 200,
    problems: Problems = NO_PROBLEMS,
    done: str = "",
) -> HTMLResponse:
    app = app_of(request)
    entries = app.cs.listed(counter.actor, _choice(status, OUTBOX_STATUSES))
    manual = app.cs_ops.manual(counter.actor)
    return page(
        request,
        "national/outbox.html",
        counter,
        status=code,
        problems=problems,
        chosen=status if status in OUTBOX_STATUSES else "",
        statuses=list(OUTBOX_STATUSES.items()),
        rows=[_outbox_row(e) for e in entries],
        sending=app.cs.enabled,
        manual=(
            {
                "until": _at(manual.until) if manual.until else "",
                "set_by": manual.set_by,
                "set_at": _at(manual.set_at),
                "note": manual.note,
            }
            if manual is not None
            else None
        ),
        reasons=[("", "（変えずに送る）"), *((r.value, r.label) for r in ChangeReason)],
        may_operate=counter.may(Permission.APPROVE_DRAFT),
        may_print=counter.may(Permission.ISSUE),
        amendable=list(CS_AMENDABLE.items()),
        done=DONE_MESSAGES.get(done, ""),
    )


@router.get("/cs/messages")
def cs_messages(
    request: Request, counter: CurrentCounter, status: str = "", done: str = ""
) -> HTMLResponse:
    return _outbox_page(request, counter, status, done=done)


def _after(request: Request, posted: Posted, action: Callable[[], object], done: str) -> Response:
    """Run one operation; back to the list, or the list with the service's refusal."""
    counter = posted.counter
    back = posted.get("back_status")
    try:
        action()
    except DomainError as e:
        if not for_the_form(e):
            raise
        return _outbox_page(
            request, counter, back, code=status_of(e), problems=refusal(e, OUTBOX_FIELDS)
        )
    query = f"?done={done}" + (f"&status={back}" if back in OUTBOX_STATUSES else "")
    return RedirectResponse("/ui/cs/messages" + query, status_code=303)


@router.post("/cs/messages/{seq}/{ordinal}/resend", summary="CSへの電文の再送信")
def cs_resend(request: Request, seq: Seq, ordinal: Ordinal, posted: PostedForm) -> Response:
    app, actor = app_of(request), posted.counter.actor
    reason = posted.get("reason") or None
    note = posted.get("note") or None
    return _after(
        request, posted, lambda: app.cs_ops.resend(actor, seq, ordinal, reason, note), "resent"
    )


@router.post("/cs/messages/{seq}/{ordinal}/done", summary="CSへの電文を手動で処理済みにする")
def cs_complete(request: Request, seq: Seq, ordinal: Ordinal, posted: PostedForm) -> Response:
    app, actor = app_of(request), posted.counter.actor
    note = posted.get("note")
    return _after(
        request, posted, lambda: app.cs_ops.complete(actor, seq, ordinal, note), "completed"
    )


@router.post("/cs/messages/{seq}/{ordinal}/amend", summary="エラーの電文を手入力で補完して再送信")
def cs_amend(request: Request, seq: Seq, ordinal: Ordinal, posted: PostedForm) -> Response:
    """Only the items typed are sent to the service (an empty field: not completed)."""
    app, actor = app_of(request), posted.counter.actor
    items = {key: posted.get(f"item_{key}") for key in CS_AMENDABLE if posted.get(f"item_{key}")}
    note = posted.get("note") or None
    return _after(
        request, posted, lambda: app.cs_ops.amend(actor, seq, ordinal, items, note), "amended"
    )


@router.get("/cs/error-list.{format}", summary="CS送信エラー一覧表")
def cs_error_list(request: Request, counter: CurrentCounter, format: ListFormat) -> Response:
    return _printed(app_of(request).cs_lists.send_errors(counter.actor, format), "cs-send-errors")


@router.get("/cs/inbox/error-list.{format}", summary="転入通知情報等取込エラー一覧表")
def cs_intake_error_list(request: Request, counter: CurrentCounter, format: ListFormat) -> Response:
    printed = app_of(request).cs_lists.intake_errors(counter.actor, format)
    return _printed(printed, "cs-intake-errors")


def _printed(printed: PrintedList, name: str) -> Response:
    """The printed list as the API gives it (the service logged the print)."""
    return Response(
        printed.data,
        media_type=printed.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{name}.{printed.format}"',
            "Cache-Control": "no-store",
        },
    )


@router.post("/cs/manual", summary="CSへの送信を手動連携に切り替える")
def cs_pause(request: Request, posted: PostedForm) -> Response:
    app, actor = app_of(request), posted.counter.actor
    until = posted.get("until").strip() or None
    note = posted.get("note") or None
    return _after(request, posted, lambda: app.cs_ops.pause(actor, until, note), "paused")


@router.post("/cs/manual/off", summary="CSへの自動送信に戻す")
def cs_resume(request: Request, posted: PostedForm) -> Response:
    app, actor = app_of(request), posted.counter.actor
    return _after(request, posted, lambda: app.cs_ops.resume(actor), "resumed")


# -- CS受信 -----------------------------------------------------------------------------------


def _day(text: str) -> str:
    try:
        return format_wareki(date.fromisoformat(text))
    except ValueError:
        return text


def _inbox_row(r: CsInboxRow) -> dict[str, Any]:
    try:
        body = orjson.loads(r.body)
    except orjson.JSONDecodeError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    moved_on = str(body.get("planned_on") or body.get("effective_on") or "")
    draft = r.note.removeprefix("draft:") if r.status == "used" else ""
    return {
        "relay_id": r.relay_id,
        "kind": r.kind,
        "sender": r.sender,
        "sender_seq": r.sender_seq,
        "resident_code": r.resident_code,
        "name": r.name,
        "moved_on": _day(moved_on),
        "status": r.status,
        "status_label": INBOX_STATUSES.get(r.status, r.status),
        "note": "" if draft else r.note,
        "draft": draft,
        "received_at": _at(r.received_at),
        "selectable": r.kind == MOVE_OUT_CERTIFICATE and r.status == "new" and not r.withheld,
    }


def _inbox_page(
    request: Request,
    counter: Counter,
    status: str = "",
    kind: str = "",
    *,
    code: int = 200,
    problems: Problems = NO_PROBLEMS,
) -> HTMLResponse:
    kinds = {k: k for k in RELAYED_KINDS}
    rows = app_of(request).cs_inbox.listed(
        counter.actor, status=_choice(status, INBOX_STATUSES), kind=_choice(kind, kinds)
    )
    return page(
        request,
        "national/inbox.html",
        counter,
        status=code,
        problems=problems,
        chosen_status=status if status in INBOX_STATUSES else "",
        chosen_kind=kind if kind in kinds else "",
        statuses=list(INBOX_STATUSES.items()),
        kinds=list(RELAYED_KINDS),
        rows=[_inbox_row(r) for r in rows],
        may_move_in=counter.may(Permission.SUBMIT_DRAFT),
    )


@router.get("/cs/inbox")
def cs_inbox(
    request: Request, counter: CurrentCounter, status: str = "", kind: str = ""
) -> HTMLResponse:
    return _inbox_page(request, counter, status, kind)


@router.post("/cs/special-move-in", summary="特例転入（CSから受信した転出証明書情報から）")
def special_move_in(request: Request, posted: PostedForm) -> Response:
    """The 転入 pre-filled from the chosen 転出証明書情報, submitted as a draft; on to the page
    of the draft made (the review goes on as for any 転入)."""
    counter = posted.counter
    codes = [c for c in posted.all("resident_codes") if c]
    try:
        view, _ = app_of(request).cs_inbox.special_move_in(counter.actor, codes)
    except DomainError as e:
        if not for_the_form(e):
            raise
        return _inbox_page(request, counter, code=status_of(e), problems=refusal(e, ()))
    return RedirectResponse(f"/ui/changes/done/{view.draft.draft_id}", status_code=303)
