"""The access log for auditors (監査): search it, check its hash chain, list mass searches.

Only users with ``read_access_log`` (the auditor's role) may open these screens; a refusal is a
page of its own and is logged. Every search and check is itself written to the access log by
the service. The 宛名番号 searched for is posted, never put in a URL.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from jichitai.domain.access.roles import Permission
from jichitai.domain.errors import DomainError
from jichitai.entrypoints.web.audit_forms import (
    LIMIT_OPTIONS,
    OPERATION_OPTIONS,
    OUTCOME_OPTIONS,
    SEARCH_FIELDS,
    activity_row,
    entry_row,
    mass_defaults,
    mass_problems,
    read_mass,
    read_search,
)
from jichitai.entrypoints.web.session import Counter, CurrentCounter, PostedForm, app_of
from jichitai.entrypoints.web.templating import NO_PROBLEMS, Problems, for_the_form, page, refusal
from jichitai.services.audit import Operation, Outcome

router = APIRouter(prefix="/ui", include_in_schema=False)


def _page(
    request: Request,
    counter: Counter,
    *,
    status: int = 200,
    search: dict[str, str] | None = None,
    search_problems: Problems = NO_PROBLEMS,
    entries: list[dict[str, Any]] | None = None,
    mass: dict[str, str] | None = None,
    mass_problems_: Problems = NO_PROBLEMS,
    activities: list[dict[str, Any]] | None = None,
    chain: dict[str, Any] | None = None,
) -> HTMLResponse:
    today = app_of(request).clock.today()
    return page(
        request,
        "audit/index.html",
        counter,
        status=status,
        search=search or dict.fromkeys(SEARCH_FIELDS, ""),
        problems=search_problems,
        entries=entries,
        mass=mass or mass_defaults(today),
        mass_problems=mass_problems_,
        activities=activities,
        chain=chain,
        operations=OPERATION_OPTIONS,
        outcomes=OUTCOME_OPTIONS,
        limits=LIMIT_OPTIONS,
    )


@router.get("/audit")
def audit_home(request: Request, counter: CurrentCounter) -> HTMLResponse:
    counter.actor.require(Permission.READ_ACCESS_LOG)
    return _page(request, counter)


@router.post("/audit/search", summary="アクセスログの検索")
def audit_search(request: Request, posted: PostedForm) -> HTMLResponse:
    counter = posted.counter
    counter.actor.require(Permission.READ_ACCESS_LOG)
    values, query, problems = read_search(posted)
    if query is None:
        return _page(request, counter, status=422, search=values, search_problems=problems)
    try:
        found = app_of(request).access_log.search(counter.actor, query)
    except DomainError as e:
        if not for_the_form(e):
            raise
        return _page(
            request, counter, status=422, search=values, search_problems=refusal(e, SEARCH_FIELDS)
        )
    return _page(request, counter, search=values, entries=[entry_row(e) for e in found])


@router.post("/audit/mass-searches", summary="大量検索の一覧")
def audit_mass_searches(request: Request, posted: PostedForm) -> HTMLResponse:
    counter = posted.counter
    counter.actor.require(Permission.READ_ACCESS_LOG)
    values, asked, problems = read_mass(posted)
    if asked is None:
        return _page(request, counter, status=422, mass=values, mass_problems_=problems)
    since, until, threshold = asked
    try:
        rows = app_of(request).access_log.mass_searches(counter.actor, since, until, threshold)
    except DomainError as e:
        if not for_the_form(e):
            raise
        return _page(request, counter, status=422, mass=values, mass_problems_=mass_problems(e))
    return _page(request, counter, mass=values, activities=[activity_row(r) for r in rows])


@router.post("/audit/verify", summary="アクセスログの改ざん検査")
def audit_verify(request: Request, posted: PostedForm) -> HTMLResponse:
    """``jichitai audit verify`` at the counter: every hash of the municipality's log again."""
    counter = posted.counter
    actor = counter.actor
    log = app_of(request).access_log
    try:
        count = log.verify(actor)
    except DomainError as e:
        if not for_the_form(e):
            raise
        log.record(
            actor,
            Operation.READ_ACCESS_LOG,
            target="verify",
            outcome=Outcome.REFUSED,
            detail=e.code,
        )
        return _page(request, counter, chain={"ok": False, "violations": e.violations})
    log.record(actor, Operation.READ_ACCESS_LOG, target="verify")
    return _page(request, counter, chain={"ok": True, "entries": count})
