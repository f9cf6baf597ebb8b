"""The other national links at the counter (``docs/counter.md``, ``docs/national-links.md``):
the 整合性確認 with the CS (standard §7.1.1.2 (1100)), the cards as the card management system
reports them (§7.1.1.3 (1110)), 番号連携 and the stock of free 住民票コード (§7.1.2, §4.3.1) and
the 出入国在留管理庁長官通知 (§4.5.6 (960)).

Each page calls the service the CLI and the API call (``app.cs_check``, ``app.cards``,
``app.number_link``, the immigration intake); the services decide who may see what (個人番号,
抑止・支援措置). A refusal about the input, or a CS that is not configured or does not answer,
is shown at the top of the page with its code; one about the user is a page of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from jichitai.bootstrap import immigration_intake
from jichitai.domain.access.roles import Permission
from jichitai.domain.common.dates import format_wareki
from jichitai.domain.common.identifiers import AtenaNumber
from jichitai.domain.errors import DomainError
from jichitai.entrypoints.presenters import status_of
from jichitai.entrypoints.web.routes_national import _at
from jichitai.entrypoints.web.session import Counter, CurrentCounter, PostedForm, app_of
from jichitai.entrypoints.web.templating import NO_PROBLEMS, Problems, for_the_form, page, refusal
from jichitai.services.national_check import card_label, status_label
from jichitai.services.number_link import OBTAIN_KINDS
from jichitai.services.ports import CardStatus

router = APIRouter(prefix="/ui", include_in_schema=False)
NoticeId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[\w.-]+$")]

IMMIGRATION_STATUSES = {
    "listed": "取込待ち",
    "unknown": "該当者なし",
    "drafted": "仮登録済み",
}
NUMBER_KINDS = {"number_change": "個人番号の変更", **OBTAIN_KINDS}
DONE_MESSAGES = {
    "refreshed": "カードの状況を取り込みました。",
}


def _day(value: date | None) -> str:
    return format_wareki(value) if value else ""


def _guarded(render: Callable[[Problems, int], HTMLResponse], action: Callable[[], Any]) -> Any:
    """Run a service call; a refusal about the input (or an unreachable CS) comes back as the
    page with the service's code and Japanese message; one about the user is raised."""
    try:
        return action()
    except DomainError as e:
        if not for_the_form(e):
            raise
        return render(refusal(e, ()), status_of(e))


# -- 整合性確認 ---------------------------------------------------------------------------------


def _check_page(
    request: Request,
    counter: Counter,
    result: Any = None,
    *,
    code: int = 200,
    problems: Problems = NO_PROBLEMS,
) -> HTMLResponse:
    return page(
        request,
        "national/check.html",
        counter,
        status=code,
        problems=problems,
        checked=result is not None,
        persons=result.persons if result is not None else 0,
        at_cs=result.at_cs if result is not None else 0,
        rows=[
            {
                "kind": d.kind,
                "kind_label": d.kind_label,
                "resident_code": d.resident_code,
                "atena_number": d.atena_number,
                "item_label": d.item_label if d.item else "",
                "register_value": d.register_value,
                "cs_value": d.cs_value,
            }
            for d in (result.differences if result is not None else ())
        ],
    )


@router.get("/cs/check")
def cs_check_page(request: Request, counter: CurrentCounter) -> HTMLResponse:
    return _check_page(request, counter)


@router.post("/cs/check", summary="CSとの整合性確認")
def cs_check_run(request: Request, posted: PostedForm) -> Response:
    """Runs the check (it changes nothing: the differences are shown, not stored)."""
    counter = posted.counter
    app = app_of(request)
    result = _guarded(
        lambda problems, code: _check_page(request, counter, code=code, problems=problems),
        lambda: app.cs_check.check(counter.actor),
    )
    if isinstance(result, Response):
        return result
    return _check_page(request, counter, result)


# -- カード管理状況 -----------------------------------------------------------------------------


def _card_rows(cards: Any) -> list[dict[str, str]]:
    found: list[CardStatus] = list(cards)
    return [
        {
            "resident_code": c.resident_code,
            "card_label": card_label(c.card),
            "status": c.status,
            "status_label": status_label(c.status),
            "issued_on": _day(c.issued_on),
            "expires_on": _day(c.expires_on),
            "updated_on": _day(c.updated_on),
        }
        for c in found
    ]


def _cards_page(
    request: Request,
    counter: Counter,
    atena: str = "",
    *,
    code: int = 200,
    problems: Problems = NO_PROBLEMS,
    done: str = "",
) -> HTMLResponse:
    app = app_of(request)
    person = None
    if atena and not problems:
        try:
            found = app.cards.cards_of(counter.actor, atena)
        except DomainError as e:
            if not for_the_form(e) and e.code != "person.not_found":  # a typo: on the page
                raise
            problems, code = refusal(e, ()), status_of(e)
        else:
            person = {
                "atena_number": found.atena_number,
                "resident_code": found.resident_code,
                "holds_card": found.holds_card,
                "recorded_at": _at(found.recorded_at),
                "cards": _card_rows(found.cards),
            }
    return page(
        request,
        "national/cards.html",
        counter,
        status=code,
        problems=problems,
        atena=atena,
        person=person,
        rows=_card_rows(app.cards.listed(counter.actor)),
        done=DONE_MESSAGES.get(done, ""),
    )


@router.get("/cards")
def cards_page(
    request: Request, counter: CurrentCounter, atena: str = "", done: str = ""
) -> HTMLResponse:
    return _cards_page(request, counter, atena.strip(), done=done)


@router.post("/cards/refresh", summary="カードの状況の取り込み")
def cards_refresh(request: Request, posted: PostedForm) -> Response:
    counter = posted.counter
    done = _guarded(
        lambda problems, code: _cards_page(request, counter, code=code, problems=problems),
        lambda: app_of(request).cards.refresh(counter.actor),
    )
    if isinstance(done, Response):
        return done
    return RedirectResponse("/ui/cards?done=refreshed", status_code=303)


# -- 番号連携 -----------------------------------------------------------------------------------


def _number_page(
    request: Request,
    counter: Counter,
    atena: str = "",
    *,
    code: int = 200,
    problems: Problems = NO_PROBLEMS,
    changed: str = "",
) -> HTMLResponse:
    link = app_of(request).number_link
    stock = link.stock(counter.actor)
    records = link.records(counter.actor, atena or None)
    return page(
        request,
        "national/number_link.html",
        counter,
        status=code,
        problems=problems,
        atena=atena,
        enabled=link.enabled,
        stock={"size": stock.size, "low_mark": stock.low_mark, "low": stock.low},
        rows=[
            {
                "atena_number": r.atena_number,
                "kind_label": NUMBER_KINDS.get(r.kind, r.kind),
                "ok": r.status == "ok",
                "value": r.value,
                "error": r.error,
                "requested_at": _at(r.requested_at),
                "requested_by": r.requested_by,
            }
            for r in records
        ],
        may_change=counter.may(Permission.APPROVE_DRAFT),
        changed=changed,
    )


@router.get("/number-link")
def number_link_page(
    request: Request, counter: CurrentCounter, atena: str = "", changed: str = ""
) -> HTMLResponse:
    return _number_page(request, counter, atena.strip(), changed=changed[:10])


@router.post("/number-link/change", summary="個人番号の変更要求")
def number_change(request: Request, posted: PostedForm) -> Response:
    counter = posted.counter
    atena = posted.get("atena_number").strip()
    on_request = posted.get("ex_officio") != "1"
    done = _guarded(
        lambda problems, code: _number_page(request, counter, code=code, problems=problems),
        lambda: app_of(request).number_link.change_number(
            counter.actor, AtenaNumber.parse(atena).value, on_request=on_request
        ),
    )
    if isinstance(done, Response):
        return done
    # The number itself is not put in the address: the list shows it to whom the service allows.
    return RedirectResponse(f"/ui/number-link?changed={atena}&atena={atena}", status_code=303)


# -- 出入国在留管理庁長官通知 -------------------------------------------------------------------


def _immigration_page(
    request: Request,
    counter: Counter,
    status: str = "",
    *,
    code: int = 200,
    problems: Problems = NO_PROBLEMS,
    drafted: str = "",
) -> HTMLResponse:
    intake = immigration_intake(app_of(request))
    chosen = status if status in IMMIGRATION_STATUSES else ""
    notices = intake.listed(counter.actor, chosen or None)
    return page(
        request,
        "national/immigration.html",
        counter,
        status=code,
        problems=problems,
        chosen=chosen,
        statuses=list(IMMIGRATION_STATUSES.items()),
        rows=[
            {
                "notice_id": n.notice_id,
                "kind": n.kind,
                "residence_card_number": n.residence_card_number,
                "status": n.status,
                "status_label": IMMIGRATION_STATUSES.get(n.status, n.status),
                "atena_number": n.atena_number or "",
                "reason": n.reason,
                "draft_id": n.draft_id or "",
                "received_at": _at(n.received_at),
            }
            for n in notices
        ],
        may_take=counter.may(Permission.SUBMIT_DRAFT),
        drafted=drafted,
    )


@router.get("/immigration")
def immigration_page(
    request: Request, counter: CurrentCounter, status: str = "", drafted: str = ""
) -> HTMLResponse:
    return _immigration_page(request, counter, status, drafted=drafted[:64])


@router.post("/immigration/{notice_id}/take", summary="出入国在留管理庁長官通知の仮登録")
def immigration_take(request: Request, notice_id: NoticeId, posted: PostedForm) -> Response:
    counter = posted.counter
    draft_id = _guarded(
        lambda problems, code: _immigration_page(request, counter, code=code, problems=problems),
        lambda: immigration_intake(app_of(request)).take(counter.actor, notice_id),
    )
    if isinstance(draft_id, Response):
        return draft_id
    return RedirectResponse(f"/ui/immigration?drafted={draft_id}", status_code=303)
