"""Point-in-time restore with pgBackRest (issue 20): a shard restored to a time T into a new
cluster exports exactly what the live shard exported at T.

On shard1's demo municipality: changes, the standard-layout export at T (T read from the
database's clock right after it), more changes, the WAL covering them archived (``pgbackrest
check`` switches the WAL and waits for its segment in the repository); then
``scripts/cluster.sh restore shard1 T DIR`` restores the shard into a plain PostgreSQL of its own,
and the export from there is byte for byte the export at T, not the later one; the restored
journal's hash chain verifies. The restore rate is printed (docs/operations.md).
"""

from __future__ import annotations

import filecmp
import json
import subprocess
import time
from pathlib import Path

import pytest
from bench.cluster_stack import JICHITAI, SCRIPT, Cluster, as_postgres, read_env, run

pytestmark = [pytest.mark.slow]

SHARD = "shard1"


def _psql(cluster: Cluster, sql: str) -> str:
    """One statement on the shard's primary (libpq picks the read-write member)."""
    ports = ",".join(cluster.values[f"PG_PORT_{SHARD}_{m}"] for m in ("a", "b"))
    dsn = (
        f"host=127.0.0.1,127.0.0.1 port={ports} user=postgres dbname=jichitai "
        "target_session_attrs=read-write"
    )
    env = {**cluster.env, "PGPASSWORD": cluster.values["PG_PASSWORD"]}
    return run("psql", dsn, "-qAtc", sql, env=env).strip()


def _jichitai(env: dict[str, str], *args: str) -> dict[str, object]:
    data = json.loads(run(str(JICHITAI), *args, "--json", env=env, timeout=300))
    assert isinstance(data, dict)
    return data


def _export(env: dict[str, str], code: str, out: Path) -> list[str]:
    _jichitai(env, "layout", "export", "--municipality", code, "--out", str(out))
    return sorted(p.name for p in out.iterdir())


def _same_files(left: Path, right: Path, names: list[str]) -> bool:
    _, mismatch, errors = filecmp.cmpfiles(left, right, names, shallow=False)
    return not mismatch and not errors


def test_a_shard_restored_to_t_exports_what_it_exported_at_t(
    cluster: Cluster, tmp_path: Path
) -> None:
    code = cluster.values[f"MUNICIPALITY_{SHARD}"]
    live = cluster.shard_env(SHARD)
    _jichitai(live, "demo", "seed", "--municipality", code, "--residents", "20", "--seed", "2")
    at_t = tmp_path / "at-t"
    names = _export(live, code, at_t)
    assert "manifest.json" in names
    target = _psql(cluster, "SELECT clock_timestamp()")
    # Changes after T, then the WAL holding them archived: recovery stops at the first commit
    # after T, so the repository must hold one.
    _jichitai(live, "demo", "seed", "--municipality", code, "--residents", "10", "--seed", "3")
    after = tmp_path / "after"
    assert _export(live, code, after) == names
    assert not _same_files(at_t, after, names), "the later changes did not change the export"
    run(
        *as_postgres(
            "pgbackrest",
            f"--config={cluster.values['PGBACKREST_CONFIG']}",
            f"--stanza={SHARD}",
            "check",
        ),
        timeout=180,
    )

    restore_dir = cluster.state / "restores" / f"pitr-{time.monotonic_ns()}"
    started = time.monotonic()
    url = cluster.script("restore", SHARD, target, str(restore_dir), timeout=400).strip()
    seconds = time.monotonic() - started
    try:
        facts = read_env(restore_dir / "restore.env")
        assert url == facts["RESTORE_URL"]
        restored = {**live, "JICHITAI_DATABASE_URL": url}
        restored_export = tmp_path / "restored"
        assert _export(restored, code, restored_export) == names
        assert _same_files(at_t, restored_export, names), "the restore differs from the export at T"
        journal = _jichitai(restored, "journal", "verify", "--municipality", code)
        assert journal["chain"] == "ok"
        assert isinstance(journal["entries"], int) and journal["entries"] > 0
        data_mb = float(facts["RESTORE_DATA_MB"])
        database_mb = int(facts["RESTORE_DATABASE_BYTES"]) / 1e6
        to_connections = float(facts["RESTORE_SECONDS"])
        copying = float(facts["RESTORE_COPY_SECONDS"])
        print(  # noqa: T201 - the figures are the test's report (docs/operations.md)
            f"\npoint-in-time restore of {SHARD}: {data_mb:.0f} MB data directory "
            f"(database jichitai {database_mb:.1f} MB) in {to_connections:.1f} s to accepting "
            f"connections ({copying:.1f} s copying from the repository; {seconds:.1f} s the "
            f"whole command): {data_mb / to_connections:.1f} MB/s; "
            f"journal of {journal['entries']} entries verified"
        )
    finally:
        subprocess.run(
            [str(SCRIPT), "restore-stop", str(restore_dir)],
            env=cluster.env,
            capture_output=True,
            check=False,
            timeout=60,
        )
    assert not restore_dir.exists()
    cluster.wait_healthy()


def test_a_restore_is_refused_for_an_unknown_shard_or_a_directory_that_exists(
    cluster: Cluster, tmp_path: Path
) -> None:
    new = cluster.state / "restores" / f"refused-{time.monotonic_ns()}"
    for args, reason in (
        (("shard9", "2026-01-01 00:00:00+00", str(new)), "unknown shard shard9"),
        ((SHARD, "2026-01-01 00:00:00+00", str(tmp_path)), "exists"),
    ):
        done = subprocess.run(
            [str(SCRIPT), "restore", *args],
            env=cluster.env,
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
        assert done.returncode != 0
        assert reason in done.stderr
        assert not done.stdout
    assert not new.exists()
    assert list(tmp_path.iterdir()) == []
