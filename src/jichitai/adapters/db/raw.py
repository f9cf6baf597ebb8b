"""Plain SQL on the driver's cursor, for the statements every change runs.

Recording a 異動 runs about ten small statements. Through SQLAlchemy Core each costs 100–200 µs of
statement building and cache-key work (measured: the register benchmark ran at ~180 changes/s);
on the driver's cursor the same statements cost 10–30 µs. So the hot path keeps its SQL here, as
text written once with ``:name`` parameters and translated to the driver's style (sqlite3 takes
``:name``, psycopg ``%(name)s``). It runs on the SQLAlchemy connection's own DBAPI connection,
inside the unit of work's transaction; everything else keeps using SQLAlchemy Core.

Values are converted the way SQLAlchemy's types store them, so both paths read each other's rows:
on SQLite dates are ISO text, times naive UTC text ``YYYY-MM-DD HH:MM:SS.ffffff``, booleans 0/1.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import cache
from typing import Any

from sqlalchemy import Connection

from jichitai.adapters.db.values import same_value, sqlite_value

_NAMED = re.compile(r"(?<!:):([a-z_][a-z0-9_]*)")


@cache
def _translate(sql: str, dialect: str) -> str:
    if dialect == "sqlite":
        return sql
    return _NAMED.sub(r"%(\1)s", sql.replace("%", "%%"))


class RawSql:
    """Executes hand-written SQL on the connection's driver cursor (same transaction)."""

    def __init__(self, connection: Connection) -> None:
        self.dialect = connection.dialect.name
        self.is_sqlite = self.dialect == "sqlite"
        self._cursor: Any = connection.connection.cursor()
        self.value: Callable[[Any], Any] = sqlite_value if self.is_sqlite else same_value
        """A date, time or boolean as the driver should receive it for this database: a plain
        module function (no cursor, so it can be pickled for worker processes).

        Parameters are passed to the driver as they are (converting every value of every row
        cost ~50 µs per change); callers convert the dates, times and booleans they bind.
        """

    def execute(self, sql: str, params: Mapping[str, Any]) -> int:
        """Run one statement; return the number of rows it changed."""
        self._cursor.execute(_translate(sql, self.dialect), params)
        return int(self._cursor.rowcount)

    def many(self, sql: str, rows: Iterable[Mapping[str, Any]]) -> None:
        self._cursor.executemany(_translate(sql, self.dialect), rows)

    def one(self, sql: str, params: Mapping[str, Any]) -> tuple[Any, ...] | None:
        self._cursor.execute(_translate(sql, self.dialect), params)
        row = self._cursor.fetchone()
        return tuple(row) if row is not None else None

    def all(self, sql: str, params: Mapping[str, Any]) -> Sequence[tuple[Any, ...]]:
        self._cursor.execute(_translate(sql, self.dialect), params)
        return [tuple(r) for r in self._cursor.fetchall()]

    def for_update(self) -> str:
        """Row-lock suffix: PostgreSQL locks the row; SQLite's BEGIN IMMEDIATE already serialises."""
        return "" if self.is_sqlite else " FOR UPDATE"

    def locked_head(self, table: str, municipality_code: str) -> tuple[int, str] | None:
        """A hash chain's head (``last_seq``, ``last_hash``) of ``table``, locked until commit so
        the next event's number and predecessor cannot be taken twice; None if it has none."""
        row = self.one(
            f"SELECT last_seq, last_hash FROM {table} WHERE municipality_code = :mc"
            + self.for_update(),
            {"mc": municipality_code},
        )
        return (int(row[0]), str(row[1])) if row is not None else None

    def next_number(self, municipality_code: str, name: str) -> int:
        """The next serial (from 1) of the municipality's sequence ``name`` in ``id_sequences``;
        the row is locked by the update until commit, so no number is handed out twice."""
        params = {"mc": municipality_code, "n": name}
        row = self.one(
            "UPDATE id_sequences SET next_value = next_value + 1"
            " WHERE municipality_code = :mc AND name = :n RETURNING next_value",
            params,
        )
        if row is not None:
            return int(row[0]) - 1
        self.execute(
            "INSERT INTO id_sequences (municipality_code, name, next_value) VALUES (:mc, :n, 2)",
            params,
        )
        return 1
