"""Dates, times and booleans as each database driver takes them (no SQLAlchemy here: these
functions also run in the data migration's worker processes)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

_PASS_THROUGH = frozenset({str, int, type(None)})


def sqlite_value(v: Any) -> Any:
    """A date, time or boolean as the sqlite3 driver should receive it (see ``RawSql.value``)."""
    if type(v) in _PASS_THROUGH:
        return v
    if isinstance(v, datetime):
        return v.astimezone(UTC).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, bool):
        return int(v)
    return v


def same_value(v: Any) -> Any:
    """PostgreSQL's driver takes dates, times and booleans as they are."""
    return v
