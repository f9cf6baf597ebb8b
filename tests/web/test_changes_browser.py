"""異動届の入力 in the real browser: a family moving in entered with the keyboard only, a
move-out, a correction, and a double submit that makes one draft.

The residents a test changes are made by the test itself (moved in through the API: a clerk's
draft, a reviewer's approval), with a name of its own, so other tests sharing the server never
matter; drafts are looked up through the API by that name.
"""

from __future__ import annotations

import random
import re
from datetime import date, timedelta
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from jichitai.adapters.clock import SystemClock
from jichitai.domain.access.roles import Role
from tests.web.conftest import PASSWORD, Counter, log_in

KANA = "アイウエオカキクケコサシスセソタチツテトナニヌネノ"


def unique_kana() -> str:
    return "".join(random.choice(KANA) for _ in range(6))


def days_ago(days: int) -> date:
    """A day before the server's today (its clock: the real one, in Japan)."""
    return SystemClock().today() - timedelta(days=days)


# --- the API, to make residents and find drafts -------------------------------------------------------


def token(page: Page, counter: Counter, role: Role) -> dict[str, str]:
    answer = page.request.post(
        counter.url("/api/v1/auth/token"),
        form={"username": counter.login_of(role), "password": PASSWORD},
    )
    assert answer.ok, answer.text()
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def a_resident(page: Page, counter: Counter, given_kana: str) -> None:
    """A resident of its own household, moved in and approved through the API."""
    moved_in = days_ago(30).isoformat()
    born = date(1950, 1, 1) + timedelta(days=random.randrange(18000))  # a person of its own
    command = {
        "type": "MoveIn",
        "header": {"effective_on": moved_in, "filed_on": moved_in},
        "members": [
            {
                "kind": "japanese",
                "name": {
                    "family": "窓口",
                    "given": "試",
                    "family_kana": "マドグチ",
                    "given_kana": given_kana,
                },
                "birth_date": {"kind": "calendar", "date": born.isoformat()},
                "sex": "male",
                "relationship": "世帯主",
                "family_register": {"domicile": "東京都千代田区霞が関一丁目1番", "head": "窓口　試"},
            }
        ],
        "address": {"prefecture": "東京都", "city": "千代田区", "town_area": "霞が関一丁目", "lot_text": "1番1号"},
        "previous_address": {"prefecture": "大阪府", "city": "大阪市北区"},
    }  # fmt: skip
    draft = page.request.post(
        counter.url("/api/v1/drafts"),
        data={"command": command},
        headers=token(page, counter, Role.CLERK),
    )
    assert draft.ok, draft.text()
    approved = page.request.post(
        counter.url(f"/api/v1/drafts/{draft.json()['draft']['draft_id']}/approve"),
        data={},
        headers=token(page, counter, Role.REVIEWER),
    )
    assert approved.ok, approved.text()


def a_draft(page: Page, counter: Counter, draft_id: str) -> dict[str, Any]:
    answer = page.request.get(
        counter.url(f"/api/v1/drafts/{draft_id}"), headers=token(page, counter, Role.REVIEWER)
    )
    assert answer.ok, answer.text()
    draft: dict[str, Any] = answer.json()
    return draft


def drafts_naming(page: Page, counter: Counter, text: str) -> list[dict[str, Any]]:
    """The pending drafts whose command mentions ``text`` (a test's own name)."""
    answer = page.request.get(
        counter.url("/api/v1/drafts"), headers=token(page, counter, Role.REVIEWER)
    )
    assert answer.ok, answer.text()
    return [d for d in answer.json()["drafts"] if text in str(d["command"])]


# --- the keyboard ----------------------------------------------------------------------------------


def tab_to(page: Page, target: Locator, limit: int = 80) -> None:
    """Press Tab until ``target`` has the focus: it is reachable, in order, by keyboard."""
    for _ in range(limit):
        if target.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{target} was not reached with Tab")


def type_in(page: Page, target: Locator, text: str) -> None:
    tab_to(page, target)
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def choose(page: Page, target: Locator, downs: int) -> None:
    """Pick an option of a select with the arrow keys."""
    tab_to(page, target)
    for _ in range(downs):
        page.keyboard.press("ArrowDown")


def field(page: Page, name: str) -> Locator:
    return page.locator(f'[name="{name}"]')


def open_resident(page: Page, counter: Counter, given_kana: str) -> None:
    log_in(page, counter)
    page.get_by_label("氏名・フリガナ・生年月日・住所・宛名番号など").fill(f"マドグチ {given_kana}")
    page.keyboard.press("Enter")
    page.locator("table.results tbody a").first.click()
    page.get_by_role("link", name="異動届を入力").click()
    expect(page.get_by_label("届出の対象の方")).to_contain_text("窓口　試")


# --- the flows -------------------------------------------------------------------------------------


@pytest.mark.spec("2.3.1")
@pytest.mark.spec("2.3.2")
def test_a_family_of_three_moves_in_entered_with_the_keyboard(page: Page, counter: Counter) -> None:
    kana = unique_kana()
    log_in(page, counter)
    tab_to(page, page.get_by_role("link", name="異動届の入力"))
    page.keyboard.press("Enter")
    tab_to(page, page.get_by_role("link", name="転入", exact=True))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="転入の入力")).to_be_visible()

    moved = days_ago(3)
    effective = field(page, "effective_on")
    expect(effective).to_be_focused()
    page.keyboard.type(f"R{moved.year - 2018}.{moved.month}.{moved.day}")
    expect(page.locator('[data-echo-for="effective_on"]')).to_have_text(
        f"令和{moved.year - 2018}年{moved.month}月{moved.day}日"
    )
    type_in(page, field(page, "address.town_area"), "霞が関")
    expect(page.locator("#town-areas option").first).to_have_attribute(
        "value", re.compile("^霞が関")
    )
    type_in(page, field(page, "address.town_area"), "霞が関一丁目")
    type_in(page, field(page, "address.lot_text"), "3番1号")
    type_in(page, field(page, "previous_address.prefecture"), "大阪府")
    type_in(page, field(page, "previous_address.city"), "大阪市北区")
    type_in(page, field(page, "previous_address.lot_text"), "梅田一丁目1番1号")
    members = [
        ("太郎", "タロウ", "S55.4.1", "male", "世帯主"),
        ("花子", "ハナコ", "1982-07-15", "female", "妻"),
        ("一郎", "イチロウ", "H27.5.5", "male", "子"),
    ]
    for i, (given, given_kana, born, sex, relationship) in enumerate(members):
        p = f"members[{i}]"
        if i == 0:
            type_in(page, field(page, f"{p}.name.family"), "窓口")
            type_in(page, field(page, f"{p}.name.family_kana"), "ﾏﾄﾞｸﾞﾁ")  # half-width
        else:  # the new block starts at 名: 氏, フリガナ and 本籍 are copied from the first
            expect(field(page, f"{p}.name.given")).to_be_focused()
            expect(field(page, f"{p}.name.family")).to_have_value("窓口")
        type_in(page, field(page, f"{p}.name.given"), given)
        type_in(page, field(page, f"{p}.name.given_kana"), given_kana + kana)
        type_in(page, field(page, f"{p}.birth_date"), born)
        radio = page.locator(f'[name="{p}.sex"][value="{sex}"]')
        if i == 1:  # 妻 suggested for the second member, and so 女
            expect(field(page, f"{p}.relationship")).to_have_value(relationship)
            expect(radio).to_be_checked()
        else:  # Tab reaches the first radio button (男); ↓ goes on to 女
            tab_to(page, page.locator(f'[name="{p}.sex"]').first)
            page.keyboard.press("Space" if sex == "male" else "ArrowDown")
            expect(radio).to_be_checked()
        type_in(page, field(page, f"{p}.relationship"), relationship)
        if i == 0:
            type_in(
                page, field(page, f"{p}.family_register.domicile"), "大阪府大阪市北区梅田一丁目1番"
            )
            type_in(page, field(page, f"{p}.family_register.head"), "窓口　太郎")
        if i < 2:
            tab_to(page, page.get_by_role("button", name="世帯員を追加"))
            page.keyboard.press("Enter")
    # 届出人: 本人 is chosen; ↓↓ makes it 代理人, which opens the name and address.
    notifier = page.locator('[name="notifier.kind"][value="self"]')
    expect(notifier).to_be_checked()
    tab_to(page, notifier)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(page.locator('[name="notifier.kind"][value="agent"]')).to_be_checked()
    tab_to(page, page.locator('[name="identity_check.document"]').first)
    page.keyboard.press("ArrowDown")
    expect(
        page.locator('[name="identity_check.document"][value="driving_licence"]')
    ).to_be_checked()
    expect(field(page, "notifier.name")).to_be_visible()
    type_in(page, field(page, "notifier.name"), "鈴木　一郎")
    tab_to(page, page.get_by_role("button", name="確認画面へ進む"))
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="転入の内容の確認")).to_be_visible()
    expect(page.locator("article.confirm")).to_contain_text("代理人 鈴木　一郎")
    confirmation = page.locator("article.confirm")
    for name in ("窓口　太郎", "窓口　花子", "窓口　一郎", "マドグチ　タロウ"):
        expect(confirmation).to_contain_text(name)
    expect(confirmation).to_contain_text("東京都千代田区霞が関一丁目3番1号")
    tab_to(page, page.get_by_role("button", name="仮登録する"))
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="転入を仮登録しました")).to_be_visible()
    draft_id = page.locator("#draft-id").get_attribute("data-draft-id") or ""
    expect(page.get_by_role("link", name="住民異動届を印刷（PDF）")).to_have_attribute(
        "href", f"/ui/drafts/{draft_id}/form.pdf"
    )
    (draft,) = drafts_naming(page, counter, kana)
    assert draft["draft_id"] == draft_id and draft["kind"] == "MoveIn"
    assert [m["name"]["given"] for m in draft["command"]["members"]] == ["太郎", "花子", "一郎"]
    assert draft["command"]["header"]["notifier"] == {"kind": "agent", "name": "鈴木　一郎"}
    assert draft["command"]["header"]["identity_check"] == {"document": "driving_licence"}


@pytest.mark.spec("2.3.1")
def test_a_move_out(page: Page, counter: Counter) -> None:
    kana = unique_kana()
    a_resident(page, counter, kana)
    open_resident(page, counter, kana)
    page.get_by_role("link", name="転出", exact=True).click()
    expect(page.get_by_role("heading", name="転出の入力")).to_be_visible()
    leaving = days_ago(1)
    page.get_by_label("転出予定日（転出した日）").fill(leaving.isoformat())
    page.get_by_label("都道府県").fill("北海道")
    page.get_by_label("市区町村").fill("札幌市中央区")
    page.get_by_role("button", name="確認画面へ進む").click()
    confirmation = page.locator("article.confirm")
    expect(confirmation).to_contain_text("消除されます")
    expect(confirmation).to_contain_text("北海道札幌市中央区")
    page.get_by_role("button", name="仮登録する").click()
    expect(page.get_by_role("heading", name="転出を仮登録しました")).to_be_visible()
    expect(page.get_by_role("link", name="この方の住民票へ戻る")).to_be_visible()
    draft = a_draft(page, counter, (page.locator("#draft-id").get_attribute("data-draft-id") or ""))
    assert draft["kind"] == "MoveOut"
    assert draft["command"]["planned_on"] == leaving.isoformat()


def test_a_correction(page: Page, counter: Counter) -> None:
    kana = unique_kana()
    a_resident(page, counter, kana)
    open_resident(page, counter, kana)
    page.get_by_role("link", name="修正", exact=True).click()
    page.get_by_label("異動日").fill(days_ago(0).isoformat())
    page.get_by_label("修正の事由").select_option(label="職権修正")
    page.get_by_label("氏名・フリガナ", exact=True).check()  # opens the item's inputs
    corrected = field(page, "changes.name.given_kana")
    expect(corrected).to_be_visible()
    expect(corrected).to_have_value(kana)
    corrected.fill("ﾀﾛｳ")
    page.get_by_role("button", name="確認画面へ進む").click()
    confirmation = page.locator("article.confirm")
    expect(confirmation).to_contain_text("職権修正")
    expect(confirmation).to_contain_text(f"マドグチ　{kana}")
    expect(confirmation).to_contain_text("マドグチ　タロウ")
    page.get_by_role("button", name="仮登録する").click()
    expect(page.get_by_role("heading", name="修正を仮登録しました")).to_be_visible()
    draft = a_draft(page, counter, (page.locator("#draft-id").get_attribute("data-draft-id") or ""))
    assert draft["kind"] == "Correct" and draft["command"]["reason"] == "ex_officio_correction"
    assert draft["command"]["changes"]["name"]["given_kana"] == "タロウ"


def test_a_double_submit_makes_one_draft(page: Page, counter: Counter) -> None:
    kana = unique_kana()
    log_in(page, counter)
    page.goto(counter.url("/ui/changes/new/move-in"))
    fills = {
        "effective_on": days_ago(2).isoformat(),
        "address.lot_text": "5番5号",
        "previous_address.prefecture": "大阪府",
        "previous_address.city": "大阪市北区",
        "members[0].name.family": "窓口",
        "members[0].name.given": "二重",
        "members[0].name.family_kana": "マドグチ",
        "members[0].name.given_kana": kana,
        "members[0].birth_date": "1990-01-01",
        "members[0].family_register.domicile": "不明",
        "members[0].family_register.head": "不明",
    }
    for name, value in fills.items():
        field(page, name).fill(value)
    page.get_by_role("radio", name="女").check()
    page.get_by_role("button", name="確認画面へ進む").click()
    expect(page.get_by_role("button", name="仮登録する")).to_be_visible()
    form = page.locator("form.confirm-actions")
    sent = form.evaluate("form => Object.fromEntries(new FormData(form))")
    # Sent twice at once, past the page's own guard against a double click.
    form.evaluate(
        "form => { const send = HTMLFormElement.prototype.submit;"
        " send.call(form); send.call(form); }"
    )
    expect(page.get_by_role("heading", name="転入を仮登録しました")).to_be_visible()
    done = page.url
    # Sent again later (the back button and 「再送信」): the same draft.
    again = page.request.post(counter.url("/ui/changes/move-in/submit"), form=sent, max_redirects=0)
    assert again.status == 303 and counter.url(again.headers["location"]) == done
    drafts = drafts_naming(page, counter, kana)
    assert [d["draft_id"] for d in drafts] == [
        (page.locator("#draft-id").get_attribute("data-draft-id") or "")
    ]
