"""Logging in and out at the counter, sending on a form after logging in again, and what a page
does when the session is missing or a form's CSRF token is wrong.

The log-in form asks for the 団体コード, the login and the password; the code is remembered on
the terminal (a long-lived ``HttpOnly`` cookie) and may be left empty when the login exists in
one municipality only. Log-in goes through the same service as the API's, with the same answers
and throttles (``services/login.py``).
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Sequence

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool
from starlette.routing import BaseRoute, Match

from jichitai.domain.errors import DomainError, TooManyRequests, Unavailable, Violation
from jichitai.entrypoints.presenters import status_of
from jichitai.entrypoints.web.changes_catalogue import PROCESSES
from jichitai.entrypoints.web.resume import Resume
from jichitai.entrypoints.web.session import (
    CSRF_FIELD,
    LOGIN_COOKIE,
    MUNICIPALITY_COOKIE,
    PLACE,
    PURPOSE,
    SESSION_COOKIE,
    CsrfRejected,
    CurrentCounter,
    LoginRequired,
    PostedForm,
    app_of,
    csrf_token,
    new_login_token,
    resume_tokens_of,
)
from jichitai.entrypoints.web.templating import page, problems_of
from jichitai.services.login import Where

router = APIRouter(prefix="/ui", include_in_schema=False)

RESUME_FIELD = "resume"
#: The 団体コード stays on the terminal for about a year (browsers keep a cookie 400 days at most).
MUNICIPALITY_COOKIE_SECONDS = 365 * 24 * 3600
#: How a path parameter is put into words in a route's label (see ``describe``).
_PARAMETER_WORDS: dict[str, Callable[[str], str]] = {
    "key": lambda key: PROCESSES[key].label if key in PROCESSES else key,
}


def _cookie_args(request: Request) -> dict[str, object]:
    return {
        "httponly": True,
        "samesite": "strict",
        "secure": request.url.scheme == "https",
        "path": "/ui",
    }


def login_page(
    request: Request,
    message: str = "",
    *,
    status: int = 200,
    problems: list[Violation] | None = None,
    resume_token: str = "",
    login: str = "",
    municipality_code: str | None = None,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    token = new_login_token()
    if municipality_code is None:
        remembered = request.cookies.get(MUNICIPALITY_COOKIE, "")
        municipality_code = remembered if remembered.isdigit() and len(remembered) == 6 else ""
    response = page(
        request,
        "login.html",
        None,
        status=status,
        headers=headers,
        csrf=token,
        message=message,
        problems=problems_of(problems or [], ["municipality_code", "login", "password"]),
        resume_token=resume_token,
        login=login,
        municipality_code=municipality_code,
    )
    response.set_cookie(LOGIN_COOKIE, token, max_age=1800, **_cookie_args(request))  # type: ignore[arg-type]
    return response


@router.get("/login")
def login_form(request: Request) -> HTMLResponse:
    return login_page(request)


@router.post("/login")
async def login(request: Request) -> Response:
    form = await request.form()
    values = {k: v for k, v in form.multi_items() if isinstance(v, str)}
    resume_token = values.get(RESUME_FIELD, "")
    login_name = values.get("login", "").strip()
    municipality_code = values.get("municipality_code", "").strip()
    sent = values.get(CSRF_FIELD, "")
    expected = request.cookies.get(LOGIN_COOKIE, "")
    if not sent or not expected or not hmac.compare_digest(sent, expected):
        # Not our log-in form (or a stale one): whatever it wanted sent on is dropped.
        return login_page(
            request,
            "画面の有効期限が切れました。もう一度ログインしてください",
            status=400,
            login=login_name,
            municipality_code=municipality_code,
        )
    app = app_of(request)
    client = request.client.host if request.client else ""
    try:
        done = await run_in_threadpool(
            app.logins.log_in,
            login_name,
            values.get("password", ""),
            Where(client=client, place=PLACE, purpose=PURPOSE),
            municipality_code=municipality_code,
        )
    except DomainError as refused:
        retry = (
            refused.retry_after_seconds
            if isinstance(refused, (TooManyRequests, Unavailable))
            else None
        )
        return login_page(
            request,
            status=status_of(refused),
            problems=list(refused.violations),
            resume_token=resume_token,
            login=login_name,
            municipality_code=municipality_code,
            headers={"Retry-After": str(retry)} if retry is not None else None,
        )
    user, session = done.user, done.session
    resume = resume_tokens_of(request).open(resume_token, app.clock.now())
    if resume is not None and (resume.login, resume.municipality_code) != (
        user.login,
        user.municipality_code,
    ):
        resume = None  # sealed for another user: dropped
    seconds = max(60, int((session.expires_at - app.clock.now()).total_seconds()))
    if resume is not None:
        response: Response = _resume_page(request, resume, session.token)
    else:
        response = RedirectResponse("/ui/", status_code=303)
    response.set_cookie(SESSION_COOKIE, session.token, max_age=seconds, **_cookie_args(request))  # type: ignore[arg-type]
    response.set_cookie(
        MUNICIPALITY_COOKIE,
        user.municipality_code,
        max_age=MUNICIPALITY_COOKIE_SECONDS,
        **_cookie_args(request),  # type: ignore[arg-type]
    )
    response.delete_cookie(LOGIN_COOKIE, path="/ui")
    return response


def _resume_page(request: Request, resume: Resume, session_token: str) -> HTMLResponse:
    app = app_of(request)
    return page(
        request,
        "resume.html",
        None,
        csrf=csrf_token(app.settings.secret_key, session_token),
        resume=resume,
        description=describe(request.app.state.counter_routes, resume.action),
    )


def describe(routes: Sequence[BaseRoute], action: str) -> str:
    """What posting to ``action`` does, in words: the label (summary) of the counter's route,
    with the process named for a change (「異動届の仮登録（転入）」); the path itself for a
    route that has none."""
    scope = {"type": "http", "method": "POST", "path": action, "root_path": ""}
    for route in routes:
        matched, child = route.matches(scope)
        if matched is Match.FULL and isinstance(route, APIRoute) and route.summary:
            parameters = child.get("path_params", {})
            words = {
                name: _PARAMETER_WORDS.get(name, str)(str(value))
                for name, value in parameters.items()
            }
            try:
                return route.summary.format(**words)
            except (KeyError, IndexError, ValueError):
                return route.summary
    return action


@router.post("/logout", summary="ログアウト")
def logout(request: Request, posted: PostedForm) -> Response:
    app_of(request).sessions.log_out(posted.counter.actor, posted.counter.session_id)
    response = RedirectResponse("/ui/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/ui")
    return response


@router.get("/session")
def session_check(counter: CurrentCounter) -> Response:
    """204 while the session is valid (the pages ask before a long form is sent)."""
    return Response(status_code=204, headers={"Cache-Control": "no-store"})


def login_required(request: Request, error: LoginRequired) -> Response:
    if request.method == "GET" and not error.resume_token:
        return RedirectResponse("/ui/login", status_code=303)
    # A resume was sealed for one user: the form is filled in for them.
    resume = resume_tokens_of(request).open(error.resume_token, app_of(request).clock.now())
    return login_page(
        request,
        error.message,
        status=401,
        resume_token=error.resume_token,
        login=resume.login if resume is not None else "",
        municipality_code=resume.municipality_code if resume is not None else None,
    )


def csrf_rejected(request: Request, _: CsrfRejected) -> Response:
    return page(
        request,
        "error.html",
        None,
        status=403,
        title="送信できませんでした",
        message="この画面からの送信は受け付けられません（画面が古いか、別の画面から送られました）。"
        "画面を開き直してやり直してください",
    )
