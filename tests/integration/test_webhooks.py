"""Webhook delivery from the outbox to a real receiver on 127.0.0.1, on the real database.

The clock is the test's: retries fall due when the test moves it, never after a sleep. The
receivers listen on 127.0.0.1, which webhooks may reach only because the settings allow it
explicitly (``RECEIVERS``); ``test_webhook_destinations.py`` tests what is refused.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from jichitai.adapters.db import tables as t
from jichitai.adapters.db.outbox_store import SqlOutboxQueue
from jichitai.adapters.db.unit_of_work import SqlUnitOfWork
from jichitai.adapters.http.webhook_transport import HttpTransport
from jichitai.bootstrap import App
from jichitai.domain.access.actor import Actor
from jichitai.domain.access.roles import Role
from jichitai.domain.access.suppression import Process
from jichitai.domain.common.address import Address
from jichitai.domain.common.identifiers import AtenaNumber
from jichitai.domain.errors import DomainError
from jichitai.domain.integration.destinations import DestinationPolicy, parse_networks
from jichitai.domain.integration.retry import RetryPolicy
from jichitai.domain.integration.signing import verify
from jichitai.domain.residents.commands import Correct, MoveOut, RecordChanges
from jichitai.domain.residents.reasons import ChangeReason
from jichitai.services.subscribers import Credentials
from jichitai.services.webhooks import WebhookDispatcher
from tests.factories import a_header, a_municipality, an_administrator, moving_in
from tests.fakes import FakeResolver, FixedClock

pytestmark = pytest.mark.spec("7.2.3")

RECEIVERS = parse_networks("127.0.0.1/32")
"""The test receivers' address: allowed explicitly (by default webhooks go to the Internet only)."""


@dataclass
class Delivery:
    seq: int
    key: str
    signature: str
    body: bytes


@dataclass
class Receiver:
    """Answers each POST with the next scripted status (200 once the script runs out)."""

    url: str = ""
    script: list[int] = field(default_factory=list)
    stall: threading.Event | None = None
    """While set, the receiver holds each request until the test clears it (a slow receiver)."""
    held: threading.Event = field(default_factory=threading.Event)
    released: threading.Event = field(default_factory=threading.Event)
    """Set once a held request has been recorded (after the test cleared ``stall``)."""
    received: list[Delivery] = field(default_factory=list)

    @property
    def accepted(self) -> list[int]:
        return [d.seq for d in self.received]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            was_held = state.stall is not None and state.stall.is_set()
            if was_held:
                state.held.set()
                while state.stall is not None and state.stall.is_set():
                    time.sleep(0.01)
            status = state.script.pop(0) if state.script else 200
            state.received.append(
                Delivery(
                    int(self.headers["X-Jichitai-Cursor"]),
                    self.headers["Idempotency-Key"],
                    self.headers["X-Jichitai-Signature"],
                    body,
                )
            )
            if was_held:
                state.released.set()
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def webhook_allowed_networks() -> str:
    return "127.0.0.1/32"  # the test receivers


@pytest.fixture
def random_seed() -> int:
    return 8


@pytest.fixture
def code(app: App) -> str:
    return a_municipality(app, "42", "試験村")


@pytest.fixture
def head(app: App, code: str) -> str:
    return app.register.record_change(code, moving_in()).atena_numbers[0]


Workers = Callable[..., WebhookDispatcher]


def a_dispatcher(
    app: App, clock: FixedClock, transport: HttpTransport, *, attempts: int, timeout: float
) -> WebhookDispatcher:
    """A dispatcher over the test database on the test's clock, sending through ``transport``
    (backoff 1, 2, 4 s; ``attempts`` tries; a claimed row leased for 30 s)."""
    return WebhookDispatcher(
        SqlOutboxQueue(app.engine),
        app.integration,
        lambda c: SqlUnitOfWork(app.engine, c),
        lambda c: SqlUnitOfWork(app.engine, c, read_only=True),
        transport,
        app.access_log,
        clock,
        RetryPolicy(base_seconds=1, cap_seconds=4, max_attempts=attempts),
        timeout=timeout,
        lease_seconds=30,
    )


@pytest.fixture
def workers(app: App, clock: FixedClock) -> Iterator[Workers]:
    """Makes dispatchers on the test's clock (backoff 1, 2, 4 s); closes them at the end."""
    made: list[WebhookDispatcher] = []

    def make(*, attempts: int = 4, timeout: float = 2) -> WebhookDispatcher:
        transport = HttpTransport(DestinationPolicy(RECEIVERS), FakeResolver())
        made.append(a_dispatcher(app, clock, transport, attempts=attempts, timeout=timeout))
        return made[-1]

    yield make
    for worker in made:
        worker.close()


def subscribe(app: App, code: str, url: str) -> Credentials:
    return app.subscribers.add(
        an_administrator(code),
        name="国保システム",
        system="national_health_insurance",
        items=["氏_日本人", "住民状態"],
        webhook_url=url,
    )


_REMARKS = itertools.count()


def correction(app: App, code: str, head: str) -> int:
    """One more change to deliver: a correction of the head's 備考, each with a new text; its
    seq."""
    return app.register.record_change(
        code,
        Correct(
            header=a_header(),
            atena_number=AtenaNumber(head),
            reason=ChangeReason.MINOR_CORRECTION,
            changes=RecordChanges(remarks=f"備考{next(_REMARKS)}"),
        ),
    ).seq


def corrections(app: App, code: str, head: str, count: int) -> list[int]:
    return [correction(app, code, head) for _ in range(count)]


def outbox_rows(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(t.webhook_outbox)).scalar_one())


def test_each_change_is_delivered_once_in_order_signed_and_with_its_idempotency_key(
    app: App,
    clock: FixedClock,
    code: str,
    head: str,
    receiver: Receiver,
    workers: Workers,
) -> None:
    credentials = subscribe(app, code, receiver.url)
    seqs = corrections(app, code, head, 3)
    report = workers().run_once()
    assert report.delivered == 3 and receiver.accepted == seqs
    feed = app.integration.changes(credentials.subscriber, str(seqs[0] - 1), 10).changes
    now = int(clock.now().timestamp())
    assert credentials.webhook_secret
    # a prefix, so a secret pasted after "--secret" is never read as an option
    assert credentials.webhook_secret.startswith("whsec_")
    assert credentials.api_key.startswith("jk_")
    for delivery, change in zip(receiver.received, feed, strict=True):
        assert json.loads(delivery.body) == change
        assert delivery.key == change["event_id"]
        assert verify(credentials.webhook_secret, delivery.signature, delivery.body, now)
        assert not verify("another secret", delivery.signature, delivery.body, now)
        assert not verify(credentials.webhook_secret, delivery.signature, delivery.body + b" ", now)
    assert workers().run_once().delivered == 0
    counts = app.subscribers.delivery_counts(
        an_administrator(code), credentials.subscriber.subscriber_id
    )
    assert counts == {"pending": 0, "delivered": 3, "dead": 0}


def test_a_failing_receiver_holds_later_changes_back_until_it_recovers(
    app: App,
    clock: FixedClock,
    code: str,
    head: str,
    receiver: Receiver,
    workers: Workers,
) -> None:
    subscribe(app, code, receiver.url)
    seqs = corrections(app, code, head, 3)
    receiver.script = [500, 503]
    worker = workers()
    assert worker.run_once().failed == 1
    assert worker.run_once().delivered == 0  # not due yet: nothing goes ahead of it
    clock.at += timedelta(seconds=1)
    assert worker.run_once().failed == 1
    clock.at += timedelta(seconds=2)
    assert worker.run_once().delivered == 3
    assert receiver.accepted == [seqs[0], seqs[0], *seqs]
    assert len({d.key for d in receiver.received[:3]}) == 1  # the same key on every retry


def test_an_unreachable_receiver_loses_nothing(
    app: App,
    clock: FixedClock,
    code: str,
    head: str,
    receiver: Receiver,
    workers: Workers,
) -> None:
    credentials = subscribe(app, code, "http://127.0.0.1:9/hook")  # nobody listens on port 9
    seqs = corrections(app, code, head, 2)
    worker = workers()
    assert worker.run_once().failed == 1
    with app.engine.begin() as conn:  # the receiver moves to a working address
        conn.execute(
            t.subscribers.update()
            .where(t.subscribers.c.subscriber_id == credentials.subscriber.subscriber_id)
            .values(webhook_url=receiver.url)
        )
    clock.at += timedelta(seconds=1)
    assert worker.run_once().delivered == 2 and receiver.accepted == seqs


def test_after_the_last_try_a_delivery_is_a_dead_letter_and_a_replay_sends_it_again(
    app: App,
    clock: FixedClock,
    code: str,
    head: str,
    receiver: Receiver,
    workers: Workers,
) -> None:
    credentials = subscribe(app, code, receiver.url)
    sid = credentials.subscriber.subscriber_id
    seqs = corrections(app, code, head, 2)
    receiver.script = [500, 500, 500]
    worker = workers(attempts=3)
    worker.run_once()
    for _ in range(2):
        clock.at += timedelta(seconds=4)
        report = worker.run_once()
    assert report.dead == 1 and report.delivered == 1
    assert app.subscribers.delivery_counts(an_administrator(code), sid) == {
        "pending": 0,
        "delivered": 1,
        "dead": 1,
    }
    assert app.subscribers.replay(an_administrator(code), sid, seqs[0] - 1) == 2
    assert worker.run_once().delivered == 2
    assert receiver.accepted[-2:] == seqs
    with pytest.raises(DomainError) as beyond:
        app.subscribers.replay(an_administrator(code), sid, 10_000)
    assert beyond.value.code == "feed.cursor_invalid"


def test_a_worker_that_stopped_mid_run_leaves_its_rows_to_the_next_after_the_lease(
    app: App,
    clock: FixedClock,
    code: str,
    head: str,
    receiver: Receiver,
    workers: Workers,
) -> None:
    credentials = subscribe(app, code, receiver.url)
    seqs = corrections(app, code, head, 2)
    sid = credentials.subscriber.subscriber_id
    lease = clock.now() + timedelta(seconds=30)
    with SqlUnitOfWork(app.engine, code) as uow:
        assert [c.seq for c in uow.outbox.claim(sid, clock.now(), lease, 10)] == seqs
        uow.commit()  # then "killed"
    worker = workers()
    assert worker.run_once().delivered == 0
    clock.at += timedelta(seconds=31)
    assert worker.run_once().delivered == 2 and receiver.accepted == seqs


def test_the_outbox_row_is_written_with_the_change_and_never_for_a_refused_one(
    app: App,
    clock: FixedClock,
    code: str,
    head: str,
    receiver: Receiver,
    workers: Workers,
) -> None:
    app.subscribers.add(
        an_administrator(code), name="照会のみ", system="elections", items=["氏_日本人"]
    )
    hooked = subscribe(app, code, receiver.url)
    off = subscribe(app, code, receiver.url)
    app.subscribers.disable(an_administrator(code), off.subscriber.subscriber_id)
    corrections(app, code, head, 1)
    assert outbox_rows(app.engine) == 1  # the hooked subscriber only
    with pytest.raises(DomainError):
        app.register.record_change(
            code,
            Correct(
                header=a_header(),
                atena_number=AtenaNumber("0000099999"),
                reason=ChangeReason.MINOR_CORRECTION,
                changes=RecordChanges(remarks="x"),
            ),
        )
    assert outbox_rows(app.engine) == 1
    assert (
        app.subscribers.delivery_counts(an_administrator(code), hooked.subscriber.subscriber_id)[
            "pending"
        ]
        == 1
    )


def test_a_data_migration_queues_its_entries_for_existing_subscribers(
    app: App,
    clock: FixedClock,
    code: str,
    head: str,
    receiver: Receiver,
    workers: Workers,
    tmp_path: Path,
) -> None:
    corrections(app, code, head, 2)
    app.layout_export.export(code, str(tmp_path / "export"))
    target = a_municipality(app, "41", "移行先村")
    subscribe(app, target, receiver.url)
    # The factories' residents live in 千代田区 whatever their tenant: let them in.
    result = app.layout_import.import_export(
        target, str(tmp_path / "export"), report_dir=str(tmp_path), allow_addresses_outside=True
    )
    assert result.written and not result.faults
    with app.engine.connect() as conn:
        last = conn.execute(
            select(t.journal_heads.c.last_seq).where(t.journal_heads.c.municipality_code == target)
        ).scalar_one()
    assert workers().run_once().delivered == last == 3  # one entry per imported snapshot
    assert receiver.accepted == [1, 2, 3]
    assert {json.loads(d.body)["kind"] for d in receiver.received} == {"import"}


def test_a_receiver_too_slow_to_answer_is_tried_again_and_loses_nothing(
    app: App,
    clock: FixedClock,
    code: str,
    head: str,
    receiver: Receiver,
    workers: Workers,
) -> None:
    credentials = subscribe(app, code, receiver.url)
    seqs = corrections(app, code, head, 2)
    receiver.stall = threading.Event()
    receiver.stall.set()
    worker = workers(timeout=0.3)
    report = worker.run_once()  # the receiver holds the request past the timeout
    assert report.failed == 1 and report.delivered == 0 and receiver.held.is_set()
    receiver.stall.clear()
    # The held request is recorded by its handler thread; wait for it, or on a busy machine it
    # may land after the retry and the next delivery.
    assert receiver.released.wait(10)
    counts = app.subscribers.delivery_counts(
        an_administrator(code), credentials.subscriber.subscriber_id
    )
    assert counts == {"pending": 2, "delivered": 0, "dead": 0}
    clock.at += timedelta(seconds=1)
    assert worker.run_once().delivered == 2
    assert receiver.accepted[-2:] == seqs  # the slow one again, with its key, then the next
    assert receiver.received[0].key == receiver.received[-2].key


def test_a_person_becoming_withheld_is_delivered_as_their_atena_number_and_nothing_else(
    app: App, code: str, head: str, receiver: Receiver, workers: Workers
) -> None:
    subscribe(app, code, receiver.url)
    name = app.integration.person(
        app.subscribers.add(
            an_administrator(code),
            name="確認用",
            system="other",
            items=["氏_日本人", "名_日本人"],
        ).subscriber,
        head,
    )
    changed = [
        app.register.record_change(
            code,
            Correct(
                header=a_header(),
                atena_number=AtenaNumber(head),
                reason=ChangeReason.MINOR_CORRECTION,
                changes=RecordChanges(hidden_from_other_systems=hidden),
            ),
        ).seq
        for hidden in (True, False)
    ]
    assert workers().run_once().delivered == 2 and receiver.accepted == changed
    withheld, released = (json.loads(d.body) for d in receiver.received)
    assert withheld["withheld_persons"] == [head] and withheld["records"] == []
    assert withheld["kind"] == "withheld" and withheld["effective_on"] is None
    assert name["名_日本人"] not in receiver.received[0].body.decode()
    assert released["withheld_persons"] == [] and released["persons"] == [head]
    assert released["records"][0]["氏_日本人"] == name["氏_日本人"]


def test_a_planned_move_out_is_announced_and_its_day_told_by_webhook_once(
    app: App,
    clock: FixedClock,
    code: str,
    head: str,
    receiver: Receiver,
    workers: Workers,
) -> None:
    subscribe(app, code, receiver.url)
    planned_on = clock.today() + timedelta(days=7)
    moved = app.register.record_change(
        code,
        MoveOut(
            header=a_header(effective_on=planned_on, filed_on=clock.today()),
            atena_numbers=(AtenaNumber(head),),
            planned_on=planned_on,
            onward_address=Address.municipality_only("大阪府", "大阪市北区"),
        ),
    )
    worker = workers()
    assert app.integration.tell_effective(code) == []  # what the worker runs: nothing due yet
    assert worker.run_once().delivered == 1
    announced = json.loads(receiver.received[-1].body)
    assert announced["takes_effect"] == "planned" and announced["seq"] == moved.seq

    clock.day = planned_on
    (told,) = app.integration.tell_effective(code)
    assert app.integration.tell_effective(code) == []  # idempotent
    assert worker.run_once().delivered == 1 and receiver.accepted[-1] == told
    entry = json.loads(receiver.received[-1].body)
    assert entry["kind"] == "took_effect" and entry["persons"] == [head]
    assert entry["took_effect_of"] == {"seq": moved.seq, "event_id": moved.event_id}
    assert entry["records"][0]["住民状態"] == "2"


def test_a_suppression_guarding_feeds_set_and_lifted_is_delivered_by_webhook(
    app: App, clock: FixedClock, code: str, head: str, receiver: Receiver, workers: Workers
) -> None:
    """No 異動 happens, but the journal's ``protection`` entries reach the outbox with it."""
    subscribe(app, code, receiver.url)
    officer = Actor(
        login="officer", municipality_code=code, roles=frozenset({Role.SUPPRESSION_OFFICER})
    )
    setting = app.suppressions.set(
        officer,
        kind="suppression",
        atena_number=head,
        processes=[Process.FEED],
        starts_on=clock.today(),
        reason="照会中",
    )
    worker = workers()
    assert worker.run_once().delivered == 1
    withheld = json.loads(receiver.received[-1].body)
    assert withheld["withheld_persons"] == [head] and withheld["records"] == []
    assert withheld["kind"] == "withheld"  # what happened to the person is theirs
    app.suppressions.lift(officer, setting.suppression_id)
    assert worker.run_once().delivered == 1
    lifted = json.loads(receiver.received[-1].body)
    assert (lifted["kind"], lifted["reason"]) == ("protection", "protection_lifted")
    assert lifted["persons"] == [head] and lifted["records"][0]["宛名番号"] == head
    assert lifted["filed_on"] is None and lifted["takes_effect"] == "now"
    assert lifted["effective_on"] == clock.today().isoformat()
