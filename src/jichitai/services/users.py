"""Staff users: creation, roles, validity periods, passwords (standard §10.3 (1380)).

A login is unique within its municipality only. Administrators manage the users of their own
municipality, never their own account (roles, validity, disabling, password: another
administrator does that, and one's own password is changed by proving the current one). A change
that takes rights away or replaces the password ends the user's sessions at once
(``services/sessions.py``), in the same unit of work as the change and its access-log
entries. Passwords are hashed before that unit of work opens (a hash takes a while, and no lock
is held for it). Log-in itself is ``services/login.py``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta

from jichitai.domain.access.actor import Actor, Forbidden, Unauthenticated
from jichitai.domain.access.roles import Permission, Role
from jichitai.domain.errors import InvalidValue, NotFound, Violation, invalid
from jichitai.domain.inbound.text import STAFF_NAME
from jichitai.services.audit import AccessLog, Operation
from jichitai.services.login_throttles import LoginThrottles
from jichitai.services.ports import Clock, PasswordHasher, StaffLogins, StaffUser, UnitOfWork
from jichitai.services.sessions import EndReason, SessionService

LOGIN_PATTERN = re.compile(r"[a-z0-9][a-z0-9._@-]{2,63}")
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 256  # hashing cost bound: longer inputs are refused before hashing
USER_CACHE = timedelta(seconds=5)


def bad_credentials() -> Unauthenticated:
    """The one answer to every failed log-in, whatever failed (see ``services/login.py``)."""
    return Unauthenticated(
        Violation(
            "auth.invalid_credentials", "ログインIDまたはパスワードが正しくありません", "password"
        )
    )


def check_login(login: str) -> str:
    if not LOGIN_PATTERN.fullmatch(login):
        raise invalid(
            "user.invalid_login",
            "ログインIDは英小文字・数字・記号(. _ @ -)の3〜64文字で、英小文字か数字で始めてください",
            "login",
        )
    return login


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise invalid(
            "user.weak_password",
            f"パスワードは{MIN_PASSWORD_LENGTH}文字以上にしてください",
            "password",
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise invalid(
            "user.password_too_long",
            f"パスワードは{MAX_PASSWORD_LENGTH}文字以内にしてください",
            "password",
        )
    if any(unicodedata.category(ch) == "Cc" for ch in password):
        raise invalid("user.invalid_password", "パスワードに制御文字は使えません", "password")
    return password


def check_roles(roles: Iterable[str | Role]) -> frozenset[Role]:
    result: set[Role] = set()
    for role in roles:
        try:
            result.add(Role(role))
        except ValueError:
            names = "、".join(r.value for r in Role)
            raise invalid(
                "user.invalid_role", f"権限 {role} はありません（{names}）", "roles"
            ) from None
    if not result:
        raise invalid("user.no_role", "権限を1つ以上指定してください", "roles")
    return frozenset(result)


class UserService:
    def __init__(
        self,
        uow_for: Callable[[str], UnitOfWork],
        reader_for: Callable[[str], UnitOfWork],
        logins: StaffLogins,
        hasher: PasswordHasher,
        clock: Clock,
        municipality_exists: Callable[[str], bool],
        sessions: SessionService,
        throttles: LoginThrottles,
        access_log: AccessLog,
    ) -> None:
        self._uow_for = uow_for
        self._reader_for = reader_for
        self._logins = logins
        self._hasher = hasher
        self._clock = clock
        self._municipality_exists = municipality_exists
        self._sessions = sessions
        self._throttles = throttles
        self._log = access_log
        self._recent: dict[tuple[str, str], tuple[StaffUser, datetime]] = {}

    # --- administration ------------------------------------------------------------------------

    def add(
        self,
        municipality_code: str,
        login: str,
        password: str,
        roles: Iterable[str | Role],
        *,
        display_name: str = "",
        valid_from: date | None = None,
        valid_until: date | None = None,
    ) -> StaffUser:
        """Create a user without an acting user: provisioning (tests, seeding). Every door
        goes through :meth:`add_by`, which checks the actor's right first."""
        user = self._new_user(
            municipality_code,
            login,
            password,
            roles,
            display_name=display_name,
            valid_from=valid_from,
            valid_until=valid_until,
        )
        with self._uow_for(municipality_code) as uow:
            uow.users.add(user)
            uow.commit()
        return user

    def _new_user(
        self,
        municipality_code: str,
        login: str,
        password: str,
        roles: Iterable[str | Role],
        *,
        display_name: str,
        valid_from: date | None,
        valid_until: date | None,
    ) -> StaffUser:
        """The user as it will be stored, every field checked and the password hashed."""
        check_login(login)
        check_password(password)
        granted = check_roles(roles)
        if not self._municipality_exists(municipality_code):
            raise NotFound(
                Violation(
                    "municipality.not_found",
                    f"地方公共団体コード {municipality_code} の団体は登録されていません",
                    "municipality_code",
                )
            )
        start = valid_from or self._clock.today()
        if valid_until is not None and valid_until < start:
            raise invalid(
                "user.invalid_period", "有効期限は有効開始日以降にしてください", "valid_until"
            )
        display_name = STAFF_NAME.read(display_name, "display_name")
        now = self._clock.now()
        return StaffUser(
            municipality_code=municipality_code,
            login=login,
            display_name=display_name or login,
            roles=granted,
            password_hash=self._hasher.hash(password),
            valid_from=start,
            valid_until=valid_until,
            failed_attempts=0,
            locked_until=None,
            disabled=False,
            created_at=now,
            updated_at=now,
        )

    def add_by(
        self,
        actor: Actor,
        login: str,
        password: str,
        roles: Iterable[str | Role],
        *,
        display_name: str = "",
        valid_from: date | None = None,
        valid_until: date | None = None,
    ) -> StaffUser:
        """An administrator adds a user to their own municipality (and no other); the addition
        and its access-log entry commit together. The command line acts as the operator with
        an administrator's rights."""
        actor.require(Permission.MANAGE_USERS)
        user = self._new_user(
            actor.municipality_code,
            login,
            password,
            roles,
            display_name=display_name,
            valid_from=valid_from,
            valid_until=valid_until,
        )
        with self._uow_for(actor.municipality_code) as uow:
            uow.users.add(user)
            self._log.record_in(
                uow,
                actor,
                Operation.MANAGE_USERS,
                target=f"user:{user.login}:add",
                detail="roles=" + ",".join(sorted(r.value for r in user.roles)),
            )
            uow.commit()
        return user

    def list_by(self, actor: Actor) -> Sequence[StaffUser]:
        """The administrator's municipality's users; the look is logged with the read."""
        actor.require(Permission.MANAGE_USERS)
        with self._uow_for(actor.municipality_code) as uow:
            users = uow.users.listed()
            self._log.record_in(uow, actor, Operation.MANAGE_USERS, target="users")
            uow.commit()
        return users

    def change_by(
        self,
        actor: Actor,
        login: str,
        *,
        roles: Iterable[str | Role] | None = None,
        valid_until: date | None = None,
        clear_valid_until: bool = False,
        disabled: bool | None = None,
        unlock: bool = False,
        password: str | None = None,
    ) -> StaffUser:
        """Change roles, validity, disabled flag, unlock, or set a new password.

        Never the administrator's own account: rights one grants oneself are not checked by
        anybody (a second administrator, or the operators' command line, changes it). A change
        that takes rights away or replaces the password ends the user's sessions at once, and
        ``unlock`` clears the log-in throttles of that login. The change, the sessions it ends
        and the access-log entries (each session ended, then the change) commit together.
        """
        actor.require(Permission.MANAGE_USERS)
        user = self._own(actor, login)
        changed = user
        if roles is not None:
            changed = replace(changed, roles=check_roles(roles))
        if clear_valid_until:
            changed = replace(changed, valid_until=None)
        elif valid_until is not None:
            if valid_until < changed.valid_from:
                raise invalid(
                    "user.invalid_period", "有効期限は有効開始日以降にしてください", "valid_until"
                )
            changed = replace(changed, valid_until=valid_until)
        if disabled is not None:
            changed = replace(changed, disabled=disabled)
        if unlock:
            changed = replace(changed, failed_attempts=0, locked_until=None)
        if password is not None:
            check_password(password)
        reason = _end_reason(user, changed, password_reset=password is not None)
        if user.login == actor.login and (reason is not None or changed != user):
            raise Forbidden(
                Violation(
                    "user.self_change",
                    "自分自身の権限・有効期間・利用停止・パスワードはこの画面では変更できません。"
                    "別の管理者に依頼してください（パスワードは「自分のパスワードの変更」で"
                    "変更できます）",
                    "login",
                )
            )
        if password is not None:
            changed = replace(changed, password_hash=self._hasher.hash(password))
        changed = replace(changed, updated_at=self._clock.now())
        what = _what_changed(
            changed,
            roles=roles is not None,
            valid_until=clear_valid_until or valid_until is not None,
            disabled=disabled,
            unlock=unlock,
            password=password is not None,
        )
        with self._uow_for(actor.municipality_code) as uow:
            self._save_in(uow, changed)
            if reason is not None:
                self._sessions.end_all_in(uow, actor, user, reason)
            self._log.record_in(
                uow, actor, Operation.MANAGE_USERS, target=f"user:{user.login}:change", detail=what
            )
            uow.commit()
        if unlock:
            self._throttles.forget_login(user.login)
        return changed

    def change_own_password(
        self, actor: Actor, current: str, new: str, *, session_id: str
    ) -> StaffUser:
        """A user changes their own password, proving the current one (§10.3 (1380)).

        Every other session of the user ends (whoever else knew the old password is logged out);
        the session ``session_id`` making the change goes on. The change, the sessions ended and
        the access-log entries commit together.
        """
        with self._reader_for(actor.municipality_code) as uow:
            user = uow.users.get(actor.login)
        if user is None:
            raise bad_credentials()
        if len(current) > MAX_PASSWORD_LENGTH or not self._hasher.verify(
            user.password_hash, current
        ):
            raise Unauthenticated(
                Violation(
                    "auth.invalid_credentials",
                    "現在のパスワードが正しくありません",
                    "current_password",
                )
            )
        if new == current:
            raise invalid(
                "user.same_password", "新しいパスワードは現在のものと変えてください", "new_password"
            )
        try:
            check_password(new)
        except InvalidValue as error:
            first = error.violations[0]
            raise InvalidValue(replace(first, field="new_password")) from None
        changed = replace(user, password_hash=self._hasher.hash(new), updated_at=self._clock.now())
        with self._uow_for(actor.municipality_code) as uow:
            self._save_in(uow, changed)
            self._sessions.end_all_in(uow, actor, user, EndReason.PASSWORD_CHANGED, keep=session_id)
            self._log.record_in(uow, actor, Operation.CHANGE_SETTINGS, target="password")
            uow.commit()
        return changed

    def _own(self, actor: Actor, login: str) -> StaffUser:
        # Only the actor's municipality is looked in: another municipality's user of the same
        # login is not found, exactly as a missing one.
        with self._reader_for(actor.municipality_code) as uow:
            user = uow.users.get(login)
        if user is None:
            raise NotFound(Violation("user.not_found", "該当する職員がいません", "login"))
        return user

    # --- what log-in needs (``services/login.py``) ---------------------------------------------

    def candidates(self, login: str, municipality_code: str = "") -> Sequence[StaffUser]:
        """The users a log-in with this login (and municipality, if given) could mean."""
        if not LOGIN_PATTERN.fullmatch(login):
            return []
        if municipality_code:
            if not self._municipality_exists(municipality_code):
                return []
            with self._reader_for(municipality_code) as uow:
                found = uow.users.get(login)
            return [found] if found is not None else []
        return self._logins.with_login(login)

    def known(self, login: str, municipality_code: str = "") -> StaffUser | None:
        """The one user a log-in with this login (and municipality) means, if exactly one."""
        found = self.candidates(login, municipality_code)
        return found[0] if len(found) == 1 else None

    def failed_log_in_in(
        self, uow: UnitOfWork, user: StaffUser, refused_until: datetime | None
    ) -> None:
        """Count a failed log-in (for administrators to see) and, if log-ins of this login are
        now refused from some address, until when; in the log-in's unit of work."""
        latest = uow.users.get(user.login) or user
        until = latest.locked_until
        if refused_until is not None and (until is None or until < refused_until):
            until = refused_until
        self._save_in(
            uow,
            replace(
                latest,
                failed_attempts=latest.failed_attempts + 1,
                locked_until=until,
                updated_at=self._clock.now(),
            ),
        )

    def after_log_in(self, user: StaffUser, password: str) -> StaffUser | None:
        """After a successful log-in: the user with the failure count cleared and the hash
        renewed if its parameters are out of date, to be saved (``save_in``); None when nothing
        changes. Hashing happens here, before the log-in's unit of work opens."""
        stale_hash = self._hasher.needs_rehash(user.password_hash)
        if not (user.failed_attempts or user.locked_until or stale_hash):
            return None
        rehashed = self._hasher.hash(password) if stale_hash else user.password_hash
        return replace(
            user,
            failed_attempts=0,
            locked_until=None,
            password_hash=rehashed,
            updated_at=self._clock.now(),
        )

    def usable(self, user: StaffUser) -> StaffUser:
        """Refuse a disabled user or one outside their validity period (checked every request)."""
        today = self._clock.today()
        if user.disabled:
            raise Unauthenticated(
                Violation("auth.disabled", "このアカウントは利用停止されています", "username")
            )
        if today < user.valid_from or (user.valid_until is not None and today > user.valid_until):
            raise Unauthenticated(
                Violation(
                    "auth.expired",
                    "このアカウントの有効期間外です。管理者に連絡してください",
                    "username",
                )
            )
        return user

    def _recently_read(self, municipality_code: str, login: str) -> StaffUser | None:
        """The user as read at most ``USER_CACHE`` ago: every API request needs it, and the
        read was a tenth of a request's time. This process's own changes drop the entry at
        once; a change made by another process takes effect within ``USER_CACHE`` (but the
        changes that take rights away also end the user's sessions, which is seen at once)."""
        now = self._clock.now()
        key = (municipality_code, login)
        cached = self._recent.get(key)
        if cached is not None and timedelta(0) <= now - cached[1] < USER_CACHE:
            return cached[0]
        with self._reader_for(municipality_code) as uow:
            user = uow.users.get(login)
        if user is not None:
            self._recent[key] = (user, now)
        return user

    def save_in(self, uow: UnitOfWork, user: StaffUser) -> None:
        """Store a changed user in ``uow`` (this process's cached copy is dropped at once)."""
        self._save_in(uow, user)

    def _save_in(self, uow: UnitOfWork, user: StaffUser) -> None:
        self._recent.pop((user.municipality_code, user.login), None)
        uow.users.update(user)

    def current(self, login: str, municipality_code: str) -> StaffUser:
        """The user a valid token names, if still usable."""
        user = self._recently_read(municipality_code, login)
        if user is None:
            raise Unauthenticated(
                Violation(
                    "auth.invalid_token",
                    "認証情報が正しくありません。再度ログインしてください",
                    "Authorization",
                )
            )
        return self.usable(user)


def _end_reason(before: StaffUser, after: StaffUser, *, password_reset: bool) -> EndReason | None:
    """Why a change ends the user's sessions, if it does (the weightiest reason)."""
    if after.disabled and not before.disabled:
        return EndReason.DISABLED
    if password_reset:
        return EndReason.PASSWORD_RESET
    if after.roles != before.roles:
        return EndReason.ROLES_CHANGED
    if after.valid_until != before.valid_until:
        return EndReason.VALIDITY_CHANGED
    return None


def _what_changed(
    user: StaffUser,
    *,
    roles: bool,
    valid_until: bool,
    disabled: bool | None,
    unlock: bool,
    password: bool,
) -> str:
    """The access log's account of an administrator's change (never the password itself)."""
    parts: list[str] = []
    if roles:
        parts.append("roles=" + ",".join(sorted(r.value for r in user.roles)))
    if valid_until:
        parts.append(f"valid_until={user.valid_until.isoformat() if user.valid_until else ''}")
    if disabled is not None:
        parts.append(f"disabled={str(disabled).lower()}")
    if unlock:
        parts.append("unlock")
    if password:
        parts.append("password_reset")
    return ";".join(parts)
