"""The webhook outbox in the database (rows are written with each change, by the journal): one
municipality's rows inside a unit of work, and the queue of what is due across municipalities
outside it.

Leases are compare-and-set updates (``leased_until`` still expired when the update runs), so two
workers never both take the same rows, on either database, without holding locks while they
deliver.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    and_,
    bindparam,
    delete,
    func,
    or_,
    select,
    text,
    update,
)

from jichitai.adapters.db import tables as t
from jichitai.adapters.db.shards import Route, read_across, route_of
from jichitai.services.webhooks import Claimed

_O = t.webhook_outbox.c
_REQUEUE = text(
    "INSERT INTO webhook_outbox (municipality_code, subscriber_id, seq, status, attempts,"
    " next_attempt_at, last_error) SELECT municipality_code, :sid, seq, 'pending', 0, :now, ''"
    " FROM journal WHERE municipality_code = :mc AND seq > :after"
).bindparams(bindparam("now", type_=t.UtcDateTime()))


def _mine(municipality_code: str, subscriber_id: str) -> ColumnElement[bool]:
    return and_(_O.municipality_code == municipality_code, _O.subscriber_id == subscriber_id)


def _free(now: datetime) -> ColumnElement[bool]:
    return or_(_O.leased_until.is_(None), _O.leased_until < now)


class SqlOutbox:
    """The ``OutboxRepository`` port: one municipality's outbox rows, on the unit of work's
    connection (a delivery marked commits with its access-log entry)."""

    def __init__(self, connection: Connection, municipality_code: str) -> None:
        self._conn = connection
        self._mc = municipality_code

    def claim(
        self, subscriber_id: str, now: datetime, until: datetime, limit: int
    ) -> Sequence[Claimed]:
        conn, mine = self._conn, _mine(self._mc, subscriber_id)
        rows = conn.execute(
            select(_O.seq, _O.attempts, _O.next_attempt_at, _O.leased_until)
            .where(mine, _O.status == "pending")
            .order_by(_O.seq)
            .limit(limit)
        ).all()
        if not rows or rows[0].next_attempt_at > now:
            return []
        if rows[0].leased_until is not None and rows[0].leased_until >= now:
            return []  # another worker is delivering this subscriber's run
        # The run ends before a row leased by someone else or not yet due.
        run = []
        for row in rows:
            if row.next_attempt_at > now or (
                row.leased_until is not None and row.leased_until >= now
            ):
                break
            run.append(row)
        seqs = [r.seq for r in run]
        taken = conn.execute(
            update(t.webhook_outbox)
            .where(mine, _O.seq.in_(seqs), _O.status == "pending", _free(now))
            .values(leased_until=until)
        ).rowcount
        if taken != len(seqs):  # a concurrent worker got there first: the caller rolls back
            return []
        return [Claimed(r.seq, r.attempts) for r in run]

    def _update(
        self,
        subscriber_id: str,
        seqs: Sequence[int],
        values: Mapping[str, object],
        *,
        pending_only: bool = False,
    ) -> None:
        """Set ``values`` on the subscriber's rows ``seqs``."""
        where = [_mine(self._mc, subscriber_id), _O.seq.in_(list(seqs))]
        if pending_only:
            where.append(_O.status == "pending")
        self._conn.execute(update(t.webhook_outbox).where(*where).values(**values))

    def delivered(self, subscriber_id: str, seqs: Sequence[int], at: datetime) -> None:
        self._update(
            subscriber_id,
            seqs,
            {"status": "delivered", "delivered_at": at, "leased_until": None, "last_error": ""},
        )

    def failed(
        self,
        subscriber_id: str,
        seq: int,
        attempts: int,
        error: str,
        retry_at: datetime | None,
    ) -> None:
        values: dict[str, object] = {
            "attempts": attempts,
            "last_error": error[:200],
            "leased_until": None,
        }
        if retry_at is None:
            values["status"] = "dead"
        else:
            values["next_attempt_at"] = retry_at
        self._update(subscriber_id, [seq], values)

    def release(self, subscriber_id: str, seqs: Sequence[int]) -> None:
        self._update(subscriber_id, seqs, {"leased_until": None}, pending_only=True)

    def replay(self, subscriber_id: str, after_seq: int, now: datetime) -> int:
        """Rows after ``after_seq`` are written anew as pending."""
        mine = _mine(self._mc, subscriber_id)
        self._conn.execute(delete(t.webhook_outbox).where(mine, _O.seq > after_seq))
        self._conn.execute(
            _REQUEUE, {"mc": self._mc, "sid": subscriber_id, "after": after_seq, "now": now}
        )
        return int(
            self._conn.execute(
                select(func.count())
                .select_from(t.webhook_outbox)
                .where(mine, _O.status == "pending")
            ).scalar_one()
        )

    def counts(self, subscriber_id: str) -> Mapping[str, int]:
        rows = self._conn.execute(
            select(_O.status, func.count())
            .where(_mine(self._mc, subscriber_id))
            .group_by(_O.status)
        ).all()
        counts = dict.fromkeys(t.WEBHOOK_STATUSES, 0)
        counts.update({status: int(n) for status, n in rows})
        return counts

    def last_error(self, subscriber_id: str) -> str | None:
        failed = and_(_mine(self._mc, subscriber_id), _O.last_error != "")
        waiting = self._conn.execute(
            select(_O.last_error).where(failed, _O.status == "pending").order_by(_O.seq).limit(1)
        ).scalar()
        if waiting is not None:
            return str(waiting)
        dead = self._conn.execute(
            select(_O.last_error)
            .where(failed, _O.status == "dead")
            .order_by(_O.seq.desc())
            .limit(1)
        ).scalar()
        return None if dead is None else str(dead)


class SqlOutboxQueue:
    """The ``OutboxQueue`` port: what is due across municipalities (the worker serves them
    all), outside any unit of work."""

    def __init__(self, engine: Engine | Route) -> None:
        self._route = route_of(engine)

    def due(self, now: datetime, limit: int) -> Sequence[tuple[str, str]]:
        heads = (
            select(_O.municipality_code, _O.subscriber_id, func.min(_O.seq).label("seq"))
            .where(_O.status == "pending")
            .group_by(_O.municipality_code, _O.subscriber_id)
            .subquery()
        )
        stmt = (
            select(heads.c.municipality_code, heads.c.subscriber_id, _O.next_attempt_at)
            .join(
                t.webhook_outbox,
                and_(
                    _O.municipality_code == heads.c.municipality_code,
                    _O.subscriber_id == heads.c.subscriber_id,
                    _O.seq == heads.c.seq,
                ),
            )
            .where(_O.next_attempt_at <= now, _free(now))
            .order_by(_O.next_attempt_at)
            .limit(limit)
        )

        def read(conn: Connection) -> Sequence[tuple[str, str, datetime]]:
            return [(r[0], r[1], r[2]) for r in conn.execute(stmt)]

        # The earliest due runs of every shard; a shard that does not answer waits for the
        # next round while the others are served (with nothing due elsewhere the worker hears
        # of the outage: 503 shard.unavailable, and backs off).
        due = read_across(self._route, "webhook_outbox", read, lambda run: run[0])
        due.sort(key=lambda run: run[2])
        return [(code, subscriber) for code, subscriber, _ in due[:limit]]
