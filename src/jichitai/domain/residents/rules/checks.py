"""The bag every rule writes its refusals into, and the shape of a planner.

Rules do not stop at the first fault: they record every error and alert here, and
``plan_change`` refuses with all of them at once so the counter sees every fault together.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from jichitai.domain.errors import RuleViolations, Severity, Violation
from jichitai.domain.residents.view import ChangeContext, ChangePlan, RegisterView


@dataclass
class Checks:
    """Collects errors and alerts; ``raise_if_any`` refuses with all of them at once."""

    acknowledged: frozenset[str]
    today: date = date.min
    """The processing date (to tell a planned 転出 not yet due from a past one)."""
    errors: list[Violation] = field(default_factory=list)
    alerts: list[Violation] = field(default_factory=list)

    def error(self, code: str, message: str, field_name: str | None = None) -> None:
        self.errors.append(Violation(code, message, field_name, Severity.ERROR))

    def alert(self, code: str, message: str, field_name: str | None = None) -> None:
        self.alerts.append(Violation(code, message, field_name, Severity.ALERT))

    def raise_if_any(self) -> tuple[Violation, ...]:
        """Refuse on any error or unacknowledged alert; return the acknowledged alerts."""
        pending = [a for a in self.alerts if a.code not in self.acknowledged]
        if self.errors or pending:
            raise RuleViolations(*self.errors, *pending)
        return tuple(self.alerts)


Planner = Callable[[Any, RegisterView, ChangeContext, Checks], ChangePlan]
"""The rules of one kind of command: the command, the register, today; faults go to the bag."""
