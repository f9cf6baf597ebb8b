"""特例転入 of 外国人住民 on the API (§4.1.1.3 (610)): the 転入 is built from the 30条の45 items the
転出証明書情報 carries (taken in from the real stand-in's mailbox), the person is registered with
them, and the 市町村通知 to 出入国在留管理庁 is written as for a normal foreign 転入 (§4.5.7); a
message of a foreign resident without those items is refused with a clear error. The whole
journey of a mixed family between two municipalities is
``tests/e2e/test_cs_special_move_foreign.py``.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from jichitai.bootstrap import App
from jichitai.domain.access.roles import Role
from jichitai.domain.common.identifiers import AtenaNumber, ResidentCode
from jichitai.domain.residents.model import ForeignResidentCategory
from tests.api.conftest import Tenant, auth, error_codes
from tests.api.test_cs_inbox_api import SENDER, intake, sent, standin
from tests.factories import a_previous_address, an_address

__all__ = ["standin"]  # the fixture: the stand-in CS on a free port

FOREIGN_ITEMS: dict[str, Any] = {
    "nationality": "ベトナム",
    "category": "mid_to_long_term",
    "became_foreign_resident_on": {"kind": "calendar", "date": "2024-04-01"},
    "residence_status": "技能実習",
    "period_of_stay": "1年",
    "stay_expires_on": "2030-03-31",
    "residence_card_number": "AB12345678CD",
    "special_permanent_certificate_number": "",
    "alien_registration_on": None,
    "aliases": [],
}


def certificate(to: str, seq: int, resident_code: str, foreign: Any) -> dict[str, Any]:
    """A 転出証明書情報 of a 外国人住民 as another municipality's register sends it."""
    body: dict[str, Any] = {
        "format": "jichitai-cs/1",
        "kind": "転出証明書情報",
        "seq": seq,
        "resident_code": resident_code,
        "name": "グエン　ヴァン　アン",
        "name_parts": {"family": "NGUYEN VAN AN", "roman": "NGUYEN VAN AN"},
        "birth_date": "1999-09-09",
        "birth": {"kind": "calendar", "date": "1999-09-09"},
        "sex": "male",
        "resident_kind": "foreign",
        "relationship": "世帯主",
        "household_head": True,
        "address": a_previous_address().display(),
        "address_parts": a_previous_address().to_json(),
        "reason": "domestic_move_out",
        "onward_address_parts": an_address().to_json(),
        "planned_on": "2026-11-20",
    }
    if foreign is not None:
        body["foreign"] = foreign
    return {
        "municipality_code": SENDER,
        "seq": seq,
        "ordinal": 0,
        "kind": "転出証明書情報",
        "destination": to,
        "body": body,
    }


@pytest.mark.spec("4.1.1.3", "4.5.7")
def test_a_foreign_resident_moves_in_from_the_items_of_the_certificate(
    app: App, client: TestClient, tenant: Tenant, standin: str
) -> None:
    arriving = ResidentCode.from_random_digits("1234567890").value
    sent(standin, certificate(tenant.code, 1, arriving, FOREIGN_ITEMS))
    sent(standin, certificate(tenant.code, 2, "23456789012", None))
    lacking = {k: v for k, v in FOREIGN_ITEMS.items() if k != "nationality"}
    sent(standin, certificate(tenant.code, 3, "34567890123", lacking))
    assert intake(app, standin, [tenant.code]).receive().received == 3
    clerk = auth(client, tenant.login(Role.CLERK))

    for code, missing in (("23456789012", "国籍・地域"), ("34567890123", "国籍・地域")):
        refused = client.post(
            "/api/v1/cs/special-move-in", json={"resident_codes": [code]}, headers=clerk
        )
        assert refused.status_code == 422, refused.text
        assert error_codes(refused) == ["cs_inbox.foreign_items_missing"]
        error = refused.json()["errors"][0]
        assert code in error["message"] and missing in error["message"]
        assert error["field"] == "resident_codes"

    started = client.post(
        "/api/v1/cs/special-move-in", json={"resident_codes": [arriving]}, headers=clerk
    )
    assert started.status_code == 201, started.text
    draft = started.json()
    (person,) = draft["draft"]["command"]["members"]
    assert person["kind"] == "foreign"
    assert person["foreign"]["nationality"] == "ベトナム"
    approved = client.post(
        f"/api/v1/drafts/{draft['draft']['draft_id']}/approve",
        json={"acknowledged_alerts": [a["code"] for a in draft["alerts"]]},
        headers=auth(client, tenant.login(Role.REVIEWER)),
    )
    assert approved.status_code == 200, approved.text
    (atena,) = approved.json()["atena_numbers"]
    record = app.queries.current(tenant.code, AtenaNumber(atena).value)
    assert record.foreign is not None
    assert record.foreign.category is ForeignResidentCategory.MID_TO_LONG_TERM
    assert record.foreign.residence_status == "技能実習"
    assert record.foreign.stay_expires_on is not None
    assert record.foreign.stay_expires_on.isoformat() == "2030-03-31"
    card = record.foreign.residence_card_number
    assert card is not None and card.value == "AB12345678CD"
    assert record.foreign.became_foreign_resident_on.display("seireki").startswith("2024")
    messages = client.get("/api/v1/cs/messages", headers=clerk).json()["messages"]
    assert [m["destination"] for m in messages if m["kind"] == "市町村通知"] == ["出入国在留管理庁"]
