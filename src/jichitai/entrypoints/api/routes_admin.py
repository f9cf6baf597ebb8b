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
from jichitai.services.audit import Operation
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
    app = app_of(request)
    users = app.users.list_by(actor)
    app.access_log.record(actor, Operation.MANAGE_USERS, target="users")
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
    app = app_of(request)
    user = app.users.add_by(
        actor,
        body.login,
        body.password,
        body.roles,
        display_name=body.display_name,
        valid_from=body.valid_from,
        valid_until=body.valid_until,
    )
    app.access_log.record(
        actor,
        Operation.MANAGE_USERS,
        target=f"user:{user.login}:add",
        detail="roles=" + ",".join(sorted(r.value for r in user.roles)),
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
    app = app_of(request)
    user = app.users.change_by(
        actor,
        login,
        roles=body.roles,
        valid_until=body.valid_until,
        clear_valid_until=body.clear_valid_until,
        disabled=body.disabled,
        unlock=body.unlock,
        password=body.password,
    )
    app.access_log.record(
        actor,
        Operation.MANAGE_USERS,
        target=f"user:{user.login}:change",
        detail=_what_changed(body, user),
    )
    return _user(user, request)


def _what_changed(body: s.UserPatch, user: StaffUser) -> str:
    """The access log's account of a change (the password itself never goes there)."""
    parts: list[str] = []
    if body.roles is not None:
        parts.append("roles=" + ",".join(sorted(r.value for r in user.roles)))
    if body.clear_valid_until or body.valid_until is not None:
        parts.append(f"valid_until={user.valid_until.isoformat() if user.valid_until else ''}")
    if body.disabled is not None:
        parts.append(f"disabled={str(body.disabled).lower()}")
    if body.unlock:
        parts.append("unlock")
    if body.password is not None:
        parts.append("password_reset")
    return ";".join(parts)
