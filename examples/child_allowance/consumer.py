"""A child-allowance (児童手当) system that follows the resident register: a worked example.

Standard library only, so a vendor can copy it as it is. It keeps the list of children who may
be paid the allowance (current residents up to the end of March after their 18th birthday):

1. On start it loads the full extract (``GET /integration/v1/extract``) with its API key and
   remembers the feed cursor of that snapshot (``X-Jichitai-Feed-Cursor``).
2. Then it follows the changes after that cursor, either from webhooks (``POST /hook``, the
   default: signature checked, duplicates answered 200 and ignored) or, with ``--poll``, by
   reading ``GET /integration/v1/changes`` itself.
3. ``GET /eligible`` answers the list as JSON. Nothing is written to disk.

    python consumer.py --api http://127.0.0.1:8000 --api-key jk_... --secret whsec... --port 8080

The register must be told the webhook URL (``jichitai subscriber add ... --webhook-url
http://HOST:8080/hook``) and the subscriber needs at least the items 氏_日本人, 名_日本人,
生年月日 and 住民状態 (宛名番号 and 世帯番号 are always given).
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

RESIDENT = "1"  # 住民状態 code of a current resident (layouts/juki/codes/jumin_jotai.csv)
TOLERANCE_SECONDS = 300
REMEMBERED_KEYS = 100_000
Record = dict[str, str]


# --- the webhook signature -------------------------------------------------------------------


def signature_ok(secret: str, header: str, body: bytes, now: float) -> bool:
    """``X-Jichitai-Signature: t=<unix>,v1=<hex>``: HMAC-SHA256 of ``b"<t>." + body``. During a
    rotation of the secret the header has two ``v1`` (new, old): either may match, so the
    consumer can be given the new secret at any moment of the rotation window."""
    fields: dict[str, list[str]] = {}
    for part in header.split(","):
        name, _, value = part.strip().partition("=")
        fields.setdefault(name, []).append(value)
    stamps = fields.get("t", [])
    if len(stamps) != 1 or not stamps[0].isdigit():
        return False
    if abs(now - int(stamps[0])) > TOLERANCE_SECONDS:
        return False  # too old (a replay) or from a clock far off
    signed = stamps[0].encode() + b"." + body
    expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return any(hmac.compare_digest(expected, given) for given in fields.get("v1", []))


# --- eligibility -----------------------------------------------------------------------------


def last_eligible_day(born: date) -> date:
    """The end of the first March 31 on or after the day the child turns 18 (by law a person
    reaches an age on the day before the birthday: born 1 April, the allowance ends the March
    just before that birthday)."""
    try:
        birthday = born.replace(year=born.year + 18)
    except ValueError:  # born 29 February
        birthday = date(born.year + 18, 3, 1)
    reached = birthday - timedelta(days=1)
    march = date(reached.year, 3, 31)
    return march if reached <= march else date(reached.year + 1, 3, 31)


def parse_date(text: str) -> date | None:
    """A ``YYYYMMDD`` date; ``None`` when unknown or partly unknown (e.g. ``19500000``)."""
    if len(text) != 8 or not text.isdigit():
        return None
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None


def is_eligible(record: Mapping[str, str], today: date) -> bool:
    born = parse_date(record.get("生年月日", ""))
    return (
        record.get("住民状態") == RESIDENT
        and born is not None
        and born <= today <= last_eligible_day(born)
    )


# --- the register as this system knows it ----------------------------------------------------


class Register:
    """The persons as last received (only current residents are kept), and the feed cursor."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.persons: dict[str, Record] = {}
        self.cursor = 0
        self.applied: OrderedDict[str, None] = OrderedDict()  # Idempotency-Keys already applied

    def put(self, record: Record) -> None:
        if record.get("住民状態") == RESIDENT:
            self.persons[record["宛名番号"]] = record
        else:  # moved out, dead or removed: no longer on the list
            self.persons.pop(record["宛名番号"], None)

    def seen(self, event_id: str) -> bool:
        return event_id in self.applied

    def apply(self, change: Mapping[str, Any]) -> bool:
        """Apply one change of the feed (callers hold the lock); ``False`` if already applied."""
        event_id = str(change["event_id"])
        if self.seen(event_id) or int(change["seq"]) <= self.cursor:
            return False  # a redelivery, or already in the extract we started from
        # A change recorded before its date (a planned 転出) holds from its date only: its
        # records are applied when the feed's ``took_effect`` entry for it comes, on that day
        # (docs/integration.md, "Dates"); until then the person is still a resident.
        if change.get("takes_effect") != "planned":
            for record in change["records"]:  # each record is the person's whole new state
                self.put(record)
        for atena in change.get("withheld_persons", ()):  # no longer ours to keep
            self.persons.pop(atena, None)
        self.cursor = int(change["seq"])
        self.applied[event_id] = None
        if len(self.applied) > REMEMBERED_KEYS:
            self.applied.popitem(last=False)
        return True

    def eligible(self, today: date) -> list[dict[str, str]]:
        with self.lock:
            found = [r for r in self.persons.values() if is_eligible(r, today)]
        return [
            {
                "宛名番号": r["宛名番号"],
                "氏名": f"{r.get('氏_日本人', '')}　{r.get('名_日本人', '')}".strip("　"),
                "生年月日": r.get("生年月日", ""),
                "世帯番号": r.get("世帯番号", ""),
            }
            for r in sorted(found, key=lambda r: r["宛名番号"])
        ]


# --- the register's API ----------------------------------------------------------------------


class Api:
    def __init__(self, base: str, api_key: str) -> None:
        self.base = base.rstrip("/")
        self.headers = {"Authorization": f"Bearer {api_key}", "Accept": "application/json"}

    def open(self, path: str, params: Mapping[str, str]) -> Any:
        url = f"{self.base}{path}?{urllib.parse.urlencode(params)}"
        return urllib.request.urlopen(urllib.request.Request(url, headers=self.headers), timeout=60)

    def extract(self) -> tuple[int, Iterable[Record]]:
        """Every current resident's record, and the feed cursor of that snapshot."""
        with self.open("/integration/v1/extract", {"format": "ndjson"}) as response:
            cursor = int(response.headers["X-Jichitai-Feed-Cursor"])
            records = [json.loads(line) for line in response if line.strip()]
        return cursor, records

    def changes(self, after: int, limit: int = 1000) -> dict[str, Any]:
        with self.open("/integration/v1/changes", {"after": str(after), "limit": str(limit)}) as r:
            page: dict[str, Any] = json.load(r)
        return page


def catch_up(api: Api, register: Register, until: int | None = None) -> None:
    """Read the feed from the register's cursor (up to ``until``, or to the end)."""
    while until is None or register.cursor < until:
        page = api.changes(register.cursor)
        for change in page["changes"]:
            if until is not None and int(change["seq"]) >= until:
                return
            register.apply(change)
        if not page["has_more"]:
            return


# --- the HTTP side ---------------------------------------------------------------------------


class Handler(BaseHTTPRequestHandler):
    server: Consumer

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet; a real system would log to its own place

    def answer(self, status: int, body: object) -> None:
        data = json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        if urllib.parse.urlsplit(self.path).path != "/eligible":
            self.answer(404, {"error": "not found"})
            return
        self.answer(200, self.server.register.eligible(self.server.today()))

    def do_POST(self) -> None:
        if self.path != "/hook" or not self.server.secret:  # no webhooks in --poll mode
            self.answer(404, {"error": "not found"})
            return
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        header = self.headers.get("X-Jichitai-Signature", "")
        if not signature_ok(self.server.secret, header, body, time.time()):
            self.answer(401, {"error": "bad signature"})
            return
        try:
            change = json.loads(body)
            seq = int(change["seq"])
        except (ValueError, KeyError, TypeError):
            self.answer(400, {"error": "not a change"})
            return
        key = self.headers.get("Idempotency-Key") or str(change.get("event_id"))
        register = self.server.register
        with register.lock:
            if register.seen(key) or seq <= register.cursor:
                self.answer(200, {"applied": False})  # already have it: acknowledge again
                return
            try:
                if seq > register.cursor + 1:  # changes in between were not delivered to us
                    catch_up(self.server.api, register, until=seq)
            except (OSError, ValueError) as exc:
                self.answer(503, {"error": f"catching up failed: {exc}"})  # try again later
                return
            applied = register.apply(change)
        self.answer(200, {"applied": applied})


class Consumer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, port: int, api: Api, secret: str, today: date | None) -> None:
        super().__init__(("127.0.0.1", port), Handler)
        self.api = api
        self.secret = secret
        self.fixed_today = today
        self.register = Register()

    def today(self) -> date:
        return self.fixed_today or date(*time.localtime()[:3])


def poll_forever(server: Consumer, interval: float, stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            with server.register.lock:
                catch_up(server.api, server.register)
        except (OSError, ValueError) as exc:
            sys.stderr.write(f"polling failed, trying again: {exc}\n")
        stop.wait(interval)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="児童手当の対象児童一覧を住基の連携APIで保つ例")
    parser.add_argument("--api", required=True, help="e.g. http://127.0.0.1:8000")
    parser.add_argument("--api-key", required=True)
    parser.add_argument("--secret", default="", help="the webhook secret (webhook mode)")
    parser.add_argument("--port", type=int, required=True, help="port on 127.0.0.1")
    parser.add_argument("--poll", action="store_true", help="read the feed instead of webhooks")
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between polls")
    parser.add_argument("--today", type=date.fromisoformat, help="YYYY-MM-DD (default: today)")
    args = parser.parse_args(argv)
    if not args.poll and not args.secret:
        parser.error("--secret is needed to check webhooks (or use --poll)")

    server = Consumer(args.port, Api(args.api, args.api_key), args.secret, args.today)
    cursor, records = server.api.extract()
    for record in records:
        server.register.put(record)
    server.register.cursor = cursor
    stop = threading.Event()
    if args.poll:
        threading.Thread(
            target=poll_forever, args=(server, args.interval, stop), daemon=True
        ).start()
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        server.server_close()


if __name__ == "__main__":
    main()
