"""処分: recording that a copy issued by mistake was destroyed (§1.3.8).

The copy stays in the issue history, marked; it no longer verifies and cannot be re-issued, and
a second disposal of it is refused. The disposal and its access-log entry commit in one unit of
work.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from jichitai.domain.access.actor import Actor
from jichitai.domain.access.roles import Permission
from jichitai.services.audit import AccessLog, Operation
from jichitai.services.certificate_records import (
    Disposal,
    IssueRecord,
    already_disposed,
    checked_reason,
    own_copy,
)
from jichitai.services.ports import Clock, UnitOfWork


class CertificateDisposal:
    def __init__(
        self, uow_for: Callable[[str], UnitOfWork], access_log: AccessLog, clock: Clock
    ) -> None:
        self._uow_for = uow_for
        self._log = access_log
        self._clock = clock

    def dispose(self, actor: Actor, issue_code: str, reason: str) -> IssueRecord:
        """Record the copy's disposal; the copy as it now stands."""
        actor.require(Permission.ISSUE)
        reason = checked_reason(reason, "処分")
        with self._uow_for(actor.municipality_code) as uow:
            copy = own_copy(uow.certificates, issue_code)
            if copy.disposal is not None:
                raise already_disposed()
            disposal = Disposal(self._clock.now(), actor.login, actor.terminal[:100], reason)
            uow.certificates.dispose(copy.issue_code, disposal)
            self._log.record_in(
                uow,
                actor,
                Operation.DISPOSE_CERTIFICATE,
                atena_numbers=copy.persons,
                target=f"certificate:{copy.issue_code}",
                detail=reason,
            )
            uow.commit()
        return replace(copy, disposal=disposal)
