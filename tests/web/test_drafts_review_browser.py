"""A draft's way through review in the real browser, with the keyboard: a 転入 filed by a 代理人
with the 本人確認 noted, its 受付番号 read from the page and the queue, the 届出人 seen by the
clerk and the reviewer; a draft sent back (差戻し) with a reason, seen by its clerk, resubmitted
and approved; a 取消し choosing the change from the person's history. Every screen on the way is
checked by axe-core, as ``test_accessibility`` checks the main pages."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from jichitai.domain.access.roles import Role
from tests.web.conftest import Counter, log_in
from tests.web.test_accessibility import FAILING, WIDTHS, described
from tests.web.test_changes_browser import (
    a_draft,
    a_resident,
    choose,
    days_ago,
    field,
    tab_to,
    type_in,
    unique_kana,
)
from tests.web.test_drafts_browser import a_family, press, submitted

AGENT = {
    "notifier.name": "鈴木　一郎",
    "notifier.address": "東京都千代田区丸の内一丁目1番1号",
    "notifier.telephone": "03-1234-5678",
    "notifier.relation": "委任（知人）",
}


def axe_clean(page: Page, screen: str) -> None:
    """No serious or critical axe-core violation on the page, at both widths of the counter."""
    axe = Axe()
    serious: list[str] = []
    try:
        for width, height in WIDTHS:
            page.set_viewport_size({"width": width, "height": height})
            results = axe.run(page).response
            assert results["passes"], "axe-core checked nothing"
            serious += [
                f"{screen} at {width} px: {described(v)}"
                for v in results["violations"]
                if v["impact"] in FAILING
            ]
    finally:
        page.set_viewport_size({"width": WIDTHS[0][0], "height": WIDTHS[0][1]})
    assert not serious, "\n".join(serious)


@pytest.fixture
def reviewer_page(browser: Browser, browser_context_args: dict[str, Any]) -> Iterator[Page]:
    """A second browser at the counter, with a session of its own (the reviewer's desk)."""
    context = browser.new_context(**browser_context_args)
    yield context.new_page()
    context.close()


def open_queue(page: Page) -> None:
    tab_to(page, page.get_by_role("link", name="仮登録・審査"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        re.compile("審査待ちの仮登録|仮登録の一覧")
    )


def open_by_number(page: Page, number: str, table: str = "table.queue") -> None:
    """The draft found in the queue by its 受付番号 (the row's link), opened with the keyboard."""
    link = page.locator(table).get_by_role("link", name=number, exact=True)
    expect(link).to_have_count(1)
    press(page, link)
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"受付番号 {number}")


def expect_filed_by_agent(page: Page) -> None:
    content = page.locator("section", has=page.get_by_role("heading", name="届出の内容"))
    for shown in ("代理人", *AGENT.values(), "運転免許証"):
        expect(content).to_contain_text(shown)


def test_a_move_in_by_an_agent_is_filed_seen_and_approved_by_its_receipt_number(
    page: Page, reviewer_page: Page, counter: Counter
) -> None:
    kana = unique_kana()
    log_in(page, counter)
    tab_to(page, page.get_by_role("link", name="異動届の入力"))
    page.keyboard.press("Enter")
    tab_to(page, page.get_by_role("link", name="転入", exact=True))
    page.keyboard.press("Enter")
    expect(field(page, "effective_on")).to_be_focused()
    page.keyboard.type(days_ago(2).isoformat())
    type_in(page, field(page, "address.town_area"), "霞が関一丁目")
    type_in(page, field(page, "address.lot_text"), "7番2号")
    type_in(page, field(page, "previous_address.prefecture"), "大阪府")
    type_in(page, field(page, "previous_address.city"), "大阪市北区")
    type_in(page, field(page, "members[0].name.family"), "代理")
    type_in(page, field(page, "members[0].name.given"), "花子")
    type_in(page, field(page, "members[0].name.family_kana"), "ダイリ")
    type_in(page, field(page, "members[0].name.given_kana"), kana)
    type_in(page, field(page, "members[0].birth_date"), "1988-03-03")
    tab_to(page, page.locator('[name="members[0].sex"]').first)
    page.keyboard.press("ArrowDown")  # 女
    type_in(
        page, field(page, "members[0].family_register.domicile"), "大阪府大阪市北区梅田一丁目1番"
    )
    type_in(page, field(page, "members[0].family_register.head"), "代理　花子")
    # 届出人: 本人 → 世帯主 → 代理人 with ↓↓, which opens the name, address, telephone, relation.
    tab_to(page, page.locator('[name="notifier.kind"][value="self"]'))
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(page.locator('[name="notifier.kind"][value="agent"]')).to_be_checked()
    tab_to(page, page.locator('[name="identity_check.document"]').first)
    page.keyboard.press("ArrowDown")
    expect(
        page.locator('[name="identity_check.document"][value="driving_licence"]')
    ).to_be_checked()
    for name, value in AGENT.items():
        expect(field(page, name)).to_be_visible()
        type_in(page, field(page, name), value)
    axe_clean(page, "転入の入力（代理人）")
    tab_to(page, page.get_by_role("button", name="確認画面へ進む"))
    page.keyboard.press("Enter")

    confirmation = page.locator("article.confirm")
    expect(confirmation).to_contain_text("代理人 鈴木　一郎（委任（知人））")
    expect(confirmation).to_contain_text("運転免許証")
    tab_to(page, page.get_by_role("button", name="仮登録する"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="転入を仮登録しました")).to_be_visible()
    number = page.locator("#draft-id").inner_text()
    assert re.fullmatch(r"\d{6}", number), number  # read out to the resident
    draft_id = page.locator("#draft-id").get_attribute("data-draft-id") or ""
    assert a_draft(page, counter, draft_id)["receipt_number"] == number

    # The clerk finds it in the queue by that number and sees who filed it.
    open_queue(page)
    open_by_number(page, number)
    expect(page.locator("dd.receipt-number")).to_have_text(number)
    expect_filed_by_agent(page)
    expect(page.get_by_role("button", name="本登録する")).to_have_count(0)
    axe_clean(page, "仮登録（入力者）")

    # The reviewer, at another desk, types the number the clerk reads out (without its zeros).
    log_in(reviewer_page, counter, Role.REVIEWER)
    open_queue(reviewer_page)
    type_in(
        reviewer_page, reviewer_page.get_by_role("textbox", name="受付番号"), number.lstrip("0")
    )
    reviewer_page.keyboard.press("Enter")
    expect(reviewer_page.get_by_role("status")).to_have_text(f"受付番号 {number} の仮登録: 1件")
    rows = reviewer_page.locator("table.queue tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.locator(".filed-by")).to_have_text("届出人: 代理人 鈴木　一郎（委任（知人））")
    axe_clean(reviewer_page, "審査待ちの仮登録（受付番号で探す）")
    open_by_number(reviewer_page, number)
    expect_filed_by_agent(reviewer_page)
    axe_clean(reviewer_page, "仮登録（審査者）")
    press(reviewer_page, reviewer_page.get_by_role("button", name="本登録する"))

    expect(reviewer_page.get_by_role("heading", name="本登録しました")).to_be_visible()
    filed = reviewer_page.locator("section", has_text="届出人・本人確認")
    for shown in ("代理人", *AGENT.values(), "運転免許証"):
        expect(filed).to_contain_text(shown)
    axe_clean(reviewer_page, "本登録しました")


def test_a_draft_returned_with_a_reason_is_resubmitted_and_approved(
    page: Page, reviewer_page: Page, counter: Counter
) -> None:
    command, name, _ = a_family(random.Random())
    draft_id = submitted(counter, command)
    number = a_draft(page, counter, draft_id)["receipt_number"]
    reason = "届出書の署名欄が空欄です。署名をもらってから再提出してください。"

    log_in(reviewer_page, counter, Role.REVIEWER)
    open_queue(reviewer_page)
    open_by_number(reviewer_page, number)
    comment = reviewer_page.get_by_label(re.compile("差戻しの理由"))
    # The rules hold, so a draft is sent back only with a reason: without one, it is asked for.
    press(reviewer_page, reviewer_page.get_by_role("button", name="差し戻す"))
    expect(comment).to_have_attribute("aria-invalid", "true")
    axe_clean(reviewer_page, "差戻し（理由なし）")
    tab_to(reviewer_page, comment)
    reviewer_page.keyboard.type(reason)
    press(reviewer_page, reviewer_page.get_by_role("button", name="差し戻す"))
    expect(reviewer_page.get_by_role("status")).to_contain_text("差し戻しました")
    expect(reviewer_page.locator("table.returned")).to_contain_text(reason)

    # The clerk sees it sent back, with the reason, in the queue and on its page.
    log_in(page, counter)
    open_queue(page)
    returned = page.locator("table.returned tr", has=page.get_by_text(number))
    expect(returned).to_contain_text(reason)
    expect(returned).to_contain_text(name)
    axe_clean(page, "仮登録の一覧（差戻しあり）")
    open_by_number(page, number, "table.returned")
    expect(page.locator(".status")).to_have_text("差戻し")
    expect(page.get_by_text(f"審査者のコメント: {reason}")).to_be_visible()
    axe_clean(page, "差し戻された仮登録")
    press(page, page.get_by_role("button", name="再提出する"))
    expect(page.get_by_role("status")).to_contain_text("再提出しました")
    expect(page.locator("table.returned").get_by_text(number, exact=True)).to_have_count(0)

    # Back in the reviewer's queue, and approved.
    open_queue(reviewer_page)
    open_by_number(reviewer_page, number)
    expect(reviewer_page.locator(".status")).to_have_text("審査待ち")
    press(reviewer_page, reviewer_page.get_by_role("button", name="本登録する"))
    expect(reviewer_page.get_by_role("heading", name="本登録しました")).to_be_visible()
    expect(reviewer_page.locator("table.results")).to_contain_text(name)


def test_a_cancellation_chooses_the_change_from_the_person_s_history(
    page: Page, counter: Counter
) -> None:
    kana = unique_kana()
    a_resident(page, counter, kana)
    log_in(page, counter)
    page.get_by_label("氏名・フリガナ・生年月日・住所・宛名番号など").fill(f"マドグチ {kana}")
    page.keyboard.press("Enter")
    press(page, page.locator("table.results tbody a").first)
    tab_to(page, page.get_by_role("link", name="異動届を入力"))
    page.keyboard.press("Enter")
    tab_to(page, page.get_by_role("link", name="異動の取消し", exact=True))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="異動の取消しの入力")).to_be_visible()

    chosen = field(page, "event_id")
    options = chosen.locator("option")
    expect(options).to_have_count(2)  # 「選んでください」 and the one change: the 転入
    expect(options.nth(1)).to_contain_text(re.compile(r"転入（履歴番号 1）"))
    event_id = options.nth(1).get_attribute("value") or ""
    chosen_text = options.nth(1).inner_text()
    axe_clean(page, "取消しの入力")
    type_in(page, field(page, "effective_on"), days_ago(0).isoformat())
    choose(page, chosen, 1)
    expect(chosen).to_have_value(event_id)
    tab_to(page, page.get_by_role("button", name="確認画面へ進む"))
    page.keyboard.press("Enter")

    confirmation = page.locator("article.confirm")
    expect(confirmation).to_contain_text(f"取り消す異動{chosen_text}")
    expect(confirmation).to_contain_text("消除されます")  # the 転入 undone
    axe_clean(page, "異動の取消しの内容の確認")
    tab_to(page, page.get_by_role("button", name="仮登録する"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="異動の取消しを仮登録しました")).to_be_visible()
    draft = a_draft(page, counter, page.locator("#draft-id").get_attribute("data-draft-id") or "")
    assert draft["kind"] == "Cancel" and draft["command"]["event_id"] == event_id
