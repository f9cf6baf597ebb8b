"""End-to-end: `jichitai bench storage` refuses SQLite with a clear message, and on PostgreSQL
(``scripts/with-postgres.sh``) seeds a register, applies 転居 and prints its figure last."""

from __future__ import annotations

import os
import re
import subprocess

import pytest

from tests.e2e.conftest import BIN

pytestmark = pytest.mark.slow  # a benchmark end to end (`make test-fast` leaves it out)

LAST_LINE = re.compile(
    r"storage: (?P<resident>\d+)/resident, (?P<change>-?\d+)/change,"
    r" WAL (?P<wal>\d+)/change, (?P<rate>\d+) changes/s"
)
APPLIED = re.compile(r"(?P<applied>[\d,]+) 転居 applied \((?P<refused>\d+) refused\)")
BASELINE = re.compile(r"baseline: standard layout export \(UTF-8 CSV\) (?P<bytes>[\d,]+) bytes")


def test_bench_storage_refuses_sqlite_with_a_message_naming_postgresql() -> None:
    env = {k: v for k, v in os.environ.items() if k != "JICHITAI_DATABASE_URL"}
    result = subprocess.run(
        [str(BIN), "bench", "storage", "--residents", "10", "--changes", "1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2, result.stdout + result.stderr
    assert "PostgreSQL でのみ計測します" in result.stderr
    assert "storage:" not in result.stdout


@pytest.mark.skipif(
    not os.environ.get("JICHITAI_DATABASE_URL", "").startswith("postgresql"),
    reason="needs PostgreSQL (scripts/with-postgres.sh)",
)
def test_bench_storage_measures_residents_changes_and_wal_on_postgresql() -> None:
    result = subprocess.run(
        [str(BIN), "bench", "storage", "--residents", "200", "--changes", "50"],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    found = LAST_LINE.fullmatch(out.strip().splitlines()[-1])
    assert found, out
    applied, baseline = APPLIED.search(out), BASELINE.search(out)
    assert applied and baseline, out
    assert int(applied["applied"].replace(",", "")) + int(applied["refused"]) == 50
    # A resident takes room, a change writes WAL, the export is not empty, the writes went.
    assert int(found["resident"]) > 0 and int(found["wal"]) > 0 and int(found["rate"]) > 0
    assert int(baseline["bytes"].replace(",", "")) > 0
