"""届出人 and 本人確認 at the counter: one shared group on every form of a change filed by
someone (本人 chosen, so the usual case costs nothing), none on a 職権 form; its values reach the
draft's command and its faults are shown at their fields."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient

from jichitai.bootstrap import App
from jichitai.domain.residents.commands import (
    IdentityCheck,
    IdentityDocument,
    MoveIn,
    Notifier,
    NotifierKind,
)
from jichitai.entrypoints.web.changes_catalogue import PROCESSES
from jichitai.entrypoints.web.changes_layout import Context
from jichitai.entrypoints.web.changes_reader import FormReader, Values
from jichitai.services.register_access import decode_command_text
from tests.api.conftest import Tenant
from tests.web.test_changes_http import (
    FAMILY,
    codes_at,
    drafts,
    move_in_family,
    opened,
    post,
    ref_of,
    sent,
)
from tests.web.test_counter_http import log_in

AGENT = {
    "notifier.kind": "agent",
    "notifier.name": "鈴木　一郎",
    "notifier.address": "東京都千代田区丸の内一丁目1番1号",
    "notifier.telephone": "０３－１２３４－５６７８",
    "notifier.relation": "委任（知人）",
    "identity_check.document": "driving_licence",
}

FILED = {
    "move-in", "birth", "in-town-move", "move-out", "death", "household-split",
    "household-merge", "household-change", "head-change",
}  # fmt: skip
"""The forms of a 届出 (the 職権 forms, 転入通知, 改製, 修正, 帰化・国籍喪失 and 取消し have none)."""


def test_a_move_in_by_an_agent_with_a_driving_licence_reaches_the_draft(
    http: TestClient, tenant: Tenant, app: App
) -> None:
    log_in(http, tenant)
    form, _ = move_in_family(http)
    assert ("notifier.kind", "self") in sent(form)  # 本人, unless the clerk chooses otherwise
    confirmation = post(http, "/ui/changes/move-in/confirm", form, FAMILY | AGENT)
    assert confirmation.status_code == 200, confirmation.text
    assert "代理人 鈴木　一郎（委任（知人））" in confirmation.text
    assert "運転免許証" in confirmation.text
    assert post(http, "/ui/changes/move-in/submit", confirmation.text, {}).status_code == 303
    (draft,) = drafts(app, tenant)
    command = decode_command_text(draft.command)
    assert isinstance(command, MoveIn)
    assert command.header.notifier == Notifier(
        kind=NotifierKind.AGENT,
        name="鈴木　一郎",
        address="東京都千代田区丸の内一丁目1番1号",
        telephone="03-1234-5678",
        relation="委任（知人）",
    )
    assert command.header.identity_check == IdentityCheck(document=IdentityDocument.DRIVING_LICENCE)


def test_the_usual_move_in_records_the_person_as_notifier(
    http: TestClient, tenant: Tenant, app: App
) -> None:
    log_in(http, tenant)
    _, confirmation = move_in_family(http)
    assert post(http, "/ui/changes/move-in/submit", confirmation.text, {}).status_code == 303
    (draft,) = drafts(app, tenant)
    command = decode_command_text(draft.command)
    assert command.header.notifier == Notifier(kind=NotifierKind.SELF)
    assert command.header.identity_check is None


@pytest.mark.parametrize(
    ("typed", "field", "code"),
    [
        ({"notifier.kind": "agent"}, "notifier.name", "notifier.name_required"),
        ({"notifier.relation": "委任"}, "notifier.relation", "notifier.relation_not_agent"),
        ({"notifier.telephone": "=1+2"}, "notifier.telephone", "input.telephone"),
        ({"identity_check.document": "other"}, "identity_check.detail", "identity_check.detail_required"),
        ({"notifier.kind": "nobody"}, "notifier.kind", "input.choice"),
    ],
)  # fmt: skip
def test_a_notifier_fault_is_shown_at_its_field_and_nothing_is_saved(
    http: TestClient, tenant: Tenant, app: App, typed: dict[str, str], field: str, code: str
) -> None:
    log_in(http, tenant)
    form, _ = move_in_family(http)
    for step in ("confirm", "submit"):
        refused = post(http, f"/ui/changes/move-in/{step}", form, FAMILY | typed)
        assert refused.status_code == 422, refused.text
        assert code in codes_at(refused.text, field)
    assert drafts(app, tenant) == []


def test_an_agent_s_name_and_address_are_open_when_an_agent_is_chosen(
    http: TestClient, tenant: Tenant
) -> None:
    log_in(http, tenant)
    form, _ = move_in_family(http)
    fold = '<details class="group-fold"'
    at = form.index('id="group-notifier_details"')
    assert form.rfind(fold, 0, at) > form.rfind("</details>", 0, at)  # folded …
    assert not form[form.rfind(fold, 0, at) :].startswith(fold + " open")  # … and closed
    refused = post(http, "/ui/changes/move-in/confirm", form, FAMILY | {"notifier.kind": "agent"})
    at = refused.text.index('id="group-notifier_details"')
    assert refused.text[refused.text.rfind(fold, 0, at) :].startswith(fold + " open")


def test_every_filed_form_has_the_group_and_no_ex_officio_form_has_it(
    http: TestClient, tenant: Tenant
) -> None:
    log_in(http, tenant)
    ref = ref_of(tenant, tenant.atena_numbers[0])
    for key in PROCESSES:
        page, _ = opened(http, f"/ui/changes/new/{key}?ref={ref}")
        has = 'name="notifier.kind"' in page
        assert has == (key in FILED), key
        assert ('name="identity_check.document"' in page) == has, key
    ex_officio, _ = opened(http, "/ui/changes/new/ex-officio-entry")
    assert "届出人" not in ex_officio and "本人確認" not in ex_officio


def test_each_form_reads_the_notifier_where_it_draws_it() -> None:
    """A form's build reads the 届出人 exactly when its layout draws the group."""
    ctx = Context(today=date(2026, 11, 26), prefecture="東京都", city="千代田区")
    for key, process in PROCESSES.items():
        drawn = "notifier.kind" in process.layout(ctx, Values(())).names
        reader = FormReader(Values((("notifier.kind", "agent"), ("notifier.name", "鈴木"))))
        built = process.build(reader)
        assert ("notifier" in built.get("header", {})) == drawn == (key in FILED), key
