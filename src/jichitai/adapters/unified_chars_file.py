"""The 住基ネット統一文字 conversion table (``src/jichitai/data/unified_chars.tsv``, a seed to be
replaced by the official correspondence; ``domain/national/unified_chars.py``), read once."""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

from jichitai.domain.national.unified_chars import UnifiedTable, parse_table


def read_table(path: Path) -> UnifiedTable:
    return parse_table(path.read_text(encoding="utf-8"))


@cache
def bundled_table() -> UnifiedTable:
    """The table shipped with jichitai."""
    text = resources.files("jichitai").joinpath("data/unified_chars.tsv").read_text("utf-8")
    return parse_table(text)
