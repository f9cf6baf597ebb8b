"""Data migration in the standard intermediate layout (中間標準レイアウト): export.

The service reads one municipality's whole register (every snapshot of every person, live and
removed, every household, and every suppression setting (抑止・支援措置), lifted ones included)
in pages, inside one read-only unit of work, turns each into a row of the layout's items
(:class:`~jichitai.services.layout_mapping.RowMapper`) and hands the rows to an
:class:`ExportSink`, which writes them (CSV files, 外字 convention, manifest: an adapter).
Nothing is held in memory beyond one page. The layout is loaded by a function given at wiring
(the layout files live in the package; see ``jichitai.adapters.standard_layout``).

**Standard items only** (``standard_only``): each file is written with the layout's standard
items alone (every item with ``extension = true`` left out, the rest in layout order), for a
receiving system that reads the standard items and nothing else. The rows are made exactly as
for a full export and the standard cells picked out of them, so every cell equals the full
export's. With ``extensions_beside`` the items left out go along in a side file per file
(:func:`extension_file`: the row's key items, then its extension items), in a second pass over
the register inside the same read transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Final

from jichitai.codec import to_primitive
from jichitai.domain.errors import DomainError, Violation
from jichitai.domain.migration.layout import Layout, LayoutFile
from jichitai.domain.migration.suppressions import suppression_row
from jichitai.services.layout_mapping import RowMapper
from jichitai.services.ports import ExportSink, RegisterReadModel, UnitOfWork

__all__ = [
    "ENCODINGS",
    "EXTENSION_SUFFIX",
    "KEY_ITEMS",
    "MANIFEST_FILE",
    "ExportResult",
    "ExportSink",
    "ExportedFile",
    "LayoutExportService",
    "extension_file",
    "household_rows",
    "snapshot_rows",
    "standard_file",
    "suppression_rows",
]

ENCODINGS = ("utf-8", "cp932")
MANIFEST_FILE = "manifest.json"
"""The export's manifest: layout, encoding, and per file its rows, size and sha256."""
PAGE_SIZE = 2_000
KEY_ITEMS: Final = {
    "resident_snapshot": ("宛名番号", "個人履歴番号"),
    "household": ("世帯番号",),
    "suppression": ("措置ID",),
}
"""The items that name a row of each kind of file: what a side file of extension items is
keyed by, so each of its rows can be joined to its row of the standard file."""
EXTENSION_SUFFIX: Final = "_ext"
"""A side file's name: the standard file's stem and this (``juki_jumin_ext.csv``)."""


def standard_file(layout_file: LayoutFile) -> LayoutFile:
    """``layout_file`` with its standard items only (no ``extension = true`` item), in order."""
    return replace(layout_file, items=tuple(i for i in layout_file.items if not i.extension))


def extension_file(layout_file: LayoutFile) -> LayoutFile:
    """The side file of ``layout_file``'s extension items: its key items, then every extension
    item in layout order (``juki_jumin.csv`` → ``juki_jumin_ext.csv``, 「住民（拡張項目）」)."""
    keys = KEY_ITEMS[layout_file.record]
    by_name = {item.name: item for item in layout_file.items}
    stem = layout_file.file_name.removesuffix(".csv")
    return replace(
        layout_file,
        name=f"{layout_file.name}（拡張項目）",
        file_name=f"{stem}{EXTENSION_SUFFIX}.csv",
        items=tuple(by_name[k] for k in keys) + tuple(i for i in layout_file.items if i.extension),
    )


def _columns(layout_file: LayoutFile, part: LayoutFile) -> list[int]:
    """Where each item of ``part`` is in a row of ``layout_file``."""
    names = layout_file.header
    return [names.index(item.name) for item in part.items]


@dataclass(frozen=True, slots=True)
class ExportedFile:
    name: str
    file_name: str
    rows: int
    sha256: str
    bytes: int


@dataclass(frozen=True, slots=True)
class ExportResult:
    """What an export wrote (the manifest's content, and the 外字 count)."""

    municipality_code: str
    business: str
    layout_version: str
    encoding: str
    out_dir: str
    files: tuple[ExportedFile, ...]
    gaiji_characters: int
    gaiji_report: str
    manifest: str
    persons: int = 0
    standard_only: bool = False
    extension_files: tuple[ExportedFile, ...] = ()
    """The side files of extension items (``extensions_beside``), else none."""


def snapshot_rows(
    register: RegisterReadModel, mapper: RowMapper, page_size: int = PAGE_SIZE
) -> Iterator[tuple[str, list[str]]]:
    """Rows of every snapshot, by 宛名番号 then 個人履歴番号; 最新フラグ from one look-ahead."""
    after: tuple[str, int] | None = None
    pending = None
    while True:
        page = register.snapshots_after(after, page_size)
        for record in page:
            if pending is not None:
                latest = pending.atena_number != record.atena_number
                yield pending.atena_number.value, mapper.record_to_row(pending, latest=latest)
            pending = record
        if len(page) < page_size:
            break
        after = (page[-1].atena_number.value, page[-1].history_number)
    if pending is not None:
        yield pending.atena_number.value, mapper.record_to_row(pending, latest=True)


def household_rows(
    register: RegisterReadModel, mapper: RowMapper, page_size: int = PAGE_SIZE
) -> Iterator[tuple[str, list[str]]]:
    """Rows of every household (including those left without members), by 世帯番号."""
    after: str | None = None
    while True:
        page = register.households_after(after, page_size)
        for household in page:
            yield household.household_number, mapper.to_row(to_primitive(household))
        if len(page) < page_size:
            break
        after = page[-1].household_number


def suppression_rows(
    register: RegisterReadModel, mapper: RowMapper, page_size: int = PAGE_SIZE
) -> Iterator[tuple[str, list[str]]]:
    """Rows of every suppression setting (lifted ones included: the history migrates too), by
    措置ID; the person named in the 外字 report is the target (宛名番号, or 世帯番号)."""
    after: str | None = None
    while True:
        page = register.suppressions_after(after, page_size)
        for setting in page:
            target = setting.atena_number or setting.household_number or ""
            yield target, mapper.record_to_row(suppression_row(setting))
        if len(page) < page_size:
            break
        after = page[-1].suppression_id


_ROWS = {
    "resident_snapshot": snapshot_rows,
    "household": household_rows,
    "suppression": suppression_rows,
}


class LayoutExportService:
    """``jichitai layout export``: a municipality's whole register in a layout's files."""

    def __init__(
        self,
        uow_for: Callable[[str], UnitOfWork],
        load_layout: Callable[[str], Layout],
        open_sink: Callable[[str, str], ExportSink],
        page_size: int = PAGE_SIZE,
    ) -> None:
        self._uow_for = uow_for
        self._load_layout = load_layout
        self._open_sink = open_sink
        self._page_size = page_size

    def export(
        self,
        municipality_code: str,
        out_dir: str,
        encoding: str = "utf-8",
        version: str = "1.0",
        *,
        standard_only: bool = False,
        extensions_beside: bool = False,
    ) -> ExportResult:
        if extensions_beside and not standard_only:
            raise DomainError(
                Violation(
                    "export.extensions_beside",
                    "拡張項目の別ファイル（--extensions-beside）は標準項目のみの出力"
                    "（--standard-only）と一緒に指定してください（全項目の出力には拡張項目が"
                    "含まれています）",
                    "extensions_beside",
                )
            )
        layout = self._load_layout(version)
        with self._uow_for(municipality_code) as uow:  # one read transaction: one state
            sink = self._open_sink(out_dir, encoding)
            persons = 0
            written = []
            for layout_file in layout.files:
                part = standard_file(layout_file) if standard_only else layout_file
                written.append(part)
                persons += self._write(uow, layout, layout_file, part, sink)
            if extensions_beside:
                for layout_file in layout.files:
                    side = extension_file(layout_file)
                    self._write(uow, layout, layout_file, side, sink, beside=True)
            written_layout = replace(layout, files=tuple(written))
            result = sink.finish(municipality_code, written_layout, standard_only=standard_only)
        return replace(result, persons=persons)

    def _write(
        self,
        uow: UnitOfWork,
        layout: Layout,
        layout_file: LayoutFile,
        part: LayoutFile,
        sink: ExportSink,
        *,
        beside: bool = False,
    ) -> int:
        """Write ``part`` (the whole of ``layout_file`` or some of its items) and answer the
        number of persons: rows are made whole and the part's cells picked out of them."""
        mapper = RowMapper(layout_file, layout.code_tables)
        columns = None if part is layout_file else _columns(layout_file, part)
        sink.begin_file(part, beside=layout_file.file_name if beside else "")
        persons = 0
        previous = ""
        for person, row in _ROWS[layout_file.record](uow.read_model, mapper, self._page_size):
            if layout_file.record == "resident_snapshot" and person != previous:
                persons += 1
                previous = person
            sink.write_row(person, row if columns is None else [row[i] for i in columns])
        sink.end_file()
        return persons
