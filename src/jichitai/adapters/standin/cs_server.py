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
- ``GET /health``;
- faults for tests (slow answers, a refusal, down): ``cs_faults.py``, ``POST /v1/faults``.
- the number-generation service (``adapters/standin/numbers.py``): ``POST /v1/free-codes``,
  ``GET /v1/free-codes?municipality=CODE``, ``POST /v1/numbers/change``, ``GET /v1/fugo`` and
  ``GET /v1/serial`` (``?municipality=CODE&resident_code=…``), and the 個人番号 in the answer
  to a ``個人番号生成要求`` message.
- the card management system (``cards.py``): ``GET /v1/cards``, ``GET /v1/renewal-targets``
  (更新対象者) and their control endpoints; the 送付先情報 are messages like the others, kept
  and listed with their bodies (``GET /v1/card-destinations?municipality=CODE``);
- ``GET /v1/inbox?municipality=CODE&after=N``: messages other municipalities sent to it
  (``relay.py``);
- ``GET /health``.
"""

from __future__ import annotations

import contextlib
import re
import sqlite3
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import orjson

from jichitai.adapters.private_files import private_database_file, private_dir
from jichitai.adapters.standin import relay
from jichitai.adapters.standin.cs_faults import Faults
from jichitai.adapters.standin.fuhyo import StandinFuhyo
from jichitai.adapters.standin.immigration import StandinImmigration
from jichitai.adapters.standin.numbers import OBTAINABLE, NumberRefused, StandinNumbers
from jichitai.domain.national.card_destination import CARD_DESTINATION
from jichitai.domain.national.cs_messages import FORMAT, IDENTITY, KINDS, NUMBER_REQUEST
from jichitai.domain.national.koseki_immigration import FUHYO_NOTICE, IMMIGRATION_NOTICE
from jichitai.domain.national.shared_cs import Groups

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

    def __init__(self, data_dir: str, shared: Groups = ()) -> None:
        self._shared = shared  # 共同利用: groups of municipalities sharing one CS (relay.py)
        # The CS's copy holds personal data: an owner-only folder and database file.
        database = private_dir(data_dir) / "cs.sqlite3"
        private_database_file(database)
        self._db = sqlite3.connect(database, check_same_thread=False)
        self._db.executescript(_SCHEMA)
        self._db.executescript(relay.SCHEMA)
        self._lock = threading.Lock()
        # The 本籍地's 戸籍附票 side and 出入国在留管理庁, each in its own module and file.
        self.fuhyo = StandinFuhyo(data_dir)
        self.immigration = StandinImmigration(data_dir)
        self._counterparts: dict[str, StandinFuhyo | StandinImmigration] = {
            FUHYO_NOTICE: self.fuhyo,
            IMMIGRATION_NOTICE: self.immigration,
        }

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
        counterpart = self._counterparts.get(str(kind))
        refusal = counterpart.refusal(message) if counterpart is not None else None
        if refusal is not None:
            raise Refused(*refusal)
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
            if counterpart is not None:
                counterpart.keep(receipt, message)
            destination = str(message.get("destination") or "")
            relay.deliver(
                self._db, receipt, mc, seq, ordinal, str(kind), destination, body, self._shared
            )
            return receipt

    def holds(self, mc: str, resident_code: str) -> bool:
        """Whether the copy of 本人確認情報 of ``mc`` holds ``resident_code``."""
        with self._lock:
            found = self._db.execute(
                "SELECT 1 FROM identities WHERE municipality_code = ? AND resident_code = ?",
                (mc, resident_code),
            ).fetchone()
        return found is not None

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

    def card_destinations(self, mc: str) -> list[dict[str, Any]]:
        """The 送付先情報 taken for the card management system (§7.1.1.4), with their bodies."""
        with self._lock:
            rows = self._db.execute(
                "SELECT receipt, seq, ordinal, body FROM messages WHERE municipality_code = ?"
                " AND kind = ? ORDER BY rowid",
                (mc, CARD_DESTINATION),
            ).fetchall()
        return [
            {"receipt": r, "seq": seq, "ordinal": o, "body": orjson.loads(body)}
            for r, seq, o, body in rows
        ]

    def messages(self, mc: str) -> list[dict[str, Any]]:
        with self._lock:
            rows = self._db.execute(
                "SELECT receipt, seq, ordinal, kind, destination FROM messages"
                " WHERE municipality_code = ? ORDER BY rowid",
                (mc,),
            ).fetchall()
        keys = ("receipt", "seq", "ordinal", "kind", "destination")
        return [dict(zip(keys, row, strict=True)) for row in rows]


def make_server(
    host: str, port: int, data_dir: str, faults: Faults | None = None, shared: Groups = ()
) -> ThreadingHTTPServer:
    """The stand-in's HTTP server (``serve_forever`` to run it); ``shared``: the groups of
    municipalities sharing one CS (住基ネット共同利用)."""
    cs = StandinCs(data_dir, shared)
    played = faults if faults is not None else Faults()
    stopping = threading.Event()
    # The card management system (J-LIS); imported here, as cards.py takes ``Refused`` from here.
    from jichitai.adapters.standin.cards import StandinCards

    cards = StandinCards(data_dir)
    numbers = StandinNumbers(data_dir, cs.holds)

    class Handler(BaseHTTPRequestHandler):
        def _answer(self, status: int, document: object) -> None:
            data = orjson.dumps(document)
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            path = urlsplit(self.path).path
            if path == "/v1/immigration/offered":
                try:
                    length = int(self.headers.get("Content-Length") or 0)
                    cs.immigration.offer(orjson.loads(self.rfile.read(length)))
                    self._answer(200, {"offered": True})
                except (ValueError, orjson.JSONDecodeError):
                    self._answer(
                        400, {"code": "cs.invalid", "message": "通知の形式が正しくありません"}
                    )
                return
            if path == "/v1/faults":
                self._faults()
                return
            if path == "/v1/messages" and played.down:
                self._answer(503, {"code": "cs.down", "message": "停止中"})
                return
            if path in ("/v1/cards", "/v1/renewal-targets"):
                length = int(self.headers.get("Content-Length") or 0)
                try:
                    played_by = cards.report if path == "/v1/cards" else cards.add_renewal_target
                    played_by(orjson.loads(self.rfile.read(length)))
                    self._answer(200, {"status": "ok"})
                except orjson.JSONDecodeError:
                    self._answer(400, {"code": "cards.invalid", "message": "JSONではありません"})
                except Refused as refused:
                    self._answer(400, {"code": refused.code, "message": refused.message})
                return
            if path not in ("/v1/messages", "/v1/free-codes", "/v1/numbers/change"):
                self._answer(404, {"code": "cs.not_found", "message": "not found"})
                return
            length = int(self.headers.get("Content-Length") or 0)
            try:
                message = orjson.loads(self.rfile.read(length))
                if path == "/v1/free-codes":
                    self._answer(200, numbers.free_codes(message))
                    return
                if path == "/v1/numbers/change":
                    self._answer(200, numbers.change(message))
                    return
                if played.refuses(message):
                    raise Refused("cs.fault", "この電文は受け付けません（代役CSの試験用の拒否）")
                document: dict[str, object]
                if isinstance(message, dict) and message.get("kind") == NUMBER_REQUEST:
                    body = message.get("body")
                    code = body.get("resident_code") if isinstance(body, dict) else None
                    number = numbers.generate(str(message.get("municipality_code")), code)
                    document = {"receipt": cs.take(message), "data": {"individual_number": number}}
                else:
                    document = {"receipt": cs.take(message)}
                played.wait(stopping)  # taken, then answered late (a slow CS)
                with contextlib.suppress(OSError):  # the sender may have given up waiting
                    self._answer(200, document)
            except orjson.JSONDecodeError:
                self._answer(400, {"code": "cs.invalid", "message": "JSONではありません"})
            except (Refused, NumberRefused) as refused:
                self._answer(400, {"code": refused.code, "message": refused.message})

        def _faults(self) -> None:
            if self.client_address[0] not in ("127.0.0.1", "::1"):
                self._answer(403, {"code": "cs.forbidden", "message": "loopback only"})
                return
            length = int(self.headers.get("Content-Length") or 0)
            try:
                self._answer(200, played.set(orjson.loads(self.rfile.read(length))))
            except (orjson.JSONDecodeError, ValueError) as exc:
                self._answer(400, {"code": "cs.invalid", "message": str(exc)})

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            mc = parse_qs(parts.query).get("municipality", [""])[0]
            if parts.path == "/health":
                self._answer(200, {"status": "ok"})
            elif parts.path == "/v1/identities":
                self._answer(200, cs.identities(mc))
            elif parts.path == "/v1/messages":
                self._answer(200, cs.messages(mc))
            elif parts.path == "/v1/fuhyo":
                domicile = parse_qs(parts.query).get("domicile", [""])[0]
                self._answer(200, cs.fuhyo.notices(domicile))
            elif parts.path == "/v1/immigration/offered":
                self._answer(200, cs.immigration.offered(mc))
            elif parts.path == "/v1/immigration":
                self._answer(200, cs.immigration.notices(mc))
            elif parts.path == "/v1/faults":
                self._answer(200, played.now())
            elif parts.path == "/v1/cards":
                self._answer(200, cards.statuses(mc))
            elif parts.path == "/v1/card-destinations":
                self._answer(200, cs.card_destinations(mc))
            elif parts.path == "/v1/renewal-targets":
                self._answer(200, cards.renewal_targets(mc))
            elif parts.path == "/v1/free-codes":
                self._answer(200, numbers.handed_out(mc))
            elif parts.path.removeprefix("/v1/") in OBTAINABLE:
                code = parse_qs(parts.query).get("resident_code", [""])[0]
                try:
                    self._answer(200, numbers.obtain(parts.path.removeprefix("/v1/"), mc, code))
                except NumberRefused as refused:
                    self._answer(400, {"code": refused.code, "message": refused.message})
            elif parts.path == "/v1/inbox":
                after = parse_qs(parts.query).get("after", ["0"])[0]
                self._answer(200, cs.inbox(mc, int(after) if after.isdigit() else 0))
            else:
                self._answer(404, {"code": "cs.not_found", "message": "not found"})

        def log_message(self, format: str, *args: Any) -> None:
            return

    class Server(ThreadingHTTPServer):
        def server_close(self) -> None:
            stopping.set()  # a slow answer being played ends now
            super().server_close()

    return Server((host, port), Handler)
