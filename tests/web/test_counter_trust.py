"""The counter in process: a planned move-out shown as it stands today, and what the resident
confirmed held to the register until the draft is saved (issue "Trust first", §3)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from jichitai.bootstrap import App
from jichitai.domain.common.address import Address
from jichitai.domain.common.identifiers import AtenaNumber
from jichitai.domain.residents.commands import Correct, MoveOut, RecordChanges
from jichitai.domain.residents.model import FamilyRegister
from jichitai.domain.residents.reasons import ChangeReason
from tests.api.conftest import Tenant
from tests.factories import a_header
from tests.fakes import TODAY, FixedClock
from tests.web.test_changes_http import drafts, opened, post, ref_of
from tests.web.test_counter_http import log_in


@pytest.mark.spec("1.1.5")
def test_a_planned_mover_is_a_resident_at_the_counter_until_the_date(
    http: TestClient, tenant: Tenant, app: App, clock: FixedClock
) -> None:
    wife = tenant.atena_numbers[1]
    planned = TODAY + timedelta(days=5)
    app.register.record_change(
        tenant.code,
        MoveOut(
            header=a_header(effective_on=planned, filed_on=TODAY),
            atena_numbers=(AtenaNumber(wife),),
            planned_on=planned,
            onward_address=Address.municipality_only("北海道", "札幌市中央区"),
        ),
    )
    log_in(http, tenant)
    page = http.get(f"/ui/residents/{ref_of(tenant, wife)}").text
    assert "この方は除票です" not in page
    assert "令和8年12月1日から国内転出となる届出が記録されています" in page
    clock.day = planned
    page = http.get(f"/ui/residents/{ref_of(tenant, wife)}").text
    assert "この方は除票です（転出" in page


@pytest.mark.spec("10.3")
def test_a_change_to_the_household_after_the_confirmation_refuses_the_submission(
    http: TestClient, tenant: Tenant, app: App
) -> None:
    log_in(http, tenant)
    wife = tenant.atena_numbers[1]
    ref = ref_of(tenant, wife)
    page, _ = opened(http, f"/ui/changes/new/move-out?ref={ref}")
    confirmation = post(
        http,
        "/ui/changes/move-out/confirm",
        page,
        {
            "planned_on": "R8.12.1",
            "onward_address.prefecture": "北海道",
            "onward_address.city": "札幌市中央区",
        },
    )
    assert confirmation.status_code == 200, confirmation.text
    # While the resident reads the confirmation, another clerk's change to her is approved.
    app.register.record_change(
        tenant.code,
        Correct(
            header=a_header(effective_on=TODAY),
            atena_number=AtenaNumber(wife),
            reason=ChangeReason.CLERICAL_CORRECTION,
            changes=RecordChanges(family_register=FamilyRegister("京都府京都市北区", "高橋　一郎")),
        ),
    )
    refused = post(http, "/ui/changes/move-out/submit", confirmation.text, {})
    assert refused.status_code == 422, refused.text
    assert "この異動の入力後に他の処理で更新されています" in refused.text
    assert drafts(app, tenant) == []
    # Confirmed again against the register as it now is, it goes through.
    again = post(
        http,
        "/ui/changes/move-out/confirm",
        refused.text,
        {
            "planned_on": "R8.12.1",
            "onward_address.prefecture": "北海道",
            "onward_address.city": "札幌市中央区",
        },
    )
    assert again.status_code == 200, again.text
    done = post(http, "/ui/changes/move-out/submit", again.text, {})
    assert done.status_code == 303, done.text
    assert len(drafts(app, tenant)) == 1
