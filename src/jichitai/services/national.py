"""CS auto-send (standard §7.1.1.1 (1090)): the worker's step that sends each municipality's
CS messages in order, and the clerk's list of what is pending, sent or in error.

The messages are written with each change (``adapters/db/cs_outbox_store.py``). One message at a
time per municipality: a message the CS did not answer is tried again with backoff (never given
up: the CS must get every change, 異動の時系列は担保されること) and the later ones wait behind it;
a message the CS refused is kept in error with its answer for the clerk, and the next goes on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import timedelta, timezone

import orjson

from jichitai.domain.access.actor import Actor
from jichitai.domain.access.roles import Permission
from jichitai.domain.access.suppression import WITHHELD_MARK
from jichitai.domain.errors import DomainError, InvalidValue, Violation
from jichitai.domain.integration.retry import RetryPolicy
from jichitai.domain.national.cs_messages import KINDS
from jichitai.services.inbound_cards import CsMessageFilter
from jichitai.services.ports import (
    Clock,
    CsAnswer,
    CsEntry,
    CsOutbox,
    CsTransport,
    CsUnreachable,
)
from jichitai.services.read_log import ReadLog

_log = logging.getLogger("jichitai.cs")
STATUSES: tuple[str, ...] = ("pending", "sent", "error", "done")  # done: 手動で処理済み
LEASE = timedelta(seconds=60)
JST = timezone(timedelta(hours=9))
__all__ = ["KINDS", "STATUSES", "CsReport", "CsSender", "person_of"]


@dataclass
class CsReport:
    sent: int = 0
    refused: int = 0
    retrying: int = 0


class CsSender:
    """Sends the CS outbox (``transport`` None: sending is off, messages stay pending)."""

    def __init__(
        self,
        outbox: CsOutbox,
        transport: CsTransport | None,
        clock: Clock,
        retry: RetryPolicy,
        answered: Callable[[CsEntry, CsAnswer], None] | None = None,
        *,
        read_log: ReadLog,
    ) -> None:
        """``answered``: takes in what a taken message answers (a generated 個人番号,
        ``services/number_link.py``) before it is marked sent."""
        self._answered = answered
        self._read_log = read_log
        self._outbox = outbox
        self._transport = transport
        self._clock = clock
        self._retry = retry

    @property
    def enabled(self) -> bool:
        return self._transport is not None

    def send_due(self, limit: int = 16, per_municipality: int = 100) -> CsReport:
        """One round: for each municipality with a message due, send its pending messages in
        order until one is not answered (or ``per_municipality`` went)."""
        report = CsReport()
        if self._transport is None:
            return report
        for code in self._outbox.due(self._clock.now(), limit):
            for _ in range(per_municipality):
                if not self._send_next(code, report):
                    break
        return report

    def _send_next(self, code: str, report: CsReport) -> bool:
        assert self._transport is not None
        now = self._clock.now()
        entry = self._outbox.claim(code, now, now + LEASE)
        if entry is None:
            return False
        try:
            answer = self._transport.send(entry)
        except CsUnreachable as exc:
            attempts = entry.attempts + 1
            retry_at = now + self._retry.delay(attempts)
            self._outbox.failed(entry, str(exc), retry_at)
            report.retrying += 1
            _log.warning("CS did not answer %s/%s: %s", code, entry.seq, exc)
            return False
        if answer.receipt and self._answered is not None:
            try:
                self._answered(entry, answer)
            except DomainError as error:  # the register refused what came back: the clerk sees it
                self._outbox.refused(entry, f"intake: {error}"[:200], self._clock.now())
                report.refused += 1
                return True
        if answer.receipt:
            self._outbox.sent(entry, answer.receipt, self._clock.now())
            report.sent += 1
        else:
            self._outbox.refused(entry, f"{answer.code}: {answer.message}", self._clock.now())
            report.refused += 1
        return True

    def listed(
        self, actor: Actor, status: str | None = None, search: CsMessageFilter | None = None
    ) -> list[CsEntry]:
        """The municipality's CS messages (of one status; found by ``search``: a kind, a person,
        the days they were sent, ``inbound_cards.decode_cs_filter``), in sending order, for its
        clerks; logged as a read of the persons the messages concern (their errors and
        unconvertible characters are of those persons). A person under a 抑止・支援措置 the clerk
        may not see through is withheld (``services/read_log.py``)."""
        actor.require(Permission.VIEW)  # the messages carry 本人確認情報
        if status is not None and status not in STATUSES:
            raise InvalidValue(
                Violation("cs.status_unknown", f"状態 {status} は指定できません", "status")
            )
        entries = list(self._outbox.listed(actor.municipality_code, status))
        if search is not None and not search.empty:
            entries = [e for e in entries if _found(e, search)]
        persons = [person_of(e) for e in entries]
        withheld = self._read_log.listed(
            actor,
            "cs_messages"
            + (f" status={status}" if status else "")
            + (f" kind={search.kind}" if search is not None and search.kind else ""),
            atena_numbers=[a for a, _ in persons],
            resident_codes=[c for a, c in persons if not a],
        )
        return [
            _withheld(e, a) if withheld.of(a, c) else e
            for e, (a, c) in zip(entries, persons, strict=True)
        ]

    def close(self) -> None:
        if self._transport is not None:
            self._transport.close()


def _found(entry: CsEntry, search: CsMessageFilter) -> bool:
    """Whether a message is one the clerk searches for."""
    if search.kind is not None and entry.kind != search.kind:
        return False
    atena, code = person_of(entry)
    if search.atena_number and atena != search.atena_number:
        return False
    if search.resident_code and code != search.resident_code:
        return False
    if search.sent_from is None and search.sent_to is None:
        return True
    if entry.sent_at is None:
        return False
    day = entry.sent_at.astimezone(JST).date()
    return (search.sent_from is None or search.sent_from <= day) and (
        search.sent_to is None or day <= search.sent_to
    )


def _withheld(entry: CsEntry, atena: str) -> CsEntry:
    """The message of a person the reader may not be shown: its place, kind, destination and
    state; of the person only the 宛名番号 (a withheld person is named by it alone)."""
    body = {"atena": atena, "name": WITHHELD_MARK, "resident_code": WITHHELD_MARK}
    return replace(
        entry,
        body=orjson.dumps(body).decode(),
        unconvertible=WITHHELD_MARK if entry.unconvertible else "",
        amendments="",
        withheld=True,
    )


def person_of(entry: CsEntry) -> tuple[str, str]:
    """(宛名番号, 住民票コード) of the person a message concerns, as far as its body says."""
    try:
        body = orjson.loads(entry.body)
    except orjson.JSONDecodeError:
        return "", ""
    if not isinstance(body, dict):
        return "", ""
    atena, code = body.get("atena"), body.get("resident_code")
    return (atena if isinstance(atena, str) else "", code if isinstance(code, str) else "")
