"""End-to-end: the example child-allowance system (examples/child_allowance/consumer.py) follows
the register over webhooks on 127.0.0.1: `jichitai serve`, `jichitai worker` and the consumer
run as processes; a birth approved by a reviewer reaches the consumer's list of children, and a
forged delivery is refused and changes nothing."""

from __future__ import annotations

import hashlib
import hmac
import json
import selectors
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest

from tests.e2e.conftest import BIN, Cli, free_port

CODE = "131016"
PASSWORD = "e2e password for the staff"
ITEMS = "氏_日本人,名_日本人,生年月日,続柄1,住民状態,住所_町字"
CONSUMER = Path(__file__).resolve().parents[2] / "examples" / "child_allowance" / "consumer.py"
TODAY = date(*time.localtime()[:3])
RECEIVERS = {"JICHITAI_WEBHOOK_ALLOWED_NETWORKS": "127.0.0.1/32"}
"""The consumer listens on 127.0.0.1: webhooks may go there only because this allows it."""


def wait_for(what: str, check: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def stop(process: subprocess.Popen[str]) -> str:
    """Terminate a process started here and return what it printed."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    output = ""
    if process.stdout:
        output = process.stdout.read()
        process.stdout.close()
    return output


def started(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[str]:
    """A process whose output goes to ``log`` (a pipe nobody reads could fill and stall it)."""
    with log.open("w") as out:
        return subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT, text=True)


def serve(cli: Cli, log: Path) -> tuple[subprocess.Popen[str], str]:
    port = free_port()
    command = [str(BIN), "serve", "--host", "127.0.0.1", "--port", str(port)]
    process = started(command, cli.env, log)
    base = f"http://127.0.0.1:{port}"

    def up() -> bool:
        assert process.poll() is None, f"jichitai serve ended: {log.read_text()}"
        try:
            return httpx.get(f"{base}/healthz", timeout=1).status_code == 200
        except httpx.TransportError:
            return False

    try:
        wait_for("jichitai serve", up, timeout=30)
    except BaseException:
        stop(process)
        raise
    return process, base


def consumer(*args: str) -> subprocess.Popen[str]:
    """The example consumer, started and listening ("ready" on its standard output)."""
    process = subprocess.Popen(  # -S: no site-packages, so it cannot lean on jichitai
        [sys.executable, "-S", str(CONSUMER), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        started = bool(selector.select(timeout=30))
    line = process.stdout.readline() if started else ""
    if line.strip() != "ready":
        raise AssertionError(f"the consumer did not start: {line}{stop(process)}")
    return process


@dataclass
class Stack:
    api: str
    consumer: str
    poller: str
    subscriber: dict[str, Any]


@pytest.fixture(scope="module")
def stack(cli: Cli, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    logs = tmp_path_factory.mktemp("logs")
    assert cli.run("db", "upgrade").returncode == 0
    cli.ok("municipality", "add", CODE, "東京都千代田区")
    cli.ok("demo", "seed", "-m", CODE, "--residents", "30", "--seed", "5")
    cli.ok("user", "add", "-m", CODE, "clerk-e2e", "--role", "clerk", stdin=PASSWORD)
    cli.ok("user", "add", "-m", CODE, "reviewer-e2e", "--role", "reviewer", stdin=PASSWORD)
    consumer_port = free_port()
    hooks = Cli({**cli.env, **RECEIVERS})
    subscriber = hooks.ok(
        "subscriber",
        "add",
        "-m",
        CODE,
        "--name",
        "児童手当システム",
        "--system",
        "child_allowance",
        "--items",
        ITEMS,
        "--webhook-url",
        f"http://127.0.0.1:{consumer_port}/hook",
    )
    processes: list[subprocess.Popen[str]] = []
    try:
        server, api = serve(cli, logs / "serve.log")
        processes.append(server)
        common = ["--api", api, "--api-key", subscriber["api_key"], "--today", TODAY.isoformat()]
        secret = [f"--secret={subscriber['webhook_secret']}"]
        processes.append(consumer(*common, *secret, "--port", str(consumer_port)))
        poller_port = free_port()
        processes.append(
            consumer(*common, "--poll", "--interval", "0.2", "--port", str(poller_port))
        )
        env = {
            **hooks.env,
            "JICHITAI_WEBHOOK_BACKOFF_BASE": "0.1",
            "JICHITAI_WEBHOOK_BACKOFF_CAP": "0.5",
            "JICHITAI_WEBHOOK_TIMEOUT": "5",
        }
        worker = [str(BIN), "worker", "--poll", "0.05", "--concurrency", "2"]
        processes.append(started(worker, env, logs / "worker.log"))
        yield Stack(
            api,
            f"http://127.0.0.1:{consumer_port}",
            f"http://127.0.0.1:{poller_port}",
            subscriber,
        )
    finally:
        for process in reversed(processes):
            stop(process)


def staff(api: str, login: str) -> dict[str, str]:
    answer = httpx.post(f"{api}/api/v1/auth/token", data={"username": login, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def eligible(stack: Stack, consumer: str | None = None) -> list[dict[str, str]]:
    answer = httpx.get(f"{consumer or stack.consumer}/eligible", timeout=5)
    assert answer.status_code == 200, answer.text
    found: list[dict[str, str]] = answer.json()
    return found


def a_household(stack: Stack) -> dict[str, str]:
    """A resident head of household of the extract, as the subscriber sees it."""
    key = {"Authorization": f"Bearer {stack.subscriber['api_key']}"}
    answer = httpx.get(f"{stack.api}/integration/v1/extract", headers=key, timeout=30)
    assert answer.status_code == 200, answer.text
    records: list[dict[str, str]] = [json.loads(line) for line in answer.text.splitlines() if line]
    heads = [r for r in records if r["住民状態"] == "1" and r["続柄1"] == "02" and r["氏_日本人"]]
    # A household that filed a move-out for a later date is still living here, but nothing
    # but the move-out's cancellation may be recorded for it before then: skip those.
    clerk = staff(stack.api, "clerk-e2e")
    staying = [
        r
        for r in heads
        if httpx.get(f"{stack.api}/api/v1/residents/{r['宛名番号']}", headers=clerk).json()[
            "pending"
        ]
        is None
    ]
    assert staying, "the demo register has no Japanese head of household"
    return staying[0]


def test_a_birth_reaches_the_child_allowance_list_over_a_webhook(stack: Stack) -> None:
    before = eligible(stack)
    assert all(set(c) == {"宛名番号", "氏名", "生年月日", "世帯番号"} for c in before)
    head = a_household(stack)
    born = TODAY - timedelta(days=3)
    command = {
        "type": "Birth",
        "header": {
            "effective_on": born.isoformat(),
            "filed_on": TODAY.isoformat(),
            "operator": "職員0042",
            "place": "本庁舎1階 市民課",
            "terminal": "T-001",
        },
        "child": {
            "kind": "japanese",
            "name": {
                "family": head["氏_日本人"],
                "given": "陽翔",
                "family_kana": "タカハシ",
                "given_kana": "ハルト",
            },
            "birth_date": {"kind": "calendar", "date": born.isoformat()},
            "sex": "male",
            "relationship": "子",
            "family_register": {
                "domicile": "東京都千代田区霞が関一丁目2番",
                "head": f"{head['氏_日本人']}　{head['名_日本人']}",
            },
        },
        "household_number": head["世帯番号"],
    }
    submitted = httpx.post(
        f"{stack.api}/api/v1/drafts",
        json={"command": command},
        headers=staff(stack.api, "clerk-e2e"),
    )
    assert submitted.status_code == 201, submitted.text
    draft = submitted.json()
    (child,) = draft["atena_numbers"]
    approved = httpx.post(
        f"{stack.api}/api/v1/drafts/{draft['draft']['draft_id']}/approve",
        json={"acknowledged_alerts": [a["code"] for a in draft["alerts"]]},
        headers=staff(stack.api, "reviewer-e2e"),
    )
    assert approved.status_code == 200, approved.text

    wait_for("the child on the list", lambda: any(c["宛名番号"] == child for c in eligible(stack)))
    (listed,) = [c for c in eligible(stack) if c["宛名番号"] == child]
    assert listed == {
        "宛名番号": child,
        "氏名": f"{head['氏_日本人']}　陽翔",
        "生年月日": born.strftime("%Y%m%d"),
        "世帯番号": head["世帯番号"],
    }
    assert [c for c in eligible(stack) if c["宛名番号"] != child] == before
    # The same list, kept by following GET /integration/v1/changes (--poll) instead.
    wait_for(
        "the list of the polling consumer", lambda: eligible(stack, stack.poller) == eligible(stack)
    )


def test_a_forged_webhook_is_refused_and_changes_nothing(stack: Stack) -> None:
    before = eligible(stack)
    forged = {
        "cursor": "999999",
        "seq": 999999,
        "event_id": "forged-event",
        "kind": "birth",
        "records": [
            {
                "宛名番号": "9999999999",
                "世帯番号": "9999999999",
                "氏_日本人": "偽",
                "名_日本人": "太郎",
                "生年月日": (TODAY - timedelta(days=1)).strftime("%Y%m%d"),
                "続柄1": "20",
                "住民状態": "1",
            }
        ],
    }
    body = json.dumps(forged, ensure_ascii=False).encode()
    now = int(time.time())
    wrong = hmac.new(b"not the secret", f"{now}.".encode() + body, hashlib.sha256).hexdigest()
    secret = stack.subscriber["webhook_secret"].encode()
    stale = now - 3600
    old = hmac.new(secret, f"{stale}.".encode() + body, hashlib.sha256).hexdigest()
    for header in (f"t={now},v1={wrong}", f"t={stale},v1={old}", "", f"t={now}"):
        answer = httpx.post(
            f"{stack.consumer}/hook",
            content=body,
            headers={
                "Content-Type": "application/json",
                "X-Jichitai-Signature": header,
                "Idempotency-Key": "forged-event",
            },
        )
        assert answer.status_code == 401, (header, answer.text)
    assert eligible(stack) == before

    # Signed, but at or before the consumer's cursor (already applied): 200, and ignored.
    old_change = {**forged, "cursor": "1", "seq": 1}
    body = json.dumps(old_change, ensure_ascii=False).encode()
    signed = hmac.new(secret, f"{now}.".encode() + body, hashlib.sha256).hexdigest()
    answer = httpx.post(
        f"{stack.consumer}/hook",
        content=body,
        headers={"X-Jichitai-Signature": f"t={now},v1={signed}", "Idempotency-Key": "forged"},
    )
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"applied": False}
    assert eligible(stack) == before
