"""The 届出人 and 本人確認 of a change through the staff API: typed with the header, read by the
one inbound decoder (the telephone as written, normalised), kept in the draft's command, and
absent from commands that never had them."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient

from jichitai.bootstrap import App
from jichitai.domain.access.roles import Role
from jichitai.domain.residents.commands import (
    IdentityCheck,
    IdentityDocument,
    MoveIn,
    Notifier,
    NotifierKind,
)
from jichitai.services.register_access import decode_command_text
from tests.api.conftest import Tenant, a_move_in, auth, command_json, error_codes


def _with(header: dict[str, Any]) -> dict[str, Any]:
    command = command_json(a_move_in(41, "佐藤", "サトウ"))
    command["header"] = {**command["header"], **header}
    return command


def _post(client: TestClient, tenant: Tenant, command: dict[str, Any]) -> Any:
    return client.post(
        "/api/v1/drafts", json={"command": command}, headers=auth(client, tenant.login(Role.CLERK))
    )


def test_a_draft_keeps_its_notifier_and_identity_check(
    app: App, client: TestClient, tenant: Tenant
) -> None:
    command = _with(
        {
            "notifier": {
                "kind": "agent",
                "name": "鈴木　一郎",
                "address": "東京都千代田区丸の内一丁目1番1号",
                "telephone": "０３－１２３４－５６７８",
                "relation": "委任（知人）",
            },
            "identity_check": {"document": "driving_licence"},
        }
    )
    answer = _post(client, tenant, command)
    assert answer.status_code == 201, answer.text
    draft_id = answer.json()["draft"]["draft_id"]
    (stored,) = [d for d in app.register.drafts(tenant.code) if d.draft_id == draft_id]
    made = decode_command_text(stored.command)
    assert isinstance(made, MoveIn)
    assert made.header.notifier == Notifier(
        kind=NotifierKind.AGENT,
        name="鈴木　一郎",
        address="東京都千代田区丸の内一丁目1番1号",
        telephone="03-1234-5678",
        relation="委任（知人）",
    )
    assert made.header.identity_check == IdentityCheck(document=IdentityDocument.DRIVING_LICENCE)


def test_a_bad_notifier_is_refused_at_its_item(client: TestClient, tenant: Tenant) -> None:
    bad_phone = _post(client, tenant, _with({"notifier": {"telephone": "=1+2"}}))
    assert bad_phone.status_code == 422
    assert [e["field"] for e in bad_phone.json()["errors"]] == ["notifier.telephone"]
    unnamed = _post(client, tenant, _with({"notifier": {"kind": "agent"}}))
    assert error_codes(unnamed) == ["notifier.name_required"]
    other = _post(client, tenant, _with({"identity_check": {"document": "other"}}))
    assert error_codes(other) == ["identity_check.detail_required"]
    unknown = _post(client, tenant, _with({"notifier": {"kind": "self", "email": "a@b"}}))
    assert error_codes(unknown) == ["command.invalid"]


def test_a_command_stored_without_them_decodes_unchanged() -> None:
    # A journal entry or draft written before the items existed holds no such keys.
    command = command_json(a_move_in(42))
    assert "notifier" not in command["header"] and "identity_check" not in command["header"]
    made = decode_command_text(json.dumps(command, ensure_ascii=False))
    assert isinstance(made, MoveIn)
    assert made.header.notifier is None and made.header.identity_check is None
    assert command_json(made) == command
