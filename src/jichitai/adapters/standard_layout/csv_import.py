"""Reading a layout export back: manifest, hashes, encoding, CSV rows, 外字 references.

The directory is what ``jichitai layout export`` writes (see ``csv_export.py``). Nothing is
guessed: the encoding is the manifest's (UTF-8 with or without a BOM, or cp932); bytes that do
not decode in it are a fault naming the file and the physical line. Files are streamed and read
once: the sizes are checked first, the SHA-256 over the very bytes the rows are decoded from
(line by line, parsed by the ``csv`` module), so a file changed meanwhile is caught too.
In cp932 every ``&#xHHHH;`` reference is read back as its character (the 外字 convention).
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, BinaryIO, Final

from jichitai.adapters.private_files import open_private, private_dir
from jichitai.adapters.standard_layout.csv_export import MANIFEST, unescape_gaiji
from jichitai.domain.migration.layout import Layout, LayoutFile
from jichitai.services.migration import ENCODINGS
from jichitai.services.migration_import import ImportFault

__all__ = ["ID_MAP", "IMPORT_REPORT", "CsvImportSource", "write_id_map", "write_import_report"]

IMPORT_REPORT: Final = "import_report.csv"
ID_MAP: Final = "id_map.csv"
_ID_MAP_HEADER: Final = ["種別", "移行元の番号", "新しい番号"]
_REPORT_HEADER: Final = ["ファイル", "行", "項目", "コード", "内容"]
_BOM: Final = b"\xef\xbb\xbf"
_CHUNK: Final = 1 << 20


class CsvImportSource:
    """An :class:`~jichitai.services.ports.ImportSource` over an export directory."""

    def __init__(self, directory: str) -> None:
        self._dir = Path(directory)
        self._manifest: dict[str, Any] = {}
        self._files: dict[str, dict[str, Any]] = {}
        self._readable: set[str] = set()
        self.encoding = "utf-8"

    def check(self, layout: Layout) -> list[ImportFault]:
        faults: list[ImportFault] = []

        def fault(file: str, code: str, message: str) -> None:
            faults.append(ImportFault(file, 0, "", code, message))

        if not self._dir.is_dir():
            fault(str(self._dir), "import.no_directory", "移行データのディレクトリがありません")
            return faults
        path = self._dir / MANIFEST
        try:
            manifest = json.loads(path.read_bytes().decode("utf-8"))
            if not isinstance(manifest, dict):
                raise ValueError("not an object")
        except FileNotFoundError:
            fault(MANIFEST, "import.missing_file", "manifest.json がありません（中断された出力？）")
            return faults
        except (ValueError, UnicodeDecodeError) as error:
            fault(MANIFEST, "import.manifest", f"manifest.json が読めません: {error}"[:300])
            return faults
        self._manifest = manifest
        encoding = manifest.get("encoding")
        if encoding not in ENCODINGS:
            fault(MANIFEST, "import.encoding", f"文字コード {encoding!r} は扱えません")
            return faults
        self.encoding = str(encoding)
        if manifest.get("layout_version") != layout.version:
            fault(
                MANIFEST,
                "import.layout_version",
                f"レイアウトの版 {manifest.get('layout_version')!r} が {layout.version} と異なります",
            )
            return faults
        listed = manifest.get("files")
        self._files = (
            {str(f.get("file")): f for f in listed if isinstance(f, dict)}
            if isinstance(listed, list)
            else {}
        )
        for layout_file in layout.files:
            name = layout_file.file_name
            entry = self._files.get(name)
            target = self._dir / name
            if entry is None:
                fault(name, "import.manifest", f"manifest.json に {name} の記載がありません")
                continue
            if not target.is_file():
                fault(name, "import.missing_file", f"{name} がありません")
                continue
            size = target.stat().st_size
            if size != entry.get("bytes"):
                fault(
                    name,
                    "import.size",
                    f"大きさ {size} バイトが manifest の {entry.get('bytes')} バイトと異なります（途中で切れている？）",
                )
            self._readable.add(name)  # its SHA-256 is checked as its rows are read
        return faults

    def readable(self, layout_file: LayoutFile) -> bool:
        return layout_file.file_name in self._readable

    def rows(
        self, layout_file: LayoutFile, faults: list[ImportFault]
    ) -> Iterator[tuple[int, list[str]]]:
        name = layout_file.file_name
        unescape = self.encoding == "cp932"
        count = 0
        digest = hashlib.sha256()
        with (self._dir / name).open("rb") as raw:
            lines = _text_lines(_Hashed(raw, digest), self.encoding, name, faults)
            reader = csv.reader(lines, strict=True)
            try:
                header = next(reader, None)
                if header != layout_file.header:
                    faults.append(
                        ImportFault(
                            name,
                            1,
                            "",
                            "import.header",
                            "見出し行がレイアウトの項目と一致しません"
                            + (
                                f"（{len(header)} 項目）"
                                if header is not None
                                else "（空のファイル）"
                            ),
                        )
                    )
                    return
                for row in reader:
                    count += 1
                    if unescape:
                        row = [unescape_gaiji(cell) if "&#x" in cell else cell for cell in row]
                    yield count + 1, row
            except csv.Error as error:
                faults.append(
                    ImportFault(
                        name, count + 2, "", "import.csv", f"CSV として読めません: {error}"[:300]
                    )
                )
                return
            while chunk := raw.read(_CHUNK):  # bytes after the last record, if any
                digest.update(chunk)
        if digest.hexdigest() != self._files.get(name, {}).get("sha256"):
            faults.append(
                ImportFault(name, 0, "", "import.sha256", "SHA-256 が manifest と一致しません")
            )
        expected = self._files.get(name, {}).get("rows")
        if expected != count:
            faults.append(
                ImportFault(
                    name,
                    0,
                    "",
                    "import.row_count",
                    f"行数 {count} が manifest の {expected} と異なります",
                )
            )


class _Hashed:
    """A binary file whose every byte read (by lines or chunks) goes into a digest too."""

    def __init__(self, raw: BinaryIO, digest: Any) -> None:
        self._raw = raw
        self._digest = digest

    def readline(self, limit: int = -1) -> bytes:
        line = self._raw.readline(limit)
        self._digest.update(line)
        return line


MAX_LINE_BYTES = 1 << 20
"""The longest physical line read (1 MiB); the widest real row is a few KB."""


def _text_lines(raw: _Hashed, encoding: str, name: str, faults: list[ImportFault]) -> Iterator[str]:
    """Decoded physical lines; a line that does not decode is a fault (and read replaced).

    A physical line longer than ``MAX_LINE_BYTES`` is a fault and is skipped without ever being
    held whole in memory (a 2 GB line must not take 2 GB). cp932 is safe to split at line feeds:
    its trail bytes are never 0x0A or 0x0D.
    """
    number = 0
    quoted = False
    while line := raw.readline(MAX_LINE_BYTES + 1):
        number += 1
        if len(line) > MAX_LINE_BYTES and not line.endswith(b"\n"):
            faults.append(
                ImportFault(
                    name,
                    number,
                    "",
                    "import.line_too_long",
                    f"1行が {MAX_LINE_BYTES:,} バイトを超えています。この行は読み飛ばしました",
                )
            )
            while line and not line.endswith(b"\n"):  # drop the rest, chunk by chunk
                line = raw.readline(MAX_LINE_BYTES + 1)
            continue
        if number == 1 and encoding == "utf-8" and line.startswith(_BOM):
            line = line[len(_BOM) :]
        # RFC 4180: a record ends with CRLF; a bare LF is data only inside a quoted field (each
        # quote toggles, an escaped "" toggles twice). A file of mixed line ends was edited.
        if line.count(b'"') % 2:
            quoted = not quoted
        if line.endswith(b"\n") and not line.endswith(b"\r\n") and not quoted:
            faults.append(
                ImportFault(
                    name,
                    number,
                    "",
                    "import.line_ending",
                    "改行がCRLFではありません（LFのみ）。ファイルが書き換えられていないか確認してください",
                )
            )
        try:
            yield line.decode(encoding)
        except UnicodeDecodeError as error:
            faults.append(
                ImportFault(
                    name,
                    number,
                    "",
                    "import.encoding",
                    f"{encoding} として読めないバイトがあります（{error.start + 1} バイト目）",
                )
            )
            yield line.decode(encoding, errors="replace")


def write_id_map(report_dir: str, pairs: Iterable[tuple[str, str, str]]) -> str:
    """``id_map.csv``: 種別, 移行元の番号, 新しい番号 — for other systems to follow."""
    return _write_csv(Path(report_dir) / ID_MAP, _ID_MAP_HEADER, pairs)


def write_import_report(report_dir: str, faults: Sequence[ImportFault]) -> str:
    """``import_report.csv``: every fault, with a header row."""
    rows = ([f.file, f.line, f.item, f.code, f.message] for f in faults)
    return _write_csv(Path(report_dir) / IMPORT_REPORT, _REPORT_HEADER, rows)


def _write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A report file: UTF-8, CRLF, a header row; owner-only (0600, a directory made for it 0700),
    since it names persons (and the id map links every number to its new one)."""
    private_dir(path.parent)
    with open_private(path, "w", newline="") as out:
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(rows)
    return str(path)
