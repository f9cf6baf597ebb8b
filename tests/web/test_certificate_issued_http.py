"""After 発行する: the page 「発行しました」 naming the copy, the signed PDF held for the clerk who
issued it (not drawn again, gone after ten minutes, refused to anyone else), the copies (通数)
printed in the one file, and the 備考 area of the sheets."""

from __future__ import annotations

import hashlib
import html
import re
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from jichitai.bootstrap import App
from jichitai.domain.access.roles import Role
from jichitai.domain.certificates.issue_numbers import grouped
from tests.api.conftest import Tenant
from tests.factories import a_named_certifier, a_person, moving_in
from tests.fakes import FixedClock
from tests.web.test_certificates_http import (
    PDF,
    actor,
    choices,
    codes,
    issue_form,
    issue_pdf,
    pdf_link,
    pdf_text,
    ref,
    sheet_text,
)
from tests.web.test_counter_http import csrf_of, log_in


@pytest.fixture(autouse=True)
def named_certifier(app: App, tenant: Tenant) -> str:
    return a_named_certifier(app, tenant.code)


def pages_of(pdf: bytes, tmp_path: Path) -> int:
    path = tmp_path / "pages.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    found = re.search(r"^Pages:\s+(\d+)", info.stdout, re.M)
    assert found
    return int(found[1])


def test_the_issue_answers_a_page_naming_the_copy_and_its_pdf_opens_for_that_clerk_only(
    app: App, http: TestClient, tenant: Tenant
) -> None:
    csrf = log_in(http, tenant)
    person = ref(http, tenant, Role.CLERK)
    preview = http.post(
        "/ui/certificates/preview", data=choices(csrf, person, persons=[person], copies="2")
    )
    assert "まだ発行していません" in preview.text
    answer = http.post("/ui/certificates/issue", data=issue_form(preview.text))
    assert answer.status_code == 200, answer.text
    page = html.unescape(answer.text)
    assert "<h1>発行しました: 住民票の写し</h1>" in page
    assert "まだ発行していません" not in page
    assert answer.headers["cache-control"] == "no-store"
    assert answer.headers["referrer-policy"] == "no-referrer"  # the link stays in this page
    [row] = app.certificates.history(actor(tenant, Role.CLERK))
    assert f'<dd class="code">{grouped(row.issue_code)}</dd>' in page
    shown = re.search(r"<dt>発行番号</dt><dd>([^<]+)</dd>", page)
    assert shown and shown[1].startswith(f"{row.issued_on:%Y%m%d} ")
    # Two copies, two 発行番号 (§5.5): the first and the last of the request's numbers.
    assert shown[1].endswith(f" {row.sequence:03d}〜{row.sequence + 1:03d}")
    assert "<dt>通数</dt><dd>2通（1通1枚）</dd>" in page
    assert "<dt>手数料</dt><dd>600円</dd>" in page
    assert f'href="/ui/residents/{person}"' in page and 'href="/ui/certificates"' in page

    link = pdf_link(answer.text)
    assert len(link.rsplit("/", 1)[1]) >= 43  # 256 random bits
    opened = http.get(link)
    assert opened.status_code == 200 and opened.headers["content-type"] == "application/pdf"
    assert opened.headers["cache-control"] == "no-store"
    assert opened.headers["x-jichitai-issue-code"] == row.issue_code
    # The very file the issue recorded, not drawn again: no second copy.
    assert hashlib.sha256(opened.content).hexdigest() == row.pdf_sha256
    again = http.get(link)  # the PDF tab closed before printing: opened again in the minutes
    assert again.content == opened.content
    assert len(app.certificates.history(actor(tenant, Role.CLERK))) == 1

    http.post("/ui/logout", data={"csrf_token": csrf})
    log_in(http, tenant, Role.REVIEWER)  # another clerk at the counter
    refused = http.get(link)
    assert refused.status_code == 404 and "application/pdf" not in refused.headers["content-type"]
    assert codes(refused.text) == ["certificate.issued_pdf_gone"]
    http.post("/ui/logout", data={"csrf_token": csrf_of(http.get("/ui/").text)})
    log_in(http, tenant)  # the same clerk, logged in again: another session
    assert http.get(link).status_code == 404
    assert http.get("/ui/certificates/issued/" + "A" * 43).status_code == 404


def test_the_issued_pdf_is_gone_after_ten_minutes(
    http: TestClient, tenant: Tenant, clock: FixedClock
) -> None:
    csrf = log_in(http, tenant)
    person = ref(http, tenant, Role.CLERK)
    answer = http.post("/ui/certificates/issue", data=choices(csrf, person, persons=[person]))
    link = pdf_link(answer.text)
    clock.at += timedelta(minutes=9, seconds=59)
    assert http.get(link).status_code == 200
    clock.at += timedelta(seconds=1)
    gone = http.get(link)
    assert gone.status_code == 404 and codes(gone.text) == ["certificate.issued_pdf_gone"]
    assert "再印刷" in html.unescape(gone.text)


@pytest.mark.spec("5.5")
def test_the_copies_asked_for_come_out_in_one_file_each_marked_and_it_verifies(
    http: TestClient, tenant: Tenant, tmp_path: Path
) -> None:
    csrf = log_in(http, tenant)
    person = ref(http, tenant, Role.CLERK)
    three = issue_pdf(http, choices(csrf, person, scope="household", copies="3"))
    assert three.status_code == 200, three.text
    assert pages_of(three.content, tmp_path) == 3  # one sheet, three times
    assert three.headers["x-jichitai-pages"] == "3"
    text = pdf_text(three.content, tmp_path)
    for n in (1, 2, 3):
        assert f"3通のうち{n}通目" in text
    # §5.5: a different 発行番号 for each copy: three consecutive numbers of the day, and the
    # next request's numbers come after them.
    numbers = [int(s) for s in re.findall(r"\D(\d{3})1/1", text)]
    first = numbers[0]
    assert numbers == [first, first + 1, first + 2], numbers
    assert text.count(grouped(three.headers["x-jichitai-issue-code"])) == 3  # one issue
    verified = http.post("/verify", content=three.content, headers=PDF).json()
    assert (
        verified["valid"] is True
        and verified["issue_code"] == three.headers["x-jichitai-issue-code"]
    )

    one = issue_pdf(http, choices(csrf, person, scope="household"))
    assert pages_of(one.content, tmp_path) == 1
    one_text = pdf_text(one.content, tmp_path)
    assert "通のうち" not in one_text
    assert [int(s) for s in re.findall(r"\D(\d{3})1/1", one_text)] == [first + 3]


@pytest.mark.spec("5.1")
def test_the_remarks_of_the_persons_are_printed_in_the_remarks_area(
    app: App, http: TestClient, tenant: Tenant, tmp_path: Path
) -> None:
    moved = app.register.record_change(
        tenant.code,
        moving_in(
            a_person(name="南", given="一郎", remarks="同一住所への転居"),
            a_person(name="南", given="花子", relationship="妻", remarks=""),
        ),
    )
    head, wife = moved.atena_numbers
    csrf = log_in(http, tenant)
    person = ref(http, tenant, Role.CLERK, head)
    preview = http.post("/ui/certificates/preview", data=choices(csrf, person, persons=[person]))
    assert "備考 同一住所への転居" in " ".join(sheet_text(preview.text).split())

    alone = issue_pdf(http, choices(csrf, person, persons=[person]))
    text = pdf_text(alone.content, tmp_path)
    assert "備考同一住所への転居" in text
    verified = http.post("/verify", content=alone.content, headers=PDF).json()
    assert verified["valid"] is True  # the remarks are part of what the QR code certifies

    household = issue_pdf(http, choices(csrf, person, scope="household"))
    assert "備考南一郎：同一住所への転居" in pdf_text(household.content, tmp_path)  # whose

    spouse = ref(http, tenant, Role.CLERK, wife)
    plain = issue_pdf(http, choices(csrf, spouse, persons=[spouse]))
    assert "同一住所への転居" not in pdf_text(plain.content, tmp_path)
