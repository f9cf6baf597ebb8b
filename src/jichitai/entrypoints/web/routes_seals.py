"""印鑑登録 at the counter: a person's registration in force and its events, registering a seal
(the impression uploaded as a file), recording 亡失 or 廃止, and the impression image.

The page is a view (照会) of the person: alerts of their settings for 照会 are confirmed first and
carried along (``view_ack``). The upload is ``multipart/form-data``: ``PostedForm`` keeps its text
fields and checks the session and CSRF token; the file is read from the same (cached) form.
The impression is served by its 登録番号 — the card's number, not personal data — except on a page
opened after confirming alerts, which embeds it (an image request cannot carry the
confirmation).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from jichitai.domain.access.roles import Permission
from jichitai.domain.common.dates import format_wareki, parse_japanese_date
from jichitai.domain.errors import DomainError, Violation
from jichitai.domain.inbound.text import SEAL_NOTES
from jichitai.domain.seals.registration import END_LABELS
from jichitai.entrypoints.web.certificates_views import data_uri
from jichitai.entrypoints.web.refs import PersonRefs
from jichitai.entrypoints.web.routes_certificates import acknowledge_page
from jichitai.entrypoints.web.session import Counter, CurrentCounter, Posted, PostedForm, app_of
from jichitai.entrypoints.web.templating import (
    NO_PROBLEMS,
    SECURITY_HEADERS,
    Problems,
    for_the_form,
    page,
    problems_of,
    refusal,
)
from jichitai.entrypoints.web.views import FLAG_MESSAGES, row
from jichitai.services.seals import COUNTER_ENDS

router = APIRouter(prefix="/ui", include_in_schema=False)

REGISTER_FIELDS = ("image", "adult_ward", "representative_present", "notes")
END_FIELDS = ("reason", "on", "end_notes")
STATUS_LABELS = {"active": "登録中", "lost": "亡失", "abolished": "廃止"}
RegistrationPath = Annotated[str, Path(pattern=r"^\d{8}$")]


def _refs(request: Request) -> PersonRefs:
    refs: PersonRefs = request.app.state.person_refs
    return refs


def _acks(posted: Posted, name: str) -> frozenset[str]:
    return frozenset(code for code in posted.all(name) if code)


@router.get("/seals/images/{registration_number}")
def seal_image(
    request: Request, registration_number: RegistrationPath, counter: CurrentCounter
) -> Response:
    png = app_of(request).seals.image(counter.actor, registration_number)
    return Response(png, media_type="image/png", headers=SECURITY_HEADERS)


@router.get("/seals/{ref}")
def seals(request: Request, ref: str, counter: CurrentCounter) -> Response:
    return seal_page(request, counter, ref, frozenset())


@router.post("/seals/{ref}", summary="印鑑登録の画面の表示（注意事項の確認後）")
def seals_acknowledged(request: Request, ref: str, posted: PostedForm) -> Response:
    """The page after the clerk confirmed the alerts of the view."""
    return seal_page(request, posted.counter, ref, _acks(posted, "view_ack"))


def seal_page(
    request: Request,
    counter: Counter,
    ref: str,
    view_ack: frozenset[str],
    *,
    problems: Problems = NO_PROBLEMS,
    end_problems: Problems = NO_PROBLEMS,
    typed: dict[str, str] | None = None,
    acknowledged: frozenset[str] = frozenset(),
    done: str = "",
    status: int = 200,
) -> Response:
    app = app_of(request)
    actor = counter.actor
    atena = _refs(request).atena_number(actor.login, ref)
    try:
        shown = app.register_access.record(actor, atena, acknowledged=view_ack)
        found = app.seals.of_person(actor, atena, acknowledged=view_ack)
    except DomainError as e:
        if all(not v.is_error for v in e.violations):
            return acknowledge_page(
                request, counter, f"/ui/seals/{ref}", ref, e.violations, view_ack
            )
        raise
    active = found.active
    image = ""
    if active is not None:
        image = (
            data_uri(app.seals.image(actor, active.registration_number, acknowledged=view_ack))
            if view_ack
            else f"/ui/seals/images/{active.registration_number}"
        )
    return page(
        request,
        "seals/person.html",
        counter,
        status=status,
        ref=ref,
        person=row(shown),
        warnings=[FLAG_MESSAGES.get(f, f) for f in shown.flags],
        active=active,
        image=image,
        registrations=found.registrations,
        events=found.events,
        status_labels=STATUS_LABELS,
        end_labels=END_LABELS,
        end_reasons=[(r.value, END_LABELS[r]) for r in COUNTER_ENDS],
        may_register=counter.may(Permission.REGISTER_SEAL),
        view_ack=sorted(view_ack),
        acknowledged=sorted(acknowledged - {v.code for v in problems.alerts}),
        problems=problems,
        end_problems=end_problems,
        typed=typed or {},
        done=done,
    )


def _form_status(error: DomainError) -> int:
    return 409 if all(not v.is_error for v in error.violations) else 422


# --- registering ------------------------------------------------------------------------------


@router.post("/seals/{ref}/register", summary="印鑑登録")
async def register(request: Request, ref: str, posted: PostedForm) -> Response:
    form = await request.form()  # parsed once: PostedForm read the same form
    try:
        upload = form.get("image")
        data = await upload.read() if isinstance(upload, UploadFile) else b""
    finally:
        await form.close()  # the upload's temporary file
    return await run_in_threadpool(_register, request, ref, posted, data)


def _register(request: Request, ref: str, posted: Posted, data: bytes) -> Response:
    counter = posted.counter
    actor = counter.actor
    actor.require(Permission.REGISTER_SEAL)
    atena = _refs(request).atena_number(actor.login, ref)
    view_ack = _acks(posted, "view_ack")
    notes = posted.get("notes")  # as typed: the rule trims it, as for the API
    typed = {name: posted.get(name) for name in ("adult_ward", "representative_present")}
    typed["notes"] = notes
    faults: list[Violation] = []
    if not data:
        faults.append(
            Violation("seal.image_required", "印影の画像ファイルを選択してください", "image")
        )
    try:  # the rule the service applies, told next to the field with the other faults
        notes = SEAL_NOTES.read(notes, "notes")
    except DomainError as e:
        faults.extend(e.violations)
    if faults:
        return seal_page(
            request,
            counter,
            ref,
            view_ack,
            problems=problems_of(faults, REGISTER_FIELDS),
            typed=typed,
            status=422,
        )
    try:
        registration = app_of(request).seals.register(
            actor,
            atena,
            data,
            adult_ward=posted.get("adult_ward") == "on",
            representative_present=posted.get("representative_present") == "on",
            notes=notes,
            acknowledged=_acks(posted, "acknowledged"),
        )
    except DomainError as e:
        if not for_the_form(e):
            raise
        return seal_page(
            request,
            counter,
            ref,
            view_ack,
            problems=refusal(e, REGISTER_FIELDS),
            typed=typed,
            acknowledged=_acks(posted, "acknowledged"),
            status=_form_status(e),
        )
    return seal_page(
        request,
        counter,
        ref,
        view_ack,
        done=f"印鑑を登録しました。登録番号（印鑑登録証の番号）は {registration.registration_number} です。",
    )


# --- 亡失・廃止 -----------------------------------------------------------------------------------


@router.post("/seals/{ref}/end", summary="印鑑登録の亡失・廃止")
def end(request: Request, ref: str, posted: PostedForm) -> Response:
    counter = posted.counter
    actor = counter.actor
    actor.require(Permission.REGISTER_SEAL)
    atena = _refs(request).atena_number(actor.login, ref)
    view_ack = _acks(posted, "view_ack")
    reason_text = posted.get("reason")
    on_text = posted.get("on").strip()
    notes = posted.get("end_notes")  # as typed: the rule trims it, as for the API
    typed = {"reason": reason_text, "on": on_text, "end_notes": notes}
    faults: list[Violation] = []
    reason = next((r for r in COUNTER_ENDS if r.value == reason_text), None)
    if reason is None:
        faults.append(Violation("seal.end_reason", "亡失か廃止かを選択してください", "reason"))
    on: date | None = None
    if on_text:
        try:
            on = parse_japanese_date(on_text, field="on")
        except DomainError as e:
            faults.extend(e.violations)
    try:
        notes = SEAL_NOTES.read(notes, "end_notes")
    except DomainError as e:
        faults.extend(e.violations)
    active = app_of(request).seals.of_person(actor, atena, acknowledged=view_ack).active
    if active is None:
        faults.append(Violation("seal.not_active", "この方には登録中の印鑑がありません", None))
    if faults or reason is None or active is None:
        return seal_page(
            request,
            counter,
            ref,
            view_ack,
            end_problems=problems_of(faults, END_FIELDS),
            typed=typed,
            status=422,
        )
    try:
        ended = app_of(request).seals.end(
            actor, active.registration_number, reason, on=on, notes=notes
        )
    except DomainError as e:
        if not for_the_form(e):
            raise
        return seal_page(
            request,
            counter,
            ref,
            view_ack,
            end_problems=refusal(e, END_FIELDS),
            typed=typed,
            status=_form_status(e),
        )
    on_day = format_wareki(ended.ended_on) if ended.ended_on else ""
    return seal_page(
        request,
        counter,
        ref,
        view_ack,
        done=f"登録番号 {ended.registration_number} の{END_LABELS[reason]}（{on_day}）を記録しました。",
    )
