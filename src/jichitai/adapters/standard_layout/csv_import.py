"""Reading a layout export back: manifest, hashes, encoding, CSV rows, 外字 references.

The directory is what ``jichitai layout export`` writes (see ``csv_export.py``) or what another
system writes: the layout's files without a manifest (then no sizes, hashes or row counts; the
encoding from ``--encoding`` or a UTF-8 BOM; LF line ends too, if consistent; the 支援措置等 file
may be absent). Either way the header is matched to the layout's items by name
(:func:`~jichitai.domain.migration.layout.column_map`) and every row handed on in the layout's
full order. Nothing is guessed: the encoding is the manifest's (UTF-8 with or without a BOM, or
cp932) or the one given; bytes that do not decode in it are a fault naming the file and the
physical line. Files are streamed and read
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
from jichitai.domain.migration.layout import Layout, LayoutFile, column_map
from jichitai.services.migration import ENCODINGS
from jichitai.services.migration_import import ImportFault

__all__ = ["ID_MAP", "IMPORT_REPORT", "CsvImportSource", "write_id_map", "write_import_report"]

IMPORT_REPORT: Final = "import_report.csv"
ID_MAP: Final = "id_map.csv"
_ID_MAP_HEADER: Final = ["種別", "移行元の番号", "新しい番号"]
_REPORT_HEADER: Final = ["ファイル", "行", "項目", "コード", "内容"]
_BOM: Final = b"\xef\xbb\xbf"
_CHUNK: Final = 1 << 20
_MIXED_ENDINGS: Final = "改行がCRLFの行とLFのみの行が混在しています"


class CsvImportSource:
    """An :class:`~jichitai.services.ports.ImportSource` over an export directory.

    ``encoding`` (``--encoding``): what files without a manifest are in; with a manifest it must
    agree with the manifest's (``import.encoding_mismatch``). ``partial_header`` (``layout
    check``): a header with unknown or repeated columns or without a required item is a fault
    and the rows are read on anyway, by the columns found. What each file was found to be (its
    encoding and how it was decided, its header, its line ends) is kept for ``layout check``
    (:meth:`encoding_of`, :meth:`header_of`, :meth:`line_ends_of`)."""

    def __init__(
        self, directory: str, encoding: str | None = None, *, partial_header: bool = False
    ) -> None:
        self._dir = Path(directory)
        self._manifest: dict[str, Any] = {}
        self._files: dict[str, dict[str, Any]] = {}
        self._readable: set[str] = set()
        self._given = encoding
        self._encodings: dict[str, str] = {}
        self._decided: dict[str, str] = {}  # file -> "manifest", "bom" or "option"
        self._headers: dict[str, list[str]] = {}
        self._endings: dict[str, dict[str, int]] = {}
        self._partial = partial_header
        self.encoding = encoding or "utf-8"

    def check(self, layout: Layout) -> list[ImportFault]:
        faults: list[ImportFault] = []

        def fault(file: str, code: str, message: str) -> None:
            faults.append(ImportFault(file, 0, "", code, message))

        if not self._dir.is_dir():
            fault(str(self._dir), "import.no_directory", "移行データのディレクトリがありません")
            return faults
        if self._given is not None and self._given not in ENCODINGS:
            fault("", "import.encoding", f"文字コード {self._given!r} は扱えません")
            return faults
        path = self._dir / MANIFEST
        try:
            manifest = json.loads(path.read_bytes().decode("utf-8"))
            if not isinstance(manifest, dict):
                raise ValueError("not an object")
        except FileNotFoundError:
            return self._check_without_manifest(layout)
        except (ValueError, UnicodeDecodeError) as error:
            fault(MANIFEST, "import.manifest", f"manifest.json が読めません: {error}"[:300])
            return faults
        self._manifest = manifest
        encoding = manifest.get("encoding")
        if encoding not in ENCODINGS:
            fault(MANIFEST, "import.encoding", f"文字コード {encoding!r} は扱えません")
            return faults
        if self._given is not None and self._given != encoding:
            fault(
                MANIFEST,
                "import.encoding_mismatch",
                f"--encoding {self._given} が manifest.json の文字コード {encoding} と異なります",
            )
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
            self._encodings[name] = self.encoding
            self._decided[name] = "manifest"
            self._readable.add(name)  # its SHA-256 is checked as its rows are read
        return faults

    def _check_without_manifest(self, layout: Layout) -> list[ImportFault]:
        """Another system's files: no sizes, hashes or row counts to check. Each file's
        encoding is ``--encoding`` or, without it, UTF-8 when the file starts with a BOM;
        otherwise nothing is guessed (cp932 and UTF-8 both decode much of the other's bytes:
        a wrong guess is how mojibake gets into a register). The 住民 and 世帯 files must be
        there; a 支援措置等 file absent means the source has no suppression settings."""
        faults: list[ImportFault] = []
        for layout_file in layout.files:
            name = layout_file.file_name
            target = self._dir / name
            if not target.is_file():
                if layout_file.record != "suppression":
                    faults.append(
                        ImportFault(name, 0, "", "import.missing_file", f"{name} がありません")
                    )
                continue
            with target.open("rb") as raw:
                bom = raw.read(len(_BOM)) == _BOM
            if self._given == "cp932" and bom:
                faults.append(
                    ImportFault(
                        name,
                        1,
                        "",
                        "import.encoding_mismatch",
                        f"{name} は UTF-8 の BOM で始まっています（--encoding cp932 と異なります）",
                    )
                )
                continue
            encoding = self._given or ("utf-8" if bom else None)
            if encoding is None:
                faults.append(
                    ImportFault(
                        name,
                        0,
                        "",
                        "import.encoding_required",
                        f"{name} の文字コードが分かりません（manifest.json も BOM もありません）。"
                        "--encoding cp932 又は --encoding utf-8 を指定してください",
                    )
                )
                continue
            self._encodings[name] = encoding
            self._decided[name] = "option" if self._given else "bom"
            self._readable.add(name)
        return faults

    def readable(self, layout_file: LayoutFile) -> bool:
        return layout_file.file_name in self._readable

    def encoding_of(self, layout_file: LayoutFile) -> tuple[str, str] | None:
        """(encoding, how it was decided: ``manifest``, ``bom`` or ``option``), once
        :meth:`check` found the file readable."""
        name = layout_file.file_name
        if name not in self._decided:
            return None
        return self._encodings[name], self._decided[name]

    def header_of(self, layout_file: LayoutFile) -> list[str] | None:
        """The header row as :meth:`rows` read it."""
        return self._headers.get(layout_file.file_name)

    def line_ends_of(self, layout_file: LayoutFile) -> dict[str, int]:
        """Records ending in ``CRLF`` and in ``LF`` only, as :meth:`rows` read them."""
        return dict(self._endings.get(layout_file.file_name, {}))

    def rows(
        self, layout_file: LayoutFile, faults: list[ImportFault]
    ) -> Iterator[tuple[int, list[str]]]:
        name = layout_file.file_name
        encoding = self._encodings.get(name, self.encoding)
        unescape = encoding == "cp932"
        manifest = bool(self._manifest)
        count = 0
        digest = hashlib.sha256()
        with (self._dir / name).open("rb") as raw:
            endings = self._endings.setdefault(name, {})
            lines = _text_lines(
                _Hashed(raw, digest), encoding, name, faults, crlf=manifest, endings=endings
            )
            reader = csv.reader(lines, strict=True)
            try:
                header = next(reader, None)
                if header is None:
                    faults.append(
                        ImportFault(
                            name, 1, "", "import.header", "見出し行がありません（空のファイル）"
                        )
                    )
                    self._readable.discard(name)
                    return
                self._headers[name] = header
                columns, problems = column_map(layout_file, header, partial=self._partial)
                faults.extend(
                    ImportFault(name, 1, item, code, text) for code, item, text in problems
                )
                if columns is None:
                    self._readable.discard(name)  # its rows were not read: no checks across
                    return
                width, identity = columns.width, columns.identity  # identity: our own export
                for row in reader:
                    count += 1
                    if unescape:
                        row = [unescape_gaiji(cell) if "&#x" in cell else cell for cell in row]
                    if identity:
                        yield count + 1, row
                        continue
                    if len(row) != width:
                        faults.append(
                            ImportFault(
                                name,
                                count + 1,
                                "",
                                "import.columns",
                                f"項目数が {len(row)} です（見出し行の {width} 項目であること）",
                            )
                        )
                    yield count + 1, columns.apply(row)
            except csv.Error as error:
                faults.append(
                    ImportFault(
                        name, count + 2, "", "import.csv", f"CSV として読めません: {error}"[:300]
                    )
                )
                return
            while chunk := raw.read(_CHUNK):  # bytes after the last record, if any
                digest.update(chunk)
        if not manifest:  # another system's file: nothing to compare with
            return
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


def _text_lines(
    raw: _Hashed,
    encoding: str,
    name: str,
    faults: list[ImportFault],
    *,
    crlf: bool = True,
    endings: dict[str, int] | None = None,
) -> Iterator[str]:
    """Decoded physical lines; a line that does not decode is a fault (and read replaced).

    ``crlf``: every record ends with CRLF (what ``layout export`` writes); otherwise (another
    system's files) the first record's line end, CRLF or LF, is the file's, and a record
    ending otherwise is a fault: a file of mixed line ends was edited.

    A physical line longer than ``MAX_LINE_BYTES`` is a fault and is skipped without ever being
    held whole in memory (a 2 GB line must not take 2 GB). cp932 is safe to split at line feeds:
    its trail bytes are never 0x0A or 0x0D. ``endings``: counts the records ending in ``CRLF``
    and in ``LF``.
    """
    number = 0
    quoted = False
    ending = b"\r\n" if crlf else b""
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
        if line.endswith(b"\n") and not quoted:
            this = b"\r\n" if line.endswith(b"\r\n") else b"\n"
            if endings is not None:
                key = "CRLF" if this == b"\r\n" else "LF"
                endings[key] = endings.get(key, 0) + 1
            ending = ending or this
            if this != ending:
                faults.append(
                    ImportFault(
                        name,
                        number,
                        "",
                        "import.line_ending",
                        ("改行がCRLFではありません（LFのみ）" if crlf else _MIXED_ENDINGS)
                        + "。ファイルが書き換えられていないか確認してください",
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
