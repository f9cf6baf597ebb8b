"""End-to-end: `jichitai bench certificates` with a small count prints its figure last."""

from __future__ import annotations

import os
import re
import subprocess

import pytest

from tests.e2e.conftest import BIN

pytestmark = pytest.mark.slow  # a benchmark end to end (`make test-fast` leaves it out)

LAST_LINE = re.compile(
    r"certificates: (?P<signed>[\d,.]+)/s signed, (?P<unsigned>[\d,.]+)/s unsigned;"
    r" p99 (?P<p99>\d+) ms; baseline raw page drawing (?P<baseline>[\d,.]+)/s;"
    r" ratio (?P<ratio>[\d.]+)"
)


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def test_bench_certificates_issues_draws_and_prints_its_figure_last() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JICHITAI_")}
    result = subprocess.run(
        [str(BIN), "bench", "certificates", "--count", "5", "--residents", "40"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.strip().splitlines()
    found = LAST_LINE.fullmatch(lines[-1])
    assert found, result.stdout
    unsigned, baseline = _number(found["unsigned"]), _number(found["baseline"])
    assert _number(found["signed"]) > 0 and unsigned > 0 and baseline > 0
    assert abs(float(found["ratio"]) - unsigned / baseline) <= 0.01 + 0.01 * unsigned / baseline
    assert re.search(
        r"signed: 5 住民票の写し \(\d+ pages\) issued through the service", result.stdout
    )
    assert [line.startswith("target ") for line in lines[-4:-1]] == [True] * 3
