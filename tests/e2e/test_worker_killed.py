"""End-to-end: `jichitai worker` killed (SIGKILL) in the middle of a webhook delivery. Its lease
runs out, a new worker delivers everything again from the unacknowledged change, in feed order,
and a change received twice carries the same Idempotency-Key both times."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import BIN, Cli

CODE = "131016"
RECEIVERS = {"JICHITAI_WEBHOOK_ALLOWED_NETWORKS": "127.0.0.1/32"}
"""The receiver listens on 127.0.0.1: webhooks may go there only because this allows it."""


@dataclass
class Delivery:
    seq: int
    cursor_header: str
    idempotency_key: str
    event_id: str


@dataclass
class Receiver:
    """Takes the first delivery and never answers it; answers 200 once ``answering`` is set."""

    deliveries: list[Delivery] = field(default_factory=list)
    first_arrived: threading.Event = field(default_factory=threading.Event)
    answering: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def received(self) -> int:
        """How many different changes arrived."""
        with self.lock:
            return len({d.seq for d in self.deliveries})

    def take(self, delivery: Delivery) -> bool:
        """Record a delivery; whether to answer it."""
        with self.lock:
            self.deliveries.append(delivery)
        if not self.first_arrived.is_set():
            self.first_arrived.set()
            self.answering.wait(60)  # hang: the worker is mid-delivery until it is killed
            return False
        return True


def handler_for(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            change = json.loads(body)
            delivery = Delivery(
                seq=change["seq"],
                cursor_header=self.headers.get("X-Jichitai-Cursor", ""),
                idempotency_key=self.headers.get("Idempotency-Key", ""),
                event_id=change["event_id"],
            )
            if receiver.take(delivery):
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

    return Handler


@pytest.fixture
def receiver() -> Iterator[tuple[Receiver, str]]:
    state = Receiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(state))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state, f"http://127.0.0.1:{server.server_address[1]}/hook"
    finally:
        state.answering.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def wait_for(
    what: str, check: Callable[[], bool], timeout: float = 20.0, every: float = 0.05
) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(every)


def a_worker(cli: Cli, timeout: str, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **cli.env,
        **RECEIVERS,
        "JICHITAI_WEBHOOK_LEASE_SECONDS": "1",
        "JICHITAI_WEBHOOK_TIMEOUT": timeout,
        "JICHITAI_WEBHOOK_BACKOFF_BASE": "0.1",
        "JICHITAI_WEBHOOK_BACKOFF_CAP": "0.5",
    }
    with log.open("wb") as out:
        return subprocess.Popen(
            [str(BIN), "worker", "--poll", "0.05"], env=env, stdout=out, stderr=subprocess.STDOUT
        )


def ended(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.kill()
    process.wait(timeout=10)


def test_a_killed_worker_s_deliveries_are_made_again_in_order_with_their_keys(
    cli: Cli, receiver: tuple[Receiver, str], tmp_path: Path
) -> None:
    state, url = receiver
    assert cli.run("db", "upgrade").returncode == 0
    cli.ok("municipality", "add", CODE, "東京都千代田区")
    subscriber = Cli({**cli.env, **RECEIVERS}).ok(
        "subscriber",
        "add",
        "-m",
        CODE,
        "--name",
        "児童手当システム",
        "--system",
        "child_allowance",
        "--items",
        "氏_日本人,名_日本人,生年月日,住民状態",
        "--webhook-url",
        url,
    )
    sid = subscriber["subscriber_id"]
    cli.ok("demo", "seed", "-m", CODE, "--residents", "20", "--seed", "3")
    pending = cli.ok("subscriber", "status", "-m", CODE, sid)["pending"]
    assert pending >= 5

    # Worker 1 hangs on its first delivery (its timeout, 3 s, makes its lease 6 s) and is killed.
    first = a_worker(cli, timeout="3", log=tmp_path / "worker1.log")
    try:
        if not state.first_arrived.wait(30):
            status = cli.ok("subscriber", "status", "-m", CODE, sid)
            log = (tmp_path / "worker1.log").read_text()
            raise AssertionError(f"worker 1 delivered nothing: {status}, {first.poll()}, {log}")
        assert first.poll() is None
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        assert first.returncode == -signal.SIGKILL
    finally:
        ended(first)
    assert [d.seq for d in state.deliveries] == [state.deliveries[0].seq]
    assert cli.ok("subscriber", "status", "-m", CODE, sid)["delivered"] == 0

    # Worker 2 (timeout 0.5 s, lease max(1, 2 * 0.5) = 1 s) waits out worker 1's lease.
    state.answering.set()
    second = a_worker(cli, timeout="0.5", log=tmp_path / "worker2.log")
    try:
        wait_for("every change received", lambda: state.received() == pending, timeout=25)
        # The worker marks a run delivered once it ends: ask the CLI (a process each) sparingly.
        wait_for(
            "every change marked delivered",
            lambda: cli.ok("subscriber", "status", "-m", CODE, sid)["pending"] == 0,
            timeout=25,
            every=0.5,
        )
    except AssertionError as exc:
        status = cli.ok("subscriber", "status", "-m", CODE, sid)
        seqs = [d.seq for d in state.deliveries]
        log = (tmp_path / "worker2.log").read_text()
        raise AssertionError(f"{exc}: {status}, received {seqs}, worker 2: {log}") from exc
    finally:
        second.terminate()
        try:
            second.wait(timeout=10)
        finally:
            ended(second)

    status = cli.ok("subscriber", "status", "-m", CODE, sid)
    assert status["pending"] == 0 and status["dead"] == 0, (tmp_path / "worker2.log").read_text()
    assert status["delivered"] == pending
    with state.lock:
        deliveries = list(state.deliveries)
    seqs = [d.seq for d in deliveries]
    unique = sorted(set(seqs))
    assert len(unique) == pending
    assert seqs[0] == seqs[1] == unique[0]  # the hung one, again
    # In feed order: a delivery is never followed by an earlier one except as a redelivery.
    collapsed = [s for i, s in enumerate(seqs) if i == 0 or s != seqs[i - 1]]
    assert collapsed == unique, seqs
    keys: dict[int, set[str]] = {}
    for d in deliveries:
        keys.setdefault(d.seq, set()).add(d.idempotency_key)
        assert d.idempotency_key == d.event_id and d.cursor_header == str(d.seq)
    assert all(len(k) == 1 for k in keys.values()), keys
    assert len({k for ks in keys.values() for k in ks}) == len(unique)
