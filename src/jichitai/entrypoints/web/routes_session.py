"""Logging in and out at the counter, and what a page does when the session is missing or a
form's CSRF token is wrong."""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from jichitai.domain.access.actor import Actor, Unauthenticated
from jichitai.domain.errors import Violation
from jichitai.entrypoints.web.session import (
    CSRF_FIELD,
    LOGIN_COOKIE,
    PLACE,
    PURPOSE,
    SESSION_COOKIE,
    CsrfRejected,
    CurrentCounter,
    LoginRequired,
    PostedForm,
    ResumeForm,
    app_of,
    csrf_token,
    new_login_token,
)
from jichitai.entrypoints.web.templating import page, problems_of
from jichitai.services.audit import Operation
from jichitai.services.ports import StaffUser

router = APIRouter(prefix="/ui", include_in_schema=False)

MAX_RESUME_FIELDS = 400


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
    resume: ResumeForm | None = None,
    login: str = "",
) -> HTMLResponse:
    token = new_login_token()
    response = page(
        request,
        "login.html",
        None,
        status=status,
        csrf=token,
        message=message,
        problems=problems_of(problems or [], ["login", "password"]),
        resume=resume,
        login=login,
    )
    response.set_cookie(LOGIN_COOKIE, token, max_age=1800, **_cookie_args(request))  # type: ignore[arg-type]
    return response


@router.get("/login")
def login_form(request: Request) -> HTMLResponse:
    return login_page(request)


def _actor(user: StaffUser, request: Request) -> Actor:
    terminal = request.client.host if request.client else ""
    return Actor(
        user.login,
        user.municipality_code,
        user.roles,
        terminal=terminal,
        place=PLACE,
        purpose=PURPOSE,
    )


@router.post("/login")
async def login(request: Request) -> Response:
    form = await request.form()
    fields = [(k, v) for k, v in form.multi_items() if isinstance(v, str)]
    values = dict(fields)
    resume_action = values.get("resume_action", "")
    resume = (
        ResumeForm(
            resume_action,
            tuple((k.removeprefix("resume."), v) for k, v in fields if k.startswith("resume."))[
                :MAX_RESUME_FIELDS
            ],
        )
        if resume_action.startswith("/ui/")
        else None
    )
    login_name = values.get("login", "").strip()
    sent = values.get(CSRF_FIELD, "")
    expected = request.cookies.get(LOGIN_COOKIE, "")
    if not sent or not expected or not hmac.compare_digest(sent, expected):
        return login_page(
            request,
            "画面の有効期限が切れました。もう一度ログインしてください",
            status=400,
            resume=resume,
            login=login_name,
        )
    app = app_of(request)
    try:
        user = await run_in_threadpool(
            app.users.authenticate, login_name, values.get("password", "")
        )
    except Unauthenticated as refused:
        known = await run_in_threadpool(app.users.known, login_name)
        if known is not None:
            await run_in_threadpool(
                app.access_log.record,
                _actor(known, request),
                Operation.LOGIN_FAILED,
                outcome="refused",
                detail=refused.code,
            )
        return login_page(
            request,
            status=401,
            problems=[Violation(refused.code, refused.message, "password")],
            resume=resume,
            login=login_name,
        )
    token, expires = app.tokens.issue(user.login, user.municipality_code)
    await run_in_threadpool(app.access_log.record, _actor(user, request), Operation.LOGIN)
    seconds = max(60, int((expires - app.clock.now()).total_seconds()))
    if resume is not None:
        response: Response = page(
            request,
            "resume.html",
            None,
            csrf=csrf_token(app.settings.secret_key, token),
            resume=resume,
        )
    else:
        response = RedirectResponse("/ui/", status_code=303)
    response.set_cookie(SESSION_COOKIE, token, max_age=seconds, **_cookie_args(request))  # type: ignore[arg-type]
    response.delete_cookie(LOGIN_COOKIE, path="/ui")
    return response


@router.post("/logout")
def logout(request: Request, posted: PostedForm) -> Response:
    app_of(request).access_log.record(posted.counter.actor, Operation.LOGOUT)
    response = RedirectResponse("/ui/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/ui")
    return response


@router.get("/session")
def session_check(counter: CurrentCounter) -> Response:
    """204 while the session is valid (the pages ask before a long form is sent)."""
    return Response(status_code=204, headers={"Cache-Control": "no-store"})


def login_required(request: Request, error: LoginRequired) -> Response:
    if request.method == "GET" and error.resume is None:
        return RedirectResponse("/ui/login", status_code=303)
    return login_page(request, error.message, status=401, resume=error.resume)


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
