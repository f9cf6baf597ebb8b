"""`scripts/cluster.sh up|status|down` end to end: the production-like stack (docs/operations.md).

One run starts the whole stack in a state directory of its own, checks it through the same doors
an operator uses (the script's status, `patronictl`, `pgbackrest info`, the API over HTTP, the CLI
against each shard), stops it, and checks that nothing of it is left: no directory, no process.

The stack brings its own PostgreSQL servers, so it does not depend on the suite's database: it
runs once in `make test`, in the SQLite pass, and is skipped (with the reason shown) in the
PostgreSQL pass. It takes about a minute (see docs/operations.md for the figures).
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from bench.cluster_stack import JICHITAI, SCRIPT, as_postgres, http_json, read_env, run

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        bool(os.environ.get("JICHITAI_DATABASE_URL")),
        reason="the cluster brings its own PostgreSQL: run once, in the SQLite pass of make test",
    ),
]


def processes_naming(text: str) -> list[int]:
    """Pids of the processes whose command line or environment mention ``text``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            seen = (entry / "cmdline").read_bytes() + (entry / "environ").read_bytes()
        except OSError:  # gone meanwhile, or not ours to read
            continue
        if text.encode() in seen:
            found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    """Whether the process still runs: an exited one its parent has not yet reaped (a zombie,
    state Z) has stopped."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@pytest.fixture
def state_dir() -> Iterator[Path]:
    # Directly under /tmp: as root, the postgres user must be able to reach it (pytest's own
    # temporary directories are root's alone).
    path = Path(f"/tmp/jichitai-cluster-test-{os.getpid()}")
    yield path
    if path.exists():  # a failed test: stop what is left
        subprocess.run([str(SCRIPT), "down"], env={**os.environ, "JICHITAI_CLUSTER_DIR": str(path)})


def test_up_status_down(state_dir: Path) -> None:
    env = {**os.environ, "JICHITAI_CLUSTER_DIR": str(state_dir)}
    env.pop("JICHITAI_DATABASE_URL", None)

    out = run(str(SCRIPT), "up", env=env)
    assert "jichitai cluster up" in out
    assert (state_dir.stat().st_mode & 0o777) == 0o700
    cluster_env = state_dir / "cluster.env"
    assert (cluster_env.stat().st_mode & 0o777) == 0o600
    values = read_env(cluster_env)

    status = run(str(SCRIPT), "status", env=env)
    assert "FAIL" not in status

    for shard in ("shard1", "shard2"):
        members = json.loads(
            run(
                *as_postgres(
                    "patronictl", "-c", values[f"PATRONI_CONFIG_{shard}"], "list", "-f", "json"
                )
            )
        )
        assert sorted(m["Role"] for m in members) == ["Leader", "Sync Standby"], members
        assert {m["Host"].split(":")[0] for m in members} == {"127.0.0.1"}
        (info,) = json.loads(
            run(
                *as_postgres(
                    "pgbackrest",
                    f"--config={values['PGBACKREST_CONFIG']}",
                    f"--stanza={shard}",
                    "--output=json",
                    "info",
                )
            )
        )
        assert info["status"]["code"] == 0, info["status"]
        assert [b["type"] for b in info["backup"]] == ["full"]
        assert info["archive"][0]["max"], "no WAL archived"

    # The API (on shard1): alive, and an authenticated read of shard1's demo register.
    api = values["API_URL"]
    assert http_json(f"{api}/healthz") == {"status": "ok"}
    token = http_json(
        f"{api}/api/v1/auth/token", {"username": "demo-clerk", "password": values["DEMO_PASSWORD"]}
    )
    assert isinstance(token, dict)
    found = http_json(f"{api}/api/v1/residents?q=0000000019", token=str(token["access_token"]))
    assert isinstance(found, dict) and found["count"] == 1

    # The API reaches shard2's municipality too, through the catalog in shard1's database.
    token2 = http_json(
        f"{api}/api/v1/auth/token",
        {"username": values["DEMO_LOGIN_shard2"], "password": values["DEMO_PASSWORD"]},
    )
    assert isinstance(token2, dict)
    found2 = http_json(f"{api}/api/v1/residents?q=0000000019", token=str(token2["access_token"]))
    assert isinstance(found2, dict) and found2["count"] == 1
    assert found2 != found  # another municipality's person of the same 宛名番号

    # The catalog (shard1's database) lists both municipalities, each on its shard.
    catalog_env = {**env, "JICHITAI_DATABASE_URL": values["CATALOG_URL"]}
    shards = json.loads(run(str(JICHITAI), "shard", "list", "--json", env=catalog_env))
    assert {s["shard"]: s["municipalities"] for s in shards} == {
        "home": [values["MUNICIPALITY_shard1"]],
        "shard2": [values["MUNICIPALITY_shard2"]],
    }

    # Each shard's database, asked as a database of its own (the libpq multi-host URL that
    # follows the primary): shard2 holds its municipality's rows and not shard1's.
    for shard in ("shard1", "shard2"):
        shard_env = {**env, "JICHITAI_DATABASE_URL": values[f"DATABASE_URL_{shard}"]}
        listed = json.loads(run(str(JICHITAI), "municipality", "list", "--json", env=shard_env))
        codes = {m["municipality_code"] for m in listed}
        assert values[f"MUNICIPALITY_{shard}"] in codes
    for shard, other in (("shard1", "shard2"), ("shard2", "shard1")):
        dsn = (
            "host=127.0.0.1,127.0.0.1 port={a},{b} user=postgres dbname=jichitai"
            " target_session_attrs=read-write"
        ).format(a=values[f"PG_PORT_{shard}_a"], b=values[f"PG_PORT_{shard}_b"])
        counts = run(
            "psql", dsn, "-Atc",
            "SELECT municipality_code, count(*) FROM residents GROUP BY 1 ORDER BY 1",
            env={**env, "PGPASSWORD": values["PG_PASSWORD"]},
        )  # fmt: skip
        held = {line.split("|")[0] for line in counts.split()}
        assert held == {values[f"MUNICIPALITY_{shard}"]}, (shard, counts)
        assert values[f"MUNICIPALITY_{other}"] not in held
        # The API reached this shard (the searches above) as the application's login, a member
        # of jichitai_app, not as the schema owner.
        logins = run(
            "psql", dsn, "-Atc",
            "SELECT DISTINCT usename FROM pg_stat_activity WHERE datname = 'jichitai'"
            " AND backend_type = 'client backend' AND application_name = ''"
            " AND pid <> pg_backend_pid()",
            env={**env, "PGPASSWORD": values["PG_PASSWORD"]},
        )  # fmt: skip
        assert values["APP_LOGIN"] in logins.split(), (shard, logins)
        member = run(
            "psql", dsn, "-Atc",
            f"SELECT pg_has_role('{values['APP_LOGIN']}', 'jichitai_app', 'MEMBER'),"
            f" rolsuper FROM pg_roles WHERE rolname = '{values['APP_LOGIN']}'",
            env={**env, "PGPASSWORD": values["PG_PASSWORD"]},
        )  # fmt: skip
        assert member.strip() == "t|f", member
        stats = json.loads(
            run(
                str(JICHITAI),
                "stats",
                "--municipality",
                values[f"MUNICIPALITY_{shard}"],
                "--json",
                env=catalog_env,
            )
        )
        assert stats["persons"] > 0  # the CLI, too, reaches each through the catalog

    pid_files = {p.name: int(p.read_text()) for p in (state_dir / "pids").iterdir()}
    assert set(pid_files) == {
        "etcd", "api", "worker-shard1", "worker-shard2", "backup-shard1", "backup-shard2",
        *(f"patroni-{shard}-{member}" for shard in ("shard1", "shard2") for member in "ab"),
    }  # fmt: skip
    running = [pid for name, pid in pid_files.items() if not name.startswith("backup-")]
    running += [
        int(p.read_text().split()[0]) for p in state_dir.glob("shard*/*/data/postmaster.pid")
    ]
    assert len(running) == 12  # etcd, API, 2 workers, 4 × Patroni and PostgreSQL

    run(str(SCRIPT), "down", env=env)
    assert not state_dir.exists()
    assert [pid for pid in running if alive(pid)] == []
    assert processes_naming(str(state_dir)) == []
    assert "nothing to stop" in run(str(SCRIPT), "down", env=env)  # safe to run twice
