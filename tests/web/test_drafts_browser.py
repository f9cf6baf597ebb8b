"""Review and audit in a real browser, keyboard only: a reviewer approves a draft a clerk entered
through the API and the family becomes findable; a clerk's approval is refused; an auditor
searches the access log and checks its chain."""

from __future__ import annotations

import random
import re
from datetime import date, timedelta
from typing import Any

import httpx2 as httpx
from playwright.sync_api import Page, expect

from jichitai.domain.access.roles import Role
from jichitai.domain.common.dates import format_wareki
from jichitai.domain.residents.commands import MoveIn
from jichitai.domain.residents.model import Sex
from tests.api.conftest import command_json
from tests.factories import a_header, a_person, a_previous_address, an_address
from tests.web.conftest import PASSWORD, Counter, log_in

KATAKANA = (
    "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワ"
)


def a_family(rng: random.Random) -> tuple[MoveIn, str, str]:
    """A couple moving in with a reading no other test uses (the server is shared); the head's
    name and the reading to search them by."""
    given_kana = "".join(rng.choice(KATAKANA) for _ in range(5))
    born = date(1960, 1, 1) + timedelta(days=rng.randrange(15000))
    head = a_person(
        name="𠮷野",
        given="一郎",
        kana=("ヨシノ", given_kana),
        born=format_wareki(born),
    )
    spouse = a_person(
        name="𠮷野",
        given="花子",
        kana=("ヨシノ", "".join(rng.choice(KATAKANA) for _ in range(4))),
        relationship="妻",
        born=format_wareki(born + timedelta(days=400)),
        sex=Sex.FEMALE,
    )
    command = MoveIn(
        header=a_header(),
        members=(head, spouse),
        address=an_address(f"四丁目{rng.randrange(1, 30)}番{rng.randrange(1, 30)}号"),
        previous_address=a_previous_address(),
    )
    return command, "𠮷野　一郎", f"ヨシノ {given_kana}"


def submitted(counter: Counter, command: Any) -> str:
    """A draft entered by the clerk through the staff API of the running server."""
    login = counter.login_of(Role.CLERK)
    token = httpx.post(
        counter.url("/api/v1/auth/token"), data={"username": login, "password": PASSWORD}
    ).json()["access_token"]
    answer = httpx.post(
        counter.url("/api/v1/drafts"),
        json={"command": command_json(command)},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 201, answer.text
    draft_id: str = answer.json()["draft"]["draft_id"]
    return draft_id


def press(page: Page, locator: Any, key: str = "Enter") -> None:
    locator.focus()
    page.keyboard.press(key)


def test_a_reviewer_approves_a_clerks_draft_and_the_family_is_found(
    page: Page, counter: Counter
) -> None:
    command, name, reading = a_family(random.Random())
    draft_id = submitted(counter, command)
    log_in(page, counter, Role.REVIEWER)
    press(page, page.get_by_role("link", name="仮登録・審査"))
    expect(page.get_by_role("heading", level=1)).to_have_text("審査待ちの仮登録")
    press(page, page.locator(f'table[data-keyboard-table] a[href="/ui/drafts/{draft_id}"]'))

    expect(page.get_by_role("heading", level=1)).to_contain_text("仮登録: 転入")
    expect(page.get_by_role("status").first).to_contain_text("全ての規則を満たしています")
    expect(page.locator("table.persons")).to_contain_text(name)
    page.set_viewport_size({"width": 768, "height": 1024})
    assert page.evaluate("document.documentElement.scrollWidth") <= 768
    page.set_viewport_size({"width": 1366, "height": 768})

    press(page, page.get_by_role("button", name="本登録する"))
    expect(page.get_by_role("heading", name="本登録しました")).to_be_visible()
    press(page, page.get_by_role("link", name=name))
    expect(page.get_by_role("heading", level=1)).to_contain_text(name)
    assert not re.search(r"\d{10}", page.url), "no 宛名番号 in the URL"

    press(page, page.get_by_role("link", name="住民検索"))
    page.get_by_label("氏名・フリガナ・生年月日・住所・宛名番号など").fill(reading)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="検索結果 1件")).to_be_visible()
    expect(page.locator("table.results")).to_contain_text(name)


def test_a_clerk_cannot_approve_and_a_forged_approval_is_refused(
    page: Page, counter: Counter
) -> None:
    command, _, _ = a_family(random.Random())
    draft_id = submitted(counter, command)
    log_in(page, counter, Role.CLERK)
    page.goto(counter.url(f"/ui/drafts/{draft_id}"))
    expect(page.get_by_text("本登録は審査担当の職員が行います")).to_be_visible()
    expect(page.get_by_role("button", name="本登録する")).to_have_count(0)
    # A page kept from before a change of role, or a forged form: the server refuses it.
    page.evaluate(
        """(id) => {
          const form = document.createElement("form");
          form.method = "post";
          form.action = `/ui/drafts/${id}/approve`;
          form.append(document.querySelector("input[name=csrf_token]").cloneNode());
          document.body.append(form);
          form.submit();
        }""",
        draft_id,
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("この操作は行えません")
    expect(page.get_by_role("alert")).to_contain_text("この操作を行う権限がありません")
    page.goto(counter.url("/ui/drafts"))
    expect(page.locator(f'a[href="/ui/drafts/{draft_id}"]')).to_be_visible()


def test_an_auditor_searches_the_access_log_and_checks_the_chain(
    page: Page, counter: Counter
) -> None:
    log_in(page, counter, Role.AUDITOR)
    press(page, page.get_by_role("link", name="アクセスログ"))
    expect(page.get_by_role("heading", level=1)).to_have_text("アクセスログ（監査）")
    page.get_by_label("職員のログインID").fill(counter.login_of(Role.AUDITOR))
    page.get_by_label("操作", exact=True).select_option(label="ログイン")
    page.get_by_label("職員のログインID").press("Enter")
    expect(page.get_by_role("heading", name=re.compile(r"検索結果 [1-9]\d*件"))).to_be_visible()
    rows = page.locator("table.log tbody tr")
    expect(rows.first).to_contain_text("ログイン")
    expect(rows.first).to_contain_text(counter.login_of(Role.AUDITOR))
    assert "?" not in page.url
    expect(page.get_by_label("職員のログインID")).to_have_value(counter.login_of(Role.AUDITOR))

    press(page, page.get_by_role("button", name="連鎖を検証する"))
    expect(page.get_by_text(re.compile(r"連鎖は正常です（\d+件を検証しました）"))).to_be_visible()
