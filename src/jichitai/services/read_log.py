"""The access-log entry of a list that names persons (standard §10.2 (1370): every read is
logged), for the lists of the national links: the CS's inbox and outbox, the consistency check,
the cards, the 出入国在留管理庁長官通知.

Such a list is read from its own store; once it is read, one entry goes to the access log as the
register's lists write theirs (``RegisterAccess.names``, ``NumberLinkService.records``): operation
``view``, ``target`` the list and its filter, the persons shown by 宛名番号. A person a list
names only by 住民票コード is found in the register by that code (live or removed); one the
register does not know (a 転出証明書情報 of someone not yet moved in, a code only the CS holds)
has no 宛名番号 here and is counted in ``person_count`` only. A refusal is logged where every
refusal of an authenticated user is (the API's error handler), as for the register's reads.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from jichitai.domain.access.actor import Actor
from jichitai.services.audit import AccessLog, Operation
from jichitai.services.ports import UnitOfWork


class ReadLog:
    def __init__(self, uow_for: Callable[[str], UnitOfWork], access_log: AccessLog) -> None:
        self._uow_for = uow_for
        self._log = access_log

    def listed(
        self,
        actor: Actor,
        target: str,
        *,
        atena_numbers: Iterable[str] = (),
        resident_codes: Iterable[str] = (),
        others: int = 0,
        my_number_shown: bool = False,
    ) -> None:
        """Log that ``actor`` was shown the list ``target`` naming these persons: by 宛名番号,
        by 住民票コード (found here, or counted), and ``others`` named by neither."""
        numbers = dict.fromkeys(a for a in atena_numbers if a)
        codes = {c for c in resident_codes if c}
        with self._uow_for(actor.municipality_code) as uow:
            known = uow.read_model.atena_numbers_by_code(sorted(codes)) if codes else {}
            numbers.update(dict.fromkeys(known[c] for c in sorted(known)))
            self._log.record_in(
                uow,
                actor,
                Operation.VIEW,
                atena_numbers=numbers,
                target=target,
                person_count=len(numbers) + len(codes - known.keys()) + others,
                my_number_shown=my_number_shown,
            )
            uow.commit()
