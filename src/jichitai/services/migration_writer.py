"""Data migration: the writing half of ``jichitai layout import``, and ``--ids renumber``.

:class:`ImportWriter` writes, in the import's unit of work and batch by batch, what the reading
pass (:mod:`jichitai.services.migration_pass`) found faultless: one journal entry per snapshot
(kind ``import``, hashed into the chain), the snapshots, the projections, the households and the
suppression settings, and at the end advances the number sequences. :class:`Renumbering` gives
the source's 宛名番号 and 世帯番号 new numbers, first come first served
(:attr:`~jichitai.services.migration_ids.IdMode.RENUMBER`); :func:`renumbered_keys` draws them in
the order the rows are read. The service that runs both is
:class:`~jichitai.services.migration_import.LayoutImportService`.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any, Final

import orjson

from jichitai.codec import to_primitive
from jichitai.domain.access.suppression import Suppression
from jichitai.domain.common.identifiers import AtenaNumber, HouseholdNumber
from jichitai.domain.errors import Violation
from jichitai.domain.migration.layout import LayoutFile
from jichitai.domain.residents.view import ChangeKind
from jichitai.services.event_ids import time_ordered_id
from jichitai.services.journal_hash import entry_hash
from jichitai.services.migration_rows import key_cell, positions
from jichitai.services.ports import (
    HouseholdRow,
    ImportedSnapshot,
    JournalEntry,
    RegisterImport,
    RegisterJournal,
)

__all__ = ["IMPORT_KIND", "ImportWriter", "Renumbering", "renumbered_keys"]

IMPORT_KIND: Final = ChangeKind.IMPORT.value


class ImportWriter:
    """The writing half of the import, in the caller's unit of work, batch by batch.

    One journal entry per snapshot (kind ``import``, the snapshot's own reason and dates,
    recorded now, the hash chain continued), the snapshots with their history numbers, each
    person's current record (projection), the households and the suppression settings; at the
    end the number sequences are advanced past the highest imported numbers.
    """

    def __init__(
        self,
        journal: RegisterJournal,
        repo: RegisterImport,
        now: datetime,
        operator: str,
        file_name: str,
        batch_size: int,
        seed: int,
    ) -> None:
        """``seed``: of the generator drawing the event ids' random part (see ``_entry``)."""
        self._repo = repo
        self._sealed = journal.sealed
        self._now = now
        self._operator = operator
        self._file_name = file_name
        self._batch_size = batch_size
        self._seq, self._prev_hash = journal.journal_head()
        self._random = random.Random(seed)  # event ids: see _entry
        self._snapshots: list[tuple[JournalEntry, ImportedSnapshot]] = []
        self._latest: list[Mapping[str, Any]] = []
        self._households: list[HouseholdRow] = []
        self._suppressions: list[Suppression] = []
        self._top_atena = self._top_household = 0

    def household(self, household: HouseholdRow) -> None:
        self._top_household = max(self._top_household, int(household.household_number[:9]))
        self._households.append(household)
        if len(self._households) >= self._batch_size:
            self._repo.import_households(self._households)
            self._households = []

    def snapshot(
        self, line: int, snapshot: ImportedSnapshot, alerts: Sequence[Violation] = ()
    ) -> None:
        """``alerts``: what the operator let through for this snapshot (kept in its entry)."""
        snapshot = snapshot._replace(text=self._sealed(snapshot.text))  # ADR 0015
        self._seq += 1
        entry = _entry(
            self._seq,
            self._prev_hash,
            self._now,
            self._operator,
            snapshot,
            self._file_name,
            line,
            self._random.getrandbits,
            alerts,
        )
        self._prev_hash = entry.entry_hash
        self._snapshots.append((entry, snapshot))
        self._top_atena = max(self._top_atena, int(snapshot.atena_number[:9]))
        self._top_household = max(self._top_household, int(snapshot.household_number[:9]))
        if len(self._snapshots) >= self._batch_size:
            self._flush_snapshots()

    def latest(self, projection: Mapping[str, Any]) -> None:
        self._latest.append(projection)

    def suppression(self, setting: Suppression) -> None:
        self._suppressions.append(setting)
        if len(self._suppressions) >= self._batch_size:
            self._repo.import_suppressions(self._suppressions)
            self._suppressions = []

    def _flush_snapshots(self) -> None:
        self._repo.import_snapshots(self._snapshots, self._latest)
        self._snapshots, self._latest = [], []

    def finish(self) -> None:
        self._flush_snapshots()
        self._repo.import_households(self._households)
        self._households = []
        self._repo.import_suppressions(self._suppressions)
        self._suppressions = []
        self._repo.advance_sequences(self._top_atena, self._top_household)


class Renumbering:
    """``--ids renumber``: new 宛名番号 and 世帯番号 for the source's keys, first come first served."""

    def __init__(self, next_atena: int, next_household: int) -> None:
        self.atena: dict[str, str] = {}
        self.household: dict[str, str] = {}
        self._next_atena = next_atena
        self._next_household = next_household

    def person(self, source: str) -> str:
        new = self.atena.get(source)
        if new is None:
            new = self.atena[source] = AtenaNumber.from_serial(self._next_atena).value
            self._next_atena += 1
        return new

    def of_household(self, source: str) -> str:
        new = self.household.get(source)
        if new is None:
            new = self.household[source] = HouseholdNumber.from_serial(self._next_household).value
            self._next_household += 1
        return new

    def rewrite(
        self, row: list[str], persons: Sequence[int], households: Sequence[int]
    ) -> list[str]:
        """The row with its keys replaced (a cell that is not a key is left for the checks)."""
        row = list(row)
        for at in persons:
            if at < len(row) and _is_key(row[at]):
                row[at] = self.person(row[at])
        for at in households:
            if at < len(row) and _is_key(row[at]):
                row[at] = self.of_household(row[at])
        return row

    def pairs(self) -> Iterator[tuple[str, str, str]]:
        """(kind, source key, new number) of every key renumbered."""
        for old, new in self.household.items():
            yield "世帯番号", old, new
        for old, new in self.atena.items():
            yield "宛名番号", old, new


def _is_key(cell: str) -> bool:
    return cell.isascii() and cell.isdigit()


def renumbered_keys(
    rows: Iterator[tuple[int, list[str]]],
    layout_file: LayoutFile,
    renumbering: Renumbering | None,
) -> Iterator[tuple[int, list[str], tuple[str, str] | None]]:
    """The rows with their new 宛名番号 and 世帯番号 when renumbering (drawn here, in the order
    read, so the numbers do not depend on how the rows are spread over workers)."""
    if renumbering is None:
        for line, row in rows:
            yield line, row, None
        return
    at = positions(layout_file)
    atena_at, household_at = at["atena_number"], at["household_number"]
    for line, row in rows:
        # the keys as the cell rules will read them (a vendor pads them, or writes full width)
        atena = key_cell(row[atena_at]) if atena_at < len(row) else ""
        household = key_cell(row[household_at]) if household_at < len(row) else ""
        keys = None
        if _is_key(atena) and _is_key(household):
            keys = (renumbering.person(atena), renumbering.of_household(household))
        yield line, row, keys


def _entry(
    seq: int,
    prev_hash: str,
    now: datetime,
    operator: str,
    snapshot: ImportedSnapshot,
    file_name: str,
    line: int,
    random_bits: Callable[[int], int],
    alerts: Sequence[Violation] = (),
) -> JournalEntry:
    """The journal entry recording one imported snapshot as its origin, hashed into the chain.

    ``random_bits`` feeds the event id: a generator seeded once per import from the system's
    random source (one ``os.urandom`` call per entry cost 22 µs here, a tenth of the entry).
    """
    head = {
        "alerts": [to_primitive(alert) for alert in alerts],
        "households": [snapshot.household_number],
        "import": {"file": file_name, "line": line},
        "notices": [],
        "persons": [snapshot.atena_number],
    }
    head_text = orjson.dumps(head, option=orjson.OPT_SORT_KEYS).decode()
    fields: dict[str, Any] = {
        "seq": seq,
        "event_id": time_ordered_id(now, random_bits(74)),
        "idempotency_key": None,
        "kind": IMPORT_KIND,
        "reason": snapshot.reason,
        "reason_group": snapshot.reason_group,
        "effective_on": snapshot.effective_on,
        "filed_on": snapshot.filed_on,
        "recorded_at": now,
        "operator": operator,
        "place": "",
        "terminal": "",
        "notes": "",
        "ex_officio": False,
        "corrects_event_id": None,
        "payload": f'{head_text[:-1]},"records":[{snapshot.text}]}}',
        "prev_hash": prev_hash,
    }
    return JournalEntry(**fields, entry_hash=entry_hash(JournalEntry(**fields, entry_hash="")))
