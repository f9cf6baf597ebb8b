"""End-to-end: the `jichitai` command run as a user runs it, against its own fresh database."""

from __future__ import annotations

import json
import os
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

BIN = Path(__file__).resolve().parents[2] / ".venv" / "bin" / "jichitai"


@dataclass
class Cli:
    env: dict[str, str]

    def run(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(BIN), *args],
            env=self.env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
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
