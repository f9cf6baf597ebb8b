"""End-to-end: `jichitai bench feed` with small numbers seeds a register, starts the real server,
worker and a webhook receiver, commits changes while following the feed, waits for the webhooks,
reads the backlog, measures the raw-select baseline and prints its figure as the last line."""

from __future__ import annotations

import os
import re
import subprocess

import pytest

from tests.e2e.conftest import BIN

pytestmark = pytest.mark.slow  # a benchmark end to end (`make test-fast` leaves it out)

LAST_LINE = re.compile(
    r"feed: (?P<read>[\d,]+) changes/s read; lag p99 (?P<lag>-?\d+) ms;"
    r" webhooks (?P<hooks>[\d,]+)/s delivered; baseline raw select (?P<baseline>[\d,]+) rows/s;"
    r" ratio (?P<ratio>\d+\.\d{4})"
)
SEEDED = re.compile(r"database: sqlite; seeded [\d,]+ residents .* \((?P<journal>[\d,]+) journal")
WRITES = re.compile(r"writes: (?P<changes>[\d,]+) approved changes committed")
LIVE = re.compile(r"live feed: (?P<received>[\d,]+) of (?P<changes>[\d,]+) changes received")
HOOKS = re.compile(
    r"webhooks while writing: (?P<deliveries>[\d,]+) deliveries \((?P<duplicates>\d+)"
    r" duplicates.* of (?P<changes>[\d,]+) changes, in seq order"
)
REPLAYED = re.compile(
    r"webhooks, replayed backlog: (?P<changes>[\d,]+) changes queued again and delivered in"
    r" [\d.]+ s: (?P<rate>[\d,]+) deliveries/s"
)
BACKLOG = re.compile(
    r"backlog: the whole feed from cursor 0 \((?P<read>[\d,]+) changes ="
    r" (?P<seeded>[\d,]+) seeded \+ (?P<measured>[\d,]+) measured"
    r"(?: \+ (?P<own>[\d,]+) told by the register)?\)"
)
BASELINE = re.compile(r"baseline: sqlite3 .*: (?P<rows>[\d,]+) rows in")
TARGET = re.compile(r"target .*: (met|missed) \(.*\)")


def _number(text: str) -> int:
    return int(text.replace(",", ""))


def test_bench_feed_runs_end_to_end_on_sqlite_and_prints_its_figure_last() -> None:
    env = {k: v for k, v in os.environ.items() if k != "JICHITAI_DATABASE_URL"}
    result = subprocess.run(
        [str(BIN), "bench", "feed", "--changes", "300", "--residents", "300"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    lines = out.strip().splitlines()
    found = LAST_LINE.fullmatch(lines[-1])
    assert found, out
    read, baseline = _number(found["read"]), _number(found["baseline"])
    assert read > 0 and baseline > 0 and _number(found["hooks"]) > 0
    assert abs(float(found["ratio"]) - read / baseline) <= 0.0002 + 0.01 * read / baseline, out
    assert [TARGET.fullmatch(line) is not None for line in lines[-4:-1]] == [True] * 3, out

    seeded, writes, live = SEEDED.search(out), WRITES.search(out), LIVE.search(out)
    hooks, backlog, base = HOOKS.search(out), BACKLOG.search(out), BASELINE.search(out)
    replayed = REPLAYED.search(out)
    assert seeded and writes and live and hooks and replayed and backlog and base, out
    assert _number(replayed["changes"]) == 300
    assert _number(replayed["rate"]) == _number(found["hooks"])
    # Every committed change reached the follower and the receiver (duplicates on top), the
    # backlog is the seeded register's journal plus the measured changes, and the baseline
    # selected exactly those rows.
    assert _number(writes["changes"]) == 300
    assert _number(live["received"]) == _number(live["changes"]) == 300
    assert _number(hooks["changes"]) == 300
    assert _number(hooks["deliveries"]) == 300 + int(hooks["duplicates"])
    assert _number(backlog["measured"]) == 300
    assert _number(backlog["seeded"]) == _number(seeded["journal"])
    # The seeded 転出 planned after the benchmark's day whose day has come by the real today
    # are told by the register's own took_effect entries.
    own = _number(backlog["own"] or "0")
    assert _number(backlog["read"]) == _number(seeded["journal"]) + 300 + own
    assert _number(base["rows"]) == _number(backlog["read"])
