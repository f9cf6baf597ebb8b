"""End-to-end: `jichitai bench api` with tiny numbers sets up its own register, serves it, drives
it with locust (a subprocess) and prints its figure as the last line, with no errors."""

from __future__ import annotations

import os
import re
import subprocess

import pytest

from tests.e2e.conftest import BIN

pytestmark = pytest.mark.slow  # a benchmark end to end (`make test-fast` leaves it out)

LAST_LINE = re.compile(
    r"api: (?P<rate>[\d,]+) req/s; p50 (?P<p50>\d+) ms; p99 (?P<p99>\d+) ms; errors (?P<errors>\d+);"
    r" baseline trivial endpoint (?P<baseline>[\d,]+) req/s; ratio (?P<ratio>\d+\.\d+)"
)


def test_bench_api_runs_end_to_end_and_prints_its_figure_last() -> None:
    # The benchmark makes its own SQLite file and hands it to every child, whatever database
    # the suite runs on (JICHITAI_DATABASE_URL may name a PostgreSQL server here).
    result = subprocess.run(
        [str(BIN), "bench", "api", "--residents", "200", "--users", "5", "--duration", "3"],
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.strip().splitlines()
    found = LAST_LINE.fullmatch(lines[-1])
    assert found, result.stdout
    assert found["errors"] == "0", result.stdout
    assert int(found["rate"].replace(",", "")) > 0
    assert int(found["baseline"].replace(",", "")) > 0
    assert float(found["ratio"]) > 0
