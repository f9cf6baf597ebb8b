"""CS auto-send through the API (standard §7.1.1.1 (1090), §4.1.3.1.2 (690)): a reviewer completes
a held message by hand and it goes again as a re-send, recorded with the old and new values; the
CS送信エラー一覧表 and the 転入通知情報等取込エラー一覧表 printed (PDF, CSV), role-checked and
logged."""

from __future__ import annotations

import csv
import dataclasses
import io
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from jichitai.adapters.db.cs_outbox_store import SqlCsOutbox
from jichitai.adapters.http.cs_transport import HttpCsTransport
from jichitai.bootstrap import App
from jichitai.domain.access.roles import Role
from jichitai.domain.integration.retry import RetryPolicy
from jichitai.services.national import CsSender
from tests.api.conftest import PASSWORD, Tenant, a_move_in, auth, error_codes
from tests.api.test_certificate_reissue_api import squeezed
from tests.api.test_cs_inbox_api import intake, notice, sent, standin  # noqa: F401
from tests.factories import a_municipality, an_address
from tests.fakes import FixedClock

ODD = "\U0002000b"  # 𠀋: outside JIS X 0208, not in the seed table


def messages(client: TestClient, tenant: Tenant, status: str | None = None) -> list[Any]:
    params = {"status": status} if status else {}
    found = client.get(
        "/api/v1/cs/messages", params=params, headers=auth(client, tenant.login(Role.CLERK))
    )
    assert found.status_code == 200, found.text
    return list(found.json()["messages"])


def rows_of(response: Any) -> list[list[str]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.mark.spec("7.1.1.1")
def test_a_reviewer_completes_a_held_name_by_hand_and_it_goes_again_in_order(
    app: App, client: TestClient, tenant: Tenant
) -> None:
    app.register.record_change(tenant.code, a_move_in(number_seed=13, surname=f"{ODD}野"))
    held = messages(client, tenant, "error")
    assert held and all(ODD in m["unconvertible"] for m in held)
    first = held[0]
    url = f"/api/v1/cs/messages/{first['seq']}/{first['ordinal']}/amend"
    clerk = auth(client, tenant.login(Role.CLERK))
    reviewer = auth(client, tenant.login(Role.REVIEWER))
    fixed = {"items": {"name": "土野　一郎"}, "note": "本人に確認"}
    assert error_codes(client.post(url, json=fixed, headers=clerk)) == ["auth.forbidden"]
    # Checked by the register's rules, and still outside the set: refused, nothing changed.
    bad = client.post(url, json={"items": {"name": "", "sex": "1"}}, headers=reviewer)
    assert bad.status_code == 422 and set(error_codes(bad)) == {
        "input.required",
        "cs.item_unknown",
    }
    still = client.post(url, json={"items": {"name": f"{ODD}野　一郎"}}, headers=reviewer)
    assert still.status_code == 422 and error_codes(still) == ["cs.items_unchanged"]
    odd = client.post(url, json={"items": {"name": f"{ODD}田　一郎"}}, headers=reviewer)
    assert odd.status_code == 422 and error_codes(odd) == ["cs.unified_chars"]
    assert messages(client, tenant, "error") == held
    made = client.post(url, json=fixed, headers=reviewer)
    assert made.status_code == 201, made.text
    amended = made.json()
    assert amended["status"] == "pending" and amended["unconvertible"] == ""
    assert amended["amendments"] == [
        {"item": "name", "old": f"{ODD}野\u3000一郎", "new": "土野\u3000一郎"}
    ]
    assert amended["handled_by"] == tenant.login(Role.REVIEWER)
    assert amended["note"].startswith(f"手入力で補完（元: 通番 {first['seq']}-{first['ordinal']}")
    every = messages(client, tenant)
    assert (every[-1]["seq"], every[-1]["ordinal"]) == (amended["seq"], amended["ordinal"])
    original = next(
        m for m in every if (m["seq"], m["ordinal"]) == (first["seq"], first["ordinal"])
    )
    assert original["status"] == "done"
    again = client.post(url, json=fixed, headers=reviewer)
    assert again.status_code == 409 and error_codes(again) == ["cs.not_amendable"]


@pytest.mark.spec("7.1.1.1")
def test_the_send_error_list_prints_as_pdf_and_csv_and_is_logged(
    app: App, client: TestClient, tenant: Tenant, tmp_path: Path
) -> None:
    app.register.record_change(tenant.code, a_move_in(number_seed=13, surname=f"{ODD}野"))
    held = messages(client, tenant, "error")
    clerk = auth(client, tenant.login(Role.CLERK))
    table = rows_of(client.get("/api/v1/cs/error-list?format=csv", headers=clerk))
    assert table[0][:3] == ["通番", "種別", "異動事由"]
    assert [r[0] for r in table[1:]] == [f"{m['seq']}-{m['ordinal']}" for m in held]
    assert all(f"{ODD} (U+2000B)" in r[7] for r in table[1:])
    pdf = client.get("/api/v1/cs/error-list", headers=clerk)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = squeezed(pdf.content, tmp_path)
    assert "CS送信エラー一覧表" in text and "U+2000B" in text
    auditor = auth(client, tenant.login(Role.AUDITOR))
    assert client.get("/api/v1/cs/error-list", headers=auditor).status_code == 403
    wrong = client.get("/api/v1/cs/error-list?format=xls", headers=clerk)
    assert wrong.status_code == 422
    log = client.get("/api/v1/access-log", headers=auditor).json()["entries"]
    targets = {e["target"]: e for e in log}
    assert {"cs:send_errors:csv", "cs:send_errors:pdf"} <= set(targets)
    assert targets["cs:send_errors:pdf"]["operation"] == "print"
    assert targets["cs:send_errors:csv"]["operation"] == "export"


@pytest.mark.spec("4.1.3.1.2")
def test_the_intake_error_list_shows_what_could_not_be_taken_in(
    app: App,
    client: TestClient,
    tenant: Tenant,
    other: Tenant,
    standin: str,  # noqa: F811
    tmp_path: Path,
) -> None:
    sent(standin, notice(tenant.code, 1, "12345678901"))  # no such person
    assert intake(app, standin, [tenant.code, other.code]).receive().unmatched == 1
    clerk = auth(client, tenant.login(Role.CLERK))
    table = rows_of(client.get("/api/v1/cs/inbox/error-list?format=csv", headers=clerk))
    assert len(table) == 2 and table[1][1] == "転入通知情報" and table[1][4] == "12345678901"
    assert table[1][6].startswith("cs_inbox.unknown_resident_code")
    other_clerk = auth(client, other.login(Role.CLERK))
    assert rows_of(client.get("/api/v1/cs/inbox/error-list?format=csv", headers=other_clerk)) == [
        table[0]
    ]
    pdf = client.get("/api/v1/cs/inbox/error-list", headers=clerk)
    assert pdf.headers["content-type"] == "application/pdf"
    assert "取込エラー一覧表" in squeezed(pdf.content, tmp_path)


@pytest.mark.spec("7.1.1.1")
def test_the_sent_and_received_lists_show_what_went_and_came_by_kind_and_period(
    app: App,
    client: TestClient,
    tenant: Tenant,
    other: Tenant,
    standin: str,  # noqa: F811
    clock: FixedClock,
    tmp_path: Path,
) -> None:
    app.register.record_change(
        tenant.code, a_move_in(number_seed=21, surname="宗信", kana="ムネノブ")
    )
    sender = CsSender(
        SqlCsOutbox(app.engine),
        HttpCsTransport(standin, 5),
        clock,
        RetryPolicy(1, 1, 3),
        read_log=app.read_log,
    )
    assert sender.send_due().sent >= 1
    went = messages(client, tenant, "sent")
    clerk = auth(client, tenant.login(Role.CLERK))
    table = rows_of(client.get("/api/v1/cs/sent-list?format=csv", headers=clerk))
    assert table[0][:2] == ["通番", "種別"] and table[0][6:8] == ["送信日時", "受領番号"]
    assert [r[0] for r in table[1:]] == [f"{m['seq']}-{m['ordinal']}" for m in went]
    assert all(r[7] for r in table[1:])  # the CS's receipt
    ids = rows_of(
        client.get(
            "/api/v1/cs/sent-list",
            params={"format": "csv", "kind": "本人確認情報", "days": 1},
            headers=clerk,
        )
    )
    assert ids[1:] and {r[1] for r in ids[1:]} == {"本人確認情報"}
    clock.at += timedelta(days=3)
    clerk = auth(client, tenant.login(Role.CLERK))  # a new session, three days on
    recent = client.get("/api/v1/cs/sent-list?format=csv&days=2", headers=clerk)
    assert rows_of(recent)[1:] == []  # sent three days ago: outside the period
    wrong: list[tuple[dict[str, Any], str]] = [
        ({"kind": "電報"}, "list.kind_unknown"),
        ({"days": 0}, "list.days_out_of_range"),
        ({"days": "一週間"}, "list.days_out_of_range"),  # read as the CLI reads it
    ]
    for bad, code in wrong:
        refused = client.get("/api/v1/cs/sent-list", params=bad, headers=clerk)
        assert refused.status_code == 422 and error_codes(refused) == [code]
    pdf = client.get("/api/v1/cs/sent-list", headers=clerk)
    assert pdf.headers["content-type"] == "application/pdf"
    assert "CS送信一覧表" in squeezed(pdf.content, tmp_path)
    auditor = auth(client, tenant.login(Role.AUDITOR))
    assert client.get("/api/v1/cs/sent-list", headers=auditor).status_code == 403

    sent(standin, notice(tenant.code, 1, "12345678901"))  # no such person: unmatched
    assert intake(app, standin, [tenant.code, other.code]).receive().unmatched == 1
    came = rows_of(client.get("/api/v1/cs/inbox/list?format=csv", headers=clerk))
    assert came[0][6] == "状態" and len(came) == 2
    assert (came[1][1], came[1][4], came[1][6]) == ("転入通知情報", "12345678901", "取込エラー")
    certificates = client.get(
        "/api/v1/cs/inbox/list", params={"format": "csv", "kind": "転出証明書情報"}, headers=clerk
    )
    assert rows_of(certificates)[1:] == []
    other_clerk = auth(client, other.login(Role.CLERK))
    assert rows_of(client.get("/api/v1/cs/inbox/list?format=csv", headers=other_clerk))[1:] == []
    log = client.get("/api/v1/access-log", headers=auditor).json()["entries"]
    targets = {e["target"]: e["operation"] for e in log}
    assert targets["cs:sent:csv"] == targets["cs:received:csv"] == "export"
    assert targets["cs:sent:pdf"] == "print"
    assert "cs:sent kind=本人確認情報 days=1:csv" in targets


@pytest.mark.spec("7.1.1.1")
def test_a_designated_city_prints_its_sent_list_ward_by_ward(
    app: App,
    client: TestClient,
    standin: str,  # noqa: F811
    clock: FixedClock,
) -> None:
    code = a_municipality(app, "27", "大阪府大阪市")
    app.users.add(code, f"clerk-{code}", PASSWORD, [Role.CLERK])
    for seed, (ward, town, surname, kana) in enumerate(
        [("北区", "梅田", "北野", "キタノ"), ("中央区", "本町", "中尾", "ナカオ")], start=31
    ):
        address = an_address(prefecture="大阪府", city=f"大阪市{ward}", town_area=town)
        moving = dataclasses.replace(
            a_move_in(number_seed=seed, surname=surname, kana=kana), address=address
        )
        app.register.record_change(code, moving)
    CsSender(
        SqlCsOutbox(app.engine), HttpCsTransport(standin, 5), clock, RetryPolicy(1, 1, 3),
        read_log=app.read_log,
    ).send_due()  # fmt: skip
    clerk = auth(client, f"clerk-{code}")
    every = rows_of(client.get("/api/v1/cs/sent-list?format=csv", headers=clerk))
    assert every[0][-1] == "行政区"
    by_ward = {}
    for ward in ("北区", "中央区"):
        params = {"format": "csv", "ward": ward}
        rows = rows_of(client.get("/api/v1/cs/sent-list", params=params, headers=clerk))[1:]
        assert rows and {r[-1] for r in rows} == {ward}
        by_ward[ward] = rows
    assert sorted(by_ward["北区"] + by_ward["中央区"]) == sorted(r for r in every[1:] if r[-1])
    bad = client.get("/api/v1/cs/sent-list", params={"ward": "北"}, headers=clerk)
    assert bad.status_code == 422 and error_codes(bad) == ["list.ward_invalid"]
