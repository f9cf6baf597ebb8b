"""Search and a resident's page: the counter's starting point.

The search box takes what the clerk types (kana, kanji with variants, 和暦 or 西暦 birth dates,
addresses, 宛名番号 and other identifiers) and is posted, so a name never appears in a URL. A
resident's page shows the current record, the household, the history as a timeline, the seal
and the certificates issued, with suppression and DV warnings at the top. A suppression at
alert level asks the clerk to confirm before anything is shown.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from jichitai.domain.access.roles import Permission
from jichitai.domain.common.dates import format_wareki
from jichitai.domain.errors import DomainError, NotFound
from jichitai.domain.residents.search import SearchBy
from jichitai.entrypoints.web.changes_catalogue import process_of
from jichitai.entrypoints.web.refs import PersonRefs
from jichitai.entrypoints.web.session import Counter, CurrentCounter, PostedForm, app_of
from jichitai.entrypoints.web.templating import for_the_form, one_problem, page, refusal
from jichitai.entrypoints.web.views import FLAG_MESSAGES, characters, row, timeline

router = APIRouter(prefix="/ui", include_in_schema=False)

MAX_QUERY = 100
SEARCH_LIMIT = 100


def refs_of(request: Request) -> PersonRefs:
    refs: PersonRefs = request.app.state.person_refs
    return refs


START_CHANGES = ("move-in",)
"""The 届出 the start page offers at once: those entered for no resident yet (the frequent
others — 転居, 転出, 出生 … — start from the person found, on their page)."""


def _search_page(
    request: Request, counter: Counter, *, status: int = 200, **context: Any
) -> HTMLResponse:
    """The search page; for a clerk who enters changes, with the 届出 that start here."""
    starts = (
        [process_of(key) for key in START_CHANGES] if counter.may(Permission.SUBMIT_DRAFT) else []
    )
    return page(request, "search.html", counter, status=status, start_changes=starts, **context)


@router.get("/")
def home(request: Request, counter: CurrentCounter) -> HTMLResponse:
    return _search_page(request, counter, query="", hits=None, include_removed=False)


@router.post("/search", summary="住民検索")
def search(request: Request, posted: PostedForm) -> HTMLResponse:
    counter = posted.counter
    query = posted.get("q").strip()[:MAX_QUERY]
    include_removed = posted.get("include_removed") == "on"
    if not query:
        return _search_page(
            request,
            counter,
            status=422,
            query="",
            hits=None,
            include_removed=include_removed,
            problems=one_problem("counter.query_required", "検索する文字を入力してください", "q"),
        )
    try:
        found = app_of(request).register_access.search(
            counter.actor,
            query,
            by=SearchBy.AUTO,
            include_removed=include_removed,
            limit=SEARCH_LIMIT,
        )
    except DomainError as e:
        if not for_the_form(e):
            raise
        return _search_page(
            request,
            counter,
            status=422,
            query=query,
            hits=None,
            include_removed=include_removed,
            problems=refusal(e, ["q"]),
        )
    refs = refs_of(request)
    today = app_of(request).clock.today()
    hits = [
        row(s, today) | {"ref": refs.ref(counter.actor.login, s.record.atena_number.value)}
        for s in found
    ]
    return _search_page(
        request,
        counter,
        query=query,
        hits=hits,
        include_removed=include_removed,
        limited=len(found) >= SEARCH_LIMIT,
    )


@router.get("/residents/{ref}")
def resident(request: Request, ref: str, counter: CurrentCounter) -> Response:
    return resident_page(request, counter, ref, frozenset())


@router.post("/residents/{ref}", summary="住民の画面の表示（注意事項の確認後）")
def resident_acknowledged(request: Request, ref: str, posted: PostedForm) -> Response:
    """The page after the clerk confirmed the suppression alerts shown."""
    return resident_page(request, posted.counter, ref, frozenset(posted.all("acknowledged")))


def resident_page(
    request: Request, counter: Counter, ref: str, acknowledged: frozenset[str]
) -> Response:
    app = app_of(request)
    actor = counter.actor
    refs = refs_of(request)
    atena = refs.atena_number(actor.login, ref)
    try:
        shown = app.register_access.record(actor, atena, acknowledged=acknowledged)
    except DomainError as e:
        if all(not v.is_error for v in e.violations):
            return page(
                request,
                "acknowledge.html",
                counter,
                status=409,
                ref=ref,
                alerts=e.violations,
            )
        raise
    history = app.register_access.history(actor, atena, acknowledged=acknowledged)
    try:
        household = app.register_access.household(
            actor, shown.record.household_number.value, acknowledged=acknowledged
        )
    except NotFound:
        # A 除票 whose household no longer has anyone living in it (one who moved out or died
        # alone): the page shows the record and says the household is empty.
        if not shown.record.is_removed:
            raise
        household = []
    seals = app.seals.of_person(actor, atena, acknowledged=acknowledged)
    issues = app.certificates.history(actor, atena) if actor.may(Permission.ISSUE) else None
    today = app.clock.today()
    members = [
        row(m, today) | {"ref": refs.ref(actor.login, m.record.atena_number.value)}
        for m in household
    ]
    view = row(shown, today)
    view["pending"] = (
        f"{format_wareki(shown.pending.effective_on)}から{shown.pending.reason_label}"
        if shown.pending is not None
        else None
    )
    return page(
        request,
        "resident.html",
        counter,
        ref=ref,
        person=view,
        name_chars=characters(shown.record.name.full),
        warnings=[FLAG_MESSAGES.get(f, f) for f in shown.flags],
        alerts=shown.alerts,
        members=members,
        changes=timeline(history),
        seals=seals,
        issues=issues,
        may_change=counter.may(Permission.SUBMIT_DRAFT),
        may_issue=counter.may(Permission.ISSUE),
        may_register_seal=counter.may(Permission.REGISTER_SEAL),
    )
