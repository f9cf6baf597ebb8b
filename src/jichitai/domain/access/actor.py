"""Who is acting: the authenticated staff user, with where and why, as every service sees it."""

from __future__ import annotations

from dataclasses import dataclass, field

from jichitai.domain.access.roles import Permission, Role, permissions_of
from jichitai.domain.errors import DomainError, Violation


class Forbidden(DomainError):
    """The actor's roles do not allow the operation (操作権限がない)."""


@dataclass(frozen=True, slots=True)
class Actor:
    """A staff user acting for their one municipality, from a terminal and place, for a purpose.

    ``terminal``, ``place`` and ``purpose`` go to the access log with every read and change.
    """

    login: str
    municipality_code: str
    roles: frozenset[Role]
    terminal: str = ""
    place: str = ""
    purpose: str = ""
    permissions: frozenset[Permission] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "permissions", permissions_of(self.roles))

    def may(self, permission: Permission) -> bool:
        return permission in self.permissions

    def require(self, permission: Permission) -> None:
        """Refuse unless the actor holds ``permission``."""
        if permission not in self.permissions:
            raise Forbidden(
                Violation(
                    "auth.forbidden",
                    "この操作を行う権限がありません",
                    permission.value,
                )
            )


class Unauthenticated(DomainError):
    """No valid credentials: missing, expired or wrong (認証されていない)."""
