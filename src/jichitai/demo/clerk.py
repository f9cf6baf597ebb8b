"""The demo's clerk: fills in each change (header, filing date, new persons) and records it
through the register, counting what was recorded, refused and skipped."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from random import Random
from typing import Final, Protocol

from jichitai.demo.picture import Person
from jichitai.domain.errors import NotFound, RuleViolations
from jichitai.domain.residents.commands import ChangeCommand, ChangeHeader, NewPerson
from jichitai.domain.residents.model import ResidentKind
from jichitai.domain.residents.relationships import Relationship
from jichitai.services.register import ChangeResult

OPERATOR: Final = "demo"
PLACE: Final = "市民課窓口"
TERMINAL: Final = "DEMO-01"


class ChangeRecorder(Protocol):
    """What the generator needs of the register: ``RegisterService`` is one."""

    def record_change(self, municipality_code: str, command: ChangeCommand) -> ChangeResult:
        """Record the change, or raise ``RuleViolations`` (or ``NotFound``) refusing it."""
        ...


class Clerk:
    """Records changes in one municipality's register; filing delays are drawn from ``shape``
    (the stream of the register's shape)."""

    def __init__(
        self,
        register: ChangeRecorder,
        code: str,
        *,
        anchor: date,
        shape: Random,
        progress: Callable[[int], None] | None,
    ) -> None:
        self.register = register
        self.code = code
        self.anchor = anchor
        self.rng = shape
        self.progress = progress
        self.events: Counter[str] = Counter()
        """Recorded changes by ``ChangeResult.kind``."""
        self.refusals: Counter[str] = Counter()
        """The violation codes of refused commands."""
        self.refused = 0
        self.skipped = 0
        """Scheduled events dropped because the household no longer fitted them."""
        self.entered = 0
        """Persons entered so far."""

    def header(
        self, on: date, filed: date | None = None, *, alerts: frozenset[str] = frozenset()
    ) -> ChangeHeader:
        return ChangeHeader(
            effective_on=on,
            filed_on=filed,
            operator=OPERATOR,
            place=PLACE,
            terminal=TERMINAL,
            acknowledged_alerts=alerts,
        )

    def filed(self, on: date, *, most: int = 14) -> date:
        """A filing date on ``on`` or a few days later (never after the anchor, the last day of
        the generated history)."""
        roll = self.rng.random()
        if roll < 0.35:
            delay = 0
        elif roll < 0.85:
            delay = self.rng.randint(1, min(7, most))
        else:
            delay = self.rng.randint(1, most)
        return min(on + timedelta(days=delay), self.anchor)

    def new_person(self, p: Person, became_on: date | None = None) -> NewPerson:
        return NewPerson(
            kind=p.kind,
            name=p.name,
            birth_date=p.birth,
            sex=p.sex,
            relationship=Relationship.parse(p.relationship),
            family_register=p.family_register,
            individual_number=p.individual_number,
            foreign=p.foreign,
            electoral_roll=p.kind is ResidentKind.JAPANESE
            and p.age_on(became_on or self.anchor) >= 18,
        )

    def record(self, command: ChangeCommand, persons: Sequence[Person] = ()) -> ChangeResult | None:
        """Record one change; a refusal is counted and answered with None."""
        on = command.header.effective_on
        for p in persons:
            if p.last_on > on:  # pragma: no cover - the queue keeps dates in order
                raise AssertionError(
                    f"out-of-order change for {p.atena} on {on} (last {p.last_on})"
                )
        try:
            result = self.register.record_change(self.code, command)
        except (RuleViolations, NotFound) as refusal:
            self.refused += 1
            for violation in refusal.violations:
                self.refusals[violation.code] += 1
            return None
        self.events[result.kind] += 1
        for p in persons:
            p.last_on = on
        self.entered += sum(1 for p in persons if not p.atena)
        if self.progress is not None:
            self.progress(self.entered)
        return result

    def skip(self) -> None:
        """Count a scheduled event dropped because the household no longer fits it."""
        self.skipped += 1
