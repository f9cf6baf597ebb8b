"""The text items outside change commands: one rule per item (``domain/inbound/text.py``), applied
by the services, so every door refuses the same texts with the same codes.

A staff user's display name, a subscriber's name, a municipality's name, the certifier's title,
a suppression's reason, a certificate's re-issue reason and a seal event's notes were checked by
whichever door happened to take them, with different limits (200 at the counter, 2,000 in the
API's generic check, none in the services and the command line) or not at all. Here each is given
to its service, as the API, the counter and the command line all do, and refused there.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from jichitai.bootstrap import App
from jichitai.domain.access.actor import Actor
from jichitai.domain.access.roles import Role
from jichitai.domain.errors import DomainError
from jichitai.domain.inbound.text import (
    CERTIFICATE_REASON,
    CERTIFIER_TEXT,
    MUNICIPALITY_NAME,
    SEAL_NOTES,
    STAFF_NAME,
    SUBSCRIBER_NAME,
    SUPPRESSION_REASON,
    TextItem,
)
from jichitai.domain.seals.registration import EndReason
from tests.api.conftest import PASSWORD, Tenant

Door = Callable[[App, Tenant, str], object]


def _as(tenant: Tenant, role: Role) -> Actor:
    return Actor(tenant.login(role), tenant.code, frozenset({role}))


def _staff_name(app: App, tenant: Tenant, value: str) -> object:
    admin = _as(tenant, Role.ADMINISTRATOR)
    return app.users.add_by(admin, "new-user", PASSWORD, ["clerk"], display_name=value)


def _subscriber_name(app: App, tenant: Tenant, value: str) -> object:
    admin = _as(tenant, Role.ADMINISTRATOR)
    return app.subscribers.add(admin, name=value, system="elections", items=["氏_日本人"])


def _municipality_name(app: App, tenant: Tenant, value: str) -> object:
    return app.municipalities.add("011002", value)


def _certifier_title(app: App, tenant: Tenant, value: str) -> object:
    return app.certificates.set_issuer(_as(tenant, Role.ADMINISTRATOR), value, "山田　太郎")


def _suppression_reason(app: App, tenant: Tenant, value: str) -> object:
    return app.suppressions.set(
        _as(tenant, Role.SUPPRESSION_OFFICER),
        kind="suppression",
        atena_number=tenant.atena_numbers[0],
        starts_on=date(2026, 11, 26),
        reason=value,
    )


def _certificate_reason(app: App, tenant: Tenant, value: str) -> object:
    return app.certificates.dispose(_as(tenant, Role.CLERK), "0" * 21, value)


def _seal_notes(app: App, tenant: Tenant, value: str) -> object:
    clerk = _as(tenant, Role.CLERK)
    return app.seals.end(clerk, "00000001", EndReason.CARD_LOST, notes=value)


ITEMS: dict[str, tuple[TextItem, Door, str]] = {
    "staff name": (STAFF_NAME, _staff_name, "display_name"),
    "subscriber name": (SUBSCRIBER_NAME, _subscriber_name, "name"),
    "municipality name": (MUNICIPALITY_NAME, _municipality_name, "name"),
    "certifier title": (CERTIFIER_TEXT, _certifier_title, "mayor_title"),
    "suppression reason": (SUPPRESSION_REASON, _suppression_reason, "reason"),
    "certificate reason": (CERTIFICATE_REASON, _certificate_reason, "reason"),
    "seal notes": (SEAL_NOTES, _seal_notes, "notes"),
}

BAD = [
    ("山\u202e田", "input.control_character"),  # a bidirectional override
    ("山\x00田", "input.control_character"),
    ("<script>", "input.angle_bracket"),
    ("=HYPERLINK(1)", "input.formula"),
    ("山田😀", "input.emoji"),
    ("\ue000", "input.private_use_character"),
]


@pytest.mark.parametrize("item", sorted(ITEMS))
@pytest.mark.parametrize(("value", "code"), BAD)
def test_each_item_is_refused_by_the_shared_rules_in_its_service(
    app: App, tenant: Tenant, item: str, value: str, code: str
) -> None:
    _, door, field = ITEMS[item]
    with pytest.raises(DomainError) as refused:
        door(app, tenant, value)
    assert (code, field) in {(v.code, v.field) for v in refused.value.violations}


@pytest.mark.parametrize("item", sorted(ITEMS))
def test_each_item_is_refused_over_its_limit_with_its_code(
    app: App, tenant: Tenant, item: str
) -> None:
    rule, door, field = ITEMS[item]
    with pytest.raises(DomainError) as refused:
        door(app, tenant, "東" * (rule.max_length + 1))
    assert (rule.too_long, field) in {(v.code, v.field) for v in refused.value.violations}


def test_the_limits_are_the_ones_chosen_for_each_item() -> None:
    """Named here so that changing one is a decision (see ``domain/inbound/text.py``)."""
    assert {name: rule.max_length for name, (rule, _, _) in ITEMS.items()} == {
        "staff name": 100,
        "subscriber name": 100,
        "municipality name": 50,
        "certifier title": 40,
        "suppression reason": 1000,
        "certificate reason": 200,
        "seal notes": 200,
    }
    assert SUPPRESSION_REASON.multiline
    assert not any(
        rule.multiline for rule, _, _ in ITEMS.values() if rule is not SUPPRESSION_REASON
    )


def test_a_value_within_the_rules_is_kept_trimmed(app: App, tenant: Tenant) -> None:
    admin = _as(tenant, Role.ADMINISTRATOR)
    user = app.users.add_by(admin, "tanaka", PASSWORD, ["clerk"], display_name="　田中（税務課） ")
    assert user.display_name == "田中（税務課）"  # a display name is free text, not a 氏名
