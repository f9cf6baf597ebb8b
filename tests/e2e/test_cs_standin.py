"""End-to-end: CS auto-send (standard §7.1.1.1 (1090)) through the stand-in CS. Changes recorded
with `jichitai demo seed` write 本人確認情報 and 転入通知情報 to the CS outbox; `jichitai worker`
sends them in order to `jichitai standin serve`, which keeps its own copy of the municipality's
本人確認情報; with the stand-in down nothing is lost: the messages stay pending (`jichitai cs
list`) and go out in order once it is back."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest

from jichitai.adapters.unified_chars_file import bundled_table
from jichitai.domain.national.unified_chars import to_unified
from tests.e2e.conftest import BIN, Cli, free_port, own_database

CODE = "131016"
pytestmark = pytest.mark.spec("7.1.1.1")


@contextmanager
def standin(cli: Cli, data: Path, port: int, *extra: str) -> Iterator[str]:
    """`jichitai standin serve` on loopback; yields its URL once it answers."""
    process = subprocess.Popen(
        [
            str(BIN),
            "standin",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--data",
            str(data),
            *extra,
        ],
        env=cli.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"stand-in did not start: {process.stderr}")
            time.sleep(0.05)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stderr:
            process.stderr.close()


@pytest.fixture
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Cli, str]]:
    """A database with a seeded municipality, the worker pointed at a stand-in's port."""
    with own_database(tmp_path_factory) as cli:
        port = free_port()
        cli.env["JICHITAI_CS_URL"] = f"http://127.0.0.1:{port}"
        cli.env["JICHITAI_WEBHOOK_BACKOFF_BASE"] = "0.01"  # a retry is due at once
        cli.env["JICHITAI_WEBHOOK_BACKOFF_CAP"] = "0.01"
        assert cli.run("db", "upgrade").returncode == 0
        cli.ok("municipality", "add", CODE, "東京都千代田区")
        # Seeded before the link is on: the 住民票コード are made here, not drawn from the CS's
        # free codes (tests/e2e/test_number_standin.py draws them).
        url = cli.env.pop("JICHITAI_CS_URL")
        cli.ok("demo", "seed", "-m", CODE, "--residents", "12", "--seed", "3")
        cli.env["JICHITAI_CS_URL"] = url
        yield cli, url


def listed(cli: Cli, status: str | None = None) -> list[dict[str, Any]]:
    args = ["cs", "list", "-m", CODE] + (["--status", status] if status else [])
    messages: list[dict[str, Any]] = cli.ok(*args)["messages"]
    return messages


def work(cli: Cli) -> str:
    result = cli.run("worker", "--once")
    assert result.returncode == 0, result.stderr
    return result.stdout


def assert_copy_matches_register(cli: Cli, base: str, *, persons: bool = True) -> None:
    taken = httpx.get(f"{base}/v1/messages", params={"municipality": CODE}).json()
    sent = listed(cli, "sent")
    # Everything the register queued went, in the register's order, with the CS's receipts.
    assert [(m["seq"], m["ordinal"]) for m in taken] == [(m["seq"], m["ordinal"]) for m in sent]
    assert [m["receipt"] for m in taken] == [m["receipt"] for m in sent]
    assert len(sent) == len(listed(cli))
    assert {"本人確認情報", "転入通知情報"} <= {m["kind"] for m in taken}
    copy = httpx.get(f"{base}/v1/identities", params={"municipality": CODE}).json()
    assert len(copy) >= 12
    if not persons:
        return
    for code, held in copy.items():
        person = cli.ok("resident", "show", "-m", CODE, held["atena"])
        assert person["resident_code"] == code
        # The name in 住基ネット統一文字 (the seed table converts every name the demo draws).
        name = to_unified(person["name"], bundled_table())
        address = to_unified(person["address"], bundled_table())
        assert (held["name"], held["address"]) == (name.text, address.text)
        # A 転出 recorded ahead of its day is sent when recorded (the CS holds the 転出予定);
        # the register shows the person as resident until the day.
        if held["status"] != person["status"]:
            assert (held["reason"], held["status"], person["status"]) == (
                "domestic_move_out",
                "moved_out",
                "resident",
            )


def test_the_worker_sends_every_change_in_order_and_the_cs_copy_matches(
    seeded: tuple[Cli, str], tmp_path: Path
) -> None:
    cli, url = seeded
    queued = listed(cli, "pending")
    assert queued and all(m["receipt"] == "" for m in queued)
    move_ins = [m for m in queued if m["kind"] == "転入通知情報"]
    assert move_ins and all(m["destination"] for m in move_ins)  # the former municipality
    with standin(cli, tmp_path / "cs", int(url.rsplit(":", 1)[1])) as base:
        out = work(cli)
        assert f"cs sent {len(queued)}, refused 0" in out
        assert listed(cli, "pending") == []
        assert_copy_matches_register(cli, base)


def test_with_the_cs_down_nothing_is_lost_and_it_goes_out_in_order_when_back(
    seeded: tuple[Cli, str], tmp_path: Path
) -> None:
    cli, url = seeded
    queued = listed(cli, "pending")
    out = work(cli)  # nobody listens on the port
    assert "cs sent 0, refused 0, retrying 1" in out
    waiting = listed(cli, "pending")
    assert [(m["seq"], m["ordinal"]) for m in waiting] == [(m["seq"], m["ordinal"]) for m in queued]
    assert waiting[0]["attempts"] == 1 and waiting[0]["error"].startswith("cs.unreachable")
    assert listed(cli, "sent") == [] and listed(cli, "error") == []
    with standin(cli, tmp_path / "cs", int(url.rsplit(":", 1)[1])) as base:
        out = work(cli)
        assert f"cs sent {len(queued)}, refused 0" in out
        assert_copy_matches_register(cli, base, persons=False)


def test_without_a_cs_url_sending_is_off_and_messages_stay_pending(
    seeded: tuple[Cli, str],
) -> None:
    cli, _ = seeded
    cli.env["JICHITAI_CS_URL"] = ""
    before = listed(cli, "pending")
    work(cli)
    assert listed(cli, "pending") == before
    assert cli.ok("cs", "list", "-m", CODE)["sending"] is False
    assert cli.refused("cs", "list", "-m", CODE, "--status", "lost")[0]["code"] == (
        "cs.status_unknown"
    )
