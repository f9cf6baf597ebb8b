"""The stand-in's number-generation service (J-LIS behind the CS; standard §7.1.2, §4.3.1), in
our own JSON format (``docs/national-links.md``, "番号連携"), kept in ``DIR/numbers.sqlite3``
(owner-only). Not the real service, whose interface is not public.

- 空きコード: blocks of unused valid 住民票コード per municipality, never the same code twice;
- 個人番号: one unique valid number per 住民票コード it knows (handed out here, or in the CS's
  copy of 本人確認情報); unknown codes are refused; a change retires the old number;
- 符号 and the serial number of the 利用者証明用電子証明書: per person holding a 個人番号.
"""

from __future__ import annotations

import re
import secrets
import sqlite3
import threading
from collections.abc import Callable
from typing import Any

from jichitai.adapters.private_files import private_database_file, private_dir
from jichitai.domain.common.identifiers import (
    RESIDENT_CODE_M11_W2_7,
    ResidentCode,
    individual_number_check_digit,
)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS free_codes (
    resident_code TEXT PRIMARY KEY, municipality_code TEXT NOT NULL, block INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS numbers (
    resident_code TEXT PRIMARY KEY, individual_number TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS retired_numbers (individual_number TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS obtained (
    kind TEXT NOT NULL, resident_code TEXT NOT NULL, value TEXT NOT NULL UNIQUE,
    PRIMARY KEY (kind, resident_code));
"""
_CODE = re.compile(r"^\d{6}$")
_RESIDENT_CODE = re.compile(r"^\d{11}$")
OBTAINABLE = ("fugo", "serial")
MAX_BLOCK = 1000


class NumberRefused(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class StandinNumbers:
    """The number-generation service's store; ``known_in_copy(mc, code)``: whether the CS's
    copy of 本人確認情報 holds the code."""

    def __init__(self, data_dir: str, known_in_copy: Callable[[str, str], bool]) -> None:
        database = private_dir(data_dir) / "numbers.sqlite3"
        private_database_file(database)
        self._db = sqlite3.connect(database, check_same_thread=False)
        self._db.executescript(_SCHEMA)
        self._lock = threading.Lock()
        self._known_in_copy = known_in_copy

    def free_codes(self, request: Any) -> dict[str, Any]:
        if not isinstance(request, dict):
            raise NumberRefused("number.invalid", "要求の形式が正しくありません")
        mc, count = request.get("municipality_code"), request.get("count")
        if not isinstance(mc, str) or not _CODE.match(mc):
            raise NumberRefused("number.invalid", "地方公共団体コードが正しくありません")
        if not isinstance(count, int) or not 1 <= count <= MAX_BLOCK:
            raise NumberRefused("number.invalid", f"件数は1から{MAX_BLOCK}までです")
        with self._lock, self._db:
            block = self._db.execute("SELECT coalesce(max(block), 0) + 1 FROM free_codes")
            number = int(block.fetchone()[0])
            codes: list[str] = []
            while len(codes) < count:
                code = ResidentCode.from_random_digits(
                    f"{secrets.randbelow(10**10):010d}", rule=RESIDENT_CODE_M11_W2_7
                ).value
                if self._known(mc, code):
                    continue
                self._db.execute("INSERT INTO free_codes VALUES (?, ?, ?)", (code, mc, number))
                codes.append(code)
        return {"municipality_code": mc, "block": number, "codes": codes}

    def handed_out(self, mc: str) -> list[str]:
        with self._lock:
            rows = self._db.execute(
                "SELECT resident_code FROM free_codes WHERE municipality_code = ?"
                " ORDER BY block, resident_code",
                (mc,),
            ).fetchall()
        return [str(r[0]) for r in rows]

    def _known(self, mc: str, code: str) -> bool:
        handed = self._db.execute(
            "SELECT 1 FROM free_codes WHERE resident_code = ?", (code,)
        ).fetchone()
        return handed is not None or self._known_in_copy(mc, code)

    def _new_number(self) -> str:
        while True:
            first11 = f"{secrets.randbelow(10**11):011d}"
            number = first11 + individual_number_check_digit(first11)
            taken = self._db.execute(
                "SELECT 1 FROM numbers WHERE individual_number = ? UNION ALL"
                " SELECT 1 FROM retired_numbers WHERE individual_number = ?",
                (number, number),
            ).fetchone()
            if taken is None:
                return number

    def _checked(self, mc: str, code: object) -> str:
        if not isinstance(code, str) or not _RESIDENT_CODE.match(code):
            raise NumberRefused("number.invalid", "住民票コードが正しくありません")
        if not self._known(mc, code):
            raise NumberRefused("number.unknown_code", f"住民票コード {code} は付番されていません")
        return code

    def generate(self, mc: str, code: object) -> str:
        """The 個人番号 of ``code`` (made once; the same again for a resend)."""
        with self._lock, self._db:
            code = self._checked(mc, code)
            held = self._db.execute(
                "SELECT individual_number FROM numbers WHERE resident_code = ?", (code,)
            ).fetchone()
            if held is not None:
                return str(held[0])
            number = self._new_number()
            self._db.execute("INSERT INTO numbers VALUES (?, ?)", (code, number))
            return number

    def change(self, request: Any) -> dict[str, Any]:
        """A new 個人番号 for the holder of a code (番号変更); the old one is never used again."""
        if not isinstance(request, dict):
            raise NumberRefused("number.invalid", "要求の形式が正しくありません")
        mc = str(request.get("municipality_code") or "")
        with self._lock, self._db:
            code = self._checked(mc, request.get("resident_code"))
            held = self._db.execute(
                "SELECT individual_number FROM numbers WHERE resident_code = ?", (code,)
            ).fetchone()
            if held is None:
                raise NumberRefused("number.no_number", "個人番号が生成されていません")
            number = self._new_number()
            self._db.execute("INSERT INTO retired_numbers VALUES (?)", (held[0],))
            self._db.execute(
                "UPDATE numbers SET individual_number = ? WHERE resident_code = ?", (number, code)
            )
        return {"individual_number": number}

    def obtain(self, kind: str, mc: str, code: str) -> dict[str, Any]:
        """The person's 符号 or serial number (made once per person)."""
        with self._lock, self._db:
            code = self._checked(mc, code)
            if (
                self._db.execute(
                    "SELECT 1 FROM numbers WHERE resident_code = ?", (code,)
                ).fetchone()
                is None
            ):
                raise NumberRefused("number.no_number", "個人番号が生成されていません")
            held = self._db.execute(
                "SELECT value FROM obtained WHERE kind = ? AND resident_code = ?", (kind, code)
            ).fetchone()
            if held is not None:
                return {"value": str(held[0])}
            while True:
                value = (
                    secrets.token_hex(16).upper()
                    if kind == "fugo"
                    else f"{secrets.randbelow(16**16):016X}"
                )
                if (
                    self._db.execute("SELECT 1 FROM obtained WHERE value = ?", (value,)).fetchone()
                    is None
                ):
                    break
            self._db.execute("INSERT INTO obtained VALUES (?, ?, ?)", (kind, code, value))
        return {"value": value}
