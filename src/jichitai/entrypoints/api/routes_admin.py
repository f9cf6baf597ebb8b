"""Administration of one's own municipality: its record and its staff users.

Every change to a user is written to the access log with what it changed (roles granted,
validity, disabling, unlock, password reset; never the password): an administrator may create an
account and act through it, which no rule here can stop, so the log must show who made which
account with which roles.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request

from jichitai.domain.access.roles import Permission
from jichitai.entrypoints.api import schemas as s
from jichitai.entrypoints.api.security import CurrentActor, app_of
from jichitai.services.ports import StaffUser

router = APIRouter(prefix="/api/v1", tags=["administration"])

ERRORS = s.error_responses(403, 404, 409)
USER_ERRORS = s.error_responses(403, 404, 409, 503)  # a password is hashed: the bound may refuse
LoginPath = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9._@-]{2,63}$")]


def _user(user: StaffUser, request: Request) -> s.User:
    now = app_of(request).clock.now()
    return s.User(
        login=user.login,
        display_name=user.display_name,
        municipality_code=user.municipality_code,
        roles=sorted(r.value for r in user.roles),
        valid_from=user.valid_from,
        valid_until=user.valid_until,
        disabled=user.disabled,
        locked=user.locked_until is not None and user.locked_until > now,
        failed_attempts=user.failed_attempts,
        created_at=user.created_at,
        updated_at=user.updated_at,
    )


@router.get(
    "/municipality",
    operation_id="getMunicipality",
    response_model=s.Municipality,
    responses=ERRORS,
    summary="ログイン中の団体",
)
def get_municipality(request: Request, actor: CurrentActor) -> s.Municipality:
    actor.require(Permission.VIEW_MUNICIPALITY)
    found = app_of(request).municipalities.get(actor.municipality_code)
    return s.Municipality(code=found.code, name=found.name)


@router.get(
    "/users",
    operation_id="listUsers",
    response_model=s.Users,
    responses=ERRORS,
    summary="職員一覧（管理者）",
)
def list_users(request: Request, actor: CurrentActor) -> s.Users:
    users = app_of(request).users.list_by(actor)
    return s.Users(count=len(users), users=[_user(u, request) for u in users])


@router.post(
    "/users",
    operation_id="addUser",
    status_code=201,
    response_model=s.User,
    responses=USER_ERRORS,
    summary="職員の登録（管理者）",
)
def add_user(request: Request, actor: CurrentActor, body: s.UserIn) -> s.User:
    user = app_of(request).users.add_by(
        actor,
        body.login,
        body.password,
        body.roles,
        display_name=body.display_name,
        valid_from=body.valid_from,
        valid_until=body.valid_until,
    )
    return _user(user, request)


@router.patch(
    "/users/{login}",
    operation_id="changeUser",
    response_model=s.User,
    responses=USER_ERRORS,
    summary="職員の権限・有効期間・利用停止・ロック解除・パスワード（管理者、自分以外）",
)
def change_user(
    request: Request, actor: CurrentActor, login: LoginPath, body: s.UserPatch
) -> s.User:
    user = app_of(request).users.change_by(
        actor,
        login,
        roles=body.roles,
        valid_until=body.valid_until,
        clear_valid_until=body.clear_valid_until,
        disabled=body.disabled,
        unlock=body.unlock,
        password=body.password,
    )
    return _user(user, request)
