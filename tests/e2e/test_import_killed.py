"""``jichitai layout import`` killed in the middle (SIGKILL, with worker processes): the
municipality stays as it was, no worker is left behind, and running it again works."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from bench.migration import generate
from bench.support import descendants

from jichitai.domain.common.municipality import municipality_check_digit
from tests.e2e.conftest import BIN, Cli

SOURCE = "27140" + municipality_check_digit("27140")  # 堺市
TARGET = "27141" + municipality_check_digit("27141")

pytestmark = pytest.mark.spec("10.6")


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_a_killed_import_leaves_nothing_behind_and_runs_again(cli: Cli, tmp_path: Path) -> None:
    assert cli.run("db", "upgrade").returncode == 0
    cli.ok("municipality", "add", SOURCE, "大阪府堺市")
    cli.ok("municipality", "add", TARGET, "大阪府堺市堺区")
    cli.ok("demo", "seed", "-m", SOURCE, "--residents", "150", "--seed", "9")
    cli.ok("layout", "export", "-m", SOURCE, "--out", str(tmp_path / "template"))
    big = tmp_path / "big"
    generate(tmp_path / "template", big, 40_000)  # a few seconds of import
    command = [str(BIN), "layout", "import", "-m", TARGET, str(big), "--workers", "2", "--json"]
    process = subprocess.Popen(
        [*command, "--report", str(tmp_path / "r1")],
        env=cli.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while len(helpers := descendants(process.pid)) < 3 and time.monotonic() < deadline:
        time.sleep(0.2)  # the fork server, its workers and the resource tracker
    assert len(helpers) >= 3, helpers
    time.sleep(1.5)  # rows are being checked and written
    assert process.poll() is None, "the import ended before it could be killed"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    deadline = time.monotonic() + 15
    while any(_alive(pid) for pid in helpers) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(_alive(pid) for pid in helpers)
    assert cli.ok("stats", "-m", TARGET)["persons"] == 0
    again = subprocess.run(
        [*command, "--report", str(tmp_path / "r2")],
        env=cli.env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert again.returncode == 0, again.stderr
    summary = json.loads(again.stdout)
    assert summary["written"] is True and summary["workers"] == 2
    assert cli.ok("stats", "-m", TARGET)["persons"] == summary["persons"] >= 40_000
    assert cli.ok("journal", "verify", "-m", TARGET)["entries"] == summary["snapshots"]
