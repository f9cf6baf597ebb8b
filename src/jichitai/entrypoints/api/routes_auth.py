"""Log-in and who am I."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.security import OAuth2PasswordRequestForm

from jichitai.domain.access.actor import Actor, Unauthenticated
from jichitai.domain.access.roles import ROLE_LABELS
from jichitai.entrypoints.api import schemas as s
from jichitai.entrypoints.api.security import CurrentActor, app_of
from jichitai.services.audit import Operation
from jichitai.services.ports import StaffUser

router = APIRouter(prefix="/api/v1", tags=["auth"])


@router.post(
    "/auth/token",
    operation_id="login",
    response_model=s.Token,
    responses=s.error_responses(),
    summary="ログイン（OAuth2 パスワードフロー）",
)
def login(request: Request, form: Annotated[OAuth2PasswordRequestForm, Depends()]) -> s.Token:
    app = app_of(request)
    terminal = request.client.host if request.client else ""
    try:
        user = app.users.authenticate(form.username, form.password)
    except Unauthenticated as refused:
        known = app.users.known(form.username)
        if known is not None:  # a failed log-in of a real user goes to their municipality's log
            app.access_log.record(
                _actor_of(known, terminal),
                Operation.LOGIN_FAILED,
                outcome="refused",
                detail=refused.code,
            )
        raise
    token, expires = app.tokens.issue(user.login, user.municipality_code)
    app.access_log.record(_actor_of(user, terminal), Operation.LOGIN)
    return s.Token(
        access_token=token,
        expires_in=int((expires - app.clock.now()).total_seconds()),
    )


def _actor_of(user: StaffUser, terminal: str) -> Actor:
    return Actor(user.login, user.municipality_code, user.roles, terminal=terminal)


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
    responses=s.error_responses(),
    summary="自分のパスワードの変更",
)
def change_own_password(request: Request, actor: CurrentActor, body: s.PasswordChange) -> Response:
    app = app_of(request)
    app.users.change_own_password(actor, body.current_password, body.new_password)
    app.access_log.record(actor, Operation.CHANGE_SETTINGS, target="password")
    return Response(status_code=204)
