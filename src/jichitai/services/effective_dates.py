"""Telling the feed that a planned change's day has come (docs/integration.md, "Dates").

A change recorded before its 異動日 — a 転出 filed before the move — is in the feed when it is
recorded, marked ``takes_effect: "planned"``. On its 異動日 the register's answers change without
anyone acting (ADR 0011): from that day the person is removed. So that a subscriber following
the feed learns it on the day, this step appends to the journal, for each planned change whose
day has come, one entry of kind ``took_effect`` naming the change (``took_effect_of``) and
carrying the records that now hold. The step is idempotent: the entry's idempotency key is
``took_effect:<seq>`` (unique in the journal), and it runs under the lock of the chain head, so
two runs at once append it once. A planned change cancelled, or superseded by the 転入通知, before
its day has nothing left to tell: it is marked told (0) and no entry is appended.

The same step tells the first day of a 抑止・支援措置 setting made in advance that changes what
other systems receive (``services/protection.py``): one ``protection`` entry naming the persons
it concerns on that day, effective on its ``starts_on`` (``suppressions.feed_told_seq`` keeps the
entry that told it; a setting lifted before its day is never told).

``jichitai worker`` runs the step for every municipality as it polls, ``jichitai feed effective``
runs it by hand, and the feed runs it before answering: a subscriber never reads a feed that is
behind the register's today.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from jichitai.domain.errors import invalid
from jichitai.domain.integration.feed import PROTECTION_SET, TOOK_EFFECT, took_effect_key
from jichitai.services.ports import Clock, IdSource, UnitOfWork
from jichitai.services.protection import append_protection
from jichitai.services.system_entries import append_system_entry

SYSTEM_OPERATOR = "system:effective-dates"


class EffectiveDates:
    """Appends the ``took_effect`` entries of the planned changes whose day has come."""

    def __init__(self, uow_for: Callable[[str], UnitOfWork], clock: Clock, ids: IdSource) -> None:
        self._uow_for = uow_for
        self._clock = clock
        self._ids = ids

    def day(self, on: date | None) -> date:
        """``on``, or today; a day after today is refused (its changes may not hold yet)."""
        today = self._clock.today()
        if on is None:
            return today
        if on > today:
            raise invalid(
                "feed.effective_future",
                "効力発生の通知は今日までの日付についてだけ行えます",
                "on",
            )
        return on

    def run(self, municipality_code: str, on: date | None = None) -> list[int]:
        """Tell every planned change dated on or before ``on`` (default today) not yet told,
        then every setting made in advance whose day has come; the seqs of the entries appended
        (none when there was nothing to tell)."""
        day = self.day(on)
        with self._uow_for(municipality_code) as uow:
            if not uow.journal.anything_due(day):  # the common case: one read, no lock
                return []
        with self._uow_for(municipality_code) as uow:
            appended = self.run_in(uow, day)
            uow.commit()
        return appended

    def tell_in(self, uow: UnitOfWork) -> list[int]:
        """The step for today within ``uow`` (the caller commits), when anything is due: one
        read otherwise (the feed runs it before every answer)."""
        today = self._clock.today()
        if not uow.journal.anything_due(today):
            return []
        return self.run_in(uow, today)

    def run_in(self, uow: UnitOfWork, day: date) -> list[int]:
        """The step within ``uow`` (the caller commits)."""
        repo = uow.journal
        seq, prev_hash = repo.journal_head()  # serialises the step with every writer
        appended: list[int] = []
        for planned_seq in repo.due_planned(day):
            holding = repo.holding_persons(planned_seq)
            if not holding:
                repo.mark_took_effect(planned_seq, 0)
                continue
            (planned,) = repo.journal(after_seq=planned_seq - 1, limit=1)
            entry = append_system_entry(
                repo,
                self._ids,
                head=(seq, prev_hash),
                idempotency_key=took_effect_key(planned_seq),
                kind=TOOK_EFFECT,
                reason=planned.reason,
                reason_group=planned.reason_group,
                effective_on=planned.effective_on,
                filed_on=planned.filed_on,
                operator=SYSTEM_OPERATOR,
                now=self._clock.now(),
                payload={"persons": list(holding), "took_effect_of": planned.event_id},
            )
            repo.mark_took_effect(planned_seq, entry.seq)
            seq, prev_hash = entry.seq, entry.entry_hash
            appended.append(entry.seq)
        appended.extend(self._tell_settings(uow, day))
        return appended

    def _tell_settings(self, uow: UnitOfWork, day: date) -> list[int]:
        """The ``protection`` entries of the settings made in advance whose day has come (the
        caller holds the head's lock)."""
        appended: list[int] = []
        for setting in uow.suppressions.due_feed(day):
            told = append_protection(
                uow,
                self._ids,
                setting,
                PROTECTION_SET,
                operator=SYSTEM_OPERATOR,
                now=self._clock.now(),
                today=self._clock.today(),
                effective_on=setting.starts_on,
            )
            uow.suppressions.mark_feed_told(setting.suppression_id, told)
            if told:
                appended.append(told)
        return appended
