"""API benchmark: mixed staff traffic through the real server, beside a trivial-endpoint baseline.

    jichitai bench api                      (--users 50 --duration 30 --residents 10000)

1. A fresh SQLite register in a temporary directory, made with the ``jichitai`` command as an
   operator would: ``db upgrade``, ``municipality add 131016 東京都千代田区``, ``demo seed``, and
   ``user add`` for a few clerks and a reviewer (password on standard input).
2. ``jichitai serve`` on 127.0.0.1 (a free port; one uvicorn worker), Argon2id at the standard
   cost. Every child gets ``JICHITAI_DATABASE_URL`` of that file, whatever the caller's is.
3. Baseline, same run, same server, same process layout: locust (a CLI subprocess: it cannot be
   imported next to ssl, stack.md §1) with the same number of users against ``GET /healthz``,
   which touches no data, for ``baseline_duration`` seconds (a third of ``duration``, 2–10 s).
4. The measured run: locust with bench/locustfile_api.py — clerks searching by kana and by 和暦
   birth date, viewing residents, households and histories, listing drafts and now and then
   submitting a correction, and reviewers approving the drafts — for ``duration`` seconds.
   Every simulated user logs in once, before anything is measured; traffic then runs for a
   warm-up (2 s, less for short runs) before locust's statistics are reset and the window opens.
   Both runs count the same way: req/s, p50 and p99 over the window, errors = every request
   answered with another status than expected (including the warm-up and the log-ins).

Users send their next request as soon as the previous one is answered (no think time): the
figures are the server's capacity and the latency at that load, so by Little's law the mean
latency is about ``users / (req/s)``. ``think_seconds`` paces the users instead (each waits
0.5–1.5 × that between requests), for latency at a given offered load.

One locust process (no ``--processes``): the server has one worker, so it uses one core, and
locust (FastHttpUser, gevent) needs well under one core for either run on a 2-core machine;
forked locust workers would only compete with the server for the same two cores. The CPU time
of the server and of locust over each run is printed, to show which side was the limit.

Locust writes its output to a log in the temporary directory; on failure its tail is printed.
The last line is the figure:
``api: <req/s> req/s; p50 <ms> ms; p99 <ms> ms; errors <n>; baseline trivial endpoint <req/s> req/s; ratio <r>``
"""

from __future__ import annotations

import csv
import json
import os
import random
import secrets
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from bench.support import (
    BenchFailed,
    cpu_seconds,
    executable,
    free_port,
    tail,
    wait_until_healthy,
)

from jichitai.demo.names import FAMILY_NAMES
from jichitai.domain.common.dates import format_wareki

CODE = "131016"
NAME = "東京都千代田区"
LOCUSTFILE = Path(__file__).resolve().parent / "locustfile_api.py"


@dataclass(frozen=True)
class Row:
    """One line of locust's ``*_stats.csv``."""

    name: str
    requests: int
    failures: int
    p50: float
    p99: float
    rate: float


@dataclass(frozen=True)
class Run:
    """What one locust run measured, from its CSV, its failures and the locustfile's report."""

    total: Row
    rows: list[Row]
    failures: list[dict[str, str]]
    report: dict[str, Any]
    server_cpu: float | None
    locust_cpu: float
    wall: float


@dataclass
class Bench:
    directory: Path
    env: dict[str, str]
    jichitai: str
    locust: str
    password: str = field(default_factory=lambda: secrets.token_urlsafe(24))


def _environment(database: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JICHITAI_")}
    env |= {
        "JICHITAI_DATABASE_URL": f"sqlite:///{database}",
        "JICHITAI_PASSWORD_HASH_COST": "standard",
        "JICHITAI_MODE": "development",
        "JICHITAI_SECRET_KEY": secrets.token_urlsafe(48),
        "JICHITAI_TOKEN_MINUTES": "60",
        "JICHITAI_KEY_DIR": str(database.parent / "keys"),  # the run's own signing keys
        "PYTHONUNBUFFERED": "1",
    }
    return env


def _cli(bench: Bench, *args: str, stdin: str | None = None) -> Any:
    result = subprocess.run(
        [bench.jichitai, *args],
        env=bench.env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=3600,
        check=False,
    )
    if result.returncode != 0:
        raise BenchFailed(f"jichitai {' '.join(args[:2])} failed: {result.stderr.strip()[-2000:]}")
    return json.loads(result.stdout) if "--json" in args else result.stdout


def _today_in_japan() -> str:
    """The date the server calls today (Asia/Tokyo), for the drafts' dates."""
    return time.strftime("%Y-%m-%d", time.gmtime(time.time() + 9 * 3600))


def _prepare(bench: Bench, *, residents: int, seed: int, clerks: int) -> dict[str, Any]:
    _cli(bench, "db", "upgrade")
    _cli(bench, "municipality", "add", CODE, NAME, "--json")
    started = time.perf_counter()
    summary = _cli(
        bench,
        *("demo", "seed", "--municipality", CODE),
        *("--residents", str(residents), "--seed", str(seed), "--json"),
    )
    seeded = time.perf_counter() - started
    logins = [f"clerk{i:02d}" for i in range(1, clerks + 1)]
    for login in logins:
        _cli(
            bench,
            *("user", "add", "--municipality", CODE, login, "--role", "clerk", "--json"),
            stdin=bench.password + "\n",
        )
    _cli(
        bench,
        *("user", "add", "--municipality", CODE, "reviewer01", "--role", "reviewer", "--json"),
        stdin=bench.password + "\n",
    )
    return {"summary": summary, "seconds": seeded, "clerks": logins, "reviewers": ["reviewer01"]}


def _birth_dates(database: Path, seed: int, count: int = 500) -> list[str]:
    """和暦 birth dates of living residents, so birth-date searches find someone."""
    with closing(sqlite3.connect(database)) as conn:
        rows = conn.execute(
            "SELECT DISTINCT birth_sort FROM residents"
            " WHERE municipality_code = ? AND status = 'resident' AND birth_sort IS NOT NULL"
            " ORDER BY birth_sort",
            (CODE,),
        ).fetchall()
    days = []
    for (value,) in rows:
        try:
            days.append(date.fromisoformat(str(value)[:10]))
        except ValueError:
            continue
    if not days:
        raise BenchFailed("no living resident with a birth date to search for")
    picked = random.Random(seed).sample(days, min(count, len(days)))
    return [format_wareki(day) for day in picked]


@contextmanager
def _server(bench: Bench, port: int) -> Iterator[subprocess.Popen[bytes]]:
    log = bench.directory / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [bench.jichitai, "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=bench.env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    try:
        wait_until_healthy(proc, port, log)
        yield proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)  # uvicorn finishes its requests and exits
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _read_stats(prefix: Path) -> tuple[Row, list[Row]]:
    path = prefix.with_name(prefix.name + "_stats.csv")
    if not path.exists():
        raise BenchFailed(f"locust wrote no statistics ({path.name})")
    with path.open(newline="", encoding="utf-8") as f:
        rows = [
            Row(
                name=line["Name"],
                requests=int(line["Request Count"]),
                failures=int(line["Failure Count"]),
                p50=float(line["50%"]) if line["50%"] not in ("", "N/A") else 0.0,
                p99=float(line["99%"]) if line["99%"] not in ("", "N/A") else 0.0,
                rate=float(line["Requests/s"]),
            )
            for line in csv.DictReader(f)
        ]
    total = [r for r in rows if r.name == "Aggregated"]
    if not total:
        raise BenchFailed(f"no Aggregated row in {path.name}")
    return total[0], [r for r in rows if r.name != "Aggregated" and r.requests]


def _read_failures(prefix: Path) -> list[dict[str, str]]:
    path = prefix.with_name(prefix.name + "_failures.csv")
    if not path.exists():
        return []
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _locust(
    bench: Bench,
    server: subprocess.Popen[bytes],
    port: int,
    *,
    label: str,
    classes: Sequence[str],
    plan: dict[str, Any],
    spawn_rate: float,
) -> Run:
    """One headless locust run (a subprocess); the locustfile opens and closes the window."""
    users = int(plan["users"])
    report = bench.directory / f"{label}_report.json"
    plan_file = bench.directory / f"{label}_plan.json"
    plan_file.write_text(json.dumps(plan | {"report": str(report)}, ensure_ascii=False), "utf-8")
    prefix = bench.directory / label
    log = bench.directory / f"{label}_locust.log"
    # The locustfile stops the run `duration` s after the last log-in; --run-time is a backstop.
    backstop = int(plan["duration"]) + 120 + users
    command = [
        bench.locust,
        *("-f", str(LOCUSTFILE), "--headless", "--host", f"http://127.0.0.1:{port}"),
        *("--users", str(users), "--spawn-rate", f"{spawn_rate:g}"),
        *("--run-time", f"{backstop}s", "--stop-timeout", "0"),
        *("--csv", str(prefix), "--only-summary", "--exit-code-on-error", "0"),
        *("--loglevel", "WARNING"),
        *classes,
    ]
    env = bench.env | {"JICHITAI_BENCH_PLAN": str(plan_file)}
    server_before = cpu_seconds(server.pid)
    children_before = os.times()
    started = time.perf_counter()
    try:
        with log.open("wb") as out:
            result = subprocess.run(
                command,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                timeout=backstop + 60,
                check=False,
            )
    except subprocess.TimeoutExpired:
        raise BenchFailed(
            f"locust ({label}) did not finish in {backstop + 60} s\n{tail(log)}"
        ) from None
    wall = time.perf_counter() - started
    children_after = os.times()
    server_after = cpu_seconds(server.pid)
    if result.returncode != 0:
        raise BenchFailed(f"locust ({label}) exited with status {result.returncode}\n{tail(log)}")
    if server.poll() is not None:
        server_log = bench.directory / "server.log"
        raise BenchFailed(f"the server stopped during the {label} run\n{tail(server_log)}")
    if not report.exists():
        raise BenchFailed(
            f"the {label} run never started: not every simulated user reached the start"
            f" (log-in refused or too slow)\n{tail(log)}"
        )
    total, rows = _read_stats(prefix)
    return Run(
        total=total,
        rows=rows,
        failures=_read_failures(prefix),
        report=json.loads(report.read_text("utf-8")),
        server_cpu=(
            server_after - server_before
            if server_before is not None and server_after is not None
            else None
        ),
        locust_cpu=(children_after.children_user - children_before.children_user)
        + (children_after.children_system - children_before.children_system),
        wall=wall,
    )


def _cpu_note(run: Run) -> str:
    server = f"server {run.server_cpu:.1f} s" if run.server_cpu is not None else "server ?"
    return (
        f"CPU over the whole locust run ({run.wall:.0f} s): {server}, locust {run.locust_cpu:.1f} s"
    )


def _errors(run: Run) -> int:
    """Failures in the window, plus refused log-ins and failures during the warm-up."""
    report = run.report
    return (
        run.total.failures
        + int(report.get("login_failures", 0))
        + int(report.get("warmup_failures", 0))
    )


def _print_failures(run: Run) -> None:
    for failure in run.failures[:10]:
        print(
            f"  failure: {failure.get('Method', '')} {failure.get('Name', '')}"
            f" x{failure.get('Occurrences', '?')}: {failure.get('Error', '')[:300]}"
        )


def run(
    *,
    residents: int = 10_000,
    users: int = 50,
    duration: int = 30,
    seed: int = 1,
    spawn_rate: float | None = None,
    baseline_duration: int | None = None,
    think_seconds: float = 0.0,
) -> None:
    """Set up, measure the baseline and the staff traffic, print the figures (last line)."""
    if users < 2:
        raise SystemExit("bench api: --users must be at least 2 (clerks and a reviewer)")
    baseline_duration = baseline_duration or min(10, max(2, duration // 3))
    rate = spawn_rate or float(users)
    warmup = min(2.0, duration / 5)
    reviewer_users = max(1, users // 10)
    clerk_logins = max(1, min(5, users - reviewer_users))
    try:
        with tempfile.TemporaryDirectory(prefix="jichitai-bench-api-") as tmp:
            directory = Path(tmp)
            database = directory / "bench.db"
            bench = Bench(
                directory=directory,
                env=_environment(database),
                jichitai=executable("jichitai"),
                locust=executable("locust"),
            )
            setup = _prepare(bench, residents=residents, seed=seed, clerks=clerk_logins)
            summary = setup["summary"]
            print(
                f"seeded {summary['residents']:,} residents in {summary['households']:,}"
                f" households ({summary['removed']:,} removed records) in {setup['seconds']:.1f} s;"
                f" {clerk_logins} clerk logins, 1 reviewer login"
            )
            common = {
                "seed": seed,
                "users": users,
                "think_seconds": think_seconds,
                "warmup": warmup,
                "password": bench.password,
            }
            traffic = common | {
                "duration": duration,
                "clerks": setup["clerks"],
                "reviewers": setup["reviewers"],
                "reviewer_users": reviewer_users,
                "kana": [n.kana for n in FAMILY_NAMES],
                "birth_dates": _birth_dates(database, seed),
                "today": _today_in_japan(),
            }
            port = free_port()
            with _server(bench, port) as server:
                print(f"server: jichitai serve on 127.0.0.1:{port} (1 worker); load: locust CLI")
                base = _locust(
                    bench,
                    server,
                    port,
                    label="baseline",
                    classes=["HealthUser"],
                    plan=common | {"duration": baseline_duration},
                    spawn_rate=rate,
                )
                print(
                    f"baseline GET /healthz: {users} users, {baseline_duration} s:"
                    f" {base.total.rate:,.0f} req/s, p50 {base.total.p50:.0f} ms,"
                    f" p99 {base.total.p99:.0f} ms, {_errors(base)} errors; {_cpu_note(base)}"
                )
                _print_failures(base)
                main = _locust(
                    bench,
                    server,
                    port,
                    label="api",
                    classes=["ClerkUser", "ReviewerUser"],
                    plan=traffic,
                    spawn_rate=rate,
                )
            report = main.report
            print(
                f"log-ins before the window: {report['logins']} in {report['login_seconds']:.1f} s"
                f" (Argon2id, standard cost), median {report['login_median_ms']:.0f} ms,"
                f" max {report['login_max_ms']:.0f} ms, {report['login_failures']} refused"
            )
            print(
                f"staff traffic: {users} users ({users - reviewer_users} clerks,"
                f" {reviewer_users} reviewers), {duration} s"
                + (f", think time {think_seconds:g} s" if think_seconds else ", no think time")
                + f"; {_cpu_note(main)}"
            )
            width = max((len(r.name) for r in main.rows), default=0)
            for r in sorted(main.rows, key=lambda r: -r.requests):
                print(
                    f"  {r.name:<{width}}  {r.requests:>7,} req  {r.rate:>7,.1f} req/s"
                    f"  p50 {r.p50:>4.0f} ms  p99 {r.p99:>4.0f} ms  {r.failures} failed"
                )
            _print_failures(main)
            ratio = main.total.rate / base.total.rate if base.total.rate else 0.0
            print(
                f"api: {main.total.rate:,.0f} req/s; p50 {main.total.p50:.0f} ms;"
                f" p99 {main.total.p99:.0f} ms; errors {_errors(main)};"
                f" baseline trivial endpoint {base.total.rate:,.0f} req/s; ratio {ratio:.2f}"
            )
    except BenchFailed as failure:
        print(f"bench api failed: {failure}", file=sys.stderr)
        raise SystemExit(1) from None
