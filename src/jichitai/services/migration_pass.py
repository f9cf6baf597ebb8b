"""Data migration: the reading and checking pass of ``jichitai layout import``.

:class:`ImportPass` reads the layout's files once, the 世帯 file first, then the 住民 file (its
rows already checked one by one by :class:`~jichitai.services.migration_rows.SnapshotCheck`, in
this process or in worker processes), then the 支援措置等 file, and runs the checks across rows:
個人履歴番号 1..n in order, 最新フラグ on a person's last row only, every 世帯番号 in the 世帯 file,
one 世帯主 per household and the 世帯 file's head and member count as the persons' current
records say, the 支援措置等 rows' persons and households known and no 措置ID twice, living
residents' addresses in the municipality and their 町字 in its 町字 master (when one is loaded),
no identifier on two living residents. Every fault is
collected; while there is none, each checked row goes to the
:class:`~jichitai.services.migration_writer.ImportWriter`.

Memory: one small entry per person (the 宛名番号 seen, kept as an int, to find a person's rows
out of order) and per household (line, head, member counts), one per 措置ID; rows are never
kept beyond a write batch.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any, Final

from jichitai.domain.errors import Severity, Violation
from jichitai.domain.migration.layout import Layout, LayoutFile
from jichitai.domain.migration.suppressions import SuppressionRow
from jichitai.services.layout_mapping import RowMapper
from jichitai.services.migration_rows import (
    CellRule,
    Checked,
    ImportFault,
    cell_faults,
    cell_rules,
    decoded,
    positions,
)
from jichitai.services.migration_writer import ImportWriter, Renumbering
from jichitai.services.ports import HouseholdRow, ImportSource, RegisterImport

__all__ = ["ImportPass"]

_IDENTIFIER_ITEMS: Final = {
    "individual_number": "個人番号",
    "resident_code": "住民票コード",
    "residence_card_number": "在留カード番号",
}


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


class ImportPass:
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
        writer: ImportWriter | None,
        renumbering: Renumbering | None = None,
        municipality_code: str = "",
        allow_outside: bool = False,
        allow_outside_master: bool = False,
    ) -> None:
        self.layout = layout
        self.municipality_code = municipality_code
        self.allow_outside = allow_outside
        self.allow_outside_master = allow_outside_master
        self.addresses_outside: list[ImportFault] = []
        self.town_areas_outside_master: list[ImportFault] = []
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

    def writing(self) -> ImportWriter | None:
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
            if last.resident and last.not_in_master is not None:
                self.town_area_outside_master(name, last, last.not_in_master)
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

    def town_area_outside_master(self, file_name: str, row: Checked, violation: Violation) -> None:
        """A living resident's current 町字 not in the 町字 master on the row's 異動日: a fault,
        or (allowed by ``--allow-town-areas-outside-master``) a line of the report."""
        item = self._item_names.get(violation.field or "", "")
        message = f"宛名番号 {row.atena}（住民）: {violation.message}"
        if not self.allow_outside_master:
            self.fault(file_name, row.line, item, violation.code, message)
            return
        self.town_areas_outside_master.append(
            ImportFault(
                file_name,
                row.line,
                item,
                "import.town_area_outside_master_allowed",
                f"{message}（町字マスターにない町字を認める指定により取り込み）",
            )
        )

    def acknowledged(self, row: Checked) -> tuple[Violation, ...]:
        """The alerts kept in the journal entry of a current record let in by an override (the
        person's row with 最新フラグ: if it is not their last, the import fails anyway)."""
        if not (row.latest and row.resident):
            return ()
        let_in = (
            (row.outside, self.allow_outside),
            (row.not_in_master, self.allow_outside_master),
        )
        return tuple(
            replace(v, severity=Severity.ALERT, line=row.line)
            for v, allowed in let_in
            if v is not None and allowed
        )

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
