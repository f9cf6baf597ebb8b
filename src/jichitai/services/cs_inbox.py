"""Messages from other municipalities through the CS (issue 21): taking them in, the 転入通知
taken in automatically (§4.1.3.1.2 (690)), and the 特例転入 started from a received
転出証明書情報 (§4.1.1.3 (610)).

- ``receive``: the worker's step. For each municipality served here, the CS's mailbox after the
  last message taken in, into ``cs_inbox`` (a message taken twice is one row). Then each new
  転入通知情報 is recorded as 転入通知の受理 (§4.1.3.1.1, ``RecordMoveInNotice``) without a clerk:
  the person is found by 住民票コード; when that cannot be done (no such person, not moved out,
  a value the register refuses) the row is kept ``unmatched`` with the reason, for the clerk,
  who records the notice by hand (§4.1.3.1.3 (700)).
- ``listed``: the clerk's list (転入通知情報, 転出証明書情報, 広域交付要求 and
  広域交付住民票情報, with their status); a 広域交付要求 is answered after each intake by
  ``services/wide_area.py``; a person under a 抑止・支援措置 the clerk may not see through is
  withheld (``services/read_log.py``).
- ``special_move_in``: the clerk picks the 転出証明書情報 of the movers (by 住民票コード) and a
  転入 is pre-filled from them (name, reading, birth date, sex, 続柄, 本籍, 個人番号, 住民票コード,
  the former address; for a 外国人住民 the 30条の45 items, ``cs_inbox.foreign_items_missing``
  when the message lacks them; the new address is the 転出先 unless the clerk gives it), recorded as
  special, and submitted as a draft (仮登録) for review as every change is; the rows are marked
  used. Every value goes through the one inbound decoder (``decode_change``): what came over
  the network is checked as typed input is.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from jichitai.domain.access.actor import Actor
from jichitai.domain.access.roles import Permission
from jichitai.domain.access.suppression import WITHHELD_MARK
from jichitai.domain.errors import ConflictError, DomainError, NotFound, Violation, invalid
from jichitai.domain.national.cs_messages import MOVE_IN_NOTICE
from jichitai.domain.national.move_messages import MOVE_OUT_CERTIFICATE
from jichitai.domain.national.shared_cs import Groups, addressee, mailboxes
from jichitai.domain.national.wide_area import WIDE_AREA_KINDS
from jichitai.domain.residents.model import ResidentStatus
from jichitai.services.inbound import decode_change
from jichitai.services.ports import (
    Clock,
    CsDelivery,
    CsInbox,
    CsInboxRow,
    CsMailbox,
    CsUnreachable,
)
from jichitai.services.ports.register import SearchCriteria
from jichitai.services.queries import RegisterQueries
from jichitai.services.read_log import ReadLog
from jichitai.services.register import RegisterService
from jichitai.services.register_access import Checked, DraftView, RegisterAccess

_log = logging.getLogger("jichitai.cs")
INBOX_STATUSES: tuple[str, ...] = ("new", "taken", "unmatched", "used")
INBOX_KINDS: tuple[str, ...] = (MOVE_IN_NOTICE, MOVE_OUT_CERTIFICATE, *WIDE_AREA_KINDS)
OPERATOR = "cs-intake"


@dataclass
class IntakeReport:
    received: int = 0
    taken: int = 0
    unmatched: int = 0
    unreachable: int = 0
    answered: int = 0
    """広域交付要求 answered (``services/wide_area.py``)."""


class CsIntake:
    """Takes in what other municipalities sent through the CS (``mailbox`` None: the CS is not
    configured, nothing is fetched)."""

    def __init__(
        self,
        inbox: CsInbox,
        mailbox: CsMailbox | None,
        clock: Clock,
        municipalities: Callable[[], Sequence[str]],
        register: RegisterService,
        queries: RegisterQueries,
        access: RegisterAccess,
        read_log: ReadLog,
        answer_requests: Callable[[str], int] | None = None,
        shared: Groups = (),
    ) -> None:
        """``answer_requests``: after each municipality's intake, answers its new 広域交付要求
        (``WideAreaService.answer``)."""
        self._answer_requests = answer_requests
        self._shared = shared
        self._inbox = inbox
        self._mailbox = mailbox
        self._clock = clock
        self._municipalities = municipalities
        self._register = register
        self._queries = queries
        self._access = access
        self._read_log = read_log

    @property
    def enabled(self) -> bool:
        return self._mailbox is not None

    # -- the worker's step ---------------------------------------------------------------------

    def receive(self) -> IntakeReport:
        """One round: every municipality's mailbox, then its new 転入通知 taken in."""
        report = IntakeReport()
        if self._mailbox is None:
            return report
        for box, members in mailboxes(self._municipalities(), self._shared):
            after = max(self._inbox.last_relay_id(code) for code in members)
            try:
                deliveries = self._mailbox.fetch(box, after)
            except CsUnreachable as exc:
                report.unreachable += 1
                _log.warning("CS mailbox of %s not fetched: %s", box, exc)
                continue
            self._hand_on(box, members, deliveries, report)
            for code in members:
                self.take_notices(code, report)
                if self._answer_requests is not None:
                    report.answered += self._answer_requests(code)
        return report

    def _hand_on(
        self,
        box: str,
        members: Sequence[str],
        deliveries: Sequence[CsDelivery],
        report: IntakeReport,
    ) -> None:
        """Each message of the mailbox into the inbox of the member it names (共同利用), in the
        mailbox's order, so the next fetch starts after the last one kept; one that names no
        member stays with the first, ``unmatched``."""
        first = box if box in members else members[0]
        runs: list[tuple[str | None, list[CsDelivery]]] = []
        for d in deliveries:  # consecutive messages for one member go in together
            to = addressee(d.to or box, members)
            if runs and runs[-1][0] == to:
                runs[-1][1].append(d)
            else:
                runs.append((to, [d]))
        for to, run in runs:
            report.received += self._inbox.add(to or first, run, self._clock.now())
            if to is not None:
                continue
            for d in run:
                if self._inbox.mark(
                    first,
                    d.relay_id,
                    "unmatched",
                    f"cs_inbox.not_member: 共同利用の構成団体ではない {d.to[:6]} あての電文です",
                    self._clock.now(),
                    expected="new",
                ):
                    report.unmatched += 1

    def take_notices(self, municipality_code: str, report: IntakeReport | None = None) -> None:
        """Record each new 転入通知情報 of the municipality as 転入通知の受理 (§4.1.3.1.2)."""
        report = report if report is not None else IntakeReport()
        for row in self._inbox.listed(municipality_code, "new", MOVE_IN_NOTICE):
            status, note = self._take_notice(row)
            if self._inbox.mark(
                municipality_code, row.relay_id, status, note, self._clock.now(), expected="new"
            ):
                if status == "taken":
                    report.taken += 1
                else:
                    report.unmatched += 1

    def _take_notice(self, row: CsInboxRow) -> tuple[str, str]:
        body = _body(row)
        code = row.resident_code
        if not code:
            return "unmatched", "cs_inbox.resident_code_missing: 住民票コードがありません"
        try:
            found = self._queries.search_criteria(
                row.municipality_code, SearchCriteria(resident_code=code, include_removed=True)
            )
        except DomainError as error:
            return "unmatched", _reason(error)
        if not found:
            return "unmatched", (
                f"cs_inbox.unknown_resident_code: 住民票コード {code} の方は登録されていません"
            )
        person = found[0]
        if person.status is ResidentStatus.RESIDENT:
            return "unmatched", (
                "move_in_notice.not_moved_out: 転出の届出がない方です（宛名番号"
                f" {person.atena_number.value}）"
            )
        today = self._clock.today()
        command = {
            "type": "RecordMoveInNotice",
            "header": {
                "effective_on": today.isoformat(),
                "operator": OPERATOR,
                "notes": f"CSから受信した転入通知情報（{row.sender} 通番{row.sender_seq}）",
            },
            "atena_number": person.atena_number.value,
            "notice_on": today.isoformat(),
            "confirmed_address": body.get("new_address_parts") or {},
            "moved_in_on": body.get("effective_on"),
        }
        try:
            result = self._register.record_change(row.municipality_code, decode_change(command))
        except DomainError as error:
            return "unmatched", _reason(error)
        return "taken", f"event:{result.event_id}"

    # -- the clerk ----------------------------------------------------------------------------

    def listed(
        self,
        actor: Actor,
        *,
        status: str | None = None,
        kind: str | None = None,
        query: str = "",
    ) -> list[CsInboxRow]:
        """The municipality's messages taken in (of one status, one kind; ``query``: a
        住民票コード or a part of the name), in the order they arrived; logged as a read of the
        persons they name (``ReadLog``)."""
        actor.require(Permission.VIEW)  # names and 住民票コード of persons
        if status is not None and status not in INBOX_STATUSES:
            raise invalid("cs.status_unknown", f"状態 {status} は指定できません", "status")
        if kind is not None and kind not in INBOX_KINDS:
            raise invalid("cs.kind_unknown", f"種別 {kind} は指定できません", "kind")
        rows = list(self._inbox.listed(actor.municipality_code, status, kind))
        wanted = "".join(query.split())
        if wanted:
            rows = [
                r
                for r in rows
                if (
                    r.resident_code == wanted
                    if wanted.isdigit()
                    else wanted in "".join(r.name.split())
                )
            ]
        filters = {"status": status or "", "kind": kind or "", "q": query.strip()}
        withheld = self._read_log.listed(
            actor,
            " ".join(["cs_inbox", *(f"{k}={v}" for k, v in filters.items() if v)]),
            resident_codes=[r.resident_code for r in rows],
            others=len({r.relay_id for r in rows if not r.resident_code}),
        )
        if not withheld:
            return rows
        # A query must not confirm that a protected person is here: their rows are left out of
        # a search, and masked in the plain list.
        return [
            _withheld(r) if withheld.of(resident_code=r.resident_code) else r
            for r in rows
            if not (wanted and withheld.of(resident_code=r.resident_code))
        ]

    def special_move_in(
        self,
        actor: Actor,
        resident_codes: Sequence[str],
        *,
        address: Mapping[str, Any] | None = None,
        header: Mapping[str, Any] | None = None,
    ) -> tuple[DraftView, Checked]:
        """特例転入 (§4.1.1.3 (610)): a 転入 pre-filled from the received 転出証明書情報 of these
        persons, submitted as a draft; ``cs_inbox.certificate_not_received`` when one of them
        has none."""
        actor.require(Permission.SUBMIT_DRAFT)
        codes = ["".join(c.split()) for c in resident_codes if c.strip()]
        if not codes:
            raise invalid(
                "cs_inbox.resident_codes_required",
                "特例転入する方の住民票コードを指定してください",
                "resident_codes",
            )
        waiting = {
            r.resident_code: r
            for r in self._inbox.listed(actor.municipality_code, "new", MOVE_OUT_CERTIFICATE)
        }
        missing = [c for c in codes if c not in waiting]
        if missing:
            raise NotFound(
                Violation(
                    "cs_inbox.certificate_not_received",
                    f"住民票コード {'、'.join(missing)} の方の転出証明書情報はCSから届いていません"
                    "（特例転入できません。転出証明書による転入の手続をしてください）",
                    "resident_codes",
                )
            )
        rows = [waiting[c] for c in codes]
        bodies = [_body(r) for r in rows]
        lacking = [
            f"{r.resident_code}（{'・'.join(gaps)}）"
            for r, b in zip(rows, bodies, strict=True)
            if (gaps := _foreign_gaps(b))
        ]
        if lacking:
            raise invalid(
                "cs_inbox.foreign_items_missing",
                f"住民票コード {'、'.join(lacking)} の方は外国人住民ですが、転出証明書情報に"
                "その記載事項がありません（特例転入できません。転出元の市町村に確認してください）",
                "resident_codes",
            )
        first = bodies[0]
        given_header: dict[str, Any] = dict(header or {})
        # The header as the clerk gave it is read by the inbound decoder (decode_change), as
        # every door's; by default the 転出予定日 and today.
        given_header.setdefault("effective_on", str(first.get("planned_on")))
        given_header.setdefault("filed_on", self._clock.today().isoformat())
        senders = "、".join(sorted({f"{r.sender} 通番{r.sender_seq}" for r in rows}))
        given_header.setdefault("notes", f"特例転入（CSから受信した転出証明書情報: {senders}）")
        command = {
            "type": "MoveIn",
            "header": given_header,
            "address": dict(address) if address else first.get("onward_address_parts") or {},
            "previous_address": first.get("address_parts") or {},
            "special": True,
            "members": [_member(b) for b in bodies],
        }
        view, checked = self._access.submit_draft(actor, decode_change(command))
        draft_id = view.draft.draft_id
        marked: list[CsInboxRow] = []
        for row in rows:
            if not self._inbox.mark(
                actor.municipality_code,
                row.relay_id,
                "used",
                f"draft:{draft_id}",
                self._clock.now(),
                expected="new",
            ):
                # Another clerk started a 特例転入 from it just now: undo this one.
                for done in marked:
                    self._inbox.mark(
                        actor.municipality_code,
                        done.relay_id,
                        "new",
                        "",
                        self._clock.now(),
                        expected="used",
                    )
                self._access.discard_draft(actor, draft_id)
                raise ConflictError(
                    Violation(
                        "cs_inbox.certificate_in_use",
                        f"住民票コード {row.resident_code} の方の転出証明書情報は"
                        "別の特例転入に使われました",
                        "resident_codes",
                    )
                )
            marked.append(row)
        return view, checked

    def close(self) -> None:
        if self._mailbox is not None:
            self._mailbox.close()


def _withheld(row: CsInboxRow) -> CsInboxRow:
    """The row of a person the reader may not be shown: what came, from whom, when and what
    became of it (the note's code), nothing that tells who it is."""
    code = row.note.split(":", 1)[0] if row.status == "unmatched" else row.note
    return dataclasses.replace(
        row,
        resident_code="",
        name=WITHHELD_MARK,
        body="{}",
        note=code,
        withheld=True,
    )


def _body(row: CsInboxRow) -> dict[str, Any]:
    body = orjson.loads(row.body)
    return body if isinstance(body, dict) else {}


def _reason(error: DomainError) -> str:
    return "; ".join(f"{v.code}: {v.message}" for v in error.violations)[:300]


def _member(body: Mapping[str, Any]) -> dict[str, Any]:
    """A person of the 転入 command, from a 転出証明書情報 (our format)."""
    member: dict[str, Any] = {
        "kind": body.get("resident_kind"),
        "name": body.get("name_parts"),
        "birth_date": body.get("birth"),
        "sex": body.get("sex"),
        "relationship": body.get("relationship"),
        "resident_code": body.get("resident_code"),
    }
    if body.get("family_register"):
        member["family_register"] = body["family_register"]
    if body.get("individual_number"):
        member["individual_number"] = body["individual_number"]
    if body.get("resident_kind") != "japanese":
        member["foreign"] = body.get("foreign")
    return member


# The 30条の45 items a foreign resident's 転出証明書情報 must carry, without which the 転入
# cannot be input (the others may be blank, as for a 特別永住者 or a 経過滞在者).
_FOREIGN_REQUIRED: tuple[tuple[str, str], ...] = (
    ("nationality", "国籍・地域"),
    ("category", "30条の45の区分"),
    ("became_foreign_resident_on", "外国人住民となった年月日"),
)


def _foreign_gaps(body: Mapping[str, Any]) -> list[str]:
    """The labels of the foreign-resident items missing from a 転出証明書情報; [] for a
    Japanese."""
    if body.get("resident_kind") == "japanese":
        return []
    foreign = body.get("foreign")
    if not isinstance(foreign, dict):
        return [label for _, label in _FOREIGN_REQUIRED]
    return [label for key, label in _FOREIGN_REQUIRED if not foreign.get(key)]
