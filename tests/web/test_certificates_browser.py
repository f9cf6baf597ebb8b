"""Certificates in a real browser: a clerk finds a resident, previews a household's 住民票の写し
and issues it; the page 「発行しました」 names the copy, and the signed PDF opened from it reads
back with the name and verifies. A role
without the right to issue gets a refusal page."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import httpx2 as httpx
from playwright.sync_api import APIResponse, Page, Route, expect

from jichitai.domain.access.roles import Role
from tests.web.conftest import Counter, log_in


def squeezed(text: str) -> str:
    return "".join(text.split())


def test_a_clerk_previews_and_issues_a_households_copy_that_verifies(
    page: Page, counter: Counter, tmp_path: Path
) -> None:
    log_in(page, counter)
    page.get_by_label("氏名・フリガナ・生年月日・住所・宛名番号など").fill("た")
    page.keyboard.press("Enter")
    first = page.locator("table.results tbody tr").first.get_by_role("link")
    name = first.inner_text()
    first.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text(name)

    page.get_by_role("link", name="証明書を発行").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("証明書の発行")
    assert not re.search(r"\d{10}", page.url), "no 宛名番号 in the URL"
    page.get_by_label("住民票の写し", exact=True).check()
    page.get_by_label(re.compile(r"^世帯全員")).check()
    expect(page.get_by_label("印鑑登録証の番号")).to_be_hidden()  # only for 印鑑登録証明書
    page.get_by_role("button", name="プレビュー").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("プレビュー: 住民票の写し")
    names = page.locator("article.sheet dd.name")
    expect(names.filter(has_text=name).first).to_be_visible()
    family = names.first.evaluate("(n) => getComputedStyle(n).fontFamily")
    assert "JichitaiName" in family, "names are drawn in the name font"
    page.set_viewport_size({"width": 768, "height": 900})
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 768
    page.set_viewport_size({"width": 1366, "height": 768})

    # 発行する answers a page saying what was issued, in place of the preview.
    page.get_by_role("button", name="発行する", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("発行しました: 住民票の写し")
    expect(page.get_by_role("status")).to_contain_text("1通発行し")
    shown_code = page.locator("dd.code").inner_text()
    expect(page.get_by_role("link", name="住民の画面へ戻る")).to_be_visible()
    expect(page.get_by_role("link", name="本日の発行履歴").first).to_be_visible()

    # The browser opens the PDF in its viewer, which hides the bytes from the page: the answer
    # is kept on its way (the browser gets it unchanged).
    answers: list[APIResponse] = []

    def keep(route: Route) -> None:
        answers.append(route.fetch())
        route.fulfill(response=answers[-1])

    page.context.route("**/ui/certificates/issued/*", keep)
    with page.expect_popup() as opened:
        page.get_by_role("link", name=re.compile("証明書のPDFを開く")).click()
    opened.value.wait_for_url("**/ui/certificates/issued/*")
    assert len(answers) >= 1
    response = answers[0]
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["cache-control"] == "no-store"
    code = response.headers["x-jichitai-issue-code"]
    assert squeezed(shown_code).replace("-", "") == code
    assert response.headers["content-disposition"] == f'inline; filename="{code}.pdf"'
    pdf = response.body()
    assert pdf.startswith(b"%PDF")
    pdf_path = tmp_path / "copy.pdf"
    pdf_path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-raw", str(pdf_path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert squeezed(name) in squeezed(text)
    assert "住民票の写し" in squeezed(text)

    verified = httpx.post(
        f"{counter.base}/verify", content=pdf, headers={"Content-Type": "application/pdf"}
    ).json()
    assert verified["valid"] is True and verified["issue_code"] == code

    page.goto(counter.url("/ui/certificates"))
    expect(page.locator("table.issues")).to_contain_text(code)
    assert page.locator("table.issues tbody tr").filter(has_text=code).count() == 1


def test_a_role_without_the_right_to_issue_is_refused_the_issue_screen(
    page: Page, counter: Counter
) -> None:
    log_in(page, counter, Role.AUDITOR)
    expect(page.get_by_role("navigation", name="業務メニュー")).not_to_contain_text("証明書")
    for path in ("/ui/certificates/new?ref=x", "/ui/certificates"):
        response = page.goto(counter.url(path))
        assert response is not None and response.status == 403
        expect(page.get_by_role("heading", level=1)).to_have_text("この操作は行えません")
        expect(page.get_by_role("alert")).to_contain_text("権限がありません")
