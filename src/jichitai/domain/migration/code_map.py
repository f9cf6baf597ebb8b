"""A vendor's code values mapped to the layout's codes (異動事由, 続柄, 住民状態, …).

Other systems number their code tables their own way. ``jichitai layout import --code-map FILE``
takes a CSV (UTF-8, with or without a BOM)::

    コード表,移行元コード,コード,名称
    異動事由,A1,11,国内転入
    続柄,01,02,世帯主

* コード表: the name of one of the layout's code tables (``[code_tables]`` of the layout);
* 移行元コード: the vendor's value as its files write it; a line with it empty is skipped (the
  template, ``jichitai layout code-map-template``, lists every code with it empty);
* コード: our code in that table, the value the import reads in its place;
* any other column (名称, 備考…) is for people and is not read.

A vendor value listed is read as the code it maps to (even when it is one of our codes too: the
vendor's 1 may be our 2); a value not listed is read as it is, and the import's code check
refuses it if it is not ours either. Every fault names the map's line (the header is line 1):
an unknown table, a target that is not a code of the table, a vendor value listed twice for one
table. Nothing here reads files.
"""

from __future__ import annotations

import csv
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Final

from jichitai.domain.errors import InvalidValue, Violation
from jichitai.domain.migration.layout import CodeTable

__all__ = ["CODE_MAP_COLUMNS", "CodeMap", "code_map_template", "parse_code_map", "vendor_key"]

TABLE: Final = "コード表"
SOURCE: Final = "移行元コード"
TARGET: Final = "コード"
LABEL: Final = "名称"
CODE_MAP_COLUMNS: Final = (TABLE, SOURCE, TARGET, LABEL)


def vendor_key(value: str) -> str:
    """How a vendor value is compared: full-width digits and letters as half-width, no
    surrounding spaces (``０１`` and ``01 `` are the vendor's ``01``)."""
    return unicodedata.normalize("NFKC", value).strip()


@dataclass(frozen=True, slots=True)
class CodeMap:
    """Per code table: the vendor's value (:func:`vendor_key`) → our code."""

    tables: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return any(self.tables.values())

    def table(self, name: str) -> Mapping[str, str]:
        return self.tables.get(name, {})


def parse_code_map(text: str, tables: Mapping[str, CodeTable]) -> CodeMap:
    """The map in ``text`` (the CSV's content) for the layout's code ``tables``;
    :class:`InvalidValue` with every fault, each naming its line (``Violation.line``) and column
    (``Violation.field``)."""
    rows = csv.reader(line + "\n" for line in text.removeprefix("\ufeff").split("\n"))
    header = [cell.strip() for cell in next(rows, [])]
    missing = [name for name in (TABLE, SOURCE, TARGET) if name not in header]
    if missing:
        raise InvalidValue(
            Violation(
                "code_map.header",
                f"コード対応表の見出し行に {'・'.join(missing)} がありません"
                f"（見出しは {','.join(CODE_MAP_COLUMNS)}）",
                "見出し",
                line=1,
            )
        )
    at_table, at_source, at_target = (header.index(n) for n in (TABLE, SOURCE, TARGET))
    mapped: dict[str, dict[str, str]] = {}
    first_line: dict[tuple[str, str], int] = {}
    faults: list[Violation] = []
    for row in rows:
        line = rows.line_num

        def cell(at: int, row: list[str] = row) -> str:
            return row[at].strip() if at < len(row) else ""

        def fault(code: str, column: str, message: str, line: int = line) -> None:
            faults.append(
                Violation(
                    f"code_map.{code}", f"コード対応表 {line} 行目: {message}", column, line=line
                )
            )

        name, source, target = cell(at_table), vendor_key(cell(at_source)), cell(at_target)
        if not source:  # a template line not filled in (or a blank line)
            continue
        table = tables.get(name)
        if table is None:
            known = "、".join(tables)
            fault("unknown_table", TABLE, f"コード表「{name[:20]}」はありません（{known}）")
            continue
        if table.value_of(target) is None:
            ours = "、".join(table.values)
            fault(
                "unknown_code",
                TARGET,
                f"コード「{target[:20]}」はコード表「{name}」にありません（{ours}）",
            )
            continue
        if (name, source) in first_line:
            fault(
                "duplicate",
                SOURCE,
                f"コード表「{name}」の移行元コード「{source[:20]}」は"
                f" {first_line[name, source]} 行目にもあります",
            )
            continue
        first_line[name, source] = line
        mapped.setdefault(name, {})[source] = target
    if faults:
        raise InvalidValue(*faults)
    return CodeMap(mapped)


def code_map_template(tables: Mapping[str, CodeTable]) -> Iterator[list[str]]:
    """The template's rows, header first: every code of every table, 移行元コード empty."""
    yield list(CODE_MAP_COLUMNS)
    for name, table in tables.items():
        for code, label in table.labels.items():
            yield [name, "", code, label]
