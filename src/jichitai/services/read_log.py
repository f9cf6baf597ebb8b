"""The access-log entry of a list that names persons (standard §10.2 (1370): every read is
logged), for the lists of the national links: the CS's inbox and outbox, the consistency check,
the cards, the 出入国在留管理庁長官通知; and which persons such a list must not identify.

Such a list is read from its own store; once it is read, one entry goes to the access log as the
register's lists write theirs (``RegisterAccess.names``, ``NumberLinkService.records``): operation
``view``, ``target`` the list and its filter, the persons shown by 宛名番号. A person a list
names only by 住民票コード is found in the register by that code (live or removed); one the
register does not know (a 転出証明書情報 of someone not yet moved in, a code only the CS holds)
has no 宛名番号 here and is counted in ``person_count`` only. A refusal is logged where every
refusal of an authenticated user is (the API's error handler), as for the register's reads.

抑止・支援措置: in the same unit of work, the persons of the list whose record a setting keeps
from view are found (``SuppressionService.withheld_from``; the rule is
``domain/access/suppression/listing.py``) and answered in :class:`Withheld`: the calling service
replaces their identifying items by ``WITHHELD_MARK`` before anything leaves it. They are not
logged as shown (nothing of them was), only counted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from jichitai.domain.access.actor import Actor
from jichitai.domain.common.identifiers import AtenaNumber
from jichitai.domain.errors import DomainError
from jichitai.services.audit import AccessLog, Operation
from jichitai.services.ports import UnitOfWork
from jichitai.services.suppression import SuppressionService


@dataclass(frozen=True, slots=True)
class Withheld:
    """The persons of a list the actor may not be shown: by 宛名番号 and by 住民票コード."""

    atena_numbers: frozenset[str] = field(default_factory=frozenset)
    resident_codes: frozenset[str] = field(default_factory=frozenset)

    def __bool__(self) -> bool:
        return bool(self.atena_numbers or self.resident_codes)

    def of(self, atena_number: str | None = None, resident_code: str | None = None) -> bool:
        """Whether the person named by either number is withheld."""
        return bool(
            (atena_number and atena_number in self.atena_numbers)
            or (resident_code and resident_code in self.resident_codes)
        )


class ReadLog:
    def __init__(
        self,
        uow_for: Callable[[str], UnitOfWork],
        access_log: AccessLog,
        suppressions: SuppressionService | None = None,
    ) -> None:
        """``suppressions`` None: nothing is withheld (a test's own wiring only)."""
        self._uow_for = uow_for
        self._log = access_log
        self._suppressions = suppressions

    def listed(
        self,
        actor: Actor,
        target: str,
        *,
        atena_numbers: Iterable[str] = (),
        resident_codes: Iterable[str] = (),
        others: int = 0,
        my_number_shown: bool = False,
    ) -> Withheld:
        """Log that ``actor`` was shown the list ``target`` naming these persons: by 宛名番号,
        by 住民票コード (found here, or counted), and ``others`` named by neither; answer the
        persons whose identifying items the caller must withhold (not logged as shown)."""
        numbers = dict.fromkeys(a for a in atena_numbers if a)
        codes = {c for c in resident_codes if c}
        with self._uow_for(actor.municipality_code) as uow:
            known = uow.read_model.atena_numbers_by_code(sorted(codes)) if codes else {}
            numbers.update(dict.fromkeys(known[c] for c in sorted(known)))
            kept = self._withheld(uow, actor, list(numbers))
            self._log.record_in(
                uow,
                actor,
                Operation.VIEW,
                atena_numbers=[a for a in numbers if a not in kept],
                target=target,
                person_count=len(numbers) + len(codes - known.keys()) + others,
                my_number_shown=my_number_shown,
            )
            uow.commit()
        return Withheld(kept, frozenset(c for c, a in known.items() if a in kept))

    def _withheld(self, uow: UnitOfWork, actor: Actor, numbers: list[str]) -> frozenset[str]:
        if self._suppressions is None or not numbers:
            return frozenset()
        parsed: list[AtenaNumber] = []
        for number in numbers:
            try:
                parsed.append(AtenaNumber.parse(number))
            except DomainError:
                continue
        persons = [
            (r.atena_number.value, r.household_number.value)
            for r in uow.read_model.current_of(parsed)
        ]
        return self._suppressions.withheld_from(uow, actor, persons)
