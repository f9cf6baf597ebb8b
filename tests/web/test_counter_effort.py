"""How much work the 転入 of a family of three is at the counter: a clerk with the mouse and the
keyboard, counted (issue 17: the goal is half of the clicks it took).

The clerk fills a field only if it does not already hold the value (a prefilled or suggested
value that is right is read, not typed again). Two counts of clicks are kept:

- ``clicks``: every field she fills is clicked into (the issue's measure), a select is opened
  and chosen with the mouse (2), a radio button is one click, a link or button one;
- ``clicks_with_tab``: the same clerk presses Tab instead when the field is the next one the
  cursor goes to (a keystroke, counted in ``tabs``).

A field the page has already put the cursor in (the form's first field, the first field to
type of a member just added) is typed into without a click or a Tab. The clerk goes from the
last field to the confirmation with Enter (the form's default button), a keystroke (``keys``).

The figures are printed (``pytest -s``) and held as upper bounds (``ACHIEVED``).
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.web.conftest import Counter, log_in
from tests.web.test_changes_browser import days_ago, drafts_naming, field, unique_kana

_IS_NEXT = """(target) => {
  const all = [...document.querySelectorAll('a[href], input, select, textarea, button')].filter(
    (e) => e.type !== 'hidden' && e.tabIndex >= 0 && !e.disabled && e.offsetParent !== null
         && !(e.type === 'radio' && !e.checked && all_radios_checked(e)));
  function all_radios_checked(e) {
    return [...document.getElementsByName(e.name)].some((r) => r.checked);
  }
  const at = all.indexOf(document.activeElement);
  return at >= 0 && all[at + 1] === target;
}"""


@dataclass
class Clerk:
    page: Page
    clicks: int = 0
    clicks_with_tab: int = 0
    tabs: int = 0
    typed: int = 0
    fields: int = 0
    keys: int = 0
    """Keys pressed besides typing and Tab (Enter)."""

    def press(self, key: str) -> None:
        self.keys += 1
        self.page.keyboard.press(key)

    def click(self, target: Locator) -> None:
        self.clicks += 1
        self.clicks_with_tab += 1
        target.click()

    def go_to(self, target: Locator) -> None:
        if target.evaluate("e => e === document.activeElement"):
            return  # the page put the cursor there: she types
        self.clicks += 1
        if target.evaluate(_IS_NEXT):
            self.tabs += 1
            self.page.keyboard.press("Tab")
            expect(target).to_be_focused()
        else:
            self.clicks_with_tab += 1
            target.click()

    def fill(self, name: str, value: str) -> None:
        target = field(self.page, name)
        if target.input_value() == value:
            return
        self.fields += 1
        self.go_to(target)
        self.page.keyboard.press("Control+A")
        self.page.keyboard.type(value)
        self.typed += len(value)

    def choose(self, name: str, value: str) -> None:
        """A select (opened and chosen: 2 clicks) or radio buttons (1 click)."""
        target = field(self.page, name)
        if target.first.evaluate("e => e.tagName") == "SELECT":
            if target.input_value() == value:
                return
            self.fields += 1
            self.clicks += 2
            self.clicks_with_tab += 2
            target.select_option(value)
        else:
            radio = self.page.locator(f'[name="{name}"][value="{value}"]')
            if radio.is_checked():
                return
            self.fields += 1
            self.click(radio)


@dataclass(frozen=True)
class Achieved:
    clicks: int
    clicks_with_tab: int
    tabs: int
    typed: int
    fields: int
    keys: int


ACHIEVED = Achieved(clicks=22, clicks_with_tab=11, tabs=11, typed=118, fields=21, keys=1)
"""The figures held as upper bounds (issue 17 counted 36 clicks and asks for half of them; 27
when this test first held them, with 16 using Tab)."""


@pytest.mark.spec("2.3.1")
def test_a_family_of_three_moving_in_counted(page: Page, counter: Counter) -> None:
    kana = unique_kana()
    log_in(page, counter)
    clerk = Clerk(page)
    clerk.click(page.get_by_role("link", name="転入", exact=True))  # offered on the start page
    expect(page.get_by_role("heading", name="転入の入力")).to_be_visible()

    moved = days_ago(3)
    clerk.fill("effective_on", f"R{moved.year - 2018}.{moved.month}.{moved.day}")
    clerk.fill("address.town_area", "霞が関一丁目")
    clerk.fill("address.lot_text", "3番1号")
    clerk.fill("previous_address.prefecture", "大阪府")
    clerk.fill("previous_address.city", "大阪市北区")
    clerk.fill("previous_address.lot_text", "梅田一丁目1番1号")
    members = [
        ("太郎", "タロウ", "S55.4.1", "male", "世帯主"),
        ("花子", "ハナコ", "1982-07-15", "female", "妻"),
        ("一郎", "イチロウ", "H27.5.5", "male", "子"),
    ]
    for i, (given, given_kana, born, sex, relationship) in enumerate(members):
        p = f"members[{i}]"
        clerk.fill(f"{p}.name.family", "窓口")
        clerk.fill(f"{p}.name.family_kana", "マドグチ")
        clerk.fill(f"{p}.name.given", given)
        clerk.fill(f"{p}.name.given_kana", given_kana + kana)
        clerk.fill(f"{p}.birth_date", born)
        clerk.choose(f"{p}.sex", sex)
        clerk.fill(f"{p}.relationship", relationship)
        clerk.fill(f"{p}.family_register.domicile", "大阪府大阪市北区梅田一丁目1番")
        clerk.fill(f"{p}.family_register.head", "窓口　太郎")
        if i < 2:
            clerk.click(page.get_by_role("button", name="世帯員を追加"))
            # The new member's block has the cursor at its first field to type, in sight.
            first = field(page, f"members[{i + 1}].name.given")
            expect(first).to_be_focused()
            expect(first).to_be_in_viewport()
            expect(page.get_by_text(f"異動する方 {i + 2}人目", exact=True)).to_be_in_viewport()
    clerk.press("Enter")  # in the last field: to the confirmation
    expect(page.get_by_role("heading", name="転入の内容の確認")).to_be_visible()
    clerk.click(page.get_by_role("button", name="仮登録する"))
    expect(page.get_by_role("heading", name="転入を仮登録しました")).to_be_visible()

    (draft,) = drafts_naming(page, counter, kana)
    people = draft["command"]["members"]
    assert [(m["name"]["given"], m["sex"], m["relationship"]) for m in people] == [
        (given, sex, relationship) for given, _, _, sex, relationship in members
    ]
    assert {m["family_register"]["head"] for m in people} == {"窓口　太郎"}
    print(  # noqa: T201 - the figures are the test's report
        f"\n転入 of a family of three: {clerk.clicks} clicks ({clerk.clicks_with_tab} using Tab, "
        f"{clerk.tabs} Tab presses), {clerk.typed} typed characters in {clerk.fields} fields, "
        f"{clerk.keys} Enter"
    )
    # What it took when this was last changed: more fails (an added click, a field to type that
    # was suggested, a cursor no longer put where the clerk types next).
    assert clerk.clicks <= ACHIEVED.clicks
    assert clerk.clicks_with_tab <= ACHIEVED.clicks_with_tab
    assert clerk.tabs <= ACHIEVED.tabs
    assert clerk.typed <= ACHIEVED.typed
    assert clerk.fields <= ACHIEVED.fields
    assert clerk.keys <= ACHIEVED.keys
