"""What is scheduled to happen in the demo register, and when.

Each event is a small frozen dataclass naming the household or person it happens to; the union
:data:`ScheduledEvent` is all of them. When a household moves in, :meth:`Schedule.plan_history`
draws its later history (births, deaths, 転居, 転出, 世帯分離, corrections …) at dates between its
move-in and the anchor (:mod:`~jichitai.demo.anchor`, the last day of the generated history);
every event is checked again against the household as it is when its day comes, and :class:`~jichitai.demo.history.History` records it or counts it skipped.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from random import Random
from typing import Final

from jichitai.demo.picture import Household, Person
from jichitai.domain.common.address import Address
from jichitai.domain.residents.model import Sex

FORMER_SURNAME_START: Final = date(2019, 11, 5)
"""旧氏 can be entered from this day."""


@dataclass(frozen=True, slots=True)
class HouseholdMovesIn:
    """転入 of a planned household; once recorded, its later history is scheduled."""

    household: Household


@dataclass(frozen=True, slots=True)
class HouseholdArrives:
    """転入 of a recent arrival (the top-up): nothing is scheduled after it."""

    household: Household


@dataclass(frozen=True, slots=True)
class HouseholdMovesInTown:
    """転居 of the whole household to another address in town."""

    household: Household


@dataclass(frozen=True, slots=True)
class HouseholdMovesOut:
    """転出 of the whole household."""

    household: Household


@dataclass(frozen=True, slots=True)
class MoveInNoticeArrives:
    """A 転入通知 from the municipality a person moved to."""

    person: Person
    moved_in_on: date
    confirmed: Address


@dataclass(frozen=True, slots=True)
class ChildLeaves:
    """An adult child moves out of town alone (転出)."""

    person: Person


@dataclass(frozen=True, slots=True)
class ChildSplitsOff:
    """世帯分離: an adult child forms a household of their own at the same address."""

    person: Person


@dataclass(frozen=True, slots=True)
class FamilySplitsOff:
    """世帯分離 of the young family in a three-generation household (子, 子の妻, 子の子)."""

    son: Person


@dataclass(frozen=True, slots=True)
class ChildIsBorn:
    """出生 of a child of ``mother`` and her partner."""

    mother: Person


@dataclass(frozen=True, slots=True)
class PersonDies:
    """死亡 (and a new head, when the head dies)."""

    person: Person


@dataclass(frozen=True, slots=True)
class LotRewritten:
    """軽微な修正: a lot entered 地番-style rewritten as 住居表示."""

    household: Household


@dataclass(frozen=True, slots=True)
class ReadingCorrected:
    """誤記修正: a reading entered wrongly at the move-in is put right."""

    person: Person


@dataclass(frozen=True, slots=True)
class FormerSurnameEntered:
    """旧氏の記載 for a married woman, at her request."""

    person: Person


@dataclass(frozen=True, slots=True)
class RemovedExOfficio:
    """職権消除 after a survey found nobody living there."""

    person: Person


ScheduledEvent = (
    HouseholdMovesIn
    | HouseholdArrives
    | HouseholdMovesInTown
    | HouseholdMovesOut
    | MoveInNoticeArrives
    | ChildLeaves
    | ChildSplitsOff
    | FamilySplitsOff
    | ChildIsBorn
    | PersonDies
    | LotRewritten
    | ReadingCorrected
    | FormerSurnameEntered
    | RemovedExOfficio
)
"""What may happen later to a household or a person, checked again when its day comes."""


class Schedule:
    """The events to come, in order of date (in the order they were added within a day); the
    dates are drawn from ``shape`` (the stream of the register's shape), never after the anchor."""

    def __init__(self, *, anchor: date, shape: Random) -> None:
        self.anchor = anchor
        self.rng = shape
        self._queue: list[tuple[date, int, ScheduledEvent]] = []
        self._counter = itertools.count()

    def add(self, on: date, event: ScheduledEvent) -> None:
        heapq.heappush(self._queue, (on, next(self._counter), event))

    def due(self) -> Iterator[tuple[date, ScheduledEvent]]:
        """The events in order until none is left (those added meanwhile included)."""
        while self._queue:
            on, _, event = heapq.heappop(self._queue)
            yield on, event

    def when(
        self, after: date, *, within: int | None = None, not_before: date | None = None
    ) -> date | None:
        """A random date after ``after`` (and after ``not_before``) up to the anchor, or None."""
        start = max(after + timedelta(days=1), not_before or date.min)
        end = self.anchor if within is None else min(self.anchor, after + timedelta(days=within))
        if start > end:
            return None
        return start + timedelta(days=self.rng.randrange((end - start).days + 1))

    def plan_history(self, household: Household, since: date) -> None:
        """Plan this household's later history (each event is checked again when it comes)."""
        rng = self.rng

        def plan(event: ScheduledEvent, on: date | None) -> None:
            if on is not None:
                self.add(on, event)

        if rng.random() < 0.09:
            plan(HouseholdMovesInTown(household), self.when(since))
        if rng.random() < 0.11:
            plan(HouseholdMovesOut(household), self.when(since))
        if household.address.lot_text and "番地" in household.address.lot_text:
            plan(LotRewritten(household), self.when(since, within=3 * 365))
        for m in household.members:
            if m.true_name is not None:
                plan(ReadingCorrected(m), self.when(since, within=400))
            if m.maiden is not None and rng.random() < 0.15:
                plan(FormerSurnameEntered(m), self.when(since, not_before=FORMER_SURNAME_START))
            if m.age_on(self.anchor) >= 72 and rng.random() < 0.2:
                plan(
                    PersonDies(m),
                    self.when(since, not_before=self.anchor - timedelta(days=6 * 365)),
                )
            if m.relationship == "子" and m.partner is None and rng.random() < 0.3:
                adult = (
                    m.born.replace(year=m.born.year + 20)
                    if (m.born.month, m.born.day) != (2, 29)
                    else m.born + timedelta(days=7305)
                )
                plan(ChildSplitsOff(m), self.when(since, not_before=adult))
            elif m.relationship == "子" and m.partner is None and rng.random() < 0.12:
                adult = m.born + timedelta(days=18 * 366)
                plan(ChildLeaves(m), self.when(since, not_before=adult))
            if m.relationship == "子" and m.partner is not None and rng.random() < 0.3:
                plan(FamilySplitsOff(m), self.when(since))
            if m.sex is Sex.FEMALE and m.partner is not None and m.relationship != "妻（未届）":
                fertile_from = m.born + timedelta(days=22 * 366)
                fertile_to = m.born + timedelta(days=42 * 366)
                for _ in range(2):
                    if rng.random() < 0.3:
                        on = self.when(
                            max(since, fertile_from),
                            not_before=self.anchor - timedelta(days=5 * 365),
                        )
                        if on is not None and on <= fertile_to:
                            plan(ChildIsBorn(m), on)
        if len(household.members) == 1 and rng.random() < 0.02:
            plan(
                RemovedExOfficio(household.members[0]),
                self.when(since, not_before=self.anchor - timedelta(days=3 * 365)),
            )

    def plan_after_split(self, household: Household, since: date) -> None:
        """Plan a little of the history of a household formed by a 世帯分離."""
        rng = self.rng
        for m in household.members:
            if m.sex is Sex.FEMALE and m.partner is not None and rng.random() < 0.4:
                on = self.when(since)
                if on is not None and on <= m.born + timedelta(days=42 * 366):
                    self.add(on, ChildIsBorn(m))
        if rng.random() < 0.1:
            on = self.when(since)
            if on is not None:
                self.add(on, HouseholdMovesInTown(household))
