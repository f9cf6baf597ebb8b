"""Data migration in the standard intermediate layout (中間標準レイアウト): import.

``jichitai layout import`` takes a layout export (``manifest.json`` and the layout's CSV files)
into an **empty** municipality, keeping the source 宛名番号 and 世帯番号 (``--ids keep``) or
giving every person and household a new number (``--ids renumber``, see :class:`IdMode`).

The files are read **once**, streamed row by row (an :class:`ImportSource`, an adapter, does
the bytes: manifest, sizes, hashes, encoding, CSV, 外字 references), the 世帯 file first, then
the 住民 file, then the 支援措置等 file (suppression settings, which refer to both):

1. **Every row is checked** against its items (type, code table, length, check digits), rebuilt
   with the layout's row → record inverse (:class:`~jichitai.services.layout_mapping.RowMapper`,
   the domain's own constructors: the counter's rules) and checked against the register's
   invariants across rows: 個人履歴番号 1..n in order, no duplicate (宛名番号, 個人履歴番号),
   最新フラグ on the last row of a person only, every 世帯番号 in the 世帯 file, one 世帯主 per
   household and the 世帯 file's head and member count as the persons' current records say;
   every 支援措置等 row's 宛名番号 a person of the 住民 file, its 世帯番号 a household of the 世帯
   file, no 措置ID twice (a DV victim's protection must never be lost or attached to nobody);
   every living resident's current address in the municipality imported into (see
   :meth:`LayoutImportService.import_export`'s ``allow_addresses_outside``) and, when the
   municipality has loaded a 町字 master, its 町字 in the master (``allow_outside_master``).
   **Every** fault is collected (file, line, item, code, Japanese message), not only the first.
2. **All or nothing.** While no fault has been found, each checked row is handed to the writer
   (:class:`~jichitai.services.migration_writer.ImportWriter`), inside one unit of work: one
   journal entry per snapshot (kind ``import``, the snapshot's own reason and dates, recorded
   now, the hash chain continued), the snapshots with their history numbers, the projections,
   the households and the suppression settings (lifted ones included, in the ``suppressions``
   table of the same transaction), and the number sequences advanced past the highest imported
   numbers. The unit of work is committed only if the whole input proved faultless; a fault, an
   error or a killed process leaves the municipality as it was. Checking and writing in one pass
   reads and decodes each row once instead of twice.

**Worker processes** (``workers``): checking a 住民 row on its own — its cells, its record
built by the domain's types, its canonical JSON and projection row — is most of the work and
needs no other row (``migration_rows``). With workers (``migration_workers``, over the
``RowCheckPool`` port: processes in ``adapters/migration_workers.py``) the importing process
reads the rows, hands them out in chunks (a few at a time, so memory stays flat) and
takes the results back in the order read; the checks across rows, the hash chain and the writes
stay in the importing process. Faults and written rows are the same whatever the number of
workers (tested).

The reading and checking pass is :class:`~jichitai.services.migration_pass.ImportPass`
(``migration_pass``: the checks across rows, and what it keeps in memory), the writes and
``--ids renumber`` are ``migration_writer``; this module runs them in one unit of work.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC
from functools import partial
from typing import Any, Final

from jichitai.domain.common.town_areas import MasterIndex
from jichitai.domain.errors import DomainError, NotFound, Violation
from jichitai.domain.migration.code_map import code_map_template
from jichitai.domain.migration.layout import Layout, LayoutFile
from jichitai.domain.residents.model import ResidentRecord
from jichitai.services.migration_ids import IdMode
from jichitai.services.migration_maps import NO_MAPS, MappedSource, MapTexts
from jichitai.services.migration_pass import ImportPass
from jichitai.services.migration_rows import ImportFault, SnapshotCheck
from jichitai.services.migration_workers import checked_in_workers
from jichitai.services.migration_writer import (
    IMPORT_KIND,
    ImportWriter,
    Renumbering,
    renumbered_keys,
)
from jichitai.services.ports import (
    Clock,
    IdSource,
    ImportSource,
    RowCheckPool,
    UnitOfWork,
)

__all__ = [
    "IMPORT_KIND",
    "IdMode",
    "ImportFault",
    "ImportResult",
    "ImportSource",
    "LayoutImportService",
    "MapTexts",
]


BATCH_SIZE: Final = 2_000


Progress = Callable[[str, str, int], None]
"""Called as rows are read: (phase, file name, rows read so far); the phase is ``import``
(checked and written), or ``check`` for a dry run."""

PROGRESS_EVERY = 1_000


class _Counted:
    """An import source that reports how many rows of each file have been read."""

    def __init__(self, inner: ImportSource, progress: Progress) -> None:
        self._inner = inner
        self._progress = progress
        self.phase = "import"

    def check(self, layout: Layout) -> list[ImportFault]:
        return self._inner.check(layout)

    def readable(self, layout_file: LayoutFile) -> bool:
        return self._inner.readable(layout_file)

    def rows(
        self, layout_file: LayoutFile, faults: list[ImportFault]
    ) -> Iterator[tuple[int, list[str]]]:
        count = 0
        for count, item in enumerate(self._inner.rows(layout_file, faults), start=1):
            if count % PROGRESS_EVERY == 0:
                self._progress(self.phase, layout_file.file_name, count)
            yield item
        self._progress(self.phase, layout_file.file_name, count)


@dataclass(frozen=True, slots=True)
class ImportResult:
    municipality_code: str
    directory: str
    dry_run: bool
    written: bool
    persons: int
    snapshots: int
    households: int
    faults: tuple[ImportFault, ...]
    report: str
    id_map: str | None = None
    """With ``--ids renumber`` (written): the file mapping each source key to its new number."""
    suppressions: int = 0
    """Rows of the 支援措置等 file (suppression settings, lifted ones included)."""
    worker_peak_kb: int = 0
    """The largest peak resident memory of a worker process (KiB; 0: no worker)."""
    addresses_outside: tuple[ImportFault, ...] = ()
    """With ``allow_addresses_outside``: the living residents whose address lies outside the
    municipality, taken in anyway (``import.address_outside_allowed``, listed in the report)."""
    town_areas_outside_master: tuple[ImportFault, ...] = ()
    """With ``allow_outside_master``: the living residents whose 町字 is not in the 町字 master,
    taken in anyway (``import.town_area_outside_master_allowed``, listed in the report)."""


class LayoutImportService:
    """``jichitai layout import``: a layout export into an empty municipality."""

    def __init__(
        self,
        uow_for: Callable[[str], UnitOfWork],
        load_layout: Callable[[str], Layout],
        open_source: Callable[[str, str | None], ImportSource],
        write_report: Callable[[str, Sequence[ImportFault]], str],
        write_id_map: Callable[[str, Iterable[tuple[str, str, str]]], str],
        clock: Clock,
        municipality_name: Callable[[str], str | None],
        ids: IdSource,
        batch_size: int = BATCH_SIZE,
        check_pool: RowCheckPool | None = None,
    ) -> None:
        """``municipality_name``: the registered name of a tenant (its residents' addresses
        must name it), None for none. ``check_pool``: the worker processes an import with
        ``workers`` checks its rows in; without one every row is checked in this process."""
        self._uow_for = uow_for
        self._municipality_name = municipality_name
        self._load_layout = load_layout
        self._open_source = open_source
        self._write_report = write_report
        self._write_id_map = write_id_map
        self._clock = clock
        self._batch_size = batch_size
        self._ids = ids
        self._check_pool = check_pool

    def import_export(
        self,
        municipality_code: str,
        directory: str,
        *,
        report_dir: str = ".",
        dry_run: bool = False,
        ids: IdMode = IdMode.KEEP,
        version: str = "1.0",
        operator: str = "",
        progress: Progress | None = None,
        workers: int = 0,
        allow_addresses_outside: bool = False,
        allow_outside_master: bool = False,
        encoding: str | None = None,
        maps: MapTexts | None = None,
    ) -> ImportResult:
        """Check every row and, when no row has a fault (and not ``dry_run``), write them all.

        The files are read once: the rows are written as they are checked, inside one unit of
        work that is committed only when the whole input proved faultless, and rolled back
        otherwise (or on any failure, a kill included: the database never sees a partial
        import).

        A living resident (住民状態 住民 on the person's last row) must live in the municipality:
        an address that does not lie in it (:meth:`Address.outside_violation
        <jichitai.domain.common.address.Address.outside_violation>`: another municipality,
        abroad, unknown) is a fault ``address.outside_municipality`` on that row — removed
        records (除票), previous and onward addresses and earlier snapshots are not asked, they
        may be anywhere. ``allow_addresses_outside`` lets such rows in (a register exported
        under another name, a test copy): they are listed in the report as
        ``import.address_outside_allowed``, and each one's journal entry keeps the rule as an
        acknowledged alert beside the operator, as a counter change keeps the alerts its clerk
        acknowledged.

        ``encoding`` (``utf-8`` or ``cp932``): what the files are in when the directory has no
        ``manifest.json`` (another system's files); with a manifest it must agree with it.

        ``maps``: the vendor's 外字 map and code map (``migration_maps``), applied to every row
        as it is read; a bad line of either refuses the import before anything is read.
        """
        layout = self._load_layout(version)
        vendor_maps = (maps or NO_MAPS).parsed(layout)
        name = self._municipality_name(municipality_code)
        if name is None:
            raise NotFound(
                Violation(
                    "municipality.not_found",
                    f"地方公共団体コード {municipality_code} の団体は登録されていません",
                    "municipality_code",
                )
            )
        self._refuse_if_not_empty(municipality_code)
        source = _Counted(
            MappedSource(self._open_source(directory, encoding), vendor_maps), progress or _quiet
        )
        written = False
        id_map = None
        source.phase = "check" if dry_run else "import"
        snapshots = layout.file("resident_snapshot").file_name
        with self._uow_for(municipality_code) as uow:  # left without commit: rolled back
            repo = uow.imports
            if repo.has_persons():  # someone wrote meanwhile
                raise DomainError(_not_empty(municipality_code))
            now = self._clock.now().astimezone(UTC)
            writer = ImportWriter(
                uow.journal, repo, now, operator, snapshots, self._batch_size, self._ids.bits(128)
            )
            renumbering = Renumbering(*repo.next_serials()) if ids is IdMode.RENUMBER else None
            project = repo.projection_encoder()
            master = MasterIndex.of(uow.town_areas.entries())  # read once, for every row
            with repo.bulk_import():
                checked = self._read(
                    layout,
                    ImportPass(
                        layout,
                        source,
                        writer,
                        renumbering,
                        municipality_code,
                        allow_addresses_outside,
                        allow_outside_master,
                    ),
                    (municipality_code, name),
                    project,
                    workers,
                    master,
                )
                if not checked.faults:
                    writer.finish()
                    checked.check_identifiers(repo, snapshots)
            if not checked.faults and not dry_run:
                if renumbering is not None:
                    id_map = self._write_id_map(report_dir, renumbering.pairs())
                uow.commit()
                written = True
        faults = tuple(checked.faults)
        let_in = tuple(checked.addresses_outside)
        outside_master = tuple(checked.town_areas_outside_master)
        report = self._write_report(report_dir, faults + let_in + outside_master)
        return ImportResult(
            municipality_code=municipality_code,
            directory=directory,
            dry_run=dry_run,
            written=written,
            persons=checked.persons,
            snapshots=checked.snapshots,
            households=len(checked.households),
            faults=faults,
            report=report,
            id_map=id_map,
            suppressions=checked.suppressions,
            worker_peak_kb=checked.worker_peak_kb,
            addresses_outside=let_in,
            town_areas_outside_master=outside_master,
        )

    def code_map_template(self, version: str = "1.0") -> Iterator[list[str]]:
        """``jichitai layout code-map-template``: every code of every code table of the layout,
        as rows of a code map to fill in (header first)."""
        return code_map_template(self._load_layout(version).code_tables)

    def _read(
        self,
        layout: Layout,
        checked: ImportPass,
        municipality: tuple[str, str],
        project: Callable[[ResidentRecord], Mapping[str, Any]],
        workers: int,
        master: MasterIndex,
    ) -> ImportPass:
        """``municipality``: code and registered name, for the residents' addresses;
        ``master``: its 町字 master (empty: none loaded)."""
        source, renumbering = checked.source, checked.renumbering
        checked.faults.extend(source.check(layout))
        households = layout.file("household")
        snapshots = layout.file("resident_snapshot")
        households_known = source.readable(households)
        persons_known = source.readable(snapshots)
        check_ids = renumbering is None
        make_check = partial(
            SnapshotCheck, layout, snapshots, check_ids, project, municipality, master
        )
        with ExitStack() as stack:
            submit = None
            pool = self._check_pool
            if pool is not None and workers > 0 and persons_known:
                # started now: they start while 世帯 is read
                submit = stack.enter_context(pool.start(workers, make_check))
            if households_known:
                checked.read_households(households)
                households_known = source.readable(households)  # a header refused: not read
            if persons_known:
                keyed = renumbered_keys(
                    source.rows(snapshots, checked.faults), snapshots, renumbering
                )
                if submit is not None:
                    rows = checked_in_workers(submit, keyed, 4 * workers, checked.saw_worker_peak)
                else:
                    check = make_check()
                    rows = (check.check(line, row, keys) for line, row, keys in keyed)
                checked.read_snapshots(snapshots, households_known, rows)
                persons_known = source.readable(snapshots)
        if persons_known and households_known:
            checked.check_households(households)
        suppressions = next((f for f in layout.files if f.record == "suppression"), None)
        if suppressions is not None and source.readable(suppressions):
            checked.read_suppressions(suppressions, persons_known, households_known)
        return checked

    def _refuse_if_not_empty(self, municipality_code: str) -> None:
        with self._uow_for(municipality_code) as uow:
            if uow.imports.has_persons():
                raise DomainError(_not_empty(municipality_code))


def _quiet(phase: str, file_name: str, rows: int) -> None:
    """No progress wanted."""


def _not_empty(code: str) -> Violation:
    return Violation(
        "migration.not_empty",
        f"団体 {code} には既に住民の記録があります。移行データは空の団体にだけ取り込めます",
        "municipality_code",
    )
