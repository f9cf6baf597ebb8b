"""The national links at the counter, in the real browser: the CS送信 list with a reviewer's
completion by hand and the switch to manual sending (§7.1.1.1); the CS受信 list and a 特例転入
started from a 転出証明書情報 that came through the stand-in CS, reviewed and approved, with its
受理通知 printed from the page after 本登録 (§4.1.1.3, §4.1.0.3); an ex-officio entry's
職権記載等通知書 from the person's list of changes and the 転入通知未着 list (§4.2.0.1,
§4.1.3.1.4).

The shared server runs without a CS (``JICHITAI_CS_URL`` unset), so what the demo municipality
records stays in its outbox as 送信待ち; the 転出証明書情報 is taken in by ``jichitai cs
receive`` pointed at a stand-in CS for that one command.
"""

from __future__ import annotations

import random
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from jichitai.bootstrap import standin_cs_server
from jichitai.domain.access.roles import Role
from jichitai.domain.common.identifiers import ResidentCode
from jichitai.domain.residents.commands import ExOfficioEntry
from tests.e2e.conftest import Cli
from tests.factories import a_header, a_person, a_previous_address, an_address
from tests.web.conftest import CODE, Counter, log_in
from tests.web.test_changes_browser import days_ago, unique_kana
from tests.web.test_drafts_browser import press, submitted
from tests.web.test_drafts_review_browser import axe_clean


@pytest.fixture
def reviewer_page(browser: Browser, browser_context_args: dict[str, Any]) -> Iterator[Page]:
    context = browser.new_context(**browser_context_args)
    yield context.new_page()
    context.close()


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


def pdf_of(page: Page, counter: Counter, href: str) -> bytes:
    """The PDF a print link answers, fetched in the page's own session."""
    answer = page.request.get(counter.url(href))
    assert answer.status == 200, answer.text()
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.headers["cache-control"] == "no-store"
    body = answer.body()
    assert body.startswith(b"%PDF")
    return body


@pytest.mark.spec("7.1.1.1")
def test_a_reviewer_completes_a_pending_message_by_hand_and_switches_to_manual(
    page: Page, counter: Counter
) -> None:
    log_in(page, counter, Role.REVIEWER)
    press(page, page.get_by_role("link", name="CS送信"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("CS送信")
    expect(page.get_by_text("送信先のCSが設定されていません")).to_be_visible()
    page.get_by_label("状態").select_option("pending")
    page.get_by_role("button", name="絞り込む").click()
    pending = page.locator("tr[data-status=pending]")
    expect(pending.first).to_be_visible()
    row_id = pending.first.get_attribute("id")
    assert row_id is not None
    number = row_id.removeprefix("cs-")
    row = page.locator(f"#{row_id}")
    expect(row).to_contain_text("送信待ち")

    # No note: the service's refusal, with its code, at the top of the list.
    row.get_by_text("手動で処理済みにする").click()
    row.get_by_role("button", name=re.compile("処理済みにする")).click()
    expect(page.locator('[data-code="cs.note_missing"]')).to_contain_text("メモに書いてください")
    row = page.locator(f"#{row_id}")
    row.get_by_text("手動で処理済みにする").click()
    row.get_by_label("処理した内容").fill("CS端末から手入力で送信した")
    row.get_by_role("button", name=re.compile("処理済みにする")).click()
    expect(page.get_by_role("status")).to_contain_text("手動で処理済みにしました")
    page.get_by_label("状態").select_option("done")
    page.get_by_role("button", name="絞り込む").click()
    done = page.locator(f"#{row_id}")
    expect(done).to_contain_text("手動で処理済み")
    expect(done).to_contain_text("CS端末から手入力で送信した")
    expect(done.get_by_role("button")).to_have_count(0)  # nothing more to do with it
    axe_clean(page, "CS送信")
    assert number.replace("-", "").isdigit()

    page.get_by_label("手動連携の期限（任意）").fill("2099-01-01T17:00")
    page.get_by_label("メモ（任意）").fill("CSの保守")
    page.get_by_role("button", name="手動連携に切り替える").click()
    expect(page.locator("#manual-state")).to_contain_text("手動連携中")
    expect(page.get_by_role("status")).to_contain_text("手動連携に切り替えました")
    page.get_by_role("button", name="自動送信に戻す").click()
    expect(page.locator("#manual-state")).to_have_text("自動送信中")

    # A clerk sees the list, but the operations are the reviewer's.
    page.context.clear_cookies()
    log_in(page, counter, Role.CLERK)
    page.goto(counter.url("/ui/cs/messages"))
    expect(page.locator("table.results")).to_be_visible()
    expect(page.get_by_role("button", name="手動連携に切り替える")).to_have_count(0)


def certificate(resident_code: str, kana: str) -> dict[str, Any]:
    """A 転出証明書情報 as another municipality's register sends it to the CS for us."""
    person = a_person(name="青木", given="一郎", kana=("アオキ", kana))
    return {
        "municipality_code": "271004",
        "seq": random.randrange(1, 10**9),
        "ordinal": 0,
        "kind": "転出証明書情報",
        "destination": CODE,
        "body": {
            "format": "jichitai-cs/1",
            "kind": "転出証明書情報",
            "resident_code": resident_code,
            "name": person.name.full,
            "name_parts": person.name.to_json(),
            "birth": person.birth_date.to_json(),
            "birth_date": person.birth_date.display("seireki"),
            "address": a_previous_address().display(),
            "reason": "domestic_move_out",
            "sex": person.sex.value,
            "resident_kind": "japanese",
            "relationship": "世帯主",
            "family_register": {"domicile": "大阪府大阪市北区梅田一丁目1番", "head": "青木　一郎"},
            "address_parts": a_previous_address().to_json(),
            "onward_address_parts": an_address("四丁目5番6号").to_json(),
            "planned_on": days_ago(1).isoformat(),
        },
    }


@pytest.mark.spec("4.1.1.3")
@pytest.mark.spec("4.1.0.3")
def test_a_special_move_in_from_a_received_certificate_is_reviewed_and_its_notice_printed(
    page: Page, reviewer_page: Page, counter: Counter, standin: str
) -> None:
    code = ResidentCode.from_random_digits(f"{random.randrange(10**10):010d}").value
    sent = httpx.post(f"{standin}/v1/messages", json=certificate(code, unique_kana()), timeout=5)
    assert sent.status_code == 200, sent.text
    receiver = Cli({**counter.cli.env, "JICHITAI_CS_URL": standin})
    received = receiver.run("cs", "receive")
    assert received.returncode == 0, received.stderr

    log_in(page, counter, Role.CLERK)
    press(page, page.get_by_role("link", name="CS受信"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("CS受信")
    page.get_by_label("種別").select_option("転出証明書情報")
    page.get_by_label("状態").select_option("new")
    page.get_by_role("button", name="絞り込む").click()
    row = page.locator("tr", has_text=code)
    expect(row).to_contain_text("未処理")
    expect(row).to_contain_text("青木　一郎")
    axe_clean(page, "CS受信")
    row.get_by_role("checkbox").check()
    page.get_by_role("button", name="選んだ方の特例転入を入力する").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("仮登録しました")
    draft_id = page.locator("#draft-id").get_attribute("data-draft-id")
    assert draft_id

    page.goto(counter.url("/ui/cs/inbox"))
    used = page.locator("tr", has_text=code)
    expect(used).to_contain_text("特例転入に使用")
    expect(used.get_by_role("link", name="仮登録を見る")).to_have_attribute(
        "href", f"/ui/drafts/{draft_id}"
    )

    log_in(reviewer_page, counter, Role.REVIEWER)
    reviewer_page.goto(counter.url(f"/ui/drafts/{draft_id}"))
    expect(reviewer_page.get_by_role("heading", level=1)).to_contain_text("転入")
    expect(reviewer_page.locator("main")).to_contain_text("特例転入")
    for box in reviewer_page.locator('input[name="acknowledged"]').all():
        box.check()
    press(reviewer_page, reviewer_page.get_by_role("button", name="本登録する"))
    expect(reviewer_page.get_by_role("heading", name="本登録しました")).to_be_visible()
    printing = reviewer_page.get_by_role("navigation", name="通知書の印刷")
    link = printing.get_by_role("link", name=re.compile("住民異動届受理通知"))
    href = link.get_attribute("href")
    assert href is not None and href.endswith("/juri.pdf")
    pdf_of(reviewer_page, counter, href)


@pytest.mark.spec("4.2.0.1")
@pytest.mark.spec("4.1.3.1.4")
def test_an_ex_officio_entry_prints_its_notice_from_the_persons_changes(
    page: Page, counter: Counter
) -> None:
    kana = unique_kana()
    draft_id = submitted(
        counter,
        ExOfficioEntry(
            header=a_header(effective_on=days_ago(3), filed_on=None, ex_officio=True),
            members=(a_person(name="職権", given="記載", kana=("ショッケン", kana)),),
            address=an_address("五丁目1番1号"),
        ),
    )
    log_in(page, counter, Role.REVIEWER)
    page.goto(counter.url(f"/ui/drafts/{draft_id}"))
    for box in page.locator('input[name="acknowledged"]').all():
        box.check()
    press(page, page.get_by_role("button", name="本登録する"))
    expect(page.get_by_role("heading", name="本登録しました")).to_be_visible()
    press(page, page.get_by_role("link", name="職権　記載"))
    press(page, page.get_by_role("link", name=re.compile("通知書の印刷")))
    expect(page.get_by_role("heading", level=1)).to_have_text("通知書の印刷")
    link = page.get_by_role("link", name="職権記載等通知書を印刷（PDF）")
    expect(link).to_have_count(1)
    expect(page.get_by_role("link", name=re.compile("受理通知"))).to_have_count(0)
    axe_clean(page, "通知書の印刷")
    href = link.get_attribute("href")
    assert href is not None
    pdf_of(page, counter, href)

    press(page, page.get_by_role("link", name="転入通知未着"))
    expect(page.get_by_role("heading", level=1)).to_have_text("転入通知未着者一覧")
    page.get_by_label("消除日からの経過日数").fill("十日")
    page.get_by_role("button", name="一覧を印刷（PDF）").click()
    expect(page.locator('[data-code="notice.days_invalid"]')).to_be_visible()
    pdf_of(page, counter, "/ui/notices/michaku.pdf?days=10")


@pytest.mark.spec("7.1.1.2")
def test_the_national_link_pages_are_reached_from_the_menu_and_tell_why_nothing_is_asked(
    page: Page, counter: Counter
) -> None:
    """The shared server has no CS: the check says so in Japanese with its code, and each page
    of the menu opens with the keyboard and passes axe-core."""
    log_in(page, counter, Role.REVIEWER)
    press(page, page.get_by_role("link", name="整合性確認"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("整合性確認")
    press(page, page.get_by_role("button", name="整合性確認を実行する"))
    expect(page.locator('[data-code="national.not_configured"]')).to_contain_text(
        "CSが設定されていません"
    )
    axe_clean(page, "整合性確認")
    for link, heading in (
        ("カード管理状況", "カード管理状況"),
        ("番号連携", "番号連携"),
        ("入管通知", "出入国在留管理庁長官通知"),
    ):
        press(page, page.get_by_role("link", name=link))
        expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
        axe_clean(page, link)
    expect(page.get_by_text("該当する通知はありません。")).to_be_visible()
