"""Certificates at the counter: choose, preview, issue, re-issue from the person's issue
history, the day's issue history, and checking a 確認コード.

The form is reached from the resident's page (``/ui/certificates/new?ref=…``); every later step
is posted with the choices carried along, so no 宛名番号 or name ever lands in a URL. The
preview is the service's own lay-out of the sheets (same rights and suppression checks, nothing
recorded as issued). The issue answers a page 「発行しました」 naming the copy (発行番号,
確認コード, 通数 and 手数料), in place of the preview; the signed PDF it made is held for the
clerk a few minutes (``issued_copies.py``) and opened from that page, never drawn again. A
re-issue answers its PDF itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, Response

from jichitai.domain.access.actor import Forbidden
from jichitai.domain.access.disclosure import sees_individual_numbers
from jichitai.domain.access.roles import Permission
from jichitai.domain.certificates.issue_numbers import grouped
from jichitai.domain.errors import ConflictError, DomainError, NotFound, Violation
from jichitai.entrypoints.web.certificates_forms import (
    CERTIFIER_CHOICES,
    COPIES_MAX,
    FIELDS,
    ITEM_LABELS,
    KIND_CHOICES,
    REQUESTER_CHOICES,
    SCOPE_CHOSEN,
    SCOPE_HOUSEHOLD,
    CertificateOptions,
    default_options,
    read_options,
    read_reason,
)
from jichitai.entrypoints.web.certificates_views import issue_rows, sheet_views
from jichitai.entrypoints.web.issued_copies import IssuedCopies
from jichitai.entrypoints.web.refs import PersonRefs
from jichitai.entrypoints.web.session import (
    Counter,
    CurrentCounter,
    Posted,
    PostedForm,
    app_of,
    new_form_token,
)
from jichitai.entrypoints.web.templating import (
    NO_PROBLEMS,
    Problems,
    for_the_form,
    one_problem,
    page,
    refusal,
)
from jichitai.entrypoints.web.views import FLAG_MESSAGES, row
from jichitai.services.audit import Operation
from jichitai.services.certificates import CertificateRequest, Issued, Verification

router = APIRouter(prefix="/ui", include_in_schema=False)

RefQuery = Annotated[str, Query(max_length=500)]
REASON_FIELDS = ("issue_code", "reason")
PDF_HEADERS = {
    "Cache-Control": "no-store",
    "Pragma": "no-cache",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}


def _refs(request: Request) -> PersonRefs:
    refs: PersonRefs = request.app.state.person_refs
    return refs


def _held(request: Request) -> IssuedCopies:
    held: IssuedCopies = request.app.state.issued_copies
    return held


def _fields_of(counter: Counter) -> tuple[str, ...]:
    """The fields this user's form has (the My Number's box only for those who may see it)."""
    if sees_individual_numbers(counter.actor):
        return FIELDS
    return tuple(f for f in FIELDS if f != "items.individual_number")


def _acks(posted: Posted, name: str) -> frozenset[str]:
    return frozenset(code for code in posted.all(name) if code)


# --- the form --------------------------------------------------------------------------------


@router.get("/certificates/new")
def new_certificate(request: Request, counter: CurrentCounter, ref: RefQuery = "") -> Response:
    counter.actor.require(Permission.ISSUE)
    if not ref:
        raise NotFound(
            Violation(
                "counter.ref_required",
                "証明書を発行する方を住民検索で探し、その方の画面から開いてください",
                "ref",
            )
        )
    return form_page(request, counter, ref, None, frozenset())


@router.post("/certificates/new", summary="証明書の交付の入力")
def certificate_form(request: Request, posted: PostedForm) -> Response:
    """The form again: after confirming the alerts of a view, or back from the preview with
    the choices kept."""
    posted.counter.actor.require(Permission.ISSUE)
    options = read_options(posted)[0] if posted.get("kind") else None
    return form_page(
        request,
        posted.counter,
        posted.get("ref"),
        options,
        _acks(posted, "view_ack"),
        acknowledged=_acks(posted, "acknowledged"),
    )


def form_page(
    request: Request,
    counter: Counter,
    ref: str,
    options: CertificateOptions | None,
    view_ack: frozenset[str],
    *,
    acknowledged: frozenset[str] = frozenset(),
    problems: Problems = NO_PROBLEMS,
    reissue_problems: Problems = NO_PROBLEMS,
    reissue: tuple[str, str] = ("", ""),
    notice: str = "",
    status: int = 200,
) -> Response:
    """The person, their household to choose from, the options, and their issue history.

    Reading the person and the household is a view (照会): its suppression alerts are confirmed
    first, on a page of their own, and carried along as ``view_ack``.
    """
    app = app_of(request)
    actor = counter.actor
    refs = _refs(request)
    atena = refs.atena_number(actor.login, ref)
    try:
        shown = app.register_access.record(actor, atena, acknowledged=view_ack)
        household = app.register_access.household(
            actor, shown.record.household_number.value, acknowledged=view_ack
        )
    except DomainError as e:
        if all(not v.is_error for v in e.violations):
            return acknowledge_page(
                request, counter, "/ui/certificates/new", ref, e.violations, view_ack
            )
        raise
    members = [
        row(m) | {"ref": refs.ref(actor.login, m.record.atena_number.value)} for m in household
    ]
    if not any(m["atena_number"] == atena for m in members):
        members.insert(0, row(shown) | {"ref": ref})
    chosen = options or default_options(ref, shown.record.is_removed)
    history = app.certificates.history(actor, atena)
    return page(
        request,
        "certificates/new.html",
        counter,
        status=status,
        ref=ref,
        person=row(shown),
        warnings=[FLAG_MESSAGES.get(f, f) for f in shown.flags],
        members=members,
        options=chosen,
        chosen=_atenas(refs, actor.login, chosen.members),
        kinds=KIND_CHOICES,
        certifier_choices=CERTIFIER_CHOICES,
        requester_choices=REQUESTER_CHOICES,
        copies_max=COPIES_MAX,
        item_labels=ITEM_LABELS,
        scope_household=SCOPE_HOUSEHOLD,
        scope_chosen=SCOPE_CHOSEN,
        may_see_number=sees_individual_numbers(counter.actor),
        view_ack=sorted(view_ack),
        acknowledged=_kept(acknowledged, problems),
        reissue_acknowledged=_kept(acknowledged, reissue_problems),
        problems=problems,
        issues=issue_rows(history, lambda a: refs.ref(actor.login, a)),
        reissue_problems=reissue_problems,
        reissue_code=reissue[0],
        reissue_reason=reissue[1],
        notice=notice,
    )


def _atenas(refs: PersonRefs, login: str, chosen: Iterable[str]) -> set[str]:
    """The 宛名番号s behind refs (each ref of a person differs: it is encrypted afresh)."""
    return {refs.atena_number(login, r) for r in chosen}


def _kept(acknowledged: frozenset[str], problems: Problems) -> list[str]:
    """Alerts confirmed earlier that are not asked again (carried as hidden fields)."""
    asked = {v.code for v in problems.alerts}
    return sorted(acknowledged - asked)


def acknowledge_page(
    request: Request,
    counter: Counter,
    action: str,
    ref: str,
    alerts: Iterable[Violation],
    view_ack: frozenset[str],
) -> HTMLResponse:
    return page(
        request,
        "certificates/acknowledge.html",
        counter,
        status=409,
        action=action,
        ref=ref,
        alerts=list(alerts),
        view_ack=sorted(view_ack),
    )


# --- preview, issue and re-issue -------------------------------------------------------------


def _refused(
    request: Request,
    posted: Posted,
    error: DomainError,
    options: CertificateOptions,
    *,
    reissue: tuple[str, str] | None = None,
) -> Response:
    """A refusal shown on the form, next to the field it names. A right the role lacks for an
    item or a kind (``certificate.item_forbidden``) is told there too, and logged as a refusal
    as the error pages are; other refusals of who or what get the error page."""
    counter = posted.counter
    forbidden_item = isinstance(error, Forbidden) and error.code == "certificate.item_forbidden"
    if not forbidden_item and not for_the_form(error):
        raise error
    if forbidden_item:
        app_of(request).access_log.record(
            counter.actor,
            Operation.REFUSED,
            target=f"{request.method} {request.url.path}",
            outcome="refused",
            detail=f"403 {error.code}",
        )
    asks_again = isinstance(error, ConflictError) or all(not v.is_error for v in error.violations)
    status = 403 if forbidden_item else 409 if asks_again else 422
    on_form = refusal(error, _fields_of(counter)) if reissue is None else NO_PROBLEMS
    on_reissue = refusal(error, REASON_FIELDS) if reissue is not None else NO_PROBLEMS
    return form_page(
        request,
        counter,
        posted.get("ref"),
        options,
        _acks(posted, "view_ack"),
        acknowledged=_acks(posted, "acknowledged"),
        problems=on_form,
        reissue_problems=on_reissue,
        reissue=reissue or ("", ""),
        status=status,
    )


def _asked(
    request: Request, posted: Posted
) -> tuple[CertificateOptions, CertificateRequest] | Response:
    """The choices posted as the request ``preview`` / ``issue`` take (the person, the alerts
    confirmed, the options), or the form again telling what is wrong with them."""
    counter = posted.counter
    actor = counter.actor
    actor.require(Permission.ISSUE)
    options, problems = read_options(posted)
    ref = posted.get("ref")
    acknowledged = _acks(posted, "acknowledged")
    if problems:
        return form_page(
            request,
            counter,
            ref,
            options,
            _acks(posted, "view_ack"),
            acknowledged=acknowledged,
            problems=problems,
            status=422,
        )
    refs = _refs(request)
    asked = options.service_request(
        refs.atena_number(actor.login, ref),
        acknowledged,
        lambda r: refs.atena_number(actor.login, r),
    )
    return options, asked


@router.post("/certificates/preview", summary="証明書のプレビュー")
def preview(request: Request, posted: PostedForm) -> Response:
    asked = _asked(request, posted)
    if isinstance(asked, Response):
        return asked
    options, arguments = asked
    counter = posted.counter
    try:
        laid = app_of(request).certificates.preview(counter.actor, arguments)
    except DomainError as e:
        return _refused(request, posted, e, options)
    return page(
        request,
        "certificates/preview.html",
        counter,
        ref=posted.get("ref"),
        options=options,
        hidden=options.hidden(),
        view_ack=sorted(_acks(posted, "view_ack")),
        acknowledged=sorted(arguments.acknowledged),
        issue_token=new_form_token(),
        title=laid.title,
        certified_by=laid.certified_by,
        fee=laid.fee,
        overflows=laid.overflows,
        overflow_blanked=laid.overflow_blanked,
        sheets=sheet_views(laid.sheets, laid.impressions),
        person_count=len(laid.persons),
    )


def _pdf(issued: Issued) -> Response:
    """The copy, opened by the browser (it is made once: no cache may keep it)."""
    return Response(
        issued.pdf,
        media_type="application/pdf",
        headers={
            **PDF_HEADERS,
            "Content-Disposition": f'inline; filename="{issued.code}.pdf"',
            "X-Jichitai-Issue-Code": issued.code,
            "X-Jichitai-Pages": str(issued.file_pages),
        },
    )


@router.post("/certificates/issue", summary="証明書の発行")
def issue(request: Request, posted: PostedForm) -> Response:
    """The copy issued, and a page saying so: the clerk opens its PDF from there."""
    asked = _asked(request, posted)
    if isinstance(asked, Response):
        return asked
    options, arguments = asked
    counter = posted.counter
    try:
        issued = app_of(request).certificates.issue(
            counter.actor, arguments, idempotency_key=posted.get("issue_token") or None
        )
    except DomainError as e:
        return _refused(request, posted, e, options)
    held = _held(request)
    token = held.keep(counter.actor.login, counter.session_id, issued)
    return page(
        request,
        "certificates/issued.html",
        counter,
        # The page links to the held PDF: no cache keeps it, no Referer carries the link.
        headers={**PDF_HEADERS, "X-Jichitai-Issue-Code": issued.code},
        ref=posted.get("ref"),
        issued=issued,
        code=grouped(issued.code),
        pdf_url=f"/ui/certificates/issued/{token}",
        minutes=held.lifetime_minutes,
    )


@router.get("/certificates/issued/{token}")
def issued_pdf(
    request: Request, counter: CurrentCounter, token: Annotated[str, Path(max_length=100)]
) -> Response:
    """The PDF just issued, as it was made (not drawn again), for the clerk's own session and
    only for a few minutes."""
    counter.actor.require(Permission.ISSUE)
    found = _held(request).opened(counter.actor.login, counter.session_id, token)
    if found is None:
        raise NotFound(
            Violation(
                "certificate.issued_pdf_gone",
                "このPDFはもう開けません（発行から時間が経ったか、別の職員・別のログインで"
                "発行したものです）。必要なら発行履歴から再印刷してください",
                "token",
            )
        )
    return _pdf(found)


@dataclass(frozen=True, slots=True)
class _ChosenCopy:
    """A copy chosen from the person's issue history, the reason given, and the form's state."""

    code: str
    reason: str
    options: CertificateOptions | None
    view_ack: frozenset[str]
    acknowledged: frozenset[str]


def _chosen_copy(request: Request, posted: Posted, action: str) -> _ChosenCopy | Response:
    """The copy to re-issue or dispose of and why, or the form again telling what is missing."""
    counter = posted.counter
    actor = counter.actor
    actor.require(Permission.ISSUE)
    code, reason, problems = read_reason(posted, action)
    ref = posted.get("ref")
    _refs(request).atena_number(actor.login, ref)  # the page was this clerk's
    options = read_options(posted)[0] if posted.get("kind") else None
    chosen = _ChosenCopy(
        code, reason, options, _acks(posted, "view_ack"), _acks(posted, "acknowledged")
    )
    if not problems:
        return chosen
    return form_page(
        request,
        counter,
        ref,
        options,
        chosen.view_ack,
        acknowledged=chosen.acknowledged,
        reissue_problems=problems,
        reissue=(code, posted.get("reason")),
        status=422,
    )


@router.post("/certificates/reissue", summary="証明書の再発行・再印刷")
def reissue(request: Request, posted: PostedForm) -> Response:
    """再交付・再印刷 of a copy chosen from the person's issue history."""
    chosen = _chosen_copy(request, posted, "再交付")
    if isinstance(chosen, Response):
        return chosen
    try:
        issued = app_of(request).certificates.reissue(
            posted.counter.actor, chosen.code, chosen.reason, acknowledged=chosen.acknowledged
        )
    except DomainError as e:
        options = chosen.options or CertificateOptions()
        return _refused(request, posted, e, options, reissue=(chosen.code, chosen.reason))
    return _pdf(issued)


@router.post("/certificates/dispose", summary="誤って発行した証明書の処分の記録")
def dispose(request: Request, posted: PostedForm) -> Response:
    """処分: a copy chosen from the person's issue history, issued by mistake and destroyed."""
    chosen = _chosen_copy(request, posted, "処分")
    if isinstance(chosen, Response):
        return chosen
    try:
        disposed = app_of(request).certificates.dispose(
            posted.counter.actor, chosen.code, chosen.reason
        )
    except DomainError as e:
        options = chosen.options or CertificateOptions()
        return _refused(request, posted, e, options, reissue=(chosen.code, chosen.reason))
    return form_page(
        request,
        posted.counter,
        posted.get("ref"),
        chosen.options,
        chosen.view_ack,
        acknowledged=chosen.acknowledged,
        notice=f"確認コード {disposed.issue_code} の証明書の処分を記録しました。"
        "この証明書は無効になりました。",
    )


# --- the day's history and checking a code ---------------------------------------------------


def _day_page(
    request: Request,
    counter: Counter,
    *,
    code: str = "",
    problems: Problems = NO_PROBLEMS,
    status: int = 200,
    verification: Verification | None = None,
) -> HTMLResponse:
    app = app_of(request)
    actor = counter.actor
    today = app.clock.today()
    refs = _refs(request)
    history = app.certificates.history(actor, issued_on=today)
    return page(
        request,
        "certificates/index.html",
        counter,
        status=status,
        today=today,
        issues=issue_rows(history, lambda a: refs.ref(actor.login, a)),
        overflows=[(r, o) for r in history for o in r.overflows],
        totals=app.certificates.totals(actor, today),
        code=code,
        problems=problems,
        verification=verification,
    )


@router.get("/certificates")
def day_history(request: Request, counter: CurrentCounter) -> HTMLResponse:
    return _day_page(request, counter)


@router.post("/certificates/verify", summary="確認コードの照合")
def verify(request: Request, posted: PostedForm) -> HTMLResponse:
    """What the public ``/verify/{code}`` answers, for a code a caller reads out."""
    counter = posted.counter
    counter.actor.require(Permission.ISSUE)
    code = posted.get("code").strip()[:60]
    if not code:
        return _day_page(
            request,
            counter,
            problems=one_problem(
                "certificate.code_required", "確認コードを入力してください", "code"
            ),
            status=422,
        )
    try:
        found = app_of(request).certificates.verify_code(code)
    except DomainError as e:
        if not (isinstance(e, NotFound) or for_the_form(e)):
            raise
        faults = [Violation(v.code, v.message, "code") for v in e.violations]
        return _day_page(
            request, counter, code=code, problems=refusal(DomainError(*faults)), status=422
        )
    return _day_page(request, counter, code=code, verification=found)
