"""Delivering changes to subscribers' webhooks from the outbox (``jichitai worker``).

Per subscriber, deliveries go out one at a time in the feed's order. A worker leases a run of
the subscriber's oldest pending rows, posts each change (signed, with its idempotency key) and
marks what the receiver accepted. A failure stops the run: the row is tried again after a
backoff, and the ones after it wait, so order is kept; after the last try the row becomes a
dead letter and the next one goes. A worker killed mid-run leaves its lease to expire, and the
next worker delivers the unmarked rows again with the same idempotency key (at least once).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import orjson

from jichitai.domain.integration.retry import RetryPolicy
from jichitai.domain.integration.signing import SIGNATURE_HEADER, signatures
from jichitai.domain.integration.subscribers import MY_NUMBER_ITEM, Subscriber
from jichitai.domain.integration.versioning import INTEGRATION_VERSION, VERSION_HEADER
from jichitai.services.audit import AccessLog, Operation
from jichitai.services.integration import INTEGRATION_ROLE, IntegrationService
from jichitai.services.ports import (
    Clock,
    FeedEntry,
    OutboxQueue,
    Transport,
    UnitOfWork,
)

log = logging.getLogger(__name__)

IDEMPOTENCY_HEADER = "Idempotency-Key"
CURSOR_HEADER = "X-Jichitai-Cursor"
SUBSCRIBER_HEADER = "X-Jichitai-Subscriber"
MARK_EVERY = 50
"""Delivered rows are marked in groups (one commit per group, not per delivery); a worker that
dies before marking redelivers at most this many, with their idempotency keys."""


@dataclass(frozen=True, slots=True)
class Claimed:
    seq: int
    attempts: int


UNREACHABLE = "接続できませんでした"
"""The one reason recorded for every failure below HTTP (refused, timed out, no route, reset,
TLS, name resolution, not HTTP): telling them apart would let whoever registers a URL map which
ports and hosts answer (a port scanner). The operator's log has the detail."""

DESTINATION_REFUSED = "送信先が許可されていません"
"""The URL, or an address its host resolved to when sending, is not allowed: nothing was sent."""


class TransportError(Exception):
    """The receiver could not be reached or did not answer in time. The text is for the
    operator's log; what is recorded for the delivery is ``UNREACHABLE``."""


class DestinationRefused(TransportError):
    """The destination is not allowed (``domain.integration.destinations``), judged on the
    addresses the host resolved to just now, before any connection was made."""


@dataclass
class DispatchReport:
    delivered: int = 0
    failed: int = 0
    dead: int = 0

    def add(self, other: DispatchReport) -> None:
        self.delivered += other.delivered
        self.failed += other.failed
        self.dead += other.dead


class WebhookDispatcher:
    def __init__(
        self,
        queue: OutboxQueue,
        integration: IntegrationService,
        uow_for: Callable[[str], UnitOfWork],
        reader_for: Callable[[str], UnitOfWork],
        transport: Transport,
        access_log: AccessLog,
        clock: Clock,
        policy: RetryPolicy,
        *,
        timeout: float = 10.0,
        lease_seconds: float = 60.0,
        batch: int = 200,
    ) -> None:
        self._queue = queue
        self._integration = integration
        self._uow_for = uow_for
        self._reader_for = reader_for
        self._transport = transport
        self._log = access_log
        self._clock = clock
        self._policy = policy
        self._timeout = timeout
        self._lease = timedelta(seconds=max(lease_seconds, timeout * 2))
        self._batch = batch

    def close(self) -> None:
        self._transport.close()

    def due(self, limit: int = 100) -> Sequence[tuple[str, str]]:
        return self._queue.due(self._clock.now(), limit)

    def run_once(self) -> DispatchReport:
        """Serve every subscriber with due deliveries once (one run each)."""
        report = DispatchReport()
        for municipality_code, subscriber_id in self.due():
            report.add(self.serve(municipality_code, subscriber_id))
        return report

    def serve(self, municipality_code: str, subscriber_id: str) -> DispatchReport:
        """One run for one subscriber: lease, deliver in order, mark."""
        report = DispatchReport()
        with self._reader_for(municipality_code) as uow:
            subscriber = uow.subscribers.get(subscriber_id)
        if subscriber is None or subscriber.disabled or not subscriber.webhook_url:
            return report  # rows stay pending: replayable if it is enabled again
        now = self._clock.now()
        lease_end = now + self._lease
        with self._uow_for(municipality_code) as uow:
            claimed = uow.outbox.claim(subscriber_id, now, lease_end, self._batch)
            if claimed:
                uow.commit()
        if not claimed:
            return report
        with self._reader_for(municipality_code) as uow:
            entries = self._entries(uow, [c.seq for c in claimed])
            changes = {
                change["seq"]: change
                for change in self._integration.render(uow, subscriber, entries)
            }
        marked: list[int] = []
        persons: list[str] = []
        numbers_sent = False
        untried = [c.seq for c in claimed]
        try:
            for row in claimed:
                if row is not claimed[0] and (
                    self._clock.now() + timedelta(seconds=self._timeout) >= lease_end
                ):
                    break  # the lease would run out mid-delivery: leave the rest for the next run
                untried.remove(row.seq)
                change = changes.get(row.seq)
                if change is None:  # the journal has no such entry: nothing to deliver
                    self._failed(subscriber, row.seq, row.attempts + 1, "no entry", None)
                    report.dead += 1
                    continue
                error = self._post(subscriber, change)
                if error is None:
                    marked.append(row.seq)
                    persons.extend(change["persons"])
                    numbers_sent = numbers_sent or any(
                        r.get(MY_NUMBER_ITEM) for r in change["records"]
                    )
                    report.delivered += 1
                    if len(marked) >= MARK_EVERY:
                        self._mark(subscriber, marked, persons, numbers_sent)
                        marked, persons, numbers_sent = [], [], False
                    continue
                attempts = row.attempts + 1
                retry_at = self._policy.next_attempt(attempts, self._clock.now())
                self._failed(subscriber, row.seq, attempts, error, retry_at)
                if retry_at is None:
                    report.dead += 1
                    log.warning(
                        "webhook %s seq %s: dead letter (%s)", subscriber_id, row.seq, error
                    )
                    continue
                report.failed += 1
                break
        finally:
            self._mark(subscriber, marked, persons, numbers_sent)
            if untried:
                with self._uow_for(municipality_code) as uow:
                    uow.outbox.release(subscriber_id, untried)
                    uow.commit()
        return report

    def _failed(
        self,
        subscriber: Subscriber,
        seq: int,
        attempts: int,
        error: str,
        retry_at: datetime | None,
    ) -> None:
        with self._uow_for(subscriber.municipality_code) as uow:
            uow.outbox.failed(subscriber.subscriber_id, seq, attempts, error, retry_at)
            uow.commit()

    @staticmethod
    def _entries(uow: UnitOfWork, seqs: Sequence[int]) -> list[FeedEntry]:
        wanted = set(seqs)
        found = uow.journal.feed_entries(min(seqs) - 1, max(seqs) - min(seqs) + 1)
        return [e for e in found if e.entry.seq in wanted]

    def _post(self, subscriber: Subscriber, change: Mapping[str, object]) -> str | None:
        """Deliver one change; the error to record, or ``None`` when the receiver took it.

        Every try is signed afresh at the moment it is sent (a retry carries the retry's time,
        so it passes a receiver's replay window), with every secret valid at that moment (two
        during a rotation); the idempotency key stays the change's."""
        assert subscriber.webhook_url and subscriber.webhook_secret
        body = orjson.dumps(change)
        now = self._clock.now()
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            SIGNATURE_HEADER: signatures(
                subscriber.signing_secrets(now), int(now.timestamp()), body
            ),
            VERSION_HEADER: INTEGRATION_VERSION,
            IDEMPOTENCY_HEADER: str(change["event_id"]),
            CURSOR_HEADER: str(change["cursor"]),
            SUBSCRIBER_HEADER: subscriber.subscriber_id,
        }
        try:
            status = self._transport.post(subscriber.webhook_url, body, headers, self._timeout)
        except DestinationRefused:
            log.warning(
                "webhook %s seq %s: destination refused", subscriber.subscriber_id, change["seq"]
            )
            return DESTINATION_REFUSED
        except TransportError:
            return UNREACHABLE  # never the exception's text: see UNREACHABLE
        return None if 200 <= status < 300 else f"HTTP {status}"

    def _mark(
        self, subscriber: Subscriber, seqs: list[int], persons: list[str], numbers_sent: bool
    ) -> None:
        """The rows delivered marked, and the delivery logged, in one unit of work."""
        if not seqs:
            return
        with self._uow_for(subscriber.municipality_code) as uow:
            uow.outbox.delivered(subscriber.subscriber_id, seqs, self._clock.now())
            self._deliveries_logged(uow, subscriber, seqs, persons, numbers_sent)
            uow.commit()

    def _deliveries_logged(
        self,
        uow: UnitOfWork,
        subscriber: Subscriber,
        seqs: list[int],
        persons: list[str],
        numbers_sent: bool,
    ) -> None:
        self._log.record_for_user_in(
            uow,
            subscriber.municipality_code,
            subscriber.login,
            (INTEGRATION_ROLE,),
            Operation.WEBHOOK,
            place=subscriber.name,
            purpose=subscriber.system_label,
            atena_numbers=persons,
            target=f"webhook:{seqs[0]}-{seqs[-1]}",
            my_number_shown=numbers_sent,
        )
