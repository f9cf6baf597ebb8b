"""Data migration in the standard intermediate layout (中間標準レイアウト): import.

``jichitai layout import`` takes a layout export (``manifest.json`` and the layout's CSV files)
into an **empty** municipality, keeping the source 宛名番号 and 世帯番号 (``--ids keep``).

1. **Validate everything first.** The files are read twice, streamed row by row (an
   :class:`ImportSource`, an adapter, does the bytes: manifest, hashes, encoding, CSV, 外字
   references). The first pass checks every cell against its item (type, code table, length,
   check digits), rebuilds every record with the layout's row → record inverse
   (:class:`~jichitai.domain.migration.mapping.RowMapper`) and checks the register's own
   invariants across rows: 個人履歴番号 1..n in order, no duplicate (宛名番号, 個人履歴番号),
   最新フラグ on the last row of a person only, every 世帯番号 in the 世帯 file, one 世帯主 per
   household and the 世帯 file's head and member count as the persons' current records say.
   **Every** fault is collected (file, line, item, code, Japanese message), not only the first.
2. **Write all or nothing.** With no fault (and not ``dry_run``) the second pass writes, in one
   unit of work: one journal entry per snapshot (kind ``import``, the snapshot's own reason and
   dates, recorded now, the hash chain continued), the snapshots with their history numbers,
   the projections and the households, and the number sequences advanced past the highest
   imported numbers. Any failure rolls everything back.

Memory: the first pass keeps one small entry per person (the 宛名番号 seen, to find
duplicates out of order) and per household (members and heads); rows are never kept.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any, Final, Protocol

import orjson

from jichitai.domain.common.identifiers import AtenaNumber, HouseholdNumber
from jichitai.domain.errors import DomainError, Violation
from jichitai.domain.migration.layout import ItemType, Layout, LayoutFile
from jichitai.domain.migration.mapping import RowMapper
from jichitai.domain.residents.model import ResidentRecord, ResidentStatus
from jichitai.domain.residents.view import ChangeKind
from jichitai.services.ports import Clock, HouseholdRow, JournalEntry, UnitOfWork
from jichitai.services.register import canonical_text, entry_hash, time_ordered_id

__all__ = [
    "IMPORT_KIND",
    "ImportFault",
    "ImportResult",
    "ImportSource",
    "LayoutImportService",
]

IMPORT_KIND: Final = ChangeKind.IMPORT.value
BATCH_SIZE: Final = 2_000
_HEAD: Final = "世帯主"
_ID_PARSERS: Final = {
    "atena_number": AtenaNumber.parse,
    "household_number": HouseholdNumber.parse,
    "head_atena_number": AtenaNumber.parse,
}


@dataclass(frozen=True, slots=True)
class ImportFault:
    """One fault of the input: file, line (record number, header = 1; 0: the file as a whole),
    item (empty when the fault is not one item's), code and Japanese message."""

    file: str
    line: int
    item: str
    code: str
    message: str


class ImportSource(Protocol):
    """The files of one export directory, read as text rows (an adapter: bytes, CSV, 外字)."""

    def check(self, layout: Layout) -> list[ImportFault]:
        """Faults of the directory as a whole: manifest, missing files, sizes, hashes."""

    def readable(self, layout_file: LayoutFile) -> bool:
        """Whether the file exists and its rows can be read at all."""

    def rows(
        self, layout_file: LayoutFile, faults: list[ImportFault]
    ) -> Iterator[tuple[int, list[str]]]:
        """(line, cells) of every record after the header, 外字 references decoded. Faults of
        the bytes (encoding, CSV syntax, header, row count) are appended to ``faults``."""


Progress = Callable[[str, str, int], None]
"""Called as rows are read: (phase ``check`` or ``write``, file name, rows read so far)."""

PROGRESS_EVERY = 1_000


class _Counted:
    """An import source that reports how many rows of each file have been read."""

    def __init__(self, inner: ImportSource, progress: Progress) -> None:
        self._inner = inner
        self._progress = progress
        self.phase = "check"

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


@dataclass
class _Household:
    line: int
    row: HouseholdRow
    members: int = 0
    heads: list[str] = field(default_factory=list)


class _Pass:
    """The first pass: every fault of every row, and what the second pass needs."""

    def __init__(self, layout: Layout, source: ImportSource) -> None:
        self.layout = layout
        self.source = source
        self.faults: list[ImportFault] = []
        self.households: dict[str, _Household] = {}
        self.tainted: set[str] = set()  # households named by a row that could not be read
        self.persons = 0
        self.snapshots = 0

    def fault(self, file: str, line: int, item: str, code: str, message: str) -> None:
        self.faults.append(ImportFault(file, line, item, code, message))

    def cells_ok(self, layout_file: LayoutFile, line: int, row: list[str]) -> bool:
        name = layout_file.file_name
        if len(row) != len(layout_file.items):
            self.fault(
                name,
                line,
                "",
                "import.columns",
                f"項目数が {len(row)} です（{len(layout_file.items)} 項目であること）",
            )
            return False
        ok = True
        for item, cell in zip(layout_file.items, row, strict=True):
            problem = _cell_problem(self.layout, item.type, item.code_table, cell)
            if cell == "" and item.required:
                problem = ("import.required", "必須項目が空です")
            elif problem is None and item.length is not None and len(cell) > item.length:
                problem = ("import.length", f"{len(cell)} 文字です（{item.length} 文字以内）")
            elif problem is None and cell and item.source in _ID_PARSERS:
                try:
                    _ID_PARSERS[item.source](cell, item.source)
                except DomainError as error:
                    problem = (error.code, error.violations[0].message)
            if problem is not None:
                self.fault(name, line, item.name, *problem)
                ok = False
        return ok

    def record(self, mapper: RowMapper, cls: type[Any], line: int, row: list[str]) -> Any:
        try:
            return mapper.row_to_record(cls, row)
        except Exception as error:  # whatever the input, a fault, never a crash
            message = error.violations[0].message if isinstance(error, DomainError) else str(error)
            self.fault(
                mapper.file.file_name,
                line,
                "",
                "import.record",
                f"記録として読めません: {message}"[:300],
            )
            return None

    def read_households(self, layout_file: LayoutFile) -> None:
        mapper = RowMapper(layout_file, self.layout.code_tables)
        name = layout_file.file_name
        for line, row in self.source.rows(layout_file, self.faults):
            if not self.cells_ok(layout_file, line, row):
                continue
            household = self.record(mapper, HouseholdRow, line, row)
            if household is None:
                continue
            if household.household_number in self.households:
                first = self.households[household.household_number].line
                self.fault(
                    name,
                    line,
                    "世帯番号",
                    "import.duplicate",
                    f"世帯番号 {household.household_number} が重複しています（{first}行目）",
                )
                continue
            self.households[household.household_number] = _Household(line, household)

    def read_snapshots(self, layout_file: LayoutFile, households_known: bool) -> None:
        mapper = RowMapper(layout_file, self.layout.code_tables)
        name = layout_file.file_name
        index = {item.source or item.converter: i for i, item in enumerate(layout_file.items)}
        latest_at = index.get("latest_flag")
        seen: set[str] = set()
        atena, history, flag_line, last = "", 0, 0, None

        def end_person() -> None:
            if atena and flag_line != line_of_last:
                self.fault(
                    name,
                    line_of_last,
                    "最新フラグ",
                    "import.latest_flag",
                    f"宛名番号 {atena} の最後の行に最新フラグがありません",
                )
            if last is not None and last.status is ResidentStatus.RESIDENT:
                household = self.households.get(last.household_number.value)
                if household is not None:
                    household.members += 1
                    if last.relationship.text == _HEAD:
                        household.heads.append(last.atena_number.value)

        line_of_last = 0
        for line, row in self.source.rows(layout_file, self.faults):
            self.snapshots += 1
            cells_ok = self.cells_ok(layout_file, line, row)
            row_atena = row[index["atena_number"]] if len(row) > index["atena_number"] else ""
            raw_history = row[index["history_number"]] if len(row) > index["history_number"] else ""
            row_history = int(raw_history) if raw_history.isdigit() else 0
            if row_atena != atena:
                end_person()
                last = None
                if row_atena in seen:
                    self.fault(
                        name,
                        line,
                        "宛名番号",
                        "import.order",
                        f"宛名番号 {row_atena} の行が連続していません（宛名番号・個人履歴番号の順であること）",
                    )
                seen.add(row_atena)
                self.persons += 1
                atena, history, flag_line = row_atena, 0, 0
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
                    f"宛名番号 {atena} の個人履歴番号は {history + 1} であること（{raw_history or '空'}）",
                )
            history = max(history, row_history)
            if latest_at is not None and len(row) > latest_at and row[latest_at] == "1":
                flag_line = line
            line_of_last = line
            record = self.record(mapper, ResidentRecord, line, row) if cells_ok else None
            last = record
            if record is None:
                at = index["household_number"]
                self.tainted.add(row[at] if len(row) > at else "")
                continue
            number = record.household_number.value
            if households_known and number not in self.households:
                self.fault(
                    name,
                    line,
                    "世帯番号",
                    "import.unknown_household",
                    f"世帯番号 {number} は世帯のファイルにありません",
                )
        end_person()

    def check_households(self, layout_file: LayoutFile) -> None:
        name = layout_file.file_name
        for number, household in self.households.items():
            if number in self.tainted:  # its members' faults are reported already
                continue
            row = household.row
            if len(household.heads) > 1:
                self.fault(
                    name,
                    household.line,
                    "世帯主_宛名番号",
                    "import.two_heads",
                    f"世帯番号 {number} に世帯主が {len(household.heads)} 人います（{'、'.join(household.heads)}）",
                )
            elif (household.heads[0] if household.heads else None) != row.head_atena_number:
                self.fault(
                    name,
                    household.line,
                    "世帯主_宛名番号",
                    "import.head",
                    f"世帯番号 {number} の世帯主が住民の記録（{household.heads[0] if household.heads else 'なし'}）と一致しません",
                )
            if household.members != row.member_count:
                self.fault(
                    name,
                    household.line,
                    "世帯員数",
                    "import.member_count",
                    f"世帯番号 {number} の世帯員数 {row.member_count} が住民の記録（{household.members} 人）と一致しません",
                )


def _cell_problem(
    layout: Layout, item_type: ItemType, code_table: str, cell: str
) -> tuple[str, str] | None:
    if cell == "":
        return None
    if item_type is ItemType.DIGITS and not (cell.isascii() and cell.isdigit()):
        return "import.digits", f"数字以外の文字があります（{cell[:20]}）"
    if item_type is ItemType.INTEGER and not (cell.isascii() and cell.lstrip("-").isdigit()):
        return "import.integer", f"整数ではありません（{cell[:20]}）"
    if item_type is ItemType.DATE:
        try:
            if len(cell) != 8 or not cell.isascii() or not cell.isdigit():
                raise ValueError(cell)
            date(int(cell[:4]), int(cell[4:6]), int(cell[6:]))
        except ValueError:
            return (
                "import.date",
                f"年月日として正しくありません（{cell[:20]}、YYYYMMDD の暦上の日）",
            )
    if item_type is ItemType.CODE:
        table = layout.code_tables.get(code_table)
        if table is None or table.value_of(cell) is None:
            return "import.code", f"コード表「{code_table}」にないコードです（{cell[:20]}）"
    if item_type is ItemType.FLAG and cell not in ("0", "1"):
        return "import.flag", f"フラグは 0 又は 1 であること（{cell[:20]}）"
    if item_type is ItemType.JSON:
        try:
            orjson.loads(cell)
        except orjson.JSONDecodeError:
            return "import.json", "JSON として読めません"
    return None


class LayoutImportService:
    """``jichitai layout import``: a layout export into an empty municipality."""

    def __init__(
        self,
        uow_for: Callable[[str], UnitOfWork],
        load_layout: Callable[[str], Layout],
        open_source: Callable[[str], ImportSource],
        write_report: Callable[[str, Sequence[ImportFault]], str],
        clock: Clock,
        batch_size: int = BATCH_SIZE,
    ) -> None:
        self._uow_for = uow_for
        self._load_layout = load_layout
        self._open_source = open_source
        self._write_report = write_report
        self._clock = clock
        self._batch_size = batch_size

    def import_export(
        self,
        municipality_code: str,
        directory: str,
        *,
        report_dir: str = ".",
        dry_run: bool = False,
        version: str = "1.0",
        operator: str = "",
        progress: Progress | None = None,
    ) -> ImportResult:
        layout = self._load_layout(version)
        self._refuse_if_not_empty(municipality_code)
        counted = _Counted(self._open_source(directory), progress or _quiet)
        source: ImportSource = counted
        first = _Pass(layout, source)
        first.faults.extend(source.check(layout))
        households = layout.file("household")
        snapshots = layout.file("resident_snapshot")
        households_known = source.readable(households)
        if households_known:
            first.read_households(households)
        if source.readable(snapshots):
            first.read_snapshots(snapshots, households_known)
            if households_known:
                first.check_households(households)
        faults = tuple(first.faults)
        report = self._write_report(report_dir, faults)
        written = False
        if not faults and not dry_run:
            counted.phase = "write"
            self._write(municipality_code, layout, source, operator)
            written = True
        return ImportResult(
            municipality_code=municipality_code,
            directory=directory,
            dry_run=dry_run,
            written=written,
            persons=first.persons,
            snapshots=first.snapshots,
            households=len(first.households),
            faults=faults,
            report=report,
        )

    def _refuse_if_not_empty(self, municipality_code: str) -> None:
        with self._uow_for(municipality_code) as uow:
            if uow.register.has_persons():
                raise DomainError(_not_empty(municipality_code))

    def _write(self, code: str, layout: Layout, source: ImportSource, operator: str) -> None:
        snapshots = layout.file("resident_snapshot")
        mapper = RowMapper(snapshots, layout.code_tables)
        now = self._clock.now().astimezone(UTC)
        unexpected: list[ImportFault] = []
        with self._uow_for(code) as uow:
            repo = uow.register
            if repo.has_persons():  # someone wrote meanwhile
                raise DomainError(_not_empty(code))
            seq, prev_hash = repo.journal_head()
            batch: list[tuple[JournalEntry, ResidentRecord, str]] = []
            latest: list[ResidentRecord] = []
            pending: ResidentRecord | None = None
            top_atena = top_household = 0
            for line, row in source.rows(snapshots, unexpected):
                record: ResidentRecord = mapper.row_to_record(ResidentRecord, row)
                if pending is not None and pending.atena_number != record.atena_number:
                    latest.append(pending)
                pending = record
                text = canonical_text(record)
                seq += 1
                entry = _entry(seq, prev_hash, now, record, text, snapshots.file_name, line)
                entry = replace(entry, operator=operator)
                entry = replace(entry, entry_hash=entry_hash(entry))
                prev_hash = entry.entry_hash
                batch.append((entry, record, text))
                top_atena = max(top_atena, record.atena_number.serial)
                top_household = max(top_household, record.household_number.serial)
                if len(batch) >= self._batch_size:
                    repo.import_snapshots(batch, latest)
                    batch, latest = [], []
            if pending is not None:
                latest.append(pending)
            repo.import_snapshots(batch, latest)
            household_file = layout.file("household")
            household_mapper = RowMapper(household_file, layout.code_tables)
            rows: list[HouseholdRow] = []
            for _, row in source.rows(household_file, unexpected):
                household: HouseholdRow = household_mapper.row_to_record(HouseholdRow, row)
                top_household = max(top_household, int(household.household_number[:9]))
                rows.append(household)
                if len(rows) >= self._batch_size:
                    repo.import_households(rows)
                    rows = []
            repo.import_households(rows)
            repo.advance_sequences(top_atena, top_household)
            if unexpected:  # the files changed between the two passes: write nothing
                raise DomainError(
                    Violation(
                        "import.changed",
                        "取込中にファイルが変更されました。取込を中止しました",
                        unexpected[0].file,
                    )
                )
            uow.commit()


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
    record: ResidentRecord,
    text: str,
    file_name: str,
    line: int,
) -> JournalEntry:
    """The journal entry recording one imported snapshot as its origin."""
    head = {
        "alerts": [],
        "households": [record.household_number.value],
        "import": {"file": file_name, "line": line},
        "notices": [],
        "persons": [record.atena_number.value],
    }
    head_text = orjson.dumps(head, option=orjson.OPT_SORT_KEYS).decode()
    return JournalEntry(
        seq=seq,
        event_id=time_ordered_id(now, secrets.randbits(74)),
        idempotency_key=None,
        kind=IMPORT_KIND,
        reason=record.reason.value,
        reason_group=record.reason.group.value,
        effective_on=record.effective_on,
        filed_on=record.filed_on,
        recorded_at=now,
        operator="",
        place="",
        terminal="",
        notes="",
        ex_officio=False,
        corrects_event_id=None,
        payload=f'{head_text[:-1]},"records":[{text}]}}',
        prev_hash=prev_hash,
        entry_hash="",
    )
