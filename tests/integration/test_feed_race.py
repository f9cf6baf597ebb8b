"""The change feed under real concurrency, on the real database (SQLite and PostgreSQL).

A feed that hands out "everything after the last number you saw" is only safe if numbers become
visible in order. These tests hold a writer's transaction open after it has written its change
and check that a reader sees neither it nor anything numbered after it until it commits.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import Engine

from jichitai.adapters.clock import SystemIds
from jichitai.adapters.db.engine import is_sqlite
from jichitai.adapters.db.journal import SqlJournal
from jichitai.adapters.db.unit_of_work import SqlUnitOfWork
from jichitai.bootstrap import App
from jichitai.domain.common.identifiers import AtenaNumber
from jichitai.domain.integration.subscribers import Subscriber
from jichitai.domain.residents.commands import Correct, RecordChanges
from jichitai.domain.residents.reasons import ChangeReason
from jichitai.services.integration import FeedPage
from jichitai.services.register import RegisterService
from tests.factories import a_header, a_municipality, an_administrator, moving_in
from tests.fakes import SeededRandom

pytestmark = pytest.mark.spec("7.2.3")

WAIT = 20.0  # seconds: an upper bound for a thread, never a sleep


class HeldUnitOfWork(SqlUnitOfWork):
    """A unit of work whose commit waits for the test (the slow transaction)."""

    def __init__(self, engine: Engine, code: str, before_commit: Callable[[], None]) -> None:
        super().__init__(engine, code)
        self._before_commit = before_commit

    def commit(self) -> None:
        self._before_commit()
        super().commit()


@pytest.fixture
def random_seed() -> int:
    return 5


@pytest.fixture
def code(app: App) -> str:
    return a_municipality(app, "43", "試験町")


@pytest.fixture
def head(app: App, code: str) -> str:
    return app.register.record_change(code, moving_in()).atena_numbers[0]


@pytest.fixture
def subscriber(app: App, code: str) -> Subscriber:
    return app.subscribers.add(
        an_administrator(code, "t"),
        name="税",
        system="individual_resident_tax",
        items=["氏_日本人"],
    ).subscriber


def a_correction(atena: str, note: str) -> Correct:
    return Correct(
        header=a_header(),
        atena_number=AtenaNumber(atena),
        reason=ChangeReason.MINOR_CORRECTION,
        changes=RecordChanges(remarks=note),
    )


def slow_register(app: App, before_commit: Callable[[], None]) -> RegisterService:
    return RegisterService(
        lambda c: HeldUnitOfWork(app.engine, c, before_commit),
        app.clock,
        SeededRandom(6),
        SystemIds(),  # each register its own ids: they share the journal with the app's
    )


def test_a_reader_never_passes_a_change_that_commits_later(
    app: App, code: str, head: str, subscriber: Subscriber, monkeypatch: pytest.MonkeyPatch
) -> None:
    cursor = app.integration.changes(subscriber, "0", 100).next_cursor
    written, release = threading.Event(), threading.Event()

    def hold() -> None:
        written.set()
        assert release.wait(WAIT)

    results: dict[str, int] = {}

    def slow() -> None:
        results["slow"] = slow_register(app, hold).record_change(code, a_correction(head, "遅")).seq

    def fast() -> None:
        results["fast"] = app.register.record_change(code, a_correction(head, "速")).seq

    slow_thread = threading.Thread(target=slow)
    slow_thread.start()
    assert written.wait(WAIT)  # the slow change is written, not committed
    fast_thread = threading.Thread(target=fast)
    fast_thread.start()
    fast_thread.join(0.5)  # it queues behind the slow one's lock on the chain head
    assert fast_thread.is_alive()
    # The reader runs in a thread of its own. On PostgreSQL it reads the journal while the
    # writers are open. On SQLite its unit of work (which logs the read with it) is a writer
    # too, and begins only once the open writer has committed: it cannot read past it at all.
    journal_read = threading.Event()
    original = SqlJournal.feed_entries

    def feed_entries(self: SqlJournal, after_seq: int, limit: int) -> Any:
        entries = original(self, after_seq, limit)
        journal_read.set()
        return entries

    monkeypatch.setattr(SqlJournal, "feed_entries", feed_entries)
    early: list[FeedPage] = []
    reader = threading.Thread(
        target=lambda: early.append(app.integration.changes(subscriber, cursor, 100))
    )
    reader.start()
    one_writer_at_a_time = is_sqlite(app.engine)
    if one_writer_at_a_time:
        reader.join(0.5)
        assert reader.is_alive() and not journal_read.is_set()
    else:
        assert journal_read.wait(WAIT)
    release.set()
    for thread in (slow_thread, fast_thread, reader):
        thread.join(WAIT)
    seen = [c["seq"] for c in early[0].changes]
    if one_writer_at_a_time:  # after the slow change, before or after the fast one: in order
        assert seen in ([results["slow"]], [results["slow"], results["fast"]])
    else:
        assert seen == [] and early[0].next_cursor == cursor
    late = app.integration.changes(subscriber, cursor, 100)
    assert [c["seq"] for c in late.changes] == [results["slow"], results["fast"]]
    assert results["fast"] == results["slow"] + 1


def test_writers_with_uneven_commit_times_and_a_following_reader_agree_on_every_change(
    app: App, code: str, head: str, subscriber: Subscriber
) -> None:
    start = int(app.integration.changes(subscriber, "0", 1000).next_cursor)
    writers, each = 4, 15
    jitter = random.Random(7)
    lock = threading.Lock()

    def pause() -> None:
        with lock:
            delay = jitter.uniform(0, 0.01)
        time.sleep(delay)  # an uneven commit time, inside the transaction

    register = slow_register(app, pause)
    done = threading.Event()
    seen: list[int] = []

    def follow() -> None:
        cursor = str(start)
        while True:
            finished = done.is_set()  # read before the page: a page after it is the last
            page = app.integration.changes(subscriber, cursor, 7)
            seen.extend(c["seq"] for c in page.changes)
            cursor = page.next_cursor
            if finished and not page.has_more:
                return

    def write(n: int) -> None:
        for i in range(each):
            register.record_change(code, a_correction(head, f"{n}-{i}"))

    reader = threading.Thread(target=follow)
    reader.start()
    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT * 3)
    done.set()
    reader.join(WAIT)
    assert not reader.is_alive()
    assert seen == list(range(start + 1, start + writers * each + 1))
