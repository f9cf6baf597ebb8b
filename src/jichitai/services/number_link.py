"""番号連携 (standard §7.1.2.1, §7.1.2.2, §7.1.2.4) and 住民票コードの空きコード (§4.3.1).

- 個人番号の生成要求 (1130): a person recorded without a 個人番号 (出生, 国外からの転入, 職権記載)
  makes a ``個人番号生成要求`` in the CS outbox (``domain/national/cs_messages.py``), sent in order
  after the person's 本人確認情報 and retried by the worker; the number in the answer is taken in
  here (``take_generated``) as a 個人番号の職権記載, the register's normal path.
- 個人番号の変更要求 (1130): ``change_number`` asks the service for a new number at the counter
  (a 変更請求, or a 職権修正) and records it as a 個人番号の変更請求 / 職権修正.
- 符号 (1140) and the serial number of the 利用者証明用電子証明書 (1160): ``obtain`` asks the
  service and records the answer, or the refusal, for the clerk (``records``).
- 空きコード (870): ``refill`` keeps each municipality's stock above its low mark.

Who sees a 個人番号, a 符号 or a serial number is decided here (``sees_individual_numbers``);
every request is written to the access log with the action.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

import orjson

from jichitai.domain.access.actor import Actor
from jichitai.domain.access.disclosure import sees_individual_numbers
from jichitai.domain.access.roles import Permission
from jichitai.domain.common.identifiers import AtenaNumber, IndividualNumber
from jichitai.domain.errors import (
    ConflictError,
    DomainError,
    InvalidValue,
    NotFound,
    Unavailable,
    Violation,
)
from jichitai.domain.national.cs_messages import NUMBER_REQUEST
from jichitai.domain.residents.commands import ChangeHeader, Correct, RecordChanges
from jichitai.domain.residents.reasons import ChangeReason
from jichitai.services.audit import AccessLog, Operation
from jichitai.services.event_ids import new_uuid
from jichitai.services.ports import Clock, CsAnswer, CsEntry, IdSource, UnitOfWork
from jichitai.services.ports.number_link import (
    NumberLinkRecord,
    NumberService,
    NumberServiceRefused,
    NumberServiceUnreachable,
)
from jichitai.services.register import RegisterService

_log = logging.getLogger("jichitai.number_link")
OBTAIN_KINDS: dict[str, str] = {"fugo": "符号", "serial": "電子証明書のシリアル番号"}
SYSTEM_OPERATOR = "番号連携"
"""The operator recorded on a number taken in from the service's answer (no clerk did it)."""


@dataclass(frozen=True, slots=True)
class StockReport:
    """A municipality's stock of free 住民票コード and whether it is below the low mark."""

    size: int
    low_mark: int

    @property
    def low(self) -> bool:
        return self.size < self.low_mark


def _unreachable() -> DomainError:
    return Unavailable(
        Violation(
            "number_link.unreachable",
            "住基ネット（番号生成機関）に接続できません。時間をおいて再度実行してください",
            "number_link",
        ),
        retry_after_seconds=60,
    )


class NumberLinkService:
    """The number links of every municipality (``service`` None: the link is off)."""

    def __init__(
        self,
        uow_for: Callable[[str], UnitOfWork],
        register: RegisterService,
        service: NumberService | None,
        access_log: AccessLog,
        clock: Clock,
        ids: IdSource,
        *,
        municipalities: Callable[[], Sequence[str]],
        low_mark: int = 20,
        block: int = 100,
    ) -> None:
        self._uow_for = uow_for
        self._register = register
        self._service = service
        self._log = access_log
        self._clock = clock
        self._ids = ids
        self._municipalities = municipalities
        self._low_mark = low_mark
        self._block = block

    @property
    def enabled(self) -> bool:
        return self._service is not None

    def _require_service(self) -> NumberService:
        if self._service is None:
            raise ConflictError(
                Violation(
                    "number_link.off",
                    "番号連携が設定されていません（JICHITAI_CS_URL）",
                    "number_link",
                )
            )
        return self._service

    # --- 個人番号の生成要求: the answer taken in (1130) -----------------------------------------

    def take_generated(self, entry: CsEntry, answer: CsAnswer) -> None:
        """The CS sender's hook: the 個人番号 a ``個人番号生成要求`` answered, recorded on the
        person as a 個人番号の職権記載 (once: a resend's answer finds it recorded)."""
        if entry.kind != NUMBER_REQUEST:
            return
        text = answer.data.get("individual_number", "")
        number = IndividualNumber.parse(text)
        atena = AtenaNumber(str(orjson.loads(entry.body)["atena"]))
        with self._uow_for(entry.municipality_code) as uow:
            record = uow.journal.current(atena)
        if record is None:
            raise NotFound(Violation("number_link.person", "対象者が見つかりません", "atena"))
        if record.individual_number == number:
            return
        today = self._clock.today()
        self._register.record_change(
            entry.municipality_code,
            Correct(
                header=ChangeHeader(
                    effective_on=today, filed_on=today, operator=SYSTEM_OPERATOR, ex_officio=True
                ),
                atena_number=atena,
                reason=ChangeReason.INDIVIDUAL_NUMBER_EX_OFFICIO_ENTRY,
                changes=RecordChanges(individual_number=number),
            ),
            idempotency_key=f"number-generated:{entry.seq}:{entry.ordinal}",
        )

    # --- 個人番号の変更要求 (1130) ---------------------------------------------------------------

    def change_number(self, actor: Actor, atena_number: str, *, on_request: bool) -> str:
        """Ask the service for a new 個人番号 for the person (``on_request``: a 変更請求, else a
        職権修正) and record it; the new number as ``actor`` may see it."""
        actor.require(Permission.APPROVE_DRAFT)
        service = self._require_service()
        atena = AtenaNumber(atena_number)
        with self._uow_for(actor.municipality_code) as uow:
            record = uow.journal.current(atena)
        if record is None or record.resident_code is None:
            raise NotFound(Violation("number_link.person", "対象者が見つかりません", "atena"))
        if record.individual_number is None:
            raise InvalidValue(
                Violation(
                    "number_link.no_number",
                    "個人番号が記載されていません。生成要求の回答を待ってください",
                    "atena",
                )
            )
        try:
            text = service.change_number(actor.municipality_code, record.resident_code.value)
        except NumberServiceUnreachable as exc:
            raise _unreachable() from exc
        except NumberServiceRefused as refused:
            self._record(actor, atena_number, "number_change", "", f"{refused}")
            raise InvalidValue(
                Violation("number_link.refused", f"変更要求が拒否されました: {refused}", "atena")
            ) from refused
        number = IndividualNumber.parse(text)
        reason = (
            ChangeReason.INDIVIDUAL_NUMBER_CHANGE_ON_REQUEST
            if on_request
            else ChangeReason.INDIVIDUAL_NUMBER_EX_OFFICIO_CORRECTION
        )
        self._register.record_change(
            actor.municipality_code,
            Correct(
                header=ChangeHeader(
                    effective_on=self._clock.today(),
                    filed_on=self._clock.today(),
                    operator=actor.login,
                    terminal=actor.terminal,
                    place=actor.place,
                    ex_officio=not on_request,
                ),
                atena_number=atena,
                reason=reason,
                changes=RecordChanges(individual_number=number),
            ),
        )
        self._record(actor, atena_number, "number_change", "", "")
        return number.value if sees_individual_numbers(actor) else number.masked()

    # --- 符号 (1140) and 電子証明書のシリアル番号 (1160) --------------------------------------------

    def obtain(self, actor: Actor, atena_number: str, kind: str) -> NumberLinkRecord:
        """Ask the service for the person's 符号 or serial number; the request and its outcome
        are recorded (a refusal too: the clerk sees that it did not go through)."""
        actor.require(Permission.APPROVE_DRAFT)
        if kind not in OBTAIN_KINDS:
            raise InvalidValue(
                Violation("number_link.kind", f"種別 {kind} は指定できません", "kind")
            )
        service = self._require_service()
        atena = AtenaNumber(atena_number)
        with self._uow_for(actor.municipality_code) as uow:
            record = uow.journal.current(atena)
        if record is None or record.resident_code is None:
            raise NotFound(Violation("number_link.person", "対象者が見つかりません", "atena"))
        try:
            value = service.obtain(actor.municipality_code, kind, record.resident_code.value)
            error = ""
        except NumberServiceUnreachable as exc:
            raise _unreachable() from exc
        except NumberServiceRefused as refused:
            value, error = "", str(refused)
        saved = self._record(actor, atena_number, kind, value, error)
        return self._as_seen(actor, saved)

    def records(self, actor: Actor, atena_number: str | None = None) -> list[NumberLinkRecord]:
        """The municipality's 番号連携 requests and outcomes (the values masked unless the
        actor's duty includes the 個人番号)."""
        actor.require(Permission.VIEW)
        with self._uow_for(actor.municipality_code) as uow:
            found = list(uow.number_link.records(atena_number))
            self._log.record_in(
                uow,
                actor,
                Operation.VIEW,
                atena_numbers=sorted({r.atena_number for r in found}),
                target="number_link",
                my_number_shown=sees_individual_numbers(actor),
            )
            uow.commit()
        return [self._as_seen(actor, r) for r in found]

    def _as_seen(self, actor: Actor, record: NumberLinkRecord) -> NumberLinkRecord:
        if sees_individual_numbers(actor) or not record.value:
            return record
        return replace(record, value="*" * len(record.value))

    def _record(
        self, actor: Actor, atena_number: str, kind: str, value: str, error: str
    ) -> NumberLinkRecord:
        saved = NumberLinkRecord(
            request_id=new_uuid(self._ids),
            atena_number=atena_number,
            kind=kind,
            status="error" if error else "ok",
            value=value,
            error=error,
            requested_at=self._clock.now(),
            requested_by=actor.login,
        )
        with self._uow_for(actor.municipality_code) as uow:
            uow.number_link.add_record(saved)
            self._log.record_in(
                uow,
                actor,
                Operation.RECORD_CHANGE,
                atena_numbers=(atena_number,),
                target=f"number_link:{kind}",
                outcome="ok" if not error else "refused",
                detail=error[:200],
            )
            uow.commit()
        return saved

    def healthy(self) -> bool:
        """住基ネットの稼働状況 (1160): whether the service answers."""
        return self._service is not None and self._service.healthy()

    def status(self, actor: Actor) -> tuple[bool, bool]:
        """(enabled, healthy) for a clerk of the municipality (the API's 稼働状況)."""
        actor.require(Permission.VIEW)
        return self.enabled, self.healthy()

    # --- 空きコード (870) --------------------------------------------------------------------------

    def stock(self, actor: Actor) -> StockReport:
        """The municipality's stock of free 住民票コード; ``low`` is the alert of §4.3.1."""
        actor.require(Permission.VIEW)
        with self._uow_for(actor.municipality_code) as uow:
            return StockReport(uow.number_link.stock_size(), self._low_mark)

    def stock_batches(self, actor: Actor) -> list[tuple[datetime, int, str, str]]:
        """The free 住民票コード taken in from the CS, by when (the 空きコード取込一覧)."""
        actor.require(Permission.VIEW)
        with self._uow_for(actor.municipality_code) as uow:
            return list(uow.number_link.stock_batches())

    def refill_for(self, actor: Actor) -> int:
        """``refill`` of the actor's municipality, asked by a reviewer (as the CS's other
        operations, ``services/national_ops.py``); the operator's command and the worker call
        ``refill`` itself."""
        actor.require(Permission.APPROVE_DRAFT)
        return self.refill(actor.municipality_code)

    def refill(self, municipality_code: str) -> int:
        """Fetch a block from the CS when the stock is below the low mark; how many codes were
        added."""
        service = self._require_service()
        with self._uow_for(municipality_code) as uow:
            size = uow.number_link.stock_size()
        if size >= self._low_mark:
            return 0
        try:
            codes = service.free_codes(municipality_code, self._block)
        except NumberServiceUnreachable as exc:
            raise _unreachable() from exc
        with self._uow_for(municipality_code) as uow:
            added = uow.number_link.stock_add(list(codes), self._clock.now())
            uow.commit()
        _log.info("free codes for %s: %d added (had %d)", municipality_code, added, size)
        return added

    def ensure_stock(self, municipality_code: str, at_least: int) -> int:
        """Fetch blocks until the stock holds ``at_least`` codes (a bulk load such as
        ``jichitai demo seed`` records many persons before the worker's next round); how many
        codes were added. Nothing when the link is off."""
        if self._service is None:
            return 0
        added = 0
        while True:
            with self._uow_for(municipality_code) as uow:
                size = uow.number_link.stock_size()
            if size >= at_least:
                return added
            try:
                codes = self._service.free_codes(municipality_code, self._block)
            except NumberServiceUnreachable as exc:
                raise _unreachable() from exc
            with self._uow_for(municipality_code) as uow:
                new = uow.number_link.stock_add(list(codes), self._clock.now())
                uow.commit()
            if new == 0:  # the CS has no more to give: the changes will say the stock is empty
                return added
            added += new

    def refill_all(self) -> int:
        """The worker's step: refill every municipality whose stock is low; codes added. A
        municipality the service did not answer for is tried in a later round."""
        if self._service is None:
            return 0
        added = 0
        for code in self._municipalities():
            try:
                added += self.refill(code)
            except (DomainError, NumberServiceRefused) as exc:
                _log.warning("free codes for %s not refilled: %s", code, exc)
        return added

    def close(self) -> None:
        if self._service is not None:
            self._service.close()
