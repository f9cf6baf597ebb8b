"""The 印鑑登録 journal: every step of a registration as an immutable, hash-chained event.

A registration's state is never stored alone: it is what its events say, folded in order
(``replay``). Each municipality's seal events form one chain, as its 異動 journal does:
``entry_hash`` is the SHA-256 of the previous entry's hash and the canonical JSON of every other
field, so an edited, removed or reordered event breaks the chain (``chain_faults``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import date, datetime
from enum import StrEnum

from jichitai.domain.seals.registration import (
    END_LABELS,
    EndReason,
    Impression,
    SealRegistration,
    end_registration,
)


class SealEventKind(StrEnum):
    REGISTERED = "registered"
    ENDED = "ended"
    """亡失 or 廃止 (on request, or by the office on the person's move-out, death or removal)."""


EVENT_LABELS: dict[SealEventKind, str] = {
    SealEventKind.REGISTERED: "印鑑登録",
}


@dataclass(frozen=True, slots=True)
class SealEvent:
    municipality_code: str
    seq: int
    event_id: str
    registration_number: str
    atena_number: str
    kind: SealEventKind
    effective_on: date
    recorded_at: datetime
    operator: str
    terminal: str
    place: str
    notes: str = ""
    width_mm: float | None = None
    height_mm: float | None = None
    image_sha256: str = ""
    end_reason: EndReason | None = None
    journal_event_id: str = ""
    """For an abolition by the office: the 異動 that removed the person."""
    prev_hash: str = ""
    entry_hash: str = ""

    @property
    def label(self) -> str:
        if self.end_reason is not None:
            return END_LABELS[self.end_reason]
        return EVENT_LABELS[self.kind]


def seal_event_hash(event: SealEvent) -> str:
    fields = asdict(event)
    fields.pop("entry_hash")
    fields.pop("prev_hash")
    fields["recorded_at"] = event.recorded_at.isoformat()
    fields["effective_on"] = event.effective_on.isoformat()
    digest = hashlib.sha256(event.prev_hash.encode())
    # The canonical text (as the register's codec writes it): keys sorted, no spaces, characters
    # as themselves; every value here is a string, number, bool or None (enums are strings).
    text = json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    digest.update(text.encode())
    return digest.hexdigest()


def sealed(event: SealEvent) -> SealEvent:
    """The event with its ``entry_hash`` set."""
    return replace(event, entry_hash=seal_event_hash(event))


def replay(events: Iterable[SealEvent]) -> SealRegistration:
    """The registration as its events (one registration's, in order) leave it."""
    registration: SealRegistration | None = None
    for event in events:
        if event.kind is SealEventKind.REGISTERED:
            if registration is not None:
                raise ValueError(f"registration {event.registration_number} registered twice")
            assert event.width_mm is not None and event.height_mm is not None
            registration = SealRegistration(
                atena_number=event.atena_number,
                registration_number=event.registration_number,
                registered_on=event.effective_on,
                impression=Impression(event.width_mm, event.height_mm),
                image_sha256=event.image_sha256,
            )
        else:
            if registration is None or event.end_reason is None:
                raise ValueError(f"registration {event.registration_number}: end before start")
            registration = end_registration(registration, event.end_reason, event.effective_on)
    if registration is None:
        raise ValueError("no events")
    return registration


def chain_faults(events: Sequence[SealEvent], genesis: str) -> list[int]:
    """The ``seq`` of every event whose place in the chain is wrong (empty: intact)."""
    faults: list[int] = []
    previous, expected_seq = genesis, 1
    for event in events:
        if (
            event.seq != expected_seq
            or event.prev_hash != previous
            or seal_event_hash(event) != event.entry_hash
        ):
            faults.append(event.seq)
        previous, expected_seq = event.entry_hash, event.seq + 1
    return faults
