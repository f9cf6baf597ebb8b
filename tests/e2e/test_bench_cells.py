"""End-to-end: `jichitai bench cells` with small numbers times the import's cell check on our own
export's rows and on the same rows in older systems' forms, beside the check as it was before,
and prints its figure as the last line."""

from __future__ import annotations

import os
import re
import subprocess

from tests.e2e.conftest import BIN

LAST_LINE = re.compile(
    r"cells: (?P<own>[\d,]+) rows/s own, (?P<vendor>[\d,]+) rows/s vendor;"
    r" baseline (?P<baseline>[\d,]+) rows/s; ratio own (?P<ratio>\d+\.\d{2}),"
    r" vendor \d+\.\d{2}; whole row: ratio own \d+\.\d{2}, vendor \d+\.\d{2}"
)


def test_the_benchmark_prints_its_figure_and_ratio_against_the_check_before() -> None:
    env = {k: v for k, v in os.environ.items() if k != "JICHITAI_DATABASE_URL"}
    result = subprocess.run(
        [str(BIN), "bench", "cells", "--rows", "2000", "--records", "200", "--template", "30"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    found = LAST_LINE.fullmatch(result.stdout.strip().splitlines()[-1])
    assert found is not None, result.stdout
    assert float(found["ratio"]) > 0
