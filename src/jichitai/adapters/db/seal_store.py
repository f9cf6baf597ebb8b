"""印鑑登録 in the database: the seal journal, its head and the registrations, for one
municipality inside a unit of work (the same transaction as a change of the register, so a
move-out or a death and the abolition of the person's seal commit together or not at all).

Appending locks the municipality's ``seal_heads`` row first (``SELECT … FOR UPDATE`` on
PostgreSQL; on SQLite the write transaction already holds the database's lock), so the chain is
dense and unforked. The partial unique index on active registrations is the last word on "one
registration per person" when two counters race.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.exc import IntegrityError

from jichitai.adapters.db import tables as t
from jichitai.adapters.db.raw import RawSql
from jichitai.domain.errors import ConflictError, Violation
from jichitai.domain.seals.events import SealEvent, SealEventKind
from jichitai.domain.seals.registration import (
    EndReason,
    Impression,
    SealRegistration,
    SealStatus,
)

_E = t.seal_events.c
_R = t.seal_registrations.c
REGISTRATION_NUMBER_DIGITS = 8


def _registration(row: Any) -> SealRegistration:
    return SealRegistration(
        atena_number=row.atena_number,
        registration_number=row.registration_number,
        registered_on=row.registered_on,
        impression=Impression(row.width_mm, row.height_mm),
        image_sha256=row.image_sha256,
        status=SealStatus(row.status),
        ended_on=row.ended_on,
        end_reason=EndReason(row.end_reason) if row.end_reason else None,
    )


def _event(row: Any) -> SealEvent:
    return SealEvent(
        municipality_code=row.municipality_code,
        seq=row.seq,
        event_id=row.event_id,
        registration_number=row.registration_number,
        atena_number=row.atena_number,
        kind=SealEventKind(row.kind),
        effective_on=row.effective_on,
        recorded_at=row.recorded_at,
        operator=row.operator,
        terminal=row.terminal,
        place=row.place,
        notes=row.notes,
        width_mm=row.width_mm,
        height_mm=row.height_mm,
        image_sha256=row.image_sha256,
        end_reason=EndReason(row.end_reason) if row.end_reason else None,
        journal_event_id=row.journal_event_id,
        prev_hash=row.prev_hash,
        entry_hash=row.entry_hash,
    )


_REGISTRATION_COLUMNS = [c for c in t.seal_registrations.c if c.name != "image_png"]


class SqlSealRepository:
    def __init__(self, connection: Connection, municipality_code: str) -> None:
        self._conn = connection
        self._sql = RawSql(connection)
        self._mc = municipality_code

    def head(self) -> tuple[int, str]:
        head = self._sql.locked_head("seal_heads", self._mc)
        if head is None:
            raise ConflictError(
                Violation(
                    "municipality.not_found",
                    f"団体 {self._mc} の印鑑登録の記録がありません",
                    "municipality_code",
                )
            )
        return head

    def new_registration_number(self) -> str:
        return f"{self._sql.next_number(self._mc, 'seal'):0{REGISTRATION_NUMBER_DIGITS}d}"

    def append(
        self, event: SealEvent, registration: SealRegistration, image_png: bytes | None = None
    ) -> None:
        """The event, the head moved on to it, and the registration as the event leaves it."""
        if event.municipality_code != self._mc:
            raise ValueError(f"event of {event.municipality_code} in {self._mc}'s unit of work")
        self._conn.execute(
            insert(t.seal_events).values(
                municipality_code=self._mc,
                seq=event.seq,
                event_id=event.event_id,
                registration_number=event.registration_number,
                atena_number=event.atena_number,
                kind=event.kind.value,
                end_reason=event.end_reason.value if event.end_reason else None,
                effective_on=event.effective_on,
                recorded_at=event.recorded_at,
                operator=event.operator[:100],
                terminal=event.terminal[:100],
                place=event.place[:100],
                notes=event.notes,
                width_mm=event.width_mm,
                height_mm=event.height_mm,
                image_sha256=event.image_sha256,
                journal_event_id=event.journal_event_id,
                prev_hash=event.prev_hash,
                entry_hash=event.entry_hash,
            )
        )
        self._sql.execute(
            "UPDATE seal_heads SET last_seq = :s, last_hash = :h WHERE municipality_code = :mc",
            {"s": event.seq, "h": event.entry_hash, "mc": self._mc},
        )
        if event.kind is SealEventKind.REGISTERED:
            if image_png is None:
                raise ValueError("a registration needs its image")
            self._insert_registration(registration, image_png)
        else:
            self._end_registration(registration)

    def _insert_registration(self, registration: SealRegistration, image_png: bytes) -> None:
        # The service checked under the head's lock; the index still has the last word (the
        # whole unit of work then rolls back).
        try:
            self._conn.execute(
                insert(t.seal_registrations).values(
                    municipality_code=self._mc,
                    registration_number=registration.registration_number,
                    atena_number=registration.atena_number,
                    status=registration.status.value,
                    registered_on=registration.registered_on,
                    width_mm=registration.impression.width_mm,
                    height_mm=registration.impression.height_mm,
                    image_sha256=registration.image_sha256,
                    image_png=image_png,
                )
            )
        except IntegrityError:
            raise ConflictError(
                Violation(
                    "seal.already_registered",
                    "この方は既に印鑑を登録しています。新たに登録するには先に廃止してください",
                    "atena_number",
                )
            ) from None

    def _end_registration(self, registration: SealRegistration) -> None:
        changed = self._conn.execute(
            update(t.seal_registrations)
            .where(
                _R.municipality_code == self._mc,
                _R.registration_number == registration.registration_number,
                _R.status == SealStatus.ACTIVE.value,
            )
            .values(
                status=registration.status.value,
                ended_on=registration.ended_on,
                end_reason=registration.end_reason.value if registration.end_reason else None,
            )
        ).rowcount
        if changed != 1:
            raise ConflictError(
                Violation(
                    "seal.not_active",
                    "この印鑑登録は既に亡失又は廃止されています",
                    "registration_number",
                )
            )

    def get(self, registration_number: str) -> SealRegistration | None:
        row = self._conn.execute(
            select(*_REGISTRATION_COLUMNS).where(
                _R.municipality_code == self._mc, _R.registration_number == registration_number
            )
        ).one_or_none()
        return _registration(row) if row else None

    def active(self, atena_number: str) -> SealRegistration | None:
        row = self._conn.execute(
            select(*_REGISTRATION_COLUMNS).where(
                _R.municipality_code == self._mc,
                _R.atena_number == atena_number,
                _R.status == SealStatus.ACTIVE.value,
            )
        ).one_or_none()
        return _registration(row) if row else None

    def registrations(self, atena_number: str) -> Sequence[SealRegistration]:
        """Every registration the person ever had, newest first (sorted here: with ORDER BY,
        SQLite walks the municipality's primary key instead of the person's index; measured
        with `jichitai bench ui`)."""
        rows = self._conn.execute(
            select(*_REGISTRATION_COLUMNS).where(
                _R.municipality_code == self._mc, _R.atena_number == atena_number
            )
        )
        found = [_registration(row) for row in rows]
        return sorted(found, key=lambda r: r.registration_number, reverse=True)

    def image(self, registration_number: str) -> bytes | None:
        value = self._conn.execute(
            select(_R.image_png).where(
                _R.municipality_code == self._mc, _R.registration_number == registration_number
            )
        ).scalar_one_or_none()
        return bytes(value) if value is not None else None

    def events(
        self, *, registration_number: str | None = None, atena_number: str | None = None
    ) -> Sequence[SealEvent]:
        """Events in journal order: one registration's, one person's, or (neither) all."""
        stmt = select(t.seal_events).where(_E.municipality_code == self._mc)
        if registration_number is not None:
            stmt = stmt.where(_E.registration_number == registration_number)
        if atena_number is not None:
            stmt = stmt.where(_E.atena_number == atena_number)
        if registration_number is None and atena_number is None:
            stmt = stmt.order_by(_E.seq)
        # One person's or registration's few events are sorted here, so that the query uses
        # their index rather than walking the municipality's primary key (see registrations).
        return sorted((_event(row) for row in self._conn.execute(stmt)), key=lambda e: e.seq)
