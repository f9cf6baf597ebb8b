"""Webhooks over time: a rotated secret signs alongside the new one for its window, then only
the new one signs; every try of a delivery is signed at the moment it is sent, with the same
idempotency key. Real worker, real receiver on 127.0.0.1, the test's clock (no sleeps).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from jichitai.adapters.db import tables as t
from jichitai.bootstrap import App
from jichitai.domain.errors import DomainError
from jichitai.domain.integration.signing import verify
from jichitai.domain.integration.versioning import INTEGRATION_VERSION
from tests.factories import an_administrator
from tests.fakes import FixedClock
from tests.integration import test_webhooks as hooks
from tests.integration.test_webhooks import Receiver, Workers, correction, subscribe
from tests.receivers import recording_receiver

pytestmark = pytest.mark.spec("7.2.3")

# The fixtures of the webhook tests: a receiver on 127.0.0.1 (allowed), workers on the clock.
code = hooks.code
head = hooks.head
random_seed = hooks.random_seed
receiver = hooks.receiver
webhook_allowed_networks = hooks.webhook_allowed_networks
workers = hooks.workers


def stamp(signature: str) -> int:
    return int(signature.split(",")[0].removeprefix("t="))


def test_during_a_rotation_both_secrets_sign_and_after_it_only_the_new_one(
    app: App, clock: FixedClock, code: str, head: str, receiver: Receiver, workers: Workers
) -> None:
    credentials = subscribe(app, code, receiver.url)
    old = credentials.webhook_secret
    assert old
    admin = an_administrator(code)
    subscriber_id = credentials.subscriber.subscriber_id
    rotation = app.subscribers.rotate_webhook_secret(admin, subscriber_id, overlap_hours=24)
    new = rotation.webhook_secret
    assert new.startswith("whsec_") and new != old
    assert rotation.previous_valid_until == clock.at + timedelta(hours=24)
    worker = workers()

    def delivered_now() -> tuple[str, bytes, int]:
        correction(app, code, head)
        assert worker.run_once().delivered == 1
        last = receiver.received[-1]
        return last.signature, last.body, int(clock.now().timestamp())

    # In the window: two v1 signatures, the new first; a receiver holding either accepts.
    header, body, now = delivered_now()
    assert header.count("v1=") == 2 and header.startswith(f"t={now},v1=")
    assert verify(new, header, body, now) and verify(old, header, body, now)
    assert not verify("whsec_someone_else", header, body, now)

    # The window ends by itself: only the new secret signs.
    clock.at += timedelta(hours=24)
    header, body, now = delivered_now()
    assert header.count("v1=") == 1
    assert verify(new, header, body, now) and not verify(old, header, body, now)

    # Rotated again and retired explicitly before the window ends: only the newest signs.
    newer = app.subscribers.rotate_webhook_secret(admin, subscriber_id, 1).webhook_secret
    header, body, now = delivered_now()
    assert verify(newer, header, body, now) and verify(new, header, body, now)
    assert not verify(old, header, body, now)  # two at most: the oldest is gone at once
    app.subscribers.retire_previous_secret(admin, subscriber_id)
    header, body, now = delivered_now()
    assert verify(newer, header, body, now) and not verify(new, header, body, now)

    # Each rotation and retirement is in the access log, never a secret.
    with app.engine.connect() as conn:
        targets = (
            conn.execute(
                select(t.access_log.c.target)
                .where(t.access_log.c.target.like("subscriber:%"))
                .order_by(t.access_log.c.seq)
            )
            .scalars()
            .all()
        )
    assert [x.split(":")[-1] for x in targets if "secret" in x] == [
        "rotate_secret>24h",
        "rotate_secret>1h",
        "retire_secret",
    ]
    assert not any(new in x or old in x for x in targets)


def test_a_rotation_without_overlap_retires_the_old_secret_at_once_and_limits_are_kept(
    app: App, clock: FixedClock, code: str, head: str, receiver: Receiver, workers: Workers
) -> None:
    credentials = subscribe(app, code, receiver.url)
    admin = an_administrator(code)
    subscriber_id = credentials.subscriber.subscriber_id
    rotation = app.subscribers.rotate_webhook_secret(admin, subscriber_id, overlap_hours=0)
    assert rotation.previous_valid_until is None
    correction(app, code, head)
    assert workers().run_once().delivered == 1
    delivery = receiver.received[-1]
    now = int(clock.now().timestamp())
    assert verify(rotation.webhook_secret, delivery.signature, delivery.body, now)
    assert credentials.webhook_secret
    assert not verify(credentials.webhook_secret, delivery.signature, delivery.body, now)
    for hours in (-1, 24 * 30 + 1):
        with pytest.raises(DomainError) as refused:
            app.subscribers.rotate_webhook_secret(admin, subscriber_id, hours)
        assert refused.value.violations[0].code == "subscriber.rotation_overlap_invalid"


def test_a_retried_delivery_is_signed_afresh_at_the_retry_with_the_same_idempotency_key(
    app: App, clock: FixedClock, code: str, head: str, receiver: Receiver, workers: Workers
) -> None:
    credentials = subscribe(app, code, receiver.url)
    secret = credentials.webhook_secret
    assert secret
    correction(app, code, head)
    receiver.script = [503, 503]
    worker = workers()
    first_try = int(clock.now().timestamp())
    assert worker.run_once().failed == 1
    clock.at += timedelta(seconds=1)
    assert worker.run_once().failed == 1
    clock.at += timedelta(minutes=10)  # long after the first try: beyond a 5-minute window
    retry = int(clock.now().timestamp())
    assert worker.run_once().delivered == 1
    tries = receiver.received
    assert [stamp(d.signature) for d in tries] == [first_try, first_try + 1, retry]
    assert len({d.key for d in tries}) == 1 and len({d.body for d in tries}) == 1
    assert len({d.seq for d in tries}) == 1
    # The receiver checks the retry at its own arrival, within the replay window: it verifies;
    # the first try's signature would be refused as too old by then.
    assert verify(secret, tries[-1].signature, tries[-1].body, retry)
    assert not verify(secret, tries[0].signature, tries[0].body, retry)


def test_a_webhook_names_the_contract_it_was_made_under(
    app: App, code: str, head: str, workers: Workers
) -> None:
    with recording_receiver() as recorder:
        subscribe(app, code, f"http://127.0.0.1:{recorder.port}/hook")
        correction(app, code, head)
        assert workers().run_once().delivered == 1
    assert [r.version for r in recorder.received] == [INTEGRATION_VERSION] == ["1.1"]
