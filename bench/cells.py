"""Cell check benchmark: what reading older systems' cell forms costs an import (issue 18).

    jichitai bench cells                 (--rows 100000 --template 300)

1. Template. A fresh SQLite register in a temporary directory, seeded with the demo generator
   (``--template`` residents: unknown dates, rare characters, foreign residents, histories) and
   exported with the application's own layout export (UTF-8); its 住民 rows are read with
   ``csv`` and repeated to ``--rows`` rows.
2. The vendor copy: the same rows written as older systems write them — numbers in full width
   and padded, dates in 和暦 with a 年号 code (7 and 8 digits), readings in half-width katakana,
   names padded with full-width spaces.
3. Timed, one row after another as the import's ``SnapshotCheck`` does (each timing on fresh
   copies of the rows, made beforehand, since the cell rules rewrite a row in place; the three
   run in turn three times and the best of each is kept, as the machine may be shared):

   * baseline, same run: the cell check as it was before (the former ``cell_faults`` with its
     ``YYYYMMDD``-only date check, copied below), on our own export's rows;
   * the cell rules now, on our own export's rows (the fast path: every cell already in the
     layout's form) — ratio ``own`` against the baseline;
   * the cell rules now, on the vendor copy (every row read the slow way) — ratio ``vendor``
     against the baseline.

4. The same three on ``--records`` rows for the whole check of a row on its own as the import's
   workers make it (cells, the record built by the row mapper, the door's checks of the record:
   ``record_faults``): the issue asks that a foreign import keep 80 % of today's speed, and the
   cells are a small part of it.

The last line is the figure:
``cells: <rows/s> rows/s own, <rows/s> rows/s vendor; baseline <rows/s> rows/s; ratio own <r>, vendor <r>; whole row: ratio own <r>, vendor <r>``
"""

from __future__ import annotations

import csv
import dataclasses
import tempfile
import time
import unicodedata
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from bench.support import seed_demo

from jichitai.adapters.standard_layout.layout import load_layout
from jichitai.bootstrap import bootstrap
from jichitai.codec import to_primitive
from jichitai.config import Settings
from jichitai.domain.common.eras import DEFAULT_ERAS
from jichitai.domain.errors import DomainError
from jichitai.domain.migration.layout import ItemType
from jichitai.domain.residents.model import ResidentRecord
from jichitai.services.inbound import record_faults
from jichitai.services.layout_mapping import RowMapper
from jichitai.services.migration_rows import (
    CellRule,
    ImportFault,
    cell_faults,
    cell_rules,
    decoded,
)

CODE = "131016"
TODAY = date(2026, 11, 26)
ROUNDS = 3
_WIDE = str.maketrans("0123456789", "０１２３４５６７８９")
_CellCheck = Callable[[str, Sequence[CellRule], int, list[str]], list[ImportFault]]


# -- the check as it was before ------------------------------------------------------------------


def _old_check_date(cell: str) -> tuple[str, str] | None:
    try:
        if len(cell) != 8 or not cell.isascii() or not cell.isdigit():
            raise ValueError(cell)
        date(int(cell[:4]), int(cell[4:6]), int(cell[6:]))
    except ValueError:
        return "import.date", f"年月日として正しくありません（{cell[:20]}、YYYYMMDD の暦上の日）"
    return None


def old_cell_faults(
    name: str, rules: Sequence[CellRule], line: int, row: Sequence[str]
) -> list[ImportFault]:
    """``cell_faults`` before issue 18 (verbatim): each cell checked, nothing read or rewritten."""
    if len(row) != len(rules):
        message = f"項目数が {len(row)} です（{len(rules)} 項目であること）"
        return [ImportFault(name, line, "", "import.columns", message)]
    faults: list[ImportFault] = []
    for rule, cell in zip(rules, row, strict=True):
        if not cell:
            if rule.required:
                faults.append(
                    ImportFault(name, line, rule.name, "import.required", "必須項目が空です")
                )
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
            faults.append(ImportFault(name, line, rule.name, *problem))
    return faults


# -- rows ------------------------------------------------------------------------------------------


def template_rows(residents: int, seed: int) -> tuple[list[str], list[list[str]]]:
    """The header and 住民 rows of a demo register's export."""
    with tempfile.TemporaryDirectory(prefix="jichitai-bench-") as tmp:
        app = bootstrap(Settings(database_url=f"sqlite:///{Path(tmp) / 'bench.db'}"))
        app.upgrade_database()
        app.municipalities.add(CODE, "東京都千代田区")
        seed_demo(app, CODE, residents, seed, TODAY)
        app.layout_export.export(CODE, str(Path(tmp) / "export"))
        with (Path(tmp) / "export" / "juki_jumin.csv").open(encoding="utf-8", newline="") as f:
            rows = list(csv.reader(f))
    return rows[0], rows[1:]


def _half_width() -> dict[str, str]:
    table: dict[str, str] = {}
    for cp in range(0xFF61, 0xFFA0):
        table.setdefault(unicodedata.normalize("NFKC", chr(cp)), chr(cp))
    for cp in range(0x30A1, 0x30FB):
        parts = unicodedata.normalize("NFD", chr(cp))
        if len(parts) == 2 and parts[0] in table:
            table[chr(cp)] = table[parts[0]] + ("ﾞ" if parts[1] == "\u3099" else "ﾟ")
    return table


def _wareki(cell: str, width: int) -> str:
    day = date(int(cell[:4]), int(cell[4:6]), int(cell[6:]))
    if day < DEFAULT_ERAS.first_day:
        return cell
    era = DEFAULT_ERAS.era_of(day)
    return f"{era.code:0{width - 6}d}{era.era_year(day.year):02d}{cell[4:]}"


def vendor_rows(header: list[str], rows: list[list[str]]) -> list[list[str]]:
    """The rows as an older system writes them (see the module documentation)."""
    layout = load_layout("1.0").file("resident_snapshot")
    half = _half_width()
    out = []
    for n, source in enumerate(rows):
        row = list(source)
        for i, item in enumerate(layout.items):
            cell = row[i]
            if not cell:
                continue
            if item.type is ItemType.DATE and cell[0] != "0":
                row[i] = _wareki(cell, 7 + n % 2)
            elif item.type in (ItemType.DIGITS, ItemType.INTEGER, ItemType.CODE):
                row[i] = cell.translate(_WIDE) + " "
            elif item.source.endswith("_kana"):
                row[i] = "".join(half.get(c, c) for c in cell)
            elif item.source.startswith("name."):
                row[i] = cell + "\u3000\u3000"
        out.append(row)
    return out


def timed(
    check: _CellCheck,
    rules: Sequence[CellRule],
    rows: list[list[str]],
) -> float:
    """Rows per second through ``check`` (the rows are copies: they may be rewritten)."""
    started = time.perf_counter()
    line = 1
    for row in rows:
        line += 1
        faults = check("juki_jumin.csv", rules, line, row)
        if faults:
            raise AssertionError(faults[:3])
    return len(rows) / (time.perf_counter() - started)


def whole_row(check: _CellCheck, mapper: RowMapper) -> _CellCheck:
    """The cells, then the record built and checked as ``SnapshotCheck`` does."""

    def run(name: str, rules: Sequence[CellRule], line: int, row: list[str]) -> list[ImportFault]:
        faults = check(name, rules, line, row)
        if faults:
            return faults
        record, fault = decoded(mapper, ResidentRecord, line, row)
        if fault is not None:
            return [fault]
        found = record_faults(to_primitive(record))
        return [ImportFault(name, line, v.field or "", v.code, v.message) for v in found]

    return run


def run(*, rows: int = 100_000, records: int = 20_000, template: int = 300, seed: int = 1) -> None:
    started = time.perf_counter()
    header, own = template_rows(template, seed)
    vendor = vendor_rows(header, own)
    layout = load_layout("1.0")
    layout_file = layout.file("resident_snapshot")
    mapper = RowMapper(layout_file, layout.code_tables)
    rules = cell_rules(layout, layout_file, check_ids=True)
    old_rules = [
        dataclasses.replace(rule, check=_old_check_date)
        if rule.item_type is ItemType.DATE
        else rule
        for rule in rules
    ]

    def copies(source: list[list[str]], count: int) -> list[list[str]]:
        return [list(source[i % len(source)]) for i in range(count)]

    baseline = now_own = now_vendor = 0.0
    for _ in range(ROUNDS):  # interleaved, the best of each: the machine is shared
        baseline = max(baseline, timed(old_cell_faults, old_rules, copies(own, rows)))
        now_own = max(now_own, timed(cell_faults, rules, copies(own, rows)))
        now_vendor = max(now_vendor, timed(cell_faults, rules, copies(vendor, rows)))
    whole_old = timed(whole_row(old_cell_faults, mapper), old_rules, copies(own, records))
    whole_own = timed(whole_row(cell_faults, mapper), rules, copies(own, records))
    whole_vendor = timed(whole_row(cell_faults, mapper), rules, copies(vendor, records))
    seconds = time.perf_counter() - started
    print(f"template: {len(own):,} rows of {template:,} residents, repeated to {rows:,} rows")
    print(f"baseline, the cell check before (our export's rows): {baseline:,.0f} rows/s")
    print(f"cell rules now, our export's rows (fast path): {now_own:,.0f} rows/s")
    print(f"cell rules now, vendor forms in every row: {now_vendor:,.0f} rows/s")
    print(f"whole row on its own ({records:,} rows: cells, record, the door's checks):")
    print(f"  baseline {whole_old:,.0f} rows/s; own {whole_own:,.0f}; vendor {whole_vendor:,.0f}")
    print(f"({seconds:.0f} s in all)")
    print(
        f"cells: {now_own:,.0f} rows/s own, {now_vendor:,.0f} rows/s vendor;"
        f" baseline {baseline:,.0f} rows/s;"
        f" ratio own {now_own / baseline:.2f}, vendor {now_vendor / baseline:.2f};"
        f" whole row: ratio own {whole_own / whole_old:.2f}, vendor {whole_vendor / whole_old:.2f}"
    )
