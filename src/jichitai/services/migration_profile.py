"""``jichitai layout check``: a vendor's files profiled before the import, nothing written.

A migration team wants to know the work before the first dry run: whether the files can be read
at all, in which encoding and with which line ends, which items they carry, which code values
and 外字 need a map, what shape the histories and households have, which date forms occur. The
files are read through the import's own reader (an :class:`~jichitai.services.ports.ImportSource`
that also tells what it found, :class:`~jichitai.services.ports.ProfileSource`; the header matched
by :func:`~jichitai.domain.migration.layout.column_map`, here leniently: unknown columns are
reported and the rest read on). No municipality, no database, no unit of work.

**Streaming.** Rows are read once and dropped; what is kept grows with the *distinct* values
(code values, 外字 code points, persons, households), never with the rows: per person a few
numbers (rows, the 個人履歴番号 seen as a bit set, 最新フラグ count, the last row's 世帯番号,
住民状態 and 続柄), per household its declared member count. Faults of the bytes are counted by
code with the first few kept as samples.

**The maps' seam.** ``code_map`` (code table → vendor value → our code) and ``gaiji_map``
(private-use character → the text it stands for) are plain mappings: the parsed ``--code-map``
and ``--gaiji-map`` plug in here. Without them every value is taken as ours: a code value not in
our table is "not ours", a private-use character is "unmapped". Vendor code values are compared
as the import compares them: NFKC (full-width digits as ASCII), surrounding spaces dropped.

The result is a plain dict (the ``--json`` output, documented in docs/migration.md, "Coming from
another vendor"): keys are stable, lists are sorted, samples capped at :data:`SAMPLES`.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from jichitai.domain.migration.layout import ItemType, Layout, LayoutFile
from jichitai.services.migration_maps import NO_MAPS, MapTexts
from jichitai.services.migration_rows import ImportFault
from jichitai.services.ports import ProfileSource

__all__ = [
    "DATE_FORMS",
    "SAMPLES",
    "LayoutProfile",
    "LayoutProfileService",
    "ProfileAccumulator",
    "date_form",
]

SAMPLES: Final = 20
"""At most this many examples (persons, households, faults) are listed per finding."""

DATE_FORMS: Final = ("yyyymmdd", "wareki8", "wareki7", "unknown", "empty", "other")
"""The forms a date cell is sorted into (:func:`date_form`)."""

_PRIVATE_USE: Final = re.compile("[\ue000-\uf8ff\U000f0000-\U000ffffd\U00100000-\U0010fffd]")
_FULL_DIGITS: Final = str.maketrans("０１２３４５６７８９", "0123456789")
_SPACES: Final = " \u3000"
_MAX_HISTORY_BIT: Final = (
    4096  # 個人履歴番号 above this are reported as out of run, not set as bits
)

CodeMapping = Mapping[str, Mapping[str, str]]
"""Code table name → vendor value (NFKC, stripped) → our code (``CodeMap.tables``)."""
GaijiMapping = Mapping[str, str]
"""Private-use character → the text it stands for (``GaijiMap.targets``)."""


def _key(value: str) -> str:
    """A vendor value as compared with codes and numbers: NFKC, no surrounding spaces."""
    if value.isascii():
        return value.strip()
    return unicodedata.normalize("NFKC", value).strip()


def date_form(cell: str, eras: frozenset[str] = frozenset({"01", "02", "03", "04", "05"})) -> str:
    """How a date cell is written, by its shape only (not validated as a date): ``yyyymmdd``;
    ``wareki8`` (``GGYYMMDD``, GG an era code of ``eras``); ``wareki7`` (``GYYMMDD``); ``unknown``
    (不詳: month or day ``00``, or the word 不詳); ``empty``; ``other``. Full-width digits and
    surrounding spaces are read as the import reads them."""
    text = cell.translate(_FULL_DIGITS).strip(_SPACES)
    if not text:
        return "empty"
    if "不詳" in text:
        return "unknown"
    if not (text.isascii() and text.isdigit()):
        return "other"
    if len(text) == 8 and text[0] == "0":
        form, month_day = ("wareki8" if text[:2] in eras else "other"), text[4:]
    elif len(text) == 8:
        form, month_day = "yyyymmdd", text[4:]
    elif len(text) == 7 and "0" + text[0] in eras:
        form, month_day = "wareki7", text[3:]
    else:
        return "other"
    if form != "other" and "00" in (month_day[:2], month_day[2:]):
        return "unknown"
    return form


def _code_point(char: str) -> str:
    return f"U+{ord(char):04X}"


@dataclass(slots=True)
class _Person:
    rows: int = 0
    numbers: int = 0  # bit n set: 個人履歴番号 n seen
    out_of_run: bool = False  # a 個人履歴番号 twice, not a number, or beyond _MAX_HISTORY_BIT
    latest_flags: int = 0
    last_number: int = -1
    household: str = ""
    status: str = ""
    relationship: str = ""
    removed: bool = False  # 消除年月日 on the last row


@dataclass(slots=True)
class _FileItems:
    """What is looked at in one file's rows: its code, date and person/household items."""

    codes: list[tuple[int, str, str]]  # (index, item, code table)
    dates: list[tuple[int, str]]
    names: list[str]
    at: dict[str, int]


class ProfileAccumulator:
    """The profile of rows as they stream by (cells in the layout's order, as
    :meth:`ImportSource.rows` hands them on); :meth:`result` sums it up."""

    def __init__(
        self,
        layout: Layout,
        *,
        code_map: CodeMapping | None = None,
        gaiji_map: GaijiMapping | None = None,
    ) -> None:
        self._layout = layout
        self._code_map: CodeMapping = code_map or {}
        self._gaiji_map: GaijiMapping = gaiji_map or {}
        eras = layout.code_tables.get("年号")
        self._eras = frozenset(eras.labels) if eras else frozenset({"01", "02", "03", "04", "05"})
        self._items = {f.file_name: self._file_items(f) for f in layout.files}
        self.rows: Counter[str] = Counter()
        self._codes: dict[tuple[str, str], Counter[str]] = {}
        self._dates: dict[tuple[str, str], Counter[str]] = {}
        self._gaiji_items: Counter[tuple[str, str]] = Counter()
        self._gaiji: Counter[str] = Counter()
        self._gaiji_first: dict[str, dict[str, Any]] = {}
        self._persons: dict[str, _Person] = {}
        self._households: dict[str, int | None] = {}  # 世帯番号 -> 世帯員数 as declared
        self._referenced: set[str] = set()  # 世帯番号 in any 住民 row

    @staticmethod
    def _file_items(layout_file: LayoutFile) -> _FileItems:
        items = layout_file.items
        return _FileItems(
            codes=[
                (i, item.name, item.code_table)
                for i, item in enumerate(items)
                if item.type is ItemType.CODE and item.code_table
            ],
            dates=[(i, item.name) for i, item in enumerate(items) if item.type is ItemType.DATE],
            names=[item.name for item in items],
            at={item.name: i for i, item in enumerate(items)},
        )

    def columns(self, layout_file: LayoutFile, header: Sequence[str]) -> None:
        """The file's header: the items it lacks are left out of its code, date and 外字 counts
        (read as empty, they would count as empty dates)."""
        present = {column.strip(_SPACES) for column in header}
        items = self._items[layout_file.file_name]
        items.codes = [c for c in items.codes if c[1] in present]
        items.dates = [d for d in items.dates if d[1] in present]

    def _ours(self, table: str, value: str) -> str:
        """The vendor value as our code: mapped, or as it is."""
        return self._code_map.get(table, {}).get(value, value)

    def add_row(self, layout_file: LayoutFile, line: int, cells: Sequence[str]) -> None:
        name = layout_file.file_name
        items = self._items[name]
        self.rows[name] += 1
        for at, item, _table in items.codes:
            value = _key(cells[at])
            if value:
                counter = self._codes.setdefault((name, item), Counter())
                counter[value] += 1
        for at, item in items.dates:
            forms = self._dates.setdefault((name, item), Counter())
            forms[date_form(cells[at], self._eras)] += 1
        for at, cell in enumerate(cells):
            if cell.isascii():
                continue
            for char in _PRIVATE_USE.findall(cell):
                self._gaiji_items[(name, items.names[at])] += 1
                point = _code_point(char)
                self._gaiji[point] += 1
                if point not in self._gaiji_first:
                    self._gaiji_first[point] = {
                        "file": name,
                        "line": line,
                        "item": items.names[at],
                        "mapped": char in self._gaiji_map,
                    }
        if layout_file.record == "resident_snapshot":
            self._add_snapshot(items.at, cells)
        elif layout_file.record == "household":
            self._add_household(items.at, cells)

    def _add_snapshot(self, at: Mapping[str, int], cells: Sequence[str]) -> None:
        atena = _key(cells[at["宛名番号"]])
        person = self._persons.get(atena)
        if person is None:
            person = self._persons[atena] = _Person()
        person.rows += 1
        raw = _key(cells[at["個人履歴番号"]])
        number = int(raw) if raw.isdigit() else -1
        if 1 <= number <= _MAX_HISTORY_BIT and not (person.numbers >> number) & 1:
            person.numbers |= 1 << number
        else:
            person.out_of_run = True
        if _key(cells[at["最新フラグ"]]) == "1":
            person.latest_flags += 1
        household = _key(cells[at["世帯番号"]])
        self._referenced.add(household)
        if number >= person.last_number:
            person.last_number = number
            person.household = household
            person.status = self._ours("住民状態", _key(cells[at["住民状態"]]))
            person.relationship = self._ours("続柄", _key(cells[at["続柄1"]]))
            person.removed = bool(_key(cells[at["消除年月日"]]))

    def _add_household(self, at: Mapping[str, int], cells: Sequence[str]) -> None:
        declared = _key(cells[at["世帯員数"]])
        self._households[_key(cells[at["世帯番号"]])] = (
            int(declared) if declared.isdigit() else None
        )

    def result(self) -> dict[str, Any]:
        return {
            "codes": self._codes_result(),
            "gaiji": self._gaiji_result(),
            "history": self._history_result(),
            "households": self._households_result(),
            "removed": self._removed_result(),
            "dates": {
                f.file_name: {
                    item: {form: forms.get(form, 0) for form in DATE_FORMS}
                    for (name, item), forms in self._dates.items()
                    if name == f.file_name
                }
                for f in self._layout.files
                if self.rows[f.file_name]
            },
        }

    def _codes_result(self) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for layout_file in self._layout.files:
            per_item: dict[str, Any] = {}
            for _, item, table_name in self._items[layout_file.file_name].codes:
                seen = self._codes.get((layout_file.file_name, item))
                if not seen:
                    continue
                table = self._layout.code_tables.get(table_name)
                ours = set(table.labels) if table else set()
                mapping = self._code_map.get(table_name, {})
                per_item[item] = {
                    "table": table_name,
                    "values": dict(sorted(seen.items())),
                    "mapped": {v: mapping[v] for v in sorted(seen) if v in mapping},
                    "not_ours": sorted(v for v in seen if v not in ours and v not in mapping),
                }
            if per_item:
                result[layout_file.file_name] = per_item
        return result

    def _gaiji_result(self) -> dict[str, Any]:
        items: dict[str, dict[str, int]] = {}
        for (name, item), count in sorted(self._gaiji_items.items()):
            items.setdefault(name, {})[item] = count
        points = {
            point: {"count": self._gaiji[point], **self._gaiji_first[point]}
            for point in sorted(self._gaiji)
        }
        return {
            "characters": sum(self._gaiji.values()),
            "items": items,
            "code_points": points,
            "unmapped": [p for p, seen in points.items() if not seen["mapped"]],
        }

    def _history_result(self) -> dict[str, Any]:
        per_person: Counter[int] = Counter(p.rows for p in self._persons.values())
        not_in_run = [
            atena
            for atena, p in self._persons.items()
            if p.out_of_run or p.numbers != (1 << (p.rows + 1)) - 2
        ]
        flags = [atena for atena, p in self._persons.items() if p.latest_flags != 1]
        return {
            "persons": len(self._persons),
            "rows": sum(per_person[n] * n for n in per_person),
            "rows_per_person": {
                "min": min(per_person, default=0),
                "max": max(per_person, default=0),
                "distribution": {str(n): per_person[n] for n in sorted(per_person)},
            },
            "history_numbers_not_1_to_n": _listed(not_in_run),
            "latest_flag_not_exactly_one": _listed(flags),
        }

    def _resident_code(self) -> str:
        table = self._layout.code_tables.get("住民状態")
        return (table.code_of("resident") if table else None) or "1"

    def _households_result(self) -> dict[str, Any]:
        relationships = self._layout.code_tables.get("続柄")
        head = (relationships.code_of("世帯主") if relationships else None) or "02"
        resident = self._resident_code()
        members: Counter[str] = Counter()
        heads: Counter[str] = Counter()
        without: list[str] = []
        for atena, person in self._persons.items():
            if person.household not in self._households:
                without.append(atena)
            if person.status != resident:
                continue
            members[person.household] += 1
            if person.relationship == head:
                heads[person.household] += 1
        sizes: Counter[int] = Counter(members[h] for h in self._households)
        flagged = [
            {"household": h, "members": members[h], "heads": heads[h]}
            for h in sorted(self._households)
            if members[h] and heads[h] != 1
        ]
        differs = [
            {"household": h, "declared": declared, "counted": members[h]}
            for h, declared in sorted(self._households.items())
            if declared != members[h]
        ]
        missing = sorted(self._referenced - self._households.keys())
        return {
            "count": len(self._households),
            "members_per_household": {str(n): sizes[n] for n in sorted(sizes)},
            "without_members": sizes.get(0, 0),
            "heads_not_one": {"count": len(flagged), "households": flagged[:SAMPLES]},
            "member_count_differs": {"count": len(differs), "households": differs[:SAMPLES]},
            "persons_without_household_row": _listed(without),
            "household_numbers_without_row": _listed(missing),
        }

    def _removed_result(self) -> dict[str, Any]:
        resident = self._resident_code()
        removed = [p for p in self._persons.values() if p.removed]
        statuses: Counter[str] = Counter(p.status for p in removed)
        pending = [
            atena for atena, p in self._persons.items() if p.status != resident and not p.removed
        ]
        return {
            "count": len(removed),
            "by_status": {status: statuses[status] for status in sorted(statuses)},
            "not_resident_without_removal_date": _listed(pending),
        }


def _listed(values: Sequence[str]) -> dict[str, Any]:
    ordered = sorted(values)
    return {"count": len(ordered), "examples": ordered[:SAMPLES]}


@dataclass(frozen=True, slots=True)
class LayoutProfile:
    """The profile (:attr:`report`, the ``--json`` structure) and whether every file could be
    read; :attr:`unreadable`: the faults that kept a file (or the directory) from being read."""

    report: dict[str, Any]
    unreadable: list[ImportFault] = field(default_factory=list)

    @property
    def readable(self) -> bool:
        return not self.unreadable


_STOPS_READING: Final = frozenset({"import.header", "import.csv"})
"""Faults met while reading after which a file's rows were not (all) read."""


@dataclass(slots=True)
class _FileFaults:
    counts: Counter[str] = field(default_factory=Counter)
    samples: list[ImportFault] = field(default_factory=list)

    def take(self, faults: list[ImportFault]) -> None:
        for fault in faults:
            self.counts[fault.code] += 1
            if len(self.samples) < SAMPLES:
                self.samples.append(fault)
        faults.clear()


def _line_ends(counts: Mapping[str, int]) -> str:
    crlf, lf = counts.get("CRLF", 0), counts.get("LF", 0)
    if crlf and lf:
        return "mixed"
    return "CRLF" if crlf else "LF" if lf else "none"


class LayoutProfileService:
    """``layout check``: reads a directory as ``layout import`` would and writes nothing."""

    def __init__(
        self,
        layout_for: Callable[[str], Layout],
        source_for: Callable[[str, str | None], ProfileSource],
    ) -> None:
        self._layout_for = layout_for
        self._source_for = source_for

    def profile(
        self,
        directory: str,
        *,
        encoding: str | None = None,
        version: str = "1.0",
        maps: MapTexts | None = None,
    ) -> LayoutProfile:
        """The profile of the files in ``directory``; ``maps``: the 外字 map and code map the
        import would be given (``--gaiji-map``, ``--code-map``), so that what they leave
        unmapped is told (a bad line of either is refused, as by the import)."""
        layout = self._layout_for(version)
        parsed = (maps or NO_MAPS).parsed(layout)
        code_map: CodeMapping = parsed.codes.tables
        gaiji_map: GaijiMapping = parsed.gaiji.targets
        source = self._source_for(directory, encoding)
        checked = source.check(layout)
        names = {f.file_name for f in layout.files}
        unreadable = [f for f in checked if f.code != "import.size"]  # size: a finding
        by_file: dict[str, list[ImportFault]] = {}
        for fault in checked:
            by_file.setdefault(fault.file, []).append(fault)
        profile = ProfileAccumulator(layout, code_map=code_map, gaiji_map=gaiji_map)
        files = []
        for layout_file in layout.files:
            name = layout_file.file_name
            faults = _FileFaults()
            faults.take(list(by_file.get(name, [])))
            if source.readable(layout_file):
                pending: list[ImportFault] = []
                first = True
                for line, cells in source.rows(layout_file, pending):
                    if first:  # the header has been read
                        profile.columns(layout_file, source.header_of(layout_file) or ())
                        first = False
                    profile.add_row(layout_file, line, cells)
                    if pending:
                        stopped = [f for f in pending if f.code in _STOPS_READING]
                        unreadable.extend(stopped)
                        faults.take(pending)
                stopped = [f for f in pending if f.code in _STOPS_READING]
                unreadable.extend(stopped)
                faults.take(pending)
            files.append(self._file_report(layout_file, source, profile, faults))
        report = {
            "directory": directory,
            "layout_version": layout.version,
            "readable": not unreadable,
            "maps": {"code_map": bool(code_map), "gaiji_map": bool(gaiji_map)},
            "files": files,
            **profile.result(),
        }
        if any(f.file not in names for f in checked):
            report["directory_faults"] = [_fault(f) for f in checked if f.file not in names]
        return LayoutProfile(report, unreadable)

    @staticmethod
    def _file_report(
        layout_file: LayoutFile,
        source: ProfileSource,
        profile: ProfileAccumulator,
        faults: _FileFaults,
    ) -> dict[str, Any]:
        name = layout_file.file_name
        decided = source.encoding_of(layout_file)
        header = source.header_of(layout_file)
        # Absent: refused as missing, or (the 支援措置等 file without a manifest) not there.
        present = (
            header is not None
            or decided is not None
            or (bool(faults.counts) and "import.missing_file" not in faults.counts)
        )
        report: dict[str, Any] = {
            "file": name,
            "name": layout_file.name,
            "present": present,
            "encoding": decided[0] if decided else None,
            "encoding_from": decided[1] if decided else None,
            "line_ends": _line_ends(source.line_ends_of(layout_file)),
            "rows": profile.rows[name],
        }
        if header is not None:
            columns = [column.strip(_SPACES) for column in header]
            known = {item.name for item in layout_file.items}
            report["items"] = {
                "columns": len(columns),
                "present": sum(1 for item in layout_file.items if item.name in columns),
                "standard_missing": [
                    item.name
                    for item in layout_file.items
                    if not item.extension and item.name not in columns
                ],
                "unknown": [column for column in columns if column not in known],
                "extensions_present": [
                    item.name
                    for item in layout_file.items
                    if item.extension and item.name in columns
                ],
                "in_layout_order": [c for c in columns if c in known]
                == [item.name for item in layout_file.items if item.name in columns],
            }
        report["faults"] = dict(sorted(faults.counts.items()))
        report["fault_examples"] = [_fault(f) for f in faults.samples]
        return report


def _fault(fault: ImportFault) -> dict[str, Any]:
    return {
        "file": fault.file,
        "line": fault.line,
        "item": fault.item,
        "code": fault.code,
        "message": fault.message,
    }
