"""The 送付先 of a person's 個人番号カード and 番号通知書類, and the 送付先情報 sent to the card
management system through the CS (standard §7.1.1.4 (1120), ``docs/national-links.md``).

- The clerk sets a 送付先 (a 居所 other than the 住所) for a resident, or clears it; each setting
  is kept with who and when (its history), and a 送付先情報 goes to the CS outbox in the same
  transaction. A change that moves the destination (転入, 転居, 転出) sends one with the change
  itself (``adapters/db/cs_outbox_store.py``, ``domain/national/card_destination.py``).
- 更新対象者: the card management system's list of persons due for renewal is fetched through
  the CS and matched to the register by 住民票コード; each resident matched gets a 送付先情報,
  every code not matched (unknown here, or of a person no longer resident) is listed for the
  clerk with its reason, never dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from jichitai.domain.access.actor import Actor
from jichitai.domain.access.roles import Permission
from jichitai.domain.common.address import Address
from jichitai.domain.common.identifiers import AtenaNumber
from jichitai.domain.errors import ConflictError, NotFound, Unavailable, Violation
from jichitai.domain.national.cs_messages import destination_message, unify
from jichitai.domain.national.unified_chars import UnifiedTable
from jichitai.domain.residents.model import ResidentRecord, ResidentStatus
from jichitai.services.inbound_cards import decode_atena, decode_send_to
from jichitai.services.ports import Clock, UnitOfWork
from jichitai.services.ports.card_destinations import (
    CardDestinationStore,
    RenewalSource,
    RenewalTarget,
    SendToVersion,
)
from jichitai.services.ports.national import CsUnreachable
from jichitai.services.read_log import ReadLog


@dataclass(frozen=True, slots=True)
class PersonSendTo:
    atena_number: str
    resident_code: str
    address: str
    """The person's 住所 (where the card goes when no 送付先 is set)."""
    send_to: Address | None
    history: tuple[SendToVersion, ...]


@dataclass(frozen=True, slots=True)
class Unmatched:
    target: RenewalTarget
    reason: str
    atena_number: str = ""


@dataclass(frozen=True, slots=True)
class RenewalResult:
    listed: int
    sent: tuple[tuple[RenewalTarget, str], ...]
    """The targets matched, each with the person's 宛名番号 (a 送付先情報 written for each)."""
    unmatched: tuple[Unmatched, ...]


def _not_found(atena: str) -> NotFound:
    return NotFound(
        Violation(
            "person.not_found", f"宛名番号 {atena} の住民は登録されていません", "atena_number"
        )
    )


class CardDestinations:
    """The 送付先 and the 送付先情報 (``renewals`` None: no CS configured)."""

    def __init__(
        self,
        reader_for: Callable[[str], UnitOfWork],
        store: CardDestinationStore,
        renewals: RenewalSource | None,
        clock: Clock,
        unified: UnifiedTable | None,
        *,
        read_log: ReadLog,
    ) -> None:
        self._reader_for = reader_for
        self._store = store
        self._renewals = renewals
        self._clock = clock
        self._unified = unified
        self._read_log = read_log

    def _record(self, municipality_code: str, atena: str) -> ResidentRecord:
        with self._reader_for(municipality_code) as uow:
            record = uow.read_model.current(AtenaNumber.parse(atena, "atena_number"))
        if record is None:
            raise _not_found(atena)
        return record

    def _message(self, record: ResidentRecord, send_to: Address | None, trigger: str) -> Any:
        message = destination_message(record, send_to, trigger, seq=0)
        return unify(message, self._unified) if self._unified is not None else message

    def show(self, actor: Actor, atena_number: Any) -> PersonSendTo:
        """The person's 送付先 (None: her 住所) and its history; logged as a read."""
        actor.require(Permission.VIEW)
        atena = decode_atena(atena_number)
        record = self._record(actor.municipality_code, atena)
        history = tuple(self._store.history(actor.municipality_code, atena))
        self._read_log.listed(actor, f"card_destination:{atena}", atena_numbers=(atena,))
        return PersonSendTo(
            atena,
            record.resident_code.value if record.resident_code else "",
            record.address.display(),
            history[-1].address if history else None,
            history,
        )

    def set(self, actor: Actor, atena_number: Any, address: Any) -> SendToVersion:
        """Set the resident's 送付先 (``address`` as the API takes it) and send a 送付先情報."""
        return self._change(actor, atena_number, decode_send_to(address), "set")

    def clear(self, actor: Actor, atena_number: Any) -> SendToVersion:
        """Clear the 送付先 (the card goes to the 住所 again) and send a 送付先情報."""
        return self._change(actor, atena_number, None, "cleared")

    def _change(
        self, actor: Actor, atena_number: Any, address: Address | None, trigger: str
    ) -> SendToVersion:
        actor.require(Permission.SUBMIT_DRAFT)
        atena = decode_atena(atena_number)
        record = self._record(actor.municipality_code, atena)
        if record.status is not ResidentStatus.RESIDENT:
            raise ConflictError(
                Violation(
                    "card_destination.not_resident",
                    f"宛名番号 {atena} は住民ではないため送付先を設定できません"
                    f"（{record.status.label}）",
                    "atena_number",
                )
            )
        if address is None:
            history = self._store.history(actor.municipality_code, atena)
            if not history or history[-1].address is None:
                raise ConflictError(
                    Violation(
                        "card_destination.not_set",
                        f"宛名番号 {atena} には送付先が設定されていません",
                        "atena_number",
                    )
                )
        messages = [self._message(record, address, trigger)] if record.resident_code else []
        return self._store.record(
            actor.municipality_code, atena, address, actor.login, self._clock.now(), messages
        )

    def renewal_targets(self, actor: Actor) -> RenewalResult:
        """Fetch the 更新対象者 through the CS, match them to the register and send a 送付先情報
        for each resident matched; the rest are listed with their reason."""
        actor.require(Permission.SUBMIT_DRAFT)
        if self._renewals is None:
            raise ConflictError(
                Violation(
                    "national.not_configured",
                    "カード管理システム（CS経由）が設定されていません（JICHITAI_CS_URL が未設定）",
                    "url",
                )
            )
        try:
            targets = list(self._renewals.renewal_targets(actor.municipality_code))
        except CsUnreachable as exc:
            raise Unavailable(
                Violation(
                    "national.unavailable", f"カード管理システムが応答しません（{exc}）", "url"
                ),
                retry_after_seconds=60,
            ) from exc
        mc = actor.municipality_code
        codes = sorted({t.resident_code for t in targets})
        with self._reader_for(mc) as uow:
            found = uow.read_model.atena_numbers_by_code(codes) if codes else {}
            records = {
                a: uow.read_model.current(AtenaNumber.parse(a, "atena_number"))
                for a in set(found.values())
            }
        send_to = self._store.current(mc, sorted(records))
        sent: list[tuple[RenewalTarget, str]] = []
        unmatched: list[Unmatched] = []
        messages = []
        for target in targets:
            atena = found.get(target.resident_code, "")
            record = records.get(atena) if atena else None
            if record is None:
                unmatched.append(Unmatched(target, "住民記録にない住民票コードです"))
            elif record.status is not ResidentStatus.RESIDENT:
                reason = f"住民ではありません（{record.status.label}）"
                unmatched.append(Unmatched(target, reason, atena))
            else:
                sent.append((target, atena))
                messages.append(self._message(record, send_to.get(atena), "renewal"))
        if messages:
            self._store.send(mc, messages, self._clock.now())
        self._read_log.listed(
            actor,
            f"renewal_targets listed={len(targets)}",
            atena_numbers=[a for _, a in sent] + [u.atena_number for u in unmatched],
            resident_codes=[u.target.resident_code for u in unmatched if not u.atena_number],
        )
        return RenewalResult(len(targets), tuple(sent), tuple(unmatched))
