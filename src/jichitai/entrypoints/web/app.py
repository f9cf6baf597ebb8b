"""The counter mounted on the API's application: its routers, static files, and its errors as
pages (the API answers JSON; a clerk gets a page in Japanese, never a stack trace)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from jichitai.bootstrap import App
from jichitai.domain.errors import Violation
from jichitai.entrypoints.web import (
    routes_audit,
    routes_certificates,
    routes_changes,
    routes_characters,
    routes_drafts,
    routes_national,
    routes_national_links,
    routes_notices,
    routes_residents,
    routes_seals,
    routes_session,
)
from jichitai.entrypoints.web.issued_copies import IssuedCopies
from jichitai.entrypoints.web.refs import PersonRefs
from jichitai.entrypoints.web.resume import ResumeTokens
from jichitai.entrypoints.web.session import CsrfRejected, LoginRequired, current_counter
from jichitai.entrypoints.web.templating import page, problems_of

STATIC = Path(__file__).parent / "static"
ROUTERS = [
    routes_session,
    routes_residents,
    routes_changes,
    routes_drafts,
    routes_certificates,
    routes_characters,
    routes_seals,
    routes_audit,
    routes_national,
    routes_national_links,
    routes_notices,
]

_TITLES = {
    401: "ログインが必要です",
    403: "この操作は行えません",
    404: "見つかりません",
    409: "確認が必要です",
    413: "送信された内容が大きすぎます",
    422: "入力内容を確認してください",
    500: "システムエラー",
}


def error_page(request: Request, status: int, violations: Sequence[Violation]) -> HTMLResponse:
    counter = None
    if getattr(request.state, "actor", None) is not None:
        # The header still shows who is logged in.
        try:
            counter = current_counter(request)
        except LoginRequired:
            counter = None
    return page(
        request,
        "error.html",
        counter,
        status=status,
        title=_TITLES.get(status, "処理できませんでした"),
        message="",
        problems=problems_of(violations, []),
    )


def install_counter(api: FastAPI, jichitai: App) -> None:
    api.state.person_refs = PersonRefs(jichitai.settings.secret_key)
    api.state.resume_tokens = ResumeTokens(jichitai.settings.secret_key)
    api.state.issued_copies = IssuedCopies(jichitai.clock)
    # The resume page names a form's action by the label of the route it posts to.
    api.state.counter_routes = tuple(r for module in ROUTERS for r in module.router.routes)
    api.state.html_error = error_page
    for module in ROUTERS:
        api.include_router(module.router)
    api.mount("/ui/static", StaticFiles(directory=STATIC), name="counter-static")
    font = jichitai.name_font_path

    @api.get("/ui/fonts/name.ttf", include_in_schema=False)
    def name_font() -> FileResponse:
        """IPAmj明朝 for names, for terminals that do not have it installed (a browser with the
        font installed never asks: the stylesheet names the local font first)."""
        return FileResponse(
            font, media_type="font/ttf", headers={"Cache-Control": "public, max-age=604800"}
        )

    @api.get("/ui", include_in_schema=False)
    def counter_root() -> Response:
        return RedirectResponse("/ui/", status_code=308)

    api.add_exception_handler(LoginRequired, routes_session.login_required)  # type: ignore[arg-type]
    api.add_exception_handler(CsrfRejected, routes_session.csrf_rejected)  # type: ignore[arg-type]
