"""Roles and what each may do (操作権限, standard §10.3 (1380), §10.4 (1390)).

A staff user holds one or more roles; a role is a fixed set of permissions. The split follows the
duties the standard separates: counter work, review, administration, audit, and the separately
granted rights to set suppressions (抑止) and DV support measures (支援措置). My Number (個人番号) is
shown only to roles whose duty needs it (番号法 第9条): review, where it is checked against the
documents; a counter clerk enters it but reads it back masked.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class Role(StrEnum):
    CLERK = "clerk"
    """窓口: search, view, submit drafts, issue certificates."""
    REVIEWER = "reviewer"
    """審査: everything a clerk does, approve or discard drafts, release a 抑止 for a moment
    (一時解除); sees the My Number."""
    ADMINISTRATOR = "administrator"
    """管理者: users, roles and the municipality's settings; reads no resident data."""
    AUDITOR = "auditor"
    """監査: the access log only."""
    SUPPRESSION_OFFICER = "suppression_officer"
    """抑止設定者: sets, lifts and temporarily releases suppressions (抑止)."""
    DV_OFFICER = "dv_officer"
    """支援措置責任者: DV support measures, their details, and releasing their errors."""


ROLE_LABELS: dict[Role, str] = {
    Role.CLERK: "窓口",
    Role.REVIEWER: "審査",
    Role.ADMINISTRATOR: "管理者",
    Role.AUDITOR: "監査",
    Role.SUPPRESSION_OFFICER: "抑止設定者",
    Role.DV_OFFICER: "支援措置責任者",
}


class Permission(StrEnum):
    SEARCH = "search"
    VIEW = "view"
    SUBMIT_DRAFT = "submit_draft"
    APPROVE_DRAFT = "approve_draft"
    ISSUE = "issue"
    REGISTER_SEAL = "register_seal"
    """印鑑登録 and its 亡失・廃止 at the counter."""
    VIEW_INDIVIDUAL_NUMBER = "view_individual_number"
    MANAGE_USERS = "manage_users"
    VIEW_MUNICIPALITY = "view_municipality"
    READ_ACCESS_LOG = "read_access_log"
    MANAGE_SUPPRESSION = "manage_suppression"
    RELEASE_SUPPRESSION = "release_suppression"
    """一時解除 of a 抑止: a right of its own (§3.1), held by reviewers at the counter."""
    MANAGE_DV_SUPPORT = "manage_dv_support"
    MANAGE_SUBSCRIBERS = "manage_subscribers"
    """Registering the business systems that receive resident data (他業務連携の連携先)."""
    MANAGE_ISSUER = "manage_issuer"
    """The mayor's title and name and the official seal (公印) printed on certificates."""


_COUNTER = frozenset(
    {
        Permission.SEARCH,
        Permission.VIEW,
        Permission.SUBMIT_DRAFT,
        Permission.ISSUE,
        Permission.REGISTER_SEAL,
        Permission.VIEW_MUNICIPALITY,
    }
)

PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.CLERK: _COUNTER,
    Role.REVIEWER: _COUNTER
    | {
        Permission.APPROVE_DRAFT,
        Permission.VIEW_INDIVIDUAL_NUMBER,
        Permission.RELEASE_SUPPRESSION,
    },
    Role.ADMINISTRATOR: frozenset(
        {
            Permission.MANAGE_USERS,
            Permission.MANAGE_SUBSCRIBERS,
            Permission.MANAGE_ISSUER,
            Permission.VIEW_MUNICIPALITY,
        }
    ),
    Role.AUDITOR: frozenset({Permission.READ_ACCESS_LOG, Permission.VIEW_MUNICIPALITY}),
    Role.SUPPRESSION_OFFICER: frozenset(
        {
            Permission.SEARCH,
            Permission.MANAGE_SUPPRESSION,
            Permission.RELEASE_SUPPRESSION,
            Permission.VIEW_MUNICIPALITY,
        }
    ),
    Role.DV_OFFICER: frozenset(
        {Permission.SEARCH, Permission.MANAGE_DV_SUPPORT, Permission.VIEW_MUNICIPALITY}
    ),
}


def permissions_of(roles: Iterable[Role]) -> frozenset[Permission]:
    """Everything the holder of these roles may do."""
    granted: frozenset[Permission] = frozenset()
    for role in roles:
        granted |= PERMISSIONS[role]
    return granted
