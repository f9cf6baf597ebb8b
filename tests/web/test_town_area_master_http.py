"""The counter with the municipality's 町字 master (ADR 0013): the 町字 completed from the master
with their 郵便番号, and an address outside it an alert the clerk acknowledges on the form."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from jichitai.bootstrap import App
from jichitai.domain.common.town_areas import TOWN_AREA_NOT_IN_MASTER
from tests.api.conftest import Tenant
from tests.factories import an_administrator
from tests.fakes import TOWN_AREA_HEADER, TownAreaRows, town_area_row
from tests.web.test_changes_http import FAMILY, opened, post
from tests.web.test_counter_http import log_in

pytestmark = [pytest.mark.spec("1.3.3")]


def load_master(app: App, tenant: Tenant) -> None:
    app.town_areas.import_master(
        an_administrator(tenant.code),
        TownAreaRows(
            TOWN_AREA_HEADER,
            town_area_row("0001001", "中央町", "一丁目", "8900001"),
            town_area_row("0001002", "中央町", "二丁目", "8900001"),
            town_area_row("0002000", "東町", "", "8900002"),
            town_area_row("0003000", "旧町", "", "8900003", ("", "2000-01-01")),
        ),
    )


def test_town_areas_are_completed_from_the_master_with_their_postcodes(
    http: TestClient, tenant: Tenant, app: App
) -> None:
    load_master(app, tenant)
    log_in(http, tenant)
    page, _ = opened(http, "/ui/changes/new/move-in")
    assert '<option value="中央町一丁目" data-postcode="890-0001"' in page
    assert "旧町" not in page  # abolished: not offered
    answer = post(http, "/ui/changes/assist", page, {"town": "中央"}).json()
    assert answer["towns"] == ["中央町一丁目", "中央町二丁目"]
    assert answer["postcodes"] == {"中央町一丁目": "890-0001", "中央町二丁目": "890-0001"}
    assert post(http, "/ui/changes/assist", page, {"town": "東"}).json()["towns"] == ["東町"]


def test_an_address_outside_the_master_is_acknowledged_on_the_form(
    http: TestClient, tenant: Tenant, app: App
) -> None:
    load_master(app, tenant)
    log_in(http, tenant)
    page, _ = opened(http, "/ui/changes/new/move-in")
    family = {**FAMILY, "member_count": "3", "address.town_area": "港町"}
    refused = post(http, "/ui/changes/move-in/confirm", page, family)
    assert refused.status_code == 422
    assert f'name="acknowledged" value="{TOWN_AREA_NOT_IN_MASTER}"' in refused.text
    assert "町字マスター" in refused.text
    confirmation = post(
        http,
        "/ui/changes/move-in/confirm",
        refused.text,
        {**family, "acknowledged": TOWN_AREA_NOT_IN_MASTER},
    )
    assert confirmation.status_code == 200, confirmation.text
    inside = {**FAMILY, "member_count": "3", "address.town_area": "中央町一丁目"}
    assert post(http, "/ui/changes/move-in/confirm", page, inside).status_code == 200
