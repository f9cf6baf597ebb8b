"""The production-like stack (``scripts/cluster.sh``) shared by the cluster tests.

``cluster`` starts one stack for the whole session (about a minute) and stops it at the end; the
tests that break it (a killed primary, etcd stopped) bring it back to health before they return,
so that the next test finds a Leader and a Sync Standby on each shard. ``test_cluster_script.py``
keeps its own stack: it proves ``down`` removes everything.

The stack brings its own PostgreSQL servers: the cluster tests run once, in the SQLite pass of
``make test``, and are skipped in the PostgreSQL pass.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from bench.cluster_stack import SCRIPT, Cluster, read_env, run


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
