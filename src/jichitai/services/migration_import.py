"""Data migration in the standard intermediate layout (中間標準レイアウト): import.

``jichitai layout import`` takes a layout export (``manifest.json`` and the layout's CSV files)
into an **empty** municipality, keeping the source 宛名番号 and 世帯番号 (``--ids keep``) or
giving every person and household a new number (``--ids renumber``, see :class:`IdMode`).

The files are read **once**, streamed row by row (an :class:`ImportSource`, an adapter, does
the bytes: manifest, sizes, hashes, encoding, CSV, 外字 references), the 世帯 file first, then
the 住民 file, then the 支援措置等 file (suppression settings, which refer to both):

1. **Every row is checked** against its items (type, code table, length, check digits), rebuilt
   with the layout's row → record inverse (:class:`~jichitai.domain.migration.mapping.RowMapper`,
   the domain's own constructors: the counter's rules) and checked against the register's
   invariants across rows: 個人履歴番号 1..n in order, no duplicate (宛名番号, 個人履歴番号),
   最新フラグ on the last row of a person only, every 世帯番号 in the 世帯 file, one 世帯主 per
   household and the 世帯 file's head and member count as the persons' current records say;
   every 支援措置等 row's 宛名番号 a person of the 住民 file, its 世帯番号 a household of the 世帯
   file, no 措置ID twice (a DV victim's protection must never be lost or attached to nobody).
   **Every** fault is collected (file, line, item, code, Japanese message), not only the first.
2. **All or nothing.** While no fault has been found, each checked row is handed to the writer
   (:class:`_Writer`), inside one unit of work: one journal entry per snapshot (kind ``import``,
   the snapshot's own reason and dates, recorded now, the hash chain continued), the snapshots
   with their history numbers, the projections, the households and the suppression settings
   (lifted ones included, in the ``suppressions`` table of the same transaction), and the number
   sequences advanced past the highest imported numbers. The unit of work is committed only if the whole
   input proved faultless; a fault, an error or a killed process leaves the municipality as it
   was. Checking and writing in one pass reads and decodes each row once instead of twice.

Memory: one small entry per person (the 宛名番号 seen, to find duplicates out of order) and
per household (line, head, member counts), one per 措置ID; rows are never kept beyond a write
batch.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from enum import StrEnum
from functools import partial
from typing import Any, Final, Protocol

import orjson

from jichitai.domain.access.suppression import Suppression
from jichitai.domain.common.identifiers import AtenaNumber, HouseholdNumber
from jichitai.domain.errors import DomainError, Violation
from jichitai.domain.migration.layout import CodeTable, ItemType, Layout, LayoutFile
from jichitai.domain.migration.mapping import RowMapper
from jichitai.domain.migration.suppressions import SuppressionRow
from jichitai.domain.residents.model import ResidentRecord, ResidentStatus
from jichitai.domain.residents.view import ChangeKind
from jichitai.services.ports import (
    Clock,
    HouseholdRow,
    JournalEntry,
    RegisterRepository,
    UnitOfWork,
)
from jichitai.services.register import canonical_text, entry_hash, time_ordered_id

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


class IdMode(StrEnum):
    """What becomes of the source's 宛名番号 and 世帯番号."""

    KEEP = "keep"
    """Kept, so other systems' references stay valid (they must carry this register's check
    digits)."""
    RENUMBER = "renumber"
    """Read as the source's own keys (digits, any check-digit scheme) and replaced by new numbers
    in the order they first appear; the map from old to new is written next to the report."""


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
    head: str | None
    member_count: int
    members: int = 0
    heads: list[str] | None = None


_Check = Callable[[str], "tuple[str, str] | None"]


@dataclass(frozen=True, slots=True)
class _CellRule:
    """How one item's cell is checked (built once per file, applied to every row)."""

    name: str
    required: bool
    length: int | None
    check: _Check | None  # type and code table of a non-empty cell
    parse_id: Callable[[str, str], object] | None
    source: str


def _cell_rules(layout: Layout, layout_file: LayoutFile, check_ids: bool) -> tuple[_CellRule, ...]:
    """``check_ids``: 宛名番号 and 世帯番号 must carry this register's check digits (they are
    kept); when they are renumbered they are the source's keys, checked as digits only."""
    return tuple(
        _CellRule(
            name=item.name,
            required=item.required,
            length=item.length,
            check=_checker(layout, item.type, item.code_table),
            parse_id=_ID_PARSERS.get(item.source) if check_ids else None,
            source=item.source,
        )
        for item in layout_file.items
    )


class _Writer:
    """The writing half of the import, in the caller's unit of work, batch by batch.

    One journal entry per snapshot (kind ``import``, the snapshot's own reason and dates,
    recorded now, the hash chain continued), the snapshots with their history numbers, each
    person's current record (projection), the households and the suppression settings; at the
    end the number sequences are advanced past the highest imported numbers.
    """

    def __init__(
        self,
        repo: RegisterRepository,
        now: datetime,
        operator: str,
        file_name: str,
        batch_size: int,
    ) -> None:
        self._repo = repo
        self._now = now
        self._operator = operator
        self._file_name = file_name
        self._batch_size = batch_size
        self._seq, self._prev_hash = repo.journal_head()
        self._snapshots: list[tuple[JournalEntry, ResidentRecord, str]] = []
        self._latest: list[ResidentRecord] = []
        self._households: list[HouseholdRow] = []
        self._suppressions: list[Suppression] = []
        self._top_atena = self._top_household = 0

    def household(self, household: HouseholdRow) -> None:
        self._top_household = max(self._top_household, int(household.household_number[:9]))
        self._households.append(household)
        if len(self._households) >= self._batch_size:
            self._repo.import_households(self._households)
            self._households = []

    def snapshot(self, line: int, record: ResidentRecord) -> None:
        text = canonical_text(record)
        self._seq += 1
        entry = _entry(
            self._seq,
            self._prev_hash,
            self._now,
            self._operator,
            record,
            text,
            self._file_name,
            line,
        )
        entry = replace(entry, entry_hash=entry_hash(entry))
        self._prev_hash = entry.entry_hash
        self._snapshots.append((entry, record, text))
        self._top_atena = max(self._top_atena, record.atena_number.serial)
        self._top_household = max(self._top_household, record.household_number.serial)
        if len(self._snapshots) >= self._batch_size:
            self._flush_snapshots()

    def latest(self, record: ResidentRecord) -> None:
        self._latest.append(record)

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
    ) -> None:
        self.layout = layout
        self.municipality_code = municipality_code
        self.source = source
        self.writer = writer
        self.renumbering = renumbering
        self.faults: list[ImportFault] = []
        self.households: dict[str, _Household] = {}
        self.tainted: set[str] = set()  # households named by a row that could not be read
        self.persons = 0
        self.snapshots = 0
        self.seen: set[str] = set()  # the source's 宛名番号 of the 住民 file
        self.suppressions = 0
        self._rules: dict[str, tuple[_CellRule, ...]] = {}

    def fault(self, file: str, line: int, item: str, code: str, message: str) -> None:
        self.faults.append(ImportFault(file, line, item, code, message))

    def writing(self) -> _Writer | None:
        """The writer while the input has no fault; after the first fault, ``None`` for good."""
        if self.faults:
            self.writer = None
        return self.writer

    def cells_ok(self, layout_file: LayoutFile, line: int, row: list[str]) -> bool:
        name = layout_file.file_name
        rules = self._rules.get(name)
        if rules is None:
            rules = self._rules[name] = _cell_rules(
                self.layout, layout_file, check_ids=self.renumbering is None
            )
        if len(row) != len(rules):
            self.fault(
                name,
                line,
                "",
                "import.columns",
                f"項目数が {len(row)} です（{len(rules)} 項目であること）",
            )
            return False
        ok = True
        for rule, cell in zip(rules, row, strict=True):
            if not cell:
                if rule.required:
                    self.fault(name, line, rule.name, "import.required", "必須項目が空です")
                    ok = False
                continue
            problem = None if rule.check is None else rule.check(cell)
            if problem is None and rule.length is not None and len(cell) > rule.length:
                problem = ("import.length", f"{len(cell)} 文字です（{rule.length} 文字以内）")
            elif problem is None and rule.parse_id is not None:
                try:
                    rule.parse_id(cell, rule.source)
                except DomainError as error:
                    problem = (error.code, error.violations[0].message)
            if problem is not None:
                self.fault(name, line, rule.name, *problem)
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
        """The 世帯 file, keyed by the source's 世帯番号 (the numbers every message shows)."""
        mapper = RowMapper(layout_file, self.layout.code_tables)
        name = layout_file.file_name
        at = _positions(layout_file)
        number_at, head_at = at["household_number"], at["head_atena_number"]
        for line, row in self.source.rows(layout_file, self.faults):
            if not self.cells_ok(layout_file, line, row):
                continue
            number, head = row[number_at], row[head_at] or None
            if self.renumbering is not None:
                row = self.renumbering.rewrite(row, (head_at,), (number_at,))
            household: HouseholdRow | None = self.record(mapper, HouseholdRow, line, row)
            if household is None:
                continue
            if number in self.households:
                first = self.households[number].line
                self.fault(
                    name,
                    line,
                    "世帯番号",
                    "import.duplicate",
                    f"世帯番号 {number} が重複しています（{first}行目）",
                )
                continue
            self.households[number] = _Household(line, head, household.member_count)
            if (writer := self.writing()) is not None:
                writer.household(household)

    def read_snapshots(self, layout_file: LayoutFile, households_known: bool) -> None:
        mapper = RowMapper(layout_file, self.layout.code_tables)
        name = layout_file.file_name
        index = _positions(layout_file)
        latest_at = index.get("latest_flag")
        atena_at, household_at = index["atena_number"], index["household_number"]
        seen = self.seen
        atena, history, flag_line, last = "", 0, 0, None
        last_household = ""  # the source's 世帯番号 of the person's last row

        def end_person() -> None:
            if atena and flag_line != line_of_last:
                self.fault(
                    name,
                    line_of_last,
                    "最新フラグ",
                    "import.latest_flag",
                    f"宛名番号 {atena} の最後の行に最新フラグがありません",
                )
            if last is None:
                return
            if (writer := self.writing()) is not None:
                writer.latest(last)
            if last.status is ResidentStatus.RESIDENT:
                household = self.households.get(last_household)
                if household is not None:
                    household.members += 1
                    if last.relationship.text == _HEAD:
                        if household.heads is None:
                            household.heads = []
                        household.heads.append(atena)

        line_of_last = 0
        for line, row in self.source.rows(layout_file, self.faults):
            self.snapshots += 1
            cells_ok = self.cells_ok(layout_file, line, row)
            row_atena = row[atena_at] if len(row) > atena_at else ""
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
            number = last_household = row[household_at] if len(row) > household_at else ""
            if cells_ok and self.renumbering is not None:
                row = self.renumbering.rewrite(row, (atena_at,), (household_at,))
            record = self.record(mapper, ResidentRecord, line, row) if cells_ok else None
            last = record
            if record is None:
                self.tainted.add(number)
                continue
            if households_known and number not in self.households:
                self.fault(
                    name,
                    line,
                    "世帯番号",
                    "import.unknown_household",
                    f"世帯番号 {number} は世帯のファイルにありません",
                )
            elif (writer := self.writing()) is not None:
                writer.snapshot(line, record)
        end_person()

    def read_suppressions(
        self, layout_file: LayoutFile, persons_known: bool, households_known: bool
    ) -> None:
        """The 支援措置等 file: every row checked, its 宛名番号 a person of the 住民 file and its
        世帯番号 a household of the 世帯 file (source numbers; renumbered like them, never given
        a number of their own), no 措置ID twice."""
        mapper = RowMapper(layout_file, self.layout.code_tables)
        name = layout_file.file_name
        index = _positions(layout_file)
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
            if atena and persons_known and atena not in self.seen:
                self.fault(
                    name,
                    line,
                    "宛名番号",
                    "import.unknown_person",
                    f"宛名番号 {atena} は住民のファイルにありません",
                )
                ok = False
            if number and households_known and number not in self.households:
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

    def check_households(self, layout_file: LayoutFile) -> None:
        name = layout_file.file_name
        for number, household in self.households.items():
            if number in self.tainted:  # its members' faults are reported already
                continue
            heads = household.heads or []
            if len(heads) > 1:
                self.fault(
                    name,
                    household.line,
                    "世帯主_宛名番号",
                    "import.two_heads",
                    f"世帯番号 {number} に世帯主が {len(heads)} 人います（{'、'.join(heads)}）",
                )
            elif (heads[0] if heads else None) != household.head:
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


def _positions(layout_file: LayoutFile) -> dict[str, int]:
    """Where each item's value is in a row, by its source (or converter)."""
    return {item.source or item.converter: i for i, item in enumerate(layout_file.items)}


def _checker(layout: Layout, item_type: ItemType, code_table: str) -> _Check | None:
    """The check of a non-empty cell of one item type: ``None``, or (code, message)."""
    if item_type is ItemType.DIGITS:
        return _check_digits
    if item_type is ItemType.INTEGER:
        return _check_integer
    if item_type is ItemType.DATE:
        return _check_date
    if item_type is ItemType.CODE:
        table = layout.code_tables.get(code_table)
        return partial(_check_code, table, code_table)
    if item_type is ItemType.FLAG:
        return _check_flag
    if item_type is ItemType.JSON:
        return _check_json
    return None


def _check_digits(cell: str) -> tuple[str, str] | None:
    if cell.isascii() and cell.isdigit():
        return None
    return "import.digits", f"数字以外の文字があります（{cell[:20]}）"


def _check_integer(cell: str) -> tuple[str, str] | None:
    if cell.isascii() and cell.lstrip("-").isdigit():
        return None
    return "import.integer", f"整数ではありません（{cell[:20]}）"


def _check_date(cell: str) -> tuple[str, str] | None:
    try:
        if len(cell) != 8 or not cell.isascii() or not cell.isdigit():
            raise ValueError(cell)
        date(int(cell[:4]), int(cell[4:6]), int(cell[6:]))
    except ValueError:
        return "import.date", f"年月日として正しくありません（{cell[:20]}、YYYYMMDD の暦上の日）"
    return None


def _check_code(table: CodeTable | None, name: str, cell: str) -> tuple[str, str] | None:
    if table is not None and table.value_of(cell) is not None:
        return None
    return "import.code", f"コード表「{name}」にないコードです（{cell[:20]}）"


def _check_flag(cell: str) -> tuple[str, str] | None:
    if cell in ("0", "1"):
        return None
    return "import.flag", f"フラグは 0 又は 1 であること（{cell[:20]}）"


def _check_json(cell: str) -> tuple[str, str] | None:
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
        write_id_map: Callable[[str, Iterable[tuple[str, str, str]]], str],
        clock: Clock,
        batch_size: int = BATCH_SIZE,
    ) -> None:
        self._uow_for = uow_for
        self._load_layout = load_layout
        self._open_source = open_source
        self._write_report = write_report
        self._write_id_map = write_id_map
        self._clock = clock
        self._batch_size = batch_size

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
    ) -> ImportResult:
        """Check every row and, when no row has a fault (and not ``dry_run``), write them all.

        The files are read once: the rows are written as they are checked, inside one unit of
        work that is committed only when the whole input proved faultless, and rolled back
        otherwise (or on any failure, a kill included: the database never sees a partial
        import).
        """
        layout = self._load_layout(version)
        self._refuse_if_not_empty(municipality_code)
        source = _Counted(self._open_source(directory), progress or _quiet)
        written = False
        id_map = None
        if dry_run:
            source.phase = "check"
            renumbering = _Renumbering(1, 1) if ids is IdMode.RENUMBER else None
            checked = self._read(layout, source, None, renumbering, municipality_code)
        else:
            snapshots = layout.file("resident_snapshot").file_name
            with self._uow_for(municipality_code) as uow:
                if uow.register.has_persons():  # someone wrote meanwhile
                    raise DomainError(_not_empty(municipality_code))
                now = self._clock.now().astimezone(UTC)
                writer = _Writer(uow.register, now, operator, snapshots, self._batch_size)
                renumbering = (
                    _Renumbering(*uow.register.next_serials()) if ids is IdMode.RENUMBER else None
                )
                checked = self._read(layout, source, writer, renumbering, municipality_code)
                if not checked.faults:
                    writer.finish()
                    if renumbering is not None:
                        id_map = self._write_id_map(report_dir, renumbering.pairs())
                    uow.commit()
                    written = True
        faults = tuple(checked.faults)
        report = self._write_report(report_dir, faults)
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
        )

    @staticmethod
    def _read(
        layout: Layout,
        source: ImportSource,
        writer: _Writer | None,
        renumbering: _Renumbering | None,
        municipality_code: str = "",
    ) -> _Pass:
        checked = _Pass(layout, source, writer, renumbering, municipality_code)
        checked.faults.extend(source.check(layout))
        households = layout.file("household")
        snapshots = layout.file("resident_snapshot")
        households_known = source.readable(households)
        if households_known:
            checked.read_households(households)
        persons_known = source.readable(snapshots)
        if persons_known:
            checked.read_snapshots(snapshots, households_known)
            if households_known:
                checked.check_households(households)
        suppressions = next((f for f in layout.files if f.record == "suppression"), None)
        if suppressions is not None and source.readable(suppressions):
            checked.read_suppressions(suppressions, persons_known, households_known)
        return checked

    def _refuse_if_not_empty(self, municipality_code: str) -> None:
        with self._uow_for(municipality_code) as uow:
            if uow.register.has_persons():
                raise DomainError(_not_empty(municipality_code))


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
        operator=operator,
        place="",
        terminal="",
        notes="",
        ex_officio=False,
        corrects_event_id=None,
        payload=f'{head_text[:-1]},"records":[{text}]}}',
        prev_hash=prev_hash,
        entry_hash="",
    )
