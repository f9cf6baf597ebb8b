"""The counter in process names items in words and a removed record as 除票 (issue 17, "Names,
not numbers, and words, not field names")."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.testclient import TestClient

from jichitai.bootstrap import App
from jichitai.domain.common.address import Address
from jichitai.domain.common.identifiers import AtenaNumber
from jichitai.domain.residents.commands import MoveOut
from tests.api.conftest import Tenant
from tests.factories import a_header
from tests.fakes import TODAY, FixedClock
from tests.web.test_changes_http import field_messages, opened, post, ref_of
from tests.web.test_counter_http import log_in


def _history(page: str) -> str:
    found = re.search(r'aria-labelledby="history-title".*?</section>', page, re.S)
    assert found is not None
    return found.group(0)


def test_the_history_names_a_planned_move_outs_items_in_words_and_a_removed_record_is_a_joshyo(
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
    history = _history(page)
    assert "転出予定日" in history and "転出先" in history
    assert "北海道札幌市中央区" in history
    assert "planned_on" not in page and "onward_address" not in page
    assert "転出の予定・" not in page
    assert '<h2 id="record-title">住民票（現在）</h2>' in page
    clock.day = planned
    page = http.get(f"/ui/residents/{ref_of(tenant, wife)}").text
    assert '<h2 id="record-title">除票</h2>' in page


def test_a_refusal_names_a_person_of_the_form_by_name_with_the_atena_number(
    http: TestClient, tenant: Tenant, app: App
) -> None:
    head, wife = tenant.atena_numbers
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
    page, _ = opened(http, f"/ui/changes/new/household-split?ref={ref_of(tenant, head)}")
    refused = post(
        http,
        "/ui/changes/household-split/confirm",
        page,
        {"effective_on": "R8.11.26", "atena_numbers": [wife], "new_head": wife},
    )
    assert refused.status_code == 422, refused.text
    # 転出予定 of the wife: the rule names her by 宛名番号, the counter by 氏名 as well.
    messages = [m for _, m in field_messages(refused.text, "atena_numbers")]
    assert any(m.startswith(f"高橋\u3000花子（宛名番号 {wife}）は") for m in messages), messages
    assert f"宛名番号 {wife} の方" not in refused.text
