"""The register's journal for one municipality (SQLite and PostgreSQL): what the change rules
read, and the append of a change with its snapshots, projections and outbox rows.

The municipality code is fixed when the journal is made (by the unit of work) and added to
every statement here; no method takes it from a caller. The statements every change runs go
through ``RawSql`` (ADR 0004); the rest through SQLAlchemy Core.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import Connection, select

from jichitai.adapters.db import tables as t
from jichitai.adapters.db.cs_outbox_store import enqueue_cs
from jichitai.adapters.db.projection import projection_row
from jichitai.adapters.db.raw import RawSql
from jichitai.adapters.db.register_rows import (
    INSERT_HISTORY,
    INSERT_JOURNAL,
    RESIDENT_COLUMNS,
    ROW_FROM,
    ROW_SELECT,
    UPSERT_RESIDENT,
    CurrentRecords,
    decode_record,
    enqueue_webhooks,
    journal_entry,
    journal_values,
    update_resident,
)
from jichitai.domain.common.dates import RecordDate
from jichitai.domain.common.identifiers import (
    AtenaNumber,
    HouseholdNumber,
    IndividualNumber,
    ResidenceCardNumber,
    ResidentCode,
)
from jichitai.domain.common.names import PersonName
from jichitai.domain.errors import ConflictError, Violation
from jichitai.domain.integration.feed import NOT_CHANGES, PROTECTION, TOOK_EFFECT, took_effect_of
from jichitai.domain.residents.model import ResidentRecord, Sex
from jichitai.domain.residents.reasons import ChangeReason
from jichitai.domain.residents.view import ChangeKind, EventRecord
from jichitai.services.ports import FeedEntry, JournalEntry


class SqlJournal:
    """The ``RegisterJournal`` port: the rules' view of the register, the chain head and the
    append, on the unit of work's connection (one transaction)."""

    def __init__(self, connection: Connection, municipality_code: str, records: CurrentRecords):
        self._conn = connection
        self._mc = municipality_code
        self._sql = RawSql(connection)
        self._records = records

    # --- RegisterView ------------------------------------------------------------------------

    def current(self, atena_number: AtenaNumber) -> ResidentRecord | None:
        return self._records.current(atena_number)

    def snapshot(self, atena_number: AtenaNumber, history_number: int) -> ResidentRecord | None:
        row = self._sql.one(
            "SELECT record FROM resident_history WHERE municipality_code = :mc"
            " AND atena_number = :a AND history_number = :h",
            {"mc": self._mc, "a": atena_number.value, "h": history_number},
        )
        return decode_record(self._records.sealing.open_json(row[0])) if row is not None else None

    def household_residents(self, household_number: HouseholdNumber) -> Sequence[ResidentRecord]:
        return self._records.household_residents(household_number)

    def household_pending_removals(
        self, household_number: HouseholdNumber, after: date
    ) -> Sequence[ResidentRecord]:
        return self._records.household_pending_removals(household_number, after)

    def find_by_identifiers(
        self,
        individual_number: IndividualNumber | None,
        resident_code: ResidentCode | None,
        residence_card_number: ResidenceCardNumber | None,
    ) -> Sequence[ResidentRecord]:
        found: dict[str, tuple[Any, ...]] = {}
        sealing = self._records.sealing
        for column, value in (
            (
                "individual_number_hash",
                sealing.search_hash(individual_number.value) if individual_number else None,
            ),
            ("resident_code", resident_code.value if resident_code else None),
            (
                "residence_card_number",
                residence_card_number.value if residence_card_number else None,
            ),
        ):
            if value is None:
                continue
            for row in self._sql.all(
                f"SELECT {ROW_SELECT} FROM {ROW_FROM} WHERE r.municipality_code = :mc"
                f" AND r.{column} = :v",
                {"mc": self._mc, "v": value},
            ):
                found[row[1]] = row
        return self._records.decoded(found[k] for k in sorted(found))

    def find_same_identity(
        self, name: PersonName, sex: Sex, birth_date: RecordDate
    ) -> Sequence[ResidentRecord]:
        candidates = self._records.decoded(
            self._sql.all(
                f"SELECT {ROW_SELECT} FROM {ROW_FROM} WHERE r.municipality_code = :mc"
                " AND r.birth_sort = :b AND r.kanji_key = :k AND r.sex = :s",
                {
                    "mc": self._mc,
                    "k": name.kanji_key[:200],
                    "b": self._sql.value(birth_date.approximation),
                    "s": sex.value,
                },
            )
        )
        return [c for c in candidates if c.birth_date == birth_date]

    def event(self, event_id: str) -> EventRecord | None:
        j = t.journal.c
        row = self._conn.execute(
            select(j.kind, j.reason, j.payload).where(
                j.municipality_code == self._mc, j.event_id == event_id
            )
        ).one_or_none()
        if row is None or row.kind in NOT_CHANGES:  # no 異動: nothing to correct or cancel
            return None
        payload = json.loads(row.payload)
        firsts: dict[str, int] = {}
        lasts: dict[str, int] = {}
        for rec in payload["records"]:
            atena, history = rec["atena_number"], rec["history_number"]
            firsts.setdefault(atena, history)
            lasts[atena] = history
        return EventRecord(
            event_id=event_id,
            kind=ChangeKind(row.kind),
            reason=ChangeReason(row.reason),
            persons=tuple(firsts.items()),
            last_histories=tuple(lasts.items()),
        )

    def _next_number(self, name: str) -> int:
        return self._sql.next_number(self._mc, name)

    def new_atena_number(self) -> AtenaNumber:
        return AtenaNumber.from_serial(self._next_number("atena"))

    def new_household_number(self) -> HouseholdNumber:
        return HouseholdNumber.from_serial(self._next_number("household"))

    def new_resident_code(self) -> ResidentCode:
        raise NotImplementedError("住民票コード are drawn by the service from its random source")

    # --- the chain ---------------------------------------------------------------------------

    def sealed(self, text: str) -> str:
        """``text`` (JSON) as stored: each ``individual_number`` member sealed (ADR 0015)."""
        return self._records.sealing.seal_json(text)

    def journal_head(self) -> tuple[int, str]:
        head = self._sql.locked_head("journal_heads", self._mc)
        if head is None:
            raise ConflictError(
                Violation(
                    "municipality.not_found",
                    f"団体 {self._mc} の異動履歴がありません",
                    "municipality_code",
                )
            )
        return head

    def feed_head(self) -> int:
        row = self._sql.one(
            "SELECT last_seq FROM journal_heads WHERE municipality_code = :mc", {"mc": self._mc}
        )
        return int(row[0]) if row else 0

    def entry_by_idempotency_key(self, key: str) -> JournalEntry | None:
        j = t.journal.c
        row = self._conn.execute(
            select(t.journal).where(j.municipality_code == self._mc, j.idempotency_key == key)
        ).one_or_none()
        return journal_entry(row) if row is not None else None

    def entry(self, event_id: str) -> JournalEntry | None:
        j = t.journal.c
        row = self._conn.execute(
            select(t.journal).where(j.municipality_code == self._mc, j.event_id == event_id)
        ).one_or_none()
        return journal_entry(row) if row is not None else None

    def journal(self, after_seq: int = 0, limit: int | None = None) -> Sequence[JournalEntry]:
        j = t.journal.c
        stmt = (
            select(t.journal)
            .where(j.municipality_code == self._mc, j.seq > after_seq)
            .order_by(j.seq)
        )
        if limit is not None:
            stmt = stmt.limit(limit)
        return [journal_entry(row) for row in self._conn.execute(stmt)]

    def feed_entries(self, after_seq: int, limit: int) -> Sequence[FeedEntry]:
        j, h = t.journal.c, t.resident_history.c
        columns = [c for c in t.journal.c if c.name != "payload"]
        rows = self._conn.execute(
            select(*columns)
            .where(j.municipality_code == self._mc, j.seq > after_seq)
            .order_by(j.seq)
            .limit(limit)
        ).all()
        if not rows:
            return []
        snapshots: dict[int, list[str]] = {}
        in_range = (h.municipality_code == self._mc, h.seq.between(rows[0].seq, rows[-1].seq))
        # 宛名番号 breaks ties: the persons of one entry share its seq and often their history
        # number, and PostgreSQL's heap order (which autovacuum's reuse of space changes) is no order.
        for seq, text in self._conn.execute(
            select(h.seq, h.record)
            .where(*in_range)
            .order_by(h.seq, h.history_number, h.atena_number)
        ):
            snapshots.setdefault(seq, []).append(text)
        for row in rows:
            if row.kind == TOOK_EFFECT:
                snapshots[row.seq] = self._holding_snapshots(took_effect_of(row.idempotency_key))
        protections = [row.seq for row in rows if row.kind == PROTECTION]
        if protections:
            snapshots.update(self._protection_snapshots(protections))
        # The snapshot each person had before an entry: the one numbered one less than the first
        # the entry wrote (history numbers run 1, 2, 3 … per person, §1.2.1), written earlier.
        previous = t.resident_history.alias("previous")
        p = previous.c
        before: dict[int, list[str]] = {}
        for seq, text in self._conn.execute(
            select(h.seq, p.record)
            .join_from(
                t.resident_history,
                previous,
                (p.municipality_code == h.municipality_code)
                & (p.atena_number == h.atena_number)
                & (p.history_number == h.history_number - 1),
            )
            .where(*in_range, p.seq < h.seq)
            .order_by(h.seq, h.history_number, h.atena_number)
        ):
            before.setdefault(seq, []).append(text)
        opened = self._records.sealing.open_json
        return [
            FeedEntry(
                journal_entry(row, payload=""),
                [opened(text) for text in snapshots.get(row.seq, [])],
                [opened(text) for text in before.get(row.seq, [])],
            )
            for row in rows
        ]

    def _protection_snapshots(self, seqs: Sequence[int]) -> dict[int, list[str]]:
        """For ``protection`` entries: the snapshot of each person they name, the one in effect
        on the day the entry was appended (its payload's ``histories``)."""
        j, h = t.journal.c, t.resident_history.c
        named: dict[int, dict[str, int]] = {
            int(seq): json.loads(payload)["histories"]
            for seq, payload in self._conn.execute(
                select(j.seq, j.payload).where(j.municipality_code == self._mc, j.seq.in_(seqs))
            )
        }
        wanted = {(a, n) for histories in named.values() for a, n in histories.items()}
        found: dict[tuple[str, int], str] = {}
        atenas = sorted({a for a, _ in wanted})
        for atena, number, text in self._conn.execute(
            select(h.atena_number, h.history_number, h.record).where(
                h.municipality_code == self._mc, h.atena_number.in_(atenas)
            )
        ):
            if (atena, number) in wanted:
                found[(atena, int(number))] = text
        return {
            seq: [found[(a, n)] for a, n in sorted(histories.items()) if (a, n) in found]
            for seq, histories in named.items()
        }

    # --- planned changes (recorded before their 異動日) ----------------------------------------

    def planned_in(self, first_seq: int, last_seq: int) -> dict[int, int | None]:
        """The planned changes among the entries ``first_seq``..``last_seq``: each one's seq
        and the seq of the entry that told its day had come (None: not yet; 0: nothing held)."""
        p = t.planned_changes.c
        rows = self._conn.execute(
            select(p.seq, p.took_effect_seq).where(
                p.municipality_code == self._mc, p.seq.between(first_seq, last_seq)
            )
        )
        return {int(seq): (None if told is None else int(told)) for seq, told in rows}

    def due_planned(self, on: date) -> Sequence[int]:
        """The planned changes dated on or before ``on`` whose day has not yet been told."""
        # Raw SQL: the feed asks this before every answer (SQLite ~8 µs, against ~380 µs when
        # SQLAlchemy Core compiled it each time; PostgreSQL one round trip, ~0.1 ms).
        rows = self._sql.all(
            "SELECT seq FROM planned_changes WHERE municipality_code = :mc"
            " AND took_effect_seq IS NULL AND effective_on <= :on ORDER BY effective_on, seq",
            {"mc": self._mc, "on": self._sql.value(on)},
        )
        return [int(row[0]) for row in rows]

    def anything_due(self, on: date) -> bool:
        """Anything the dates step has to tell on ``on``: a planned change dated on or before it
        whose day has not been told (``due_planned``), or a setting guarding the feed that starts
        on or before it, has not been told and is not lifted (``suppressions.due_feed``)."""
        # One statement: the feed asks this before every answer, and almost always nothing is
        # due (two indexed probes, ix_planned_changes_due and ix_suppressions_feed_due).
        row = self._sql.one(
            "SELECT EXISTS (SELECT 1 FROM planned_changes WHERE municipality_code = :mc"
            " AND took_effect_seq IS NULL AND effective_on <= :on)"
            " OR EXISTS (SELECT 1 FROM suppressions WHERE municipality_code = :mc"
            " AND feed_told_seq IS NULL AND starts_on <= :on AND lifted_at IS NULL)",
            {"mc": self._mc, "on": self._sql.value(on)},
        )
        return row is not None and bool(row[0])

    def holding_persons(self, seq: int) -> Sequence[str]:
        """The persons whose snapshot written by entry ``seq`` still holds on its 異動日 (none
        when it was cancelled, or superseded by the 転入通知, before the day)."""
        opened = self._records.sealing.open_json
        return [
            decode_record(opened(text)).atena_number.value for text in self._holding_snapshots(seq)
        ]

    def mark_took_effect(self, seq: int, took_effect_seq: int) -> None:
        p = t.planned_changes.c
        self._conn.execute(
            t.planned_changes.update()
            .where(p.municipality_code == self._mc, p.seq == seq)
            .values(took_effect_seq=took_effect_seq)
        )

    def _holding_snapshots(self, seq: int) -> list[str]:
        h = t.resident_history.c
        later = t.resident_history.alias("later")
        superseded = (
            select(later.c.history_number)
            .where(
                later.c.municipality_code == h.municipality_code,
                later.c.atena_number == h.atena_number,
                later.c.history_number > h.history_number,
                later.c.effective_on <= h.effective_on,
            )
            .exists()
        )
        return list(
            self._conn.execute(
                select(h.record)
                .where(h.municipality_code == self._mc, h.seq == seq, ~superseded)
                .order_by(h.atena_number, h.history_number)
            ).scalars()
        )

    def household_version(self, household_number: HouseholdNumber) -> int | None:
        return self._records.household_version(household_number)

    # --- the append --------------------------------------------------------------------------

    def append(
        self,
        entry: JournalEntry,
        records: Sequence[tuple[ResidentRecord, str]],
        household_versions: dict[str, int | None],
        *,
        planned: bool = False,
    ) -> None:
        sql, mc = self._sql, self._mc
        sql.execute(INSERT_JOURNAL, {"municipality_code": mc, **journal_values(entry, sql.value)})
        sql.execute(
            "UPDATE journal_heads SET last_seq = :s, last_hash = :h WHERE municipality_code = :mc",
            {"s": entry.seq, "h": entry.entry_hash, "mc": mc},
        )
        if records:
            sql.many(
                INSERT_HISTORY,
                [
                    {
                        "mc": mc,
                        "a": r.atena_number.value,
                        "h": r.history_number,
                        "seq": entry.seq,
                        "e": entry.event_id,
                        "on": sql.value(r.effective_on),
                        "reason": r.reason.value,
                        "status": r.status.value,
                        "record": text,
                    }
                    for r, text in records
                ],
            )
        if planned:
            self._conn.execute(
                t.planned_changes.insert().values(
                    municipality_code=mc, seq=entry.seq, effective_on=entry.effective_on
                )
            )
        enqueue_webhooks(sql, mc, entry.seq - 1, entry.seq, entry.recorded_at)
        known = self._records.records  # the persons as the rules read them
        earlier: dict[str, ResidentRecord] = {}  # an entry writing two snapshots of one person
        changes = []
        for record, _ in records:
            atena = record.atena_number.value
            changes.append((earlier.get(atena) or known.get(atena), record))
            earlier[atena] = record
        enqueue_cs(sql, mc, entry.seq, entry.recorded_at, changes)
        latest = {r.atena_number.value: r for r, _ in records}
        self._write_projection(latest)
        self._write_households(household_versions)

    def _write_projection(self, latest: dict[str, ResidentRecord]) -> None:
        """Write each person's current row, touching only the columns that changed.

        Setting an indexed column rewrites its index entry even when the value is the same, and
        ``residents`` has eight indexes: at 100,000 residents an all-column upsert cost 87 µs a
        row and made every commit write megabytes of index pages, against 26 µs for the changed
        columns only (measured). The previous values come from the identity map, which holds
        every record the rules read; a person not in it is written with the full upsert.
        """
        sql, mc = self._sql, self._mc
        known = self._records

        # Looked up only for a person with a 個人番号 (whose sealing, before the append, already
        # made the keys): a change without one must not ask for keys after writing its rows.
        def hashed(number: str) -> str:
            return known.sealing.cipher.search_hash(number)

        upserts = []
        for atena, record in latest.items():
            row = projection_row(mc, record, sql.value, search_hash=hashed)
            previous = known.records.get(atena)
            if previous is None:
                upserts.append(row)
            else:
                old = known.rows.get(atena) or projection_row(
                    mc, previous, sql.value, search_hash=hashed
                )
                changed = tuple(
                    c for c in RESIDENT_COLUMNS[2:] if c == "history_number" or row[c] != old[c]
                )
                sql.execute(update_resident(changed), row)
            known.records[atena] = record
            known.rows[atena] = row
        if upserts:
            sql.many(UPSERT_RESIDENT, upserts)

    def _write_households(self, household_versions: dict[str, int | None]) -> None:
        for household, version in household_versions.items():
            members = self._sql.all(
                "SELECT atena_number, relationship, address_text FROM residents"
                " WHERE municipality_code = :mc AND household_number = :h AND status = 'resident'",
                {"mc": self._mc, "h": household},
            )
            values = {
                "mc": self._mc,
                "h": household,
                "head": next((a for a, rel, _ in members if rel == "世帯主"), None),
                "address": (members[0][2] or "") if members else "",
                "count": len(members),
            }
            if version is None:
                created = self._sql.execute(
                    "INSERT INTO households (municipality_code, household_number, version,"
                    " head_atena_number, address_text, member_count)"
                    " VALUES (:mc, :h, 1, :head, :address, :count) ON CONFLICT DO NOTHING",
                    values,
                )
                if created != 1:  # another change created it first
                    raise _conflict(household)
                continue
            changed = self._sql.execute(
                "UPDATE households SET version = :next, head_atena_number = :head,"
                " address_text = :address, member_count = :count"
                " WHERE municipality_code = :mc AND household_number = :h AND version = :v",
                {**values, "v": version, "next": version + 1},
            )
            if changed != 1:
                raise _conflict(household)


def _conflict(household: str) -> ConflictError:
    return ConflictError(
        Violation(
            "change.conflict",
            f"世帯番号 {household} の世帯は他の処理で更新されました。画面を更新してやり直してください",
            "expected_versions",
        )
    )
