"""SQL implementation of one municipality's register repository (SQLite and PostgreSQL).

The municipality code is fixed when the repository is made (by the unit of work) and added to
every statement here; no method takes it from a caller. Decoded current records are kept in an
identity map for the life of the unit of work, so the rules can ask for a person several times
without decoding the JSON snapshot again.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, and_, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from jichitai.adapters.db import tables as t
from jichitai.domain.codec import from_primitive
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
from jichitai.domain.residents.model import ResidentRecord, ResidentStatus, Sex
from jichitai.domain.residents.reasons import ChangeReason
from jichitai.domain.residents.view import ChangeKind, EventRecord
from jichitai.services.ports import Draft, JournalEntry, RegisterStats, SearchCriteria

_RESIDENT = ResidentStatus.RESIDENT.value
_KEY_END = "\uffff"


def decode_record(text: str) -> ResidentRecord:
    record: ResidentRecord = from_primitive(ResidentRecord, json.loads(text))
    return record


def projection_row(municipality_code: str, record: ResidentRecord, text: str) -> dict[str, Any]:
    """The searchable columns of the current-state projection, derived from a snapshot."""
    foreign = record.foreign
    return {
        "municipality_code": municipality_code,
        "atena_number": record.atena_number.value,
        "history_number": record.history_number,
        "household_number": record.household_number.value,
        "kind": record.kind.value,
        "status": record.status.value,
        "sex": record.sex.value,
        "name_text": record.name.full[:200],
        "kana_key": record.name.kana_key[:200],
        "kanji_key": record.name.kanji_key[:200],
        "birth_sort": record.birth_date.approximation,
        "birth_text": record.birth_date.display()[:60],
        "address_text": record.address.display()[:400],
        "address_key": record.address.search_key()[:400],
        "individual_number": record.individual_number.value if record.individual_number else None,
        "resident_code": record.resident_code.value if record.resident_code else None,
        "residence_card_number": (
            foreign.residence_card_number.value
            if foreign and foreign.residence_card_number
            else None
        ),
        "removed_on": record.removed_on,
        "record": text,
    }


def _entry(row: Any) -> JournalEntry:
    return JournalEntry(
        seq=row.seq,
        event_id=row.event_id,
        idempotency_key=row.idempotency_key,
        kind=row.kind,
        reason=row.reason,
        reason_group=row.reason_group,
        effective_on=row.effective_on,
        filed_on=row.filed_on,
        recorded_at=row.recorded_at,
        operator=row.operator,
        place=row.place,
        terminal=row.terminal,
        notes=row.notes,
        ex_officio=row.ex_officio,
        corrects_event_id=row.corrects_event_id,
        payload=row.payload,
        prev_hash=row.prev_hash,
        entry_hash=row.entry_hash,
    )


def _draft(row: Any) -> Draft:
    return Draft(
        draft_id=row.draft_id,
        kind=row.kind,
        status=row.status,
        command=row.command,
        operator=row.operator,
        created_at=row.created_at,
        updated_at=row.updated_at,
        event_id=row.event_id,
        idempotency_key=row.idempotency_key,
    )


class SqlRegisterRepository:
    """Reads and appends for one municipality, on one open connection (one transaction)."""

    def __init__(self, connection: Connection, municipality_code: str) -> None:
        self._conn = connection
        self._mc = municipality_code
        self._current: dict[str, ResidentRecord | None] = {}

    # --- RegisterView ------------------------------------------------------------------------

    def current(self, atena_number: AtenaNumber) -> ResidentRecord | None:
        key = atena_number.value
        if key not in self._current:
            text = self._conn.execute(
                select(t.residents.c.record).where(
                    t.residents.c.municipality_code == self._mc, t.residents.c.atena_number == key
                )
            ).scalar_one_or_none()
            self._current[key] = decode_record(text) if text is not None else None
        return self._current[key]

    def snapshot(self, atena_number: AtenaNumber, history_number: int) -> ResidentRecord | None:
        h = t.resident_history.c
        text = self._conn.execute(
            select(h.record).where(
                h.municipality_code == self._mc,
                h.atena_number == atena_number.value,
                h.history_number == history_number,
            )
        ).scalar_one_or_none()
        return decode_record(text) if text is not None else None

    def _records(self, where: Any, limit: int | None = None) -> list[ResidentRecord]:
        r = t.residents.c
        stmt = select(r.atena_number, r.record).where(r.municipality_code == self._mc, where)
        stmt = stmt.order_by(r.atena_number)
        if limit is not None:
            stmt = stmt.limit(limit)
        out = []
        for atena, text in self._conn.execute(stmt):
            record = self._current.get(atena)
            if record is None:
                record = decode_record(text)
                self._current[atena] = record
            out.append(record)
        return out

    def household_residents(self, household_number: HouseholdNumber) -> Sequence[ResidentRecord]:
        r = t.residents.c
        return self._records(
            and_(r.household_number == household_number.value, r.status == _RESIDENT)
        )

    def find_by_identifiers(
        self,
        individual_number: IndividualNumber | None,
        resident_code: ResidentCode | None,
        residence_card_number: ResidenceCardNumber | None,
    ) -> Sequence[ResidentRecord]:
        r = t.residents.c
        conditions = []
        if individual_number is not None:
            conditions.append(r.individual_number == individual_number.value)
        if resident_code is not None:
            conditions.append(r.resident_code == resident_code.value)
        if residence_card_number is not None:
            conditions.append(r.residence_card_number == residence_card_number.value)
        if not conditions:
            return []
        return self._records(or_(*conditions))

    def find_same_identity(
        self, name: PersonName, sex: Sex, birth_date: RecordDate
    ) -> Sequence[ResidentRecord]:
        r = t.residents.c
        candidates = self._records(
            and_(
                r.kanji_key == name.kanji_key[:200],
                r.birth_sort == birth_date.approximation,
                r.sex == sex.value,
                r.status == _RESIDENT,
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
        if row is None:
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
        s = t.id_sequences.c
        value = self._conn.execute(
            select(s.next_value).where(s.municipality_code == self._mc, s.name == name)
        ).scalar_one_or_none()
        if value is None:
            self._conn.execute(
                insert(t.id_sequences).values(municipality_code=self._mc, name=name, next_value=2)
            )
            return 1
        self._conn.execute(
            update(t.id_sequences)
            .where(s.municipality_code == self._mc, s.name == name)
            .values(next_value=value + 1)
        )
        return int(value)

    def new_atena_number(self) -> AtenaNumber:
        return AtenaNumber.from_serial(self._next_number("atena"))

    def new_household_number(self) -> HouseholdNumber:
        return HouseholdNumber.from_serial(self._next_number("household"))

    def new_resident_code(self) -> ResidentCode:
        raise NotImplementedError("住民票コード are drawn by the service from its random source")

    # --- journal -----------------------------------------------------------------------------

    def journal_head(self) -> tuple[int, str]:
        h = t.journal_heads.c
        row = self._conn.execute(
            select(h.last_seq, h.last_hash).where(h.municipality_code == self._mc).with_for_update()
        ).one_or_none()
        if row is None:
            raise ConflictError(
                Violation(
                    "municipality.not_found",
                    f"団体 {self._mc} の異動履歴がありません",
                    "municipality_code",
                )
            )
        return int(row.last_seq), str(row.last_hash)

    def entry_by_idempotency_key(self, key: str) -> JournalEntry | None:
        j = t.journal.c
        row = self._conn.execute(
            select(t.journal).where(j.municipality_code == self._mc, j.idempotency_key == key)
        ).one_or_none()
        return _entry(row) if row is not None else None

    def journal(self, after_seq: int = 0, limit: int | None = None) -> Sequence[JournalEntry]:
        j = t.journal.c
        stmt = (
            select(t.journal)
            .where(j.municipality_code == self._mc, j.seq > after_seq)
            .order_by(j.seq)
        )
        if limit is not None:
            stmt = stmt.limit(limit)
        return [_entry(row) for row in self._conn.execute(stmt)]

    def household_version(self, household_number: HouseholdNumber) -> int | None:
        h = t.households.c
        value = self._conn.execute(
            select(h.version).where(
                h.municipality_code == self._mc, h.household_number == household_number.value
            )
        ).scalar_one_or_none()
        return int(value) if value is not None else None

    def append(
        self,
        entry: JournalEntry,
        records: Sequence[tuple[ResidentRecord, str]],
        household_versions: dict[str, int | None],
    ) -> None:
        conn, mc = self._conn, self._mc
        conn.execute(
            insert(t.journal).values(
                municipality_code=mc,
                seq=entry.seq,
                event_id=entry.event_id,
                idempotency_key=entry.idempotency_key,
                kind=entry.kind,
                reason=entry.reason,
                reason_group=entry.reason_group,
                effective_on=entry.effective_on,
                filed_on=entry.filed_on,
                recorded_at=entry.recorded_at,
                operator=entry.operator,
                place=entry.place,
                terminal=entry.terminal,
                notes=entry.notes,
                ex_officio=entry.ex_officio,
                corrects_event_id=entry.corrects_event_id,
                payload=entry.payload,
                prev_hash=entry.prev_hash,
                entry_hash=entry.entry_hash,
            )
        )
        conn.execute(
            update(t.journal_heads)
            .where(t.journal_heads.c.municipality_code == mc)
            .values(last_seq=entry.seq, last_hash=entry.entry_hash)
        )
        if records:
            conn.execute(
                insert(t.resident_history),
                [
                    {
                        "municipality_code": mc,
                        "atena_number": r.atena_number.value,
                        "history_number": r.history_number,
                        "seq": entry.seq,
                        "event_id": entry.event_id,
                        "effective_on": r.effective_on,
                        "reason": r.reason.value,
                        "status": r.status.value,
                        "record": text,
                    }
                    for r, text in records
                ],
            )
        latest: dict[str, tuple[ResidentRecord, str]] = {}
        for r, text in records:
            latest[r.atena_number.value] = (r, text)
        self._write_projection(latest)
        self._write_households(household_versions)

    def _write_projection(self, latest: dict[str, tuple[ResidentRecord, str]]) -> None:
        r = t.residents.c
        existing = set(
            self._conn.execute(
                select(r.atena_number).where(
                    r.municipality_code == self._mc, r.atena_number.in_(list(latest))
                )
            ).scalars()
        )
        inserts = []
        for atena, (record, text) in latest.items():
            row = projection_row(self._mc, record, text)
            if atena in existing:
                del row["municipality_code"], row["atena_number"]
                self._conn.execute(
                    update(t.residents)
                    .where(r.municipality_code == self._mc, r.atena_number == atena)
                    .values(**row)
                )
            else:
                inserts.append(row)
            self._current[atena] = record
        if inserts:
            self._conn.execute(insert(t.residents), inserts)

    def _write_households(self, household_versions: dict[str, int | None]) -> None:
        r, h = t.residents.c, t.households.c
        for household, version in household_versions.items():
            members = self._records(and_(r.household_number == household, r.status == _RESIDENT))
            head = next((m.atena_number.value for m in members if m.is_head), None)
            values = {
                "head_atena_number": head,
                "address_text": members[0].address.display()[:400] if members else "",
                "member_count": len(members),
            }
            if version is None:
                try:
                    with self._conn.begin_nested():
                        self._conn.execute(
                            insert(t.households).values(
                                municipality_code=self._mc,
                                household_number=household,
                                version=1,
                                **values,
                            )
                        )
                except (
                    IntegrityError
                ) as exc:  # the primary key says another change created it first
                    raise _conflict(household) from exc
                continue
            result = self._conn.execute(
                update(t.households)
                .where(
                    h.municipality_code == self._mc,
                    h.household_number == household,
                    h.version == version,
                )
                .values(version=version + 1, **values)
            )
            if result.rowcount != 1:
                raise _conflict(household)

    # --- drafts ------------------------------------------------------------------------------

    def add_draft(self, draft: Draft) -> None:
        self._conn.execute(
            insert(t.drafts).values(municipality_code=self._mc, **_draft_values(draft))
        )

    def get_draft(self, draft_id: str) -> Draft | None:
        """The draft, locked until the unit of work ends (approve and discard must not race)."""
        d = t.drafts.c
        row = self._conn.execute(
            select(t.drafts)
            .where(d.municipality_code == self._mc, d.draft_id == draft_id)
            .with_for_update()
        ).one_or_none()
        return _draft(row) if row is not None else None

    def update_draft(self, draft: Draft) -> None:
        d = t.drafts.c
        values = _draft_values(draft)
        del values["draft_id"]
        self._conn.execute(
            update(t.drafts)
            .where(d.municipality_code == self._mc, d.draft_id == draft.draft_id)
            .values(**values)
        )

    def drafts(self, status: str | None = "pending") -> Sequence[Draft]:
        d = t.drafts.c
        stmt = select(t.drafts).where(d.municipality_code == self._mc).order_by(d.created_at)
        if status is not None:
            stmt = stmt.where(d.status == status)
        return [_draft(row) for row in self._conn.execute(stmt)]

    # --- read side ---------------------------------------------------------------------------

    def history(self, atena_number: AtenaNumber) -> Sequence[ResidentRecord]:
        h = t.resident_history.c
        rows = self._conn.execute(
            select(h.record)
            .where(h.municipality_code == self._mc, h.atena_number == atena_number.value)
            .order_by(h.history_number)
        ).scalars()
        return [decode_record(text) for text in rows]

    def search(self, criteria: SearchCriteria, limit: int = 50) -> Sequence[ResidentRecord]:
        r = t.residents.c
        conditions: list[Any] = []
        if criteria.kana_key:
            conditions += [
                r.kana_key >= criteria.kana_key,
                r.kana_key < criteria.kana_key + _KEY_END,
            ]
        if criteria.kanji_key:
            conditions += [
                r.kanji_key >= criteria.kanji_key,
                r.kanji_key < criteria.kanji_key + _KEY_END,
            ]
        if criteria.birth_on is not None:
            conditions.append(r.birth_sort == criteria.birth_on)
        if criteria.address_key:
            conditions.append(r.address_key.contains(criteria.address_key, autoescape=True))
        for column, value in (
            (r.atena_number, criteria.atena_number),
            (r.household_number, criteria.household_number),
            (r.individual_number, criteria.individual_number),
            (r.resident_code, criteria.resident_code),
            (r.residence_card_number, criteria.residence_card_number),
        ):
            if value:
                conditions.append(column == value)
        if not criteria.include_removed:
            conditions.append(r.status == _RESIDENT)
        if not conditions:
            return []
        return self._records(and_(*conditions), limit)

    def stats(self) -> RegisterStats:
        r, j, h = t.residents.c, t.journal.c, t.households.c
        by_status_kind = self._conn.execute(
            select(r.status, r.kind, func.count())
            .where(r.municipality_code == self._mc)
            .group_by(r.status, r.kind)
        ).all()
        persons = sum(n for _, _, n in by_status_kind)
        residents = sum(n for s, _, n in by_status_kind if s == _RESIDENT)
        japanese = sum(n for s, k, n in by_status_kind if s == _RESIDENT and k == "japanese")
        households = self._conn.execute(
            select(func.count())
            .select_from(t.households)
            .where(h.municipality_code == self._mc, h.member_count > 0)
        ).scalar_one()
        by_reason: dict[str, int] = {
            str(reason): int(count)
            for reason, count in self._conn.execute(
                select(j.reason, func.count())
                .where(j.municipality_code == self._mc)
                .group_by(j.reason)
            )
        }
        return RegisterStats(
            persons=persons,
            residents=residents,
            households=int(households),
            removed_records=persons - residents,
            japanese=japanese,
            foreign=residents - japanese,
            events=sum(by_reason.values()),
            events_by_reason={str(k): int(v) for k, v in sorted(by_reason.items())},
        )


def _conflict(household: str) -> ConflictError:
    return ConflictError(
        Violation(
            "change.conflict",
            f"世帯番号 {household} の世帯は他の処理で更新されました。画面を更新してやり直してください",
            "expected_versions",
        )
    )


def _draft_values(draft: Draft) -> dict[str, Any]:
    return {
        "draft_id": draft.draft_id,
        "kind": draft.kind,
        "status": draft.status,
        "command": draft.command,
        "operator": draft.operator,
        "created_at": draft.created_at,
        "updated_at": draft.updated_at,
        "event_id": draft.event_id,
        "idempotency_key": draft.idempotency_key,
    }
