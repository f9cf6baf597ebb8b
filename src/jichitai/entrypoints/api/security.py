"""Authentication: the OAuth2 password flow as FastAPI does it, and the acting staff user.

``POST /api/v1/auth/token`` with form fields ``username`` and ``password`` (and
``municipality_code`` where the login exists in several municipalities) answers a bearer token.
Every other route depends on ``current_actor``: the token must be valid and unexpired, the
session it names must not have ended (read on every request), and the user must still exist, be
enabled and be within their validity period; roles are read from the user directory. Optional headers say where the request comes
from, for the access log: ``X-Jichitai-Terminal`` (default: the client address),
``X-Jichitai-Place`` and ``X-Jichitai-Purpose``.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
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


@dataclass(frozen=True, slots=True)
class Authenticated:
    """The acting user and the session they act in (a log-out ends that session)."""

    actor: Actor
    session_id: str


def current_session(
    request: Request, token: Annotated[str | None, Depends(oauth2)]
) -> Authenticated:
    """The acting user and their session. A plain function, run in a worker thread: it reads
    the database, which must not block the event loop (running it on the loop measured no
    faster beyond noise)."""
    if not token:
        raise Unauthenticated(Violation("auth.required", "ログインが必要です", "Authorization"))
    app = app_of(request)
    claims = app.sessions.check(token)
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
    return Authenticated(actor, claims.session_id)


async def current_actor(
    authenticated: Annotated[Authenticated, Depends(current_session)],
) -> Actor:
    """The acting user (most routes need no more; async: no thread for a field read)."""
    return authenticated.actor


CurrentSession = Annotated[Authenticated, Depends(current_session)]
CurrentActor = Annotated[Actor, Depends(current_actor)]
