"""The data migration's writes into one municipality's register (``jichitai layout import``).

Everything checked first, then written here in one unit of work: journal entries and snapshots in
batches of a few statements (``executemany`` on the driver's cursor, ADR 0004), the projection,
the households and suppression settings as the source had them, and the number generators moved
past the imported numbers. The municipality code is fixed when the unit of work makes this.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import partial
from typing import Any

from sqlalchemy import Connection, insert

from jichitai.adapters.db import tables as t
from jichitai.adapters.db.projection import projection_row
from jichitai.adapters.db.raw import RawSql
from jichitai.adapters.db.register_rows import (
    INSERT_HISTORY,
    INSERT_JOURNAL,
    RESIDENT,
    UPSERT_RESIDENT,
    enqueue_webhooks,
    journal_values,
)
from jichitai.adapters.db.sealing import Sealing
from jichitai.adapters.db.suppression_store import suppression_values
from jichitai.adapters.security.my_number_keys import keyed_hash
from jichitai.domain.access.suppression import Suppression
from jichitai.domain.residents.model import ResidentRecord
from jichitai.services.ports import HouseholdRow, ImportedSnapshot, JournalEntry

IMPORT_CACHE_KIB = 32 * 1024
"""SQLite page cache of a data migration's connection (see ``bulk_import``)."""


class SqlRegisterImport:
    """The ``RegisterImport`` port for one municipality, on the unit of work's connection."""

    def __init__(self, connection: Connection, municipality_code: str, sealing: Sealing) -> None:
        self._conn = connection
        self._mc = municipality_code
        self._sql = RawSql(connection)
        self._sealing = sealing

    def has_persons(self) -> bool:
        row = self._sql.one(
            "SELECT 1 FROM residents WHERE municipality_code = :mc LIMIT 1", {"mc": self._mc}
        )
        return row is not None

    def projection_encoder(self) -> Callable[[ResidentRecord], Mapping[str, Any]]:
        # The search key (not the data keys) goes with the encoder to the import's workers.
        return partial(
            projection_row,
            self._mc,
            value=self._sql.value,
            search_hash=partial(keyed_hash, self._sealing.cipher.search_key),
        )

    def import_snapshots(
        self,
        entries: Sequence[tuple[JournalEntry, ImportedSnapshot]],
        latest: Sequence[Mapping[str, Any]],
    ) -> None:
        """Append imported snapshots, one journal entry each, in a few statements per batch."""
        sql, mc = self._sql, self._mc
        if entries:
            sql.many(
                INSERT_JOURNAL,
                [
                    {"municipality_code": mc, **journal_values(entry, sql.value)}
                    for entry, _ in entries
                ],
            )
            sql.many(
                INSERT_HISTORY,
                [
                    {
                        "mc": mc,
                        "a": s.atena_number,
                        "h": s.history_number,
                        "seq": entry.seq,
                        "e": entry.event_id,
                        "on": sql.value(s.effective_on),
                        "reason": s.reason,
                        "status": s.status,
                        "record": s.text,
                    }
                    for entry, s in entries
                ],
            )
            last = entries[-1][0]
            sql.execute(
                "UPDATE journal_heads SET last_seq = :s, last_hash = :h"
                " WHERE municipality_code = :mc",
                {"s": last.seq, "h": last.entry_hash, "mc": mc},
            )
            enqueue_webhooks(sql, mc, entries[0][0].seq - 1, last.seq, last.recorded_at)
        if latest:
            sql.many(UPSERT_RESIDENT, latest)

    def import_households(self, households: Sequence[HouseholdRow]) -> None:
        if not households:
            return
        self._sql.many(
            "INSERT INTO households (municipality_code, household_number, version,"
            " head_atena_number, address_text, member_count)"
            " VALUES (:mc, :h, 1, :head, :address, :count)",
            [
                {
                    "mc": self._mc,
                    "h": h.household_number,
                    "head": h.head_atena_number,
                    "address": h.address_text,
                    "count": h.member_count,
                }
                for h in households
            ],
        )

    def import_suppressions(self, settings: Sequence[Suppression]) -> None:
        if not settings:
            return
        if any(s.municipality_code != self._mc for s in settings):
            raise ValueError(f"settings of another municipality than {self._mc}")
        self._conn.execute(
            insert(t.suppressions),
            [
                {
                    "municipality_code": self._mc,
                    "suppression_id": s.suppression_id,
                    **suppression_values(s),
                }
                for s in settings
            ],
        )

    def advance_sequences(self, atena_serial: int, household_serial: int) -> None:
        for name, serial in (("atena", atena_serial), ("household", household_serial)):
            self._sql.execute(
                "INSERT INTO id_sequences (municipality_code, name, next_value)"
                " VALUES (:mc, :n, :v) ON CONFLICT (municipality_code, name) DO UPDATE SET"
                " next_value = CASE WHEN id_sequences.next_value > excluded.next_value"
                " THEN id_sequences.next_value ELSE excluded.next_value END",
                {"mc": self._mc, "n": name, "v": serial + 1},
            )

    @contextmanager
    def bulk_import(self) -> Iterator[None]:
        """SQLite: a page cache of ``IMPORT_CACHE_KIB`` on this connection while the import
        writes, then the previous size again. At a million persons the importing process held
        370 MB with a 32 MB cache against about 470 MB with the usual 128 MB, for 14 % less
        throughput (2,692 against 3,141 persons/s, measured): the migration keeps to its memory
        budget (500 MB, workers included)."""
        if not self._sql.is_sqlite:
            yield
            return
        row = self._sql.one("PRAGMA cache_size", {})
        self._sql.execute(f"PRAGMA cache_size=-{IMPORT_CACHE_KIB}", {})
        try:
            yield
        finally:
            if row is not None:
                self._sql.execute(f"PRAGMA cache_size={int(row[0])}", {})

    def live_duplicates(self) -> Sequence[tuple[str, Sequence[str]]]:
        found: list[tuple[str, Sequence[str]]] = []
        for name, column in (
            ("individual_number", "individual_number_hash"),  # equal numbers, equal hashes
            ("resident_code", "resident_code"),
            ("residence_card_number", "residence_card_number"),
        ):
            # One scan and one sort: an IN (… GROUP BY … HAVING) subquery was planned by
            # PostgreSQL as a subplan run per row on a freshly written table (minutes at 40,000).
            rows = self._sql.all(
                "SELECT value, atena_number FROM (SELECT"
                f" {column} AS value, atena_number, COUNT(*) OVER (PARTITION BY {column}) AS n"
                " FROM residents WHERE municipality_code = :mc AND status = :s"
                f" AND {column} IS NOT NULL) AS live WHERE n > 1 ORDER BY value, atena_number",
                {"mc": self._mc, "s": RESIDENT},
            )
            by_value: dict[str, list[str]] = {}
            for value, atena in rows:
                by_value.setdefault(value, []).append(atena)
            found.extend((name, persons) for persons in by_value.values())
        return found

    def next_serials(self) -> tuple[int, int]:
        rows = self._sql.all(
            "SELECT name, next_value FROM id_sequences WHERE municipality_code = :mc",
            {"mc": self._mc},
        )
        values = {name: int(value) for name, value in rows}
        return values.get("atena", 1), values.get("household", 1)
