"""End-to-end: `jichitai worker` rides out a database outage (a failover, a restart). Its
connections are cut and new ones refused for a while; it logs, backs off and asks again, and
once the database is back it delivers what was queued meanwhile. PostgreSQL only: an SQLite file
cannot be taken away from a process that has it open."""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.e2e.conftest import BIN, Cli

CODE = "131016"
RECEIVERS = {"JICHITAI_WEBHOOK_ALLOWED_NETWORKS": "127.0.0.1/32"}

pytestmark = pytest.mark.skipif(
    not os.environ.get("JICHITAI_DATABASE_URL", "").startswith("postgresql"),
    reason="a database outage is staged on PostgreSQL (connections cut and refused)",
)


def wait_for(what: str, check: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


@pytest.fixture
def receiver() -> Iterator[tuple[str, list[int]]]:
    seqs: list[int] = []
    lock = threading.Lock()

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with lock:
                seqs.append(int(json.loads(body)["seq"]))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook", seqs
    finally:
        server.shutdown()
        server.server_close()


def outage(cli: Cli, down: bool) -> None:
    """Refuse new connections to the CLI's database and cut the open ones, or allow them again."""
    import psycopg

    url = cli.env["JICHITAI_DATABASE_URL"]
    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS {"false" if down else "true"}')
        if down:
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = %s AND pid <> pg_backend_pid()",
                (name,),
            )


def test_the_worker_waits_out_a_database_outage_and_delivers_what_came_meanwhile(
    cli: Cli, receiver: tuple[str, list[int]], tmp_path: Path
) -> None:
    url, seqs = receiver
    hooks = Cli({**cli.env, **RECEIVERS})
    assert hooks.run("db", "upgrade").returncode == 0
    hooks.ok("municipality", "add", CODE, "東京都千代田区")
    hooks.ok(
        "subscriber",
        "add",
        "-m",
        CODE,
        "--name",
        "選挙システム",
        "--system",
        "elections",
        "--items",
        "氏_日本人",
        "--webhook-url",
        url,
    )
    log = tmp_path / "worker.log"
    with log.open("w") as out:
        worker = subprocess.Popen(
            [str(BIN), "worker", "--poll", "0.05", "--dates-every", "0.2"],
            env=hooks.env,
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
        )
    try:
        hooks.ok("demo", "seed", "-m", CODE, "--residents", "5", "--seed", "3")
        wait_for("the first deliveries", lambda: len(seqs) > 0)
        wait_for("the queue to drain", lambda: len(set(seqs)) == max(seqs))
        before = max(seqs)

        outage(cli, down=True)
        wait_for("the worker to notice", lambda: "database unavailable" in log.read_text())
        # Its dates step (every 0.2 s here) meets the outage too, and the worker lives on.
        wait_for("the dates step to fail", lambda: "dates step" in log.read_text())
        assert worker.poll() is None, log.read_text()
        outage(cli, down=False)

        hooks.ok("demo", "seed", "-m", CODE, "--residents", "5", "--seed", "4")
        wait_for("the changes recorded after the outage", lambda: max(seqs) > before)
        wait_for("every change, once each", lambda: len(set(seqs)) == max(seqs))
        assert worker.poll() is None, log.read_text()
    finally:
        outage(cli, down=False)
        worker.terminate()
        worker.wait(timeout=20)
