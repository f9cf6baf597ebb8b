"""The counter's rules below the browser: every page needs a session, every form its CSRF
token, no page may be cached, and an expired session keeps what the clerk had typed."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from jichitai.bootstrap import App
from jichitai.domain.access.roles import Role
from jichitai.entrypoints.web.views import characters, look_up_characters
from tests.api.conftest import PASSWORD, Tenant, a_move_in
from tests.fakes import FixedClock


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has a form with a CSRF token"
    return found.group(1)


def hidden_of(html: str) -> dict[str, str]:
    """The hidden fields of a page's forms, by name."""
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))


def log_in(http: TestClient, tenant: Tenant, role: Role = Role.CLERK) -> str:
    """Log in; the CSRF token of the page logged in to."""
    token = csrf_of(http.get("/ui/login").text)
    done = http.post(
        "/ui/login",
        data={"csrf_token": token, "login": tenant.login(role), "password": PASSWORD},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    return csrf_of(http.get("/ui/").text)


def test_pages_need_a_session_and_forms_their_token(http: TestClient, tenant: Tenant) -> None:
    for path in ("/ui/", "/ui/residents/abc"):
        answer = http.get(path, follow_redirects=False)
        assert (answer.status_code, answer.headers["location"]) == (303, "/ui/login")
    csrf = log_in(http, tenant)
    forged = http.post("/ui/search", data={"q": "高橋"})
    assert forged.status_code == 403 and "送信できませんでした" in forged.text
    wrong = http.post("/ui/search", data={"q": "高橋", "csrf_token": "0" * 64})
    assert wrong.status_code == 403
    found = http.post("/ui/search", data={"q": "高橋", "csrf_token": csrf})
    assert found.status_code == 200
    assert found.text.count('href="/ui/residents/') == 2


def test_the_start_page_offers_the_move_in_to_a_clerk_who_enters_changes(
    http: TestClient, tenant: Tenant
) -> None:
    """転入 is entered for no resident yet: started from the start page (and after a search
    that found nobody), one click less than through the menu of every 届出."""
    csrf = log_in(http, tenant)
    for answer in (
        http.get("/ui/"),
        http.post("/ui/search", data={"q": "ムカシ", "csrf_token": csrf}),
    ):
        assert answer.status_code == 200
        assert '<a class="process" href="/ui/changes/new/move-in">転入</a>' in answer.text
        assert "対象の方を検索して住民票の「異動届を入力」から" in answer.text
    http.post("/ui/logout", data={"csrf_token": csrf})
    log_in(http, tenant, Role.AUDITOR)
    assert "/ui/changes/new/move-in" not in http.get("/ui/").text  # no 届出 for an auditor


def test_no_page_is_cached_or_framed(http: TestClient, tenant: Tenant) -> None:
    csrf = log_in(http, tenant)
    for answer in (
        http.get("/ui/login"),
        http.get("/ui/"),
        http.post("/ui/search", data={"q": "高橋", "csrf_token": csrf}),
    ):
        assert answer.headers["cache-control"] == "no-store"
        assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]
        assert answer.headers["referrer-policy"] == "no-referrer"
    cookie = http.cookies.get("jichitai_counter")
    assert cookie, "the session cookie is set"


def test_an_expired_session_keeps_the_input_for_after_logging_in(
    http: TestClient, tenant: Tenant, app: App, clock: FixedClock
) -> None:
    csrf = log_in(http, tenant)
    clock.at += app.tokens.lifetime + timedelta(minutes=1)
    expired = http.post("/ui/search", data={"q": "たかはし はなこ", "csrf_token": csrf})
    assert expired.status_code == 401
    assert "ログイン" in expired.text and "入力中の内容は保持しています" in expired.text
    kept = hidden_of(expired.text)
    assert kept["resume"], "the form is sealed in the log-in page"
    assert "たかはし" not in expired.text  # sealed, not in plain hidden fields

    again = http.post(
        "/ui/login",
        data={**kept, "login": tenant.login(Role.CLERK), "password": PASSWORD},
    )
    assert again.status_code == 200
    assert "住民検索" in again.text and "たかはし はなこ" in again.text  # said in words
    assert 'name="q" value="たかはし はなこ"' in again.text
    assert 'action="/ui/search"' in again.text
    sent = http.post("/ui/search", data={"q": "たかはし はなこ", "csrf_token": csrf_of(again.text)})
    assert sent.status_code == 200 and "検索結果 1件" in sent.text


def test_refusals_are_pages_in_japanese_not_json(http: TestClient, tenant: Tenant) -> None:
    log_in(http, tenant, Role.AUDITOR)
    csrf = csrf_of(http.get("/ui/").text)
    refused = http.post("/ui/search", data={"q": "高橋", "csrf_token": csrf})
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("text/html")
    assert "この操作は行えません" in refused.text
    missing = http.get("/ui/no-such-page")
    assert missing.status_code == 404 and "見つかりません" in missing.text


def test_a_body_over_the_limit_gets_a_page_not_json(http: TestClient, tenant: Tenant) -> None:
    csrf = log_in(http, tenant)
    huge = http.post("/ui/search", data={"q": "あ" * 600_000, "csrf_token": csrf})
    assert huge.status_code == 413
    assert huge.headers["content-type"].startswith("text/html")
    assert "送信された内容が大きすぎます" in huge.text


@pytest.mark.spec("2.2.3")
def test_a_names_characters_are_shown_enlarged_with_their_codes(
    http: TestClient, tenant: Tenant, app: App
) -> None:
    app.register.record_change(tenant.code, a_move_in(9, "𠮷田", "ヨシダ"))
    csrf = log_in(http, tenant)
    found = http.post("/ui/search", data={"q": "ヨシダ", "csrf_token": csrf})
    link = re.search(r'href="(/ui/residents/[^"]+)"', found.text)
    assert link, found.text
    shown = http.get(link.group(1)).text
    assert "文字を拡大して文字コードを表示" in shown
    assert '<span class="name big">𠮷</span><span class="code">U+20BB7</span>' in shown
    assert '<span class="name big">田</span><span class="code">U+7530</span>' in shown


def test_a_variation_selector_stays_with_its_character() -> None:
    assert characters("葛\U000e0100城 太") == [
        ("葛\U000e0100", "U+845B U+E0100"),
        ("城", "U+57CE"),
        ("太", "U+592A"),
    ]


@pytest.mark.spec("2.2.3")
def test_a_character_is_looked_up_by_itself_or_by_its_code_and_shown_large(
    http: TestClient, tenant: Tenant
) -> None:
    csrf = log_in(http, tenant)
    home = http.get("/ui/").text
    assert 'href="/ui/characters"' in home  # in the menu
    form = http.get("/ui/characters")
    assert form.status_code == 200 and re.search(r'class="field\s+large-input"', form.text)

    def looked_up(q: str) -> Any:
        return http.post("/ui/characters", data={"q": q, "csrf_token": csrf})

    by_code = looked_up("U+20BB7")
    assert by_code.status_code == 200
    assert '<span class="name big">𠮷</span><span class="code">U+20BB7</span>' in by_code.text
    assert "CJK UNIFIED IDEOGRAPH-20BB7" in by_code.text
    variant = looked_up("u+845b u+e0100")
    assert '<span class="name big">葛\U000e0100</span><span class="code">U+845B U+E0100</span>' in (
        variant.text
    )
    typed = looked_up("髙橋")
    assert re.findall(r'<span class="code">([^<]+)</span>', typed.text) == ["U+9AD9", "U+6A4B"]
    assert 'value="髙橋"' in typed.text  # kept in the (large) box
    for bad, code in (("U+110000", "char.code_invalid"), ("  ", "char.query_required")):
        refused = looked_up(bad)
        assert refused.status_code == 422 and f'data-code="{code}"' in refused.text


def test_codes_are_read_in_the_usual_spellings_and_anything_else_is_characters() -> None:
    assert [c.glyph for c in look_up_characters("0x9AD9 &#x6A4B; 5409")] == ["髙", "橋", "吉"]
    assert [c.codes for c in look_up_characters("吉田")] == ["U+5409", "U+7530"]
    assert look_up_characters("高")[0].name == "CJK UNIFIED IDEOGRAPH-9AD8"
