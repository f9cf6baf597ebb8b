"""The other national links at the counter, below the browser, against the stand-in CS
(``jichitai standin serve``'s server, in a thread): the 整合性確認 lists what the CS does not
have (§7.1.1.2), the カード管理状況 follows what the card management system reports when a clerk
takes it in (§7.1.1.3), the 番号連携 page shows the stock of free 住民票コード and a reviewer's
change of a 個人番号 (§7.1.2, §4.3.1), and a notice of the
出入国在留管理庁 is made into a draft from its list (§4.5.6). The services' refusals come back
on the page with their codes; a clerk's forged reviewer action is a page of its own."""

from __future__ import annotations

import dataclasses
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest
from fastapi.testclient import TestClient

from jichitai.bootstrap import App, immigration_intake, standin_cs_server
from jichitai.config import Settings
from jichitai.domain.access.actor import Actor
from jichitai.domain.access.roles import Role
from tests.api.conftest import Tenant, a_move_in
from tests.api.test_number_link_api import numbered_child
from tests.apps import settings_for
from tests.factories import a_foreign_person
from tests.integration.test_tenancy import move_in
from tests.web.test_counter_http import log_in
from tests.web.test_national_http import codes


@pytest.fixture
def standin(tmp_path: Path) -> Iterator[str]:
    server = standin_cs_server("127.0.0.1", 0, str(tmp_path / "cs"))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def app_settings(tmp_path: Path, webhook_allowed_networks: str, standin: str) -> Settings:
    return dataclasses.replace(
        settings_for(tmp_path / "keys", webhook_allowed_networks), cs_url=standin
    )


def text_of(page: str, pattern: str) -> list[str]:
    """The rows matching ``pattern`` (a ``<tr …>`` opening), as text."""
    found = re.findall(pattern + r"(.*?)</tr>", page, re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", v)).strip() for v in found]


@pytest.mark.spec("7.1.1.2")
@pytest.mark.spec("7.1.1.3")
def test_the_check_lists_what_the_cs_lacks_and_the_cards_follow_the_card_system(
    app: App, http: TestClient, tenant: Tenant, standin: str
) -> None:
    assert app.cs.send_due().refused == 0
    moved = app.register.record_change(tenant.code, a_move_in(8, "佐藤", "サトウ"))  # not sent
    csrf = log_in(http, tenant, Role.CLERK)
    assert "整合性確認" in http.get("/ui/cs/messages").text  # in the menu
    assert "整合性確認を実行する" in http.get("/ui/cs/check").text
    checked = http.post("/ui/cs/check", data={"csrf_token": csrf})
    assert checked.status_code == 200
    assert "住民記録 4 人、CS 2 件、相違 2 件" in checked.text
    listed = text_of(checked.text, r'<tr data-kind="\w+">')
    assert len(listed) == 2 and all(r.startswith("住民記録のみ") for r in listed)
    assert {n for n in moved.atena_numbers if any(n in r for r in listed)} == set(
        moved.atena_numbers
    )
    refused = http.post("/ui/cs/check", data={})
    assert refused.status_code == 403  # no CSRF token: nothing runs

    head = tenant.atena_numbers[0]
    person = http.get("/ui/cards", params={"atena": head}).text
    assert "カードの所有 なし" in person
    resident_code = re.search(r"住民票コード <span class=\"code\">(\d{11})</span>", person)
    assert resident_code
    card = {
        "municipality_code": tenant.code,
        "resident_code": resident_code.group(1),
        "card": "my_number",
        "status": "delivered",
        "issued_on": "2026-11-20",
        "expires_on": "2036-11-20",
        "updated_on": "2026-12-01",
    }
    assert httpx.post(f"{standin}/v1/cards", json=card).status_code == 200
    pulled = http.post("/ui/cards/refresh", data={"csrf_token": csrf}, follow_redirects=False)
    assert pulled.status_code == 303 and pulled.headers["location"] == "/ui/cards?done=refreshed"
    assert "カードの状況を取り込みました" in http.get(pulled.headers["location"]).text
    person = http.get("/ui/cards", params={"atena": head}).text
    assert "カードの所有 あり" in person
    rows = text_of(person, r'<tr data-status="delivered">')
    assert rows and "個人番号カード" in rows[0] and "交付済" in rows[0]
    typo = http.get("/ui/cards", params={"atena": "12345"})
    assert typo.status_code == 422 and codes(typo.text) == ["atena_number.format"]


@pytest.mark.spec("7.1.2.1")
@pytest.mark.spec("4.5.6")
def test_a_reviewer_changes_a_number_and_a_clerk_drafts_a_notice_of_the_authority(
    app: App, http: TestClient, tenant: Tenant, standin: str
) -> None:
    head = numbered_child(app, tenant)  # her 個人番号 answered by the stand-in
    csrf = log_in(http, tenant, Role.REVIEWER)
    page = http.get("/ui/number-link").text
    assert re.search(r"空きコード \d+ 件（下限 \d+ 件）", page)
    changed = http.post(
        "/ui/number-link/change",
        data={"csrf_token": csrf, "atena_number": head, "ex_officio": "1"},
        follow_redirects=False,
    )
    assert changed.status_code == 303, changed.text
    shown = http.get(changed.headers["location"]).text
    assert f"宛名番号 {head} の個人番号を変更しました" in shown
    (row,) = text_of(shown, r'<tr data-status="ok">')
    assert "個人番号の変更" in row and "成功" in row and head in row
    typo = http.post("/ui/number-link/change", data={"csrf_token": csrf, "atena_number": "x"})
    assert typo.status_code == 422 and codes(typo.text) == ["atena_number.format"]

    clerk_csrf = log_in(http, tenant, Role.CLERK)
    listed = http.get("/ui/number-link").text
    assert text_of(listed, r'<tr data-status="ok">') == [row]  # the number is not in the log
    assert "変更要求を送る" not in listed  # the reviewer's action only
    forged = http.post(
        "/ui/number-link/change", data={"csrf_token": clerk_csrf, "atena_number": head}
    )
    assert forged.status_code == 403 and "この操作は行えません" in forged.text

    # 出入国在留管理庁長官通知: one matched to a foreign resident, one of an unknown card.
    app.register.record_change(tenant.code, move_in(a_foreign_person()))
    for notice_id, card in (("N-1", "AB12345678CD"), ("N-2", "XY87654321AB")):
        notice = {
            "notice_id": notice_id,
            "kind": "在留期間更新許可",
            "residence_card_number": card,
            "items": {"period_of_stay": "5年", "stay_expires_on": "2031-03-31"},
        }
        offered = {"municipality_code": tenant.code, "notice": notice}
        assert httpx.post(f"{standin}/v1/immigration/offered", json=offered).status_code == 200
    clerk = Actor(tenant.login(Role.CLERK), tenant.code, frozenset({Role.CLERK}))
    report = immigration_intake(app).receive(clerk)
    assert (report.listed, report.unknown) == (1, 1)
    listed = http.get("/ui/immigration").text
    assert "/ui/immigration/N-1/take" in listed and "/ui/immigration/N-2/take" not in listed
    taken = http.post(
        "/ui/immigration/N-1/take", data={"csrf_token": clerk_csrf}, follow_redirects=False
    )
    assert taken.status_code == 303
    draft_id = taken.headers["location"].removeprefix("/ui/immigration?drafted=")
    drafted = http.get("/ui/immigration", params={"status": "drafted"}).text
    assert f'href="/ui/drafts/{draft_id}"' in drafted
    (row,) = text_of(drafted, r'<tr data-status="drafted" id="notice-N-1">')
    assert "仮登録済み" in row
    again = http.post("/ui/immigration/N-1/take", data={"csrf_token": clerk_csrf})
    assert again.status_code == 422 and codes(again.text) == ["immigration.not_listed"]
