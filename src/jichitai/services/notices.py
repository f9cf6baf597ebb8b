"""Printing notices (通知書) from the recorded changes: role-checked, logged as prints.

A notice is printed from what the journal recorded, never from what a screen holds: the change's
entry (its kind, reason, 職権 mark, the notices it recorded, the 届出人), the persons' snapshots
just before and after it, and, for the 世帯主変更依頼通知書, the households it left without a
head as they are now. ``domain/notices/contents.py`` decides whether the change calls for the
notice and lays the sheets out; the PDF adapter (injected) draws them. Printing needs the right
to issue (``Permission.ISSUE``, as certificates), and every print is written to the access log
(印刷ログ) with the persons it names, in the unit of work that read them. It may be printed
again later, as often as asked (§4.1.0.3: 後日でも発行できること; §4.3.3: 再出力).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final

from jichitai.codec import from_primitive
from jichitai.domain.access.actor import Actor
from jichitai.domain.access.roles import Permission
from jichitai.domain.access.suppression.model import Process
from jichitai.domain.common.identifiers import AtenaNumber, HouseholdNumber
from jichitai.domain.errors import DomainError, NotFound, Violation
from jichitai.domain.notices import contents
from jichitai.domain.notices.contents import (
    ChangeFacts,
    NoticeDocument,
    NoticeSheet,
    PersonChange,
)
from jichitai.domain.notices.kinds import NoticeKind, notice_type
from jichitai.domain.residents.commands import Notifier
from jichitai.domain.residents.model import ResidentRecord
from jichitai.domain.residents.reasons import ChangeReason
from jichitai.domain.residents.view import ChangeKind, Notice
from jichitai.services.audit import AccessLog, Operation
from jichitai.services.ports import Clock, UnitOfWork
from jichitai.services.suppression import SuppressionService

NoticeRenderer = Callable[[NoticeDocument], bytes]
DEFAULT_DAYS: Final = 14
"""転入通知未着: the days after the removal before a person is listed (a parameter)."""
MAX_DAYS: Final = 3650
PAGE: Final = 1000
"""Journal entries read at a time when looking for moved-out persons."""
_PER_CHANGE: dict[NoticeKind, Callable[[ChangeFacts], list[NoticeSheet]]] = {
    NoticeKind.CHANGE_ACCEPTED: contents.change_accepted,
    NoticeKind.EX_OFFICIO: contents.ex_officio,
    NoticeKind.HEAD_CHANGE_REQUEST: contents.head_change_request,
    NoticeKind.RESIDENT_CODE: contents.resident_code,
}
_MOVED_OUT_KINDS = frozenset({ChangeKind.MOVE_OUT.value, ChangeKind.EX_OFFICIO_REMOVAL.value})


@dataclass(frozen=True, slots=True)
class PrintedNotice:
    kind: NoticeKind
    title: str
    sheets: int
    pdf: bytes


class NoticeService:
    def __init__(
        self,
        uow_for: Callable[[str], UnitOfWork],
        access_log: AccessLog,
        render: NoticeRenderer,
        clock: Clock,
        suppressions: SuppressionService,
    ) -> None:
        self._uow_for = uow_for
        self._log = access_log
        self._render = render
        self._clock = clock
        self._suppressions = suppressions

    def for_change(
        self,
        actor: Actor,
        kind: NoticeKind,
        event_id: str,
        acknowledged: frozenset[str] = frozenset(),
    ) -> PrintedNotice:
        """The notice ``kind`` for the recorded change ``event_id``, as PDF; refused with
        ``notice.not_for_change`` when the change calls for no such notice,
        ``notice.change_not_found`` when there is no such change here. The persons'
        suppression and support settings for issuing apply as to a certificate (an alert such as
        ``dv_support.notice`` is printed through only when in ``acknowledged``)."""
        actor.require(Permission.ISSUE)
        layout = _PER_CHANGE.get(kind)
        if layout is None:
            raise DomainError(
                Violation(
                    "notice.not_per_change",
                    f"{notice_type(kind).title}は異動ごとには出力しません",
                    "kind",
                )
            )
        with self._uow_for(actor.municipality_code) as uow:
            facts = _facts(uow, event_id)
            document = NoticeDocument(
                kind,
                notice_type(kind).title,
                uow.municipality_name,
                self._clock.today(),
                event_id,
                tuple(layout(facts)),
            )
            known = [p.after for p in facts.persons]
            known += [m for members in facts.headless.values() for m in members]
            self._guard(uow, document, known, acknowledged)
            return self._printed(uow, actor, document, f"notice:{kind.value}:{event_id}")

    def applicable(self, actor: Actor, event_id: str) -> tuple[NoticeKind, ...]:
        """The per-change notices the recorded change ``event_id`` calls for (those ``for_change``
        prints rather than refusing with ``notice.not_for_change``), for a screen's print links.
        Nothing is printed or logged: only the kinds are answered, no personal data."""
        actor.require(Permission.ISSUE)
        with self._uow_for(actor.municipality_code) as uow:
            facts = _facts(uow, event_id)
        kinds: list[NoticeKind] = []
        for kind, layout in _PER_CHANGE.items():
            try:
                layout(facts)
            except DomainError as e:
                if all(v.code == "notice.not_for_change" for v in e.violations):
                    continue
                raise
            kinds.append(kind)
        return tuple(kinds)

    def move_in_notice_missing(
        self,
        actor: Actor,
        days: int = DEFAULT_DAYS,
        acknowledged: frozenset[str] = frozenset(),
    ) -> PrintedNotice:
        """転入通知未着者一覧 and the 転入通知未着照会書 (one per destination): persons removed by a
        move-out at least ``days`` days ago whose 転入通知 has not arrived."""
        actor.require(Permission.ISSUE)
        if not 0 <= days <= MAX_DAYS:
            raise DomainError(
                Violation(
                    "notice.days_invalid",
                    f"経過日数は0〜{MAX_DAYS}日で指定してください",
                    "days",
                )
            )
        kind = NoticeKind.MOVE_IN_NOTICE_MISSING
        today = self._clock.today()
        with self._uow_for(actor.municipality_code) as uow:
            records = _moved_out(uow)
            document = NoticeDocument(
                kind,
                notice_type(kind).title,
                uow.municipality_name,
                today,
                f"{today.isoformat()}（{days}日）",
                tuple(contents.move_in_notice_missing(records, today, days, uow.municipality_name)),
            )
            self._guard(uow, document, records, acknowledged)
            return self._printed(uow, actor, document, f"notice:{kind.value}:{days}")

    def _guard(
        self,
        uow: UnitOfWork,
        document: NoticeDocument,
        known: Sequence[ResidentRecord],
        acknowledged: frozenset[str],
    ) -> None:
        households = {r.atena_number.value: r.household_number.value for r in known}
        self._suppressions.guard(
            uow,
            Process.ISSUE,
            [(a, households[a]) for a in document.atena_numbers if a in households],
            acknowledged=acknowledged,
        )

    def _printed(
        self, uow: UnitOfWork, actor: Actor, document: NoticeDocument, target: str
    ) -> PrintedNotice:
        pdf = self._render(document)
        numbers = document.atena_numbers
        self._log.record_in(
            uow,
            actor,
            Operation.PRINT,
            atena_numbers=numbers,
            target=target,
            person_count=len(numbers),
        )
        uow.commit()
        return PrintedNotice(document.kind, document.title, len(document.sheets), pdf)


def _not_found(event_id: str) -> NotFound:
    return NotFound(
        Violation("notice.change_not_found", f"異動（{event_id}）が見つかりません", "event_id")
    )


def _facts(uow: UnitOfWork, event_id: str) -> ChangeFacts:
    entry = uow.journal.entry(event_id)
    if entry is None or entry.kind == ChangeKind.IMPORT.value:
        raise _not_found(event_id)
    payload: dict[str, Any] = json.loads(entry.payload)
    firsts: dict[str, int] = {}
    lasts: dict[str, int] = {}
    for record in payload["records"]:
        firsts.setdefault(record["atena_number"], record["history_number"])
        lasts[record["atena_number"]] = record["history_number"]
    persons: list[PersonChange] = []
    for atena, first in firsts.items():
        number = AtenaNumber(atena)
        after = uow.journal.snapshot(number, lasts[atena])
        if after is None:
            raise _not_found(event_id)
        before = uow.journal.snapshot(number, first - 1) if first > 1 else None
        persons.append(PersonChange(before, after))
    if not persons:
        raise _not_found(event_id)
    notices = tuple(payload.get("notices", ()))
    written = payload["command"].get("header", {}).get("notifier")
    return ChangeFacts(
        event_id=event_id,
        kind=ChangeKind(entry.kind),
        reason=ChangeReason(entry.reason),
        ex_officio=entry.ex_officio,
        effective_on=entry.effective_on,
        filed_on=entry.filed_on,
        notices=notices,
        notifier=from_primitive(Notifier, written) if written else None,
        persons=tuple(persons),
        headless=_headless(uow, persons) if Notice.HEAD_CHANGE_REQUEST.value in notices else {},
    )


def _headless(uow: UnitOfWork, persons: list[PersonChange]) -> dict[str, list[ResidentRecord]]:
    """The households the change's persons were in that have living members and no head now."""
    households = {p.before.household_number.value for p in persons if p.before is not None} | {
        p.after.household_number.value for p in persons
    }
    found: dict[str, list[ResidentRecord]] = {}
    for household in sorted(households):
        members = list(uow.read_model.household_residents(HouseholdNumber(household)))
        if members and not any(m.is_head for m in members):
            found[household] = members
    return found


def _moved_out(uow: UnitOfWork) -> list[ResidentRecord]:
    """The current snapshots of everyone a move-out (or an ex-officio removal) concerned; the
    pure rule (``contents.overdue``) keeps those still waiting for a 転入通知."""
    persons: dict[str, None] = {}
    after = 0
    while True:
        entries = uow.journal.journal(after_seq=after, limit=PAGE)
        for entry in entries:
            if entry.kind in _MOVED_OUT_KINDS:
                for atena in json.loads(entry.payload)["persons"]:
                    persons.setdefault(atena, None)
        if len(entries) < PAGE:
            break
        after = entries[-1].seq
    return list(uow.read_model.current_of([AtenaNumber(a) for a in persons]))
