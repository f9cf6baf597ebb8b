"""Staff users in the database (table ``staff_users``): one municipality's inside a unit of
work (a change to a user commits with the sessions it ends and its access-log entries), and the
look-up of a login across municipalities outside it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from jichitai.adapters.db import tables as t
from jichitai.adapters.db.shards import Route, read_across, route_of
from jichitai.domain.access.roles import Role
from jichitai.domain.errors import ConflictError, Violation
from jichitai.services.ports import StaffUser

_U = t.staff_users.c


def _row(user: StaffUser) -> dict[str, Any]:
    return {
        "municipality_code": user.municipality_code,
        "login": user.login,
        "display_name": user.display_name,
        "roles": ",".join(sorted(r.value for r in user.roles)),
        "password_hash": user.password_hash,
        "valid_from": user.valid_from,
        "valid_until": user.valid_until,
        "failed_attempts": user.failed_attempts,
        "locked_until": user.locked_until,
        "disabled": user.disabled,
        "created_at": user.created_at,
        "updated_at": user.updated_at,
    }


def _user(row: Any) -> StaffUser:
    return StaffUser(
        municipality_code=row.municipality_code,
        login=row.login,
        display_name=row.display_name,
        roles=frozenset(Role(r) for r in row.roles.split(",") if r),
        password_hash=row.password_hash,
        valid_from=row.valid_from,
        valid_until=row.valid_until,
        failed_attempts=row.failed_attempts,
        locked_until=row.locked_until,
        disabled=row.disabled,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


class SqlUsers:
    """The ``UserRepository`` port: one municipality's staff, on the unit of work's
    connection."""

    def __init__(self, connection: Connection, municipality_code: str) -> None:
        self._conn = connection
        self._mc = municipality_code

    def add(self, user: StaffUser) -> None:
        if user.municipality_code != self._mc:
            raise ValueError(f"user of {user.municipality_code} in {self._mc}'s unit of work")
        try:
            with self._conn.begin_nested():
                self._conn.execute(insert(t.staff_users).values(**_row(user)))
        except IntegrityError:
            # Only the key (municipality, login) is unique: another municipality's login is
            # never a conflict, so this answer tells nothing about other municipalities.
            raise ConflictError(
                Violation("user.exists", f"ログインID {user.login} は既に使われています", "login")
            ) from None

    def get(self, login: str) -> StaffUser | None:
        row = self._conn.execute(
            select(t.staff_users).where(_U.municipality_code == self._mc, _U.login == login)
        ).one_or_none()
        return _user(row) if row else None

    def update(self, user: StaffUser) -> None:
        values = _row(user)
        del values["municipality_code"], values["login"], values["created_at"]
        self._conn.execute(
            update(t.staff_users)
            .where(_U.municipality_code == self._mc, _U.login == user.login)
            .values(**values)
        )

    def listed(self) -> Sequence[StaffUser]:
        rows = self._conn.execute(
            select(t.staff_users).where(_U.municipality_code == self._mc).order_by(_U.login)
        ).all()
        return [_user(r) for r in rows]


class SqlStaffLogins:
    """The ``StaffLogins`` port: a login looked up in every municipality (a log-in that names
    none), outside any unit of work."""

    def __init__(self, engine: Engine | Route) -> None:
        self._route = route_of(engine)

    def with_login(self, login: str) -> Sequence[StaffUser]:
        def read(conn: Connection) -> Sequence[StaffUser]:
            rows = conn.execute(
                select(t.staff_users).where(_U.login == login).order_by(_U.municipality_code)
            ).all()
            return [_user(r) for r in rows]

        found = read_across(self._route, "staff_users", read, lambda u: u.municipality_code)
        return sorted(found, key=lambda u: u.municipality_code)
