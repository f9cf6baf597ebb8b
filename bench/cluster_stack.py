"""Driving the production-like stack (``scripts/cluster.sh``) from Python: its state and
settings, HTTP calls to its API, streams of approvals (本登録) from several clients, its members
and primaries. Shared by ``jichitai bench cluster`` (``bench/cluster.py``) and the cluster tests
(``tests/cluster/``)."""

from __future__ import annotations

import json
import os
import shlex
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parents[1]
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

    @property
    def catalog_env(self) -> dict[str, str]:
        """The environment of a ``jichitai`` command against the catalog (every municipality)."""
        return {**self.shard_env("shard1"), "JICHITAI_DATABASE_URL": self.values["CATALOG_URL"]}

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


#: Patroni's ttl in scripts/cluster.sh: a lost primary's leader key expires within it.
TTL_SECONDS = 12
#: Statuses a client retries: no answer (0), the database unavailable (503), a proxy's 502/504.
RETRIED = frozenset({0, 502, 503, 504})
REVIEWER_PASSWORD = "failover-reviewer-password"


def call(
    url: str,
    method: str = "GET",
    body: dict[str, Any] | None = None,
    token: str | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, Any]]:
    """One HTTP request: its status and JSON body; status 0 when no answer came."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        try:
            return error.code, json.load(error)
        except ValueError:
            return error.code, {}
    except (urllib.error.URLError, OSError):
        return 0, {}


def log_in(api: str, login: str, password: str) -> str:
    data = urllib.parse.urlencode({"username": login, "password": password}).encode()
    with urllib.request.urlopen(f"{api}/api/v1/auth/token", data=data, timeout=30) as response:
        return str(json.load(response)["access_token"])


def memo_change(atena: str, note: str) -> dict[str, Any]:
    """A 軽微な修正 (a memo) of a resident, effective today (Japan's date)."""
    today = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 9 * 3600))
    return {
        "type": "Correct",
        "header": {"effective_on": today, "filed_on": today, "operator": "failover"},
        "atena_number": atena,
        "reason": "minor_correction",
        "changes": {"memo": f"切替試験 {note}"},
    }


@dataclass
class Ack:
    key: str
    event_id: str
    replayed: bool
    at: float
    """When the approval's answer came."""
    sent: float
    """When the request answered was sent (its last try)."""


@dataclass
class Stream:
    """Clients that each draft a change (clerk) and approve it (reviewer), one after another,
    retrying a request that got no answer or a 503 until it is answered."""

    api: str
    clerk: str
    reviewer: str
    residents: list[str]
    run_id: str
    stop: threading.Event = field(default_factory=threading.Event)
    acks: list[Ack] = field(default_factory=list)
    retried: Counter[int] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    latencies: list[float] = field(default_factory=list)
    """Seconds of every answered request (retried ones included)."""

    def until_answered(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, Any], float]:
        """The answer (status, body) and when the request that got it was sent."""
        deadline = time.monotonic() + 120
        while True:
            sent = time.monotonic()
            status, body = call(*args, **kwargs)
            if status:
                with self.lock:
                    self.latencies.append(time.monotonic() - sent)
            if status not in RETRIED or time.monotonic() > deadline:
                return status, body, sent
            with self.lock:
                self.retried[status] += 1
            self.stop.wait(0.2)  # a client's retry interval (the API asks for Retry-After)

    def client(self, number: int, clients: int) -> None:
        # Each client its own residents, of households no other client touches: no conflicts.
        mine = self.residents[number::clients]
        n = 0
        while not self.stop.is_set():
            key = f"{self.run_id}-{number}-{n}"
            command = memo_change(mine[n % len(mine)], key)
            n += 1
            status, body, _ = self.until_answered(
                f"{self.api}/api/v1/drafts",
                "POST",
                {"command": command},
                self.clerk,
                {"Idempotency-Key": key},
            )
            if status != 201:
                self.failures.append(f"draft {key}: {status} {body}")
                return
            draft_id = body["draft"]["draft_id"]
            status, body, sent = self.until_answered(
                f"{self.api}/api/v1/drafts/{draft_id}/approve", "POST", {}, self.reviewer
            )
            if status != 200:
                self.failures.append(f"approve {key}: {status} {body}")
                return
            with self.lock:
                self.acks.append(
                    Ack(key, body["event_id"], body["replayed"], time.monotonic(), sent)
                )

    def acked(self) -> int:
        with self.lock:
            return len(self.acks)


def start_stream(
    cluster: Cluster, run_id: str, clients: int, shard: str = "shard1"
) -> tuple[Stream, list[threading.Thread]]:
    """``clients`` threads recording changes in the demo municipality of ``shard`` (through the
    API, which reaches it through the catalog), until ``stop_stream``."""
    api = cluster.values["API_URL"]
    code = cluster.values[f"MUNICIPALITY_{shard}"]
    reviewer = f"reviewer-{run_id}"
    added = subprocess.run(
        [str(JICHITAI), "user", "add", "--municipality", code, reviewer, "--role", "reviewer"],
        input=REVIEWER_PASSWORD, capture_output=True, text=True, env=cluster.catalog_env,
        timeout=120, check=False,
    )  # fmt: skip
    if added.returncode != 0:
        raise RuntimeError(added.stderr)
    clerk = log_in(api, demo_login(cluster, shard), cluster.values["DEMO_PASSWORD"])
    prefecture = cluster.values[f"MUNICIPALITY_NAME_{shard}"][:3]  # 東京都, 大阪府
    status, found = call(
        f"{api}/api/v1/residents?"
        + urllib.parse.urlencode(
            {"q": prefecture, "by": "address", "include_removed": "false", "limit": 200}
        ),
        token=clerk,
    )
    assert status == 200, found
    # One resident per household, each one a memo may be recorded for today (not one with a
    # move-out filed for a later date, say): checked without writing.
    households: dict[str, str] = {}
    for r in found["results"]:
        if r["status"] == "resident" and r["household_number"] not in households:
            change = {"command": memo_change(r["atena_number"], "check")}
            checked, _ = call(f"{api}/api/v1/changes/check", "POST", change, clerk)
            if checked == 200:
                households[r["household_number"]] = r["atena_number"]
    residents = list(households.values())
    if len(residents) < 2 * clients:
        raise RuntimeError(f"{len(residents)} households for {clients} clients in {code}")
    stream = Stream(api, clerk, log_in(api, reviewer, REVIEWER_PASSWORD), residents, run_id)
    threads = [threading.Thread(target=stream.client, args=(i, clients)) for i in range(clients)]
    for thread in threads:
        thread.start()
    return stream, threads


def stop_stream(stream: Stream, threads: list[threading.Thread]) -> None:
    stream.stop.set()
    for thread in threads:
        thread.join(timeout=180)
    if any(t.is_alive() for t in threads):
        raise RuntimeError("a client did not stop within 180 s")


def demo_login(cluster: Cluster, shard: str) -> str:
    """The demo clerk's login on ``shard``'s municipality."""
    return cluster.values[f"DEMO_LOGIN_{shard}"]


def in_journal(cluster: Cluster, shard: str, stream: Stream) -> tuple[list[str], list[str]]:
    """The acknowledged changes of ``stream`` (on ``shard``) not in the journal exactly once
    (lost), and the changes in the journal more than once (duplicated)."""
    login = demo_login(cluster, shard)
    with psycopg.connect(conninfo(cluster, shard)) as conn:
        rows = conn.execute(
            "SELECT idempotency_key, event_id FROM journal WHERE idempotency_key LIKE %s",
            (f"{login}:{stream.run_id}-%",),  # the API keeps a key per login: login:key
        ).fetchall()
    counted = Counter(str(key).split(":", 1)[1] for key, _ in rows)
    events = {str(key).split(":", 1)[1]: str(event) for key, event in rows}
    lost = [a.key for a in stream.acks if counted[a.key] != 1 or events[a.key] != a.event_id]
    return lost, [key for key, n in counted.items() if n > 1]


def ours(cluster: Cluster, pid: int) -> bool:
    """The process runs and belongs to this stack (its command line or environment names the
    state dir): never signal another's."""
    proc = Path(f"/proc/{pid}")
    try:
        seen = (proc / "cmdline").read_bytes() + (proc / "environ").read_bytes()
    except OSError:
        return False
    return str(cluster.state).encode() in seen


def logs_of(cluster: Cluster, shard: str, member: str) -> str:
    """The last lines of a member's Patroni and PostgreSQL logs, and the stack's status."""
    status = subprocess.run(
        [str(SCRIPT), "status"], capture_output=True, text=True, env=cluster.env, check=False
    )
    shown = [status.stdout]
    logs = [cluster.state / "logs" / f"patroni-{shard}-{member}.log"]
    logs += sorted((cluster.state / "logs").glob("worker-*.log"))
    logs += sorted((cluster.state / shard / member / "data" / "log").glob("*"))[-1:]
    for log in logs:
        lines = log.read_text(errors="replace").splitlines() if log.exists() else []
        shown.append(f"--- {log}\n" + "\n".join(lines[-40:]))
    return "\n".join(shown)


def conninfo(cluster: Cluster, shard: str, member: str | None = None) -> str:
    """libpq connection string of a shard's primary (whichever member), or of one member."""
    ports = [cluster.values[f"PG_PORT_{shard}_{m}"] for m in "ab" if member in (None, m)]
    return (
        f"host={','.join('127.0.0.1' for _ in ports)} port={','.join(ports)} user=postgres"
        f" password={cluster.values['PG_PASSWORD']} dbname=jichitai connect_timeout=3"
        + (" target_session_attrs=read-write" if member is None else "")
    )


def primaries(cluster: Cluster, shard: str) -> list[str]:
    """The members of ``shard`` that answer as a primary (not in recovery)."""
    found = []
    for member in "ab":
        try:
            with psycopg.connect(conninfo(cluster, shard, member), autocommit=True) as conn:
                row = conn.execute("SELECT pg_is_in_recovery()").fetchone()
        except psycopg.OperationalError:
            continue  # down: not a primary
        if row is not None and row[0] is False:
            found.append(member)
    return found


def leader(cluster: Cluster, shard: str) -> str | None:
    for m in cluster.members(shard):
        if m["Role"] == "Leader" and m["State"] == "running":
            return str(m["Member"]).rsplit("-", 1)[1]
    return None


def chains_verify(cluster: Cluster) -> None:
    for shard in ("shard1", "shard2"):
        out = run(
            str(JICHITAI), "journal", "verify", "--municipality",
            cluster.values[f"MUNICIPALITY_{shard}"], "--json", env=cluster.shard_env(shard),
        )  # fmt: skip
        assert json.loads(out)["chain"] == "ok", (shard, out)


@dataclass(frozen=True)
class Failover:
    """What killing a shard's primary during a stream of approvals did."""

    old: str
    """The member killed (its Patroni and its postmaster)."""
    before: int
    """Approvals acknowledged before the kill."""
    promoted: float
    """Seconds from the kill to the standby shown as Leader."""
    gap: float
    """Seconds from the kill to the first approval acknowledged after it (the write gap)."""
    stream: Stream
    lost: list[str]
    duplicated: list[str]
    rejoined: float
    """Seconds from the kill's end to the stack healthy again (the old primary a standby)."""


def kill_primary_during_approvals(
    cluster: Cluster, run_id: str, clients: int, shard: str = "shard1"
) -> Failover:
    """SIGKILL of ``shard``'s primary (Patroni and postmaster) while ``clients`` stream approvals
    through the API; the killed member then starts again and rejoins as a replica (pg_rewind),
    and the stack is healthy when this returns."""
    old = leader(cluster, shard)
    if old is None:
        raise RuntimeError(f"{shard} has no running Leader")
    stream, threads = start_stream(cluster, run_id, clients, shard)
    killed: float | None = None
    try:
        wait_until("approvals before the kill", lambda: stream.acked() >= 2 * clients, 120)
        before = stream.acked()
        state = cluster.state
        patroni = int((state / "pids" / f"patroni-{shard}-{old}").read_text())
        postmaster = int((state / shard / old / "data" / "postmaster.pid").read_text().split()[0])
        for pid in (patroni, postmaster):
            if not ours(cluster, pid):
                raise RuntimeError(f"pid {pid} is not a process of this stack")
        killed = time.monotonic()
        os.kill(patroni, signal.SIGKILL)
        os.kill(postmaster, signal.SIGKILL)
        killed_at = killed
        promoted = wait_until(
            "the synchronous standby promoted",
            lambda: leader(cluster, shard) not in (None, old),
            120,
        )
        wait_until(
            "an approval after the kill",
            lambda: any(a.sent > killed_at for a in list(stream.acks)) or bool(stream.failures),
            120,
        )
        if stream.failures:
            raise RuntimeError(stream.failures)
        # The first approval sent after the kill and acknowledged (one in flight at the kill
        # may still be answered by the old primary, which committed it before it died).
        gap = min(a.at for a in list(stream.acks) if a.sent > killed_at) - killed_at
        after = stream.acked()
        wait_until(
            "more approvals on the new primary", lambda: stream.acked() >= after + clients, 120
        )
    finally:
        stop_stream(stream, threads)
        if killed is not None:  # whatever happened: the killed member rejoins as a replica
            cluster.script("start", f"patroni-{shard}-{old}")
    try:
        rejoined = cluster.wait_healthy(180)
    except AssertionError as error:
        raise AssertionError(f"{error}\n{logs_of(cluster, shard, old)}") from None
    lost, duplicated = in_journal(cluster, shard, stream)
    return Failover(old, before, promoted, gap, stream, lost, duplicated, rejoined)
