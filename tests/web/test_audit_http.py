"""The auditors' screens below the browser: only the auditor's role opens them, the filters of
the access-log search each narrow what is found (the 宛名番号 posted, never in a URL), dates
typed in 和暦 mean whole days in Japan time, the chain check and the mass-search analysis."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from fastapi.testclient import TestClient

from jichitai.bootstrap import App
from jichitai.domain.access.actor import Actor
from jichitai.domain.access.roles import Role
from jichitai.services.audit import AccessSearch, Operation, Outcome
from tests.api.conftest import PASSWORD, Tenant
from tests.factories import an_auditor
from tests.fakes import FixedClock
from tests.web.test_counter_http import csrf_of, log_in


def actor(tenant: Tenant, role: Role) -> Actor:
    return Actor(tenant.login(role), tenant.code, frozenset({role}), terminal="T-9", place="窓口")


def rows(page: str) -> list[str]:
    """The result table's rows as text."""
    body = page.split('<table class="results log">', 1)
    if len(body) == 1:
        return []
    table = body[1].split("</table>", 1)[0]
    return [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", r)).strip()
        for r in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)[1:]
    ]


def codes(page: str) -> list[str]:
    return re.findall(r'class="error" data-code="([^"]+)"', page)


def search(http: TestClient, csrf: str, **fields: str) -> list[str]:
    answer = http.post("/ui/audit/search", data={"csrf_token": csrf, **fields})
    assert answer.status_code == 200, answer.text
    assert answer.url.path == "/ui/audit/search" and not answer.url.query
    return rows(answer.text)


def test_only_auditors_open_the_access_log(app: App, http: TestClient, tenant: Tenant) -> None:
    for role in (Role.CLERK, Role.REVIEWER, Role.ADMINISTRATOR):
        csrf = log_in(http, tenant, role)
        assert "/ui/audit" not in http.get("/ui/").text, "not in the menu"
        page = http.get("/ui/audit")
        assert page.status_code == 403 and "この操作は行えません" in page.text
        posted = http.post("/ui/audit/search", data={"csrf_token": csrf, "user_login": "x"})
        assert posted.status_code == 403
        assert http.post("/ui/audit/verify", data={"csrf_token": csrf}).status_code == 403
    refusals = app.access_log.search(
        actor(tenant, Role.AUDITOR), AccessSearch(outcome=Outcome.REFUSED, limit=100)
    )
    assert {e.user_login for e in refusals} == {
        tenant.login(r) for r in (Role.CLERK, Role.REVIEWER, Role.ADMINISTRATOR)
    }
    log_in(http, tenant, Role.AUDITOR)
    page = http.get("/ui/audit")
    assert page.status_code == 200 and 'href="/ui/audit"' in page.text
    assert page.headers["cache-control"] == "no-store"


def test_each_filter_narrows_the_search(
    app: App, http: TestClient, tenant: Tenant, clock: FixedClock
) -> None:
    head, spouse = tenant.atena_numbers
    clerk = actor(tenant, Role.CLERK)
    app.register_access.record(clerk, head)
    clock.at = datetime(2026, 11, 26, 13, 0, tzinfo=UTC)  # 22:00 in Japan: night
    app.register_access.record(actor(tenant, Role.REVIEWER), spouse)
    clock.at = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)  # the next day, 10:00
    bad = http.post(
        "/ui/login",
        data={
            "csrf_token": csrf_of(http.get("/ui/login").text),
            "login": tenant.login(Role.CLERK),
            "password": PASSWORD + "x",
        },
    )
    assert bad.status_code == 401
    csrf = log_in(http, tenant, Role.AUDITOR)

    about_head = search(http, csrf, atena_number=head)
    assert (
        len(about_head) == 1
        and "照会" in about_head[0]
        and tenant.login(Role.CLERK) in about_head[0]
    )
    assert "T-9" in about_head[0]
    full_width = search(http, csrf, atena_number="０" * 8 + head[-2:])
    assert full_width[-1] == about_head[0], "full-width digits are the same number"
    assert "アクセスログの閲覧" in full_width[0], "the first search is logged with the number"
    by_reviewer = search(http, csrf, user_login=tenant.login(Role.REVIEWER))
    assert len(by_reviewer) == 1 and spouse in by_reviewer[0]
    at_night = search(http, csrf, night_or_holiday="on")
    assert len(at_night) == 1 and "夜間・休日" in at_night[0] and spouse in at_night[0]
    failed = search(http, csrf, operation=Operation.LOGIN_FAILED.value)
    assert len(failed) == 1 and "ログイン失敗" in failed[0]
    views_on_26th = search(http, csrf, operation="view", since="令和8年11月26日", until="R8.11.26")
    assert len(views_on_26th) == 2, "both views of that day, the one at 22:00 included"
    assert search(http, csrf, operation="view", since="2026-11-27") == []
    refused = search(http, csrf, outcome="refused")
    assert refused and all("拒否" in r for r in refused)
    limited = search(http, csrf, limit="100")
    assert len(limited) >= 5

    searches = app.access_log.search(
        actor(tenant, Role.AUDITOR),
        AccessSearch(operation=Operation.READ_ACCESS_LOG, atena_number=head, limit=100),
    )
    assert len(searches) == 2, "each search for the person is itself logged, by number"


def test_bad_filters_are_told_next_to_their_fields(http: TestClient, tenant: Tenant) -> None:
    csrf = log_in(http, tenant, Role.AUDITOR)
    for fields, field, code in (
        ({"atena_number": "123"}, "atena_number", "atena_number.format"),
        ({"atena_number": "0000000018"}, "atena_number", "atena_number.check_digit"),
        ({"since": "令和8年13月1日"}, "since", "date.invalid"),
        ({"until": "あした"}, "until", "date.format"),
        ({"since": "R8.11.27", "until": "R8.11.26"}, "since", "audit.period"),
        ({"operation": "drop_table"}, "operation", "audit.operation_unknown"),
    ):
        answer = http.post("/ui/audit/search", data={"csrf_token": csrf, **fields})
        assert answer.status_code == 422, fields
        assert codes(answer.text) == [code], fields
        assert f'id="{field}" name="{field}"' in answer.text
        after = answer.text.split(f'id="{field}" name="{field}"', 1)[1].split(">", 1)[0]
        assert 'aria-invalid="true"' in after, fields
        for value in fields.values():
            assert f'value="{value}"' in answer.text or "selected" in answer.text


def test_the_chain_is_verified_and_mass_searches_listed(
    app: App, http: TestClient, tenant: Tenant
) -> None:
    app.register_access.search(actor(tenant, Role.CLERK), "タカハシ")
    csrf = log_in(http, tenant, Role.AUDITOR)
    checked = http.post("/ui/audit/verify", data={"csrf_token": csrf})
    assert checked.status_code == 200
    found = re.search(r"連鎖は正常です（(\d+)件を検証しました）", checked.text)
    assert found and int(found.group(1)) >= 2  # the clerk's search, the auditor's log-in
    assert app.access_log.verify(an_auditor(tenant.code)) == int(found.group(1)) + 1, (
        "the check is logged"
    )

    period = {"mass_since": "令和8年11月1日", "mass_until": "令和8年11月30日"}
    over_one = http.post(
        "/ui/audit/mass-searches", data={"csrf_token": csrf, "threshold": "1", **period}
    )
    assert over_one.status_code == 200
    listed = re.findall(r"<tr><td>([^<]+)</td><td>(\d+)</td><td>(\d+)</td></tr>", over_one.text)
    assert listed == [(tenant.login(Role.CLERK), "1", "2")]
    none = http.post(
        "/ui/audit/mass-searches", data={"csrf_token": csrf, "threshold": "2", **period}
    )
    assert "該当する職員はいません" in none.text
    bad = http.post(
        "/ui/audit/mass-searches",
        data={"csrf_token": csrf, "threshold": "たくさん", "mass_since": "", "mass_until": "x"},
    )
    assert bad.status_code == 422
    assert sorted(codes(bad.text)) == ["audit.date_required", "audit.threshold", "date.format"]
