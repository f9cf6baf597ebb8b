"""The foreign-vendor variant of ``jichitai bench migration`` (issue 18): the generated export
rewritten as another system writes it, imported with ``--encoding cp932 --gaiji-map``.

From the big UTF-8 export (the same register the current import reads), streamed row by row:

* the layout's standard items only, in the layout's order (what ``layout export --standard-only``
  writes: no 拡張_… column), every file of the layout, and no ``manifest.json``;
* cp932, CRLF;
* 外字 as a vendor carries them: in one 氏 of a hundred (氏_日本人) the first kanji is replaced by a
  private-use code point U+E000–U+E00F (16 kanji of the template's surnames), and every
  character cp932 cannot write (the demo's rare characters, with their IVS where they carry
  one) becomes a private-use code point from U+E010 on; ``gaiji_map.csv`` (the
  ``--gaiji-map`` form: 移行元コード,文字,IVS,備考) maps each back, so the import yields the same
  names;
* in one row of ten, the older systems' cell forms: each full 西暦 date ``YYYYMMDD`` of the row
  written in 和暦 ``GYYMMDD`` (one-digit 年号 code), and 氏_日本人 / 名_日本人 padded with
  trailing spaces (a fixed-width field).

The import reads it through the whole normalisation path (cell forms, 外字 map) and must yield
the same persons as the current import.
"""

from __future__ import annotations

import csv
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import BinaryIO

from jichitai.adapters.private_files import open_private, private_dir, write_private
from jichitai.adapters.standard_layout.layout import load_layout
from jichitai.domain.common.eras import DEFAULT_ERAS
from jichitai.domain.migration.layout import ItemType

SURNAME = "氏_日本人"
GIVEN_NAME = "名_日本人"
SURNAME_PUA = 0xE000  # U+E000–U+E00F: the vendor's 外字 in one 氏 of a hundred
SURNAME_PUA_COUNT = 16
OTHER_PUA = 0xE010  # the characters cp932 cannot write, from here on
LAST_PUA = 0xE757  # the last private-use code point cp932 writes (its user-defined area)
SURNAME_EVERY = 100
FORMS_EVERY = 10


def _is_selector(char: str) -> bool:
    code = ord(char)
    return 0xE0100 <= code <= 0xE01EF or 0xFE00 <= code <= 0xFE0F


def _is_kanji(char: str) -> bool:
    code = ord(char)
    return 0x4E00 <= code <= 0x9FFF


def _encodable(text: str) -> bool:
    try:
        text.encode("cp932")
    except UnicodeEncodeError:
        return False
    return True


def _wareki(cell: str) -> str:
    """A full 西暦 date ``YYYYMMDD`` as 和暦 ``GYYMMDD``; anything else as it is."""
    if len(cell) != 8 or not cell.isascii() or not cell.isdigit():
        return cell
    try:
        day = date(int(cell[:4]), int(cell[4:6]), int(cell[6:]))
    except ValueError:
        return cell
    if day < DEFAULT_ERAS.first_day:
        return cell
    era = DEFAULT_ERAS.era_of(day)
    year = era.era_year(day.year)
    if era.code > 9 or year > 99:
        return cell
    return f"{era.code}{year:02d}{day.month:02d}{day.day:02d}"


class _Gaiji:
    """The vendor's 外字 table, built as the files are written."""

    def __init__(self) -> None:
        self.surname: dict[str, str] = {}  # kanji → its private-use character (U+E000…)
        self.other: dict[str, str] = {}  # character (with its selector) → private-use character
        self.used_surname = 0

    def surname_char(self, kanji: str) -> str | None:
        if kanji in self.surname:
            return self.surname[kanji]
        if len(self.surname) >= SURNAME_PUA_COUNT:
            return None
        self.surname[kanji] = chr(SURNAME_PUA + len(self.surname))
        return self.surname[kanji]

    def carry(self, cell: str) -> str:
        """``cell`` with every unit cp932 cannot write as a private-use character."""
        if _encodable(cell):
            return cell
        out: list[str] = []
        i = 0
        while i < len(cell):
            unit = cell[i]
            if i + 1 < len(cell) and _is_selector(cell[i + 1]):
                unit += cell[i + 1]
            i += len(unit)
            if _encodable(unit):
                out.append(unit)
                continue
            if unit not in self.other:
                code = OTHER_PUA + len(self.other)
                if code > LAST_PUA:
                    raise ValueError("more 外字 than cp932's user-defined area holds")
                self.other[unit] = chr(code)
            out.append(self.other[unit])
        return "".join(out)

    def map_text(self) -> str:
        lines = ["移行元コード,文字,IVS,備考"]
        for kanji, pua in self.surname.items():
            lines.append(f"U+{ord(pua):04X},U+{ord(kanji):04X},,氏の外字")
        for unit, pua in self.other.items():
            ivs = f"U+{ord(unit[1]):04X}" if len(unit) == 2 else ""
            lines.append(f"U+{ord(pua):04X},U+{ord(unit[0]):04X},{ivs},cp932外")
        return "\r\n".join(lines) + "\r\n"


@dataclass(frozen=True)
class VendorExport:
    rows: dict[str, int]
    bytes: int
    gaiji_surnames: int  # 氏 written with a U+E000–U+E00F character
    gaiji_map_entries: int
    wareki_rows: int  # rows written with 和暦 dates and padded names
    seconds: float


def _rows(path: Path) -> Iterator[list[str]]:
    with path.open(encoding="utf-8", newline="") as f:
        yield from csv.reader(f, strict=True)


def write_vendor(source: Path, out: Path, gaiji_map: Path) -> VendorExport:
    """Rewrite the export in ``source`` into ``out`` as another vendor writes it (see above),
    its 外字 table into ``gaiji_map`` (outside ``out``: it is not one of the vendor's files)."""
    started = time.perf_counter()
    layout = load_layout()
    gaiji = _Gaiji()
    private_dir(out)
    counts: dict[str, int] = {}
    size = surnames = forms = 0
    for layout_file in layout.files:
        items = [item for item in layout_file.items if not item.extension]
        rows = _rows(source / layout_file.file_name)
        header = next(rows)
        at = {name: header.index(name) for name in header}
        picks = [at[item.name] for item in items]
        dates = [n for n, item in enumerate(items) if item.type is ItemType.DATE]
        names = [item.name for item in items]
        surname = names.index(SURNAME) if SURNAME in names else None
        given = names.index(GIVEN_NAME) if GIVEN_NAME in names else None
        path = out / layout_file.file_name
        with open_private(path) as raw:
            text = _CountingText(raw)
            writer = csv.writer(text, lineterminator="\r\n")
            writer.writerow(names)
            count = 0
            for row in rows:
                cells = [gaiji.carry(row[p]) for p in picks]
                count += 1
                if surname is not None and count % SURNAME_EVERY == 0:
                    value = cells[surname]
                    for k, char in enumerate(value):
                        if _is_kanji(char) and not (
                            k + 1 < len(value) and _is_selector(value[k + 1])
                        ):
                            pua = gaiji.surname_char(char)
                            if pua is not None:
                                cells[surname] = value[:k] + pua + value[k + 1 :]
                                surnames += 1
                            break
                if count % FORMS_EVERY == 1:
                    forms += 1
                    for d in dates:
                        cells[d] = _wareki(cells[d])
                    for n in (surname, given):
                        if n is not None and cells[n]:
                            cells[n] = cells[n] + "  "
                writer.writerow(cells)
            counts[layout_file.file_name] = count
            size += text.bytes
    map_text = gaiji.map_text()
    write_private(gaiji_map, map_text.encode("utf-8"))
    return VendorExport(
        rows=counts,
        bytes=size,
        gaiji_surnames=surnames,
        gaiji_map_entries=len(gaiji.surname) + len(gaiji.other),
        wareki_rows=forms,
        seconds=time.perf_counter() - started,
    )


class _CountingText:
    """A text sink for ``csv.writer``: each line encoded in cp932 onto the binary file."""

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self.bytes = 0

    def write(self, text: str) -> int:
        data = text.encode("cp932")
        self.bytes += len(data)
        self._raw.write(data)
        return len(text)
