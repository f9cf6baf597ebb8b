"""改製 and 再製: the record is removed and entered again, items and 宛名番号 unchanged."""

from __future__ import annotations

from datetime import date

import pytest

from jichitai.domain.common.dates import RecordDate
from jichitai.domain.residents.commands import Cancel, Death, Reissue
from jichitai.domain.residents.model import ResidentStatus
from jichitai.domain.residents.reasons import ChangeReason
from tests.factories import a_header, a_household, a_person
from tests.fakes import FakeRegister, record, refused, violation


@pytest.mark.spec("1.1.4")
def test_a_manual_reissue_removes_and_reenters_the_record_keeping_every_item() -> None:
    fake = FakeRegister()
    _, (head,) = a_household(fake, a_person(name="髙橋"))
    before = fake.currents[head.value]
    plan = record(
        fake, Reissue(header=a_header(effective_on=date(2026, 11, 25)), atena_number=head)
    )
    removed, entered = plan.records
    assert (removed.reason, removed.status) == (
        ChangeReason.REISSUE_REMOVAL,
        ResidentStatus.REMOVED,
    )
    assert removed.removed_on == date(2026, 11, 25)
    assert (entered.reason, entered.status) == (ChangeReason.REISSUE_ENTRY, ResidentStatus.RESIDENT)
    assert entered.history_number == before.history_number + 2
    assert entered.atena_number == before.atena_number
    assert (entered.name, entered.birth_date, entered.address, entered.resident_code) == (
        before.name,
        before.birth_date,
        before.address,
        before.resident_code,
    )
    assert fake.snapshots[(head.value, before.history_number)] == before


@pytest.mark.spec("1.2.2")
def test_a_remake_uses_the_remake_reasons() -> None:
    fake = FakeRegister()
    _, (head,) = a_household(fake)
    plan = record(fake, Reissue(header=a_header(), atena_number=head, remake=True))
    assert [r.reason for r in plan.records] == [
        ChangeReason.REMAKE_REMOVAL,
        ChangeReason.REMAKE_ENTRY,
    ]
    assert plan.reason is ChangeReason.REMAKE_ENTRY


@pytest.mark.spec("1.1.4")
def test_cancelling_a_reissue_is_a_correction_and_a_dead_persons_record_is_not_reissued() -> None:
    fake = FakeRegister()
    _, (head,) = a_household(fake)
    record(fake, Reissue(header=a_header(), atena_number=head))
    record(fake, Cancel(header=a_header(), event_id=fake.event_ids[-1]))
    assert fake.currents[head.value].reason is ChangeReason.CANCELLATION_CORRECTION
    assert fake.currents[head.value].is_resident

    record(
        fake, Death(header=a_header(), atena_number=head, died_on=RecordDate.of(date(2026, 11, 1)))
    )
    refusal = refused(fake, Reissue(header=a_header(), atena_number=head))
    violation(refusal, "person.not_resident", field="atena_number")
