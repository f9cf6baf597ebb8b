"""A certificate request through the staff API: its 請求者, 通数 and 手数料 (worked out by the
service from the municipality's fee table), and the day's totals per kind."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from jichitai.bootstrap import App
from jichitai.domain.access.roles import Role
from tests.api.conftest import Tenant, auth, error_codes
from tests.factories import a_named_certifier


@pytest.fixture(autouse=True)
def named_certifier(app: App, tenant: Tenant) -> str:
    return a_named_certifier(app, tenant.code)


def issue(client: TestClient, tenant: Tenant, **body: object) -> Any:
    payload = {"atena_number": tenant.atena_numbers[0], **body}
    return client.post(
        "/api/v1/certificates", json=payload, headers=auth(client, tenant.login(Role.CLERK))
    )


def test_a_request_records_requester_copies_and_the_fee_the_service_decides(
    client: TestClient, tenant: Tenant
) -> None:
    three = issue(client, tenant, requester="agent", copies=3)
    assert three.status_code == 201, three.text
    assert three.headers["x-jichitai-copies"] == "3"
    assert three.headers["x-jichitai-fee"] == "900"  # 300円 a copy by default
    official = issue(client, tenant, requester="official", copies=2)
    assert official.headers["x-jichitai-fee"] == "0"  # 公用 is free
    plain = issue(client, tenant)  # no requester: 本人, one copy
    assert plain.headers["x-jichitai-fee"] == "300"

    history = client.get(
        "/api/v1/certificates", headers=auth(client, tenant.login(Role.CLERK))
    ).json()["issues"]
    assert [(i["requester"], i["requester_label"], i["copies"], i["fee"]) for i in history] == [
        ("self", "本人", 1, 300),
        ("official", "公用", 2, 0),
        ("agent", "代理人", 3, 900),
    ]


def test_a_fee_is_never_taken_from_the_request_and_bad_terms_are_refused(
    client: TestClient, tenant: Tenant
) -> None:
    assert issue(client, tenant, fee=0).status_code == 422  # no such field
    assert error_codes(issue(client, tenant, copies=0)) == ["certificate.copies_invalid"]
    assert error_codes(issue(client, tenant, copies=11)) == ["certificate.copies_invalid"]
    wrong = issue(client, tenant, requester="neighbour")
    assert error_codes(wrong) == ["certificate.requester_invalid"]
    assert (
        client.get("/api/v1/certificates", headers=auth(client, tenant.login(Role.CLERK))).json()[
            "count"
        ]
        == 0
    )


def test_an_administrator_sets_the_fee_per_kind_and_the_day_sums_copies_and_fees(
    client: TestClient, tenant: Tenant
) -> None:
    admin = auth(client, tenant.login(Role.ADMINISTRATOR))
    fees = client.get("/api/v1/admin/certificate-fees", headers=admin).json()["fees"]
    assert fees["juminhyo"] == 300 and fees["inkan"] == 300
    clerk_may_not = client.put(
        "/api/v1/admin/certificate-fees",
        json={"fees": {"juminhyo": 200}},
        headers=auth(client, tenant.login(Role.CLERK)),
    )
    assert clerk_may_not.status_code == 403
    too_much = client.put(
        "/api/v1/admin/certificate-fees", json={"fees": {"juminhyo": 100_000}}, headers=admin
    )
    assert error_codes(too_much) == ["certificate.fee_invalid"]
    set_ = client.put(
        "/api/v1/admin/certificate-fees", json={"fees": {"juminhyo": 200}}, headers=admin
    )
    assert set_.status_code == 200 and set_.json()["fees"]["juminhyo"] == 200

    issue(client, tenant, copies=2)
    issue(client, tenant, requester="third_party")
    issue(client, tenant, requester="official", copies=4)
    issue(client, tenant, kind="kisai-jiko", copies=2)
    clerk = auth(client, tenant.login(Role.CLERK))
    totals = client.get("/api/v1/certificates/totals", headers=clerk).json()
    assert [(k["kind"], k["requests"], k["copies"], k["fee"]) for k in totals["kinds"]] == [
        ("juminhyo", 3, 7, 600),
        ("kisai-jiko", 1, 2, 600),
    ]
    assert (totals["copies"], totals["fee"]) == (9, 1200)
