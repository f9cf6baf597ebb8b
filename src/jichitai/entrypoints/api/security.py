"""Authentication: the OAuth2 password flow as FastAPI does it, and the acting staff user.

``POST /api/v1/auth/token`` with form fields ``username`` and ``password`` answers a bearer
token. Every other route depends on ``current_actor``: the token must be valid and unexpired,
and the user it names must still exist, be enabled and be within their validity period; roles
are read from the user directory on each request. Optional headers say where the request comes
from, for the access log: ``X-Jichitai-Terminal`` (default: the client address),
``X-Jichitai-Place`` and ``X-Jichitai-Purpose``.
"""

from __future__ import annotations

import unicodedata
from typing import Annotated
from urllib.parse import unquote

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer

from jichitai.bootstrap import App
from jichitai.domain.access.actor import Actor, Unauthenticated
from jichitai.domain.errors import Violation, invalid

oauth2 = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)

CONTEXT_HEADERS = {
    "terminal": "X-Jichitai-Terminal",
    "place": "X-Jichitai-Place",
    "purpose": "X-Jichitai-Purpose",
}
MAX_CONTEXT_LENGTH = 100


def app_of(request: Request) -> App:
    app: App = request.app.state.jichitai
    return app


def _context_value(request: Request, name: str) -> str:
    header = CONTEXT_HEADERS[name]
    try:
        value = unquote(request.headers.get(header, ""), errors="strict")
    except UnicodeDecodeError:
        raise invalid(
            "request.invalid_header",
            f"{header} はUTF-8をパーセントエンコードして指定してください",
            header,
        ) from None
    if len(value) > MAX_CONTEXT_LENGTH or any(
        unicodedata.category(ch) in ("Cc", "Cf") for ch in value
    ):
        raise invalid(
            "request.invalid_header",
            f"{header} は制御文字を含まない{MAX_CONTEXT_LENGTH}文字以内で指定してください",
            header,
        )
    return value


def current_actor(request: Request, token: Annotated[str | None, Depends(oauth2)]) -> Actor:
    """The acting user. A plain function, run in a worker thread: on a cache miss it reads the
    database, which must not block the event loop (running it on the loop measured no faster
    beyond noise)."""
    if not token:
        raise Unauthenticated(Violation("auth.required", "ログインが必要です", "Authorization"))
    app = app_of(request)
    claims = app.tokens.read(token)
    user = app.users.current(claims.login, claims.municipality_code)
    client = request.client.host if request.client else ""
    actor = Actor(
        login=user.login,
        municipality_code=user.municipality_code,
        roles=user.roles,
        terminal=_context_value(request, "terminal") or client,
        place=_context_value(request, "place"),
        purpose=_context_value(request, "purpose"),
    )
    request.state.actor = actor
    return actor


CurrentActor = Annotated[Actor, Depends(current_actor)]
