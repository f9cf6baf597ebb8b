"""End-to-end: the `jichitai` command run as a user runs it, against its own fresh database."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest

BIN = Path(__file__).resolve().parents[2] / ".venv" / "bin" / "jichitai"


@dataclass
class Cli:
    env: dict[str, str]
    umask: int = -1
    """The file-mode mask the command runs with (-1: the test process's own)."""

    def run(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(BIN), *args],
            env=self.env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
            umask=self.umask,
        )

    def ok(self, *args: str, stdin: str | None = None) -> Any:
        result = self.run(*args, "--json", stdin=stdin)
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)

    def refused(self, *args: str, stdin: str | None = None) -> list[dict[str, Any]]:
        result = self.run(*args, "--json", stdin=stdin)
        assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
        errors: list[dict[str, Any]] = json.loads(result.stderr)["errors"]
        return errors


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cli]:
    """A CLI bound to a database of its own: an SQLite file, or a new PostgreSQL database."""
    with own_database(tmp_path_factory) as bound:
        yield bound


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def served(cli: Cli, *args: str) -> Iterator[str]:
    """`jichitai serve` on 127.0.0.1 with the CLI's database; yields its base URL once it
    answers, and stops it afterwards."""
    port = free_port()
    process = subprocess.Popen(
        [str(BIN), "serve", "--host", "127.0.0.1", "--port", str(port), *args],
        env=cli.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        umask=cli.umask,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                output = process.stdout.read() if process.stdout else ""
                raise AssertionError(f"server did not start: {output}")
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout:
            process.stdout.close()


@contextmanager
def own_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cli]:
    """A CLI bound to a database of its own: an SQLite file, or a new PostgreSQL database."""
    env = {k: v for k, v in os.environ.items() if k != "JICHITAI_DATABASE_URL"}
    env["JICHITAI_KEY_DIR"] = str(tmp_path_factory.mktemp("keys"))
    server = os.environ.get("JICHITAI_DATABASE_URL", "")
    if server.startswith("postgresql"):
        import psycopg

        name = f"cli_{uuid.uuid4().hex[:12]}"
        plain = server.replace("+psycopg", "")
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        env["JICHITAI_DATABASE_URL"] = plain.rsplit("/", 1)[0] + "/" + name
        yield Cli(env)
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
    else:
        db = tmp_path_factory.mktemp("cli") / "jichitai.db"
        env["JICHITAI_DATABASE_URL"] = f"sqlite:///{db}"
        yield Cli(env)
