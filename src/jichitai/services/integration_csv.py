"""The extract as a CSV file a vendor can open: UTF-8 (optionally with a BOM) or cp932, and the
外字 report of a cp932 file.

The CSV is RFC 4180 with CRLF line ends and a header line of item names, like the layout export.
In cp932 a character cp932 cannot carry is written as ``&#xHHHH;`` (the layout export's 外字
convention, ``domain/migration/cp932.py``): nothing is replaced silently, and
:func:`gaiji_report` lists every character so written (行 counts lines with the header as 1).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Collection, Iterable, Iterator
from typing import Final

from jichitai.domain.migration.cp932 import escape_cp932

__all__ = [
    "GAIJI_REPORT_HEADER",
    "MEDIA_TYPES",
    "csv_chunks",
    "gaiji_report",
    "gaiji_report_csv",
]

MEDIA_TYPES: Final = {
    "utf-8": "text/csv; charset=utf-8",
    "cp932": "text/csv; charset=Windows-31J",
}
BOM: Final = "\ufeff".encode()
GAIJI_REPORT_HEADER: Final = ("行", "宛名番号", "項目", "文字", "符号位置", "外字可")
_CHUNK: Final = 500

Record = dict[str, str]


def _cells(items: tuple[str, ...], record: Record) -> list[str]:
    return [record.get(item, "") for item in items]


def csv_chunks(
    items: tuple[str, ...], records: Iterable[Record], encoding: str = "utf-8", *, bom: bool = False
) -> Iterator[bytes]:
    """The CSV's bytes, a few hundred records at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    escape = encoding == "cp932"

    def row(cells: list[str]) -> list[str]:
        return [escape_cp932(c)[0] if escape else c for c in cells]

    writer.writerow(row(list(items)))
    first = BOM if bom else b""
    for count, record in enumerate(records, 1):
        writer.writerow(row(_cells(items, record)))
        if count % _CHUNK == 0:
            yield first + buffer.getvalue().encode(encoding)
            first = b""
            buffer.seek(0)
            buffer.truncate()
    yield first + buffer.getvalue().encode(encoding)


def gaiji_report(
    items: tuple[str, ...], records: Iterable[Record], gaiji_items: Collection[str]
) -> list[tuple[str, ...]]:
    """Every character the cp932 CSV of ``records`` writes as a reference: (行, 宛名番号, 項目,
    文字, 符号位置, 外字可), in file order. 行 counts records with the header as 1 (a record whose
    cell holds a line feed is still one), as the layout export's report does."""
    found: list[tuple[str, ...]] = []
    for line, record in enumerate(records, 2):
        for item, cell in zip(items, _cells(items, record), strict=True):
            if cell.isascii():
                continue
            for char in escape_cp932(cell)[1]:
                allowed = "1" if item in gaiji_items else "0"
                found.append(
                    (str(line), record["宛名番号"], item, char, f"U+{ord(char):04X}", allowed)
                )
    return found


def gaiji_report_csv(rows: Iterable[tuple[str, ...]]) -> bytes:
    """The 外字 report as a UTF-8 CSV with its header line (the layout export's columns, but
    ファイル: there is one file)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(GAIJI_REPORT_HEADER)
    writer.writerows(rows)
    return buffer.getvalue().encode()
