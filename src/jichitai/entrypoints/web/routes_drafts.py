"""Review of drafts (仮登録 → 審査 → 本登録) and the printable 住民異動届.

The queue lists the municipality's pending drafts: a clerk sees them too (their own marked), a
reviewer works through them. A draft's page shows the command in words, the persons, and what
approving it now would do (the check runs every rule and writes nothing); a reviewer other than
the one who entered it approves it (four-eyes: the service refuses one's own draft, and the
page does not offer it), acknowledging the alerts shown; discarding asks for a confirmation
first. The form (``form.pdf``) is the 住民異動届 the resident signs, logged as a print.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from jichitai.domain.access.actor import Actor
from jichitai.domain.access.roles import Permission
from jichitai.domain.errors import DomainError, InvalidValue
from jichitai.domain.inbound import text as inbound_text
from jichitai.domain.residents.reasons import ChangeReason
from jichitai.domain.residents.view import ChangePlan
from jichitai.entrypoints.web.drafts_views import (
    NOTICE_LABELS,
    STATUS_LABELS,
    application_form,
    filed_items,
    header_items,
    items_of,
    local_time,
    named_residents,
    persons,
    process_label,
    queue_row,
)
from jichitai.entrypoints.web.refs import PersonRefs
from jichitai.entrypoints.web.routes_notices import printable
from jichitai.entrypoints.web.session import Counter, CurrentCounter, PostedForm, app_of
from jichitai.entrypoints.web.templating import (
    NO_PROBLEMS,
    Problems,
    for_the_form,
    page,
    problems_of,
    refusal,
)
from jichitai.entrypoints.web.views import row
from jichitai.services.audit import Operation, Outcome
from jichitai.services.ports import receipt_number
from jichitai.services.register import ChangeResult
from jichitai.services.register_access import Shown

router = APIRouter(prefix="/ui", include_in_schema=False)

DraftId = Annotated[str, Path(pattern=r"^[0-9a-f-]{36}$")]
PDF_HEADERS = {
    "Cache-Control": "no-store",
    "Pragma": "no-cache",
    "Content-Disposition": 'inline; filename="application-form.pdf"',
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}


def _refs(request: Request) -> PersonRefs:
    refs: PersonRefs = request.app.state.person_refs
    return refs


@router.get("/drafts")
def queue(
    request: Request,
    counter: CurrentCounter,
    discarded: int = 0,
    returned: int = 0,
    resubmitted: int = 0,
    number: str = "",
) -> HTMLResponse:
    """The drafts waiting for review, and below them those sent back (差戻し): a clerk sees
    the ones they entered, to resubmit or discard; a reviewer sees every one. ``number``, a
    受付番号 as read out (「123」, 「000123」, full-width digits too), keeps only that draft."""
    actor = counter.actor
    staff = app_of(request).register_access
    try:
        wanted, invalid = inbound_text.read_receipt_number(number, "number"), False
    except InvalidValue:
        wanted, invalid = None, True
    views = staff.drafts(actor)
    sent_back = staff.drafts(actor, status="returned")
    if wanted is not None:
        views = [v for v in views if v.draft.number == wanted]
        sent_back = [v for v in sent_back if v.draft.number == wanted]
    named = [n for v in (*views, *sent_back) for n in named_residents(v.command)]
    names = staff.names(actor, list(dict.fromkeys(named)), target="drafts")
    return page(
        request,
        "drafts/list.html",
        counter,
        number=number[:20],
        number_wanted=receipt_number(wanted) if wanted is not None else "",
        number_invalid=invalid,
        drafts=[queue_row(v, actor.login, names) for v in views],
        returned_drafts=[
            queue_row(v, actor.login, names) | {"comment": v.draft.return_comment}
            for v in sent_back
        ],
        reviewer=actor.may(Permission.APPROVE_DRAFT),
        discarded=discarded == 1,
        returned=returned == 1,
        resubmitted=resubmitted == 1,
    )


@router.get("/drafts/{draft_id}")
def draft_page(request: Request, draft_id: DraftId, counter: CurrentCounter) -> HTMLResponse:
    return _detail(request, counter, draft_id)


@router.post("/drafts/{draft_id}/approve", summary="仮登録の本登録（承認）")
def approve(request: Request, draft_id: DraftId, posted: PostedForm) -> HTMLResponse:
    """本登録. The four-eyes and role refusals are pages of their own (and logged); a rule that
    fails now, or an alert not yet acknowledged, shows on the draft's page."""
    counter = posted.counter
    app = app_of(request)
    acknowledged = frozenset(a for a in posted.all("acknowledged") if a and len(a) <= 100)
    try:
        result = app.register_access.approve_draft(
            counter.actor, draft_id, acknowledged=acknowledged
        )
    except DomainError as e:
        if not for_the_form(e):
            raise
        return _detail(request, counter, draft_id, refused=refusal(e, []), status=422)
    return page(
        request,
        "drafts/approved.html",
        counter,
        draft_id=draft_id,
        result=result,
        filed=filed_items(app.register_access.draft(counter.actor, draft_id).command),
        reason=_reason_label(result.reason),
        notices=[NOTICE_LABELS.get(n, n) for n in result.notices],
        printable=printable(request, counter, result.event_id),
        persons=_recorded_persons(request, counter.actor, result),
    )


@router.post("/drafts/{draft_id}/return", summary="仮登録の差戻し")
def send_back(request: Request, draft_id: DraftId, posted: PostedForm) -> Response:
    """差戻し: back to its clerk with the reviewer's comment and the reasons approval met."""
    counter = posted.counter
    try:
        app_of(request).register_access.return_draft(
            counter.actor, draft_id, posted.get("comment", "")
        )
    except DomainError as e:
        if not for_the_form(e):
            raise
        about_comment = all(v.field == "comment" for v in e.violations)
        return _detail(
            request,
            counter,
            draft_id,
            refused=None if about_comment else refusal(e, []),
            comment=posted.get("comment", ""),
            comment_problems=refusal(e, ["comment"]) if about_comment else NO_PROBLEMS,
            status=422,
        )
    return RedirectResponse("/ui/drafts?returned=1", status_code=303)


@router.post("/drafts/{draft_id}/resubmit", summary="差し戻された仮登録の再提出")
def resubmit(request: Request, draft_id: DraftId, posted: PostedForm) -> Response:
    """A draft sent back, submitted again as it stands: every rule must hold now."""
    counter = posted.counter
    try:
        app_of(request).register_access.resubmit_draft(counter.actor, draft_id)
    except DomainError as e:
        if not for_the_form(e):
            raise
        return _detail(request, counter, draft_id, refused=refusal(e, []), status=422)
    return RedirectResponse("/ui/drafts?resubmitted=1", status_code=303)


@router.get("/drafts/{draft_id}/discard")
def discard_confirmation(
    request: Request, draft_id: DraftId, counter: CurrentCounter
) -> HTMLResponse:
    staff = app_of(request).register_access
    view = staff.draft(counter.actor, draft_id)
    names = staff.names(counter.actor, named_residents(view.command), target=f"draft:{draft_id}")
    return page(
        request,
        "drafts/discard.html",
        counter,
        draft=queue_row(view, counter.actor.login, names),
        pending=view.draft.status in ("pending", "returned"),
    )


@router.post("/drafts/{draft_id}/discard", summary="仮登録の破棄")
def discard(request: Request, draft_id: DraftId, posted: PostedForm) -> Response:
    counter = posted.counter
    try:
        app_of(request).register_access.discard_draft(counter.actor, draft_id)
    except DomainError as e:
        if not for_the_form(e):
            raise
        return _detail(request, counter, draft_id, refused=refusal(e, []), status=422)
    return RedirectResponse("/ui/drafts?discarded=1", status_code=303)


@router.get("/drafts/{draft_id}/form.pdf")
def form_pdf(request: Request, draft_id: DraftId, counter: CurrentCounter) -> Response:
    """The 住民異動届 to sign: from the check's records when it passes (names of residents the
    draft names by number included), else from the draft alone."""
    app = app_of(request)
    actor = counter.actor
    view = app.register_access.draft(actor, draft_id)
    plan = _check(request, actor, draft_id)[0] if view.draft.status == "pending" else None
    form = application_form(
        view, plan, _lookup(request, actor), counter.municipality_name, app.clock.today()
    )
    document = app.application_forms.pdf(actor, form)
    return Response(document, media_type="application/pdf", headers=PDF_HEADERS)


# --- helpers ---------------------------------------------------------------------------------


def _check(request: Request, actor: Actor, draft_id: str) -> tuple[ChangePlan | None, Problems]:
    """What approving now would do, or why it would be refused. A refusal of who asks (a
    suppression) is shown with the draft rather than instead of it, and logged as the error
    handler would have."""
    app = app_of(request)
    try:
        return app.register_access.check_draft(actor, draft_id).plan, NO_PROBLEMS
    except DomainError as e:
        if not for_the_form(e):
            app.access_log.record(
                actor,
                Operation.CHECK_DRAFT,
                target=f"draft:{draft_id}",
                outcome=Outcome.REFUSED,
                detail=e.code,
            )
        return None, problems_of(e.violations, [])


def _detail(
    request: Request,
    counter: Counter,
    draft_id: str,
    *,
    refused: Problems | None = None,
    comment: str = "",
    comment_problems: Problems = NO_PROBLEMS,
    status: int = 200,
) -> HTMLResponse:
    app = app_of(request)
    actor = counter.actor
    view = app.register_access.draft(actor, draft_id)
    draft = view.draft
    pending = draft.status == "pending"
    returned = draft.status == "returned"
    plan, check = _check(request, actor, draft_id) if pending else (None, NO_PROBLEMS)
    if refused is not None:
        check = refused
    refs = _refs(request)
    people = [
        p | {"ref": refs.ref(actor.login, p["atena_number"]) if p["atena_number"] else None}
        for p in persons(view.command, plan, _lookup(request, actor))
    ]
    reviewer = actor.may(Permission.APPROVE_DRAFT)
    own = actor.login == draft.operator or actor.login in draft.editors
    return page(
        request,
        "drafts/detail.html",
        counter,
        status=status,
        draft=draft,
        status_label=STATUS_LABELS.get(draft.status, draft.status),
        created=local_time(draft.created_at),
        updated=local_time(draft.updated_at),
        process=process_label(view.command),
        reason=plan.reason.label if plan else "",
        header=header_items(view.command),
        items=items_of(
            view.command,
            names={
                p["atena_number"]: p["name"]
                for p in people
                if p["atena_number"] and p["birth_date"]
            },
        ),
        persons=people,
        pending=pending,
        plan=plan,
        check=check,
        notices=[NOTICE_LABELS.get(n.value, n.value) for n in plan.notices] if plan else [],
        reviewer=reviewer,
        own=own,
        may_approve=pending and reviewer and not own and not check.count,
        may_return=pending and reviewer and not own,
        may_resubmit=returned and (reviewer or actor.login == draft.operator),
        may_discard=(pending or returned) and (reviewer or own),
        returned=returned,
        return_reasons=draft.return_reasons,
        comment=comment,
        comment_problems=comment_problems,
    )


def _lookup(request: Request, actor: Actor) -> Callable[[str], Shown | None]:
    """A resident's current record read through the register-access façade (permission, suppression,
    masking, access log), or None when it may not be shown."""
    staff = app_of(request).register_access

    def read(atena_number: str) -> Shown | None:
        if not actor.may(Permission.VIEW):
            return None
        try:
            return staff.record(actor, atena_number)
        except DomainError:
            return None

    return read


def _reason_label(reason: str) -> str:
    try:
        return ChangeReason(reason).label
    except ValueError:
        return reason


def _recorded_persons(request: Request, actor: Actor, result: ChangeResult) -> list[dict[str, Any]]:
    """The persons the approval wrote, each with a link to their page; names from their
    households as they now stand (a household that cannot be shown leaves the number only)."""
    app = app_of(request)
    refs = _refs(request)
    names: dict[str, dict[str, Any]] = {}
    for household in result.households:
        try:
            members = app.register_access.household(actor, household)
        except DomainError:
            continue
        for member in members:
            names[member.record.atena_number.value] = row(member)
    return [
        {
            "atena_number": number,
            "ref": refs.ref(actor.login, number),
            "name": names[number]["name"] if number in names else "",
            "relationship": names[number]["relationship"] if number in names else "",
            "address": names[number]["address"] if number in names else "",
        }
        for number in result.atena_numbers
    ]
