"""Which schema revision the database is at, and which is the newest, without loading Alembic.

Every command checks this before it runs (``App.database_is_current``); Alembic itself, and the
parsing of every migration script it does, is loaded only to migrate (``migrate.py``). The
newest revision is read from the migration files' names: each is ``NNNN_<what>.py`` and its
revision id is ``NNNN`` (a test holds Alembic's own head to it).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from sqlalchemy import Engine, inspect, text

VERSIONS = Path(__file__).resolve().parent / "migrations" / "versions"
_NUMBERED = re.compile(r"^(\d{4})_\w+\.py$")


@cache
def head_revision() -> str:
    """The newest migration's revision id (the highest ``NNNN`` of the packaged scripts)."""
    numbers = [m.group(1) for p in VERSIONS.iterdir() if (m := _NUMBERED.match(p.name))]
    if not numbers:
        raise RuntimeError("no migrations found in " + str(VERSIONS))
    return max(numbers)


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None if it has never been migrated."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
