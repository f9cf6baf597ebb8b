"""What the benchmarks share: their failure, finding the project's own commands, the demo
register they start from, free ports, and processes (the ones below one, for the memory of an
import and its workers; CPU time)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import date
from pathlib import Path

from jichitai.bootstrap import App
from jichitai.demo.generator import seed_register


class BenchFailed(Exception):
    """The benchmark could not run (set-up, server, load generator, import …); the message says
    why."""


def executable(name: str) -> str:
    """The tool installed next to this interpreter (the project's venv), else on the PATH."""
    beside = Path(sys.executable).parent / name
    if beside.exists():
        return str(beside)
    found = shutil.which(name)
    if found is None:
        raise BenchFailed(f"{name} not found (next to {sys.executable} or on the PATH)")
    return found


def descendants(pid: int) -> set[int]:
    """Every process below ``pid`` (read from /proc: Linux)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    below: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - below
        below |= frontier
    return below


def seed_demo(app: App, code: str, residents: int, seed: int, today: date) -> None:
    """The demo register of 東京都千代田区 (as ``jichitai demo seed``) in municipality ``code``."""
    seed_register(
        app.register,
        code,
        municipality_prefecture="東京都",
        municipality_city="千代田区",
        residents=residents,
        seed=seed,
        today=today,
    )


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a running process (Linux /proc); None elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


LOG_TAIL = 40


def tail(path: Path, lines: int = LOG_TAIL) -> str:
    """The end of a child process's log, for a failure message."""
    if not path.exists():
        return f"({path.name}: no output)"
    text = path.read_text("utf-8", errors="replace").splitlines()
    return "\n".join([f"--- last {min(lines, len(text))} lines of {path.name} ---", *text[-lines:]])


def wait_until_healthy(proc: subprocess.Popen[bytes], port: int, log: Path) -> None:
    """Until ``jichitai serve`` on 127.0.0.1:``port`` answers /healthz (at most 60 s)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise BenchFailed(f"the server exited with status {proc.returncode}\n{tail(log)}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.1)
    raise BenchFailed(f"the server did not answer /healthz within 60 s\n{tail(log)}")
