"""The stand-in's 戸籍附票 side (住基法19条; standard §7.2.4 (1200), §7.1.1.1 (1090)): it takes
the 戸籍附票記載事項通知 that come through the stand-in CS and keeps them per 本籍地 (the message's
``destination``), as the 本籍地's 戸籍附票 system would, in its own owner-only SQLite file.
A notice without a 本籍, or whose 本籍地 could not be read, is refused with a code.

``GET /v1/fuhyo?domicile=NAME`` (``cs_server.py``): the notices of one 本籍地, in arrival order.
"""

from __future__ import annotations

import sqlite3
import threading
from typing import Any

import orjson

from jichitai.adapters.private_files import private_database_file, private_dir
from jichitai.domain.national.koseki_immigration import NO_DOMICILE

_SCHEMA = """
CREATE TABLE IF NOT EXISTS fuhyo_notices (
    receipt TEXT PRIMARY KEY, domicile_municipality TEXT NOT NULL,
    municipality_code TEXT NOT NULL, resident_code TEXT NOT NULL, body TEXT NOT NULL);
"""


class StandinFuhyo:
    def __init__(self, data_dir: str) -> None:
        database = private_dir(data_dir) / "fuhyo.sqlite3"
        private_database_file(database)
        self._db = sqlite3.connect(database, check_same_thread=False)
        self._db.executescript(_SCHEMA)
        self._lock = threading.Lock()

    @staticmethod
    def refusal(message: dict[str, Any]) -> tuple[str, str] | None:
        """(code, message) when the notice is not one a 本籍地 takes; None when it is."""
        body = message["body"]
        if str(body.get("domicile") or "").strip() in NO_DOMICILE:
            return "fuhyo.domicile_missing", "本籍がありません"
        if not message.get("destination"):
            return "fuhyo.domicile_unknown", "本籍地の市区町村が読み取れません"
        return None

    def keep(self, receipt: str, message: dict[str, Any]) -> None:
        body = message["body"]
        with self._lock, self._db:
            self._db.execute(
                "INSERT OR IGNORE INTO fuhyo_notices VALUES (?, ?, ?, ?, ?)",
                (
                    receipt,
                    str(message["destination"]),
                    str(message["municipality_code"]),
                    str(body.get("resident_code") or ""),
                    orjson.dumps(body).decode(),
                ),
            )

    def notices(self, domicile_municipality: str) -> list[dict[str, Any]]:
        with self._lock:
            rows = self._db.execute(
                "SELECT receipt, municipality_code, body FROM fuhyo_notices"
                " WHERE domicile_municipality = ? ORDER BY rowid",
                (domicile_municipality,),
            ).fetchall()
        return [{"receipt": r, "from": mc, **orjson.loads(body)} for r, mc, body in rows]
