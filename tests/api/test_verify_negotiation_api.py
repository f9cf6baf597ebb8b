"""/verify for people and programs alike: a browser gets a Japanese page, a client asking for
JSON (or anything) the JSON; a PDF is checked as the raw body or as a multipart upload."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from jichitai.bootstrap import App
from jichitai.domain.access.roles import Role
from tests.api.conftest import Tenant, auth, error_codes
from tests.factories import a_named_certifier

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


@pytest.fixture(autouse=True)
def named_certifier(app: App, tenant: Tenant) -> str:
    return a_named_certifier(app, tenant.code)


def issued(client: TestClient, tenant: Tenant) -> Any:
    answer = client.post(
        "/api/v1/certificates",
        json={"atena_number": tenant.atena_numbers[0]},
        headers=auth(client, tenant.login(Role.CLERK)),
    )
    assert answer.status_code == 201, answer.text
    return answer


def test_a_browser_gets_a_japanese_page_and_a_program_the_json(
    client: TestClient, tenant: Tenant
) -> None:
    code = issued(client, tenant).headers["x-jichitai-issue-code"]
    page = client.get(f"/verify/{code}", headers=BROWSER)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "この確認コードの証明書は発行されています。" in page.text
    assert "住民票の写し" in page.text and code in page.text and '<html lang="ja">' in page.text
    assert "default-src 'none'" in page.headers["content-security-policy"]

    asked = client.get(f"/verify/{code}", headers={"Accept": "application/json"})
    assert asked.headers["content-type"] == "application/json"
    assert asked.json()["issue_code"] == code
    assert client.get(f"/verify/{code}").json()["issue_code"] == code  # Accept: */*


def test_a_browser_is_told_in_japanese_when_no_copy_has_the_code(
    client: TestClient, tenant: Tenant
) -> None:
    code = issued(client, tenant).headers["x-jichitai-issue-code"]
    other = code[:-2] + ("0" if code[-2] != "0" else "1") + code[-1]  # check digit fails
    mistyped = client.get(f"/verify/{other}", headers=BROWSER)
    assert mistyped.status_code == 422
    assert mistyped.headers["content-type"].startswith("text/html")
    assert "<h1>証明書の確認</h1>" in mistyped.text
    assert error_codes(client.get(f"/verify/{other}")) == ["certificate.code_invalid"]


def test_a_pdf_is_checked_as_the_body_or_as_a_multipart_upload(
    client: TestClient, tenant: Tenant
) -> None:
    answer = issued(client, tenant)
    code, pdf = answer.headers["x-jichitai-issue-code"], answer.content
    raw = client.post("/verify", content=pdf, headers={"Content-Type": "application/pdf"})
    uploaded = client.post("/verify", files={"file": ("copy.pdf", pdf, "application/pdf")})
    for checked in (raw, uploaded):
        assert checked.status_code == 200, checked.text
        assert checked.json()["valid"] is True and checked.json()["issue_code"] == code
    no_file = client.post("/verify", files={"other": ("copy.pdf", pdf, "application/pdf")})
    assert error_codes(no_file) == ["certificate.not_pdf"]
    not_pdf = client.post("/verify", files={"file": ("copy.txt", b"hello", "text/plain")})
    assert error_codes(not_pdf) == ["certificate.not_pdf"]
