"""Registering the business systems that receive resident data (連携先の管理).

Every method takes the acting user and requires ``Permission.MANAGE_SUBSCRIBERS`` (the
municipality's administrator; the command line acts as the operator with that role), and works
on the actor's own municipality only. The API key and the webhook secret are drawn here and shown
once: only the key's SHA-256 is stored. Every registration, change and replay is written to the
access log (設定変更ログ) in the unit of work that makes it (ADR 0012).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from jichitai.domain.access.actor import Actor
from jichitai.domain.access.roles import Permission
from jichitai.domain.errors import DomainError, NotFound, Violation, invalid
from jichitai.domain.integration.destinations import (
    HOST_UNRESOLVABLE,
    DestinationPolicy,
    IPAddress,
    parse_webhook_url,
)
from jichitai.domain.integration.subscribers import (
    Subscriber,
    checked_items,
    checked_overlap,
    checked_registration,
    checked_withheld_duties,
)
from jichitai.services.audit import AccessLog, Operation
from jichitai.services.event_ids import new_uuid
from jichitai.services.integration import key_hash
from jichitai.services.ports import Clock, HostNotFound, HostResolver, IdSource, UnitOfWork

API_KEY_PREFIX = "jk_"
# Prefixes tell the two credentials apart and keep either from starting with "-",
# which a command line would take for an option (token_urlsafe may begin with one).
WEBHOOK_SECRET_PREFIX = "whsec_"


@dataclass(frozen=True, slots=True)
class Credentials:
    """What is shown once when a subscriber is registered (or its key renewed)."""

    subscriber: Subscriber
    api_key: str
    webhook_secret: str | None


@dataclass(frozen=True, slots=True)
class Rotation:
    """What is shown once when a webhook secret is rotated."""

    subscriber: Subscriber
    webhook_secret: str
    previous_valid_until: datetime | None
    """Until when the replaced secret signs too (None: it was retired at once)."""


class SubscriberService:
    def __init__(
        self,
        uow_for: Callable[[str], UnitOfWork],
        access_log: AccessLog,
        clock: Clock,
        item_names: Callable[[], Sequence[str]],
        destinations: DestinationPolicy,
        resolver: HostResolver,
        ids: IdSource,
    ) -> None:
        self._uow_for = uow_for
        self._log = access_log
        self._clock = clock
        self._item_names = item_names
        self._destinations = destinations
        self._resolver = resolver
        self._ids = ids

    def add(
        self,
        actor: Actor,
        *,
        name: str,
        system: str,
        items: Iterable[str],
        my_number_allowed: bool = False,
        webhook_url: str | None = None,
    ) -> Credentials:
        """Register a business system. With a webhook URL it receives every change committed
        from now on (earlier ones: ``replay``)."""
        actor.require(Permission.MANAGE_SUBSCRIBERS)
        municipality_code = actor.municipality_code
        problems: list[Violation] = []
        chosen: tuple[str, ...] = ()
        try:
            name = checked_registration(name, system, webhook_url)
        except DomainError as error:
            problems.extend(error.violations)
        else:
            if webhook_url is not None:
                problems.extend(self.webhook_destination_problems(webhook_url))
        try:
            chosen = checked_items(items, self._item_names(), my_number_allowed=my_number_allowed)
        except DomainError as error:
            problems.extend(error.violations)
        if problems:  # every fault at once
            raise DomainError(*problems)
        api_key = API_KEY_PREFIX + self._ids.token(32)
        secret = WEBHOOK_SECRET_PREFIX + self._ids.token(32) if webhook_url else None
        now = self._clock.now()
        subscriber = Subscriber(
            municipality_code=municipality_code,
            subscriber_id=new_uuid(self._ids),
            name=name,
            system=system,
            items=chosen,
            my_number_allowed=my_number_allowed,
            key_hash=key_hash(api_key),
            webhook_url=webhook_url,
            webhook_secret=secret,
            disabled=False,
            created_at=now,
            updated_at=now,
        )
        with self._uow_for(municipality_code) as uow:  # refuses an unknown municipality
            uow.subscribers.add(subscriber)
            self._logged(uow, actor, subscriber, "add")
            uow.commit()
        return Credentials(subscriber, api_key, secret)

    def webhook_destination_problems(self, webhook_url: str) -> list[Violation]:
        """Why a well-formed webhook URL may not be stored: its host is, or resolves to, an
        address that is not allowed (``domain.integration.destinations``), or plain http goes
        outside the allowed networks. Every way of setting a webhook URL goes through here; the
        worker checks again before each delivery, on the addresses of that moment."""
        try:
            target = parse_webhook_url(webhook_url)
        except DomainError as error:
            return list(error.violations)
        addresses: Sequence[IPAddress]
        if target.address is not None:
            addresses = (target.address,)
        else:
            try:
                addresses = self._resolver.resolve(target.host, target.port)
            except HostNotFound:
                return [HOST_UNRESOLVABLE]
        refusal = self._destinations.refusal(target, addresses)
        return [] if refusal is None else [refusal]

    def list(self, actor: Actor) -> Sequence[Subscriber]:
        actor.require(Permission.MANAGE_SUBSCRIBERS)
        with self._uow_for(actor.municipality_code) as uow:
            return uow.subscribers.listed()

    def disable(self, actor: Actor, subscriber_id: str) -> Subscriber:
        """A disabled subscriber's key is refused and nothing more is queued for it."""
        actor.require(Permission.MANAGE_SUBSCRIBERS)
        with self._uow_for(actor.municipality_code) as uow:
            updated = replace(
                _existing(uow, subscriber_id), disabled=True, updated_at=self._clock.now()
            )
            uow.subscribers.update(updated)
            self._logged(uow, actor, updated, "disable")
            uow.commit()
        return updated

    def set_withheld_duties(
        self, actor: Actor, subscriber_id: str, duties: Sequence[str]
    ) -> Subscriber:
        """The duties for which the subscriber still receives withheld persons' items (empty:
        it is told only their 宛名番号s). Logged with the duties before and after."""
        actor.require(Permission.MANAGE_SUBSCRIBERS)
        with self._uow_for(actor.municipality_code) as uow:
            before = _existing(uow, subscriber_id)
            updated = replace(
                before,
                withheld_duties=checked_withheld_duties(duties, before),
                updated_at=self._clock.now(),
            )
            uow.subscribers.update(updated)
            was, now = ",".join(before.withheld_duties), ",".join(updated.withheld_duties)
            self._logged(uow, actor, updated, f"withheld_duties:{was or '-'}>{now or '-'}")
            uow.commit()
        return updated

    def renew_key(self, actor: Actor, subscriber_id: str) -> Credentials:
        """A new API key; the old one stops working at once."""
        actor.require(Permission.MANAGE_SUBSCRIBERS)
        api_key = API_KEY_PREFIX + self._ids.token(32)
        with self._uow_for(actor.municipality_code) as uow:
            updated = replace(
                _existing(uow, subscriber_id),
                key_hash=key_hash(api_key),
                updated_at=self._clock.now(),
            )
            uow.subscribers.update(updated)
            self._logged(uow, actor, updated, "renew_key")
            uow.commit()
        return Credentials(updated, api_key, None)

    def rotate_webhook_secret(
        self, actor: Actor, subscriber_id: str, overlap_hours: float
    ) -> Rotation:
        """A new webhook secret (shown once). The one it replaces keeps signing as well for
        ``overlap_hours`` (0: not at all), so the receiver can switch at any moment of the window;
        an older previous secret still in its window stops at once (two at most)."""
        actor.require(Permission.MANAGE_SUBSCRIBERS)
        overlap = checked_overlap(overlap_hours)
        secret = WEBHOOK_SECRET_PREFIX + self._ids.token(32)
        now = self._clock.now()
        with self._uow_for(actor.municipality_code) as uow:
            current = _with_webhook(_existing(uow, subscriber_id))
            until = now + overlap if overlap else None
            updated = replace(
                current,
                webhook_secret=secret,
                previous_webhook_secret=current.webhook_secret if until else None,
                previous_secret_until=until,
                updated_at=now,
            )
            uow.subscribers.update(updated)
            self._logged(uow, actor, updated, f"rotate_secret>{overlap_hours:g}h")
            uow.commit()
        return Rotation(updated, secret, until)

    def retire_previous_secret(self, actor: Actor, subscriber_id: str) -> Subscriber:
        """End a rotation window now: only the current secret signs from here on."""
        actor.require(Permission.MANAGE_SUBSCRIBERS)
        with self._uow_for(actor.municipality_code) as uow:
            current = _with_webhook(_existing(uow, subscriber_id))
            updated = replace(
                current,
                previous_webhook_secret=None,
                previous_secret_until=None,
                updated_at=self._clock.now(),
            )
            uow.subscribers.update(updated)
            self._logged(uow, actor, updated, "retire_secret")
            uow.commit()
        return updated

    def replay(self, actor: Actor, subscriber_id: str, after: int) -> int:
        """Deliver every change after sequence number ``after`` again, in order (for a receiver
        that lost data, or dead letters after the receiver is fixed). Returns the pending count."""
        actor.require(Permission.MANAGE_SUBSCRIBERS)
        with self._uow_for(actor.municipality_code) as uow:
            subscriber = _with_webhook(_existing(uow, subscriber_id))
            if not 0 <= after <= uow.journal.feed_head():
                raise invalid(
                    "feed.cursor_invalid", "カーソルがこの団体の異動の範囲を超えています", "after"
                )
            pending = uow.outbox.replay(subscriber_id, after, self._clock.now())
            self._logged(uow, actor, subscriber, f"replay>{after}")
            uow.commit()
        return pending

    def delivery_counts(self, actor: Actor, subscriber_id: str) -> Mapping[str, int]:
        actor.require(Permission.MANAGE_SUBSCRIBERS)
        with self._uow_for(actor.municipality_code) as uow:
            _existing(uow, subscriber_id)
            return uow.outbox.counts(subscriber_id)

    def last_delivery_error(self, actor: Actor, subscriber_id: str) -> str | None:
        """Why deliveries are failing (``HTTP 503``, ``接続できませんでした``, ``送信先が許可されて
        いません`` …; see ``services.webhooks``), or ``None``."""
        actor.require(Permission.MANAGE_SUBSCRIBERS)
        with self._uow_for(actor.municipality_code) as uow:
            _existing(uow, subscriber_id)
            return uow.outbox.last_error(subscriber_id)

    def _logged(self, uow: UnitOfWork, actor: Actor, subscriber: Subscriber, what: str) -> None:
        self._log.record_in(
            uow,
            actor,
            Operation.MANAGE_SUBSCRIBERS,
            target=f"subscriber:{subscriber.subscriber_id}:{what}",
        )


def _existing(uow: UnitOfWork, subscriber_id: str) -> Subscriber:
    found = uow.subscribers.get(subscriber_id)
    if found is None:
        raise NotFound(
            Violation("subscriber.not_found", "該当する連携先は登録されていません", "subscriber_id")
        )
    return found


def _with_webhook(subscriber: Subscriber) -> Subscriber:
    if not subscriber.webhook_url or not subscriber.webhook_secret:
        raise invalid(
            "subscriber.no_webhook",
            "この連携先には Webhook の送信先がありません",
            "subscriber_id",
        )
    return subscriber
