"""Reading the issue history (who issued what, when, where) and the day's 文字超過リスト.

Reading it is a read of personal data (the persons each copy names): it is logged in the unit of
work that reads it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Final

from jichitai.domain.access.actor import Actor
from jichitai.domain.access.roles import Permission
from jichitai.domain.certificates.contents import Overflow
from jichitai.domain.certificates.kinds import CERTIFICATE_TYPES
from jichitai.domain.common.identifiers import AtenaNumber
from jichitai.services.audit import AccessLog, Operation
from jichitai.services.certificate_records import IssueRecord, KindTotal
from jichitai.services.ports import UnitOfWork

MAX_HISTORY: Final = 500


class IssueHistory:
    def __init__(self, uow_for: Callable[[str], UnitOfWork], access_log: AccessLog) -> None:
        self._uow_for = uow_for
        self._log = access_log

    def history(
        self,
        actor: Actor,
        atena_number: str | None = None,
        issued_on: date | None = None,
    ) -> list[IssueRecord]:
        """The issue history, newest first: of one person, of one day, or the latest copies;
        at most 500."""
        actor.require(Permission.ISSUE)
        person = AtenaNumber.parse(atena_number).value if atena_number else None
        with self._uow_for(actor.municipality_code) as uow:
            found = list(
                uow.certificates.history(
                    atena_number=person, issued_on=issued_on, limit=MAX_HISTORY
                )
            )
            self._log.record_in(
                uow,
                actor,
                Operation.VIEW,
                atena_numbers=(person,) if person else (),
                target="certificate_history" + (f":{issued_on.isoformat()}" if issued_on else ""),
            )
            uow.commit()
        return found

    def overflow_list(self, actor: Actor, issued_on: date) -> list[tuple[IssueRecord, Overflow]]:
        """文字超過リスト (§5.8): the values the day's copies could not print whole, by copy
        (read, and logged, as the day's issue history)."""
        return [(r, o) for r in self.history(actor, issued_on=issued_on) for o in r.overflows]

    def totals(self, actor: Actor, issued_on: date) -> list[KindTotal]:
        """The day's requests, copies (通数) and fees (手数料) summed per kind, in the order
        the kinds are registered; copies recorded as disposed of are left out. Logged as a read
        of the day's issue history (``certificate_totals:<date>``); it names no person."""
        actor.require(Permission.ISSUE)
        with self._uow_for(actor.municipality_code) as uow:
            found = {t.kind: t for t in uow.certificates.totals(issued_on)}
            self._log.record_in(
                uow, actor, Operation.VIEW, target=f"certificate_totals:{issued_on.isoformat()}"
            )
            uow.commit()
        order = [t.kind.value for t in CERTIFICATE_TYPES]
        return sorted(
            found.values(), key=lambda t: order.index(t.kind) if t.kind in order else len(order)
        )
