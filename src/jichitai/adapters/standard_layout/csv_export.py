"""Writing a layout's files as CSV: RFC 4180, CRLF, UTF-8 or cp932, 外字 convention, manifest.

* Every file starts with a header row of the item names; fields are quoted only when needed
  (comma, quote, CR or LF inside), quotes doubled; every line ends with CRLF. UTF-8 is written
  without a BOM.
* **外字 convention (cp932).** A character that cp932 cannot carry (or that does not come back
  as the same code point: U+301C 〜, U+2016 ‖ …) is written as the numeric reference
  ``&#xHHHH;`` (upper-case hex of its code point; a variation selector is its own reference, so
  「葛󠄀」 is 「葛&#xE0100;」). A literal ``&`` that would start such a reference is written
  ``&#x26;``, so reading replaces every ``&#x…;`` by its character and gets the text back exactly.
  Nothing is ever replaced silently: each character written so goes into ``gaiji_report.csv``
  (always UTF-8: ファイル, 行, 宛名番号, 項目, 文字, 符号位置, 外字可), where 行 counts records
  with the header as 1, 宛名番号 is the person (世帯番号 in the household file) and 外字可 says
  whether the layout allows 外字 in that item. In UTF-8 nothing needs escaping and the report
  has its header only.
* ``manifest.json`` (UTF-8): layout, encoding, municipality, ``standard_only`` (whether the
  files hold the standard items only, the extension items left out), and per file its items
  (the header, in order), row count, size and SHA-256; side files of extension items
  (``--extensions-beside``) under ``extension_files``, each with the file it goes with
  (``of``) and the items it is keyed by (``key``). It holds no time stamp, so exporting the
  same register twice gives identical bytes.
* Every file is owner-only (0600) and a directory made for the export 0700, whatever the umask
  (``adapters/private_files.py``): the files carry 個人番号 and 支援措置. Each file is created
  new (``O_EXCL``): the directory was empty, and a file or link put there meanwhile is refused,
  never written through.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, BinaryIO, Final

from jichitai.adapters.private_files import open_private, private_dir, write_private
from jichitai.domain.errors import DomainError, Violation
from jichitai.domain.migration.cp932 import escape_cp932, unescape_gaiji
from jichitai.domain.migration.layout import Layout, LayoutFile
from jichitai.services.migration import ENCODINGS, MANIFEST_FILE, ExportedFile, ExportResult

__all__ = ["GAIJI_REPORT", "MANIFEST", "CsvExportSink", "escape_cp932", "unescape_gaiji"]

GAIJI_REPORT: Final = "gaiji_report.csv"
MANIFEST: Final = MANIFEST_FILE
_REPORT_HEADER: Final = ["ファイル", "行", "宛名番号", "項目", "文字", "符号位置", "外字可"]


class _HashingFile:
    """A text sink for ``csv.writer``: encodes, hashes and writes each chunk."""

    def __init__(self, path: Path, encoding: str) -> None:
        self._file: BinaryIO = open_private(path, exclusive=True)
        self._encoding = encoding
        self.sha256 = hashlib.sha256()
        self.size = 0

    def write(self, text: str) -> int:
        data = text.encode(self._encoding)
        self.sha256.update(data)
        self.size += len(data)
        self._file.write(data)
        return len(text)

    def close(self) -> None:
        self._file.close()


class CsvExportSink:
    """An :class:`~jichitai.services.migration.ExportSink` writing CSV files into a directory."""

    def __init__(self, out_dir: str, encoding: str) -> None:
        if encoding not in ENCODINGS:
            raise DomainError(
                Violation(
                    "export.encoding",
                    f"文字コードは {'、'.join(ENCODINGS)} のいずれかを指定してください",
                    "encoding",
                )
            )
        self._dir = Path(out_dir)
        if self._dir.exists() and (not self._dir.is_dir() or any(self._dir.iterdir())):
            raise DomainError(
                Violation(
                    "export.out_not_empty",
                    f"出力先 {out_dir} は空のディレクトリではありません（上書きしません）",
                    "out",
                )
            )
        private_dir(self._dir)
        self._encoding = encoding
        self._escape = encoding == "cp932"
        self._files: list[ExportedFile] = []
        self._beside: list[tuple[ExportedFile, str, LayoutFile]] = []
        self._current_beside = ""
        self._report = _HashingFile(self._dir / GAIJI_REPORT, "utf-8")
        self._report_writer = csv.writer(self._report, lineterminator="\r\n")
        self._report_writer.writerow(_REPORT_HEADER)
        self.gaiji_characters = 0
        self._current: LayoutFile | None = None
        self._out: _HashingFile | None = None
        self._writer: Any = None
        self._line = 0

    def begin_file(self, layout_file: LayoutFile, *, beside: str = "") -> None:
        self._current = layout_file
        self._current_beside = beside
        self._out = _HashingFile(self._dir / layout_file.file_name, self._encoding)
        self._writer = csv.writer(self._out, lineterminator="\r\n")
        self._line = 1
        self._write(layout_file.header, "")

    def write_row(self, person: str, row: Sequence[str]) -> None:
        self._line += 1
        self._write(row, person)

    def _write(self, row: Sequence[str], person: str) -> None:
        assert self._writer is not None and self._current is not None
        if self._escape:
            cells = []
            for index, cell in enumerate(row):
                if cell.isascii() and "&" not in cell:
                    cells.append(cell)
                    continue
                text, escaped = escape_cp932(cell)
                if escaped:
                    self._report_gaiji(index, person, escaped)
                cells.append(text)
            row = cells
        self._writer.writerow(row)

    def _report_gaiji(self, index: int, person: str, characters: list[str]) -> None:
        assert self._current is not None
        item = self._current.items[index] if person else None
        for char in characters:
            self.gaiji_characters += 1
            self._report_writer.writerow(
                [
                    self._current.file_name,
                    self._line,
                    person,
                    item.name if item else "(見出し)",
                    char,
                    f"U+{ord(char):04X}",
                    "1" if item is not None and item.gaiji else "0",
                ]
            )

    def end_file(self) -> None:
        assert self._out is not None and self._current is not None
        self._out.close()
        written = ExportedFile(
            name=self._current.name,
            file_name=self._current.file_name,
            rows=self._line - 1,
            sha256=self._out.sha256.hexdigest(),
            bytes=self._out.size,
        )
        if self._current_beside:
            self._beside.append((written, self._current_beside, self._current))
        else:
            self._files.append(written)
        self._out = self._writer = self._current = None

    def finish(
        self, municipality_code: str, layout: Layout, *, standard_only: bool = False
    ) -> ExportResult:
        self._report.close()
        items = {f.file_name: f.header for f in layout.files}
        manifest: dict[str, Any] = {
            "business": layout.business,
            "layout_version": layout.version,
            "municipality_code": municipality_code,
            "encoding": self._encoding,
            "line_end": "CRLF",
            "gaiji_convention": "&#xHHHH;",
            "standard_only": standard_only,
            "files": [
                {
                    "name": f.name,
                    "file": f.file_name,
                    "items": items[f.file_name],
                    "rows": f.rows,
                    "bytes": f.bytes,
                    "sha256": f.sha256,
                }
                for f in self._files
            ],
        }
        if self._beside:
            manifest["extension_files"] = [
                {
                    "name": f.name,
                    "file": f.file_name,
                    "of": of,
                    "key": [i.name for i in side.items if not i.extension],
                    "items": side.header,
                    "rows": f.rows,
                    "bytes": f.bytes,
                    "sha256": f.sha256,
                }
                for f, of, side in self._beside
            ]
        manifest |= {
            "gaiji_report": {
                "file": GAIJI_REPORT,
                "characters": self.gaiji_characters,
                "sha256": self._report.sha256.hexdigest(),
            },
        }
        text = json.dumps(manifest, ensure_ascii=False, indent=2) + "\n"
        write_private(self._dir / MANIFEST, text.encode("utf-8"), exclusive=True)
        return ExportResult(
            municipality_code=municipality_code,
            business=layout.business,
            layout_version=layout.version,
            encoding=self._encoding,
            out_dir=str(self._dir),
            files=tuple(self._files),
            gaiji_characters=self.gaiji_characters,
            gaiji_report=str(self._dir / GAIJI_REPORT),
            manifest=str(self._dir / MANIFEST),
            standard_only=standard_only,
            extension_files=tuple(f for f, _, _ in self._beside),
        )
