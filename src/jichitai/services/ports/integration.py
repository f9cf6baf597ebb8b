"""Ports of integration with business systems: the subscribers, the webhook outbox, the HTTP
transport, and the resolver whose addresses decide where a webhook may go."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from jichitai.domain.integration.destinations import IPAddress
from jichitai.domain.integration.subscribers import Subscriber

if TYPE_CHECKING:  # a leased outbox row is the webhook dispatcher's value
    from jichitai.services.webhooks import Claimed


class HostNotFound(Exception):
    """A host name that resolves to no address (or the resolver could not be asked)."""


class HostResolver(Protocol):
    """Host names to addresses, as the operating system's resolver (``getaddrinfo``) gives them.

    Webhook destinations are checked on the addresses, not the name; tests inject a resolver of
    their own, so that no test depends on DNS.
    """

    def resolve(self, host: str, port: int) -> Sequence[IPAddress]:
        """Every address ``host`` stands for (TCP); ``HostNotFound`` when there is none."""


class SubscriberRepository(Protocol):
    """One municipality's registered business systems within a unit of work
    (``UnitOfWork.subscribers``)."""

    def add(self, subscriber: Subscriber) -> None: ...

    def get(self, subscriber_id: str) -> Subscriber | None: ...

    def listed(self) -> Sequence[Subscriber]:
        """Every subscriber of the municipality, oldest first."""

    def update(self, subscriber: Subscriber) -> None: ...


class SubscriberKeys(Protocol):
    """The subscriber holding an API key, in any municipality (a request presents only its
    key), outside any unit of work."""

    def by_key_hash(self, key_hash: str) -> Subscriber | None: ...


class OutboxRepository(Protocol):
    """One municipality's webhook outbox within a unit of work (``UnitOfWork.outbox``)."""

    def claim(
        self, subscriber_id: str, now: datetime, until: datetime, limit: int
    ) -> Sequence[Claimed]:
        """Lease the subscriber's oldest pending rows (at most ``limit``) until ``until``; none
        if the oldest is not due yet or another worker holds it (then leave the unit of work
        without commit: a lease half taken is given back)."""

    def delivered(self, subscriber_id: str, seqs: Sequence[int], at: datetime) -> None: ...

    def failed(
        self,
        subscriber_id: str,
        seq: int,
        attempts: int,
        error: str,
        retry_at: datetime | None,
    ) -> None:
        """Record a failed try: pending again at ``retry_at``, or dead (``None``)."""

    def release(self, subscriber_id: str, seqs: Sequence[int]) -> None:
        """Give back leased rows that were not tried."""

    def replay(self, subscriber_id: str, after_seq: int, now: datetime) -> int:
        """Queue every change after ``after_seq`` again (delivered and dead ones included);
        return how many are pending now."""

    def counts(self, subscriber_id: str) -> Mapping[str, int]:
        """Rows by status (pending, delivered, dead)."""

    def last_error(self, subscriber_id: str) -> str | None:
        """Why the oldest delivery still waiting failed its last try or, when none is waiting
        after a failure, why the latest dead letter failed; ``None`` when nothing failed."""


class OutboxQueue(Protocol):
    """What is due across municipalities (the worker serves them all), outside any unit of
    work."""

    def due(self, now: datetime, limit: int) -> Sequence[tuple[str, str]]:
        """(municipality, subscriber) pairs whose oldest pending row is due and not leased."""


class Transport(Protocol):
    def post(self, url: str, body: bytes, headers: Mapping[str, str], timeout: float) -> int:
        """POST and return the HTTP status; raise ``TransportError`` when there is none."""

    def close(self) -> None:
        """Close kept-alive connections."""
