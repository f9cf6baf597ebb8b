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

import os
import signal
import time

import psycopg
import pytest
from bench.cluster_stack import (
    TTL_SECONDS,
    Cluster,
    chains_verify,
    conninfo,
    kill_primary_during_approvals,
    leader,
    ours,
    primaries,
    start_stream,
    stop_stream,
    wait_until,
)

pytestmark = [pytest.mark.slow]

CLIENTS = 4


def test_killing_a_primary_during_approvals_loses_and_duplicates_nothing(
    cluster: Cluster,
) -> None:
    done = kill_primary_during_approvals(cluster, f"failover{os.getpid()}", CLIENTS)
    stream = done.stream
    assert not stream.failures, stream.failures
    assert primaries(cluster, "shard1") == [leader(cluster, "shard1")]
    acked = {a.key: a for a in stream.acks}
    assert len(acked) == len(stream.acks) > done.before
    assert done.duplicated == []
    assert done.lost == []
    chains_verify(cluster)
    print(  # noqa: T201 - the figures are the test's report
        f"\nfailover: primary shard1-{done.old} killed after {done.before} approvals; standby"
        f" promoted in {done.promoted:.1f} s; write gap {done.gap:.1f} s; {len(acked)}"
        f" approvals acknowledged ({sum(a.replayed for a in acked.values())} answered as"
        f" replays); retried {dict(stream.retried)}; lost {len(done.lost)}; duplicates"
        f" {len(done.duplicated)}; old primary rejoined and stack healthy in"
        f" {done.rejoined:.1f} s"
    )
    assert done.gap <= 60  # the target is 15 s; generous here for a loaded machine


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
