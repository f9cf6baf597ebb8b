"""Feed benchmark: how fast business systems get the changes, by the feed and by webhooks.

    jichitai bench feed --changes 50000                       (or: make bench)
    scripts/with-postgres.sh jichitai bench feed --changes 50000

1. A fresh database: an SQLite file in a temporary directory, or — when ``--database-url`` or
   ``JICHITAI_DATABASE_URL`` names PostgreSQL — a new database created on that server for the
   run and dropped afterwards. Upgraded, given the municipality 131016 and a base register of
   ``--residents`` living persons with the demo generator (as ``jichitai demo seed`` does).
2. A webhook receiver on 127.0.0.1 in a process of its own (``ThreadingHTTPServer``, HTTP/1.1
   keep-alive): it verifies every signature with the subscriber's secret and records (seq,
   idempotency key, receive time). A subscriber (児童手当) is registered with its webhook URL.
3. The real ``jichitai serve`` (127.0.0.1, a free port) and the real ``jichitai worker``, both
   subprocesses on the same database.
4. The measured stream: ``--changes`` approved changes through ``RegisterService.record_changes``
   in this process, ``--batch`` per transaction, with the change generator of bench/register.py
   (refused ones are replaced until that many are committed), as fast as they go. The commit time
   of a change is when the ``record_changes`` call of its batch returned. Meanwhile a reader
   thread follows ``GET /integration/v1/changes?after=<cursor>&limit=1000`` (again at once
   when ``has_more``, after 20 ms when nothing came): lag = time it received a change − its
   commit time (one clock, ``perf_counter``, one process).
5. Webhooks: once every change is committed, the benchmark waits (with a timeout) until the
   receiver has every one (every committed change must arrive, with a valid signature, its
   duplicates (at least once) with the same idempotency key, first receipts in sequence order).
   While changes are being written the worker can go no faster than they are committed, so the
   worker's capacity is measured next: every measured change is queued again (``replay`` from
   the seeded head) and the same worker delivers that backlog; deliveries/s = changes ÷ the time
   from the replay to the last delivery. The live pace is printed too.
6. Backlog: a second reader reads the whole feed from cursor 0 as fast as it can (after the
   webhooks are delivered, so nothing else runs): changes/s read.
7. Baseline, same run, same database: the raw driver (``sqlite3`` / psycopg) pages through the
   same journal rows, ``SELECT * FROM journal WHERE municipality_code = ? AND seq > ? ORDER BY
   seq LIMIT 1000``: rows/s. ratio = changes/s read ÷ baseline rows/s.

The targets (lag p99 ≤ 1000 ms, ≥ 5000 changes/s read, ≥ 300 webhook deliveries/s) are printed
met or missed; the last line is the figure:
``feed: <changes/s> changes/s read; lag p99 <ms> ms; webhooks <n>/s delivered; baseline raw select <rows/s> rows/s; ratio <r>``
"""

from __future__ import annotations

import http.client
import json
import multiprocessing
import os
import random
import secrets
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Event
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import orjson
from bench.register import (
    CODE,
    TODAY,
    SeededRandom,
    State,
    change_stream,
    follow,
    load_state,
)
from bench.support import (
    BenchFailed,
    cpu_seconds,
    executable,
    free_port,
    seed_demo,
    tail,
    wait_until_healthy,
)
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from jichitai.adapters.clock import SystemClock
from jichitai.adapters.db import tables as t
from jichitai.bootstrap import App, bootstrap
from jichitai.config import Settings
from jichitai.domain.access.actor import Actor
from jichitai.domain.access.roles import Role
from jichitai.domain.errors import DomainError
from jichitai.domain.integration.destinations import parse_networks
from jichitai.domain.integration.feed import NOT_CHANGES
from jichitai.domain.integration.signing import SIGNATURE_HEADER, verify
from jichitai.domain.integration.subscribers import MY_NUMBER_ITEM
from jichitai.services.register import ChangeResult
from jichitai.services.webhooks import CURSOR_HEADER, IDEMPOTENCY_HEADER

ADMINISTRATOR = Actor("bench", CODE, frozenset({Role.ADMINISTRATOR}))
"""Who registers the benchmark's subscriber (the service checks an administrator's right)."""

NAME = "東京都千代田区"
PAGE = 1_000
EMPTY_SLEEP = 0.020
ITEMS = 30
"""The subscriber receives the first ``ITEMS`` items of the 住民 file (its My Number excepted)."""
TARGET_LAG_MS = 1_000.0
TARGET_READ = 5_000.0
TARGET_WEBHOOKS = 300.0


class RealTimeClock:
    """Real time for the records (recorded_at, the outbox), the generator's day as today, so
    the changes of bench/register.py stay valid whatever day the benchmark runs."""

    def __init__(self) -> None:
        self._system = SystemClock()

    def now(self) -> datetime:
        return self._system.now()

    def today(self) -> date:
        return TODAY


# -- the webhook receiver (a process of its own) -------------------------------------------------


@dataclass(frozen=True)
class Delivery:
    seq: int
    key: str
    at: float  # time.time() in the receiver
    kind: str  # the change's kind (took_effect and protection entries are the register's own)


def _receiver_main(
    port: int, secrets_in: Queue[str], received: Any, total: Any, stop: Event, out: Queue[Any]
) -> None:
    """Serve POST /hook until ``stop``; then put (deliveries, bad signatures) on ``out``."""
    secret = secrets_in.get()
    lock = threading.Lock()
    deliveries: list[tuple[int, str, float, str]] = []
    seen: set[int] = set()
    bad = [0]

    class Hook(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            at = time.time()
            ok = verify(secret, self.headers.get(SIGNATURE_HEADER, ""), body, int(at))
            cursor = self.headers.get(CURSOR_HEADER, "")
            if ok and cursor.isdigit():
                seq = int(cursor)
                kind = str(json.loads(body).get("kind", ""))
                with lock:
                    deliveries.append((seq, self.headers.get(IDEMPOTENCY_HEADER, ""), at, kind))
                    if kind not in NOT_CHANGES:  # the counts are of the benchmark's changes
                        total.value += 1
                        if seq not in seen:
                            seen.add(seq)
                            received.value = len(seen)
                self.send_response(200)
            else:
                with lock:
                    bad[0] += 1
                self.send_response(401)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Hook)
    server.daemon_threads = True
    serving = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    serving.start()
    stop.wait()
    server.shutdown()
    server.server_close()
    with lock:
        out.put((deliveries, bad[0]))


class Receiver:
    def __init__(self, port: int) -> None:
        ctx = multiprocessing.get_context("spawn")
        self.port = port
        self._secret: Queue[str] = ctx.Queue()
        self._out: Queue[Any] = ctx.Queue()
        self._stop = ctx.Event()
        self.received = ctx.Value("i", 0)
        self.total = ctx.Value("i", 0)
        self.process = ctx.Process(
            target=_receiver_main,
            args=(port, self._secret, self.received, self.total, self._stop, self._out),
            daemon=True,
        )
        self.process.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def arm(self, secret: str) -> None:
        self._secret.put(secret)

    def count(self) -> int:
        """Changes received (each once)."""
        value: int = self.received.value
        return value

    def deliveries(self) -> int:
        """Deliveries received (redeliveries included)."""
        value: int = self.total.value
        return value

    def finish(self) -> tuple[list[Delivery], int]:
        self._stop.set()
        deliveries, bad = self._out.get(timeout=60)
        self.process.join(timeout=10)
        return [Delivery(*d) for d in deliveries], bad

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
            self.process.join()


# -- the feed reader -----------------------------------------------------------------------------


class FeedReader:
    """A business system following the feed over one kept-alive HTTP connection."""

    def __init__(self, port: int, api_key: str, after: int) -> None:
        self._connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self._headers = {"Authorization": f"Bearer {api_key}"}
        self.cursor = str(after)
        self.requests = 0

    def page(self) -> tuple[list[dict[str, Any]], bool]:
        query = urlencode({"after": self.cursor, "limit": PAGE})
        self._connection.request("GET", f"/integration/v1/changes?{query}", headers=self._headers)
        response = self._connection.getresponse()
        body = response.read()
        self.requests += 1
        if response.status != 200:
            raise BenchFailed(f"the feed answered {response.status}: {body[:500]!r}")
        page = orjson.loads(body)
        self.cursor = page["next_cursor"]
        changes: list[dict[str, Any]] = page["changes"]
        return changes, bool(page["has_more"])

    def close(self) -> None:
        self._connection.close()


class Follower(threading.Thread):
    """Follows the feed while the changes are written: seq → perf_counter() when received."""

    def __init__(self, port: int, api_key: str, after: int) -> None:
        super().__init__(daemon=True, name="feed-follower")
        self.port = port
        self.api_key = api_key
        self.after = after
        self.received: dict[int, float] = {}
        self.last_seq: int | None = None  # set by the writer when it is done: follow up to here
        self.error: BaseException | None = None
        self.pages = 0
        self.empty_polls = 0
        self.page_ms: list[float] = []  # how long each request took (sent → answer parsed)

    def run(self) -> None:
        reader = FeedReader(self.port, self.api_key, self.after)
        try:
            while True:
                asked = time.perf_counter()
                changes, more = reader.page()
                now = time.perf_counter()
                self.pages += 1
                self.page_ms.append((now - asked) * 1000)
                for change in changes:
                    self.received[int(change["seq"])] = now
                done = self.last_seq
                if done is not None and int(reader.cursor) >= done:
                    return
                if not changes:
                    self.empty_polls += 1
                    time.sleep(EMPTY_SLEEP)
                elif not more:
                    # Caught up: the next change has not been committed yet.
                    time.sleep(EMPTY_SLEEP)
        except BaseException as error:  # reported by the main thread
            self.error = error
        finally:
            reader.close()


def read_backlog(port: int, api_key: str) -> tuple[int, int, float]:
    """Read the whole feed from cursor 0 as fast as possible: (changes, last seq, seconds)."""
    reader = FeedReader(port, api_key, 0)
    count = 0
    last = 0
    started = time.perf_counter()
    try:
        while True:
            changes, more = reader.page()
            count += len(changes)
            if changes:
                last = int(changes[-1]["seq"])
            if not more:
                break
    finally:
        reader.close()
    return count, last, time.perf_counter() - started


# -- the baseline --------------------------------------------------------------------------------

SELECT_SQLITE = (
    "SELECT * FROM journal WHERE municipality_code = ? AND seq > ? ORDER BY seq LIMIT 1000"
)
SELECT_POSTGRESQL = (
    "SELECT * FROM journal WHERE municipality_code = %s AND seq > %s ORDER BY seq LIMIT 1000"
)


def baseline(url: str) -> tuple[int, float]:
    """The raw driver paging through the municipality's journal: (rows, seconds)."""
    parsed = make_url(url)
    rows = 0
    if parsed.get_backend_name() == "sqlite":
        conn = sqlite3.connect(str(parsed.database))
        try:
            started = time.perf_counter()
            after = 0
            while page := conn.execute(SELECT_SQLITE, (CODE, after)).fetchall():
                rows += len(page)
                after = page[-1][1]
            return rows, time.perf_counter() - started
        finally:
            conn.close()
    import psycopg  # installed with the project; only needed here

    with psycopg.connect(_plain(url)) as pg:
        started = time.perf_counter()
        after = 0
        while page := pg.execute(SELECT_POSTGRESQL, (CODE, after)).fetchall():
            rows += len(page)
            after = page[-1][1]
        return rows, time.perf_counter() - started


# -- processes -----------------------------------------------------------------------------------


RECEIVER_NETWORK = "127.0.0.1/32"
"""The bench's webhook receiver listens on 127.0.0.1: allowed explicitly, as a deployment with an
internal receiver would (``JICHITAI_WEBHOOK_ALLOWED_NETWORKS``)."""


def _environment(url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JICHITAI_")}
    env |= {
        "JICHITAI_DATABASE_URL": url,
        "JICHITAI_WEBHOOK_ALLOWED_NETWORKS": RECEIVER_NETWORK,
        # The bench's readers poll as fast as they can (a follower up to 50 a second): the
        # per-subscriber limit of a deployment would throttle the measurement itself.
        "JICHITAI_INTEGRATION_LIMIT": "1000000",
        "JICHITAI_MODE": "development",
        "JICHITAI_SECRET_KEY": secrets.token_urlsafe(48),
        "PYTHONUNBUFFERED": "1",
    }
    return env


@contextmanager
def _process(
    command: list[str], env: dict[str, str], log: Path, stop: int
) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as out:
        proc = subprocess.Popen(
            command, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.send_signal(stop)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


# -- databases -----------------------------------------------------------------------------------


def _plain(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


@contextmanager
def _database(database_url: str | None, directory: Path) -> Iterator[str]:
    """A fresh database for the run: an SQLite file, or a new PostgreSQL database (dropped)."""
    server = database_url or os.environ.get("JICHITAI_DATABASE_URL", "").strip()
    if not server.startswith("postgresql"):
        yield f"sqlite:///{directory / 'feed.db'}"
        return
    import psycopg

    name = f"bench_feed_{uuid.uuid4().hex[:12]}"
    plain = _plain(server)
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = "postgresql+psycopg://" + plain.removeprefix("postgresql://").rsplit("/", 1)[0]
    try:
        yield f"{url}/{name}"
    finally:
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# -- the writer ----------------------------------------------------------------------------------


@dataclass
class Written:
    committed: dict[int, float]  # seq → perf_counter() when its batch's record_changes returned
    refused: Counter[str]
    seconds: float


def write(app: App, state: State, seed: int, changes: int, batch: int) -> Written:
    """Commit ``changes`` approved changes, ``batch`` per transaction, as fast as they go."""
    rng = random.Random(seed)
    committed: dict[int, float] = {}
    refused: Counter[str] = Counter()
    started = time.perf_counter()
    while len(committed) < changes:
        stream = change_stream(state, rng, set())
        chunk = [next(stream) for _ in range(min(batch, changes - len(committed)))]
        outcomes: list[ChangeResult | DomainError]
        outcomes = app.register.record_changes(CODE, [command for _, command in chunk])
        at = time.perf_counter()
        for (household, command), outcome in zip(chunk, outcomes, strict=True):
            if isinstance(outcome, ChangeResult):
                committed[outcome.seq] = at
                follow(state, household, command, outcome)
            else:
                refused[outcome.code] += 1
    return Written(committed, refused, time.perf_counter() - started)


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def _target(label: str, value: float, goal: float, unit: str, *, at_most: bool = False) -> str:
    met = value <= goal if at_most else value >= goal
    sign = "≤" if at_most else "≥"
    return f"target {label} {sign} {goal:,.0f} {unit}: {'met' if met else 'missed'} ({value:,.1f} {unit})"


# -- the run -------------------------------------------------------------------------------------


def run(
    *,
    changes: int,
    residents: int = 3_000,
    seed: int = 1,
    batch: int = 100,
    database_url: str | None = None,
    webhook_timeout: float | None = None,
) -> None:
    if changes < 1 or residents < 1 or batch < 1:
        raise SystemExit("bench feed: --changes, --residents and --batch must be at least 1")
    try:
        with (
            tempfile.TemporaryDirectory(prefix="jichitai-bench-feed-") as tmp,
            ExitStack() as stack,
        ):
            directory = Path(tmp)
            receiver = Receiver(free_port())
            stack.callback(receiver.kill)
            url = stack.enter_context(_database(database_url, directory))
            kind = make_url(url).get_backend_name()
            if kind not in ("sqlite", "postgresql"):
                raise BenchFailed(f"unsupported database {kind!r} (sqlite or postgresql)")
            _run(
                stack,
                directory,
                url,
                kind,
                receiver,
                changes,
                residents,
                seed,
                batch,
                webhook_timeout,
            )
    except BenchFailed as failure:
        print(f"bench feed failed: {failure}", file=sys.stderr)
        raise SystemExit(1) from failure


def _run(
    stack: ExitStack,
    directory: Path,
    url: str,
    kind: str,
    receiver: Receiver,
    changes: int,
    residents: int,
    seed: int,
    batch: int,
    webhook_timeout: float | None,
) -> None:
    settings = Settings(database_url=url, webhook_allowed_networks=parse_networks(RECEIVER_NETWORK))
    app = bootstrap(settings, clock=RealTimeClock(), random=SeededRandom(seed))
    stack.callback(app.engine.dispose)
    app.upgrade_database()
    app.municipalities.add(CODE, NAME)
    started = time.perf_counter()
    seed_demo(app, CODE, residents, seed, TODAY)
    state = load_state(app)
    living = sum(len(h.members) for h in state.households.values())
    with app.engine.connect() as conn:
        seeded_head = conn.execute(
            select(func.max(t.journal.c.seq)).where(t.journal.c.municipality_code == CODE)
        ).scalar_one()
    print(
        f"database: {kind}; seeded {living:,} residents in {len(state.households):,} households"
        f" ({seeded_head:,} journal entries) in {time.perf_counter() - started:.1f} s"
    )

    items = [name for name in app.integration.item_names if name != MY_NUMBER_ITEM][:ITEMS]
    credentials = app.subscribers.add(
        ADMINISTRATOR,
        name="児童手当システム（ベンチ）",
        system="child_allowance",
        items=items,
        webhook_url=receiver.url,
    )
    assert credentials.webhook_secret is not None
    receiver.arm(credentials.webhook_secret)

    env = _environment(url)
    jichitai = executable("jichitai")
    port = free_port()
    server_log = directory / "server.log"
    server = stack.enter_context(
        _process(
            [jichitai, "serve", "--host", "127.0.0.1", "--port", str(port)],
            env,
            server_log,
            signal.SIGINT,
        )
    )
    wait_until_healthy(server, port, server_log)
    worker_log = directory / "worker.log"
    worker = stack.enter_context(_process([jichitai, "worker"], env, worker_log, signal.SIGTERM))
    print(
        f"server: jichitai serve on 127.0.0.1:{port} (pid {server.pid}); jichitai worker"
        f" (pid {worker.pid}); webhook receiver {receiver.url} (pid {receiver.process.pid})"
    )

    # -- writes, followed live --------------------------------------------------------------------
    cpu_before = {p.pid: cpu_seconds(p.pid) for p in (server, worker)}
    follower = Follower(port, credentials.api_key, seeded_head)
    follower.start()
    written = write(app, state, seed, changes, batch)
    writes_ended = time.time()  # the receiver's clock
    last_seq = max(written.committed)
    follower.last_seq = last_seq
    follower.join(timeout=120)
    if follower.error is not None:
        raise BenchFailed(f"the feed reader failed: {follower.error!r}")
    if follower.is_alive():
        raise BenchFailed("the feed reader did not reach the last change within 120 s")
    rate = changes / written.seconds
    print(
        f"writes: {changes:,} approved changes committed, {batch} per transaction, in"
        f" {written.seconds:.1f} s: {rate:,.0f} changes/s"
        f" ({sum(written.refused.values()):,} refused by the rules and replaced:"
        f" {dict(written.refused.most_common())})"
    )
    missing = set(written.committed) - set(follower.received)
    if missing:
        raise BenchFailed(f"the feed reader never received {len(missing)} committed changes")
    lags = [(follower.received[s] - at) * 1000 for s, at in written.committed.items()]
    lag_p50, lag_p99, lag_max = _p(lags, 0.50), _p(lags, 0.99), max(lags)
    print(
        f"live feed: {len(written.committed):,} of {changes:,} changes received by the follower"
        f" in {follower.pages:,} pages ({follower.empty_polls:,} empty);"
        f" lag p50 {lag_p50:.0f} ms, p99 {lag_p99:.0f} ms, max {lag_max:.0f} ms;"
        f" one request took p50 {_p(follower.page_ms, 0.5):.0f} ms, max"
        f" {max(follower.page_ms):.0f} ms for {len(written.committed) / follower.pages:,.0f}"
        " changes a page on average"
    )

    # -- webhooks ---------------------------------------------------------------------------------
    timeout = webhook_timeout if webhook_timeout is not None else 120 + changes / 50
    deadline = time.monotonic() + timeout
    while receiver.count() < changes and time.monotonic() < deadline:
        if worker.poll() is not None:
            raise BenchFailed(
                f"the worker exited with status {worker.returncode}\n{tail(worker_log)}"
            )
        time.sleep(0.1)
    cpu_after = {p.pid: cpu_seconds(p.pid) for p in (server, worker)}
    if receiver.count() < changes:
        raise BenchFailed(
            f"only {receiver.count():,} of {changes:,} webhooks were delivered within"
            f" {timeout:.0f} s\n{tail(worker_log)}"
        )
    # The worker's capacity: while the changes are written it can go no faster than they are
    # committed, so every change is queued again (replay from the seeded head) and the same
    # worker delivers the backlog of ``changes`` as fast as it can.
    before = receiver.deliveries()
    replay_started = time.perf_counter()
    app.subscribers.replay(ADMINISTRATOR, credentials.subscriber.subscriber_id, seeded_head)
    deadline = time.monotonic() + timeout
    while receiver.deliveries() < before + changes and time.monotonic() < deadline:
        if worker.poll() is not None:
            raise BenchFailed(
                f"the worker exited with status {worker.returncode}\n{tail(worker_log)}"
            )
        time.sleep(0.05)
    replay_seconds = time.perf_counter() - replay_started
    if receiver.deliveries() < before + changes:
        raise BenchFailed(f"the replayed backlog was not delivered within {timeout:.0f} s")
    backlog_rate = changes / replay_seconds
    received, bad = receiver.finish()
    # The register appends entries of its own (NOT_CHANGES): the seeded 転出 planned after the
    # benchmark's day whose day has come by the service's real today are told by took_effect
    # entries, delivered among the benchmark's changes. They are left out of its counts.
    deliveries = [d for d in received if d.kind not in NOT_CHANGES]
    live_rate, duplicates = check_deliveries(deliveries[:before], written.committed, bad)
    check_deliveries(deliveries[before:], written.committed, 0)
    print(
        f"webhooks while writing: {before:,} deliveries ({duplicates} duplicates, each with its"
        f" first idempotency key; {bad} refused signatures) of {changes:,} changes, in seq"
        f" order: {live_rate:,.0f} deliveries/s from the first to the last"
    )
    print(
        f"webhooks, replayed backlog: {changes:,} changes queued again and delivered in"
        f" {replay_seconds:.1f} s: {backlog_rate:,.0f} deliveries/s (the worker's capacity)"
    )
    after_writes = [d.at for d in deliveries[:before] if d.at > writes_ended]
    if after_writes:
        span = max(after_writes) - writes_ended
        print(
            f"webhooks after the last commit: {len(after_writes):,} deliveries in {span:.1f} s"
            f" ({len(after_writes) / span if span > 0 else 0:,.0f}/s: the worker's own pace;"
            " while the changes are written it cannot go faster than they are committed)"
        )
    else:
        print("webhooks after the last commit: none (the worker kept up with the writes)")
    for label, proc in (("server", server), ("worker", worker)):
        cpu_start, cpu_end = cpu_before[proc.pid], cpu_after[proc.pid]
        if cpu_start is not None and cpu_end is not None:
            print(f"cpu while writing and delivering: {label} {cpu_end - cpu_start:.1f} s")

    # -- the backlog and the baseline ------------------------------------------------------------
    read, read_last, read_seconds = read_backlog(port, credentials.api_key)
    own = read - seeded_head - changes  # took_effect entries of seeded planned 転出 (above)
    if read_last < last_seq or read != read_last or own < 0:
        raise BenchFailed(
            f"the backlog reader read {read} changes up to {read_last}, not {last_seq}"
        )
    read_rate = read / read_seconds
    told = f" + {own:,} told by the register" if own else ""
    print(
        f"backlog: the whole feed from cursor 0 ({read:,} changes = {seeded_head:,} seeded +"
        f" {changes:,} measured{told}) in {read_seconds:.2f} s: {read_rate:,.0f} changes/s read"
    )
    base_rows, base_seconds = baseline(url)
    if base_rows != read:
        raise BenchFailed(f"the baseline selected {base_rows} rows, the feed has {read}")
    base_rate = base_rows / base_seconds
    ratio = read_rate / base_rate
    driver = "sqlite3" if kind == "sqlite" else "psycopg"
    print(
        f"baseline: {driver} SELECT * FROM journal … ORDER BY seq LIMIT 1000, paged: {base_rows:,}"
        f" rows in {base_seconds:.2f} s: {base_rate:,.0f} rows/s"
    )
    print(_target("lag p99", lag_p99, TARGET_LAG_MS, "ms", at_most=True))
    print(_target("read", read_rate, TARGET_READ, "changes/s"))
    print(_target("webhooks", backlog_rate, TARGET_WEBHOOKS, "deliveries/s"))
    print(
        f"feed: {read_rate:,.0f} changes/s read; lag p99 {lag_p99:.0f} ms;"
        f" webhooks {backlog_rate:,.0f}/s delivered; baseline raw select {base_rate:,.0f} rows/s;"
        f" ratio {ratio:.4f}"
    )


def check_deliveries(
    deliveries: list[Delivery], committed: dict[int, float], bad: int
) -> tuple[float, int]:
    """Every committed change delivered, duplicates with the same key, first receipts in seq
    order: (deliveries/s from the first to the last delivery, duplicates)."""
    if bad:
        raise BenchFailed(f"{bad} webhook deliveries had a wrong signature")
    keys: dict[int, str] = {}
    order: list[int] = []
    duplicates = 0
    for d in deliveries:
        if d.seq in keys:
            duplicates += 1
            if keys[d.seq] != d.key:
                raise BenchFailed(f"seq {d.seq} was delivered again with another idempotency key")
            continue
        keys[d.seq] = d.key
        order.append(d.seq)
    if set(keys) != set(committed):
        extra, lost = set(keys) - set(committed), set(committed) - set(keys)
        raise BenchFailed(f"webhooks: {len(lost)} changes never delivered, {len(extra)} unknown")
    if order != sorted(order):
        raise BenchFailed("webhooks were not delivered in seq order")
    times = [d.at for d in deliveries]
    span = max(times) - min(times)
    return (len(deliveries) / span if span > 0 else float(len(deliveries))), duplicates
