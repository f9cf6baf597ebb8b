"""Data migration: a vendor's 外字 and code values read as ours, on every row of an import.

``jichitai layout import --gaiji-map FILE --code-map FILE`` (see ``domain/migration/gaiji_map``
and ``domain/migration/code_map`` for the files). :class:`MappedSource` wraps the import's
:class:`~jichitai.services.ports.ImportSource`: every row of every file passes through it,
in the importing process, before anything else reads it (the cross-row checks, the renumbering,
the row checks in worker processes), so the workers only ever see rows already translated and
need no map of their own.

* 外字: every private-use character of every cell is replaced by the MJ character (with its IVS)
  the map gives. A private-use character the map does not give (or any, without a map) is a
  fault ``import.gaiji_unmapped`` naming the person (宛名番号, or 世帯番号), the item and the
  code point: never a silent tofu, and the import writes nothing (it is all or nothing).
* Codes: each cell of a ``code`` item whose vendor value the map lists for the item's code
  table is read as our code; other values are read as they are (and refused by the code check
  when they are not ours either).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Final

from jichitai.domain.migration.code_map import CodeMap, parse_code_map, vendor_key
from jichitai.domain.migration.gaiji_map import (
    PRIVATE_USE,
    GaijiMap,
    code_point,
    parse_gaiji_map,
)
from jichitai.domain.migration.layout import ItemType, Layout, LayoutFile
from jichitai.services.migration_rows import ImportFault
from jichitai.services.ports import ImportSource

__all__ = ["GAIJI_UNMAPPED", "NO_MAPS", "ImportMaps", "MapTexts", "MappedSource"]

GAIJI_UNMAPPED: Final = "import.gaiji_unmapped"
_PERSON_KEYS: Final = (("atena_number", "宛名番号"), ("household_number", "世帯番号"))


@dataclass(frozen=True, slots=True)
class MapTexts:
    """The content of ``--gaiji-map`` and ``--code-map`` as given (empty: no map)."""

    gaiji_map: str = ""
    code_map: str = ""

    def parsed(self, layout: Layout) -> ImportMaps:
        """The maps, checked; :class:`~jichitai.domain.errors.InvalidValue` naming each bad
        line of either file."""
        return ImportMaps(
            parse_gaiji_map(self.gaiji_map) if self.gaiji_map else GaijiMap(),
            parse_code_map(self.code_map, layout.code_tables) if self.code_map else CodeMap(),
        )


NO_MAPS: Final = MapTexts()


@dataclass(frozen=True, slots=True)
class ImportMaps:
    """The vendor's 外字 map and code map (either may be empty)."""

    gaiji: GaijiMap = field(default_factory=GaijiMap)
    codes: CodeMap = field(default_factory=CodeMap)


class _FileMaps:
    """The maps as one file's rows need them (built once per file)."""

    def __init__(self, maps: ImportMaps, layout_file: LayoutFile) -> None:
        self.name = layout_file.file_name
        self.items = [item.name for item in layout_file.items]
        self.gaiji = maps.gaiji
        self.codes = [
            (at, table)
            for at, item in enumerate(layout_file.items)
            if item.type is ItemType.CODE and (table := maps.codes.table(item.code_table))
        ]
        sources = {item.source: at for at, item in enumerate(layout_file.items)}
        self.person = [(sources[key], label) for key, label in _PERSON_KEYS if key in sources]

    def translate(self, line: int, row: list[str], faults: list[ImportFault]) -> list[str]:
        # Most cells are ASCII (digits, codes, dates), known so without reading them.
        text = "\x1f".join([cell for cell in row if not cell.isascii()])
        if text and PRIVATE_USE.search(text) is not None:
            row = [self._gaiji(line, row, at, cell, faults) for at, cell in enumerate(row)]
        for at, table in self.codes:
            if at < len(row) and row[at]:
                ours = table.get(vendor_key(row[at]))
                if ours is not None:
                    row[at] = ours
        return row

    def _gaiji(
        self, line: int, row: list[str], at: int, cell: str, faults: list[ImportFault]
    ) -> str:
        text, unmapped = self.gaiji.translate(cell)
        if unmapped:
            item = self.items[at] if at < len(self.items) else f"{at + 1} 項目目"
            points = "、".join(code_point(char) for char in unmapped)
            faults.append(
                ImportFault(
                    self.name,
                    line,
                    item,
                    GAIJI_UNMAPPED,
                    f"{self._person(row)}の{item}に外字対応表にない外字 {points} があります"
                    "（--gaiji-map で文字情報基盤の文字に対応付けてください）",
                )
            )
        return text

    def _person(self, row: list[str]) -> str:
        for at, label in self.person:
            if at < len(row) and row[at]:
                return f"{label} {row[at]} "
        return ""


class MappedSource:
    """An :class:`~jichitai.services.ports.ImportSource` whose rows come out translated."""

    def __init__(self, inner: ImportSource, maps: ImportMaps) -> None:
        self._inner = inner
        self._maps = maps

    def check(self, layout: Layout) -> list[ImportFault]:
        return self._inner.check(layout)

    def readable(self, layout_file: LayoutFile) -> bool:
        return self._inner.readable(layout_file)

    def rows(
        self, layout_file: LayoutFile, faults: list[ImportFault]
    ) -> Iterator[tuple[int, list[str]]]:
        maps = _FileMaps(self._maps, layout_file)
        for line, row in self._inner.rows(layout_file, faults):
            yield line, maps.translate(line, row, faults)
