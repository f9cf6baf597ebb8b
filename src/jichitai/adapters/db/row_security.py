"""The settings PostgreSQL's row-level security reads (migration 0022, ADR 0014).

A transaction of the application names the municipality it acts for in the transaction-local
setting ``jichitai.municipality``; the policies then show and accept only that municipality's
rows, so a query that forgets its ``WHERE municipality_code`` still stays in its tenant. The
unit of work sets it with the query that checks the municipality exists (no extra round trip).
The few reads that must search every municipality (a login, an API key, a 確認コード, the
webhook worker's queue) name the one table they search in ``jichitai.lookup`` instead, and may
only read it. Both settings end with the transaction. SQLite has neither: nothing is set.
"""

from __future__ import annotations

from typing import Final

from sqlalchemy import Connection, text

MUNICIPALITY: Final = "jichitai.municipality"
LOOKUP: Final = "jichitai.lookup"


def act_for(connection: Connection, municipality_code: str) -> None:
    """This transaction (begun now if none is) reads and writes ``municipality_code``'s rows."""
    _set(connection, MUNICIPALITY, municipality_code)


def look_across(connection: Connection, table: str) -> None:
    """This transaction may read ``table``'s rows of every municipality (only read them)."""
    _set(connection, LOOKUP, table)


def _set(connection: Connection, name: str, value: str) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(
            text("SELECT set_config(:name, :value, true)"), {"name": name, "value": value}
        )
