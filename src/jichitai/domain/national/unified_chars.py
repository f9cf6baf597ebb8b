"""住基ネット統一文字 (standard §7.1.1.1 (1090): 住基ネット統一文字との変換が管理できること):
names as the register holds them (MJ 文字, IVS, 外字) converted to characters the CS takes, by a
conversion table kept as data (``src/jichitai/data/unified_chars.tsv``, a seed to be replaced by
the official correspondence), and every character that cannot be converted listed, never dropped.

"Inside the set", concretely: a character the JIS X 0208 coded set has (with ASCII), tested with
Python's ``iso2022_jp`` codec (JIS X 0208-1983 + ASCII, without the vendor extensions cp932 has,
which take 髙 and 﨑), or a character the table converts to. The real 住基ネット統一文字 is a
larger set (JIS X 0208 and some 1.4万 further characters); treating only JIS X 0208 as
certainly inside is the cautious reading: a character we are not sure of is shown to the clerk,
not sent as it is. Ideographic variation selectors (IVS, U+E0100–U+E01EF, and U+FE00–U+FE0F)
after a character inside the set are dropped: the base character is the 統一文字; the dropping is
listed among the conversions.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class UnifiedTable:
    """Character (or IVS sequence) as the register holds it → its 住基ネット統一文字."""

    mapping: dict[str, str] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.mapping)


@dataclass(frozen=True, slots=True)
class Conversion:
    """A text converted for the CS: ``text`` (unconvertible characters kept in place, never
    dropped), what was converted (``from→to``), and the characters that could not be."""

    text: str
    converted: tuple[str, ...] = ()
    unconvertible: tuple[str, ...] = ()


class TableError(ValueError):
    """A line of the table is not ``U+XXXX[ U+XXXX]<TAB>U+XXXX[ …]<TAB>note``."""


def _chars(cell: str, line: int) -> str:
    out = []
    for part in cell.split():
        if not part.upper().startswith("U+"):
            raise TableError(f"line {line}: {part!r} is not U+XXXX")
        try:
            out.append(chr(int(part[2:], 16)))
        except (ValueError, OverflowError) as exc:
            raise TableError(f"line {line}: {part!r} is not a code point") from exc
    if not out:
        raise TableError(f"line {line}: empty cell")
    return "".join(out)


def parse_table(text: str) -> UnifiedTable:
    """The table from its TSV text (``#`` comments and blank lines skipped)."""
    mapping: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        cells = line.split("\t")
        if len(cells) < 2:
            raise TableError(f"line {number}: two columns expected")
        source, target = _chars(cells[0], number), _chars(cells[1], number)
        if not all(in_base_set(c) for c in target):
            raise TableError(f"line {number}: the target {target!r} is not inside the set")
        mapping[source] = target
    return UnifiedTable(mapping)


def in_base_set(char: str) -> bool:
    """A character of JIS X 0208 (or ASCII): surely a 住基ネット統一文字."""
    if char in "\r\n":
        return False
    try:
        char.encode("iso2022_jp")
    except UnicodeEncodeError:
        return False
    return True


def _selector(char: str) -> bool:
    code = ord(char)
    return 0xE0100 <= code <= 0xE01EF or 0xFE00 <= code <= 0xFE0F


def describe(char: str) -> str:
    """``𠀋 (U+2000B)``: a character as the clerk's list shows it."""
    return f"{char} ({' '.join(f'U+{ord(c):04X}' for c in char)})"


def to_unified(text: str, table: UnifiedTable) -> Conversion:
    """``text`` for the CS. Longest match first (an IVS sequence in the table before its base)."""
    out: list[str] = []
    converted: list[str] = []
    unconvertible: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        pair = text[i : i + 2]
        if len(pair) == 2 and _selector(pair[1]) and pair in table.mapping:
            out.append(table.mapping[pair])
            converted.append(f"{pair}→{table.mapping[pair]}")
            i += 2
            continue
        if char in table.mapping:
            out.append(table.mapping[char])
            converted.append(f"{char}→{table.mapping[char]}")
        elif in_base_set(char):
            out.append(char)
        elif _selector(char) and out and i > 0 and in_base_set(out[-1][-1]):
            converted.append(f"{text[i - 1]}{char}→{out[-1]}")  # IVS dropped: the base remains
        else:
            out.append(char)  # kept as it is: the message is held for the clerk
            if char not in unconvertible:
                unconvertible.append(char)
        i += 1
    return Conversion("".join(out), tuple(converted), tuple(unconvertible))
