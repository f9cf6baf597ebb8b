"""The production-like stack (``scripts/cluster.sh``) shared by the cluster tests.

``cluster`` starts one stack for the whole session (about a minute) and stops it at the end; the
tests that break it (a killed primary, etcd stopped) bring it back to health before they return,
so that the next test finds a Leader and a Sync Standby on each shard. ``test_cluster_script.py``
keeps its own stack: it proves ``down`` removes everything.

The stack brings its own PostgreSQL servers: the cluster tests run once, in the SQLite pass of
``make test``, and are skipped in the PostgreSQL pass.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "cluster.sh"
JICHITAI = ROOT / ".venv" / "bin" / "jichitai"
SHARDS = ("shard1", "shard2")


def run(*args: str, env: dict[str, str] | None = None, timeout: float = 180) -> str:
    done = subprocess.run(
        args, capture_output=True, text=True, env=env, timeout=timeout, check=False, cwd=ROOT
    )
    assert done.returncode == 0, f"{args} exited {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done.stdout


def as_postgres(*args: str) -> tuple[str, ...]:
    """The cluster's tools run as the postgres user when the tests run as root (like the script)."""
    if os.getuid() != 0:
        return args
    return ("setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--", *args)


def read_env(path: Path) -> dict[str, str]:
    values: dict[str, str] = {}
    for line in path.read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            values[name] = shlex.split(value)[0] if value else ""
    return values


def http_json(url: str, data: dict[str, str] | None = None, token: str | None = None) -> object:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200
        return json.load(response)


def wait_until(what: str, check: Callable[[], bool], limit: float = 90) -> float:
    """Polls ``check`` until it holds (at most ``limit`` seconds); the seconds it took."""
    started = time.monotonic()
    while not check():
        assert time.monotonic() - started < limit, f"timed out after {limit} s waiting for {what}"
        time.sleep(0.2)
    return time.monotonic() - started


@dataclass(frozen=True)
class Cluster:
    """A running stack: its state directory and what ``cluster.env`` says runs where."""

    state: Path
    values: dict[str, str]

    @property
    def env(self) -> dict[str, str]:
        """The environment for ``scripts/cluster.sh`` on this stack."""
        env = {**os.environ, "JICHITAI_CLUSTER_DIR": str(self.state)}
        env.pop("JICHITAI_DATABASE_URL", None)
        return env

    def shard_env(self, shard: str) -> dict[str, str]:
        """The environment of a ``jichitai`` command run against ``shard``."""
        return {
            **self.env,
            "JICHITAI_MODE": "production",
            "JICHITAI_SECRET_KEY": self.values["JICHITAI_SECRET_KEY"],
            "JICHITAI_KEY_DIR": self.values["JICHITAI_KEY_DIR"],
            "JICHITAI_DATABASE_URL": self.values[f"DATABASE_URL_{shard}"],
        }

    def script(self, *args: str, timeout: float = 180) -> str:
        return run(str(SCRIPT), *args, env=self.env, timeout=timeout)

    def healthy(self) -> bool:
        done = subprocess.run(
            [str(SCRIPT), "status"], capture_output=True, env=self.env, check=False, cwd=ROOT
        )
        return done.returncode == 0

    def wait_healthy(self, limit: float = 120) -> float:
        return wait_until("the cluster's status to be healthy", self.healthy, limit)

    def members(self, shard: str) -> list[dict[str, object]]:
        """``patronictl list`` of ``shard``."""
        listed = run(
            *as_postgres(
                "patronictl", "-c", self.values[f"PATRONI_CONFIG_{shard}"], "list", "-f", "json"
            )
        )
        members = json.loads(listed)
        assert isinstance(members, list)
        return members


def _cluster_tests_skipped() -> bool:
    return bool(os.environ.get("JICHITAI_DATABASE_URL"))


@pytest.fixture(scope="session")
def cluster() -> Iterator[Cluster]:
    if _cluster_tests_skipped():
        pytest.skip("the cluster brings its own PostgreSQL: run once, in the SQLite pass")
    # Directly under /tmp: as root, the postgres user must be able to reach it (pytest's own
    # temporary directories are root's alone).
    state = Path(f"/tmp/jichitai-cluster-shared-{os.getpid()}")
    env = {**os.environ, "JICHITAI_CLUSTER_DIR": str(state)}
    env.pop("JICHITAI_DATABASE_URL", None)
    try:
        run(str(SCRIPT), "up", env=env, timeout=600)
        yield Cluster(state, read_env(state / "cluster.env"))
    finally:
        subprocess.run([str(SCRIPT), "down"], env=env, capture_output=True, check=False)
