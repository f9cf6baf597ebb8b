"""The integration API's request parameters that are more than a number or a name (ADR 0010):
the 基準日 ``as_of`` and the extract's ``encoding`` and ``bom``.

Each returns the value as the service uses it or raises ``InvalidValue`` naming the parameter
(the command line's ``jichitai feed effective --on`` reads its day as ``as_of`` does).
"""

from __future__ import annotations

from datetime import date
from typing import Final

from jichitai.domain.errors import InvalidValue, Violation, invalid

__all__ = ["CSV_ENCODINGS", "as_of_day", "checked_encoding"]

CSV_ENCODINGS: Final = ("utf-8", "cp932")
"""The encodings an extract's CSV is written in (NDJSON is UTF-8 only)."""


def as_of_day(text: str | None, today: date, field: str = "as_of") -> date | None:
    """The ``as_of`` parameter (基準日): a real day written YYYY-MM-DD, not after ``today``
    (the register answers only for days that have begun; a planned change is announced in the
    feed with its date instead). None when not given: the answer is as of today."""
    if text is None:
        return None
    day = None
    if len(text) == 10 and text.isascii() and text[4] == "-" and text[7] == "-":
        try:
            day = date.fromisoformat(text)
        except ValueError:
            day = None
    if day is None:
        raise invalid(
            "as_of.invalid",
            f"{field}（基準日）は YYYY-MM-DD 形式の実在する日付で指定してください",
            field,
        )
    if day > today:
        raise invalid(
            "as_of.future",
            f"{field}（基準日）に今日（{today.isoformat()}）より後の日付は指定できません"
            "（予定の異動はフィードが効力発生日とともに伝えます）",
            field,
        )
    return day


def checked_encoding(encoding: str, *, csv_format: bool, bom: bool) -> str:
    """The extract's encoding, refused clearly when it is not one the file can be written in."""
    name = encoding.strip().lower()
    faults: list[Violation] = []
    if name not in CSV_ENCODINGS:
        faults.append(
            Violation(
                "integration.encoding_unknown",
                "文字コード（encoding）は utf-8 又は cp932 で指定してください",
                "encoding",
            )
        )
    elif name != "utf-8" and not csv_format:
        faults.append(
            Violation(
                "integration.encoding_csv_only",
                "NDJSON は UTF-8 だけです（cp932 は format=csv で指定してください）",
                "encoding",
            )
        )
    if bom and (name != "utf-8" or not csv_format):
        faults.append(
            Violation(
                "integration.bom_utf8_csv_only",
                "BOM（bom=true）は UTF-8 の CSV にだけ付けられます",
                "bom",
            )
        )
    if faults:
        raise InvalidValue(*faults)
    return name
