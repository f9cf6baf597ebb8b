"""Subscribers (business systems receiving resident data) in the database: one municipality's
inside a unit of work (a registration or change commits with its access-log entry), and the
look-up by API key across municipalities outside it."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update

from jichitai.adapters.db import tables as t
from jichitai.adapters.db.shards import Route, read_across, route_of
from jichitai.domain.integration.subscribers import Subscriber

_S = t.subscribers.c


def _row(s: Subscriber) -> dict[str, Any]:
    return {
        "municipality_code": s.municipality_code,
        "subscriber_id": s.subscriber_id,
        "name": s.name,
        "system": s.system,
        "items": json.dumps(list(s.items), ensure_ascii=False),
        "my_number_allowed": s.my_number_allowed,
        "key_hash": s.key_hash,
        "webhook_url": s.webhook_url,
        "webhook_secret": s.webhook_secret,
        "disabled": s.disabled,
        "created_at": s.created_at,
        "updated_at": s.updated_at,
        "previous_webhook_secret": s.previous_webhook_secret,
        "previous_secret_until": s.previous_secret_until,
        "withheld_duties": json.dumps(list(s.withheld_duties)),
    }


def _subscriber(row: Any) -> Subscriber:
    return Subscriber(
        municipality_code=row.municipality_code,
        subscriber_id=row.subscriber_id,
        name=row.name,
        system=row.system,
        items=tuple(json.loads(row.items)),
        my_number_allowed=bool(row.my_number_allowed),
        key_hash=row.key_hash,
        webhook_url=row.webhook_url,
        webhook_secret=row.webhook_secret,
        disabled=bool(row.disabled),
        created_at=row.created_at,
        updated_at=row.updated_at,
        previous_webhook_secret=row.previous_webhook_secret,
        previous_secret_until=row.previous_secret_until,
        withheld_duties=tuple(json.loads(row.withheld_duties or "[]")),
    )


class SqlSubscribers:
    """The ``SubscriberRepository`` port: one municipality's business systems, on the unit of
    work's connection."""

    def __init__(self, connection: Connection, municipality_code: str) -> None:
        self._conn = connection
        self._mc = municipality_code

    def add(self, subscriber: Subscriber) -> None:
        if subscriber.municipality_code != self._mc:
            raise ValueError(f"subscriber of {subscriber.municipality_code} in {self._mc}'s unit")
        self._conn.execute(insert(t.subscribers).values(**_row(subscriber)))

    def get(self, subscriber_id: str) -> Subscriber | None:
        row = self._conn.execute(
            select(t.subscribers).where(
                _S.municipality_code == self._mc, _S.subscriber_id == subscriber_id
            )
        ).one_or_none()
        return _subscriber(row) if row else None

    def listed(self) -> Sequence[Subscriber]:
        rows = self._conn.execute(
            select(t.subscribers)
            .where(_S.municipality_code == self._mc)
            .order_by(_S.created_at, _S.subscriber_id)
        ).all()
        return [_subscriber(r) for r in rows]

    def update(self, subscriber: Subscriber) -> None:
        values = _row(subscriber)
        self._conn.execute(
            update(t.subscribers)
            .where(
                _S.municipality_code == self._mc,
                _S.subscriber_id == subscriber.subscriber_id,
            )
            .values(
                **{
                    k: v
                    for k, v in values.items()
                    if k not in ("municipality_code", "subscriber_id")
                }
            )
        )


class SqlSubscriberKeys:
    """The ``SubscriberKeys`` port: the subscriber holding an API key, looked up across
    municipalities (a request presents only its key), outside any unit of work."""

    def __init__(self, engine: Engine | Route) -> None:
        self._route = route_of(engine)

    def by_key_hash(self, key_hash: str) -> Subscriber | None:
        def read(conn: Connection) -> Sequence[Subscriber]:
            rows = conn.execute(select(t.subscribers).where(_S.key_hash == key_hash)).all()
            return [_subscriber(row) for row in rows]

        found = read_across(self._route, "subscribers", read, lambda s: s.municipality_code)
        return found[0] if found else None
