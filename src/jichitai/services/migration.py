"""Data migration in the standard intermediate layout (中間標準レイアウト): export.

The service reads one municipality's whole register (every snapshot of every person, live and
removed, every household, and every suppression setting (抑止・支援措置), lifted ones included)
in pages, inside one read-only unit of work, turns each into a row of the layout's items
(:class:`~jichitai.services.layout_mapping.RowMapper`) and hands the rows to an
:class:`ExportSink`, which writes them (CSV files, 外字 convention, manifest: an adapter).
Nothing is held in memory beyond one page. The layout is loaded by a function given at wiring
(the layout files live in the package; see ``jichitai.adapters.standard_layout``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

from jichitai.codec import to_primitive
from jichitai.domain.migration.layout import Layout
from jichitai.domain.migration.suppressions import suppression_row
from jichitai.services.layout_mapping import RowMapper
from jichitai.services.ports import ExportSink, RegisterReadModel, UnitOfWork

__all__ = [
    "ENCODINGS",
    "MANIFEST_FILE",
    "ExportResult",
    "ExportSink",
    "ExportedFile",
    "LayoutExportService",
    "household_rows",
    "snapshot_rows",
    "suppression_rows",
]

ENCODINGS = ("utf-8", "cp932")
MANIFEST_FILE = "manifest.json"
"""The export's manifest: layout, encoding, and per file its rows, size and sha256."""
PAGE_SIZE = 2_000


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
        self, municipality_code: str, out_dir: str, encoding: str = "utf-8", version: str = "1.0"
    ) -> ExportResult:
        layout = self._load_layout(version)
        with self._uow_for(municipality_code) as uow:  # one read transaction: one state
            sink = self._open_sink(out_dir, encoding)
            persons = 0
            for layout_file in layout.files:
                mapper = RowMapper(layout_file, layout.code_tables)
                sink.begin_file(layout_file)
                previous = ""
                for person, row in _ROWS[layout_file.record](
                    uow.read_model, mapper, self._page_size
                ):
                    if layout_file.record == "resident_snapshot" and person != previous:
                        persons += 1
                        previous = person
                    sink.write_row(person, row)
                sink.end_file()
        return replace(sink.finish(municipality_code, layout), persons=persons)
