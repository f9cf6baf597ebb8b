"""A stand-in CS (住基ネットのコミュニケーションサーバ) on loopback: it takes our CS messages
(``docs/national-links.md``), keeps its own copy of each municipality's 本人確認情報 in a SQLite
file, acknowledges each message with a receipt id and refuses the unknown or invalid ones with
a code. Not the real CS, whose interface is not public; it behaves as the register expects the
real one to (and as a municipality's adapter to it must).

- ``POST /v1/messages``: 200 ``{"receipt": …}`` (the same receipt again for a message already
  taken: a resend after a lost answer is harmless); 400 ``{"code", "message"}`` for a refusal:
  ``cs.invalid`` (not our JSON, a field missing), ``cs.kind_unknown``, ``cs.format_unknown``,
  ``cs.resident_code_missing``, ``cs.out_of_order`` (older than a message already taken);
- ``GET /v1/identities?municipality=CODE``: the copy, by 住民票コード;
- ``GET /v1/messages?municipality=CODE``: what was taken, in the order it was taken;
- ``GET /v1/inbox?municipality=CODE&after=N``: messages other municipalities sent to it
  (``relay.py``);
- ``GET /health``.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import orjson

from jichitai.adapters.private_files import private_database_file, private_dir
from jichitai.adapters.standin import relay
from jichitai.domain.national.cs_messages import FORMAT, IDENTITY, KINDS

_SCHEMA = """
CREATE TABLE IF NOT EXISTS messages (
    receipt TEXT PRIMARY KEY, municipality_code TEXT NOT NULL, seq INTEGER NOT NULL,
    ordinal INTEGER NOT NULL, kind TEXT NOT NULL, destination TEXT NOT NULL, body TEXT NOT NULL,
    UNIQUE (municipality_code, seq, ordinal));
CREATE TABLE IF NOT EXISTS identities (
    municipality_code TEXT NOT NULL, resident_code TEXT NOT NULL, seq INTEGER NOT NULL,
    data TEXT NOT NULL, PRIMARY KEY (municipality_code, resident_code));
"""
_CODE = re.compile(r"^\d{6}$")
_IDENTITY_FIELDS = ("resident_code", "name", "birth_date", "sex", "address", "reason")


class Refused(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class StandinCs:
    """The stand-in's store: one SQLite file in the data directory."""

    def __init__(self, data_dir: str) -> None:
        # The CS's copy holds personal data: an owner-only folder and database file.
        database = private_dir(data_dir) / "cs.sqlite3"
        private_database_file(database)
        self._db = sqlite3.connect(database, check_same_thread=False)
        self._db.executescript(_SCHEMA)
        self._db.executescript(relay.SCHEMA)
        self._lock = threading.Lock()

    def take(self, message: Any) -> str:
        """The receipt of ``message``; ``Refused`` when it is not one the CS takes."""
        if not isinstance(message, dict) or not isinstance(message.get("body"), dict):
            raise Refused("cs.invalid", "電文の形式が正しくありません")
        mc, seq, ordinal = (message.get(k) for k in ("municipality_code", "seq", "ordinal"))
        kind, body = message.get("kind"), message["body"]
        if not isinstance(mc, str) or not _CODE.match(mc):
            raise Refused("cs.invalid", "地方公共団体コードが正しくありません")
        if not isinstance(seq, int) or not isinstance(ordinal, int):
            raise Refused("cs.invalid", "通番がありません")
        if kind not in KINDS:
            raise Refused("cs.kind_unknown", f"電文種別 {kind} は受け付けられません")
        if body.get("format") != FORMAT:
            raise Refused(
                "cs.format_unknown", f"電文形式 {body.get('format')} は受け付けられません"
            )
        missing = [f for f in _IDENTITY_FIELDS if f not in body]
        if missing:
            raise Refused("cs.invalid", f"項目がありません: {', '.join(missing)}")
        code = body["resident_code"]
        if not isinstance(code, str) or not code:
            raise Refused("cs.resident_code_missing", "住民票コードがありません")
        with self._lock, self._db:
            taken = self._db.execute(
                "SELECT receipt FROM messages WHERE municipality_code = ? AND seq = ?"
                " AND ordinal = ?",
                (mc, seq, ordinal),
            ).fetchone()
            if taken is not None:
                return str(taken[0])
            last = self._db.execute(
                "SELECT seq, ordinal FROM messages WHERE municipality_code = ?"
                " ORDER BY seq DESC, ordinal DESC LIMIT 1",
                (mc,),
            ).fetchone()
            if last is not None and (seq, ordinal) < tuple(last):
                raise Refused("cs.out_of_order", f"通番 {seq} は受信済みの電文より前です")
            count = self._db.execute("SELECT count(*) FROM messages").fetchone()[0]
            receipt = f"CS-{mc}-{count + 1:08d}"
            self._db.execute(
                "INSERT INTO messages VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    receipt,
                    mc,
                    seq,
                    ordinal,
                    kind,
                    str(message.get("destination") or ""),
                    orjson.dumps(body).decode(),
                ),
            )
            if kind == IDENTITY:
                self._db.execute(
                    "INSERT INTO identities VALUES (?, ?, ?, ?) ON CONFLICT"
                    " (municipality_code, resident_code) DO UPDATE SET seq = excluded.seq,"
                    " data = excluded.data",
                    (mc, code, seq, orjson.dumps(body).decode()),
                )
            destination = str(message.get("destination") or "")
            relay.deliver(self._db, receipt, mc, seq, ordinal, str(kind), destination, body)
            return receipt

    def inbox(self, mc: str, after: int) -> list[dict[str, Any]]:
        """What other municipalities sent to ``mc`` (``relay.py``), after message ``after``."""
        with self._lock:
            return relay.inbox(self._db, mc, after)

    def identities(self, mc: str) -> dict[str, Any]:
        with self._lock:
            rows = self._db.execute(
                "SELECT resident_code, data FROM identities WHERE municipality_code = ?"
                " ORDER BY resident_code",
                (mc,),
            ).fetchall()
        return {code: orjson.loads(data) for code, data in rows}

    def messages(self, mc: str) -> list[dict[str, Any]]:
        with self._lock:
            rows = self._db.execute(
                "SELECT receipt, seq, ordinal, kind, destination FROM messages"
                " WHERE municipality_code = ? ORDER BY rowid",
                (mc,),
            ).fetchall()
        keys = ("receipt", "seq", "ordinal", "kind", "destination")
        return [dict(zip(keys, row, strict=True)) for row in rows]


def make_server(host: str, port: int, data_dir: str) -> ThreadingHTTPServer:
    """The stand-in's HTTP server (``serve_forever`` to run it)."""
    cs = StandinCs(data_dir)

    class Handler(BaseHTTPRequestHandler):
        def _answer(self, status: int, document: object) -> None:
            data = orjson.dumps(document)
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            if urlsplit(self.path).path != "/v1/messages":
                self._answer(404, {"code": "cs.not_found", "message": "not found"})
                return
            length = int(self.headers.get("Content-Length") or 0)
            try:
                message = orjson.loads(self.rfile.read(length))
                self._answer(200, {"receipt": cs.take(message)})
            except orjson.JSONDecodeError:
                self._answer(400, {"code": "cs.invalid", "message": "JSONではありません"})
            except Refused as refused:
                self._answer(400, {"code": refused.code, "message": refused.message})

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            mc = parse_qs(parts.query).get("municipality", [""])[0]
            if parts.path == "/health":
                self._answer(200, {"status": "ok"})
            elif parts.path == "/v1/identities":
                self._answer(200, cs.identities(mc))
            elif parts.path == "/v1/messages":
                self._answer(200, cs.messages(mc))
            elif parts.path == "/v1/inbox":
                after = parse_qs(parts.query).get("after", ["0"])[0]
                self._answer(200, cs.inbox(mc, int(after) if after.isdigit() else 0))
            else:
                self._answer(404, {"code": "cs.not_found", "message": "not found"})

        def log_message(self, format: str, *args: Any) -> None:
            return

    return ThreadingHTTPServer((host, port), Handler)
