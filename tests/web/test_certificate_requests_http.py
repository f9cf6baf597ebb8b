"""The counter's certificate request: 請求者 and 通数 chosen on the form and carried to the
issue, the fee worked out by the service, and the day's page summing copies and fees per kind."""

from __future__ import annotations

import html
import re

import pytest
from fastapi.testclient import TestClient

from jichitai.bootstrap import App
from jichitai.domain.access.roles import Role
from tests.api.conftest import Tenant
from tests.factories import a_named_certifier
from tests.web.test_certificates_http import actor, choices, codes, issue_form, ref
from tests.web.test_counter_http import log_in


@pytest.fixture(autouse=True)
def named_certifier(app: App, tenant: Tenant) -> str:
    return a_named_certifier(app, tenant.code)


def test_the_form_offers_every_requester_and_the_copies(http: TestClient, tenant: Tenant) -> None:
    log_in(http, tenant)
    form = http.get("/ui/certificates/new", params={"ref": ref(http, tenant, Role.CLERK)}).text
    offered = re.findall(r'name="requester" id="[^"]+" value="([^"]+)"', form)
    assert offered == ["self", "household", "agent", "third_party", "official"]
    for label in ("本人", "同一世帯", "代理人", "第三者", "公用"):
        assert f">{label}</label>" in form
    assert 'name="copies"' in form


def test_requester_and_copies_travel_from_the_preview_to_the_issue_and_the_day_sums_them(
    app: App, http: TestClient, tenant: Tenant
) -> None:
    csrf = log_in(http, tenant)
    person = ref(http, tenant, Role.CLERK)
    preview = http.post(
        "/ui/certificates/preview",
        data=choices(csrf, person, persons=[person], requester="agent", copies="３"),
    )
    assert preview.status_code == 200, preview.text
    assert "請求者: 代理人／3通" in html.unescape(preview.text)
    assert "<dt>手数料</dt><dd>900円（3通）</dd>" in html.unescape(preview.text)
    sent = issue_form(preview.text)
    assert sent["requester"] == ["agent"] and sent["copies"] == ["3"]
    first = http.post("/ui/certificates/issue", data=sent)
    assert first.status_code == 200 and "発行しました" in first.text
    http.post(
        "/ui/certificates/issue",
        data=choices(csrf, person, persons=[person], requester="official", copies="2"),
    )
    rows = app.certificates.history(actor(tenant, Role.CLERK))
    assert [(r.requester, r.copies, r.fee) for r in rows] == [("official", 2, 0), ("agent", 3, 900)]

    day = html.unescape(http.get("/ui/certificates").text)
    totals = day.split("本日の種類ごとの通数・手数料")[1].split("</table>")[0]
    assert "<td>住民票の写し</td><td>2件</td><td>5通</td><td>900円</td>" in totals
    history = day.split("本日（")[1].split("</table>")[0]
    assert "<td>代理人</td>" in history and "<td>900円</td>" in history


def test_wrong_copies_are_told_on_the_form_and_nothing_is_issued(
    app: App, http: TestClient, tenant: Tenant
) -> None:
    csrf = log_in(http, tenant)
    person = ref(http, tenant, Role.CLERK)
    answer = http.post(
        "/ui/certificates/issue", data=choices(csrf, person, persons=[person], copies="99")
    )
    assert answer.status_code == 422
    assert codes(answer.text) == ["certificate.copies_invalid"]
    assert app.certificates.history(actor(tenant, Role.CLERK)) == []
