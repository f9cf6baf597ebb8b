"""Log-in, log-out and who am I."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.security import OAuth2PasswordRequestForm

from jichitai.domain.access.roles import ROLE_LABELS
from jichitai.entrypoints.api import schemas as s
from jichitai.entrypoints.api.security import CurrentActor, CurrentSession, app_of
from jichitai.services.login import Where

router = APIRouter(prefix="/api/v1", tags=["auth"])


@router.post(
    "/auth/token",
    operation_id="login",
    response_model=s.Token,
    responses=s.error_responses(429, 503),
    summary="ログイン（OAuth2 パスワードフロー）",
)
def login(
    request: Request,
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    municipality_code: Annotated[
        str,
        Form(
            max_length=6,
            description="地方公共団体コード。同じログインIDが複数の団体にあるときは必須",
        ),
    ] = "",
) -> s.Token:
    app = app_of(request)
    client = request.client.host if request.client else ""
    done = app.logins.log_in(
        form.username,
        form.password,
        Where(client=client),
        municipality_code=municipality_code.strip(),
    )
    return s.Token(
        access_token=done.session.token,
        expires_in=int((done.session.expires_at - app.clock.now()).total_seconds()),
    )


@router.post(
    "/auth/logout",
    operation_id="logout",
    status_code=204,
    responses=s.error_responses(),
    summary="ログアウト（このトークンのログインを終了）",
)
def logout(request: Request, session: CurrentSession) -> Response:
    app_of(request).sessions.log_out(session.actor, session.session_id)
    return Response(status_code=204)


@router.get(
    "/me",
    operation_id="getMe",
    response_model=s.Me,
    responses=s.error_responses(),
    summary="ログイン中の職員・団体・権限",
)
def me(request: Request, actor: CurrentActor) -> s.Me:
    app = app_of(request)
    user = app.users.current(actor.login, actor.municipality_code)
    return s.Me(
        login=user.login,
        display_name=user.display_name,
        municipality_code=user.municipality_code,
        municipality_name=app.municipalities.get(user.municipality_code).name,
        roles=sorted(r.value for r in user.roles),
        role_labels=[ROLE_LABELS[r] for r in sorted(user.roles)],
        permissions=sorted(p.value for p in actor.permissions),
    )


@router.post(
    "/me/password",
    operation_id="changeOwnPassword",
    status_code=204,
    responses=s.error_responses(503),
    summary="自分のパスワードの変更（このトークン以外のログインは終了）",
)
def change_own_password(
    request: Request, session: CurrentSession, body: s.PasswordChange
) -> Response:
    app_of(request).users.change_own_password(
        session.actor,
        body.current_password,
        body.new_password,
        session_id=session.session_id,
    )
    return Response(status_code=204)
