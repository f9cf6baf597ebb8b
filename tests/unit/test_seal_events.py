"""The seal journal's events: folding them into a registration, and the hash chain."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from jichitai.domain.errors import DomainError
from jichitai.domain.seals.events import SealEvent, SealEventKind, chain_faults, replay, sealed
from jichitai.domain.seals.registration import EndReason, SealStatus

GENESIS = "0" * 64


def chain(*events: SealEvent) -> list[SealEvent]:
    out: list[SealEvent] = []
    previous = GENESIS
    for seq, event in enumerate(events, start=1):
        done = sealed(replace(event, seq=seq, prev_hash=previous))
        out.append(done)
        previous = done.entry_hash
    return out


def registered(on: date = date(2026, 4, 1)) -> SealEvent:
    return SealEvent(
        municipality_code="131016",
        seq=0,
        event_id="e1",
        registration_number="00000001",
        atena_number="0000000019",
        kind=SealEventKind.REGISTERED,
        effective_on=on,
        recorded_at=datetime(2026, 4, 1, 1, 0, tzinfo=UTC),
        operator="clerk7",
        terminal="T-007",
        place="市民課",
        width_mm=15.02,
        height_mm=14.98,
        image_sha256="ab" * 32,
    )


def ended(reason: EndReason, on: date) -> SealEvent:
    return replace(
        registered(),
        event_id=f"e-{reason}",
        kind=SealEventKind.ENDED,
        effective_on=on,
        end_reason=reason,
        width_mm=None,
        height_mm=None,
        image_sha256="",
    )


def test_events_fold_into_the_registration() -> None:
    start = replay(chain(registered()))
    assert (start.status, start.registered_on, start.impression.width_mm) == (
        SealStatus.ACTIVE,
        date(2026, 4, 1),
        15.02,
    )
    lost = replay(chain(registered(), ended(EndReason.CARD_LOST, date(2026, 5, 1))))
    assert (lost.status, lost.ended_on) == (SealStatus.LOST, date(2026, 5, 1))
    died = replay(chain(registered(), ended(EndReason.DIED, date(2026, 6, 1))))
    assert (died.status, died.end_reason) == (SealStatus.ABOLISHED, EndReason.DIED)
    assert ended(EndReason.MOVED_OUT, date(2026, 6, 1)).label == "廃止（転出）"


def test_impossible_sequences_are_refused() -> None:
    with pytest.raises(DomainError) as twice:
        replay(
            chain(
                registered(),
                ended(EndReason.REQUESTED, date(2026, 5, 1)),
                ended(EndReason.CARD_LOST, date(2026, 5, 2)),
            )
        )
    assert twice.value.code == "seal.not_active"
    with pytest.raises(ValueError):
        replay(chain(ended(EndReason.REQUESTED, date(2026, 5, 1))))
    with pytest.raises(ValueError):
        replay([])


def test_the_chain_reports_an_edited_a_removed_and_a_reordered_event() -> None:
    events = chain(
        registered(),
        ended(EndReason.REQUESTED, date(2026, 5, 1)),
        replace(registered(date(2026, 5, 2)), event_id="e3", registration_number="00000002"),
    )
    assert chain_faults(events, GENESIS) == []
    edited = [events[0], replace(events[1], effective_on=date(2026, 4, 2)), events[2]]
    assert chain_faults(edited, GENESIS) == [2]
    assert chain_faults([events[0], events[2]], GENESIS) == [3]
    assert chain_faults([events[1], events[0], events[2]], GENESIS) != []
