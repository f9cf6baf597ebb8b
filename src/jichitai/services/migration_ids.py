"""``jichitai layout import --ids``: what becomes of the source's 宛名番号 and 世帯番号.

A module of its own, beside :mod:`jichitai.services.migration_import` (which re-exports it), so
that the command line can offer the choice without importing the import machinery."""

from __future__ import annotations

from enum import StrEnum


class IdMode(StrEnum):
    """What becomes of the source's 宛名番号 and 世帯番号."""

    KEEP = "keep"
    """Kept, so other systems' references stay valid (they must carry this register's check
    digits)."""
    RENUMBER = "renumber"
    """Read as the source's own keys (digits, any check-digit scheme) and replaced by new numbers
    in the order they first appear; the map from old to new is written next to the report."""
