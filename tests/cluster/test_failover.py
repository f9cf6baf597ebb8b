"""Failover and etcd outage on the production-like stack (issue 20, docs/operations.md).

- A shard's primary is killed (SIGKILL of its Patroni and its postmaster) while several clients
  stream approvals (本登録) through the API: Patroni promotes the synchronous standby, the API
  reconnects on its own (a request caught in the gap is answered 503 ``database.unavailable``
  and retried by its client), every acknowledged change is in the journal exactly once, no change
  is there twice, and both shards' hash chains verify. The time without writes is measured. The
  killed member then rejoins as a replica (pg_rewind) and the stack is healthy again.
- etcd is killed: the primaries keep serving writes for more than twice Patroni's ttl
  (``failsafe_mode``), and each shard has exactly one primary throughout (no split brain). etcd
  then starts again and the stack is healthy again.

Each test leaves the stack healthy for the next (``cluster.wait_healthy``).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.cluster.conftest import JICHITAI, SCRIPT, Cluster, run, wait_until

pytestmark = [pytest.mark.slow]

CLIENTS = 4
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

    def until_answered(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, Any]]:
        deadline = time.monotonic() + 120
        while True:
            status, body = call(*args, **kwargs)
            if status not in RETRIED or time.monotonic() > deadline:
                return status, body
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
            status, body = self.until_answered(
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
            status, body = self.until_answered(
                f"{self.api}/api/v1/drafts/{draft_id}/approve", "POST", {}, self.reviewer
            )
            if status != 200:
                self.failures.append(f"approve {key}: {status} {body}")
                return
            with self.lock:
                self.acks.append(Ack(key, body["event_id"], body["replayed"], time.monotonic()))

    def acked(self) -> int:
        with self.lock:
            return len(self.acks)


def start_stream(
    cluster: Cluster, run_id: str, clients: int
) -> tuple[Stream, list[threading.Thread]]:
    api = cluster.values["API_URL"]
    code = cluster.values["MUNICIPALITY_shard1"]
    reviewer = f"reviewer-{run_id}"
    added = subprocess.run(
        [str(JICHITAI), "user", "add", "--municipality", code, reviewer, "--role", "reviewer"],
        input=REVIEWER_PASSWORD, capture_output=True, text=True, env=cluster.shard_env("shard1"),
        timeout=120, check=False,
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    clerk = log_in(api, "demo-clerk", cluster.values["DEMO_PASSWORD"])
    status, found = call(
        f"{api}/api/v1/residents?"
        + urllib.parse.urlencode(
            {"q": "東京都", "by": "address", "include_removed": "false", "limit": 200}
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
    assert len(residents) >= 2 * clients
    stream = Stream(api, clerk, log_in(api, reviewer, REVIEWER_PASSWORD), residents, run_id)
    threads = [threading.Thread(target=stream.client, args=(i, clients)) for i in range(clients)]
    for thread in threads:
        thread.start()
    return stream, threads


def stop_stream(stream: Stream, threads: list[threading.Thread]) -> None:
    stream.stop.set()
    for thread in threads:
        thread.join(timeout=180)
    assert not any(t.is_alive() for t in threads)


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


def test_killing_a_primary_during_approvals_loses_and_duplicates_nothing(
    cluster: Cluster,
) -> None:
    run_id = f"failover{os.getpid()}"
    old = leader(cluster, "shard1")
    assert old is not None
    stream, threads = start_stream(cluster, run_id, CLIENTS)
    killed: float | None = None
    try:
        wait_until("approvals before the kill", lambda: stream.acked() >= 2 * CLIENTS, 120)
        before = stream.acked()
        state = cluster.state
        patroni = int((state / "pids" / f"patroni-shard1-{old}").read_text())
        postmaster = int(
            (state / "shard1" / old / "data" / "postmaster.pid").read_text().split()[0]
        )
        for pid in (patroni, postmaster):
            assert ours(cluster, pid), f"pid {pid} is not a process of this stack"
        killed = time.monotonic()
        os.kill(patroni, signal.SIGKILL)
        os.kill(postmaster, signal.SIGKILL)
        killed_at = killed
        promoted = wait_until(
            "the synchronous standby promoted",
            lambda: leader(cluster, "shard1") not in (None, old),
            120,
        )
        wait_until(
            "an approval after the kill",
            lambda: any(a.at > killed_at for a in list(stream.acks)) or bool(stream.failures),
            120,
        )
        assert not stream.failures, stream.failures
        gap = min(a.at for a in list(stream.acks) if a.at > killed_at) - killed_at
        after = stream.acked()
        wait_until(
            "more approvals on the new primary", lambda: stream.acked() >= after + CLIENTS, 120
        )
    finally:
        stop_stream(stream, threads)
        if killed is not None:  # whatever happened: the killed member rejoins as a replica
            cluster.script("start", f"patroni-shard1-{old}")
    assert not stream.failures, stream.failures

    # The stack is healthy again for the next test (the old primary rewound, a Sync Standby).
    try:
        rejoined = cluster.wait_healthy(180)
    except AssertionError as error:
        raise AssertionError(f"{error}\n{logs_of(cluster, 'shard1', old)}") from None
    assert primaries(cluster, "shard1") == [leader(cluster, "shard1")]

    acked = {a.key: a for a in stream.acks}
    assert len(acked) == len(stream.acks)
    with psycopg.connect(conninfo(cluster, "shard1")) as conn:
        rows = conn.execute(
            "SELECT idempotency_key, event_id FROM journal WHERE idempotency_key LIKE %s",
            (f"demo-clerk:{run_id}-%",),  # the API keeps a key per login: login:key
        ).fetchall()
    rows = [(key.split(":", 1)[1], event) for key, event in rows]
    in_journal = Counter(key for key, _ in rows)
    duplicated = [k for k, n in in_journal.items() if n > 1]
    lost = [k for k in acked if in_journal[k] != 1]
    assert duplicated == []
    assert lost == []
    assert dict(rows) == {k: a.event_id for k, a in acked.items()}
    chains_verify(cluster)
    print(  # noqa: T201 - the figures are the test's report
        f"\nfailover: primary shard1-{old} killed after {before} approvals; standby promoted in"
        f" {promoted:.1f} s; write gap {gap:.1f} s; {len(acked)} approvals acknowledged"
        f" ({sum(a.replayed for a in acked.values())} answered as replays);"
        f" retried {dict(stream.retried)}; lost {len(lost)}; duplicates {len(duplicated)};"
        f" old primary rejoined and stack healthy in {rejoined:.1f} s"
    )
    assert gap <= 60  # the target is 15 s; generous here for a loaded machine


def test_with_etcd_down_the_primaries_keep_serving_and_there_is_no_split_brain(
    cluster: Cluster,
) -> None:
    run_id = f"etcd{os.getpid()}"
    for shard in ("shard1", "shard2"):
        assert len(primaries(cluster, shard)) == 1
    etcd = int((cluster.state / "pids" / "etcd").read_text())
    assert ours(cluster, etcd)
    stream, threads = start_stream(cluster, run_id, 2)
    try:
        wait_until("approvals before etcd stops", lambda: stream.acked() >= 2, 120)
        os.kill(etcd, signal.SIGKILL)
        stopped = time.monotonic()
        writes = {"shard1": 0, "shard2": 0}
        split: list[tuple[str, list[str]]] = []

        def outage_lasted() -> bool:
            for shard in writes:
                # A write on the shard's primary (a transaction id, synchronously replicated).
                with psycopg.connect(conninfo(cluster, shard), autocommit=True) as conn:
                    conn.execute("SELECT txid_current()")
                writes[shard] += 1
                found = primaries(cluster, shard)
                if len(found) != 1:
                    split.append((shard, found))
            return time.monotonic() - stopped >= 2.5 * TTL_SECONDS

        acked_at_stop = stream.acked()
        wait_until("2.5 × ttl with etcd down", outage_lasted, 180)
        assert split == []
        assert not stream.failures, stream.failures
        through_api = stream.acked() - acked_at_stop
        assert through_api > 0
        late = [a for a in list(stream.acks) if a.at > stopped + 2 * TTL_SECONDS]
        assert late, "no approval acknowledged after 2 × ttl without etcd"
        retried = dict(stream.retried)
    finally:
        cluster.script("start", "etcd")
        stop_stream(stream, threads)
    healthy = cluster.wait_healthy(180)
    for shard in ("shard1", "shard2"):
        assert len(primaries(cluster, shard)) == 1
    chains_verify(cluster)
    print(  # noqa: T201 - the figures are the test's report
        f"\netcd down {2.5 * TTL_SECONDS:.0f} s: {through_api} approvals through the API"
        f" (retried {retried}), {writes} direct writes, one primary per shard throughout;"
        f" etcd back and stack healthy in {healthy:.1f} s"
    )
