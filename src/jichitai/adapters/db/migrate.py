"""Run and check the numbered Alembic migrations from code (they ship inside the package).

Each call runs in one transaction on a connection of the given engine: on both databases a
failed upgrade leaves the schema as it was (SQLite and PostgreSQL both have transactional DDL).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Column, Engine, Table
from sqlalchemy.schema import ColumnCollectionConstraint, DefaultClause, Index
from sqlalchemy.types import TypeEngine

from jichitai.adapters.db.revisions import current_revision as current_revision
from jichitai.adapters.db.revisions import head_revision as head_revision
from jichitai.adapters.db.tables import metadata

_HERE = Path(__file__).resolve().parent
ALEMBIC_INI = _HERE / "alembic.ini"
SCRIPT_LOCATION = _HERE / "migrations"


def alembic_config() -> Config:
    """Alembic configuration pointing at the packaged migrations."""
    config = Config(str(ALEMBIC_INI))
    config.set_main_option("script_location", str(SCRIPT_LOCATION))
    return config


def alembic_head() -> str | None:
    """The newest revision as Alembic finds it (parsing every script): ``revisions.head_revision``
    reads the same from the files' names without loading Alembic, and a test holds them equal."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate the database up to ``revision`` (default: the newest) in one transaction."""
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    """Migrate the database down to ``revision`` (default: empty) in one transaction."""
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def check_models_match(engine: Engine) -> list[str]:
    """Differences between ``tables.metadata`` and the migrated database; [] when they agree.

    Compares tables, columns, types, nullability, server defaults, indexes, unique and foreign
    key constraints (Alembic autogenerate; CHECK constraints are not compared).
    """
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "compare_server_default": True}
        )
        diffs = compare_metadata(context, metadata)
    lines: list[str] = []
    for diff in diffs:
        # Column modifications come as a list of tuples, everything else as one tuple.
        for item in diff if isinstance(diff, list) else [diff]:
            lines.append(_describe(item))
    return lines


def _describe(item: tuple[Any, ...]) -> str:
    operation, *args = item
    if operation.startswith("modify_"):
        # (op, schema, table, column, {existing_*}, database value, model value)
        _schema, table, column, _existing, in_database, in_model = args
        return (
            f"{operation} {table}.{column}: database has {_render(in_database)}, "
            f"models have {_render(in_model)}"
        )
    if operation in ("add_column", "remove_column"):
        args = args[-1:]  # (schema, table, column): the column names its table
    parts = [_render(arg) for arg in args if arg is not None and not isinstance(arg, dict)]
    return f"{operation}: " + ", ".join(parts)


def _render(value: Any) -> str:
    if isinstance(value, Table):
        return value.name
    if isinstance(value, Column):
        table = value.table.name if value.table is not None else "?"
        return f"{table}.{value.name} {value.type}"
    if isinstance(value, Index | ColumnCollectionConstraint):
        table = value.table.name if value.table is not None else "?"
        columns = ", ".join(c.name for c in value.columns)
        return f"{type(value).__name__} {value.name} on {table}({columns})"
    if isinstance(value, DefaultClause):
        arg = value.arg
        return f"DEFAULT {arg if isinstance(arg, str) else getattr(arg, 'text', arg)}"
    if isinstance(value, TypeEngine):
        return str(value)
    return repr(value)
