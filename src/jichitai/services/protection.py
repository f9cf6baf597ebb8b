"""Telling the feed that a 抑止・支援措置 setting began or ended applying (docs/integration.md,
"Withheld persons").

Setting or lifting a 抑止, 支援措置 or 仮支援措置 is not a 異動: the register's records do not
change. But what a subscriber receives does: a setting guarding ``feed`` (他システム連携)
withholds the persons it applies to, and a support measure sets their 支援措置対象フラグ, which a
subscriber with ``withheld_duties`` (the election roll) receives. So that a subscriber following
the feed (or its webhooks) learns it when it happens, the setting's change appends to the journal,
in its own transaction, one entry of kind ``protection`` naming the persons it concerns now (the
person, or the household's living members) with the history number of each one's record in
effect today. The feed renders the entry as any change, judged now: to a subscriber without a
duty a person now withheld is named in ``withheld_persons`` only, a person released comes with
their record again; a subscriber with a duty receives the records with the flag as it now is.

The entry is no 異動: no snapshot of its own, no history number, no 届出; statistics, history and
certificates never see it (``domain.integration.feed.NOT_CHANGES``).

When it is appended:

- **set**, when the setting applies from today or earlier (``PROTECTION_SET``, effective today);
- **the first day of a setting made in advance**: by the effective-dates step
  (``services/effective_dates.py``), which tells every setting whose ``starts_on`` has come and
  that has not been told (``feed_told_seq``; effective on its ``starts_on``);
- **lift** (解除) of a setting that had begun (``PROTECTION_LIFTED``, effective today).

A temporary release (一時解除) never suspends ``feed`` and leaves the person flagged, and an
extension or a new end date changes nothing (the end date plays no part): neither is told.
Each setting is told begun once and lifted once (idempotency keys ``protection:<id>:<reason>``,
unique in the journal; the entry is appended under the chain head's lock).
"""

from __future__ import annotations

from datetime import date, datetime

from jichitai.domain.access.suppression import DV_KINDS, Process, Suppression
from jichitai.domain.common.identifiers import AtenaNumber, HouseholdNumber
from jichitai.domain.integration.feed import PROTECTION, PROTECTION_GROUP, protection_key
from jichitai.services.ports import IdSource, UnitOfWork
from jichitai.services.system_entries import append_system_entry


def concerns_feed(setting: Suppression) -> bool:
    """The setting changes what subscribers receive: it guards ``feed``, or it is a support
    measure (支援措置対象フラグ)."""
    return Process.FEED in setting.processes or setting.kind in DV_KINDS


def persons_now(uow: UnitOfWork, setting: Suppression, today: date) -> list[tuple[str, int]]:
    """(宛名番号, history number of the record in effect today) of everyone the setting
    concerns now: its person, or the living members of its household."""
    reads = uow.read_model
    atenas: list[str] = []
    if setting.atena_number is not None:
        atenas.append(setting.atena_number)
    if setting.household_number is not None:
        household = HouseholdNumber(setting.household_number)
        living = [
            *reads.household_residents(household),
            *reads.household_pending_removals(household, today),  # a 転出 dated after today
        ]
        atenas.extend(r.atena_number.value for r in living)
    found: list[tuple[str, int]] = []
    for atena in sorted(set(atenas)):
        record = reads.snapshot_on(AtenaNumber(atena), today)
        if record is not None:
            found.append((atena, record.history_number))
    return found


def append_protection(
    uow: UnitOfWork,
    ids: IdSource,
    setting: Suppression,
    reason: str,
    *,
    operator: str,
    now: datetime,
    today: date,
    effective_on: date,
) -> int:
    """Append the ``protection`` entry telling ``reason`` of ``setting`` in ``uow`` (the caller
    commits); its seq, or 0 when the setting concerns nobody now (nothing is appended), or when
    it was told already."""
    repo = uow.journal
    head = repo.journal_head()  # serialises the append with every writer
    key = protection_key(setting.suppression_id, reason)
    if repo.entry_by_idempotency_key(key) is not None:
        return 0
    persons = persons_now(uow, setting, today)
    if not persons:
        return 0
    entry = append_system_entry(
        repo,
        ids,
        head=head,
        idempotency_key=key,
        kind=PROTECTION,
        reason=reason,
        reason_group=PROTECTION_GROUP,
        effective_on=effective_on,
        filed_on=None,
        operator=operator,
        now=now,
        payload={
            "persons": [atena for atena, _ in persons],
            "histories": dict(persons),
            "suppression_id": setting.suppression_id,
        },
    )
    return entry.seq
