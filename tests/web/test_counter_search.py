"""The counter's start: logging in, searching with the keyboard only, a resident's page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from jichitai.domain.access.roles import Role
from tests.web.conftest import PASSWORD, Counter, log_in


@pytest.mark.spec("2.3.2")
def test_a_clerk_logs_in_searches_by_kana_and_opens_a_resident_with_the_keyboard(
    page: Page, counter: Counter
) -> None:
    log_in(page, counter)
    header = page.get_by_label("ログイン中の職員")
    expect(header).to_contain_text("東京都千代田区")
    expect(header).to_contain_text("窓口")

    page.get_by_label("氏名・フリガナ・生年月日・住所・宛名番号など").fill("た")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=re.compile(r"検索結果 \d+件"))).to_be_visible()
    assert "%E3%81%9F" not in page.url and "q=" not in page.url  # no personal data in the URL

    rows = page.locator("table.results tbody tr")
    assert rows.count() >= 2
    rows.nth(0).get_by_role("link").focus()
    page.keyboard.press("ArrowDown")
    second = rows.nth(1).get_by_role("link")
    expect(second).to_be_focused()
    name = second.inner_text()
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_contain_text(name)
    expect(page.get_by_role("heading", name=re.compile("世帯"))).to_be_visible()
    expect(page.get_by_role("heading", name="異動の履歴（新しい順）")).to_be_visible()
    assert "/ui/residents/" in page.url
    assert not re.search(r"\d{10}", page.url), "no 宛名番号 in the URL"
    storage = page.evaluate("() => [localStorage.length, sessionStorage.length]")
    assert storage == [0, 0]


def test_a_wrong_password_is_told_next_to_the_field_and_nothing_else(
    page: Page, counter: Counter
) -> None:
    page.goto(counter.url("/ui/login"))
    page.get_by_label("ログインID").fill(counter.login_of(Role.CLERK))
    page.get_by_label("パスワード").fill(PASSWORD + "x")
    page.keyboard.press("Enter")
    password = page.get_by_label("パスワード")
    expect(password).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#password-messages")).not_to_be_empty()
    expect(page.get_by_label("ログインID")).to_have_value(counter.login_of(Role.CLERK))


def test_a_reference_from_another_session_opens_nothing(page: Page, counter: Counter) -> None:
    log_in(page, counter)
    page.get_by_label("氏名・フリガナ・生年月日・住所・宛名番号など").fill("0000000019")
    page.keyboard.press("Enter")
    href = page.locator("table.results tbody a").first.get_attribute("href")
    assert href is not None
    page.get_by_role("button", name="ログアウト").click()
    log_in(page, counter, Role.REVIEWER)
    response = page.goto(counter.url(href))
    assert response is not None and response.status == 404
    expect(page.get_by_role("alert")).to_contain_text("もう一度検索してください")
