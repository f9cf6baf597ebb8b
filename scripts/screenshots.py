"""Screenshots of the counter's main screens for docs/screenshots/ (`make screenshots`).

A throw-away database with the demo municipality and one user per role, `jichitai serve` on a
free loopback port, and Debian's Chromium at 1366×768 driven as a clerk would drive it. Run
it after changing a screen and look at the pictures before committing them.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / ".venv" / "bin" / "jichitai"
CODE = "131016"
PASSWORD = "screenshot password"
SEARCH = "氏名・フリガナ・生年月日・住所・宛名番号など"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--lang=ja",
]


def cli(env: dict[str, str], *args: str, stdin: str | None = None) -> None:
    subprocess.run(
        [str(BIN), *args], env=env, input=stdin, text=True, check=True, capture_output=True
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def log_in(page: Page, base: str, login: str) -> None:
    page.goto(base + "/ui/login")
    page.get_by_label("ログインID").fill(login)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(base + "/ui/")


def search(page: Page, query: str) -> None:
    page.get_by_label(SEARCH).fill(query)
    page.keyboard.press("Enter")
    page.wait_for_selector("table.results tbody tr")


def reiwa(day: date) -> str:
    """A date as a clerk types it: R8.12.1."""
    return f"R{day.year - 2018}.{day.month}.{day.day}"


def fill_family_move_in(page: Page) -> None:
    """A family of two moving in from Osaka, with a rare character in a name, filed by a
    代理人 (a friend they gave a 委任状: name, address and telephone) who showed a 運転免許証.

    They moved five days ago: the 届出日 is today (the form's default), and a move more than 14
    days before it would stop the form on the 届出期間経過 alert."""

    def fill(name: str, value: str) -> None:
        page.locator(f'[name="{name}"]').fill(value)

    today = datetime.now(ZoneInfo("Asia/Tokyo")).date()  # noqa: TID251 (the server's 届出日)
    moved = today - timedelta(days=5)
    fill("effective_on", reiwa(moved))
    fill("address.town_area", "霞が関一丁目")
    fill("address.lot_text", "3番1号")
    fill("previous_address.prefecture", "大阪府")
    fill("previous_address.city", "大阪市北区")
    fill("previous_address.lot_text", "梅田一丁目1番1号")
    family = [("𠮷田", "太郎", "ヨシダ", "タロウ", "S55.4.1", "male", "世帯主"),
              ("𠮷田", "花子", "ヨシダ", "ハナコ", "1982-07-15", "female", "妻")]  # fmt: skip
    for i, (family_name, given, family_kana, given_kana, born, sex, relationship) in enumerate(
        family
    ):
        p = f"members[{i}]"
        if i > 0:
            page.get_by_role("button", name="世帯員を追加").click()
        fill(f"{p}.name.family", family_name)
        fill(f"{p}.name.given", given)
        fill(f"{p}.name.family_kana", family_kana)
        fill(f"{p}.name.given_kana", given_kana)
        fill(f"{p}.birth_date", born)
        page.locator(f'[name="{p}.sex"][value="{sex}"]').check()
        fill(f"{p}.relationship", relationship)
        if i == 0:
            fill(f"{p}.family_register.domicile", "大阪府大阪市北区梅田一丁目1番")
            fill(f"{p}.family_register.head", "𠮷田　太郎")
    page.locator('[name="notifier.kind"][value="agent"]').check()
    fill("notifier.name", "鈴木　一郎")
    fill("notifier.address", "東京都千代田区丸の内一丁目1番1号")
    fill("notifier.telephone", "03-1234-5678")
    fill("notifier.relation", "委任（知人）")
    page.locator('[name="identity_check.document"][value="driving_licence"]').check()
    page.locator('[name="effective_on"]').focus()


def shots(base: str, out: Path) -> list[Path]:
    written: list[Path] = []

    def take(page: Page, name: str, full: bool = False) -> None:
        path = out / f"{name}.png"
        page.screenshot(path=str(path), full_page=full)
        written.append(path)

    def clerk_screens(page: Page) -> None:
        page.goto(base + "/ui/login")
        take(page, "01-login")
        log_in(page, base, "clerk-shots")
        search(page, "髙橋")
        take(page, "02-search")
        page.locator("table.results tbody a").first.click()
        take(page, "03-resident", full=True)
        page.get_by_role("link", name="証明書を発行").click()
        take(page, "06-certificate-form", full=True)
        page.go_back()
        page.get_by_role("link", name="印鑑登録").click()
        take(page, "07-seal", full=True)
        page.goto(base + "/ui/changes/new")
        page.get_by_role("link", name="転入", exact=True).click()
        fill_family_move_in(page)
        take(page, "04-change-entry", full=True)
        page.get_by_role("button", name="確認画面へ進む").last.click()
        register = page.get_by_role("button", name="仮登録する")
        try:
            register.wait_for(timeout=10_000)
        except Exception:
            take(page, "debug-change-form", full=True)
            raise SystemExit(
                "the change form did not reach its confirmation page (an error or an alert to "
                f"acknowledge?): see {out / 'debug-change-form.png'}"
            ) from None
        take(page, "05-confirmation", full=True)
        register.click()
        page.wait_for_url("**/ui/changes/done/**")

    def reviewer_screens(page: Page) -> None:
        log_in(page, base, "reviewer-shots")
        page.goto(base + "/ui/drafts")
        take(page, "08-review-queue")
        page.locator("table tbody a").first.click()
        take(page, "09-draft", full=True)
        # 差戻し: sent back to the clerk with the reason (the clerk's view is 11-returned-draft).
        page.get_by_label("差戻しの理由").fill("委任状の原本を確認してから再提出してください。")
        page.get_by_role("button", name="差し戻す").click()
        page.wait_for_url("**/ui/drafts?returned=1")

    def returned_screens(page: Page) -> None:
        log_in(page, base, "clerk-shots")
        page.goto(base + "/ui/drafts")
        page.locator("table.returned tbody a").first.click()
        take(page, "11-returned-draft", full=True)

    def auditor_screens(page: Page) -> None:
        log_in(page, base, "auditor-shots")
        page.goto(base + "/ui/audit")
        page.get_by_label("職員のログインID").press("Enter")
        page.wait_for_selector("table")
        take(page, "10-audit")

    steps = [
        ("clerk", clerk_screens),
        ("reviewer", reviewer_screens),
        ("clerk, sent back", returned_screens),
        ("auditor", auditor_screens),
    ]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for _, step in steps:
            context = browser.new_context(
                viewport={"width": 1366, "height": 768}, locale="ja-JP", timezone_id="Asia/Tokyo"
            )
            step(context.new_page())
            context.close()
        browser.close()
    return written


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "docs" / "screenshots")
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith("JICHITAI_")}
        env["JICHITAI_DATABASE_URL"] = f"sqlite:///{tmp}/shots.db"
        env["JICHITAI_KEY_DIR"] = f"{tmp}/keys"
        # The seed's records name the operator running it (07-seal shows one): not whoever draws.
        env["LOGNAME"] = env["USER"] = "demo"
        cli(env, "db", "upgrade")
        cli(env, "municipality", "add", CODE, "東京都千代田区")
        cli(env, "demo", "seed", "-m", CODE, "--residents", "200", "--seed", "1")
        for role in ("clerk", "reviewer", "auditor"):
            cli(env, "user", "add", "-m", CODE, f"{role}-shots", "--role", role, stdin=PASSWORD)
        port = free_port()
        server = subprocess.Popen(
            [str(BIN), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(300):
                try:
                    with urllib.request.urlopen(base + "/healthz", timeout=1):
                        break
                except OSError:
                    time.sleep(0.1)
            for path in shots(base, out):
                sys.stdout.write(f"{path}\n")
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
