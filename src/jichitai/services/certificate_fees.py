"""手数料: the municipality's fee per copy of each kind, set by an administrator, and the fee of
a request worked out from it (entry points never compute a fee).

A kind the municipality has not set costs ``DEFAULT_FEE_PER_COPY`` (300円) a copy; a 公用
request is free (``domain.certificates.requests.fee_for``). Setting the table is logged as 設定変更
(``certificate_fees``) in the unit of work that writes it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from jichitai.domain.access.actor import Actor
from jichitai.domain.access.roles import Permission
from jichitai.domain.certificates.kinds import CERTIFICATE_TYPES, CertificateKind
from jichitai.domain.certificates.requests import (
    DEFAULT_FEE_PER_COPY,
    RequestTerms,
    check_fee,
    fee_for,
)
from jichitai.domain.errors import DomainError, InvalidValue, Violation
from jichitai.services.audit import AccessLog, Operation
from jichitai.services.ports import UnitOfWork


def fee_table(uow: UnitOfWork) -> dict[CertificateKind, int]:
    """Every kind's fee per copy in the unit of work's municipality (the default where unset)."""
    stored = uow.certificates.fees()
    return {t.kind: stored.get(t.kind.value, DEFAULT_FEE_PER_COPY) for t in CERTIFICATE_TYPES}


def request_fee(uow: UnitOfWork, kind: CertificateKind, terms: RequestTerms) -> int:
    """The fee of a request for ``terms.copies`` copies of ``kind`` (円)."""
    return fee_for(terms, fee_table(uow)[kind])


class CertificateFees:
    def __init__(self, uow_for: Callable[[str], UnitOfWork], access_log: AccessLog) -> None:
        self._uow_for = uow_for
        self._log = access_log

    def fees(self, actor: Actor) -> dict[CertificateKind, int]:
        """The fee per copy of every kind, as administrators set it."""
        actor.require(Permission.MANAGE_ISSUER)
        with self._uow_for(actor.municipality_code) as uow:
            return fee_table(uow)

    def set_fees(
        self, actor: Actor, fees: Mapping[CertificateKind, int]
    ) -> dict[CertificateKind, int]:
        """Set the fee per copy of the kinds named (others keep theirs); every fault told at
        once."""
        actor.require(Permission.MANAGE_ISSUER)
        faults: list[Violation] = []
        for kind, fee in fees.items():
            try:
                check_fee(fee, f"fees.{kind.value}")
            except DomainError as e:
                faults.extend(e.violations)
        if faults:
            raise InvalidValue(*faults)
        with self._uow_for(actor.municipality_code) as uow:
            table = fee_table(uow) | dict(fees)
            uow.certificates.set_fees({k.value: v for k, v in table.items()})
            self._log.record_in(
                uow,
                actor,
                Operation.CHANGE_SETTINGS,
                target="certificate_fees",
                detail="、".join(f"{k.value}={v}" for k, v in table.items()),
            )
            uow.commit()
            return table
