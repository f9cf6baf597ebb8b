"""印鑑登録: registering a resident's seal, its loss (亡失) and abolition (廃止), and reading it.

Every step is an event of the municipality's seal journal, written in one unit of work with the
registration it changes and its access-log entry, under the journal head's lock (so "one
registration per person" is checked against what the previous writer committed); a view of a
person's seals is logged in the unit of work that reads them. The register's own changes call
``abolish_on_removal`` in their unit of work: a person who moves out, dies or is otherwise
removed loses their registration in the same commit (職権廃止), never later.

The seal image is measured by an adapter (pixels and declared dpi); the size rule is the
domain's. What the counter cannot know from the register (an adult ward and whether the legal
representative came along) is declared by the clerk.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from jichitai.domain.access.actor import Actor
from jichitai.domain.access.roles import Permission
from jichitai.domain.access.suppression import Process
from jichitai.domain.common.identifiers import AtenaNumber
from jichitai.domain.errors import DomainError, NotFound, Violation, invalid
from jichitai.domain.inbound.text import SEAL_NOTES
from jichitai.domain.residents.model import ResidentRecord, ResidentStatus
from jichitai.domain.seals.events import SealEvent, SealEventKind, chain_faults, replay, sealed
from jichitai.domain.seals.registration import (
    Applicant,
    EndReason,
    Impression,
    SealRegistration,
    check_registration,
    end_registration,
)
from jichitai.services.audit import AccessLog, Operation
from jichitai.services.event_ids import new_event_id
from jichitai.services.ports import (
    GENESIS_HASH,
    Clock,
    IdSource,
    JournalEntry,
    SealImageReader,
    UnitOfWork,
)
from jichitai.services.suppression import SuppressionService

#: Ends a clerk records; the others follow from changes of the register.
COUNTER_ENDS = (EndReason.CARD_LOST, EndReason.REQUESTED)

_END_BY_STATUS = {
    ResidentStatus.MOVED_OUT: EndReason.MOVED_OUT,
    ResidentStatus.DEAD: EndReason.DIED,
    ResidentStatus.REMOVED: EndReason.REMOVED,
}


@dataclass(frozen=True, slots=True)
class MeasuredSeal:
    """A seal image as read by the adapter."""

    impression: Impression
    sha256: str
    dpi: tuple[float, float]
    png: bytes
    """What is kept and printed: the impression cropped to a small margin, as PNG with its
    dpi, whatever format was uploaded; ``sha256`` is this PNG's."""


@dataclass(frozen=True, slots=True)
class PersonSeals:
    """A person's registrations (newest first) and every event of them, in journal order."""

    atena_number: str
    registrations: tuple[SealRegistration, ...]
    events: tuple[SealEvent, ...]

    @property
    def active(self) -> SealRegistration | None:
        return next((r for r in self.registrations if r.is_active), None)


def _event(
    head: tuple[int, str],
    municipality_code: str,
    clock: Clock,
    ids: IdSource,
    *,
    registration_number: str,
    atena_number: str,
    kind: SealEventKind,
    effective_on: date,
    operator: str,
    terminal: str,
    place: str,
    notes: str = "",
    impression: Impression | None = None,
    image_sha256: str = "",
    end_reason: EndReason | None = None,
    journal_event_id: str = "",
) -> SealEvent:
    """The next event of the chain whose (locked) head is ``head``."""
    seq, prev_hash = head
    now = clock.now()
    return sealed(
        SealEvent(
            municipality_code=municipality_code,
            seq=seq + 1,
            event_id=new_event_id(ids, now),
            registration_number=registration_number,
            atena_number=atena_number,
            kind=kind,
            effective_on=effective_on,
            recorded_at=now,
            operator=operator[:100],
            terminal=terminal[:100],
            place=place[:100],
            notes=notes,
            width_mm=round(impression.width_mm, 2) if impression else None,
            height_mm=round(impression.height_mm, 2) if impression else None,
            image_sha256=image_sha256,
            end_reason=end_reason,
            journal_event_id=journal_event_id,
            prev_hash=prev_hash,
        )
    )


def abolish_on_removal(
    uow: UnitOfWork,
    municipality_code: str,
    clock: Clock,
    ids: IdSource,
    records: Sequence[ResidentRecord],
    entry: JournalEntry,
) -> list[SealEvent]:
    """職権廃止: end the active registration of every removed person among ``records`` (the
    snapshots a change just wrote), in the change's own unit of work."""
    removed = [r for r in records if r.is_removed]
    if not removed:
        return []
    head = uow.seals.head()
    events: list[SealEvent] = []
    for record in removed:
        registration = uow.seals.active(record.atena_number.value)
        if registration is None:
            continue
        # It ends when the change is recorded (a 転出届 for a later date ends it now, as the
        # model 印鑑条例 does) or on the earlier date of a death recorded late; never before
        # the registration's own first day.
        ends_on = max(min(entry.effective_on, clock.today()), registration.registered_on)
        ended = end_registration(registration, _END_BY_STATUS[record.status], ends_on)
        assert ended.ended_on is not None
        event = _event(
            head,
            municipality_code,
            clock,
            ids,
            registration_number=registration.registration_number,
            atena_number=registration.atena_number,
            kind=SealEventKind.ENDED,
            effective_on=ended.ended_on,
            operator=entry.operator,
            terminal=entry.terminal,
            place=entry.place,
            notes="異動により職権で廃止",
            end_reason=ended.end_reason,
            journal_event_id=entry.event_id,
        )
        uow.seals.append(event, ended)
        head = (event.seq, event.entry_hash)
        events.append(event)
    return events


class SealService:
    def __init__(
        self,
        uow_for: Callable[[str], UnitOfWork],
        suppressions: SuppressionService,
        access_log: AccessLog,
        clock: Clock,
        read_image: SealImageReader,
        ids: IdSource,
    ) -> None:
        self._uow_for = uow_for
        self._suppressions = suppressions
        self._log = access_log
        self._clock = clock
        self._read_image = read_image
        self._ids = ids

    def register(
        self,
        actor: Actor,
        atena_number: str,
        image: bytes,
        *,
        adult_ward: bool = False,
        representative_present: bool = False,
        notes: str = "",
        acknowledged: frozenset[str] = frozenset(),
    ) -> SealRegistration:
        """印鑑登録: the seal registered and its 印鑑登録証 number (登録番号) issued."""
        actor.require(Permission.REGISTER_SEAL)
        atena = AtenaNumber.parse(atena_number)
        notes = SEAL_NOTES.read(notes, "notes")
        measured = self._read_image(image)
        mc = actor.municipality_code
        today = self._clock.today()
        with self._uow_for(mc) as uow:
            head = uow.seals.head()
            record = _person(uow, atena)
            self._suppressions.guard(
                uow,
                Process.CHANGE,
                [(atena.value, record.household_number.value)],
                acknowledged=acknowledged,
            )
            birth = record.birth_date
            applicant = Applicant(
                atena_number=atena.value,
                is_resident=not record.is_removed,
                birth_date=birth.as_date() if birth.is_calendar else None,
                adult_ward=adult_ward,
                representative_present=representative_present,
            )
            check_registration(applicant, uow.seals.active(atena.value), measured.impression, today)
            event = _event(
                head,
                mc,
                self._clock,
                self._ids,
                registration_number=uow.seals.new_registration_number(),
                atena_number=atena.value,
                kind=SealEventKind.REGISTERED,
                effective_on=today,
                operator=actor.login,
                terminal=actor.terminal,
                place=actor.place,
                notes=notes,
                impression=measured.impression,
                image_sha256=measured.sha256,
            )
            registration = replay([event])
            uow.seals.append(event, registration, measured.png)
            self._log.record_in(
                uow,
                actor,
                Operation.REGISTER_SEAL,
                atena_numbers=(atena.value,),
                target=f"seal:{registration.registration_number}",
            )
            uow.commit()
        return registration

    def end(
        self,
        actor: Actor,
        registration_number: str,
        reason: EndReason,
        *,
        on: date | None = None,
        notes: str = "",
    ) -> SealRegistration:
        """亡失 (the card lost) or 廃止 on request; the end date defaults to today."""
        actor.require(Permission.REGISTER_SEAL)
        if reason not in COUNTER_ENDS:
            raise invalid(
                "seal.end_reason",
                "窓口で記録できるのは亡失と廃止（申請）です。転出・死亡による廃止は異動の記録で行われます",
                "reason",
            )
        notes = SEAL_NOTES.read(notes, "notes")
        today = self._clock.today()
        ends_on = on or today
        if ends_on > today:
            raise invalid("seal.future_date", "未来の日付は指定できません", "on")
        mc = actor.municipality_code
        with self._uow_for(mc) as uow:
            head = uow.seals.head()
            registration = _registration(uow, registration_number)
            ended = end_registration(registration, reason, ends_on)
            event = _event(
                head,
                mc,
                self._clock,
                self._ids,
                registration_number=registration.registration_number,
                atena_number=registration.atena_number,
                kind=SealEventKind.ENDED,
                effective_on=ends_on,
                operator=actor.login,
                terminal=actor.terminal,
                place=actor.place,
                notes=notes,
                end_reason=reason,
            )
            uow.seals.append(event, ended)
            self._log.record_in(
                uow,
                actor,
                Operation.END_SEAL,
                atena_numbers=(registration.atena_number,),
                target=f"seal:{registration.registration_number}",
            )
            uow.commit()
        return ended

    def of_person(
        self, actor: Actor, atena_number: str, *, acknowledged: frozenset[str] = frozenset()
    ) -> PersonSeals:
        """The person's registrations and their history (照会); ``acknowledged``: the alerts
        of the person's settings for 照会 the clerk has confirmed."""
        actor.require(Permission.VIEW)
        atena = AtenaNumber.parse(atena_number)
        mc = actor.municipality_code
        with self._uow_for(mc) as uow:
            record = _person(uow, atena)
            registrations = tuple(uow.seals.registrations(atena.value))
            events = tuple(uow.seals.events(atena_number=atena.value))
            self._suppressions.guard(
                uow,
                Process.VIEW,
                [(atena.value, record.household_number.value)],
                acknowledged=acknowledged,
            )
            self._log.record_in(
                uow, actor, Operation.VIEW_SEAL, atena_numbers=(atena.value,), target="seal"
            )
            uow.commit()
        return PersonSeals(atena.value, registrations, events)

    def image(
        self,
        actor: Actor,
        registration_number: str,
        *,
        acknowledged: frozenset[str] = frozenset(),
    ) -> bytes:
        """The registered impression (PNG); ``acknowledged`` as for ``of_person``."""
        actor.require(Permission.VIEW)
        mc = actor.municipality_code
        with self._uow_for(mc) as uow:
            registration = _registration(uow, registration_number)
            record = _person(uow, AtenaNumber.parse(registration.atena_number))
            png = uow.seals.image(registration_number)
            assert png is not None
            self._suppressions.guard(
                uow,
                Process.VIEW,
                [(registration.atena_number, record.household_number.value)],
                acknowledged=acknowledged,
            )
            self._log.record_in(
                uow,
                actor,
                Operation.VIEW_SEAL,
                atena_numbers=(registration.atena_number,),
                target=f"seal:{registration_number}:image",
            )
            uow.commit()
        return png

    def verify_chain(self, municipality_code: str) -> int:
        """Check the municipality's seal journal; the number of events, or ``seal.tampered``."""
        with self._uow_for(municipality_code) as uow:
            last_seq, last_hash = uow.seals.head()
            events = uow.seals.events()
        faults = chain_faults(events, GENESIS_HASH)
        tip = (events[-1].seq, events[-1].entry_hash) if events else (0, GENESIS_HASH)
        if faults or tip != (last_seq, last_hash):
            first = faults[0] if faults else last_seq
            raise DomainError(
                Violation(
                    "seal.tampered",
                    f"印鑑登録の記録（{first}番）が改ざんされているか欠落しています",
                    "seq",
                )
            )
        return len(events)


def _person(uow: UnitOfWork, atena: AtenaNumber) -> ResidentRecord:
    record = uow.read_model.current(atena)
    if record is None:
        raise NotFound(
            Violation(
                "person.not_found",
                f"宛名番号 {atena.value} の住民は登録されていません",
                "atena_number",
            )
        )
    return record


def _registration(uow: UnitOfWork, registration_number: str) -> SealRegistration:
    found = uow.seals.get(registration_number.strip())
    if found is None:
        raise NotFound(
            Violation(
                "seal.not_found",
                f"登録番号 {registration_number} の印鑑登録はありません",
                "registration_number",
            )
        )
    return found
