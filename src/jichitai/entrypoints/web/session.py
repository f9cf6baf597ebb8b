"""Who is at the counter: the session cookie, CSRF tokens and the acting staff user.

The session cookie holds the same signed, expiring token the API hands out (``HttpOnly``,
``SameSite=Strict``, path ``/ui``); its session record and the user are read again on every
request, so a log-out, a disabled user or a changed role takes effect at once. Every form carries
a CSRF token derived from the session token (HMAC with the server secret); the log-in form, which
has no session yet, uses a random token in a short-lived cookie (double submit).

An expired session in the middle of a form does not lose the input: when the form came with this
user's own (expired or ended) session cookie and its CSRF token, ``LoginRequired`` carries a
sealed resume token (``resume.py``) that the log-in page keeps in a hidden field (never in the URL
or browser storage); after the same user logs in, the resume page shows what will be sent.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from jichitai.bootstrap import App
from jichitai.domain.access.actor import Actor, Unauthenticated
from jichitai.domain.access.roles import ROLE_LABELS, Permission
from jichitai.domain.errors import DomainError
from jichitai.entrypoints.web.resume import MAX_FIELDS, Resume, ResumeTokens, is_counter_path

SESSION_COOKIE = "jichitai_counter"
LOGIN_COOKIE = "jichitai_counter_login"
MUNICIPALITY_COOKIE = "jichitai_counter_municipality"
"""The 団体コード last logged in to on this terminal (prefilled on the log-in form)."""
CSRF_FIELD = "csrf_token"
NOT_RESUMED = frozenset({"/ui/logout"})
"""Forms never sent on after logging in (a log-out after logging in again makes no sense)."""
PURPOSE = "窓口業務"
PLACE = "窓口"


class LoginRequired(Exception):
    def __init__(self, message: str, resume_token: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.resume_token = resume_token


class CsrfRejected(Exception):
    """A form without this session's token: not sent by our page (or from an old tab)."""


@dataclass(frozen=True, slots=True)
class Counter:
    """The logged-in staff user at the counter, as every page needs them."""

    actor: Actor
    display_name: str
    municipality_name: str
    csrf: str
    role_labels: tuple[str, ...]
    session_id: str

    def may(self, permission: Permission) -> bool:
        return self.actor.may(permission)


@dataclass(frozen=True, slots=True)
class Posted:
    """A posted form of a logged-in user (its CSRF token checked)."""

    counter: Counter
    form: dict[str, str]
    multi: tuple[tuple[str, str], ...] = field(default=())

    def get(self, name: str, default: str = "") -> str:
        return self.form.get(name, default)

    def all(self, name: str) -> list[str]:
        return [v for k, v in self.multi if k == name]


def app_of(request: Request) -> App:
    app: App = request.app.state.jichitai
    return app


def resume_tokens_of(request: Request) -> ResumeTokens:
    tokens: ResumeTokens = request.app.state.resume_tokens
    return tokens


def csrf_token(secret: str, session_token: str) -> str:
    return hmac.new(
        secret.encode(), b"csrf\x00" + session_token.encode(), hashlib.sha256
    ).hexdigest()


def new_login_token() -> str:
    return secrets.token_urlsafe(24)


def new_form_token() -> str:
    """A token a form carries once, as the idempotency key of what it sends: a second post of
    the same form (double click, back button, reload) is recognised and not applied twice."""
    return secrets.token_urlsafe(24)


def _counter(request: Request, app: App, token: str | None) -> Counter:
    if not token:
        raise LoginRequired("ログインしてください")
    try:
        claims = app.sessions.check(token)
        user = app.users.current(claims.login, claims.municipality_code)
    except Unauthenticated:
        raise LoginRequired(
            "ログインの有効期限が切れたか、ログインできない状態です。もう一度ログインしてください"
        ) from None
    actor = Actor(
        login=user.login,
        municipality_code=user.municipality_code,
        roles=user.roles,
        terminal=request.client.host if request.client else "",
        place=PLACE,
        purpose=PURPOSE,
    )
    request.state.actor = actor
    try:
        municipality = app.municipalities.get(user.municipality_code).name
    except DomainError:
        municipality = user.municipality_code
    return Counter(
        actor=actor,
        display_name=user.display_name or user.login,
        municipality_name=municipality,
        csrf=csrf_token(app.settings.secret_key, token),
        role_labels=tuple(ROLE_LABELS[r] for r in sorted(user.roles)),
        session_id=claims.session_id,
    )


def current_counter(request: Request) -> Counter:
    """The logged-in user of a page (a plain function: FastAPI runs it in a worker thread, as
    it reads the user directory)."""
    return _counter(request, app_of(request), request.cookies.get(SESSION_COOKIE))


async def posted_form(request: Request) -> Posted:
    """A form posted by a logged-in user; the session and the CSRF token are checked. A form
    posted in this user's own session after it ended is sealed for sending on after log-in."""
    form = await request.form()
    multi = tuple((k, v) for k, v in form.multi_items() if isinstance(v, str))
    fields = dict(multi)
    app = app_of(request)
    token = request.cookies.get(SESSION_COOKIE)
    try:
        counter = await run_in_threadpool(_counter, request, app, token)
    except LoginRequired as expired:
        resume = await run_in_threadpool(_resume, request, app, token, multi)
        raise LoginRequired(expired.message, resume) from None
    sent = fields.get(CSRF_FIELD, "")
    if not sent or not hmac.compare_digest(sent, counter.csrf):
        raise CsrfRejected()
    return Posted(counter, fields, multi)


def _resume(
    request: Request, app: App, token: str | None, multi: tuple[tuple[str, str], ...]
) -> str:
    """A resume token for the form, or "" when the post is not this user's own: it must carry a
    session cookie this server issued for a session it knows (expired or ended) and that
    session's CSRF token (see ``resume.py``)."""
    action = request.url.path
    if not token or not is_counter_path(action) or action in NOT_RESUMED:
        return ""
    claims = app.sessions.recognised(token)
    sent = dict(multi).get(CSRF_FIELD, "")
    expected = csrf_token(app.settings.secret_key, token)
    if claims is None or not sent or not hmac.compare_digest(sent, expected):
        return ""
    kept = tuple((k, v) for k, v in multi if k != CSRF_FIELD)[:MAX_FIELDS]
    resume = Resume(claims.municipality_code, claims.login, claims.session_id, action, kept)
    return resume_tokens_of(request).seal(resume, app.clock.now())


CurrentCounter = Annotated[Counter, Depends(current_counter)]
PostedForm = Annotated[Posted, Depends(posted_form)]
