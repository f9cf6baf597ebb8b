"""Logging in and out at the counter below the browser: the 団体コード on the form and remembered
on the terminal, the same answers and throttles as the API, a log-out that ends the session, and
a resume only for the user's own expired session, shown in words before it is sent."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from jichitai.adapters.security.passwords import Argon2PasswordHasher
from jichitai.bootstrap import App, bootstrap
from jichitai.config import Settings
from jichitai.domain.access.roles import Role
from jichitai.entrypoints.server import create_app
from jichitai.entrypoints.web.routes_session import describe
from tests.api.conftest import PASSWORD, Tenant, auth, make_tenant
from tests.fakes import CountingHasher, FixedClock, SeededRandom
from tests.web.test_counter_http import csrf_of, hidden_of
from tests.web.test_drafts_http import a_move, log_in_as, submit


@contextmanager
def browser(app: App, address: str = "testclient") -> Iterator[TestClient]:
    """Another browser (its own cookies), at ``address``."""
    with TestClient(
        create_app(app), raise_server_exceptions=False, client=(address, 50000)
    ) as client:
        yield client


def log_in(http: TestClient, login: str, password: str = PASSWORD, code: str = "") -> Any:
    form = http.get("/ui/login").text
    data = {"csrf_token": csrf_of(form), "login": login, "password": password}
    if code:
        data["municipality_code"] = code
    return http.post("/ui/login", data=data, follow_redirects=False)


def problem_codes(page: str) -> list[str]:
    return re.findall(r'class="error" data-code="([^"]+)"', page)


def filled(page: str) -> dict[str, str]:
    """What a browser sends from the log-in page as shown: its hidden and prefilled fields."""
    return dict(
        re.findall(
            r'<input (?:id="[^"]*" )?name="([^"]+)" type="(?:hidden|text)" value="([^"]*)"', page
        )
    ) | hidden_of(page)


def text(page: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


# --- the log-in form ---------------------------------------------------------------------------


def test_the_log_in_form_asks_for_the_municipality_and_remembers_it_on_the_terminal(
    http: TestClient, tenant: Tenant
) -> None:
    form = http.get("/ui/login").text
    assert '<label for="municipality_code">団体コード' in form
    assert 'name="municipality_code" type="text" value=""' in form
    done = log_in(http, tenant.login(Role.CLERK), code=tenant.code)
    assert done.status_code == 303
    remembered = next(
        h
        for h in done.headers.get_list("set-cookie")
        if h.startswith("jichitai_counter_municipality=")
    )
    assert f"jichitai_counter_municipality={tenant.code}" in remembered
    assert "HttpOnly" in remembered and "SameSite=strict" in remembered
    assert int(re.search(r"Max-Age=(\d+)", remembered).group(1)) >= 300 * 24 * 3600  # type: ignore[union-attr]
    http.post("/ui/logout", data={"csrf_token": csrf_of(http.get("/ui/").text)})
    again = http.get("/ui/login").text
    assert f'name="municipality_code" type="text" value="{tenant.code}"' in again


def test_the_same_login_in_two_municipalities_logs_in_at_the_counter_where_the_code_says(
    http: TestClient, app: App, tenant: Tenant
) -> None:
    other = make_tenant(app, "47")
    app.users.add(tenant.code, "tanaka", PASSWORD, [Role.CLERK])
    app.users.add(other.code, "tanaka", PASSWORD, [Role.AUDITOR])
    ambiguous = log_in(http, "tanaka")
    assert ambiguous.status_code == 401
    assert problem_codes(ambiguous.text) == ["auth.invalid_credentials"]
    assert log_in(http, "tanaka", code=other.code).status_code == 303
    home = http.get("/ui/").text
    assert app.municipalities.get(other.code).name in home and "監査" in home


# --- the same answers and throttles as the API -------------------------------------------------


def test_the_counter_answers_every_failed_log_in_alike_with_one_verification(
    http: TestClient, tenant: Tenant, hasher: CountingHasher
) -> None:
    pages = []
    for login, password in (
        ("nobody-here", PASSWORD),
        (tenant.login(Role.CLERK), "not the password at all"),
    ):
        before = hasher.verified
        refused = log_in(http, login, password)
        assert refused.status_code == 401
        assert hasher.verified - before == 1
        pages.append(problem_codes(refused.text))
        assert "ログインIDまたはパスワードが正しくありません" in refused.text
    assert pages[0] == pages[1] == ["auth.invalid_credentials"]


def test_the_counter_refuses_a_flooding_address_before_hashing_with_a_page(
    app: App, tenant: Tenant, hasher: CountingHasher, clock: FixedClock
) -> None:
    with browser(app, "203.0.113.77") as flood, browser(app, "192.0.2.77") as counter:
        for n in range(20):
            assert log_in(flood, f"guess-{n:02d}", "wrong wrong wrong").status_code == 401
        before = hasher.verified
        refused = log_in(flood, tenant.login(Role.CLERK))
        assert refused.status_code == 429
        assert refused.headers["content-type"].startswith("text/html")
        assert int(refused.headers["Retry-After"]) >= 1
        assert problem_codes(refused.text) == ["auth.throttled"]
        assert "しばらくログインを受け付けません" in refused.text
        assert hasher.verified == before
        assert log_in(counter, tenant.login(Role.CLERK)).status_code == 303
        clock.at += timedelta(minutes=16)
        assert log_in(flood, tenant.login(Role.CLERK)).status_code == 303


def test_the_counter_says_so_when_hashing_is_busy(
    app_settings: Settings, clean_db: Engine, clock: FixedClock, tenant: Tenant
) -> None:
    hasher = CountingHasher(Argon2PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    bounded = bootstrap(
        replace(app_settings, hash_concurrency=1, hash_waiting=0),
        engine=clean_db,
        clock=clock,
        random=SeededRandom(9),
        hasher=hasher,
    )
    with browser(bounded) as first, browser(bounded) as second:
        assert log_in(first, tenant.login(Role.CLERK)).status_code == 303  # the dummy hash made
        form = second.get("/ui/login").text
        hasher.hold()
        answers: list[Any] = []
        busy_one = threading.Thread(
            target=lambda: answers.append(log_in(first, tenant.login(Role.REVIEWER)))
        )
        busy_one.start()
        try:
            assert hasher.entered.wait(timeout=60)
            refused = second.post(
                "/ui/login",
                data={
                    "csrf_token": csrf_of(form),
                    "login": tenant.login(Role.AUDITOR),
                    "password": PASSWORD,
                },
            )
        finally:
            hasher.release()
            busy_one.join(timeout=60)
        assert refused.status_code == 503
        assert problem_codes(refused.text) == ["auth.busy"]
        assert "混み合っています" in refused.text
        assert [a.status_code for a in answers] == [303]


# --- log-out and sessions ended elsewhere ------------------------------------------------------


def test_logging_out_at_the_counter_ends_the_session_at_once(
    http: TestClient, app: App, tenant: Tenant
) -> None:
    assert log_in(http, tenant.login(Role.CLERK)).status_code == 303
    cookie = http.cookies.get("jichitai_counter")
    assert cookie
    out = http.post("/ui/logout", data={"csrf_token": csrf_of(http.get("/ui/").text)})
    assert out.status_code == 200 and "ログイン" in out.text
    with browser(app) as replayed:  # the old cookie, kept by whoever had it
        replayed.cookies.set("jichitai_counter", cookie, path="/ui")
        answer = replayed.get("/ui/", follow_redirects=False)
        assert (answer.status_code, answer.headers["location"]) == (303, "/ui/login")


def test_an_administrators_password_reset_ends_the_counter_session_at_once(
    http: TestClient, tenant: Tenant
) -> None:
    assert log_in(http, tenant.login(Role.CLERK)).status_code == 303
    assert http.get("/ui/", follow_redirects=False).status_code == 200
    admin = auth(http, tenant.login(Role.ADMINISTRATOR))
    reset = http.patch(
        f"/api/v1/users/{tenant.login(Role.CLERK)}",
        json={"password": "reset by the administrator"},
        headers=admin,
    )
    assert reset.status_code == 200
    answer = http.get("/ui/", follow_redirects=False)
    assert (answer.status_code, answer.headers["location"]) == (303, "/ui/login")


# --- the resume ----------------------------------------------------------------------------------


def expired_mid_form(
    http: TestClient, app: App, tenant: Tenant, clock: FixedClock
) -> tuple[str, str]:
    """A reviewer opens a clerk's draft, the session expires, then they approve: the log-in page
    (its hidden fields) and the draft."""
    draft_id = submit(http, tenant, a_move(tenant))
    csrf = log_in_as(http, tenant.login(Role.REVIEWER))
    clock.at += app.tokens.lifetime + timedelta(minutes=1)
    expired = http.post(
        f"/ui/drafts/{draft_id}/approve",
        data={"csrf_token": csrf, "note": "窓口で確認済み", "form_token": "tok-123"},
    )
    assert expired.status_code == 401
    return expired.text, draft_id


def test_a_genuine_expiry_resumes_after_logging_in_and_says_what_will_be_sent(
    http: TestClient, app: App, tenant: Tenant, clock: FixedClock
) -> None:
    page, draft_id = expired_mid_form(http, app, tenant, clock)
    assert "入力中の内容は保持しています" in page
    assert f'value="{tenant.login(Role.REVIEWER)}"' in page  # the form is for that user
    again = http.post("/ui/login", data={**filled(page), "password": PASSWORD})
    assert again.status_code == 200
    words = text(again.text)
    assert "送信する内容" in words and "仮登録の本登録（承認）" in words
    assert "note 窓口で確認済み" in words
    assert "form_token" not in words and "tok-123" not in words and "csrf_token" not in words
    assert f'action="/ui/drafts/{draft_id}/approve"' in again.text
    assert ">送信する</button>" in again.text and ">送信しない</button>" in again.text
    resumed = hidden_of(again.text)
    assert resumed["note"] == "窓口で確認済み" and resumed["form_token"] == "tok-123"
    sent = http.post(f"/ui/drafts/{draft_id}/approve", data=resumed)
    assert sent.status_code == 200 and "本登録しました" in sent.text


def test_a_forged_cross_site_log_in_post_with_resume_fields_leads_to_no_resume(
    http: TestClient, app: App, tenant: Tenant
) -> None:
    """Another site posts a log-in form carrying the old resume fields (and no valid CSRF token,
    which it cannot know); the victim then logs in on the page that answers."""
    draft_id = submit(http, tenant, a_move(tenant))
    with browser(app) as victim:
        forged = victim.post(
            "/ui/login",
            data={
                "csrf_token": "forged",
                "resume_action": f"/ui/drafts/{draft_id}/approve",
                "resume.note": "攻撃者の送信",
                "resume": "gAAAAAforged-token",
            },
        )
        assert forged.status_code == 400
        assert "resume" not in hidden_of(forged.text) and "攻撃者" not in forged.text
        logged_in = victim.post(
            "/ui/login",
            data={
                **hidden_of(forged.text),
                "login": tenant.login(Role.REVIEWER),
                "password": PASSWORD,
                "resume_action": f"/ui/drafts/{draft_id}/approve",
                "resume.note": "攻撃者の送信",
            },
            follow_redirects=False,
        )
        assert (logged_in.status_code, logged_in.headers["location"]) == (303, "/ui/")


def test_a_cross_site_post_without_a_session_cookie_gets_no_resume(
    http: TestClient, app: App, tenant: Tenant
) -> None:
    """A strict same-site cookie is not sent with another site's post: such a post reaches the
    route without a session and is not kept for after the log-in."""
    draft_id = submit(http, tenant, a_move(tenant))
    with browser(app) as victim:
        posted = victim.post(f"/ui/drafts/{draft_id}/approve", data={"note": "攻撃者の送信"})
        assert posted.status_code == 401
        assert "resume" not in hidden_of(posted.text)
        assert "入力中の内容は保持しています" not in posted.text
        logged_in = victim.post(
            "/ui/login",
            data={
                **hidden_of(posted.text),
                "login": tenant.login(Role.REVIEWER),
                "password": PASSWORD,
            },
            follow_redirects=False,
        )
        assert logged_in.status_code == 303


def test_an_expired_session_with_a_wrong_csrf_token_gets_no_resume(
    http: TestClient, app: App, tenant: Tenant, clock: FixedClock
) -> None:
    draft_id = submit(http, tenant, a_move(tenant))
    log_in_as(http, tenant.login(Role.REVIEWER))
    clock.at += app.tokens.lifetime + timedelta(minutes=1)
    posted = http.post(
        f"/ui/drafts/{draft_id}/approve", data={"csrf_token": "0" * 64, "note": "攻撃者の送信"}
    )
    assert posted.status_code == 401 and "resume" not in hidden_of(posted.text)
    assert "攻撃者の送信" not in posted.text and "入力中の内容は保持しています" not in posted.text


def test_another_user_logging_in_with_a_stolen_resume_token_gets_no_resume(
    http: TestClient, app: App, tenant: Tenant, clock: FixedClock
) -> None:
    page, _ = expired_mid_form(http, app, tenant, clock)
    stolen = hidden_of(page)["resume"]
    app.users.add(tenant.code, "second-reviewer", PASSWORD, [Role.REVIEWER])
    with browser(app) as thief:
        form = thief.get("/ui/login").text
        logged_in = thief.post(
            "/ui/login",
            data={
                "csrf_token": csrf_of(form),
                "login": "second-reviewer",
                "password": PASSWORD,
                "resume": stolen,
            },
            follow_redirects=False,
        )
        assert (logged_in.status_code, logged_in.headers["location"]) == (303, "/ui/")


def test_a_resume_token_is_good_for_thirty_minutes(
    http: TestClient, app: App, tenant: Tenant, clock: FixedClock
) -> None:
    page, _ = expired_mid_form(http, app, tenant, clock)
    clock.at += timedelta(minutes=31)
    late = http.post(
        "/ui/login", data={**filled(page), "password": PASSWORD}, follow_redirects=False
    )
    assert (late.status_code, late.headers["location"]) == (303, "/ui/")


def test_a_failed_log_in_keeps_the_resume_for_the_next_try(
    http: TestClient, app: App, tenant: Tenant, clock: FixedClock
) -> None:
    page, _ = expired_mid_form(http, app, tenant, clock)
    wrong = http.post("/ui/login", data={**filled(page), "password": "not the password"})
    assert wrong.status_code == 401 and "resume" in hidden_of(wrong.text)
    again = http.post("/ui/login", data={**filled(wrong.text), "password": PASSWORD})
    assert again.status_code == 200 and "仮登録の本登録（承認）" in again.text


def test_every_counter_form_is_named_in_words_and_an_unknown_one_by_its_path(
    http: TestClient, app: App
) -> None:
    """The resume page names where a form goes by the route's label: every route a counter form
    posts to has one; a path without a route is shown as it is."""
    routes = http.app.state.counter_routes  # type: ignore[attr-defined]
    posted = [r for r in routes if "POST" in getattr(r, "methods", ()) and r.path != "/ui/login"]
    assert len(posted) >= 20
    for route in posted:
        path = re.sub(r"\{key\}", "move-in", route.path)
        path = re.sub(r"\{[^}]+\}", "x", path)
        assert describe(routes, path) != path, route.path
    assert describe(routes, "/ui/changes/move-in/submit") == "異動届の仮登録（転入）"
    assert describe(routes, "/ui/certificates/issue") == "証明書の発行"
    assert describe(routes, "/ui/seals/abc/register") == "印鑑登録"
    assert describe(routes, "/ui/no-such-form") == "/ui/no-such-form"


def test_a_log_out_posted_after_expiry_is_not_offered_again(
    http: TestClient, app: App, tenant: Tenant, clock: FixedClock
) -> None:
    csrf = log_in_as(http, tenant.login(Role.CLERK))
    clock.at += app.tokens.lifetime + timedelta(minutes=1)
    posted = http.post("/ui/logout", data={"csrf_token": csrf})
    assert posted.status_code == 401 and "resume" not in hidden_of(posted.text)
    assert "入力中の内容は保持しています" not in posted.text
