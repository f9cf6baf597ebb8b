"""出入国在留管理庁長官通知 (standard §4.5.6 (960)): the register takes in the notices the authority
offers (``receive``: by the clerk's command or the worker), matches each to a foreign resident by
在留カード番号 and keeps it in a list for the clerk, the unknown ones with the reason; the clerk
makes a listed notice into a draft 職権修正 of the foreign items (``take``), which another
clerk approves as every change (four-eyes: the draft shows the change before it is made — the
確認票 of the standard). A notice is never applied by itself: the standard leaves the automatic
intake optional for 一般市区町村, and the approval keeps a person's record in the clerk's hands.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import orjson

from jichitai.domain.access.actor import Actor
from jichitai.domain.access.roles import Permission
from jichitai.domain.access.suppression import WITHHELD_MARK
from jichitai.domain.errors import DomainError, InvalidValue, Violation
from jichitai.domain.residents.commands import ChangeHeader, Correct, RecordChanges
from jichitai.domain.residents.reasons import ChangeReason
from jichitai.services.inbound_national import decode_immigration_notice
from jichitai.services.ports import (
    Clock,
    ImmigrationInbox,
    ImmigrationSource,
    InboundImmigrationNotice,
)
from jichitai.services.queries import SearchBy
from jichitai.services.read_log import ReadLog
from jichitai.services.register_access import RegisterAccess

STATUSES: tuple[str, ...] = ("listed", "unknown", "drafted")


@dataclass
class IntakeReport:
    listed: int = 0
    unknown: int = 0


class ImmigrationIntake:
    def __init__(
        self,
        inbox: ImmigrationInbox,
        source: ImmigrationSource | None,
        register: RegisterAccess,
        clock: Clock,
        *,
        read_log: ReadLog,
    ) -> None:
        self._inbox = inbox
        self._source = source
        self._register = register
        self._clock = clock
        self._read_log = read_log

    @property
    def enabled(self) -> bool:
        return self._source is not None

    def receive(self, actor: Actor) -> IntakeReport:
        """Take in the notices offered to the actor's municipality and not taken in before."""
        actor.require(Permission.SUBMIT_DRAFT)
        report = IntakeReport()
        if self._source is None:
            return report
        mc = actor.municipality_code
        known = self._inbox.known(mc)
        now = self._clock.now()
        notices: list[InboundImmigrationNotice] = []
        for raw in self._source.offered(mc):
            notice = self._matched(actor, raw, now)
            if notice.notice_id in known or notice.notice_id in {n.notice_id for n in notices}:
                continue
            notices.append(notice)
            if notice.status == "listed":
                report.listed += 1
            else:
                report.unknown += 1
        self._inbox.add(notices)
        return report

    def _matched(self, actor: Actor, raw: Any, now: Any) -> InboundImmigrationNotice:
        body = orjson.dumps(raw, option=orjson.OPT_SORT_KEYS).decode()
        given_id = str(raw.get("notice_id") or "")[:40] if isinstance(raw, dict) else ""
        unknown = InboundImmigrationNotice(
            actor.municipality_code, given_id or "?", "", body, "", "unknown", now
        )
        try:
            notice = decode_immigration_notice(raw)
        except DomainError as refusal:
            faults = "; ".join(f"{v.field}: {v.message}" for v in refusal.violations)
            card = str(raw.get("residence_card_number") or "")[:12] if given_id else ""
            kind = str(raw.get("kind") or "")[:40] if given_id else ""
            return dataclasses.replace(
                unknown,
                kind=kind,
                residence_card_number=card,
                reason=f"通知の内容が正しくありません（{faults}）",
            )
        card = notice["residence_card_number"].value
        found = [
            s
            for s in self._register.search(actor, card, by=SearchBy.ID, include_removed=False)
            if s.record.foreign is not None
        ]
        base = dataclasses.replace(unknown, kind=notice["kind"], residence_card_number=card)
        if len(found) != 1:
            why = "該当する住民がいません" if not found else "該当する住民が複数います"
            return dataclasses.replace(base, reason=f"在留カード番号 {card} に{why}")
        return dataclasses.replace(
            base, status="listed", atena_number=found[0].record.atena_number.value
        )

    def listed(self, actor: Actor, status: str | None = None) -> list[InboundImmigrationNotice]:
        """The notices taken in (of one status), for the municipality's clerks; logged as a
        read of the persons they name (an unknown one by its 在留カード番号: counted). A person
        under a 抑止・支援措置 the clerk may not see through is named by 宛名番号 only
        (``services/read_log.py``)."""
        actor.require(Permission.VIEW)
        if status is not None and status not in STATUSES:
            raise InvalidValue(
                Violation("immigration.status_unknown", f"状態 {status} は指定できません", "status")
            )
        found = list(self._inbox.listed(actor.municipality_code, status))
        withheld = self._read_log.listed(
            actor,
            "immigration" + (f" status={status}" if status else ""),
            atena_numbers=[n.atena_number or "" for n in found],
            others=len(
                {n.residence_card_number or n.notice_id for n in found if not n.atena_number}
            ),
        )
        return [
            dataclasses.replace(
                n, residence_card_number=WITHHELD_MARK, body="{}", reason="", withheld=True
            )
            if withheld.of(atena_number=n.atena_number)
            else n
            for n in found
        ]

    def take(self, actor: Actor, notice_id: str) -> str:
        """A listed notice made into a draft 職権修正 of the person's foreign items; its id."""
        actor.require(Permission.SUBMIT_DRAFT)
        listed = [
            n
            for n in self._inbox.listed(actor.municipality_code, "listed")
            if n.notice_id == notice_id
        ]
        if not listed or listed[0].atena_number is None:
            raise InvalidValue(
                Violation(
                    "immigration.not_listed",
                    f"通知 {notice_id} は取込待ちの一覧にありません",
                    "notice_id",
                )
            )
        notice = listed[0]
        items = decode_immigration_notice(orjson.loads(notice.body))["items"]
        current = self._register.record(actor, notice.atena_number or "").record
        assert current.foreign is not None
        changes: dict[str, Any] = {
            k: items[k]
            for k in ("residence_status", "period_of_stay", "stay_expires_on")
            if k in items
        }
        if "new_residence_card_number" in items:
            changes["residence_card_number"] = items["new_residence_card_number"]
        foreign = dataclasses.replace(current.foreign, **changes)
        command = Correct(
            header=ChangeHeader(
                effective_on=self._clock.today(),
                ex_officio=True,
                notes=f"出入国在留管理庁長官通知 {notice.kind} {notice_id}",
            ),
            atena_number=current.atena_number,
            reason=ChangeReason.EX_OFFICIO_CORRECTION,
            changes=RecordChanges(foreign=foreign),
        )
        view, _ = self._register.submit_draft(actor, command)
        draft_id = view.draft.draft_id
        self._inbox.drafted(actor.municipality_code, notice_id, draft_id)
        return draft_id
