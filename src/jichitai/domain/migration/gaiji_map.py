"""A vendor's 外字 table: its private-use code points mapped to MJ characters.

Other systems carry the characters the standard sets do not have as private-use code points
(U+E000–U+F8FF, planes 15 and 16; cp932's user-defined area 0xF040–0xF9FC decodes to
U+E000–U+E757), each system with its own table. ``jichitai layout import --gaiji-map FILE``
takes that table as a CSV (UTF-8, with or without a BOM)::

    移行元コード,文字,IVS,備考
    U+E000,髙,,はしごだか
    E001,葛,U+E0100,つくりが「ヒ」

* 移行元コード: the vendor's code point, ``U+E000`` or ``E000`` (a private-use code point);
* 文字: the MJ character (文字情報基盤) it stands for, one character written as itself or as
  ``U+845B``; it may carry its IVS already (the character followed by its selector);
* IVS: the Ideographic Variation Selector (U+E0100–U+E01EF), ``U+E0100`` or ``E0100``, or empty;
* any other column (備考, 名称…) is for people and is not read.

Every fault names the map's line (the header is line 1): a source that is not private-use, a
target that is itself private-use (or not one character), a bad IVS, a source listed twice.
Nothing here reads files.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

from jichitai.domain.errors import InvalidValue, Violation

__all__ = [
    "GAIJI_MAP_COLUMNS",
    "PRIVATE_USE",
    "GaijiMap",
    "code_point",
    "is_private_use",
    "parse_gaiji_map",
]

SOURCE: Final = "移行元コード"
TARGET: Final = "文字"
IVS: Final = "IVS"
GAIJI_MAP_COLUMNS: Final = (SOURCE, TARGET, IVS, "備考")
"""The columns of a 外字 map as written by people (only the first three are read)."""

PRIVATE_USE: Final = re.compile("[\ue000-\uf8ff\U000f0000-\U000ffffd\U00100000-\U0010fffd]")
"""A private-use character: the BMP area and the supplementary planes 15 and 16."""

_NOTATION: Final = re.compile(r"(?:[Uu]\+)?([0-9A-Fa-f]{4,6})")
_FIRST_IVS: Final = 0xE0100
_LAST_IVS: Final = 0xE01EF
_NOT_TEXT: Final = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp", "Mn"})
"""Not a character to map to: controls, formats, separators, a lone mark or selector. Unassigned
code points are not refused (this Python's Unicode tables predate CJK Extension H, which MJ
characters may use), as names do (``domain/common/names.py``)."""


def is_private_use(char: str) -> bool:
    return PRIVATE_USE.fullmatch(char) is not None


def code_point(char: str) -> str:
    """``U+E123``: how a code point is named in faults and maps."""
    return f"U+{ord(char):04X}"


@dataclass(frozen=True, slots=True)
class GaijiMap:
    """Private-use character → the text it stands for (an MJ character, with its IVS)."""

    targets: Mapping[str, str] = field(default_factory=dict)
    _table: Mapping[int, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_table", {ord(k): v for k, v in self.targets.items()})

    def __bool__(self) -> bool:
        return bool(self.targets)

    def translate(self, text: str) -> tuple[str, list[str]]:
        """The text with every mapped private-use character replaced, and the private-use
        characters left without a mapping (in order, each once)."""
        if PRIVATE_USE.search(text) is None:
            return text, []
        if self.targets:
            text = text.translate(self._table)
        unmapped: list[str] = []
        for match in PRIVATE_USE.finditer(text):
            if match.group() not in unmapped:
                unmapped.append(match.group())
        return text, unmapped


def parse_gaiji_map(text: str) -> GaijiMap:
    """The map in ``text`` (the CSV's content); :class:`InvalidValue` with every fault, each
    naming its line (``Violation.line``) and column (``Violation.field``)."""
    rows = csv.reader(line + "\n" for line in text.removeprefix("\ufeff").split("\n"))
    header = [cell.strip() for cell in next(rows, [])]
    missing = [name for name in (SOURCE, TARGET) if name not in header]
    if missing:
        raise InvalidValue(
            Violation(
                "gaiji_map.header",
                f"外字対応表の見出し行に {'・'.join(missing)} がありません"
                f"（見出しは {','.join(GAIJI_MAP_COLUMNS)}）",
                "見出し",
                line=1,
            )
        )
    at_source, at_target = header.index(SOURCE), header.index(TARGET)
    at_ivs = header.index(IVS) if IVS in header else None
    targets: dict[str, str] = {}
    first_line: dict[str, int] = {}
    faults: list[Violation] = []
    for row in rows:
        line = rows.line_num
        if not any(cell.strip() for cell in row):
            continue

        def cell(at: int | None, row: list[str] = row) -> str:
            return row[at].strip() if at is not None and at < len(row) else ""

        def fault(code: str, column: str, message: str, line: int = line) -> None:
            faults.append(
                Violation(
                    f"gaiji_map.{code}", f"外字対応表 {line} 行目: {message}", column, line=line
                )
            )

        source = _source(cell(at_source))
        if source is None:
            fault(
                "not_private_use",
                SOURCE,
                f"移行元コード「{cell(at_source)[:20]}」が私用領域の符号位置"
                "（U+E000〜U+F8FF、U+F0000〜U+10FFFD）ではありません",
            )
        elif source in first_line:
            fault(
                "duplicate",
                SOURCE,
                f"移行元コード {code_point(source)} は {first_line[source]} 行目にもあります",
            )
            source = None
        target, problem = _target(cell(at_target), cell(at_ivs))
        if problem is not None:
            code, column, message = problem
            fault(code, column, message)
        elif source is not None and target is not None:
            targets[source] = target
            first_line[source] = line
    if faults:
        raise InvalidValue(*faults)
    return GaijiMap(targets)


def _source(written: str) -> str | None:
    """The private-use character written as ``U+E000`` / ``E000``; None if it is not one."""
    match = _NOTATION.fullmatch(written)
    if match is None:
        return None
    value = int(match.group(1), 16)
    if value > 0x10FFFF:
        return None
    char = chr(value)
    return char if is_private_use(char) else None


def _char(written: str) -> str:
    """A column's text, ``U+XXXX`` notations (space-separated) read as their characters."""
    parts = written.split()
    if parts and all(_NOTATION.fullmatch(p) and p[:2] in ("U+", "u+") for p in parts):
        values = [int(p[2:], 16) for p in parts]
        if all(v <= 0x10FFFF for v in values):
            return "".join(chr(v) for v in values)
    return written


def _target(written: str, ivs_written: str) -> tuple[str | None, tuple[str, str, str] | None]:
    """The MJ character with its IVS, or the fault (code, column, message)."""
    text = _char(written)
    if not text:
        return None, ("no_character", TARGET, "文字がありません")
    ivs = ""
    if len(text) == 2 and _FIRST_IVS <= ord(text[1]) <= _LAST_IVS:
        text, ivs = text[0], text[1]
    if len(text) != 1:
        return None, ("not_one_character", TARGET, f"文字「{written[:20]}」が1文字ではありません")
    if is_private_use(text):
        return None, (
            "target_private_use",
            TARGET,
            f"文字 {code_point(text)} が私用領域の文字です（文字情報基盤の文字を指定してください）",
        )
    if unicodedata.category(text) in _NOT_TEXT:
        return None, ("not_a_character", TARGET, f"文字 {code_point(text)} は文字ではありません")
    if ivs_written:
        match = _NOTATION.fullmatch(ivs_written)
        selector = (
            chr(int(match.group(1), 16))
            if match is not None and int(match.group(1), 16) <= 0x10FFFF
            else ivs_written
        )
        if len(selector) != 1 or not _FIRST_IVS <= ord(selector) <= _LAST_IVS:
            return None, (
                "ivs",
                IVS,
                f"IVS「{ivs_written[:20]}」が異体字セレクタ（U+E0100〜U+E01EF）ではありません",
            )
        if ivs and ivs != selector:
            return None, ("ivs", IVS, "文字に付いた IVS と IVS 欄が異なります")
        ivs = selector
    return text + ivs, None
