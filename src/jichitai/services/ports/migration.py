"""Ports of data migration (中間標準レイアウト): where an export's rows go, where an import's rows
come from, and the worker pool that checks them."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Protocol, TypeAlias

from jichitai.domain.migration.layout import Layout, LayoutFile

if TYPE_CHECKING:  # the results and faults are the migration services' values
    from jichitai.services.migration import ExportResult
    from jichitai.services.migration_rows import Checked, ImportFault, SnapshotCheck

RowToCheck: TypeAlias = tuple[int, list[str], tuple[str, str] | None]
"""A 住民 row to check: its line, its cells, and its new (宛名番号, 世帯番号) when renumbering."""


class ExportSink(Protocol):
    """Where the rows go: one file after another, then the manifest."""

    def begin_file(self, layout_file: LayoutFile, *, beside: str = "") -> None:
        """Start a file; ``beside`` names the file a side file of extension items goes with."""

    def write_row(self, person: str, row: Sequence[str]) -> None:
        """One row; ``person`` is the 宛名番号 (or 世帯番号) named in the 外字 report."""

    def end_file(self) -> None: ...

    def finish(
        self, municipality_code: str, layout: Layout, *, standard_only: bool = False
    ) -> ExportResult:
        """The manifest; ``layout`` holds the files as written (their items, in order)."""


class ImportSource(Protocol):
    """The files of one export directory, read as text rows (an adapter: bytes, CSV, 外字)."""

    def check(self, layout: Layout) -> list[ImportFault]:
        """Faults of the directory as a whole: manifest, missing files, sizes (each file's
        SHA-256 is checked by :meth:`rows`, over the bytes it reads)."""

    def readable(self, layout_file: LayoutFile) -> bool:
        """Whether the file exists and its rows can be read at all (no longer once :meth:`rows`
        has refused its header: nothing across rows is then asked of it)."""

    def rows(
        self, layout_file: LayoutFile, faults: list[ImportFault]
    ) -> Iterator[tuple[int, list[str]]]:
        """(line, cells) of every record after the header, 外字 references decoded. Faults of
        the bytes (encoding, CSV syntax, header, row count) are appended to ``faults``."""


class ProfileSource(ImportSource, Protocol):
    """An import source that also says what it found each file to be (``layout check``)."""

    def encoding_of(self, layout_file: LayoutFile) -> tuple[str, str] | None:
        """(encoding, how it was decided: ``manifest``, ``bom`` or ``option``), or ``None``
        when the file cannot be read."""

    def header_of(self, layout_file: LayoutFile) -> list[str] | None:
        """The file's header row, once :meth:`rows` has read it."""

    def line_ends_of(self, layout_file: LayoutFile) -> dict[str, int]:
        """How many records ended in ``CRLF`` and in ``LF`` only, as :meth:`rows` read them."""


class RowCheckPool(Protocol):
    """The import's worker pool: processes that each build one row check and then check the
    chunks of 住民 rows handed to them (the checks need no other row, and are most of an
    import's time)."""

    def start(
        self, workers: int, make_check: Callable[[], SnapshotCheck]
    ) -> AbstractContextManager[
        Callable[[Sequence[RowToCheck]], Future[tuple[list[Checked], int]]]
    ]:
        """Start ``workers`` workers, each calling ``make_check`` (picklable) once; inside the
        block, the callable given hands a chunk over and answers with its rows checked, in
        order, and the worker's peak resident memory so far (KiB). Leaving the block ends the
        workers; they also end on their own once the importing process is gone."""
