"""The consistency check with the CS (standard §7.1.1.2 (1100)) and the card status from the
card management system (§7.1.1.3 (1110)), for the municipality's clerks.

The check reads every person the register ever recorded (residents and 除票), each in her latest
record (the one the last CS message carried: a 転出 recorded ahead of its day is already at the
CS), asks the CS for its copy and lists every difference (``domain/national/cs_check.py``). One
run's list: nothing is stored. The cards are pulled from the card management system through
the CS on demand (``CardStatuses.refresh``: ``jichitai card refresh``, the API) and recorded by
the register, which shows the clerk its record (also while the CS is away).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from jichitai.domain.access.actor import Actor
from jichitai.domain.access.roles import Permission
from jichitai.domain.access.suppression import WITHHELD_MARK
from jichitai.domain.common.identifiers import AtenaNumber
from jichitai.domain.errors import ConflictError, NotFound, Unavailable, Violation
from jichitai.domain.national.cards import CARD_LABELS, STATUS_LABELS, holds
from jichitai.domain.national.cs_check import Difference, differences
from jichitai.domain.national.cs_messages import identity_items
from jichitai.domain.national.unified_chars import UnifiedTable, to_unified
from jichitai.domain.residents.model import ResidentRecord
from jichitai.services.ports import (
    CardManagement,
    CardStatus,
    CardStatusStore,
    Clock,
    CsCopy,
    UnitOfWork,
)
from jichitai.services.ports.national import CsUnreachable
from jichitai.services.read_log import ReadLog

PAGE = 500


@dataclass(frozen=True, slots=True)
class CheckResult:
    persons: int
    """Persons compared on the register's side (with or without a 住民票コード)."""
    at_cs: int
    """Entries in the CS's copy."""
    differences: tuple[Difference, ...]


@dataclass(frozen=True, slots=True)
class PersonCards:
    atena_number: str
    resident_code: str
    holds_card: bool
    cards: tuple[CardStatus, ...]
    recorded_at: datetime | None = None
    """When the register last recorded a change of her cards."""


def card_label(card: str) -> str:
    return CARD_LABELS.get(card, card)


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status)


def _not_configured(what: str) -> ConflictError:
    """No CS is configured (``JICHITAI_CS_URL`` empty): nothing to ask."""
    return ConflictError(
        Violation("national.not_configured", f"{what}（JICHITAI_CS_URL が未設定）", "url")
    )


def _unavailable(what: str, detail: str) -> Unavailable:
    """The CS or the card management system is not configured or did not answer."""
    return Unavailable(
        Violation("national.unavailable", f"{what}（{detail}）", "url"), retry_after_seconds=60
    )


class ConsistencyCheck:
    """Compares the register with the CS's copy (``copy`` None: no CS configured)."""

    def __init__(
        self,
        reader_for: Callable[[str], UnitOfWork],
        copy: CsCopy | None,
        unified: UnifiedTable | None = None,
        *,
        read_log: ReadLog,
    ) -> None:
        self._reader_for = reader_for
        self._read_log = read_log
        self._copy = copy
        self._unified = unified

    def _latest_records(self, municipality_code: str) -> list[ResidentRecord]:
        latest: list[ResidentRecord] = []
        with self._reader_for(municipality_code) as uow:
            after: tuple[str, int] | None = None
            while True:
                page = uow.read_model.snapshots_after(after, PAGE)
                for record in page:
                    if latest and latest[-1].atena_number == record.atena_number:
                        latest[-1] = record
                    else:
                        latest.append(record)
                if len(page) < PAGE:
                    break
                after = (page[-1].atena_number.value, page[-1].history_number)
        return latest

    def check(self, actor: Actor) -> CheckResult:
        """Every difference between the register and the CS's copy, today; logged as a read
        of the persons with a difference (the list shows their values on both sides)."""
        actor.require(Permission.VIEW)  # both sides carry 本人確認情報
        if self._copy is None:
            raise _not_configured("CSが設定されていません")
        records = self._latest_records(actor.municipality_code)
        try:
            held = self._copy.identities(actor.municipality_code)
        except CsUnreachable as exc:
            raise _unavailable("CSが応答しません", str(exc)) from exc
        register: dict[str, tuple[str, Mapping[str, Any]]] = {}
        without_code: list[str] = []
        for record in records:
            items = identity_items(record)
            if self._unified is not None:  # the CS holds name and address as sent: in 統一文字
                for item in ("name", "address"):
                    items[item] = to_unified(items[item], self._unified).text
            if items["resident_code"]:
                register[items["resident_code"]] = (record.atena_number.value, items)
            else:
                without_code.append(record.atena_number.value)
        found = differences(register, held, tuple(without_code))
        # What the clerk is shown: the persons with a difference, with both sides' values.
        withheld = self._read_log.listed(
            actor,
            f"cs_check persons={len(records)} at_cs={len(held)}",
            atena_numbers=[d.atena_number for d in found],
            resident_codes=[d.resident_code for d in found if not d.atena_number],
        )
        # A person under a 抑止・支援措置 the clerk may not see through: by 宛名番号 only.
        shown = [
            replace(
                d,
                resident_code=WITHHELD_MARK,
                register_value=WITHHELD_MARK if d.register_value else "",
                cs_value=WITHHELD_MARK if d.cs_value else "",
            )
            if withheld.of(d.atena_number, d.resident_code)
            else d
            for d in found
        ]
        return CheckResult(len(records), len(held), tuple(shown))


class CardStatuses:
    """The cards as the card management system reports them through the CS, recorded by the
    register (``store``) when the clerk or the operator pulls them (``refresh``), and shown from
    that record (``cards`` None: no CS configured, nothing to pull)."""

    def __init__(
        self,
        reader_for: Callable[[str], UnitOfWork],
        store: CardStatusStore,
        cards: CardManagement | None,
        clock: Clock,
        *,
        read_log: ReadLog,
    ) -> None:
        self._reader_for = reader_for
        self._read_log = read_log
        self._store = store
        self._cards = cards
        self._clock = clock

    def refresh(self, actor: Actor) -> tuple[int, int]:
        """Pull every card of the municipality's persons and record them; (cards, changed)."""
        actor.require(Permission.VIEW)
        if self._cards is None:
            raise _not_configured("カード管理システム（CS経由）が設定されていません")
        try:
            found = self._cards.statuses(actor.municipality_code)
        except CsUnreachable as exc:
            raise _unavailable("カード管理システムが応答しません", str(exc)) from exc
        changed = self._store.replace(actor.municipality_code, found, self._clock.now())
        return len(found), changed

    def cards_of(self, actor: Actor, atena_number: str) -> PersonCards:
        """The person's recorded cards, and whether she holds one (所有しているかどうか)."""
        actor.require(Permission.VIEW)
        atena = AtenaNumber.parse(atena_number)
        with self._reader_for(actor.municipality_code) as uow:
            record = uow.read_model.current(atena)
        if record is None:
            raise NotFound(
                Violation(
                    "person.not_found",
                    f"宛名番号 {atena.value} の住民は登録されていません",
                    "atena_number",
                )
            )
        code = record.resident_code.value if record.resident_code else ""
        cards = self._store.listed(actor.municipality_code, code) if code else []
        self._read_log.listed(actor, f"cards:{atena.value}", atena_numbers=(atena.value,))
        today = self._clock.today()
        return PersonCards(
            atena.value,
            code,
            any(holds(c.status, c.expires_on, today) for c, _ in cards),
            tuple(c for c, _ in cards),
            max((at for _, at in cards), default=None),
        )

    def listed(self, actor: Actor) -> list[CardStatus]:
        """Every recorded card of the municipality's persons, by 住民票コード and card; logged
        as a read of those persons."""
        actor.require(Permission.VIEW)
        found = [c for c, _ in self._store.listed(actor.municipality_code)]
        self._read_log.listed(actor, "cards", resident_codes=[c.resident_code for c in found])
        return found
