"""`jichitai bench cluster`: the write path, a failover and a restore on the production-like
stack (``scripts/cluster.sh``, docs/operations.md, docs/sizing.md).

In one run, on one stack (started for the run, or an existing one with ``--state``):

1. **1 shard**: ``clients`` clients record changes (a clerk's draft, a reviewer's approval)
   through the API in shard1's municipality for ``seconds``;
2. **2 shards**: as many clients again in shard2's municipality at the same time, each request
   routed by the catalog; the ratio of the two approval rates says how the write path scales;
   a CPU profile of the stack's processes over each phase says what bounds it here (every
   process shares the machine's cores);
3. **failover**: shard1's primary is killed (SIGKILL of Patroni and its postmaster) during a
   stream of approvals: the time without writes, and acknowledged changes lost or duplicated;
4. **restore**: shard1 restored by pgBackRest to the present into a new server: MB/s.

Last line: ``cluster: <approvals/s> approvals/s on 2 shards (<ratio> × 1 shard); failover gap
<s> s; lost <n>; API p99 <ms> ms``.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from bench.cluster_stack import (
    SCRIPT,
    Cluster,
    Stream,
    as_postgres,
    conninfo,
    kill_primary_during_approvals,
    read_env,
    run,
    start_stream,
    stop_stream,
    wait_until,
)
from bench.support import BenchFailed, cpu_seconds, descendants


@dataclass(frozen=True)
class Phase:
    shards: int
    approvals: int
    seconds: float
    p99_ms: float
    cpu: dict[str, float]
    """CPU seconds per kind of process over the phase."""

    @property
    def rate(self) -> float:
        return self.approvals / self.seconds


def _kind(pid: int) -> str:
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return "other"
    command = b" ".join(argv).decode(errors="replace")
    if command.startswith("postgres"):
        return "PostgreSQL"
    for marker, kind in (
        ("patroni", "Patroni"),
        ("etcd", "etcd"),
        ("jichitai worker", "webhook workers"),
        ("pgbackrest", "pgBackRest"),
    ):
        if marker in command:
            return kind
    return "API (uvicorn)"


def _stack_cpu(cluster: Cluster) -> dict[int, tuple[str, float]]:
    """CPU seconds so far of each running process of the stack, with its kind: those whose
    command line or environment names the state dir, and every PostgreSQL server process (a
    postmaster's children overwrite theirs with their status line)."""
    found: dict[int, tuple[str, float]] = {}
    marker = str(cluster.state).encode()
    pids: set[int] = set()
    for postmaster in cluster.state.glob("shard*/*/data/postmaster.pid"):
        try:
            pid = int(postmaster.read_text().split()[0])
        except (OSError, ValueError, IndexError):
            continue
        pids |= {pid, *descendants(pid)}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            seen = (entry / "cmdline").read_bytes() + (entry / "environ").read_bytes()
        except OSError:
            continue
        if marker in seen:
            pids.add(int(entry.name))
    for pid in pids:
        spent = cpu_seconds(pid)
        if spent is not None:
            found[pid] = (_kind(pid), spent)
    found[os.getpid()] = ("clients (this bench)", cpu_seconds(os.getpid()) or 0.0)
    return found


def _cpu_between(
    before: dict[int, tuple[str, float]], after: dict[int, tuple[str, float]]
) -> dict[str, float]:
    spent: dict[str, float] = defaultdict(float)
    for pid, (kind, seconds) in after.items():
        spent[kind] += seconds - before.get(pid, (kind, 0.0))[1]
    return dict(spent)


def _p99(latencies: list[float]) -> float:
    ordered = sorted(latencies)
    return ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))] * 1000 if ordered else 0.0


def measure(cluster: Cluster, shards: list[str], clients: int, seconds: float) -> Phase:
    run_id = f"bench{len(shards)}x{os.getpid()}"
    streams: list[tuple[Stream, list[threading.Thread]]] = []
    try:
        for shard in shards:
            streams.append(start_stream(cluster, f"{run_id}{shard}", clients, shard))
        wait_until(
            "the first approvals", lambda: all(s.acked() >= clients for s, _ in streams), 120
        )
        cpu_before = _stack_cpu(cluster)
        counted = [s.acked() for s, _ in streams]
        latencies_from = [len(s.latencies) for s, _ in streams]
        started = time.monotonic()
        time.sleep(seconds)  # the measured window (a benchmark, not a test)
        elapsed = time.monotonic() - started
        approvals = sum(s.acked() - n for (s, _), n in zip(streams, counted, strict=True))
        latencies = [
            latency
            for (s, _), n in zip(streams, latencies_from, strict=True)
            for latency in list(s.latencies)[n:]
        ]
        cpu = _cpu_between(cpu_before, _stack_cpu(cluster))
    finally:
        for stream, threads in streams:
            stop_stream(stream, threads)
    failures = [f for s, _ in streams for f in s.failures]
    if failures:
        raise BenchFailed(f"approvals failed: {failures[:3]}")
    return Phase(len(shards), approvals, elapsed, _p99(latencies), cpu)


def restore_rate(cluster: Cluster) -> tuple[float, float, float]:
    """shard1 restored to now: (data MB, seconds to accepting connections, MB/s)."""
    primary = conninfo(cluster, "shard1")
    target = run("psql", primary, "-qAtc", "SELECT clock_timestamp()", env=cluster.env)
    # Recovery stops at the first commit after the target: one (an xid's), then its WAL
    # archived (``pgbackrest check`` switches the segment and waits for it).
    run("psql", primary, "-qAtc", "SELECT txid_current()", env=cluster.env)
    run(
        *as_postgres(
            "pgbackrest", f"--config={cluster.values['PGBACKREST_CONFIG']}",
            "--stanza=shard1", "check",
        ),
        timeout=300,
    )  # fmt: skip
    directory = cluster.state / "restores" / f"bench-{os.getpid()}"
    cluster.script("restore", "shard1", target.strip(), str(directory), timeout=600)
    try:
        facts = read_env(directory / "restore.env")
    finally:
        cluster.script("restore-stop", str(directory))
    data_mb = float(facts["RESTORE_DATA_MB"])
    seconds = float(facts["RESTORE_SECONDS"])
    return data_mb, seconds, data_mb / seconds


def _profile(phase: Phase) -> str:
    total = sum(phase.cpu.values())
    shares = ", ".join(
        f"{kind} {seconds / phase.seconds:.2f}"
        for kind, seconds in sorted(phase.cpu.items(), key=lambda kv: -kv[1])
        if seconds > 0.01 * phase.seconds
    )
    return f"  CPU (cores busy, of {os.cpu_count()}): {total / phase.seconds:.2f} in all; {shares}"


def main(clients: int = 4, seconds: float = 20.0, state: str | None = None) -> None:
    own = state is None
    state_dir = Path(state or f"/tmp/jichitai-bench-cluster-{os.getpid()}")
    env = {**os.environ, "JICHITAI_CLUSTER_DIR": str(state_dir)}
    env.pop("JICHITAI_DATABASE_URL", None)
    if own:
        print(f"starting the stack in {state_dir} (scripts/cluster.sh up) …", flush=True)
        up = subprocess.run([str(SCRIPT), "up"], env=env, capture_output=True, text=True)
        if up.returncode != 0:
            raise BenchFailed(f"scripts/cluster.sh up failed:\n{up.stderr[-3000:]}")
    cluster = Cluster(state_dir, read_env(state_dir / "cluster.env"))
    try:
        one = measure(cluster, ["shard1"], clients, seconds)
        print(
            f"1 shard : {one.rate:.1f} approvals/s ({one.approvals} in {one.seconds:.1f} s,"
            f" {clients} clients), API p99 {one.p99_ms:.0f} ms",
            flush=True,
        )
        print(_profile(one), flush=True)
        two = measure(cluster, ["shard1", "shard2"], clients, seconds)
        ratio = two.rate / one.rate if one.rate else 0.0
        print(
            f"2 shards: {two.rate:.1f} approvals/s ({two.approvals} in {two.seconds:.1f} s,"
            f" {clients} clients per shard), API p99 {two.p99_ms:.0f} ms;"
            f" {ratio:.2f} × 1 shard (baseline, same run)",
            flush=True,
        )
        print(_profile(two), flush=True)
        failover = kill_primary_during_approvals(cluster, f"benchfo{os.getpid()}", clients)
        lost = len(failover.lost) + len(failover.duplicated)
        print(
            f"failover: shard1-{failover.old} killed; standby promoted in"
            f" {failover.promoted:.1f} s; write gap {failover.gap:.1f} s;"
            f" {failover.stream.acked()} approvals acknowledged, {len(failover.lost)} lost,"
            f" {len(failover.duplicated)} duplicated; stack healthy again in"
            f" {failover.rejoined:.1f} s",
            flush=True,
        )
        data_mb, restore_seconds, rate = restore_rate(cluster)
        print(
            f"restore : shard1 ({data_mb:.0f} MB data directory) to the present in"
            f" {restore_seconds:.1f} s: {rate:.1f} MB/s",
            flush=True,
        )
    finally:
        if own:
            subprocess.run([str(SCRIPT), "down"], env=env, capture_output=True, check=False)
    print(
        f"cluster: {two.rate:.1f} approvals/s on 2 shards ({ratio:.2f} × 1 shard);"
        f" failover gap {failover.gap:.1f} s; lost {lost}; API p99 {two.p99_ms:.0f} ms"
    )
