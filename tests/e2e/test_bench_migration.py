"""End-to-end: `jichitai bench migration` with tiny numbers seeds and exports a template, replicates
it into a bigger export, imports that with `jichitai layout import` (a subprocess), writes the same
register as a foreign vendor would (cp932, standard items, no manifest, private-use 外字 with a
map) and imports that too, measures the raw-insert baseline and prints its figure as the last
line."""

from __future__ import annotations

import os
import re
import subprocess

import pytest

from tests.e2e.conftest import BIN

pytestmark = pytest.mark.slow  # a benchmark end to end (`make test-fast` leaves it out)

LAST_LINE = re.compile(
    r"migration: (?P<rate>[\d,]+) persons/s; peak memory (?P<peak>[\d,]+) MB;"
    r" baseline raw insert (?P<baseline>[\d,]+) rows/s; ratio (?P<ratio>\d+\.\d{2});"
    r" vendor (?P<vendor>[\d,]+) persons/s; vendor/current (?P<vendor_ratio>\d+\.\d{2})"
)
VENDOR_FORM = re.compile(r"vendor form: cp932, standard items only, no manifest\.json: ")
VENDOR = re.compile(
    r"vendor import: jichitai layout import --encoding cp932 --gaiji-map"
    r" \(municipality \d{6}\): (?P<persons>[\d,]+) persons, .*: (?P<rate>[\d,]+) persons/s;"
    r" peak memory [\d,]+ MB .*; vendor/current (?P<ratio>\d+\.\d{2})"
)
TARGET = re.compile(r"target vendor/current ≥ 0\.80: (met|missed) \((?P<ratio>\d+\.\d{2})\)")
GENERATED = re.compile(
    r"generation: (?P<copies>[\d,]+) copies of the template = (?P<persons>[\d,]+) persons"
)
IMPORTED = re.compile(
    r"import: jichitai layout import \(municipality \d{6}\): (?P<persons>[\d,]+) persons"
)


def _number(text: str) -> int:
    return int(text.replace(",", ""))


def test_bench_migration_runs_end_to_end_on_sqlite_and_prints_its_figure_last() -> None:
    # Without JICHITAI_DATABASE_URL the benchmark imports into an SQLite file of its own.
    env = {k: v for k, v in os.environ.items() if k != "JICHITAI_DATABASE_URL"}
    result = subprocess.run(
        [str(BIN), "bench", "migration", "--persons", "300", "--template", "150"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.strip().splitlines()
    found = LAST_LINE.fullmatch(lines[-1])
    assert found, result.stdout
    assert lines[-2] == "database: sqlite", result.stdout
    rate, baseline = _number(found["rate"]), _number(found["baseline"])
    assert rate > 0
    assert _number(found["peak"]) > 0
    assert baseline > 0
    assert abs(float(found["ratio"]) - rate / baseline) <= 0.006, result.stdout
    generated = GENERATED.search(result.stdout)
    imported = IMPORTED.search(result.stdout)
    assert generated and imported, result.stdout
    # Whole copies of the template only: at least the persons asked for, all of them imported.
    assert _number(generated["persons"]) >= 300
    assert _number(generated["copies"]) >= 2
    assert imported["persons"] == generated["persons"]
    # The foreign vendor's form of the same register: all of it imported (its line, the
    # vendor/current ratio and its target printed; not the ratio's value: timing is noisy).
    assert VENDOR_FORM.search(result.stdout), result.stdout
    vendor = VENDOR.search(result.stdout)
    assert vendor, result.stdout
    assert vendor["persons"] == generated["persons"]
    assert _number(vendor["rate"]) > 0
    target = TARGET.search(result.stdout)
    assert target, result.stdout
    assert target["ratio"] == vendor["ratio"] == found["vendor_ratio"]
    assert _number(found["vendor"]) == _number(vendor["rate"])
