"""The integration API as a business system uses it: its key, its items, its municipality only.

Standard §7.2.3 (1190) 宛名連携: full and delta data for other systems, in real time.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import replace

import pytest
from fastapi.testclient import TestClient

from jichitai.bootstrap import App
from jichitai.domain.access.actor import Actor
from jichitai.domain.access.roles import Role
from jichitai.domain.access.suppression import Process
from jichitai.domain.common.identifiers import AtenaNumber, HouseholdNumber
from jichitai.domain.errors import DomainError
from jichitai.domain.residents.commands import Birth, Correct, RecordChanges
from jichitai.domain.residents.reasons import ChangeReason
from jichitai.services.audit import AccessSearch, Operation
from jichitai.services.subscribers import Credentials
from tests.api.conftest import Tenant, a_move_in, auth, error_codes
from tests.factories import a_header, a_person, an_administrator, an_auditor
from tests.fakes import FixedClock

pytestmark = pytest.mark.spec("7.2.3")

ITEMS = ("氏_日本人", "名_日本人", "生年月日", "住民状態", "続柄1")


def subscribe(
    app: App, code: str, items: Sequence[str] = ITEMS, *, my_number: bool = False
) -> Credentials:
    return app.subscribers.add(
        an_administrator(code),
        name="児童手当システム",
        system="child_allowance",
        items=items,
        my_number_allowed=my_number,
    )


def key(credentials: Credentials) -> dict[str, str]:
    return {"Authorization": f"Bearer {credentials.api_key}"}


def feed(client: TestClient, credentials: Credentials, after: str = "0", limit: int = 1000) -> dict:  # type: ignore[type-arg]
    response = client.get(
        "/integration/v1/changes",
        params={"after": after, "limit": limit},
        headers=key(credentials),
    )
    assert response.status_code == 200, response.text
    body: dict = response.json()  # type: ignore[type-arg]
    return body


def a_birth(tenant: Tenant) -> Birth:
    return Birth(
        header=a_header(),
        child=a_person(
            given="陽翔", kana=("タカハシ", "ハルト"), relationship="子", born="2026-11-01"
        ),
        household_number=HouseholdNumber(tenant.household_number),
    )


def test_the_feed_gives_approved_changes_in_order_with_a_cursor_to_go_on_from(
    app: App, client: TestClient, tenant: Tenant
) -> None:
    credentials = subscribe(app, tenant.code)
    first = feed(client, credentials)
    assert [c["seq"] for c in first["changes"]] == [1]
    assert first["next_cursor"] == "1" and first["has_more"] is False
    move_in = first["changes"][0]
    assert move_in["kind"] == "move_in" and move_in["reason_label"] == "国内転入"
    assert move_in["persons"] == tenant.atena_numbers
    assert move_in["households"] == [tenant.household_number]

    born = app.register.record_change(tenant.code, a_birth(tenant))
    app.register.save_draft(tenant.code, a_birth(tenant))  # a draft is never in the feed
    second = feed(client, credentials, first["next_cursor"])
    assert [c["event_id"] for c in second["changes"]] == [born.event_id]
    child = second["changes"][0]["records"]
    assert [r["名_日本人"] for r in child] == ["陽翔"]
    assert child[0]["生年月日"] == "20261101"
    assert feed(client, credentials, second["next_cursor"])["changes"] == []

    paged = feed(client, credentials, "0", limit=1)
    assert len(paged["changes"]) == 1 and paged["has_more"] is True


@pytest.mark.spec("7.1.2.3")  # the 団体内統合宛名システム is such a subscriber
def test_items_outside_the_subscribers_scope_are_absent_and_the_my_number_needs_a_duty(
    app: App, client: TestClient, tenant: Tenant
) -> None:
    plain = subscribe(app, tenant.code)
    record = feed(client, plain)["changes"][0]["records"][0]
    assert set(record) == {"宛名番号", "世帯番号", *ITEMS}
    assert "個人番号" not in record and "本籍" not in record

    with pytest.raises(DomainError) as refused:
        subscribe(app, tenant.code, (*ITEMS, "個人番号"))
    assert refused.value.code == "subscriber.my_number_not_allowed"
    with pytest.raises(DomainError) as unknown:
        subscribe(app, tenant.code, ("氏名", "好きな食べ物"))
    assert {v.code for v in unknown.value.violations} == {"subscriber.unknown_item"}

    tax = subscribe(app, tenant.code, ("個人番号", "氏_日本人"), my_number=True)
    records = feed(client, tax)["changes"][0]["records"]
    assert set(records[0]) == {"宛名番号", "世帯番号", "氏_日本人", "個人番号"}
    assert len(records[0]["個人番号"]) == 12
    searched = client.get(
        "/integration/v1/persons",
        params={"q": records[0]["個人番号"]},
        headers=key(tax),
    )
    assert searched.status_code == 200
    assert [r["宛名番号"] for r in searched.json()["records"]] == [records[0]["宛名番号"]]
    refused_search = client.get(
        "/integration/v1/persons", params={"q": records[0]["個人番号"]}, headers=key(plain)
    )
    assert refused_search.status_code == 403
    assert error_codes(refused_search) == ["integration.individual_number_forbidden"]


def test_persons_hidden_from_other_systems_or_suppressed_for_feeds_are_withheld(
    app: App, client: TestClient, tenant: Tenant
) -> None:
    credentials = subscribe(app, tenant.code)
    head, spouse = tenant.atena_numbers
    hidden = app.register.record_change(
        tenant.code,
        Correct(
            header=a_header(),
            atena_number=AtenaNumber(spouse),
            reason=ChangeReason.MINOR_CORRECTION,
            changes=RecordChanges(hidden_from_other_systems=True),
        ),
    )
    change = feed(client, credentials, "1")["changes"][0]
    assert change["event_id"] == hidden.event_id
    assert change["persons"] == [] and change["records"] == [] and change["withheld"] == 1
    refused = client.get(f"/integration/v1/persons/{spouse}", headers=key(credentials))
    assert refused.status_code == 403
    assert error_codes(refused) == ["integration.withheld"]

    officer = Actor(
        login=tenant.login(Role.SUPPRESSION_OFFICER),
        municipality_code=tenant.code,
        roles=frozenset({Role.SUPPRESSION_OFFICER}),
    )
    app.suppressions.set(
        officer,
        kind="suppression",
        atena_number=head,
        processes=[Process.FEED],
        starts_on=app.clock.today(),
        reason="照会中",
    )
    household = client.get(
        f"/integration/v1/households/{tenant.household_number}", headers=key(credentials)
    )
    assert household.status_code == 200
    assert household.json() == {"count": 0, "records": [], "withheld": 2}
    first = feed(client, credentials)["changes"][0]
    assert first["records"] == [] and first["withheld"] == 2
    extract = client.get("/integration/v1/extract", headers=key(credentials))
    assert extract.text == ""


def test_the_extract_streams_every_current_record_with_the_cursor_to_follow_from(
    app: App, client: TestClient, tenant: Tenant
) -> None:
    credentials = subscribe(app, tenant.code)
    app.register.record_change(tenant.code, a_birth(tenant))
    response = client.get("/integration/v1/extract", headers=key(credentials))
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/x-ndjson"
    assert response.headers["x-jichitai-feed-cursor"] == "2"
    records = [json.loads(line) for line in response.text.splitlines()]
    assert len(records) == 3
    assert {r["宛名番号"] for r in records} >= set(tenant.atena_numbers)
    assert all(set(r) == {"宛名番号", "世帯番号", *ITEMS} for r in records)

    as_csv = client.get(
        "/integration/v1/extract", params={"format": "csv"}, headers=key(credentials)
    )
    rows = list(csv.reader(io.StringIO(as_csv.text)))
    assert rows[0] == [
        "宛名番号",
        "世帯番号",
        "住民状態",
        "氏_日本人",
        "名_日本人",
        "生年月日",
        "続柄1",
    ]
    assert [dict(zip(rows[0], row, strict=True)) for row in rows[1:]] == records


def test_a_person_as_of_a_date_and_a_household_answer_in_the_subscribers_items(
    app: App, client: TestClient, tenant: Tenant
) -> None:
    credentials = subscribe(app, tenant.code)
    head = tenant.atena_numbers[0]
    person = client.get(f"/integration/v1/persons/{head}", headers=key(credentials))
    assert person.status_code == 200
    assert person.json()["record"]["宛名番号"] == head
    before = client.get(
        f"/integration/v1/persons/{head}", params={"as_of": "1990-01-01"}, headers=key(credentials)
    )
    assert before.status_code == 404
    assert error_codes(before) == ["person.not_registered_on"]
    members = client.get(
        f"/integration/v1/households/{tenant.household_number}", headers=key(credentials)
    ).json()
    assert [r["宛名番号"] for r in members["records"]] == tenant.atena_numbers
    found = client.get(
        "/integration/v1/persons", params={"q": "タカハシ", "by": "kana"}, headers=key(credentials)
    ).json()
    assert {r["宛名番号"] for r in found["records"]} == set(tenant.atena_numbers)


def test_bad_keys_cursors_limits_and_other_municipalities_are_refused_clearly(
    app: App, client: TestClient, tenant: Tenant, other: Tenant
) -> None:
    credentials = subscribe(app, tenant.code)
    url = "/integration/v1/changes"
    for headers, code in (
        ({}, "auth.api_key_required"),
        ({"Authorization": "Bearer jk_wrong"}, "auth.api_key_invalid"),
    ):
        response = client.get(url, headers=headers)
        assert response.status_code == 401
        assert error_codes(response) == [code]
    for params, code in (
        ({"after": "abc"}, "feed.cursor_invalid"),
        ({"after": "-1"}, "feed.cursor_invalid"),
        ({"after": "99"}, "feed.cursor_invalid"),
        ({"limit": "0"}, "request.greater_than_equal"),
        ({"limit": "1001"}, "request.less_than_equal"),
    ):
        response = client.get(url, params=params, headers=key(credentials))
        assert response.status_code == 422, params
        assert error_codes(response) == [code]
    refused = client.get(url, params={"municipality": other.code}, headers=key(credentials))
    assert refused.status_code == 403
    assert error_codes(refused) == ["integration.other_municipality"]
    newcomer = app.register.record_change(other.code, a_move_in(number_seed=11, surname="佐藤"))
    elsewhere = client.get(
        f"/integration/v1/persons/{newcomer.atena_numbers[0]}", headers=key(credentials)
    )
    assert elsewhere.status_code == 404
    assert error_codes(elsewhere) == ["person.not_found"]
    staff = client.post(
        "/api/v1/auth/token",
        data={"username": tenant.login(Role.CLERK), "password": "correct horse battery staple"},
    ).json()["access_token"]
    assert client.get(url, headers={"Authorization": f"Bearer {staff}"}).status_code == 401

    app.subscribers.disable(an_administrator(tenant.code), credentials.subscriber.subscriber_id)
    assert client.get(url, headers=key(credentials)).status_code == 401
    renewed = app.subscribers.renew_key(
        an_administrator(tenant.code), credentials.subscriber.subscriber_id
    )
    assert (
        client.get(url, headers=key(replace(credentials, api_key=renewed.api_key))).status_code
        == 401
    )


def test_everything_a_subscriber_reads_or_is_refused_is_in_the_access_log(
    app: App, client: TestClient, tenant: Tenant, clock: FixedClock
) -> None:
    credentials = subscribe(app, tenant.code)
    login = credentials.subscriber.login
    feed(client, credentials)
    client.get(f"/integration/v1/persons/{tenant.atena_numbers[0]}", headers=key(credentials))
    client.get("/integration/v1/changes", params={"after": "x"}, headers=key(credentials))
    auditor = Actor(
        login=tenant.login(Role.AUDITOR),
        municipality_code=tenant.code,
        roles=frozenset({Role.AUDITOR}),
    )
    entries = list(app.access_log.search(auditor, AccessSearch(user_login=login)))
    operations = sorted((e.operation, e.outcome.value) for e in entries)
    assert operations == [
        (Operation.FEED, "ok"),
        (Operation.INTEGRATION_QUERY, "ok"),
        (Operation.REFUSED, "refused"),
    ]
    read = next(e for e in entries if e.operation is Operation.FEED)
    assert set(read.atena_numbers) == set(tenant.atena_numbers)
    assert read.purpose == "児童手当" and read.roles == ("integration",)
    assert app.access_log.verify(an_auditor(tenant.code)) > 0


def test_a_subscriber_told_of_support_measures_sees_who_is_under_one(
    app: App, client: TestClient, tenant: Tenant
) -> None:
    told = subscribe(app, tenant.code, (*ITEMS, "支援措置対象フラグ"))
    untold = subscribe(app, tenant.code)
    head, spouse = tenant.atena_numbers
    officer = Actor(
        login=tenant.login(Role.DV_OFFICER),
        municipality_code=tenant.code,
        roles=frozenset({Role.DV_OFFICER}),
    )
    app.suppressions.set(
        officer,
        kind="dv_support",
        atena_number=spouse,
        starts_on=app.clock.today(),
        reason="支援措置申出",
    )
    records = feed(client, told)["changes"][0]["records"]
    assert {r["宛名番号"]: r["支援措置対象フラグ"] for r in records} == {head: "0", spouse: "1"}
    assert all("支援措置対象フラグ" not in r for r in feed(client, untold)["changes"][0]["records"])
    extract = client.get(
        "/integration/v1/extract", params={"format": "csv"}, headers=key(told)
    ).text.splitlines()
    assert extract[0].endswith(",支援措置対象フラグ")


def test_an_administrator_registers_a_system_through_the_staff_api_and_others_may_not(
    app: App, client: TestClient, tenant: Tenant, other: Tenant
) -> None:
    admin = auth(client, tenant.login(Role.ADMINISTRATOR))
    body = {"name": "選挙システム", "system": "elections", "items": ["氏_日本人", "生年月日"]}
    created = client.post("/api/v1/subscribers", json=body, headers=admin)
    assert created.status_code == 201, created.text
    issued = created.json()
    assert issued["subscriber"]["items"] == ["宛名番号", "世帯番号", "氏_日本人", "生年月日"]
    assert issued["webhook_secret"] is None
    changes = client.get(
        "/integration/v1/changes", headers={"Authorization": f"Bearer {issued['api_key']}"}
    )
    assert changes.status_code == 200 and changes.json()["changes"]
    sid = issued["subscriber"]["subscriber_id"]
    listed = client.get("/api/v1/subscribers", headers=admin).json()["subscribers"]
    assert [s["subscriber_id"] for s in listed] == [sid]
    assert client.get(f"/api/v1/subscribers/{sid}/deliveries", headers=admin).json() == {
        "pending": 0,
        "delivered": 0,
        "dead": 0,
        "last_error": None,
    }
    refused = client.post(f"/api/v1/subscribers/{sid}/replay", json={"after": 0}, headers=admin)
    assert refused.status_code == 422 and error_codes(refused) == ["subscriber.no_webhook"]

    clerk = auth(client, tenant.login(Role.CLERK))
    assert client.post("/api/v1/subscribers", json=body, headers=clerk).status_code == 403
    foreign_admin = auth(client, other.login(Role.ADMINISTRATOR))
    for path in (f"/api/v1/subscribers/{sid}/disable", f"/api/v1/subscribers/{sid}/renew-key"):
        response = client.post(path, headers=foreign_admin)
        assert response.status_code == 404 and error_codes(response) == ["subscriber.not_found"]
    bad = client.post(
        "/api/v1/subscribers",
        json={**body, "items": ["個人番号"], "webhook_url": "ftp://x"},
        headers=admin,
    )
    assert bad.status_code == 422
    assert error_codes(bad) == [
        "subscriber.webhook_url_invalid",
        "subscriber.my_number_not_allowed",
    ]
    renewed = client.post(f"/api/v1/subscribers/{sid}/renew-key", headers=admin).json()
    assert renewed["api_key"] != issued["api_key"]
    disabled = client.post(f"/api/v1/subscribers/{sid}/disable", headers=admin).json()
    assert disabled["disabled"] is True


def test_a_subscriber_may_ask_for_fewer_items_but_not_for_items_outside_its_scope(
    app: App, client: TestClient, tenant: Tenant
) -> None:
    credentials = subscribe(app, tenant.code)
    narrow = client.get(
        "/integration/v1/changes", params={"items": "氏_日本人"}, headers=key(credentials)
    )
    assert narrow.status_code == 200
    assert set(narrow.json()["changes"][0]["records"][0]) == {"宛名番号", "世帯番号", "氏_日本人"}
    for items, status, code in (
        ("氏_日本人,個人番号", 403, "integration.item_not_allowed"),
        ("本籍", 403, "integration.item_not_allowed"),
        ("好きな食べ物", 422, "integration.unknown_item"),
    ):
        response = client.get(
            "/integration/v1/extract", params={"items": items}, headers=key(credentials)
        )
        assert response.status_code == status, items
        assert error_codes(response) == [code]
