"""Load and validate a layout file (``jichitai/layouts/<business>/<version>.toml``).

A layout is TOML (read with :mod:`tomllib`): ``business``, ``version``, ``[code_tables]`` naming
a CSV file per code table (columns 値, コード, 名称: the register's value, the layout's code, the
label), and ``[[files]]`` with ``name``, ``file``, ``record`` and ``items`` (an array of inline
tables, in file order). Everything is checked before a :class:`Layout` is returned; every fault
found is reported at once in a :class:`LayoutError`.
"""

from __future__ import annotations

import csv
import io
import tomllib
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from jichitai.domain.migration.layout import (
    CONVERTERS,
    CodeTable,
    ItemType,
    Layout,
    LayoutFile,
    LayoutItem,
)

__all__ = ["LayoutError", "available_versions", "load_layout", "parse_layout"]

RECORDS = frozenset({"resident_snapshot", "household", "suppression"})
_ITEM_KEYS = frozenset(
    {
        "name",
        "type",
        "source",
        "converter",
        "length",
        "code_table",
        "gaiji",
        "required",
        "part",
        "extension",
        "description",
    }
)
_BUNDLED = "jichitai.layouts"


class LayoutError(ValueError):
    """A layout file that cannot be used; ``problems`` lists every fault found."""

    def __init__(self, source: str, problems: list[str]) -> None:
        super().__init__(f"{source}: " + "; ".join(problems))
        self.source = source
        self.problems = problems


def available_versions(business: str = "juki") -> list[str]:
    """The layout versions bundled with jichitai for a business (e.g. ``["1.0"]``)."""
    folder = resources.files(_BUNDLED).joinpath(business)
    return sorted(
        p.name.removesuffix(".toml") for p in folder.iterdir() if p.name.endswith(".toml")
    )


def load_layout(version: str = "1.0", business: str = "juki", path: Path | None = None) -> Layout:
    """A bundled layout by version, or the layout file at ``path`` (code tables beside it)."""
    if path is None:
        folder = resources.files(_BUNDLED).joinpath(business)
        main = folder.joinpath(f"{version}.toml")
        if not main.is_file():
            raise LayoutError(f"{business}/{version}", [f"レイアウト {version} はありません"])

        def read(name: str) -> str:
            return folder.joinpath(name).read_text(encoding="utf-8")

        return parse_layout(main.read_text(encoding="utf-8"), read, f"{business}/{version}.toml")

    def read_beside(name: str) -> str:
        return (path.parent / name).read_text(encoding="utf-8")

    return parse_layout(path.read_text(encoding="utf-8"), read_beside, str(path))


def parse_layout(text: str, read: Any, source: str = "layout") -> Layout:
    """Build a layout from its TOML text; ``read(name)`` gives a code table file's text."""
    problems: list[str] = []
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise LayoutError(source, [f"TOMLとして読めません: {exc}"]) from None
    for key in ("business", "version"):
        if not isinstance(data.get(key), str) or not data[key]:
            problems.append(f"{key} がありません")
    tables = _code_tables(data.get("code_tables", {}), read, problems)
    files = []
    names: set[str] = set()
    raw_files = data.get("files")
    if not isinstance(raw_files, list) or not raw_files:
        problems.append("files がありません")
        raw_files = []
    for raw in raw_files:
        layout_file = _file(raw, tables, problems)
        if layout_file is None:
            continue
        if layout_file.name in names:
            problems.append(f"ファイル「{layout_file.name}」が重複しています")
        names.add(layout_file.name)
        files.append(layout_file)
    if problems:
        raise LayoutError(source, problems)
    return Layout(
        business=data["business"],
        version=data["version"],
        files=tuple(files),
        code_tables=tables,
        description=str(data.get("description", "")),
    )


def _code_tables(raw: Any, read: Any, problems: list[str]) -> dict[str, CodeTable]:
    tables: dict[str, CodeTable] = {}
    if not isinstance(raw, Mapping):
        problems.append("code_tables は表でなければなりません")
        return tables
    for name, file_name in raw.items():
        try:
            text = read(str(file_name))
        except OSError:
            problems.append(f"コード表「{name}」のファイル {file_name} が読めません")
            continue
        rows = list(csv.reader(io.StringIO(text)))
        if not rows or rows[0] != ["値", "コード", "名称"]:
            problems.append(f"コード表「{name}」の見出しは 値,コード,名称 でなければなりません")
            continue
        codes: dict[str, str] = {}
        values: dict[str, str] = {}
        labels: dict[str, str] = {}
        for line, row in enumerate(rows[1:], start=2):
            if len(row) != 3 or not row[0] or not row[1]:
                problems.append(f"コード表「{name}」{line}行目: 値・コード・名称が必要です")
                continue
            value, code, label = row
            if value in codes:
                problems.append(f"コード表「{name}」{line}行目: 値「{value}」が重複しています")
            if code in values:
                problems.append(f"コード表「{name}」{line}行目: コード「{code}」が重複しています")
            codes[value], values[code], labels[code] = code, value, label
        tables[str(name)] = CodeTable(str(name), codes, labels, values)
    return tables


def _file(raw: Any, tables: Mapping[str, CodeTable], problems: list[str]) -> LayoutFile | None:
    if not isinstance(raw, Mapping):
        problems.append("files の要素は表でなければなりません")
        return None
    name = raw.get("name")
    if not isinstance(name, str) or not name:
        problems.append("ファイルに name がありません")
        return None
    where = f"ファイル「{name}」"
    record = raw.get("record")
    if record not in RECORDS:
        problems.append(f"{where}: record は {', '.join(sorted(RECORDS))} のいずれかです")
    file_name = raw.get("file")
    if not isinstance(file_name, str) or not file_name.endswith(".csv") or "/" in file_name:
        problems.append(f"{where}: file は .csv のファイル名でなければなりません")
    raw_items = raw.get("items")
    if not isinstance(raw_items, list) or not raw_items:
        problems.append(f"{where}: items がありません")
        return None
    items: list[LayoutItem] = []
    seen: set[str] = set()
    for position, raw_item in enumerate(raw_items, start=1):
        item = _item(raw_item, f"{where} {position}番目の項目", tables, problems)
        if item is None:
            continue
        if item.name in seen:
            problems.append(f"{where}: 項目「{item.name}」が重複しています")
        seen.add(item.name)
        items.append(item)
    if sum(1 for i in items if i.converter == "rest") > 1:
        problems.append(f"{where}: rest の項目は1つまでです")
    sources = [i.source for i in items if i.converter == "value"]
    for duplicate in sorted({s for s in sources if sources.count(s) > 1}):
        problems.append(f"{where}: source「{duplicate}」が複数の項目にあります")
    links: dict[str, list[int]] = {}
    for i in items:
        if i.converter == "relationship_link":
            links.setdefault(i.source, []).append(i.part)
    for source, parts in links.items():
        if sorted(parts) != list(range(1, len(parts) + 1)):
            problems.append(f"{where}: 「{source}」の part は 1 から連番でなければなりません")
    return LayoutFile(
        name=name,
        file_name=str(file_name),
        record=str(record),
        items=tuple(items),
        description=str(raw.get("description", "")),
    )


def _item(
    raw: Any, where: str, tables: Mapping[str, CodeTable], problems: list[str]
) -> LayoutItem | None:
    if not isinstance(raw, Mapping):
        problems.append(f"{where}: 表でなければなりません")
        return None
    name = raw.get("name")
    if not isinstance(name, str) or not name:
        problems.append(f"{where}: name がありません")
        return None
    where = f"{where}「{name}」"
    unknown = sorted(set(raw) - _ITEM_KEYS)
    if unknown:
        problems.append(f"{where}: 不明なキー {', '.join(unknown)}")
    try:
        item_type = ItemType(str(raw.get("type")))
    except ValueError:
        allowed = ", ".join(t.value for t in ItemType)
        problems.append(f"{where}: 型「{raw.get('type')}」は使えません（{allowed}）")
        return None
    converter = raw.get("converter", "value")
    if converter not in CONVERTERS:
        problems.append(f"{where}: converter「{converter}」はありません")
    source = raw.get("source", "")
    if converter in ("value", "relationship_link") and (not isinstance(source, str) or not source):
        problems.append(f"{where}: source がありません")
    code_table = raw.get("code_table", "")
    if item_type is ItemType.CODE and not code_table:
        problems.append(f"{where}: code 型にはコード表が必要です")
    if code_table and code_table not in tables:
        problems.append(f"{where}: コード表「{code_table}」が定義されていません")
    length = raw.get("length")
    if length is not None and (type(length) is not int or length < 1):
        problems.append(f"{where}: length は正の整数です")
    part = raw.get("part", 0)
    if converter == "relationship_link" and (type(part) is not int or not 1 <= part <= 9):
        problems.append(f"{where}: relationship_link には part (1〜) が必要です")
    flags = {}
    for key in ("gaiji", "required", "extension"):
        value = raw.get(key, False)
        if type(value) is not bool:
            problems.append(f"{where}: {key} は true/false です")
            value = False
        flags[key] = value
    return LayoutItem(
        name=name,
        type=item_type,
        source=str(source),
        converter=str(converter),
        length=length if type(length) is int else None,
        code_table=str(code_table),
        gaiji=flags["gaiji"],
        required=flags["required"],
        part=part if type(part) is int else 0,
        extension=flags["extension"],
        description=str(raw.get("description", "")),
    )
