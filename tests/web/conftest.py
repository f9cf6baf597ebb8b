"""The counter in a real browser: Debian's Chromium driven by Playwright against `jichitai
serve` on 127.0.0.1, with a demo municipality and one staff user per role.

No browser is downloaded (``playwright install`` is never run): the launch points at
``/usr/bin/chromium``, which ``make install`` puts on the machine. The flags keep Chromium from
reaching out to the network, which this machine refuses.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Page, expect

from jichitai.bootstrap import App
from jichitai.domain.access.roles import Role
from jichitai.entrypoints.server import create_app
from tests.api.conftest import Tenant, make_tenant
from tests.e2e.conftest import Cli, own_database, served

CODE = "131016"
PASSWORD = "counter e2e password"
CHROMIUM = "/usr/bin/chromium"


@dataclass(frozen=True)
class Counter:
    base: str
    cli: Cli

    def login_of(self, role: Role) -> str:
        return f"{role.value.replace('_', '-')}-ui"

    def url(self, path: str) -> str:
        return self.base + path


@pytest.fixture(scope="session")
def counter(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Counter]:
    with own_database(tmp_path_factory) as cli:
        assert cli.run("db", "upgrade").returncode == 0
        cli.ok("municipality", "add", CODE, "東京都千代田区")
        cli.ok("demo", "seed", "-m", CODE, "--residents", "60", "--seed", "7")
        for role in (Role.CLERK, Role.REVIEWER, Role.AUDITOR, Role.ADMINISTRATOR):
            login = f"{role.value.replace('_', '-')}-ui"
            cli.ok("user", "add", "-m", CODE, login, "--role", role.value, stdin=PASSWORD)
        with served(cli) as base:
            yield Counter(base, cli)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {
        **browser_context_args,
        "locale": "ja-JP",
        "timezone_id": "Asia/Tokyo",
        "viewport": {"width": 1366, "height": 768},
    }


def log_in(page: Page, counter: Counter, role: Role = Role.CLERK) -> None:
    """Log in with the keyboard, as a clerk would."""
    page.goto(counter.url("/ui/login"))
    page.get_by_label("ログインID").fill(counter.login_of(role))
    page.get_by_label("パスワード").fill(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="住民検索")).to_be_visible()


# --- in process: the counter through TestClient on the real database ---------------------------


@pytest.fixture
def random_seed() -> int:
    """The counter's tests were written against this seed (``app``: ``tests/apps.py``)."""
    return 5


@pytest.fixture
def tenant(app: App) -> Tenant:
    return make_tenant(app, "46")


@pytest.fixture
def http(app: App) -> Iterator[TestClient]:
    """A browser without a browser: the counter in process, cookies kept between requests."""
    with TestClient(create_app(app), raise_server_exceptions=False) as client:
        yield client
