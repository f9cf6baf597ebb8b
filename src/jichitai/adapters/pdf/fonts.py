"""IPAmj明朝 for certificates: every MJ character, variant selectors (IVS) and copyable text.

ReportLab draws TrueType fonts with subsetting, but two things must be added for names:

- **Variant selectors.** ReportLab ignores the font's format-14 cmap, so ``葛`` + U+E0102 would
  print the base glyph and a box. Each (base, selector) sequence the font defines is given a code
  point of its own in Supplementary Private Use Area-A, mapped to the variant glyph in ReportLab's
  in-memory face (the same technique ReportLab uses for shaped glyphs); text is drawn through
  :meth:`MjFont.drawable`, which replaces each sequence by its code point.
- **Text extraction.** ReportLab's ToUnicode CMap writes a code point beyond the BMP as five hex
  digits (``<20BB7>``), which readers take as garbage (``pdftotext`` returned ``₻田`` for 𠮷田).
  The CMap is written here in UTF-16BE (surrogate pairs), and a variant's private code point maps
  back to its base character and selector, so copying, searching and ``pdftotext`` give the name
  exactly as recorded.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from fontTools.ttLib import TTFont as FontToolsFont
from reportlab.pdfbase import pdfmetrics, ttfonts

from jichitai.adapters.pdf.font_path import DEFAULT_MJ_FONT_PATH as DEFAULT_MJ_FONT_PATH
from jichitai.adapters.pdf.font_path import mj_font_path as mj_font_path

MJ_FONT_NAME = "IPAmjMincho"
VARIANT_CODES_START = 0xF0000
"""Supplementary Private Use Area-A: free in every font, never typed by a user."""

_SPOKEN_FOR: dict[int, str] = {}
"""Private code point → the sequence it stands for (base + selector), for ToUnicode."""
_PATCH_LOCK = threading.Lock()


class FontMissing(RuntimeError):
    """The MJ font is not installed (``make install`` installs ``fonts-ipamj-mincho``)."""


def is_selector(code: int) -> bool:
    """A variation selector: VS1–16 (U+FE00–FE0F) or VS17–256 (U+E0100–E01EF)."""
    return 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF


@dataclass(frozen=True, slots=True)
class MjFont:
    """The registered font and its variant sequences."""

    name: str
    path: str
    variants: Mapping[tuple[int, int], int]
    """(base, selector) → the private code point drawn for it."""
    default_variants: frozenset[tuple[int, int]]
    """Sequences whose glyph is the base character's own (drawn as the base)."""

    def drawable(self, text: str) -> str:
        """``text`` as ReportLab should draw it: each known variant sequence replaced by its
        private code point; a selector the font does not define for its base is dropped (the
        base glyph is the nearest the font has, never a box)."""
        out: list[str] = []
        for char in text:
            code = ord(char)
            if is_selector(code):
                variant = self.variants.get((ord(out[-1]), code)) if out else None
                if variant is not None:
                    out[-1] = chr(variant)
                continue
            out.append(char)
        return "".join(out)

    def covers(self, text: str) -> bool:
        """Whether every character (after variant replacement) has a glyph in the font."""
        face = _face(self.name)
        return all(ord(ch) in face.charToGlyph for ch in self.drawable(text) if ch.strip())


def _face(name: str) -> ttfonts.TTFontFace:
    font = pdfmetrics.getFont(name)
    assert isinstance(font, ttfonts.TTFont)
    return font.face


def mj_font(path: str = "") -> MjFont:
    """IPAmj明朝 at ``path`` (default :data:`DEFAULT_MJ_FONT_PATH`) registered with ReportLab
    (once per process and file), with its variants."""
    return _loaded(mj_font_path(path))


@cache
def _loaded(path: str) -> MjFont:
    return load_mj_font(path)


def load_mj_font(path: str) -> MjFont:
    """Register the font file with ReportLab (uncached: :func:`mj_font` keeps what it loads);
    ``FontMissing`` when there is no such file."""
    if not Path(path).is_file():
        raise FontMissing(
            f"IPAmj明朝 is not installed at {path} (Debian: apt-get install fonts-ipamj-mincho;"
            " make install does it)"
        )
    # ReportLab keeps fonts by name for the whole process: another file gets a name of its own.
    name = MJ_FONT_NAME
    if path != DEFAULT_MJ_FONT_PATH:
        name += "-" + hashlib.sha256(path.encode()).hexdigest()[:8]
    font = ttfonts.TTFont(name, path)
    pdfmetrics.registerFont(font)
    variants, defaults = _add_variants(font.face, path)
    _patch_to_unicode()
    return MjFont(name, path, variants, defaults)


def _add_variants(
    face: ttfonts.TTFontFace, path: str
) -> tuple[dict[tuple[int, int], int], frozenset[tuple[int, int]]]:
    """Map each of the font's (base, selector) sequences to a private code point of its own."""
    source = FontToolsFont(path, lazy=True)
    try:
        tables = [t for t in source["cmap"].tables if t.format == 14]
        glyph_ids = {name: gid for gid, name in enumerate(source.getGlyphOrder())}
        sequences: list[tuple[int, int, str | None]] = [
            (base, selector, glyph)
            for table in tables
            for selector, pairs in sorted(table.uvsDict.items())
            for base, glyph in pairs
        ]
    finally:
        source.close()
    variants: dict[tuple[int, int], int] = {}
    defaults: set[tuple[int, int]] = set()
    code = VARIANT_CODES_START
    for base, selector, glyph in sorted(sequences):
        if glyph is None:
            defaults.add((base, selector))
            continue
        gid = glyph_ids[glyph]
        face.charToGlyph[code] = gid
        face.glyphToChar.setdefault(gid, []).append(code)  # type: ignore[attr-defined]
        face.charWidths[code] = face.hmetrics[gid][0]  # already in 1/1000 em
        variants[(base, selector)] = code
        _SPOKEN_FOR[code] = chr(base) + chr(selector)
        code += 1
    return variants, frozenset(defaults)


def _utf16_hex(text: str) -> str:
    return text.encode("utf-16-be").hex().upper()


def to_unicode_cmap(fontname: str, subset: Sequence[int]) -> str:
    """ReportLab's ToUnicode CMap, with every target in UTF-16BE: surrogate pairs beyond the
    BMP, and a variant's private code point as its base character and selector."""
    lines = [
        "/CIDInit /ProcSet findresource begin",
        "12 dict begin",
        "begincmap",
        "/CIDSystemInfo",
        f"<< /Registry ({fontname})",
        f"/Ordering ({fontname})",
        "/Supplement 0",
        ">> def",
        f"/CMapName /{fontname} def",
        "/CMapType 2 def",
        "1 begincodespacerange",
        f"<00> <{len(subset) - 1:02X}>",
        "endcodespacerange",
        f"{len(subset)} beginbfchar",
        *(
            f"<{i:02X}> <{_utf16_hex(_SPOKEN_FOR.get(code, chr(code)))}>"
            for i, code in enumerate(subset)
        ),
        "endbfchar",
        "endcmap",
        "CMapName currentdict /CMap defineresource pop",
        "end",
        "end",
    ]
    return "\n".join(lines)


def _patch_to_unicode() -> None:
    with _PATCH_LOCK:
        ttfonts.makeToUnicodeCMap = to_unicode_cmap


def wrap_text(text: str, font: str, size: float, width: float) -> list[str]:
    """Lines of ``text`` each at most ``width`` wide (Japanese wraps at any character)."""
    lines: list[str] = []
    current = ""
    for char in text:
        if current and pdfmetrics.stringWidth(current + char, font, size) > width:
            lines.append(current)
            current = char
        else:
            current += char
    return [*lines, current] if current or not lines else lines
