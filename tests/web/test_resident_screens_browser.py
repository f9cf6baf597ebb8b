"""The search results and a resident's page in the real browser at the counter's screen size
(1366×768): the household is seen without scrolling and reached by Tab in reading order, and
the results show 宛名番号, 続柄, age and status (issue 17, "Screens")."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect

from jichitai.domain.access.roles import Role
from jichitai.domain.common.dates import format_wareki
from tests.web.conftest import Counter, log_in
from tests.web.test_changes_browser import a_resident, days_ago, token, unique_kana

SEARCH_LABEL = "氏名・フリガナ・生年月日・住所・宛名番号など"
COLUMNS = [
    "氏名",
    "フリガナ",
    "宛名番号",
    "生年月日",
    "年齢",
    "性別",
    "続柄",
    "住所",
    "状態",
    "注意",
]


def searched(page: Page, counter: Counter, query: str = "た") -> Locator:
    log_in(page, counter, Role.CLERK)
    page.get_by_label(SEARCH_LABEL).fill(query)
    page.keyboard.press("Enter")
    rows = page.locator("table.results tbody tr")
    expect(rows.first).to_be_visible()
    return rows


def open_a_member_of_a_household_of_several(page: Page, rows: Locator) -> None:
    """Open, with the keyboard, a resident who is not the head: her household has someone else
    to link to."""
    texts = rows.all_inner_texts()
    at = next(i for i, text in enumerate(texts) if "世帯主" not in text and "除票" not in text)
    rows.nth(at).get_by_role("link").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="住民票（現在）")).to_be_visible()


def test_search_results_show_the_atena_number_relationship_age_and_status(
    page: Page, counter: Counter
) -> None:
    rows = searched(page, counter)
    headers = page.locator("table.results thead th").all_inner_texts()
    assert headers == COLUMNS
    for at in range(min(rows.count(), 5)):
        cells = rows.nth(at).locator("td").all_inner_texts()
        assert re.fullmatch(r"\d{10}", cells[2]), cells
        assert re.fullmatch(r"\d+歳(（死亡時）)?|—", cells[4]), cells
        assert cells[6], "the 続柄 as the register holds it"
        assert re.fullmatch(r"住民|除票（.+）|転出予定 令和\d+年\d+月\d+日", cells[8]), cells


def test_a_resident_whose_move_out_is_planned_shows_its_day_in_the_search_results(
    page: Page, counter: Counter
) -> None:
    kana = unique_kana()
    a_resident(page, counter, kana)
    clerk = token(page, counter, Role.CLERK)
    found = page.request.get(
        counter.url("/api/v1/residents"), params={"q": f"マドグチ {kana}"}, headers=clerk
    )
    assert found.ok, found.text()
    (hit,) = found.json()["results"]
    leaving = days_ago(-10)  # ten days ahead: a resident until then
    move_out = {
        "type": "MoveOut",
        "header": {"effective_on": leaving.isoformat(), "filed_on": days_ago(0).isoformat()},
        "atena_numbers": [hit["atena_number"]],
        "planned_on": leaving.isoformat(),
        "onward_address": {"prefecture": "北海道", "city": "札幌市中央区"},
    }
    draft = page.request.post(
        counter.url("/api/v1/drafts"), data={"command": move_out}, headers=clerk
    )
    assert draft.ok, draft.text()
    approved = page.request.post(
        counter.url(f"/api/v1/drafts/{draft.json()['draft']['draft_id']}/approve"),
        data={},
        headers=token(page, counter, Role.REVIEWER),
    )
    assert approved.ok, approved.text()

    (row,) = searched(page, counter, f"マドグチ {kana}").all()
    cells = row.locator("td").all_inner_texts()
    assert cells[8] == f"転出予定 {format_wareki(leaving)}", cells
    expect(row).not_to_have_class("removed")  # a resident until the day


def test_the_household_is_seen_without_scrolling_at_1366_by_768_and_reached_by_tab(
    page: Page, counter: Counter
) -> None:
    assert page.viewport_size == {"width": 1366, "height": 768}
    open_a_member_of_a_household_of_several(page, searched(page, counter))
    assert page.evaluate("() => window.scrollY") == 0

    household = page.locator("section[aria-labelledby='household-title']")
    box = household.bounding_box()
    assert box is not None
    assert box["x"] >= 0 and box["x"] + box["width"] <= 1366, box
    assert box["y"] >= 0 and box["y"] + box["height"] <= 768, f"below the first screen: {box}"
    record = page.locator("section[aria-labelledby='record-title']").bounding_box()
    assert record is not None and record["x"] + record["width"] <= box["x"], "side by side"

    # Tab from the top of the page: every stop comes later in the document than the one
    # before (no tabindex reorders the page), and the household's link is reached.
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    order = """() => {
      const all = Array.from(document.querySelectorAll('*'));
      const at = all.indexOf(document.activeElement);
      const inHousehold = !!document.activeElement.closest("section[aria-labelledby='household-title']");
      return [at, inHousehold];
    }"""
    positions: list[int] = []
    for _ in range(40):
        page.keyboard.press("Tab")
        at, in_household = page.evaluate(order)
        positions.append(at)
        if in_household:
            break
    else:
        raise AssertionError("Tab never reached the household")
    assert positions == sorted(positions) and len(set(positions)) == len(positions), positions
    assert page.evaluate("() => window.scrollY") == 0, "reaching the household scrolled the page"
    focused_name = page.evaluate("() => document.activeElement.textContent")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text(focused_name.strip())


def test_below_1000px_the_resident_page_is_one_column_in_reading_order(
    page: Page, counter: Counter
) -> None:
    open_a_member_of_a_household_of_several(page, searched(page, counter))
    page.set_viewport_size({"width": 900, "height": 1000})
    record = page.locator("section[aria-labelledby='record-title']").bounding_box()
    household = page.locator("section[aria-labelledby='household-title']").bounding_box()
    history = page.locator("section[aria-labelledby='history-title']").bounding_box()
    assert record and household and history
    assert record["y"] + record["height"] <= household["y"] <= history["y"]
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 900, "no sideways scroll"
