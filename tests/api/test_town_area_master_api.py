"""The staff API applies the municipality's 町字 master (ADR 0013): a change whose address names a
町字 outside it is refused with the alert until acknowledged; without a master, as before."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from jichitai.bootstrap import App
from jichitai.codec import encode_tagged
from jichitai.domain.access.roles import Role
from jichitai.domain.common.address import Address
from jichitai.domain.common.identifiers import AtenaNumber
from jichitai.domain.common.town_areas import TOWN_AREA_NOT_IN_MASTER
from jichitai.domain.residents.commands import InTownMove
from tests.api.conftest import Tenant, auth, error_codes
from tests.factories import a_header, acknowledging, an_administrator
from tests.fakes import TODAY, TOWN_AREA_HEADER, TownAreaRows, town_area_row

pytestmark = [pytest.mark.spec("1.3.3")]


def move(tenant: Tenant, town: str, *acknowledged: str) -> InTownMove:
    header = acknowledging(a_header(TODAY - timedelta(days=1), filed_on=TODAY), *acknowledged)
    return InTownMove(
        header=header,
        atena_numbers=tuple(AtenaNumber(a) for a in tenant.atena_numbers),
        address=Address.create(
            prefecture="鹿児島県", city="試験市", town_area=town, lot_text="5番"
        ),
    )


def test_an_address_outside_the_master_is_an_alert_in_the_api(
    app: App, client: TestClient, tenant: Tenant
) -> None:
    clerk = auth(client, tenant.login(Role.CLERK))

    def check(command: InTownMove) -> int:
        response = client.post(
            "/api/v1/changes/check", json={"command": encode_tagged(command)}, headers=clerk
        )
        if response.status_code == 422:
            assert error_codes(response) == [TOWN_AREA_NOT_IN_MASTER], response.text
        return response.status_code

    assert check(move(tenant, "港町")) == 200  # no master loaded: as before
    app.town_areas.import_master(
        an_administrator(tenant.code),
        TownAreaRows(
            TOWN_AREA_HEADER,
            town_area_row("0001001", "中央町", "一丁目", "8900001"),
            town_area_row("0002000", "東町", "", "8900002"),
        ),
    )
    assert check(move(tenant, "中央町一丁目")) == 200
    assert check(move(tenant, "中央町 一丁目")) == 200
    assert check(move(tenant, "港町")) == 422
    assert check(move(tenant, "港町", TOWN_AREA_NOT_IN_MASTER)) == 200
