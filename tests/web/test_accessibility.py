"""The counter's main pages checked by axe-core in the real browser (Debian's Chromium).

Each page in ``PAGES`` is reached as a clerk reaches it, then axe-core (the copy shipped with
axe-playwright-python, injected through Playwright: the pages' CSP does not apply to it) checks
it at the two widths the counter must work at. Any violation of impact "serious" or "critical"
fails the test, listed with its rule id and the elements it was found on ("minor" and
"moderate" ones are listed after them, but do not fail it). To check another page, add (name, how to get there) to
``PAGES``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from jichitai.domain.access.roles import Role
from tests.web.conftest import Counter, log_in

FAILING = frozenset({"serious", "critical"})
WIDTHS = ((1366, 768), (768, 1024))
SEARCH_LABEL = "氏名・フリガナ・生年月日・住所・宛名番号など"


def login_page(page: Page, counter: Counter) -> None:
    page.goto(counter.url("/ui/login"))
    expect(page.get_by_role("heading", name="ログイン")).to_be_visible()


def start_page(page: Page, counter: Counter) -> None:
    log_in(page, counter, Role.CLERK)
    expect(page.get_by_role("heading", name="届出の入力")).to_be_visible()


def move_in_form(page: Page, counter: Counter) -> None:
    """The 転入 form from the start page, with a second member added."""
    start_page(page, counter)
    page.get_by_role("link", name="転入", exact=True).click()
    page.get_by_role("button", name="世帯員を追加").click()
    expect(page.get_by_text("異動する方 2人目", exact=True)).to_be_visible()


def search_results(page: Page, counter: Counter) -> None:
    log_in(page, counter, Role.CLERK)
    page.get_by_label(SEARCH_LABEL).fill("た")
    page.keyboard.press("Enter")
    expect(page.locator("table.results tbody tr").first).to_be_visible()


def resident_page(page: Page, counter: Counter) -> None:
    search_results(page, counter)
    page.locator("table.results tbody tr").first.get_by_role("link").click()
    expect(page.get_by_role("heading", name="住民票（現在）")).to_be_visible()


def removed_resident_page(page: Page, counter: Counter) -> None:
    log_in(page, counter, Role.CLERK)
    page.get_by_label(SEARCH_LABEL).fill("た")
    page.get_by_label("除票（転出・死亡等で消除された方）も含める").check()
    page.keyboard.press("Enter")
    page.locator("table.results tbody tr.removed").first.get_by_role("link").click()
    expect(page.get_by_role("heading", name="除票", exact=True)).to_be_visible()


def drafts_queue(page: Page, counter: Counter) -> None:
    log_in(page, counter, Role.REVIEWER)
    page.goto(counter.url("/ui/drafts"))
    expect(page.get_by_role("heading", level=1)).to_have_text("審査待ちの仮登録")


def audit_search(page: Page, counter: Counter) -> None:
    log_in(page, counter, Role.AUDITOR)
    page.goto(counter.url("/ui/audit"))
    page.get_by_label("職員のログインID").press("Enter")
    expect(page.get_by_role("heading", name=re.compile("検索結果"))).to_be_visible()


def certificate_form(page: Page, counter: Counter) -> None:
    resident_page(page, counter)
    page.get_by_role("link", name="証明書を発行").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def issued_certificate(page: Page, counter: Counter) -> None:
    """The page 「発行しました」 after a 住民票の写し of the person alone is issued."""
    certificate_form(page, counter)
    page.get_by_label("住民票の写し", exact=True).check()
    page.get_by_role("button", name="プレビュー").click()
    page.get_by_role("button", name="発行する", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("発行しました")


def seal_page(page: Page, counter: Counter) -> None:
    resident_page(page, counter)
    page.get_by_role("link", name="印鑑登録").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def character_lookup(page: Page, counter: Counter) -> None:
    log_in(page, counter, Role.CLERK)
    page.goto(counter.url("/ui/characters"))
    page.get_by_label("文字又は文字コード").fill("U+20BB7")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=re.compile("照会結果"))).to_be_visible()


PAGES: list[tuple[str, Callable[[Page, Counter], None]]] = [
    ("login", login_page),
    ("start", start_page),
    ("move-in form", move_in_form),
    ("search results", search_results),
    ("resident", resident_page),
    ("removed resident", removed_resident_page),
    ("drafts queue", drafts_queue),
    ("audit search", audit_search),
    ("certificate form", certificate_form),
    ("issued certificate", issued_certificate),
    ("seal registration", seal_page),
    ("character lookup", character_lookup),
]


def described(violation: dict[str, Any]) -> str:
    targets = "; ".join(" ".join(node["target"]) for node in violation["nodes"])
    return f"{violation['id']} ({violation['impact']}): {violation['help']} — {targets}"


@pytest.mark.parametrize(("name", "reach"), PAGES, ids=[name for name, _ in PAGES])
def test_the_page_has_no_serious_accessibility_violation(
    page: Page, counter: Counter, name: str, reach: Callable[[Page, Counter], None]
) -> None:
    reach(page, counter)
    axe = Axe()
    serious: list[str] = []
    lesser: list[str] = []
    for width, height in WIDTHS:
        page.set_viewport_size({"width": width, "height": height})
        results = axe.run(page).response
        assert results["passes"], "axe-core checked nothing"  # it did run on this page
        violations = results["violations"]
        for violation in violations:
            line = f"{name} at {width} px: {described(violation)}"
            (serious if violation["impact"] in FAILING else lesser).append(line)
    assert not serious, "\n".join(
        ["axe-core found serious or critical violations:", *serious, "and, not failing:", *lesser]
    )
