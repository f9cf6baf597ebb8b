"""The 送付先 and the 送付先情報 (standard §7.1.1.4 (1120)) through the API, against the stand-in
(``jichitai standin serve``'s server, in a thread): a 送付先 set, moved with the person's 転居 and
ended by her 転出, each change written with the change (異動と連動) and sent; the 更新対象者 matched;
the send history found by kind, person and day."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from fastapi.testclient import TestClient

from jichitai.bootstrap import App
from jichitai.config import Settings
from jichitai.domain.access.roles import Role
from jichitai.domain.common.address import Address
from jichitai.domain.common.identifiers import AtenaNumber
from jichitai.domain.residents.commands import InTownMove, MoveOut
from tests.api.conftest import Tenant, auth, error_codes
from tests.api.test_national_check_api import standin  # noqa: F401 (the fixture)
from tests.apps import settings_for
from tests.factories import a_header, an_address

KIND = "送付先情報"
JST = timezone(timedelta(hours=9))
pytestmark = pytest.mark.spec("7.1.1.4")
RESIDENCE = {
    "prefecture": "東京都",
    "city": "千代田区",
    "town_area": "神田神保町",
    "lot_text": "一丁目1番地",
    "address_supplement": "神保町ハイツ101号",
    "postcode": "101-0051",
}


@pytest.fixture
def app_settings(
    tmp_path: Path,
    webhook_allowed_networks: str,
    standin: str,  # noqa: F811
) -> Settings:
    return dataclasses.replace(
        settings_for(tmp_path / "keys", webhook_allowed_networks), cs_url=standin
    )


def messages(client: TestClient, tenant: Tenant, **search: str) -> list[dict[str, Any]]:
    response = client.get(
        "/api/v1/cs/messages",
        params={"kind": KIND, **search},
        headers=auth(client, tenant.login(Role.CLERK)),
    )
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()["messages"]
    return found


def taken(standin: str, code: str) -> list[dict[str, Any]]:  # noqa: F811
    found: list[dict[str, Any]] = httpx.get(
        f"{standin}/v1/card-destinations", params={"municipality": code}
    ).json()
    return [m["body"] for m in found]


def test_a_residence_moves_with_the_person_and_ends_with_her_move_out(
    app: App,
    client: TestClient,
    tenant: Tenant,
    other: Tenant,
    standin: str,  # noqa: F811
) -> None:
    clerk = auth(client, tenant.login(Role.CLERK))
    head, wife = tenant.atena_numbers[:2]
    path = f"/api/v1/residents/{head}/card-destination"
    shown = client.get(path, headers=clerk).json()
    assert (shown["send_to"], shown["history"]) == ("", [])
    assert messages(client, tenant) == []  # moving in without a 送付先 sent none

    made = client.put(path, json={"address": RESIDENCE}, headers=clerk)
    assert made.status_code == 200, made.text
    assert made.json()["send_to"] == "東京都千代田区神田神保町一丁目1番地　神保町ハイツ101号"
    assert made.json()["send_to_parts"]["address_supplement"] == "神保町ハイツ101号"
    # Another municipality's person of the same 宛名番号 has none: each municipality its own.
    theirs = auth(client, other.login(Role.CLERK))
    assert client.get(path, headers=theirs).json()["history"] == []

    # A 転居 of both: only the person with a 送付先 gets a 送付先情報, with the change.
    app.register.record_change(
        tenant.code,
        InTownMove(
            header=a_header(),
            atena_numbers=(AtenaNumber(head), AtenaNumber(wife)),
            address=an_address(lot="五丁目1番"),
        ),
    )
    listed = messages(client, tenant)
    assert [(m["atena_number"], m["status"]) for m in listed] == [
        (head, "pending"),
        (head, "pending"),
    ]
    assert listed[1]["seq"] > listed[0]["seq"]  # the 転居's own seq, after the setting
    # The 転出: the 送付先 ends; the 転出先 goes.
    onward = Address.create(
        prefecture="大阪府", city="大阪市北区", town_area="梅田", lot_text="一丁目1番"
    )
    app.register.record_change(
        tenant.code,
        MoveOut(
            header=a_header(),
            atena_numbers=(AtenaNumber(head),),
            planned_on=a_header().effective_on,
            onward_address=onward,
        ),
    )
    report = app.cs.send_due()
    assert report.refused == 0 and report.retrying == 0
    bodies = taken(standin, tenant.code)
    assert [(b["trigger"], b["send_to_kind"]) for b in bodies] == [
        ("set", "residence"),
        ("address_change", "residence"),
        ("move_out", "onward"),
    ]
    assert bodies[1]["address"].endswith("五丁目1番") and bodies[1]["send_to"].endswith("101号")
    assert bodies[2]["send_to"] == "大阪府大阪市北区梅田一丁目1番"
    assert {b["resident_code"] for b in bodies} == {shown["resident_code"]}
    assert taken(standin, other.code) == []

    # The send history: by person (宛名番号 or 住民票コード) and by the day sent.
    sent = messages(client, tenant, person=shown["resident_code"])
    assert [m["status"] for m in sent] == ["sent"] * 3 and all(m["receipt"] for m in sent)
    assert messages(client, tenant, person=head) == sent
    assert messages(client, tenant, person=wife) == []
    day = datetime.fromisoformat(sent[0]["sent_at"]).astimezone(JST).date()
    assert messages(client, tenant, sent_from=day.isoformat(), sent_to=day.isoformat()) == sent
    later = (day + timedelta(days=1)).isoformat()
    assert messages(client, tenant, sent_from=later) == []
    # No longer a resident: the 送付先 is not set again.
    refused = client.put(path, json={"address": RESIDENCE}, headers=clerk)
    assert refused.status_code == 409 and error_codes(refused) == ["card_destination.not_resident"]


def test_bad_input_is_refused_with_its_code_message_and_field(
    client: TestClient,
    tenant: Tenant,
) -> None:
    clerk = auth(client, tenant.login(Role.CLERK))
    path = f"/api/v1/residents/{tenant.atena_numbers[0]}/card-destination"
    for address, code, field in (
        ({}, "card_destination.address_required", "address"),
        ({"city": "千代田区", "postcode": "12"}, "address.postcode", "address.postcode"),
        ({"country": "フランス"}, "card_destination.overseas", "address.country"),
        ({"city": "千代田区", "floor": "3"}, "input.unknown_item", "address"),
    ):
        response = client.put(path, json={"address": address}, headers=clerk)
        assert response.status_code == 422, response.text
        errors = response.json()["errors"]
        assert [(e["code"], e["field"]) for e in errors] == [(code, field)]
        assert errors[0]["message"] and not errors[0]["message"].isascii()
    cleared = client.delete(path, headers=clerk)
    assert cleared.status_code == 409 and error_codes(cleared) == ["card_destination.not_set"]
    bad = client.get(
        "/api/v1/cs/messages", params={"kind": "送付先", "person": "12"}, headers=clerk
    )
    assert bad.status_code == 422 and set(error_codes(bad)) == {
        "cs.kind_unknown",
        "atena_number.format",
    }
    # Setting needs a counter role that records (an auditor may not).
    auditor = auth(client, tenant.login(Role.AUDITOR))
    forbidden = client.put(path, json={"address": RESIDENCE}, headers=auditor)
    assert forbidden.status_code == 403


def test_renewal_targets_are_matched_and_the_unmatched_listed(
    app: App,
    client: TestClient,
    tenant: Tenant,
    standin: str,  # noqa: F811
) -> None:
    clerk = auth(client, tenant.login(Role.CLERK))
    app.cs.send_due()
    copy = httpx.get(f"{standin}/v1/identities", params={"municipality": tenant.code}).json()
    code = sorted(copy)[0]
    for target in (code, "99999999999"):
        played = {"municipality_code": tenant.code, "resident_code": target, "card": "certificate"}
        assert httpx.post(f"{standin}/v1/renewal-targets", json=played).status_code == 200
    response = client.post("/api/v1/cards/renewal-targets", headers=clerk)
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["listed"] == 2
    assert [(s["resident_code"], s["atena_number"]) for s in result["sent"]] == [
        (code, copy[code]["atena"])
    ]
    assert [(u["resident_code"], u["reason"]) for u in result["unmatched"]] == [
        ("99999999999", "住民記録にない住民票コードです")
    ]
    app.cs.send_due()
    bodies = taken(standin, tenant.code)
    assert [(b["resident_code"], b["trigger"], b["send_to_kind"]) for b in bodies] == [
        (code, "renewal", "address")
    ]
    assert bodies[0]["send_to"] == copy[code]["address"]
