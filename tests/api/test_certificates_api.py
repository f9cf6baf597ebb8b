"""Certificates through the staff API, and checked by anyone at /verify without logging in."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient

from jichitai.bootstrap import App
from jichitai.domain.access.roles import Role
from jichitai.domain.certificates.issue_numbers import check_digit, new_code
from tests.api.conftest import Tenant, auth, error_codes
from tests.factories import a_named_certifier

pytestmark = pytest.mark.spec("5.5")


@pytest.fixture(autouse=True)
def named_certifier(app: App, tenant: Tenant) -> str:
    """The mayor's title as the copies print it (a certifier must be named to issue)."""
    return a_named_certifier(app, tenant.code)


def legacy_code(on: date, municipality_code: str, sequence: int) -> str:
    """A code as copies issued before random codes carry (date, municipality, sequence)."""
    body = f"{on:%Y%m%d}{municipality_code}{sequence:07d}"
    return body + check_digit(body)


def issue(client: TestClient, tenant: Tenant, role: Role = Role.CLERK, **body: object) -> Any:
    payload = {"atena_number": tenant.atena_numbers[0], **body}
    return client.post(
        "/api/v1/certificates", json=payload, headers=auth(client, tenant.login(role))
    )


def test_a_clerk_issues_a_signed_pdf_that_anyone_can_check(
    client: TestClient, tenant: Tenant
) -> None:
    response = issue(client, tenant, household=True, items={"head_and_relationship": True})
    assert response.status_code == 201, response.text
    assert response.headers["content-type"] == "application/pdf"
    code = response.headers["x-jichitai-issue-code"]
    pdf = response.content

    by_code = client.get(f"/verify/{code}")
    assert by_code.status_code == 200
    assert by_code.json()["title"] == "住民票の写し" and by_code.json()["pages"] == 1
    assert set(by_code.json()) == {
        "issue_code",
        "title",
        "municipality_name",
        "issued_on",
        "pages",
        "content_sha256",
        "superseded_by",
        "disposed_on",
    }  # fmt: skip  (no personal data)
    assert by_code.json()["superseded_by"] is None
    by_file = client.post("/verify", content=pdf, headers={"Content-Type": "application/pdf"})
    assert by_file.status_code == 200 and by_file.json()["valid"] is True
    tampered = pdf.replace(b"/Title", b"/Titlx", 1)
    bad = client.post("/verify", content=tampered, headers={"Content-Type": "application/pdf"})
    assert bad.json()["valid"] is False and bad.json()["problems"]


def test_refusals_for_the_role_the_kind_and_codes(
    app: App, client: TestClient, tenant: Tenant
) -> None:
    mine = issue(client, tenant, items={"individual_number": True})
    assert mine.status_code == 403
    assert error_codes(mine) == ["certificate.item_forbidden"]
    auditor = issue(client, tenant, Role.AUDITOR)
    assert auditor.status_code == 403
    johyo = issue(client, tenant, kind="johyo")
    assert johyo.status_code == 422 and error_codes(johyo) == ["certificate.not_removed"]
    reviewer = issue(client, tenant, Role.REVIEWER, items={"individual_number": True})
    assert reviewer.status_code == 201
    assert client.get("/verify/1234").status_code == 422
    for never in (new_code("0" * 20), legacy_code(app.clock.today(), tenant.code, 999)):
        unknown = client.get(f"/verify/{never}")
        assert unknown.status_code == 404 and error_codes(unknown) == ["certificate.not_found"]
    assert (
        client.post(
            "/verify", content=b"hello", headers={"Content-Type": "application/pdf"}
        ).status_code
        == 422
    )


def test_a_request_sent_again_with_its_idempotency_key_issues_no_second_copy(
    client: TestClient, tenant: Tenant
) -> None:
    atena = tenant.atena_numbers[0]
    clerk = auth(client, tenant.login(Role.CLERK))

    def sent(key: str, headers: dict[str, str] = clerk) -> Any:
        return client.post(
            "/api/v1/certificates",
            json={"atena_number": atena},
            headers={**headers, "Idempotency-Key": key},
        )

    def copies() -> list[str]:
        listed = client.get(f"/api/v1/certificates?atena_number={atena}", headers=clerk)
        return [entry["issue_code"] for entry in listed.json()["issues"]]

    first = sent("counter-7:1")
    assert first.status_code == 201, first.text
    again = sent("counter-7:1")
    assert again.status_code == 409 and error_codes(again) == ["certificate.already_issued"]
    assert first.headers["x-jichitai-issue-code"] in again.json()["errors"][0]["message"]
    assert again.json()["errors"][0]["field"] == "Idempotency-Key"
    assert copies() == [first.headers["x-jichitai-issue-code"]]
    # The key is the sender's own: another user's request with the same key is another request.
    reviewer = sent("counter-7:1", auth(client, tenant.login(Role.REVIEWER)))
    assert reviewer.status_code == 201
    assert sent("counter-7:2").status_code == 201
    assert len(copies()) == 3
    bad = sent("x" * 101)
    assert bad.status_code == 422 and error_codes(bad) == ["request.invalid_idempotency_key"]
    assert len(copies()) == 3
