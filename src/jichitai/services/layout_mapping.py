"""One record ↔ one row of item values, driven by a layout file (no file I/O here).

**Lossless by construction.** A record is first put in the codec's JSON form
(:func:`jichitai.codec.to_primitive`) and flattened into *leaves*: dotted paths such as
``name.family`` or ``birth_date.kind`` with their values (lists and empty objects are leaves
too). Each item of the file reads one leaf (``source``) or, for 続柄1..4, one part of it. When
the row is made, every leaf an item carries is read back from the item's cell; a leaf that does
not come back identical (an empty string where the item writes nothing, a relationship word
without a code, a list …) and every leaf no item carries at all go into the file's ``rest`` item
(``拡張_その他``) as canonical JSON: ``{"set": {path: value}, "unset": [path]}``. Reading a row
applies the items, then ``rest``, and rebuilds the record with
:func:`~jichitai.codec.from_primitive`. So the standard items hold everything they can,
and nothing the register keeps is lost when they cannot.

Derived items (``latest_flag``, ``current_alias``) are written for the receiving system and
ignored when reading.

**Another system's rows** carry the standard items only: no ``rest`` (an empty or absent
``拡張_その他`` applies nothing, so the record is what the standard items say) and maybe no
不詳フラグ beside a date; a date given without its 日付種別 reads as a calendar date (暦上日), the
one kind a plain ``YYYYMMDD`` can be. (Our own rows always carry the kind of a date they carry.)
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache, partial
from typing import Any, Final, TypeVar

from jichitai.codec import from_primitive, to_primitive
from jichitai.domain.common.dates import DateKind
from jichitai.domain.migration.layout import CodeTable, ItemType, LayoutFile, LayoutItem

__all__ = ["RowMapper", "canonical"]

T = TypeVar("T")

_ABSENT: Final = object()
_FULL_SPACE: Final = "\u3000"
_LINK: Final = "の"
_DATE_KIND_TABLE: Final = "日付種別"


def canonical(value: Any) -> str:
    """Canonical JSON (sorted keys, no spaces, characters as themselves)."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def flatten(
    data: Mapping[str, Any], prefix: str = "", out: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Leaves of a JSON object: ``{"a": {"b": 1}}`` → ``{"a.b": 1}``; lists and ``{}`` are leaves."""
    leaves: dict[str, Any] = {} if out is None else out
    for key, value in data.items():
        path = prefix + key
        if type(value) is dict and value:
            flatten(value, path + ".", leaves)
        else:
            leaves[path] = value
    return leaves


def unflatten(leaves: Mapping[str, Any], *, ordered: bool = False) -> dict[str, Any]:
    """The inverse of :func:`flatten` (shallower paths first, so ``{}`` leaves take children).

    ``ordered``: the caller inserted the leaves shallowest first already (no sort needed).
    """
    root: dict[str, Any] = {}
    for path in leaves if ordered else sorted(leaves, key=_depth):
        parents, last = _split(path)
        node = root
        for key in parents:
            node = node.setdefault(key, {})
        value = leaves[path]
        existing = node.get(last)
        if type(existing) is dict and type(value) is dict:
            existing.update(value)
        else:
            node[last] = value
    return root


@lru_cache(maxsize=4096)
def _split(path: str) -> tuple[tuple[str, ...], str]:
    *parents, last = path.split(".")
    return tuple(parents), last


def _depth(path: str) -> int:
    return path.count(".")


# -- cells of one item type --------------------------------------------------------------------


def _encode(item_type: ItemType, table: CodeTable | None, value: Any) -> str:
    if value is _ABSENT or value is None:
        return "0" if item_type is ItemType.FLAG else ""
    if item_type in (ItemType.TEXT, ItemType.DIGITS):
        return value if type(value) is str else ""
    if item_type is ItemType.INTEGER:
        return str(value) if type(value) is int else ""
    if item_type is ItemType.DATE:
        if type(value) is str and len(value) == 10 and value[4] == "-" and value[7] == "-":
            return value[:4] + value[5:7] + value[8:]
        return ""
    if item_type is ItemType.CODE:
        code = table.code_of(value) if table is not None and type(value) is str else None
        return code or ""
    if item_type is ItemType.FLAG:
        return "1" if value is True else "0"
    return canonical(value)


def _reader(item_type: ItemType, table: CodeTable | None) -> Callable[[str], Any] | None:
    """The decoder of a non-empty cell of one item (``None``: the cell is the value itself)."""
    if item_type in (ItemType.TEXT, ItemType.DIGITS):
        return None
    return partial(_decode, item_type, table)


def _decode(item_type: ItemType, table: CodeTable | None, cell: str) -> Any:
    if cell == "":
        return _ABSENT
    if item_type in (ItemType.TEXT, ItemType.DIGITS):
        return cell
    if item_type is ItemType.INTEGER:
        return int(cell)
    if item_type is ItemType.DATE:
        return f"{cell[:4]}-{cell[4:6]}-{cell[6:]}"
    if item_type is ItemType.CODE:
        value = table.value_of(cell) if table is not None else None
        return _ABSENT if value is None else value
    if item_type is ItemType.FLAG:
        return True if cell == "1" else _ABSENT
    return json.loads(cell)


# -- the mapper --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Plan:
    index: int
    item: LayoutItem
    table: CodeTable | None


@dataclass(frozen=True, slots=True)
class _Selection:
    """The plans behind some cells of a row, with their paths split once."""

    values: list[tuple[_Plan, tuple[str, ...]]]
    links: list[tuple[tuple[str, ...], list[_Plan]]]
    alias: list[int]


class RowMapper:
    """Rows of one layout file ↔ the codec's JSON form of its records."""

    def __init__(self, layout_file: LayoutFile, code_tables: Mapping[str, CodeTable]) -> None:
        self.file = layout_file
        plans = [
            _Plan(i, item, code_tables.get(item.code_table) if item.code_table else None)
            for i, item in enumerate(layout_file.items)
        ]
        self._values = [p for p in plans if p.item.converter == "value"]
        links = [p for p in plans if p.item.converter == "relationship_link"]
        self._links: dict[str, list[_Plan]] = {}
        for plan in sorted(links, key=lambda p: p.item.part):
            self._links.setdefault(plan.item.source, []).append(plan)
        self._latest = [p.index for p in plans if p.item.converter == "latest_flag"]
        self._alias = [p for p in plans if p.item.converter == "current_alias"]
        rest = [p.index for p in plans if p.item.converter == "rest"]
        self._rest = rest[0] if rest else None
        self._carried = frozenset(p.item.source for p in self._values) | frozenset(self._links)
        self._selected: dict[frozenset[int], _Selection] = {}
        self.width = len(plans)
        # Reading: the value items shallowest path first, so the leaves need no sort (unflatten).
        self._readers = [
            (p.index, p.item.source, _reader(p.item.type, p.table))
            for p in sorted(self._values, key=lambda p: _depth(p.item.source))
        ]
        kinds = {p.item.source for p in self._values if p.item.code_table == _DATE_KIND_TABLE}
        self._date_kinds = [
            (kind, date)
            for kind in sorted(kinds)
            if kind.endswith(".kind")
            and (date := kind.removesuffix(".kind") + ".date") in self._carried
        ]
        self._links_ordered = all(
            _depth(source) == 0 and not any(p.item.source.startswith(source + ".") for p in plans)
            for source in self._links
        )

    # -- writing -------------------------------------------------------------------------------

    def to_row(
        self,
        primitive: Mapping[str, Any],
        *,
        latest: bool = False,
        only: frozenset[int] | None = None,
    ) -> list[str]:
        """The record's row. With ``only`` (cell positions) just those cells are filled and the
        rest stay empty: a subscriber's few items cost a few lookups, not the whole row's."""
        if only is not None and (self._rest is None or self._rest not in only):
            return self._cells(primitive, self._selection(only), latest)
        leaves = flatten(primitive)
        row = [""] * self.width
        back: dict[str, Any] = {}
        for plan in self._values:
            item = plan.item
            value = leaves.get(item.source, _ABSENT)
            if value is _ABSENT:  # an empty cell (a flag: 0), read back as absent
                if item.type is ItemType.FLAG:
                    row[plan.index] = "0"
                continue
            cell = _encode(item.type, plan.table, value)
            row[plan.index] = cell
            back[item.source] = _decode(item.type, plan.table, cell)
        for source, plans in self._links.items():
            self._fill_links(plans, leaves.get(source, _ABSENT), row)
            back[source] = self._joined_links(plans, row)
        for index in self._latest:
            row[index] = "1" if latest else "0"
        for plan in self._alias:
            row[plan.index] = _current_alias(leaves.get("foreign.aliases"))
        if self._rest is not None:
            rest = self._rest_of(leaves, back)
            row[self._rest] = canonical(rest) if rest else ""
        elif any(p not in self._carried for p in leaves):
            raise ValueError(f"{self.file.name}: the layout has no item for some values")
        return row

    @staticmethod
    def _fill_links(plans: Sequence[_Plan], value: Any, row: list[str]) -> None:
        words = value.split(_LINK) if type(value) is str and value else []
        for position, plan in enumerate(plans):
            word = words[position] if position < len(words) else ""
            row[plan.index] = (plan.table.code_of(word) if plan.table else None) or ""

    def _selection(self, only: frozenset[int]) -> _Selection:
        selection = self._selected.get(only)
        if selection is None:
            selection = self._selected[only] = _Selection(
                values=[
                    (p, tuple(p.item.source.split("."))) for p in self._values if p.index in only
                ],
                links=[
                    (tuple(source.split(".")), plans)
                    for source, plans in self._links.items()
                    if any(p.index in only for p in plans)
                ],
                alias=[p.index for p in self._alias if p.index in only],
            )
        return selection

    def _cells(
        self, primitive: Mapping[str, Any], selection: _Selection, latest: bool
    ) -> list[str]:
        """The selected cells, each value found by its path (no flattening of the record)."""
        row = [""] * self.width
        for plan, path in selection.values:
            value = _leaf(primitive, path)
            if value is _ABSENT:
                if plan.item.type is ItemType.FLAG:
                    row[plan.index] = "0"
                continue
            row[plan.index] = _encode(plan.item.type, plan.table, value)
        for path, plans in selection.links:
            self._fill_links(plans, _leaf(primitive, path), row)
        for index in self._latest:
            row[index] = "1" if latest else "0"
        if selection.alias:
            alias = _current_alias(_leaf(primitive, ("foreign", "aliases")))
            for index in selection.alias:
                row[index] = alias
        return row

    def _rest_of(self, leaves: Mapping[str, Any], back: Mapping[str, Any]) -> dict[str, Any]:
        kept: dict[str, Any] = {}
        unset: list[str] = []
        for path, value in leaves.items():
            if path not in self._carried or back.get(path, _ABSENT) != value:
                kept[path] = value
        for path, value in back.items():
            if value is not _ABSENT and path not in leaves:
                unset.append(path)
        rest: dict[str, Any] = {}
        if kept:
            rest["set"] = kept
        if unset:
            rest["unset"] = sorted(unset)
        return rest

    @staticmethod
    def _joined_links(plans: Sequence[_Plan], row: Sequence[str]) -> Any:
        words = []
        for plan in plans:
            cell = row[plan.index]
            if not cell:
                break
            word = plan.table.value_of(cell) if plan.table else None
            if word is None:
                return _ABSENT
            words.append(word)
        return _LINK.join(words) if words else _ABSENT

    # -- reading -------------------------------------------------------------------------------

    def from_row(self, row: Sequence[str]) -> dict[str, Any]:
        if len(row) != self.width:
            raise ValueError(f"{self.file.name}: {len(row)} items, expected {self.width}")
        leaves: dict[str, Any] = {}
        for index, source, read in self._readers:
            cell = row[index]
            if cell:
                value = cell if read is None else read(cell)
                if value is not _ABSENT:
                    leaves[source] = value
        ordered = self._links_ordered
        for kind, date in self._date_kinds:
            if date in leaves and kind not in leaves:  # a vendor's date without its kind
                leaves[kind] = DateKind.CALENDAR.value
                ordered = False
        for source, plans in self._links.items():
            value = self._joined_links(plans, row)
            if value is not _ABSENT:
                leaves[source] = value
        if self._rest is not None and row[self._rest]:
            ordered = False
            rest = json.loads(row[self._rest])
            for path in rest.get("unset", ()):
                leaves.pop(path, None)
            leaves.update(rest.get("set", {}))
        return unflatten(leaves, ordered=ordered)

    # -- typed helpers -------------------------------------------------------------------------

    def record_to_row(self, record: object, *, latest: bool = False) -> list[str]:
        return self.to_row(to_primitive(record), latest=latest)

    def row_to_record(self, cls: type[T], row: Sequence[str]) -> T:
        return from_primitive(cls, self.from_row(row))


def _leaf(primitive: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    """The value ``flatten`` would give at ``path`` (``_ABSENT`` where it gives none)."""
    value: Any = primitive
    for part in path:
        if type(value) is not dict:
            return _ABSENT
        value = value.get(part, _ABSENT)
        if value is _ABSENT:
            return _ABSENT
    return _ABSENT if type(value) is dict and value else value


def _current_alias(aliases: Any) -> str:
    if type(aliases) is not list:
        return ""
    live = [a for a in aliases if type(a) is dict and a.get("deleted_on") is None]
    if not live:
        return ""
    name = live[-1].get("name", {})
    family, given = name.get("family", ""), name.get("given", "")
    return f"{family}{_FULL_SPACE}{given}" if given else str(family)
