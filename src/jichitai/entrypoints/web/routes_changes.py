"""異動届の入力 (書かない窓口): the clerk enters the change with the resident at the counter.

1. ``/ui/changes/new`` (optionally ``?ref=`` from a resident's page): choose the process.
2. ``/ui/changes/new/{process}``: the form, prefilled from the person and their household. It is
   checked as the clerk types (``/ui/changes/check``: the same reading and rules as submitting,
   nothing written) and each date is echoed as understood (``/ui/changes/assist``, which also
   completes the 町字 of addresses here). 「世帯員を追加」 posts the form back with one more block.
3. ``…/confirm``: the change in plain Japanese for the resident to read (printable), with
   「修正する」 (back to the form, every value kept) and 「仮登録する」.
4. ``…/submit``: 仮登録 (a draft for a reviewer). Each rendered form carries a random
   ``form_token`` used as the idempotency key, so a double click, a resubmit with the back button
   or after logging in again makes one draft. Then ``/ui/changes/done/{draft_id}``.

Every step is a POST carrying the whole form, so an expired session keeps what was typed (the
resume page posts it again to the same step) and no personal data goes into a URL.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Annotated, NamedTuple

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from jichitai.domain.access.disclosure import sees_individual_numbers
from jichitai.domain.access.roles import Permission
from jichitai.domain.common.address import PREFECTURES
from jichitai.domain.errors import DomainError, NotFound, Violation
from jichitai.domain.residents.change_types import change_type_named
from jichitai.entrypoints.web.changes_catalogue import (
    PROCESSES,
    SECTIONS,
    build,
    dates_understood,
    live_answer,
    placed,
    process_of,
    refused,
)
from jichitai.entrypoints.web.changes_common import (
    Process,
    version_fields,
    with_member_added,
    with_member_removed,
    without_versions,
)
from jichitai.entrypoints.web.changes_layout import (
    RELATIONSHIP_TERMS,
    RESIDENCE_STATUSES,
    Context,
    Member,
)
from jichitai.entrypoints.web.changes_reader import FormReader, Values
from jichitai.entrypoints.web.changes_summary import summarise
from jichitai.entrypoints.web.refs import PersonRefs
from jichitai.entrypoints.web.session import (
    CSRF_FIELD,
    Counter,
    CurrentCounter,
    PostedForm,
    app_of,
    new_form_token,
)
from jichitai.entrypoints.web.templating import (
    NO_PROBLEMS,
    SECURITY_HEADERS,
    Problems,
    for_the_form,
    page,
)
from jichitai.entrypoints.web.views import row

router = APIRouter(prefix="/ui", include_in_schema=False)

TOWN_SUGGESTIONS = 80
_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")
_ACTIONS = re.compile(r"add_member|remove_member:\d{1,2}|new_token")
_TYPED_NOT_FOUND = frozenset({"cancel.event_not_found", "household.not_found"})
DraftPath = Annotated[str, Path(pattern=r"^[0-9a-f-]{36}$")]


class Town(NamedTuple):
    """A 町字 offered for completion, with its 郵便番号 (「100-0013」) when the master has it."""

    name: str
    postcode: str


class NeedsAcknowledgement(Exception):
    """Reading the person the form is for raised alerts the clerk must confirm first."""

    def __init__(self, alerts: tuple[Violation, ...]) -> None:
        super().__init__("acknowledgement needed")
        self.alerts = alerts


# --- context ----------------------------------------------------------------------------------


def _refs(request: Request) -> PersonRefs:
    refs: PersonRefs = request.app.state.person_refs
    return refs


def _place(counter: Counter) -> tuple[str, str]:
    """The municipality's prefecture and city, as its own addresses start."""
    code = counter.actor.municipality_code
    prefecture = (
        PREFECTURES[int(code[:2]) - 1] if code[:2].isdigit() and 1 <= int(code[:2]) <= 47 else ""
    )
    return prefecture, counter.municipality_name.removeprefix(prefecture)


def _towns(request: Request, counter: Counter, place: str, start: str, limit: int) -> list[Town]:
    """町字 to complete an address here: from the municipality's 町字 master with their
    郵便番号 when it has loaded one (ADR 0013), else those of the residents' addresses."""
    app = app_of(request)
    code = counter.actor.municipality_code
    found = app.town_areas.suggest(code, start, limit)
    if found is not None:
        return [Town(s.name, s.postcode_display) for s in found]
    names = app.register_overview.town_areas(counter.actor, place, start, limit=limit)
    return [Town(name, "") for name in names]


def _context(
    request: Request,
    counter: Counter,
    ref: str,
    acknowledged: frozenset[str],
    process: Process | None = None,
    *,
    history: bool = True,
) -> Context:
    """What the form is opened with; reading the person and their household (and, for a form
    choosing one of their changes, their history, unless ``history`` is False: a step that
    draws no form needs none) is logged as every read is (and may first need the clerk to
    confirm a suppression's alert)."""
    app = app_of(request)
    actor = counter.actor
    prefecture, city = _place(counter)
    today = app.clock.today()
    if not ref:
        return Context(today, prefecture, city)
    atena = _refs(request).atena_number(actor.login, ref)
    try:
        shown = app.register_access.record(actor, atena, acknowledged=acknowledged)
        household = (
            app.register_access.household(
                actor, shown.record.household_number.value, acknowledged=acknowledged
            )
            if shown.record.is_resident
            else []
        )
    except DomainError as error:
        raise _needing_acknowledgement(error) from None
    members = tuple(
        Member(
            atena=m.record.atena_number.value,
            name=m.record.name.full,
            kana=m.record.name.full_kana,
            birth=row(m)["birth_date"],
            sex=m.record.sex.label,
            relationship=m.record.relationship.text,
            is_head=m.record.is_head,
        )
        for m in household
    )
    masked = {s.record.atena_number.value: s.individual_number_masked for s in [shown, *household]}
    ctx = Context(
        today,
        prefecture,
        city,
        ref=ref,
        record=shown.record,
        members=members,
        household=tuple(m.record for m in household),
        masked_numbers=masked,
        may_view_number=sees_individual_numbers(actor),
    )
    return _with_history(request, counter, ctx, acknowledged, process) if history else ctx


def _with_history(
    request: Request,
    counter: Counter,
    ctx: Context,
    acknowledged: frozenset[str],
    process: Process | None,
) -> Context:
    """``ctx`` with the person's recorded changes, newest first, when ``process`` offers them
    (取消し): one read of the history (logged), for the step that draws the form."""
    if process is None or not process.reads_changes or ctx.record is None:
        return ctx
    try:
        changes = app_of(request).register_access.changes(
            counter.actor, ctx.atena, acknowledged=acknowledged
        )
    except DomainError as error:
        raise _needing_acknowledgement(error) from None
    return replace(ctx, changes=tuple(changes))


def _needing_acknowledgement(error: DomainError) -> Exception:
    """A refused read as the form answers it: alerts alone wait for the clerk's confirmation."""
    if error.violations and all(not v.is_error for v in error.violations):
        return NeedsAcknowledgement(error.violations)
    return error


def _light_context(request: Request, counter: Counter, values: Values) -> Context:
    """The context a check needs, from the form alone (no read of the register)."""
    prefecture, city = _place(counter)
    members = tuple(
        Member(a, "", "", "", "", "", False) for a in values.all("members") if a.isdigit()
    )
    return Context(app_of(request).clock.today(), prefecture, city, members=members)


def _values(pairs: tuple[tuple[str, str], ...]) -> Values:
    return Values(tuple((k, v) for k, v in pairs if k not in (CSRF_FIELD, "action")))


def about_the_input(error: DomainError) -> bool:
    """Whether a refusal is shown next to the fields: as the other pages decide, and also a
    number the clerk typed that names nothing (an event to cancel, a household to join)."""
    return for_the_form(error) or (isinstance(error, NotFound) and error.code in _TYPED_NOT_FOUND)


# --- pages ------------------------------------------------------------------------------------


def _acknowledge(
    request: Request, counter: Counter, action: str, ref: str, alerts: tuple[Violation, ...]
) -> HTMLResponse:
    return page(
        request,
        "changes/acknowledge.html",
        counter,
        status=409,
        action=action,
        ref=ref,
        alerts=alerts,
    )


def _person(ctx: Context) -> dict[str, str] | None:
    record = ctx.record
    if record is None:
        return None
    return {
        "name": record.name.full,
        "kana": record.name.full_kana,
        "birth": record.birth_date.display(),
        "address": record.address.display(),
        "status": record.status.label,
        "household": ctx.household_number,
        "count": str(len(ctx.members)),
    }


def _form(
    request: Request,
    counter: Counter,
    process: Process,
    ctx: Context,
    values: Values,
    *,
    problems: Problems = NO_PROBLEMS,
    status: int = 200,
    focus: str = "",
) -> HTMLResponse:
    layout = process.layout(ctx, values)
    if problems.count and not focus:
        focus = next(
            (
                f.name
                for g in layout.groups
                for f in g.fields
                if f.kind in ("text", "date", "checks") and problems.of(f.name)
            ),
            "",
        )
    pending = {a.code for a in problems.alerts}
    towns = _towns(request, counter, ctx.prefecture + ctx.city, "", TOWN_SUGGESTIONS)
    return page(
        request,
        "changes/form.html",
        counter,
        status=status,
        process=process,
        layout=layout,
        values=values,
        echo=dates_understood(layout, values),
        problems=problems,
        focus=focus,
        person=_person(ctx),
        acknowledged=[c for c in dict.fromkeys(values.all("acknowledged")) if c not in pending],
        towns=towns,
        relationship_terms=RELATIONSHIP_TERMS,
        statuses=RESIDENCE_STATUSES,
    )


@router.get("/changes/new")
def choose(request: Request, counter: CurrentCounter, ref: str = "") -> Response:
    return _choose(request, counter, ref, frozenset())


@router.post("/changes/new", summary="異動届の手続きの選択（注意事項の確認後）")
def choose_acknowledged(request: Request, posted: PostedForm) -> Response:
    return _choose(
        request, posted.counter, posted.get("ref"), frozenset(posted.all("view_acknowledged"))
    )


def _choose(request: Request, counter: Counter, ref: str, acknowledged: frozenset[str]) -> Response:
    counter.actor.require(Permission.SUBMIT_DRAFT)
    try:
        ctx = _context(request, counter, ref, acknowledged)
    except NeedsAcknowledgement as needed:
        return _acknowledge(request, counter, "/ui/changes/new", ref, needed.alerts)
    sections = [(s, [p for p in PROCESSES.values() if p.section == s]) for s in SECTIONS]
    return page(
        request,
        "changes/new.html",
        counter,
        sections=sections,
        ref=ref,
        person=_person(ctx),
        acknowledged=sorted(acknowledged),
    )


@router.get("/changes/new/{key}")
def new_form(request: Request, key: str, counter: CurrentCounter, ref: str = "") -> Response:
    return _new_form(request, counter, key, ref, frozenset())


@router.post("/changes/new/{key}", summary="異動届の入力画面の表示（{key}、注意事項の確認後）")
def new_form_acknowledged(request: Request, key: str, posted: PostedForm) -> Response:
    return _new_form(
        request,
        posted.counter,
        key,
        posted.get("ref"),
        frozenset(posted.all("view_acknowledged")),
    )


def _new_form(
    request: Request, counter: Counter, key: str, ref: str, acknowledged: frozenset[str]
) -> Response:
    counter.actor.require(Permission.SUBMIT_DRAFT)
    process = process_of(key)
    if process.needs_person and not ref:
        return RedirectResponse("/ui/changes/new", status_code=303)
    try:
        ctx = _context(request, counter, ref, acknowledged, process)
    except NeedsAcknowledgement as needed:
        return _acknowledge(request, counter, f"/ui/changes/new/{key}", ref, needed.alerts)
    fixed = [("process", key), ("form_token", new_form_token()), ("ref", ref)]
    fixed += [("view_acknowledged", code) for code in sorted(acknowledged)]
    values = Values(tuple(process.defaults(ctx)) + tuple(fixed))
    first = next(
        (
            f.name
            for g in process.layout(ctx, values).groups
            for f in g.fields
            if f.kind in ("text", "date")
        ),
        "",
    )
    return _form(request, counter, process, ctx, values, focus=first)


def _posted_context(
    request: Request, counter: Counter, values: Values, process: Process, *, history: bool = True
) -> Context:
    return _context(
        request,
        counter,
        values.get("ref"),
        frozenset(values.all("view_acknowledged")),
        process,
        history=history,
    )


@router.post("/changes/{key}/form", summary="異動届の入力（{key}）")
def redraw(request: Request, key: str, posted: PostedForm) -> Response:
    """The form again with what was posted: one member more or less, a fresh form token, or
    back from the confirmation page to correct it."""
    counter = posted.counter
    counter.actor.require(Permission.SUBMIT_DRAFT)
    process = process_of(key)
    values = _values(posted.multi)
    action = posted.get("action")
    focus = ""
    if _ACTIONS.fullmatch(action):
        if action == "add_member":
            values, focus = with_member_added(values)
        elif action == "new_token":
            values = values.replaced({"form_token": new_form_token()})
        else:
            values = with_member_removed(values, int(action.partition(":")[2]))
            focus = "add-member"
    ctx = _posted_context(request, counter, values, process)
    return _form(request, counter, process, ctx, values, focus=focus)


@router.post("/changes/{key}/confirm", summary="異動届の確認画面（{key}）")
def confirm(request: Request, key: str, posted: PostedForm) -> Response:
    counter = posted.counter
    actor = counter.actor
    actor.require(Permission.SUBMIT_DRAFT)
    process = process_of(key)
    values = without_versions(_values(posted.multi))
    reader = FormReader(values)
    # A 取消し's confirmation names the chosen change in the words of the person's history, so
    # the history is read (and logged) once here; submitting reads it only to redraw the form.
    ctx = _posted_context(request, counter, values, process)
    try:
        command = build(process, reader)
        checked = app_of(request).register_access.check_change(actor, command, shown=True)
    except DomainError as error:
        if not about_the_input(error):
            raise
        values = values.replaced(reader.normalised)
        layout = process.layout(ctx, values)
        return _form(
            request,
            counter,
            process,
            ctx,
            values,
            problems=placed(process, refused(error), layout, ctx.names),
            status=422,
        )
    # What the resident confirms is held to the register as it stands now: the draft is
    # refused if any of these persons or households changes before it is submitted.
    values = values.replaced(reader.normalised).replaced(version_fields(checked))
    before = {r.atena_number.value: r for r in (*ctx.household, *filter(None, [ctx.record]))}
    summary = summarise(
        process.label,
        command,
        checked.plan,
        before,
        ctx.masked_numbers,
        [ctx.household_number, values.get("household_number"), values.get("target_household")],
        ctx.changes,
    )
    return page(
        request,
        "changes/confirm.html",
        counter,
        process=process,
        summary=summary,
        pairs=values.pairs,
        person=_person(ctx),
    )


@router.post("/changes/{key}/submit", summary="異動届の仮登録（{key}）")
def submit(request: Request, key: str, posted: PostedForm) -> Response:
    counter = posted.counter
    actor = counter.actor
    actor.require(Permission.SUBMIT_DRAFT)
    process = process_of(key)
    values = _values(posted.multi)
    token = values.get("form_token")
    reader = FormReader(values)
    try:
        if not _TOKEN.fullmatch(token):
            raise DomainError(
                Violation(
                    "counter.form_token",
                    "この入力画面は送信できません（受付の番号がありません）。入力画面を開き直してください",
                )
            )
        command = build(process, reader)
        draft, _ = app_of(request).register_access.submit_draft(
            actor, command, idempotency_key=token
        )
    except DomainError as error:
        if not about_the_input(error):
            raise
        values = without_versions(values.replaced(reader.normalised))
        ctx = _posted_context(request, counter, values, process)
        layout = process.layout(ctx, values)
        return _form(
            request,
            counter,
            process,
            ctx,
            values,
            problems=placed(process, refused(error), layout, ctx.names),
            status=422,
        )
    ref = values.get("ref")
    target = f"/ui/changes/done/{draft.draft.draft_id}" + (f"?ref={ref}" if ref else "")
    return RedirectResponse(target, status_code=303)


@router.get("/changes/done/{draft_id}")
def done(request: Request, draft_id: DraftPath, counter: CurrentCounter, ref: str = "") -> Response:
    view = app_of(request).register_access.draft(counter.actor, draft_id)
    if ref:
        _refs(request).atena_number(counter.actor.login, ref)  # a valid reference of this user
    change_type = change_type_named(view.draft.kind)
    label = change_type.label if change_type else view.draft.kind
    return page(
        request,
        "changes/done.html",
        counter,
        draft=view.draft,
        label=label,
        ref=ref,
    )


# --- as the clerk types -----------------------------------------------------------------------


def _json(body: object) -> JSONResponse:
    return JSONResponse(body, headers=SECURITY_HEADERS)


@router.post("/changes/check", summary="異動届の入力内容の確認")
def check(request: Request, posted: PostedForm) -> JSONResponse:
    """The live check: the same reading and rules as submitting, nothing written or logged;
    every refusal is answered as messages (it is about what is being typed)."""
    counter = posted.counter
    counter.actor.require(Permission.SUBMIT_DRAFT)
    process = PROCESSES.get(posted.get("process"))
    if process is None:
        return _json({"fields": {}, "general": []})
    values = _values(posted.multi)
    layout = process.layout(_light_context(request, counter, values), values)
    reader = FormReader(values)
    try:
        command = build(process, reader)
        app_of(request).register_access.check_change(counter.actor, command)
    except DomainError as error:
        return _json(live_answer(process, refused(error), layout))
    return _json({"fields": {}, "general": []})


@router.post("/changes/assist", summary="日付・住所の入力補助")
def assist(request: Request, posted: PostedForm) -> JSONResponse:
    """Each date as understood, and the 町字 beginning with what is typed in the address field
    the clerk is in (``town``)."""
    counter = posted.counter
    counter.actor.require(Permission.SUBMIT_DRAFT)
    process = PROCESSES.get(posted.get("process"))
    values = _values(posted.multi)
    dates = {}
    if process is not None:
        layout = process.layout(_light_context(request, counter, values), values)
        dates = dates_understood(layout, values)
    town = posted.get("town").strip()[:50]
    towns: list[Town] = []
    if town:
        prefecture, city = _place(counter)
        towns = _towns(request, counter, prefecture + city, town, 30)
    return _json(
        {
            "dates": dates,
            "towns": [t.name for t in towns],
            "postcodes": {t.name: t.postcode for t in towns if t.postcode},
        }
    )
