"""The stand-in's card management system (J-LIS カード管理システム, standard §7.1.1.3 (1110)):
the status of each person's 個人番号カード and 住基カード, as the register reads it through the
CS (``GET /v1/cards?municipality=CODE``). What J-LIS does to a card (交付, 一時停止, 廃止, 返納 …)
is played by ``POST /v1/cards`` (a control endpoint for tests and demos: the real system is told
by the card's own processes, not by the register). Our own JSON (``docs/national-links.md``),
in its own owner-only SQLite file in the stand-in's data directory.

The 更新対象者 (standard §7.1.1.4 (1120)): the persons whose card or 電子証明書 is due for renewal,
handed to the register through the CS (``GET /v1/renewal-targets?municipality=CODE``); J-LIS's
choice of them is played by ``POST /v1/renewal-targets`` (``{"municipality_code",
"resident_code", "card", "expires_on"}``). The 送付先情報 the register sends back are the CS's
messages (``cs_server.py``)."""

from __future__ import annotations

import re
import sqlite3
import threading
from datetime import date
from typing import Any

from jichitai.adapters.private_files import private_database_file, private_dir
from jichitai.adapters.standin.cs_server import Refused
from jichitai.domain.national.cards import CARD_LABELS, STATUS_LABELS

_SCHEMA = """
CREATE TABLE IF NOT EXISTS cards (
    municipality_code TEXT NOT NULL, resident_code TEXT NOT NULL, card TEXT NOT NULL,
    status TEXT NOT NULL, issued_on TEXT, expires_on TEXT, updated_on TEXT NOT NULL,
    PRIMARY KEY (municipality_code, resident_code, card));
CREATE TABLE IF NOT EXISTS renewal_targets (
    municipality_code TEXT NOT NULL, resident_code TEXT NOT NULL, card TEXT NOT NULL,
    expires_on TEXT, PRIMARY KEY (municipality_code, resident_code, card));
"""
_CODE = re.compile(r"^\d{6}$")
_RESIDENT_CODE = re.compile(r"^\d{11}$")
_KEYS = ("resident_code", "card", "status", "issued_on", "expires_on", "updated_on")


def _date(document: dict[str, Any], key: str, *, required: bool = False) -> str | None:
    value = document.get(key)
    if value is None and not required:
        return None
    try:
        return date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise Refused("cards.invalid", f"{key} は日付（YYYY-MM-DD）で指定してください") from None


class StandinCards:
    def __init__(self, data_dir: str) -> None:
        database = private_dir(data_dir) / "cards.sqlite3"
        private_database_file(database)
        self._db = sqlite3.connect(database, check_same_thread=False)
        self._db.executescript(_SCHEMA)
        self._lock = threading.Lock()

    def report(self, document: Any) -> None:
        """J-LIS records a card's new status (the latest report of a card wins)."""
        if not isinstance(document, dict):
            raise Refused("cards.invalid", "形式が正しくありません")
        mc, code = document.get("municipality_code"), document.get("resident_code")
        card, status = document.get("card"), document.get("status")
        if not isinstance(mc, str) or not _CODE.match(mc):
            raise Refused("cards.invalid", "地方公共団体コードが正しくありません")
        if not isinstance(code, str) or not _RESIDENT_CODE.match(code):
            raise Refused("cards.invalid", "住民票コードが正しくありません")
        if card not in CARD_LABELS:
            raise Refused("cards.card_unknown", f"カード種別 {card} は受け付けられません")
        if status not in STATUS_LABELS:
            raise Refused("cards.status_unknown", f"状態 {status} は受け付けられません")
        row = (
            mc,
            code,
            card,
            status,
            _date(document, "issued_on"),
            _date(document, "expires_on"),
            _date(document, "updated_on", required=True),
        )
        with self._lock, self._db:
            self._db.execute(
                "INSERT INTO cards VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT"
                " (municipality_code, resident_code, card) DO UPDATE SET status = excluded.status,"
                " issued_on = excluded.issued_on, expires_on = excluded.expires_on,"
                " updated_on = excluded.updated_on",
                row,
            )

    def statuses(self, mc: str) -> list[dict[str, Any]]:
        with self._lock:
            rows = self._db.execute(
                "SELECT resident_code, card, status, issued_on, expires_on, updated_on FROM cards"
                " WHERE municipality_code = ? ORDER BY resident_code, card",
                (mc,),
            ).fetchall()
        return [dict(zip(_KEYS, row, strict=True)) for row in rows]

    def add_renewal_target(self, document: Any) -> None:
        """J-LIS lists a person for renewal (``card``: ``my_number`` or ``certificate``)."""
        if not isinstance(document, dict):
            raise Refused("cards.invalid", "形式が正しくありません")
        mc, code = document.get("municipality_code"), document.get("resident_code")
        card = document.get("card", "my_number")
        if not isinstance(mc, str) or not _CODE.match(mc):
            raise Refused("cards.invalid", "地方公共団体コードが正しくありません")
        if not isinstance(code, str) or not _RESIDENT_CODE.match(code):
            raise Refused("cards.invalid", "住民票コードが正しくありません")
        if card not in ("my_number", "certificate"):
            raise Refused("cards.card_unknown", f"更新の種別 {card} は受け付けられません")
        with self._lock, self._db:
            self._db.execute(
                "INSERT INTO renewal_targets VALUES (?, ?, ?, ?) ON CONFLICT"
                " (municipality_code, resident_code, card) DO UPDATE SET"
                " expires_on = excluded.expires_on",
                (mc, code, card, _date(document, "expires_on")),
            )

    def renewal_targets(self, mc: str) -> list[dict[str, Any]]:
        with self._lock:
            rows = self._db.execute(
                "SELECT resident_code, card, expires_on FROM renewal_targets"
                " WHERE municipality_code = ? ORDER BY resident_code, card",
                (mc,),
            ).fetchall()
        return [dict(zip(("resident_code", "card", "expires_on"), r, strict=True)) for r in rows]
