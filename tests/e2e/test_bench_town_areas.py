"""End-to-end: `jichitai bench town-areas` with small numbers loads a 町字 master into a fresh
SQLite database, times the change check's 町字 lookup beside the check as it was before (a count
of the master on every change), and prints its figure as the last line."""

from __future__ import annotations

import os
import re
import subprocess

from tests.e2e.conftest import BIN

LAST_LINE = re.compile(
    r"town_areas: (?P<rate>[\d,]+) checks/s \(\d+ µs\) at (?P<areas>[\d,]+) 町字;"
    r" baseline count \+ read (?P<baseline>[\d,]+) checks/s; ratio (?P<ratio>\d+\.\d{2});"
    r" not in master [\d,]+/s; no master [\d,]+/s"
)


def test_the_benchmark_prints_its_figure_and_ratio_against_the_check_before() -> None:
    env = {k: v for k, v in os.environ.items() if k != "JICHITAI_DATABASE_URL"}
    result = subprocess.run(
        [str(BIN), "bench", "town-areas", "--areas", "300", "--checks", "300"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    found = LAST_LINE.fullmatch(result.stdout.strip().splitlines()[-1])
    assert found is not None, result.stdout
    assert found["areas"] == "300"
    assert float(found["ratio"]) > 0
