"""The stand-in's 出入国在留管理庁 side (住基法30条の50, 入管法の住居地届出; standard §4.5.7
(970)): it takes the 市町村通知 that come through the stand-in, answers each with a receipt (its
処理結果) or refuses it with a code (the error the clerk sees in ``jichitai cs list``), and keeps
them per municipality in its own owner-only SQLite file.

``GET /v1/immigration?municipality=CODE`` (``cs_server.py``): the notices taken, in order.
The other way, the 出入国在留管理庁長官通知 (§4.5.6 (960)): ``POST /v1/immigration/offered`` puts
a notice on offer for a municipality (a test or a demo plays the authority), ``GET
/v1/immigration/offered?municipality=CODE`` is what the register pulls.
"""

from __future__ import annotations

import sqlite3
import threading
from typing import Any

import orjson

from jichitai.adapters.private_files import private_database_file, private_dir
from jichitai.domain.national.koseki_immigration import (
    BOTH_LAWS,
    IMMIGRATION_AUTHORITY,
    IMMIGRATION_LAW,
    RESIDENT_LAW,
)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS offered (
    municipality_code TEXT NOT NULL, notice TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS immigration_notices (
    receipt TEXT PRIMARY KEY, municipality_code TEXT NOT NULL, law TEXT NOT NULL,
    body TEXT NOT NULL);
"""
_LAWS = (BOTH_LAWS, IMMIGRATION_LAW, RESIDENT_LAW)


class StandinImmigration:
    def __init__(self, data_dir: str) -> None:
        database = private_dir(data_dir) / "immigration.sqlite3"
        private_database_file(database)
        self._db = sqlite3.connect(database, check_same_thread=False)
        self._db.executescript(_SCHEMA)
        self._lock = threading.Lock()

    @staticmethod
    def refusal(message: dict[str, Any]) -> tuple[str, str] | None:
        """(code, message) when the notice is not one the authority takes; None when it is."""
        body = message["body"]
        if message.get("destination") != IMMIGRATION_AUTHORITY:
            return "immigration.destination", "宛先が出入国在留管理庁ではありません"
        if body.get("law") not in _LAWS:
            return "immigration.law_unknown", "通知の区分が正しくありません"
        if not body.get("nationality"):
            return "immigration.nationality_missing", "国籍・地域がありません"
        return None

    def keep(self, receipt: str, message: dict[str, Any]) -> None:
        body = message["body"]
        with self._lock, self._db:
            self._db.execute(
                "INSERT OR IGNORE INTO immigration_notices VALUES (?, ?, ?, ?)",
                (
                    receipt,
                    str(message["municipality_code"]),
                    str(body["law"]),
                    orjson.dumps(body).decode(),
                ),
            )

    def notices(self, municipality_code: str) -> list[dict[str, Any]]:
        with self._lock:
            rows = self._db.execute(
                "SELECT receipt, body FROM immigration_notices WHERE municipality_code = ?"
                " ORDER BY rowid",
                (municipality_code,),
            ).fetchall()
        return [{"receipt": r, **orjson.loads(body)} for r, body in rows]

    def offer(self, document: Any) -> None:
        if not isinstance(document, dict) or not isinstance(document.get("notice"), dict):
            raise ValueError("offer needs municipality_code and notice")
        with self._lock, self._db:
            self._db.execute(
                "INSERT INTO offered VALUES (?, ?)",
                (
                    str(document.get("municipality_code") or ""),
                    orjson.dumps(document["notice"]).decode(),
                ),
            )

    def offered(self, municipality_code: str) -> list[Any]:
        with self._lock:
            rows = self._db.execute(
                "SELECT notice FROM offered WHERE municipality_code = ? ORDER BY rowid",
                (municipality_code,),
            ).fetchall()
        return [orjson.loads(r[0]) for r in rows]
