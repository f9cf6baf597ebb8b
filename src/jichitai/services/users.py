"""Staff users: creation, log-in with lock-out, validity periods, roles (standard §10.3 (1380)).

Log-in answers the same refusal for an unknown login and a wrong password, and spends the same
hashing time on both, so the endpoint does not tell which logins exist. After
``max_failures`` consecutive failures the account is locked for ``lockout``; a correct password
during the lock is refused too, and a success resets the count.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from jichitai.domain.access.actor import Actor, Unauthenticated
from jichitai.domain.access.roles import Permission, Role
from jichitai.domain.errors import InvalidValue, NotFound, Violation, invalid
from jichitai.services.ports import Clock, PasswordHasher, StaffUser, UserDirectory

LOGIN_PATTERN = re.compile(r"[a-z0-9][a-z0-9._@-]{2,63}")
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 256  # hashing cost bound: longer inputs are refused before hashing
USER_CACHE = timedelta(seconds=5)


@dataclass(frozen=True, slots=True)
class LoginPolicy:
    max_failures: int = 5
    lockout: timedelta = timedelta(minutes=15)


def _bad_credentials() -> Unauthenticated:
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
        directory: UserDirectory,
        hasher: PasswordHasher,
        clock: Clock,
        municipality_exists: Callable[[str], bool],
        policy: LoginPolicy | None = None,
    ) -> None:
        self._directory = directory
        self._hasher = hasher
        self._clock = clock
        self._municipality_exists = municipality_exists
        self._policy = policy or LoginPolicy()
        self._dummy_hash: str | None = None
        self._recent: dict[str, tuple[StaffUser, datetime]] = {}

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
        """Create a user (operators' command line, and administrators through ``add_by``)."""
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
        if len(display_name) > 100:
            raise invalid("user.invalid_name", "氏名は100文字以内にしてください", "display_name")
        now = self._clock.now()
        user = StaffUser(
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
        self._directory.add(user)
        return user

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
        """An administrator adds a user to their own municipality (and no other)."""
        actor.require(Permission.MANAGE_USERS)
        return self.add(
            actor.municipality_code,
            login,
            password,
            roles,
            display_name=display_name,
            valid_from=valid_from,
            valid_until=valid_until,
        )

    def directory_of(self, municipality_code: str) -> Sequence[StaffUser]:
        """Every user of a municipality (operators' command line)."""
        return self._directory.of_municipality(municipality_code)

    def list_by(self, actor: Actor) -> Sequence[StaffUser]:
        actor.require(Permission.MANAGE_USERS)
        return self._directory.of_municipality(actor.municipality_code)

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
        """Change roles, validity, disabled flag, unlock, or set a new password."""
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
            changed = replace(changed, password_hash=self._hasher.hash(check_password(password)))
        changed = replace(changed, updated_at=self._clock.now())
        self._save(changed)
        return changed

    def change_own_password(self, actor: Actor, current: str, new: str) -> StaffUser:
        """A user changes their own password, proving the current one (§10.3 (1380))."""
        user = self._directory.get(actor.login)
        if user is None or user.municipality_code != actor.municipality_code:
            raise _bad_credentials()
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
        self._save(changed)
        return changed

    def _own(self, actor: Actor, login: str) -> StaffUser:
        user = self._directory.get(login)
        # Another municipality's user is answered exactly as a missing one.
        if user is None or user.municipality_code != actor.municipality_code:
            raise NotFound(Violation("user.not_found", "該当する職員がいません", "login"))
        return user

    # --- log-in --------------------------------------------------------------------------------

    def authenticate(self, login: str, password: str) -> StaffUser:
        """The user if the password is right and the account usable; else ``Unauthenticated``."""
        user = self._directory.get(login) if LOGIN_PATTERN.fullmatch(login) else None
        if user is None or len(password) > MAX_PASSWORD_LENGTH:
            # Spend the same hashing time as for a real user, so timing tells nothing.
            if self._dummy_hash is None:
                self._dummy_hash = self._hasher.hash("timing equaliser")
            self._hasher.verify(self._dummy_hash, password[:MAX_PASSWORD_LENGTH])
            raise _bad_credentials()
        now = self._clock.now()
        if user.locked_until is not None and user.locked_until > now:
            raise Unauthenticated(
                Violation(
                    "auth.locked",
                    "ログインに続けて失敗したため、このアカウントは一時的にロックされています。"
                    "しばらく待つか管理者に連絡してください",
                    "username",
                )
            )
        if not self._hasher.verify(user.password_hash, password):
            failures = user.failed_attempts + 1
            locked = now + self._policy.lockout if failures >= self._policy.max_failures else None
            self._save(
                replace(
                    user,
                    failed_attempts=0 if locked else failures,
                    locked_until=locked,
                    updated_at=now,
                )
            )
            raise _bad_credentials()
        self.usable(user)
        stale_hash = self._hasher.needs_rehash(user.password_hash)
        if user.failed_attempts or user.locked_until or stale_hash:
            rehashed = self._hasher.hash(password) if stale_hash else user.password_hash
            user = replace(
                user, failed_attempts=0, locked_until=None, password_hash=rehashed, updated_at=now
            )
            self._save(user)
        return user

    def known(self, login: str) -> StaffUser | None:
        """The user of that login, if any (to log a failed log-in in their municipality)."""
        return self._directory.get(login) if LOGIN_PATTERN.fullmatch(login) else None

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

    def _recently_read(self, login: str) -> StaffUser | None:
        """The user as read at most ``USER_CACHE`` ago: every API request needs it, and the
        read was a tenth of a request's time. This process's own changes drop the entry at
        once; a change made by another process takes effect within ``USER_CACHE``."""
        now = self._clock.now()
        cached = self._recent.get(login)
        if cached is not None and timedelta(0) <= now - cached[1] < USER_CACHE:
            return cached[0]
        user = self._directory.get(login)
        if user is not None:
            self._recent[login] = (user, now)
        return user

    def _save(self, user: StaffUser) -> None:
        self._recent.pop(user.login, None)
        self._directory.update(user)

    def current(self, login: str, municipality_code: str) -> StaffUser:
        """The user a valid token names, if still usable and still of that municipality."""
        user = self._recently_read(login)
        if user is None or user.municipality_code != municipality_code:
            raise Unauthenticated(
                Violation(
                    "auth.invalid_token",
                    "認証情報が正しくありません。再度ログインしてください",
                    "Authorization",
                )
            )
        return self.usable(user)
