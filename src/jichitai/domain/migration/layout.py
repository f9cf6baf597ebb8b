"""A migration layout (中間標準レイアウト) as data: files, items in order, code tables.

The layout itself is a file in the repository (``jichitai/layouts/juki/<version>.toml``, read by
``jichitai.adapters.standard_layout.layout``); these frozen dataclasses are what it is read into.
Nothing here reads files.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

__all__ = [
    "CONVERTERS",
    "CodeTable",
    "ColumnMap",
    "ItemType",
    "Layout",
    "LayoutFile",
    "LayoutItem",
    "column_map",
]


class ItemType(StrEnum):
    """An item's data type as the layout declares it.

    ``text``, ``digits`` (a string of ASCII digits), ``date`` (``YYYYMMDD``), ``code`` (a code of
    a code table) and ``flag`` (``1``/``0``) are the standard's kinds; ``integer`` (a number kept
    as a number) and ``json`` (canonical JSON, for lists the standard has no items for) are
    jichitai extensions.
    """

    TEXT = "text"
    DIGITS = "digits"
    INTEGER = "integer"
    DATE = "date"
    CODE = "code"
    FLAG = "flag"
    JSON = "json"


CONVERTERS = frozenset({"value", "relationship_link", "latest_flag", "current_alias", "rest"})
"""How an item's value is found (``LayoutItem.converter``):

* ``value``: the value at ``source``, a dotted path into the codec's JSON form of the record;
* ``relationship_link``: link ``part`` (1–4) of the 続柄 at ``source`` (「子の妻」 → 子, 妻);
* ``latest_flag``: 1 on a person's last snapshot (derived; not read back);
* ``current_alias``: the 通称 in force (derived from the alias history; not read back);
* ``rest``: canonical JSON of every value no other item of the file carries losslessly.
"""


@dataclass(frozen=True, slots=True)
class CodeTable:
    """A code table: the register's value ↔ the layout's code, with the code's label."""

    name: str
    codes: Mapping[str, str]  # register value -> layout code
    labels: Mapping[str, str]  # layout code -> label
    values: Mapping[str, str] = field(default_factory=dict)  # layout code -> register value

    def code_of(self, value: str) -> str | None:
        return self.codes.get(value)

    def value_of(self, code: str) -> str | None:
        return self.values.get(code)


@dataclass(frozen=True, slots=True)
class LayoutItem:
    """One item (データ項目) of a file, in file order."""

    name: str
    type: ItemType
    source: str = ""
    converter: str = "value"
    length: int | None = None
    code_table: str = ""
    gaiji: bool = False
    required: bool = False
    part: int = 0
    extension: bool = False
    description: str = ""


@dataclass(frozen=True, slots=True)
class LayoutFile:
    """One file (移行ファイル) of the layout."""

    name: str
    file_name: str
    record: str  # what one row is: "resident_snapshot", "household" or "suppression"
    items: tuple[LayoutItem, ...]
    description: str = ""

    @property
    def header(self) -> list[str]:
        return [item.name for item in self.items]


@dataclass(frozen=True, slots=True)
class Layout:
    """A whole layout version: its files in order and its code tables."""

    business: str
    version: str
    files: tuple[LayoutFile, ...]
    code_tables: Mapping[str, CodeTable]
    description: str = ""

    def file(self, record: str) -> LayoutFile:
        for layout_file in self.files:
            if layout_file.record == record:
                return layout_file
        raise KeyError(record)


_HEADER_SPACES = " \u3000"


@dataclass(frozen=True, slots=True)
class ColumnMap:
    """Where each item of a layout file is in a file's rows, read from its header by name:
    ``columns[i]`` is the column of the layout's ``i``-th item, ``None`` when the file has no
    such column (an optional item: its cell reads as empty). ``width``: the file's columns."""

    columns: tuple[int | None, ...]
    width: int

    @property
    def identity(self) -> bool:
        """The file has every item, in the layout's order (what ``layout export`` writes)."""
        return self.width == len(self.columns) and all(at == i for i, at in enumerate(self.columns))

    def apply(self, row: Sequence[str]) -> list[str]:
        """The row in the layout's order and width, absent items as empty cells."""
        width = len(row)
        return [row[at] if at is not None and at < width else "" for at in self.columns]


def column_map(
    layout_file: LayoutFile, header: Sequence[str], *, partial: bool = False
) -> tuple[ColumnMap | None, list[tuple[str, str, str]]]:
    """The file's header matched to the layout's items by name (spaces around a name are not
    part of it), in any order; or the problems, each (code, item, Japanese message): a column
    twice (``import.duplicate_item``), a column the layout has no item for
    (``import.unknown_item``: data must not be dropped unseen), a required item missing
    (``import.missing_item``). Optional items, jichitai's extensions among them, may be absent.

    ``partial`` (``layout check``, which reads on to profile the rows): the map of the items
    found (a column twice: its first) is returned with the problems instead of ``None``."""
    problems: list[tuple[str, str, str]] = []
    at: dict[str, int] = {}
    known = {item.name for item in layout_file.items}
    for column, raw in enumerate(header, start=1):
        name = raw.strip(_HEADER_SPACES)
        if name in at:
            problems.append(
                (
                    "import.duplicate_item",
                    name,
                    f"見出し行に項目「{name}」が2回あります（{at[name] + 1}列目と{column}列目）",
                )
            )
        elif name not in known:
            problems.append(
                (
                    "import.unknown_item",
                    name,
                    f"{column}列目の項目「{name}」はレイアウト {layout_file.name} にありません"
                    "（値を捨てないよう取り込みません。項目名を確認してください）",
                )
            )
        else:
            at[name] = column - 1
    for item in layout_file.items:
        if item.required and item.name not in at:
            problems.append(
                (
                    "import.missing_item",
                    item.name,
                    f"必須項目「{item.name}」が見出し行にありません",
                )
            )
    if problems and not partial:
        return None, problems
    columns = tuple(at.get(item.name) for item in layout_file.items)
    return ColumnMap(columns, len(header)), problems
