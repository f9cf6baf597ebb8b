"""文字コード照会 (standard §2.2.3 (370)): a character typed, pasted or named by its code, shown
large with its codes and its Unicode name, to tell 髙 from 高 or 𠮷 from 吉 before a name is
entered. The box itself is drawn large and in the names' font, so what is typed is read at size.

What is looked up is posted (it may be a resident's name) and nothing is stored or logged: the
page shows no record.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from jichitai.domain.errors import DomainError
from jichitai.entrypoints.web.session import CurrentCounter, PostedForm
from jichitai.entrypoints.web.templating import one_problem, page, refusal
from jichitai.entrypoints.web.views import look_up_characters

router = APIRouter(prefix="/ui", include_in_schema=False)

MAX_LOOKUP = 40


@router.get("/characters")
def character_form(request: Request, counter: CurrentCounter) -> HTMLResponse:
    return page(request, "characters.html", counter, query="", found=None)


@router.post("/characters", summary="文字コード照会")
def look_up(request: Request, posted: PostedForm) -> HTMLResponse:
    query = posted.get("q").strip()
    if not query:
        problems = one_problem(
            "char.query_required", "照会する文字又は文字コードを入力してください", "q"
        )
        return page(
            request, "characters.html", posted.counter, status=422, query="", found=None,
            problems=problems,
        )  # fmt: skip
    if len(query) > MAX_LOOKUP:
        problems = one_problem(
            "char.query_too_long", f"一度に照会できるのは{MAX_LOOKUP}文字までです", "q"
        )
        return page(
            request, "characters.html", posted.counter, status=422, query=query[:MAX_LOOKUP],
            found=None, problems=problems,
        )  # fmt: skip
    try:
        found = look_up_characters(query)
    except DomainError as e:
        return page(
            request, "characters.html", posted.counter, status=422, query=query, found=None,
            problems=refusal(e, ("q",)),
        )  # fmt: skip
    return page(request, "characters.html", posted.counter, query=query, found=found)
