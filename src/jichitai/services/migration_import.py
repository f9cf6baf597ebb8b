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
   :meth:`LayoutImportService.import_export`'s ``allow_addresses_outside``).
   **Every** fault is collected (file, line, item, code, Japanese message), not only the first.
2. **All or nothing.** While no fault has been found, each checked row is handed to the writer
   (:class:`_Writer`), inside one unit of work: one journal entry per snapshot (kind ``import``,
   the snapshot's own reason and dates, recorded now, the hash chain continued), the snapshots
   with their history numbers, the projections, the households and the suppression settings
   (lifted ones included, in the ``suppressions`` table of the same transaction), and the number
   sequences advanced past the highest imported numbers. The unit of work is committed only if the whole
   input proved faultless; a fault, an error or a killed process leaves the municipality as it
   was. Checking and writing in one pass reads and decodes each row once instead of twice.

**Worker processes** (``workers``): checking a 住民 row on its own — its cells, its record
built by the domain's types, its canonical JSON and projection row — is most of the work and
needs no other row (``migration_rows``). With workers (``migration_workers``, over the
``RowCheckPool`` port: processes in ``adapters/migration_workers.py``) the importing process
reads the rows, hands them out in chunks (a few at a time, so memory stays flat) and
takes the results back in the order read; the checks across rows, the hash chain and the writes
stay here. Faults and written rows are the same whatever the number of workers (tested).

Memory: one small entry per person (the 宛名番号 seen, kept as an int, to find a person's rows
out of order) and per household (line, head, member counts), one per 措置ID; rows are never
kept beyond a write batch.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import partial
from typing import Any, Final

import orjson

from jichitai.codec import to_primitive
from jichitai.domain.access.suppression import Suppression
from jichitai.domain.common.identifiers import AtenaNumber, HouseholdNumber
from jichitai.domain.errors import DomainError, NotFound, Severity, Violation
from jichitai.domain.migration.layout import Layout, LayoutFile
from jichitai.domain.migration.suppressions import SuppressionRow
from jichitai.domain.residents.model import ResidentRecord
from jichitai.domain.residents.view import ChangeKind
from jichitai.services.event_ids import time_ordered_id
from jichitai.services.layout_mapping import RowMapper
from jichitai.services.migration_ids import IdMode
from jichitai.services.migration_rows import (
    CellRule,
    Checked,
    ImportFault,
    SnapshotCheck,
    cell_faults,
    cell_rules,
    decoded,
    positions,
)
from jichitai.services.migration_workers import checked_in_workers
from jichitai.services.ports import (
    Clock,
    HouseholdRow,
    IdSource,
    ImportedSnapshot,
    ImportSource,
    JournalEntry,
    RegisterImport,
    RegisterJournal,
    RowCheckPool,
    UnitOfWork,
)
from jichitai.services.register import entry_hash

__all__ = [
    "IMPORT_KIND",
    "IdMode",
    "ImportFault",
    "ImportResult",
    "ImportSource",
    "LayoutImportService",
]

IMPORT_KIND: Final = ChangeKind.IMPORT.value
BATCH_SIZE: Final = 2_000
_IDENTIFIER_ITEMS: Final = {
    "individual_number": "個人番号",
    "resident_code": "住民票コード",
    "residence_card_number": "在留カード番号",
}


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


class _Renumbering:
    """``--ids renumber``: new 宛名番号 and 世帯番号 for the source's keys, first come first served."""

    def __init__(self, next_atena: int, next_household: int) -> None:
        self.atena: dict[str, str] = {}
        self.household: dict[str, str] = {}
        self._next_atena = next_atena
        self._next_household = next_household

    def person(self, source: str) -> str:
        new = self.atena.get(source)
        if new is None:
            new = self.atena[source] = AtenaNumber.from_serial(self._next_atena).value
            self._next_atena += 1
        return new

    def of_household(self, source: str) -> str:
        new = self.household.get(source)
        if new is None:
            new = self.household[source] = HouseholdNumber.from_serial(self._next_household).value
            self._next_household += 1
        return new

    def rewrite(
        self, row: list[str], persons: Sequence[int], households: Sequence[int]
    ) -> list[str]:
        """The row with its keys replaced (a cell that is not a key is left for the checks)."""
        row = list(row)
        for at in persons:
            if at < len(row) and _is_key(row[at]):
                row[at] = self.person(row[at])
        for at in households:
            if at < len(row) and _is_key(row[at]):
                row[at] = self.of_household(row[at])
        return row

    def pairs(self) -> Iterator[tuple[str, str, str]]:
        """(kind, source key, new number) of every key renumbered."""
        for old, new in self.household.items():
            yield "世帯番号", old, new
        for old, new in self.atena.items():
            yield "宛名番号", old, new


def _is_key(cell: str) -> bool:
    return cell.isascii() and cell.isdigit()


@dataclass(slots=True)
class _Household:
    """What the checks need of one household: its line, its row and the members counted."""

    line: int
    head: Key | None  # the 世帯 file's 世帯主_宛名番号
    member_count: int
    members: int = 0
    heads: list[str] | None = None


Key = int | str
"""A source number as the checks keep it (see :func:`_key`)."""


def _key(cell: str) -> Key:
    """A number as one int (its value and its width, so ``012`` and ``12`` stay apart): a
    million of them take 28 MB less than as strings. Anything but digits stays text."""
    if cell.isascii() and cell.isdigit() and len(cell) < 32:
        return int(cell) << 5 | len(cell)
    return cell


def _number(key: Key) -> str:
    """The source number a :func:`_key` stands for (for messages)."""
    return key if isinstance(key, str) else str(key >> 5).zfill(key & 31)


class _Writer:
    """The writing half of the import, in the caller's unit of work, batch by batch.

    One journal entry per snapshot (kind ``import``, the snapshot's own reason and dates,
    recorded now, the hash chain continued), the snapshots with their history numbers, each
    person's current record (projection), the households and the suppression settings; at the
    end the number sequences are advanced past the highest imported numbers.
    """

    def __init__(
        self,
        journal: RegisterJournal,
        repo: RegisterImport,
        now: datetime,
        operator: str,
        file_name: str,
        batch_size: int,
        seed: int,
    ) -> None:
        """``seed``: of the generator drawing the event ids' random part (see ``_entry``)."""
        self._repo = repo
        self._now = now
        self._operator = operator
        self._file_name = file_name
        self._batch_size = batch_size
        self._seq, self._prev_hash = journal.journal_head()
        self._random = random.Random(seed)  # event ids: see _entry
        self._snapshots: list[tuple[JournalEntry, ImportedSnapshot]] = []
        self._latest: list[Mapping[str, Any]] = []
        self._households: list[HouseholdRow] = []
        self._suppressions: list[Suppression] = []
        self._top_atena = self._top_household = 0

    def household(self, household: HouseholdRow) -> None:
        self._top_household = max(self._top_household, int(household.household_number[:9]))
        self._households.append(household)
        if len(self._households) >= self._batch_size:
            self._repo.import_households(self._households)
            self._households = []

    def snapshot(
        self, line: int, snapshot: ImportedSnapshot, alerts: Sequence[Violation] = ()
    ) -> None:
        """``alerts``: what the operator let through for this snapshot (kept in its entry)."""
        self._seq += 1
        entry = _entry(
            self._seq,
            self._prev_hash,
            self._now,
            self._operator,
            snapshot,
            self._file_name,
            line,
            self._random.getrandbits,
            alerts,
        )
        self._prev_hash = entry.entry_hash
        self._snapshots.append((entry, snapshot))
        self._top_atena = max(self._top_atena, int(snapshot.atena_number[:9]))
        self._top_household = max(self._top_household, int(snapshot.household_number[:9]))
        if len(self._snapshots) >= self._batch_size:
            self._flush_snapshots()

    def latest(self, projection: Mapping[str, Any]) -> None:
        self._latest.append(projection)

    def suppression(self, setting: Suppression) -> None:
        self._suppressions.append(setting)
        if len(self._suppressions) >= self._batch_size:
            self._repo.import_suppressions(self._suppressions)
            self._suppressions = []

    def _flush_snapshots(self) -> None:
        self._repo.import_snapshots(self._snapshots, self._latest)
        self._snapshots, self._latest = [], []

    def finish(self) -> None:
        self._flush_snapshots()
        self._repo.import_households(self._households)
        self._households = []
        self._repo.import_suppressions(self._suppressions)
        self._suppressions = []
        self._repo.advance_sequences(self._top_atena, self._top_household)


class _Pass:
    """One pass over the files: every fault of every row and, while there is none, the writes.

    The households file is read first (the snapshots refer to it), then the snapshots; the
    checks across rows end with the households' heads and member counts. Once a fault is found
    nothing more is handed to the writer (the caller then rolls back), but every row is still
    checked, so the report lists every fault.
    """

    def __init__(
        self,
        layout: Layout,
        source: ImportSource,
        writer: _Writer | None,
        renumbering: _Renumbering | None = None,
        municipality_code: str = "",
        allow_outside: bool = False,
    ) -> None:
        self.layout = layout
        self.municipality_code = municipality_code
        self.allow_outside = allow_outside
        self.addresses_outside: list[ImportFault] = []
        self.source = source
        self.writer = writer
        self.renumbering = renumbering
        self.faults: list[ImportFault] = []
        self.households: dict[Key, _Household] = {}  # by the source's 世帯番号
        self.tainted: set[Key] = set()  # households named by a row that could not be read
        self.persons = 0
        self.snapshots = 0
        self.seen: set[Key] = set()  # the source's 宛名番号 of the 住民 file
        self.suppressions = 0
        self.worker_peak_kb = 0
        self._rules: dict[str, tuple[CellRule, ...]] = {}
        self._item_names = {  # a record's field ("address.city") → its item (住所_市区郡町村名)
            item.source: item.name for item in layout.file("resident_snapshot").items
        }

    def fault(self, file: str, line: int, item: str, code: str, message: str) -> None:
        self.faults.append(ImportFault(file, line, item, code, message))

    def saw_worker_peak(self, kib: int) -> None:
        self.worker_peak_kb = max(self.worker_peak_kb, kib)

    def writing(self) -> _Writer | None:
        """The writer while the input has no fault; after the first fault, ``None`` for good."""
        if self.faults:
            self.writer = None
        return self.writer

    def cells_ok(self, layout_file: LayoutFile, line: int, row: list[str]) -> bool:
        name = layout_file.file_name
        rules = self._rules.get(name)
        if rules is None:
            rules = self._rules[name] = cell_rules(
                self.layout, layout_file, check_ids=self.renumbering is None
            )
        faults = cell_faults(name, rules, line, row)
        self.faults.extend(faults)
        return not faults

    def record(self, mapper: RowMapper, cls: type[Any], line: int, row: list[str]) -> Any:
        record, fault = decoded(mapper, cls, line, row)
        if fault is not None:
            self.faults.append(fault)
        return record

    def read_households(self, layout_file: LayoutFile) -> None:
        """The 世帯 file, keyed by the source's 世帯番号 (the numbers every message shows)."""
        mapper = RowMapper(layout_file, self.layout.code_tables)
        name = layout_file.file_name
        at = positions(layout_file)
        number_at, head_at = at["household_number"], at["head_atena_number"]
        for line, row in self.source.rows(layout_file, self.faults):
            if not self.cells_ok(layout_file, line, row):
                continue
            number, head = row[number_at], row[head_at]
            if self.renumbering is not None:
                row = self.renumbering.rewrite(row, (head_at,), (number_at,))
            household: HouseholdRow | None = self.record(mapper, HouseholdRow, line, row)
            if household is None:
                continue
            key = _key(number)
            if key in self.households:
                first = self.households[key].line
                self.fault(
                    name,
                    line,
                    "世帯番号",
                    "import.duplicate",
                    f"世帯番号 {number} が重複しています（{first}行目）",
                )
                continue
            self.households[key] = _Household(
                line, _key(head) if head else None, household.member_count
            )
            if (writer := self.writing()) is not None:
                writer.household(household)

    def read_snapshots(
        self, layout_file: LayoutFile, households_known: bool, checked: Iterator[Checked]
    ) -> None:
        """The 住民 file's rows in order, each already checked on its own (``checked``, maybe by
        worker processes): here the checks across rows, and the writes."""
        name = layout_file.file_name
        seen = self.seen
        atena, history, flag_line = "", 0, 0
        last: Checked | None = None  # the person's last row

        def end_person() -> None:
            if atena and flag_line != line_of_last:
                self.fault(
                    name,
                    line_of_last,
                    "最新フラグ",
                    "import.latest_flag",
                    f"宛名番号 {atena} の最後の行に最新フラグがありません",
                )
            if last is None or last.snapshot is None:
                return
            if last.resident and last.outside is not None:
                self.address_outside(name, last, last.outside)
            if (writer := self.writing()) is not None and last.snapshot.projection is not None:
                writer.latest(last.snapshot.projection)
            if last.resident:
                household = self.households.get(_key(last.household))
                if household is not None:
                    household.members += 1
                    if last.head:
                        if household.heads is None:
                            household.heads = []
                        household.heads.append(atena)

        line_of_last = 0
        for row in checked:
            line = row.line
            self.snapshots += 1
            self.faults.extend(row.cell_faults)
            row_history = int(row.history) if row.history.isdigit() else 0
            if row.atena != atena:
                end_person()
                last = None
                person = _key(row.atena)
                if person in seen:
                    self.fault(
                        name,
                        line,
                        "宛名番号",
                        "import.order",
                        f"宛名番号 {row.atena} の行が連続していません（宛名番号・個人履歴番号の順であること）",
                    )
                seen.add(person)
                self.persons += 1
                atena, history, flag_line = row.atena, 0, 0
            elif flag_line:
                self.fault(
                    name,
                    flag_line,
                    "最新フラグ",
                    "import.latest_flag",
                    f"宛名番号 {atena} の最新フラグが最後の行ではありません",
                )
                flag_line = 0
            if row_history == history and history:
                self.fault(
                    name,
                    line,
                    "個人履歴番号",
                    "import.duplicate",
                    f"宛名番号 {atena} 個人履歴番号 {row_history} が重複しています",
                )
            elif row_history != history + 1:
                self.fault(
                    name,
                    line,
                    "個人履歴番号",
                    "import.history_number",
                    f"宛名番号 {atena} の個人履歴番号は {history + 1} であること（{row.history or '空'}）",
                )
            history = max(history, row_history)
            if row.latest:
                flag_line = line
            line_of_last = line
            last = row
            if row.record_fault is not None:
                self.faults.append(row.record_fault)
            if row.snapshot is None:
                self.tainted.add(_key(row.household))
                continue
            if households_known and _key(row.household) not in self.households:
                self.fault(
                    name,
                    line,
                    "世帯番号",
                    "import.unknown_household",
                    f"世帯番号 {row.household} は世帯のファイルにありません",
                )
            elif (writer := self.writing()) is not None:
                writer.snapshot(line, row.snapshot, self.acknowledged(row))
        end_person()

    def address_outside(self, file_name: str, row: Checked, violation: Violation) -> None:
        """A living resident's current address outside the municipality: a fault, or (allowed)
        a line of the report saying it was let through. Messages name the source's number."""
        item = self._item_names.get(violation.field or "", "")
        message = f"宛名番号 {row.atena}（住民）: {violation.message}"
        if not self.allow_outside:
            self.fault(file_name, row.line, item, violation.code, message)
            return
        self.addresses_outside.append(
            ImportFault(
                file_name,
                row.line,
                item,
                "import.address_outside_allowed",
                f"{message}（区域外の住所を認める指定により取り込み）",
            )
        )

    def acknowledged(self, row: Checked) -> tuple[Violation, ...]:
        """The alert kept in the journal entry of a current record let in by the override (the
        person's row with 最新フラグ: if it is not their last, the import fails anyway)."""
        if row.outside is None or not (self.allow_outside and row.latest and row.resident):
            return ()
        return (replace(row.outside, severity=Severity.ALERT, line=row.line),)

    def read_suppressions(
        self, layout_file: LayoutFile, persons_known: bool, households_known: bool
    ) -> None:
        """The 支援措置等 file: every row checked, its 宛名番号 a person of the 住民 file and its
        世帯番号 a household of the 世帯 file (source numbers; renumbered like them, never given
        a number of their own), no 措置ID twice."""
        mapper = RowMapper(layout_file, self.layout.code_tables)
        name = layout_file.file_name
        index = positions(layout_file)
        id_at, atena_at, household_at = (
            index["suppression_id"],
            index["atena_number"],
            index["household_number"],
        )
        ids: dict[str, int] = {}
        for line, row in self.source.rows(layout_file, self.faults):
            self.suppressions += 1
            if not self.cells_ok(layout_file, line, row):
                continue
            setting_id, atena, number = row[id_at], row[atena_at], row[household_at]
            ok = True
            if setting_id in ids:
                self.fault(
                    name,
                    line,
                    "措置ID",
                    "import.duplicate",
                    f"措置ID {setting_id} が重複しています（{ids[setting_id]}行目）",
                )
                ok = False
            else:
                ids[setting_id] = line
            if atena and persons_known and _key(atena) not in self.seen:
                self.fault(
                    name,
                    line,
                    "宛名番号",
                    "import.unknown_person",
                    f"宛名番号 {atena} は住民のファイルにありません",
                )
                ok = False
            if number and households_known and _key(number) not in self.households:
                self.fault(
                    name,
                    line,
                    "世帯番号",
                    "import.unknown_household",
                    f"世帯番号 {number} は世帯のファイルにありません",
                )
                ok = False
            if self.renumbering is not None:
                row = list(row)  # only numbers the other files gave; an unknown key is a fault
                if atena:
                    row[atena_at] = self.renumbering.atena.get(atena, atena)
                if number:
                    row[household_at] = self.renumbering.household.get(number, number)
            record: SuppressionRow | None = self.record(mapper, SuppressionRow, line, row)
            if record is None or not ok:
                continue
            if (writer := self.writing()) is not None:
                writer.suppression(record.to_suppression(self.municipality_code))

    def check_identifiers(self, repo: RegisterImport, file_name: str) -> None:
        """No 個人番号, 住民票コード or 在留カード番号 on two living residents: the counter refuses
        it too (``person.duplicate_live``). Checked on the projection just written, once every
        row is in (so only when no other fault stopped the writes); the message names the
        persons, not the number."""
        source_of: dict[str, str] = {}
        for column, persons in repo.live_duplicates():
            if self.renumbering is not None and not source_of:
                source_of = {new: old for old, new in self.renumbering.atena.items()}
            item = _IDENTIFIER_ITEMS[column]
            self.fault(
                file_name,
                0,
                item,
                "import.duplicate_identifier",
                f"{item}が同じ住民が {len(persons)} 人います"
                f"（宛名番号 {'、'.join(source_of.get(p, p) for p in persons)}）",
            )

    def check_households(self, layout_file: LayoutFile) -> None:
        name = layout_file.file_name
        for key, household in self.households.items():
            if key in self.tainted:  # its members' faults are reported already
                continue
            number = _number(key)
            heads = household.heads or []
            if len(heads) > 1:
                self.fault(
                    name,
                    household.line,
                    "世帯主_宛名番号",
                    "import.two_heads",
                    f"世帯番号 {number} に世帯主が {len(heads)} 人います（{'、'.join(heads)}）",
                )
            elif (_key(heads[0]) if heads else None) != household.head:
                self.fault(
                    name,
                    household.line,
                    "世帯主_宛名番号",
                    "import.head",
                    f"世帯番号 {number} の世帯主が住民の記録（{heads[0] if heads else 'なし'}）と一致しません",
                )
            if household.members != household.member_count:
                self.fault(
                    name,
                    household.line,
                    "世帯員数",
                    "import.member_count",
                    f"世帯番号 {number} の世帯員数 {household.member_count} が住民の記録（{household.members} 人）と一致しません",
                )


class LayoutImportService:
    """``jichitai layout import``: a layout export into an empty municipality."""

    def __init__(
        self,
        uow_for: Callable[[str], UnitOfWork],
        load_layout: Callable[[str], Layout],
        open_source: Callable[[str], ImportSource],
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
        """
        layout = self._load_layout(version)
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
        source = _Counted(self._open_source(directory), progress or _quiet)
        written = False
        id_map = None
        source.phase = "check" if dry_run else "import"
        snapshots = layout.file("resident_snapshot").file_name
        with self._uow_for(municipality_code) as uow:  # left without commit: rolled back
            repo = uow.imports
            if repo.has_persons():  # someone wrote meanwhile
                raise DomainError(_not_empty(municipality_code))
            now = self._clock.now().astimezone(UTC)
            writer = _Writer(
                uow.journal, repo, now, operator, snapshots, self._batch_size, self._ids.bits(128)
            )
            renumbering = _Renumbering(*repo.next_serials()) if ids is IdMode.RENUMBER else None
            project = repo.projection_encoder()
            with repo.bulk_import():
                checked = self._read(
                    layout,
                    _Pass(
                        layout,
                        source,
                        writer,
                        renumbering,
                        municipality_code,
                        allow_addresses_outside,
                    ),
                    (municipality_code, name),
                    project,
                    workers,
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
        report = self._write_report(report_dir, faults + let_in)
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
        )

    def _read(
        self,
        layout: Layout,
        checked: _Pass,
        municipality: tuple[str, str],
        project: Callable[[ResidentRecord], Mapping[str, Any]],
        workers: int,
    ) -> _Pass:
        """``municipality``: code and registered name, for the residents' addresses."""
        source, renumbering = checked.source, checked.renumbering
        checked.faults.extend(source.check(layout))
        households = layout.file("household")
        snapshots = layout.file("resident_snapshot")
        households_known = source.readable(households)
        persons_known = source.readable(snapshots)
        check_ids = renumbering is None
        make_check = partial(SnapshotCheck, layout, snapshots, check_ids, project, municipality)
        with ExitStack() as stack:
            submit = None
            pool = self._check_pool
            if pool is not None and workers > 0 and persons_known:
                # started now: they start while 世帯 is read
                submit = stack.enter_context(pool.start(workers, make_check))
            if households_known:
                checked.read_households(households)
            if persons_known:
                keyed = _keyed(source.rows(snapshots, checked.faults), snapshots, renumbering)
                if submit is not None:
                    rows = checked_in_workers(submit, keyed, 4 * workers, checked.saw_worker_peak)
                else:
                    check = make_check()
                    rows = (check.check(line, row, keys) for line, row, keys in keyed)
                checked.read_snapshots(snapshots, households_known, rows)
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


def _keyed(
    rows: Iterator[tuple[int, list[str]]],
    layout_file: LayoutFile,
    renumbering: _Renumbering | None,
) -> Iterator[tuple[int, list[str], tuple[str, str] | None]]:
    """The rows with their new 宛名番号 and 世帯番号 when renumbering (drawn here, in the order
    read, so the numbers do not depend on how the rows are spread over workers)."""
    if renumbering is None:
        for line, row in rows:
            yield line, row, None
        return
    at = positions(layout_file)
    atena_at, household_at = at["atena_number"], at["household_number"]
    for line, row in rows:
        atena = row[atena_at] if atena_at < len(row) else ""
        household = row[household_at] if household_at < len(row) else ""
        keys = None
        if _is_key(atena) and _is_key(household):
            keys = (renumbering.person(atena), renumbering.of_household(household))
        yield line, row, keys


def _quiet(phase: str, file_name: str, rows: int) -> None:
    """No progress wanted."""


def _not_empty(code: str) -> Violation:
    return Violation(
        "migration.not_empty",
        f"団体 {code} には既に住民の記録があります。移行データは空の団体にだけ取り込めます",
        "municipality_code",
    )


def _entry(
    seq: int,
    prev_hash: str,
    now: datetime,
    operator: str,
    snapshot: ImportedSnapshot,
    file_name: str,
    line: int,
    random_bits: Callable[[int], int],
    alerts: Sequence[Violation] = (),
) -> JournalEntry:
    """The journal entry recording one imported snapshot as its origin, hashed into the chain.

    ``random_bits`` feeds the event id: a generator seeded once per import from the system's
    random source (one ``os.urandom`` call per entry cost 22 µs here, a tenth of the entry).
    """
    head = {
        "alerts": [to_primitive(alert) for alert in alerts],
        "households": [snapshot.household_number],
        "import": {"file": file_name, "line": line},
        "notices": [],
        "persons": [snapshot.atena_number],
    }
    head_text = orjson.dumps(head, option=orjson.OPT_SORT_KEYS).decode()
    fields: dict[str, Any] = {
        "seq": seq,
        "event_id": time_ordered_id(now, random_bits(74)),
        "idempotency_key": None,
        "kind": IMPORT_KIND,
        "reason": snapshot.reason,
        "reason_group": snapshot.reason_group,
        "effective_on": snapshot.effective_on,
        "filed_on": snapshot.filed_on,
        "recorded_at": now,
        "operator": operator,
        "place": "",
        "terminal": "",
        "notes": "",
        "ex_officio": False,
        "corrects_event_id": None,
        "payload": f'{head_text[:-1]},"records":[{snapshot.text}]}}',
        "prev_hash": prev_hash,
    }
    return JournalEntry(**fields, entry_hash=entry_hash(JournalEntry(**fields, entry_hash="")))
