"""The 外字 convention for text written in cp932 (Windows-31J): ``&#xHHHH;`` references.

A character that cp932 cannot carry (or that does not come back as the same code point: U+301C
〜, U+2016 ‖ …) is written as the numeric reference ``&#xHHHH;`` (upper-case hex of its code
point; a variation selector is its own reference). A literal ``&#x…;`` already in the text is
written with its ``&`` as ``&#x26;``, so :func:`unescape_gaiji` gives the text back exactly. The
layout export (``adapters/standard_layout/csv_export.py``) and the integration extract
(``services/integration_csv.py``) both write with this one function.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Final

__all__ = ["cp932_safe", "escape_cp932", "unescape_gaiji"]

_REFERENCE: Final = re.compile(r"&#x([0-9A-F]+);")
_SAFE: dict[str, bool] = {}


def cp932_safe(char: str) -> bool:
    safe = _SAFE.get(char)
    if safe is None:
        try:
            safe = char.encode("cp932").decode("cp932") == char
        except UnicodeEncodeError:
            safe = False
        _SAFE[char] = safe
    return safe


def escape_cp932(text: str) -> tuple[str, list[str]]:
    """``text`` with the 外字 convention applied, and the characters that were escaped."""
    if "&" in text:
        text = _REFERENCE.sub(lambda m: "&#x26;" + m.group(0)[1:], text)
    if text.isascii():
        return text, []
    escaped_text, escaped = _escape_non_ascii(text)
    return escaped_text, list(escaped)


@lru_cache(maxsize=65_536)
def _escape_non_ascii(text: str) -> tuple[str, tuple[str, ...]]:
    """Names and addresses repeat across snapshots: each distinct text is checked once."""
    escaped: list[str] = []
    out: list[str] = []
    for char in text:
        if char.isascii() or cp932_safe(char):
            out.append(char)
        else:
            escaped.append(char)
            out.append(f"&#x{ord(char):X};")
    return ("".join(out), tuple(escaped)) if escaped else (text, ())


def unescape_gaiji(text: str) -> str:
    """The inverse of :func:`escape_cp932` (on text already decoded from cp932)."""
    if "&#x" not in text:
        return text
    return _REFERENCE.sub(lambda m: chr(int(m.group(1), 16)), text)
