"""Data migration: the checks of one row that need no other row.

Each cell against its layout item (type, code table, length, check digits), then the record
built by the domain's own types (the counter's rules) with the layout's row → record inverse.
For a 住民 row, :class:`SnapshotCheck` also makes what the writer needs (canonical JSON and the
projection row) and, for a living resident (住民状態 住民), asks whether the address lies in the
municipality (:meth:`~jichitai.domain.common.address.Address.outside_violation`) and, when it
does and the municipality has loaded a 町字 master, whether its 町字 is in the master in force on
the row's 異動日 (:func:`~jichitai.domain.common.town_areas.town_area_fault`, the rule the
register's change checks ask: ADR 0013), so the whole of it can run in a worker process
(``migration_workers``); the checks across rows (which of a person's rows is current, whether
an address outside is allowed) stay in ``migration_pass``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Any, Final, NamedTuple

import orjson

from jichitai.codec import to_primitive
from jichitai.domain.common.identifiers import AtenaNumber, HouseholdNumber
from jichitai.domain.common.town_areas import TownAreaLookup, town_area_fault
from jichitai.domain.errors import DomainError, Violation
from jichitai.domain.migration.cells import (
    SPACES,
    ascii_digits,
    calendar_cell,
    date_cell,
    has_half_width_kana,
    katakana_cell,
)
from jichitai.domain.migration.layout import CodeTable, ItemType, Layout, LayoutFile, LayoutItem
from jichitai.domain.residents.model import ResidentRecord, ResidentStatus
from jichitai.services.inbound import record_faults
from jichitai.services.layout_mapping import RowMapper
from jichitai.services.ports import ImportedSnapshot
from jichitai.services.register import canonical_text

__all__ = [
    "CellRule",
    "Checked",
    "ImportFault",
    "SnapshotCheck",
    "cell_faults",
    "cell_rules",
    "decoded",
    "key_cell",
    "positions",
]

HEAD: Final = "世帯主"
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


_Check = Callable[[str], "tuple[str, str] | None"]
_DATE_KINDS: Final = "日付種別"


@dataclass(frozen=True, slots=True)
class CellRule:
    """How one item's cell is read and checked (built once per file, applied to every row).

    A cell already in the layout's form costs only ``check`` (and, for a text item, a look at
    its ends); any other cell is read as an older system writes it
    (:mod:`jichitai.domain.migration.cells`) and the row rewritten with the result."""

    name: str
    required: bool
    length: int | None
    check: _Check | None  # type and code table of a non-empty cell
    parse_id: Callable[[str, str], object] | None
    source: str
    item_type: ItemType = ItemType.TEXT
    kana: bool = False  # a reading: half-width katakana read as full width
    unknown_at: tuple[int, int] | None = None  # a date's 不詳フラグ and 不詳表記 cells
    kind_codes: Mapping[str, str] | None = None  # DateKind value -> its 日付種別 code
    calendar_code: str = ""  # the 日付種別 code of a calendar day


def cell_rules(layout: Layout, layout_file: LayoutFile, check_ids: bool) -> tuple[CellRule, ...]:
    """``check_ids``: 宛名番号 and 世帯番号 must carry this register's check digits (they are
    kept); when they are renumbered they are the source's keys, checked as digits only."""
    at = {item.source: i for i, item in enumerate(layout_file.items) if item.source}
    kinds = layout.code_tables.get(_DATE_KINDS)
    return tuple(
        CellRule(
            name=item.name,
            required=item.required,
            length=item.length,
            check=_checker(layout, item.type, item.code_table),
            parse_id=_ID_PARSERS.get(item.source) if check_ids else None,
            source=item.source,
            item_type=item.type,
            kana=item.type is ItemType.TEXT and item.source.endswith("_kana"),
            unknown_at=_unknown_at(item, at),
            kind_codes=None if kinds is None else kinds.codes,
            calendar_code="" if kinds is None else kinds.codes.get("calendar", ""),
        )
        for item in layout_file.items
    )


def _unknown_at(item: LayoutItem, at: Mapping[str, int]) -> tuple[int, int] | None:
    """Where a register date's kind and wording are (``x.date`` beside ``x.kind``, ``x.text``)."""
    if item.type is not ItemType.DATE or not item.source.endswith(".date"):
        return None
    base = item.source[: -len("date")]
    kind, text = at.get(base + "kind"), at.get(base + "text")
    return None if kind is None or text is None else (kind, text)


def key_cell(cell: str) -> str:
    """A number cell (宛名番号, 世帯番号) read as the cell rules read it: no padding, ASCII."""
    if cell.isascii() and cell.isdigit():
        return cell
    return ascii_digits(cell.strip(SPACES))


class Checked(NamedTuple):
    """One 住民 row checked on its own: what the checks across rows and the writer need."""

    line: int
    atena: str  # the source's 宛名番号, 個人履歴番号 and 世帯番号 cells, as read
    history: str
    household: str
    latest: bool  # 最新フラグ is 1
    cell_faults: list[ImportFault]
    record_fault: ImportFault | None
    snapshot: ImportedSnapshot | None  # None: the row has a fault
    resident: bool  # 住民状態 住民
    head: bool  # 続柄 世帯主
    outside: Violation | None = None  # a resident's address outside the municipality
    not_in_master: Violation | None = None  # a resident's 町字 not in the 町字 master


class SnapshotCheck:
    """The checks of one 住民 row that need no other row: its cells, and its record built by
    the domain's own types, made ready to write (canonical JSON, projection row).

    This is most of an import's work, and it runs unchanged in the importing process or in
    worker processes (see ``migration_workers``).
    """

    def __init__(
        self,
        layout: Layout,
        layout_file: LayoutFile,
        check_ids: bool,
        project: Callable[[ResidentRecord], Mapping[str, Any]],
        municipality: tuple[str, str],
        master: TownAreaLookup | None = None,
    ) -> None:
        """``municipality``: the code and registered name of the municipality imported into;
        ``master``: its 町字 master (None or empty: none loaded, nothing checked)."""
        self._name = layout_file.file_name
        self._municipality = municipality
        self._master = master if master is not None and master.loaded else None
        self._rules = cell_rules(layout, layout_file, check_ids)
        self._mapper = RowMapper(layout_file, layout.code_tables)
        self._project = project
        at = positions(layout_file)
        self._atena_at, self._household_at = at["atena_number"], at["household_number"]
        self._history_at, self._latest_at = at["history_number"], at.get("latest_flag")
        self._items = {item.source: item.name for item in layout_file.items if item.source}

    def _item_of(self, path: str) -> str:
        """The layout item a record path is kept in (its nearest enclosing item), else the path."""
        while path:
            if path in self._items:
                return self._items[path]
            path = path.rpartition(".")[0]
        return path

    def check(self, line: int, row: list[str], new_keys: tuple[str, str] | None) -> Checked:
        """``new_keys``: with ``--ids renumber``, the row's new 宛名番号 and 世帯番号."""
        width = len(row)
        faults = cell_faults(self._name, self._rules, line, row)  # rewrites the row's cells

        def cell(at: int | None) -> str:
            return row[at] if at is not None and at < width else ""

        atena, household = cell(self._atena_at), cell(self._household_at)
        history, latest = cell(self._history_at), cell(self._latest_at) == "1"
        if faults:
            return Checked(
                line, atena, history, household, latest, faults, None, None, False, False
            )
        if new_keys is not None:
            row = list(row)
            row[self._atena_at], row[self._household_at] = new_keys
        record, fault = decoded(self._mapper, ResidentRecord, line, row)
        if record is None:
            return Checked(line, atena, history, household, latest, [], fault, None, False, False)
        # The values are checked as every door checks them (the counter, the API): an import
        # is a door too, and it keeps what it reads byte for byte.
        faults = [
            ImportFault(self._name, line, self._item_of(v.field or ""), v.code, v.message)
            for v in record_faults(to_primitive(record))
        ]
        if faults:
            return Checked(
                line, atena, history, household, latest, faults, None, None, False, False
            )
        snapshot = ImportedSnapshot(
            atena_number=record.atena_number.value,
            history_number=record.history_number,
            household_number=record.household_number.value,
            effective_on=record.effective_on,
            filed_on=record.filed_on,
            reason=record.reason.value,
            reason_group=record.reason.group.value,
            status=record.status.value,
            text=canonical_text(record),
            projection=self._project(record) if latest else None,
        )
        resident = record.status is ResidentStatus.RESIDENT
        head = record.relationship.text == HEAD
        outside = record.address.outside_violation(*self._municipality) if resident else None
        not_in_master = None
        if resident and outside is None and self._master is not None:
            # An address outside the municipality names another's 町字: not this master's.
            not_in_master = town_area_fault(record.address, self._master, record.effective_on)
        return Checked(
            line,
            atena,
            history,
            household,
            latest,
            [],
            None,
            snapshot,
            resident,
            head,
            outside,
            not_in_master,
        )


def cell_faults(
    name: str, rules: Sequence[CellRule], line: int, row: list[str]
) -> list[ImportFault]:
    """Every fault of the row's cells, each against its item (empty: the cells are good).

    A cell written as an older system writes it is read into the layout's form and **the row is
    rewritten in place** with that form (and, for a 不詳 date, its 不詳フラグ and 不詳表記
    cells when they are empty), so what decodes the row sees the layout's form only; a fault
    shows the cell as written."""
    if len(row) != len(rules):
        message = f"項目数が {len(row)} です（{len(rules)} 項目であること）"
        return [ImportFault(name, line, "", "import.columns", message)]
    faults: list[ImportFault] = []
    for at, cell in enumerate(row):
        rule = rules[at]
        if not cell:
            if rule.required:
                faults.append(_required(name, line, rule))
            continue
        check = rule.check
        problem = None
        if check is None:  # text: only its ends (and a reading's kana) are looked at
            if cell[0] in SPACES or cell[-1] in SPACES or (rule.kana and has_half_width_kana(cell)):
                cell = row[at] = _read_text(rule, cell)
                if not cell:
                    if rule.required:
                        faults.append(_required(name, line, rule))
                    continue
        elif (problem := check(cell)) is not None:
            cell, problem = _read(rule, cell, problem, row, at)
            if not cell:
                if rule.required:
                    faults.append(_required(name, line, rule))
                continue
        elif rule.unknown_at is not None:  # a calendar day: its 不詳フラグ, when left empty
            kind_at = rule.unknown_at[0]
            kind = row[kind_at]
            if not kind or kind[0] in SPACES:
                row[kind_at] = rule.calendar_code
        if problem is None and rule.length is not None and len(cell) > rule.length:
            problem = ("import.length", f"{len(cell)} 文字です（{rule.length} 文字以内）")
        elif problem is None and rule.parse_id is not None:
            try:
                rule.parse_id(cell, rule.source)
            except DomainError as error:
                problem = (error.code, error.violations[0].message)
        if problem is not None:
            faults.append(ImportFault(name, line, rule.name, *problem))
    return faults


def _read_text(rule: CellRule, cell: str) -> str:
    """A text cell without its padding; a reading in full-width katakana."""
    cell = cell.strip(SPACES)
    return katakana_cell(cell) if rule.kana and has_half_width_kana(cell) else cell


def _read(
    rule: CellRule, written: str, problem: tuple[str, str], row: list[str], at: int
) -> tuple[str, tuple[str, str] | None]:
    """A cell not in the layout's form, read as an older system writes it: (the cell as the
    layout writes it, put in the row; or the cell as written with its fault)."""
    if rule.item_type is ItemType.DATE:
        return _read_date(rule, written, row, at)
    cell = written.strip(SPACES)
    if rule.item_type is not ItemType.JSON:
        cell = ascii_digits(cell)
    if cell == written:
        return written, problem
    if cell and rule.check is not None and rule.check(cell) is not None:
        return written, problem  # the fault shows the cell as written
    row[at] = cell
    return cell, None


def _read_date(
    rule: CellRule, written: str, row: list[str], at: int
) -> tuple[str, tuple[str, str] | None]:
    if not written.strip(SPACES):
        row[at] = ""
        return "", None
    unknown_at = rule.unknown_at
    try:
        read = date_cell(written, unknown=unknown_at is not None)
    except DomainError as error:
        return written, (error.code, error.violations[0].message)
    if unknown_at is not None and rule.kind_codes is not None:
        kind_at, text_at = unknown_at
        code, given = rule.kind_codes.get(read.kind.value, ""), key_cell(row[kind_at])
        if not read.is_calendar:  # a 不詳 marker or a day the calendar lacks
            if given and given != code:
                message = f"不詳フラグ（{given}）と一致しません（{written[:20]}: {read.display()}）"
                return written, ("import.date_kind", message)
            row[kind_at] = code
            if not row[text_at].strip(SPACES):
                row[text_at] = read.text
        elif not given:  # a machine date in 和暦; with a flag and wording, they are checked later
            row[kind_at] = code
    cell = row[at] = calendar_cell(read.approximation)
    return cell, None


def _required(name: str, line: int, rule: CellRule) -> ImportFault:
    return ImportFault(name, line, rule.name, "import.required", "必須項目が空です")


def decoded(
    mapper: RowMapper, cls: type[Any], line: int, row: Sequence[str]
) -> tuple[Any, ImportFault | None]:
    """The row's record, built by the domain's own types; or the fault that prevents it."""
    try:
        return mapper.row_to_record(cls, row), None
    except Exception as error:  # whatever the input, a fault, never a crash
        return None, _record_fault(mapper.file, line, error)


_MISSING_FIELDS = re.compile(r"missing required field\(s\) of \w+: (.+)$")


def _record_fault(layout_file: LayoutFile, line: int, error: Exception) -> ImportFault:
    """A row the domain's types refuse, told in Japanese with the items at fault.

    A rule of the domain names its field; the decoder names the fields a record cannot do
    without (items the layout lets a file leave out, but this row needs): both are told as the
    layout's items whose values they come from."""
    name = layout_file.file_name
    if isinstance(error, DomainError):
        violation = error.violations[0]
        items = _items_for(layout_file, [violation.field or ""])
        message = f"記録として読めません: {violation.message}"
    elif found := _MISSING_FIELDS.search(str(error)):
        items = _items_for(layout_file, [f.strip() for f in found[1].split(",")])
        named = "、".join(items) if items else found[1]
        message = f"記録として読めません: この行には「{named}」の値が必要です（項目が無いか空です）"
    else:
        items = []
        message = f"記録として読めません: 値の組み合わせが正しくありません（{error}）"
    return ImportFault(name, line, "、".join(items[:3]), "import.record", message[:300])


def _items_for(layout_file: LayoutFile, fields: Sequence[str]) -> list[str]:
    """The layout's items whose source is, or lies under, one of ``fields`` (in file order);
    only when none does, those whose source ends in it (the decoder names a nested record's
    field without its path)."""
    wanted = [w for f in fields if (w := f.split("[", 1)[0].strip("."))]
    items = layout_file.items
    exact = [
        i.name for i in items if any(i.source == w or i.source.startswith(w + ".") for w in wanted)
    ]
    return exact or [i.name for i in items if i.source.rsplit(".", 1)[-1] in wanted]


def positions(layout_file: LayoutFile) -> dict[str, int]:
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
    """A calendar day ``YYYYMMDD`` of a year from 1000 (a leading 0 is 和暦 with its code)."""
    try:
        if len(cell) != 8 or not cell.isascii() or not cell.isdigit() or cell[0] == "0":
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
