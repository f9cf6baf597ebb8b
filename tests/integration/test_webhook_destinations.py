"""Webhooks at send time: the worker resolves the host itself, checks every address, connects to
the checked one (keeping the name for ``Host``, SNI and the certificate), refuses a name that now
resolves somewhere not allowed (DNS rebinding), and records every failure below HTTP with one
neutral reason, on the real database and with receivers on loopback.

Names resolve through a ``FakeResolver`` the test changes between deliveries; nothing here
depends on DNS or sends traffic beyond loopback.
"""

from __future__ import annotations

import logging
import ssl
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from jichitai.adapters.db import tables as t
from jichitai.adapters.http.webhook_transport import HttpTransport
from jichitai.bootstrap import App
from jichitai.domain.integration.destinations import DestinationPolicy, parse_networks
from jichitai.services.subscribers import Credentials
from jichitai.services.webhooks import DESTINATION_REFUSED, UNREACHABLE, WebhookDispatcher
from tests.factories import a_municipality, an_administrator, moving_in
from tests.fakes import FakeResolver, FixedClock
from tests.integration.test_webhooks import a_dispatcher, correction
from tests.receivers import (
    a_certificate,
    banner_listener,
    closed_port,
    recording_receiver,
    silent_listener,
)

PUBLIC = "93.184.216.34"
"""A public address a name may resolve to when it is registered (nothing is ever sent to it)."""


@pytest.fixture
def webhook_allowed_networks() -> str:
    return "127.0.0.1/32"  # the test receivers


@pytest.fixture
def random_seed() -> int:
    return 9


@pytest.fixture
def code(app: App) -> str:
    return a_municipality(app, "43", "試験町")


@pytest.fixture
def head(app: App, code: str) -> str:
    return app.register.record_change(code, moving_in()).atena_numbers[0]


Workers = Callable[..., WebhookDispatcher]


@pytest.fixture
def workers(app: App, clock: FixedClock, resolver: FakeResolver) -> Iterator[Workers]:
    """Dispatchers with the real transport, their own allowed networks, the test's resolver."""
    made: list[WebhookDispatcher] = []

    def make(
        *, allowed: str = "127.0.0.1/32", timeout: float = 2, tls: ssl.SSLContext | None = None
    ) -> WebhookDispatcher:
        transport = HttpTransport(DestinationPolicy(parse_networks(allowed)), resolver, tls)
        made.append(a_dispatcher(app, clock, transport, attempts=5, timeout=timeout))
        return made[-1]

    yield make
    for worker in made:
        worker.close()


def subscribe(app: App, code: str, url: str) -> Credentials:
    return app.subscribers.add(
        an_administrator(code),
        name="児童手当システム",
        system="child_allowance",
        items=["氏_日本人"],
        webhook_url=url,
    )


def last_error(app: App, code: str, credentials: Credentials) -> str | None:
    return app.subscribers.last_delivery_error(
        an_administrator(code), credentials.subscriber.subscriber_id
    )


def test_the_worker_connects_to_the_address_it_checked_and_follows_the_name_only_within_the_rules(
    app: App, clock: FixedClock, code: str, head: str, resolver: FakeResolver, workers: Workers
) -> None:
    with (
        recording_receiver("127.0.0.1") as first,
        recording_receiver("127.0.0.3", port=first.port) as second,
    ):
        resolver.names["receiver.test"] = ["127.0.0.1"]
        credentials = subscribe(app, code, f"http://receiver.test:{first.port}/hook")
        worker = workers(allowed="127.0.0.1/32, 127.0.0.3/32")
        seqs = [correction(app, code, head), correction(app, code, head)]
        resolver.lookups.clear()

        assert worker.run_once().delivered == 2 and first.seqs == seqs
        # the name went to our resolver once per delivery, never to http.client (which
        # could not resolve it), and stays what the receiver sees
        assert resolver.lookups == ["receiver.test", "receiver.test"]
        assert {r.host_header for r in first.received} == {f"receiver.test:{first.port}"}
        assert len({r.client for r in first.received}) == 1  # one kept-alive connection

        resolver.names["receiver.test"] = ["127.0.0.3"]  # the name moves (allowed too)
        moved = correction(app, code, head)
        assert worker.run_once().delivered == 1
        assert second.seqs == [moved] and first.seqs == seqs  # not the kept-alive connection

        resolver.names["receiver.test"] = ["127.0.0.2"]  # rebound: loopback, not allowed
        refused = correction(app, code, head)
        assert worker.run_once().failed == 1
        assert last_error(app, code, credentials) == DESTINATION_REFUSED
        resolver.names["receiver.test"] = ["127.0.0.3", "127.0.0.2"]  # every answer counts
        clock.at += timedelta(seconds=1)
        assert worker.run_once().failed == 1
        assert (first.connections, second.connections) == (1, 1)  # nothing else connected

        resolver.names["receiver.test"] = ["127.0.0.1"]
        clock.at += timedelta(seconds=2)
        assert worker.run_once().delivered == 1 and first.seqs == [*seqs, refused]
        assert last_error(app, code, credentials) is None


def test_a_name_registered_as_public_and_rebound_to_an_internal_service_reaches_nothing(
    app: App,
    code: str,
    head: str,
    resolver: FakeResolver,
    workers: Workers,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with recording_receiver("127.0.0.2") as internal:
        resolver.names["hooks.example.test"] = [PUBLIC]
        url = f"https://hooks.example.test:{internal.port}/admin?token=s3cret"
        credentials = subscribe(app, code, url)  # public when registered: accepted
        resolver.names["hooks.example.test"] = ["127.0.0.2"]  # DNS rebinding
        correction(app, code, head)
        with caplog.at_level(logging.INFO):
            report = workers().run_once()
    assert report.failed == 1 and report.delivered == 0
    assert internal.connections == 0 and internal.received == []
    assert last_error(app, code, credentials) == DESTINATION_REFUSED
    assert "webhook_destination_forbidden" in caplog.text and "127.0.0.2" in caplog.text
    assert "s3cret" not in caplog.text and "/admin" not in caplog.text


def test_every_failure_below_http_is_recorded_with_the_same_reason_and_http_statuses_are_told(
    app: App,
    code: str,
    head: str,
    resolver: FakeResolver,
    workers: Workers,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with (
        banner_listener() as ssh,
        silent_listener() as silent,
        recording_receiver("127.0.0.1") as plain,
        recording_receiver("127.0.0.1", status=503) as busy,
    ):
        resolver.names["gone.test"] = ["127.0.0.1"]
        urls = {
            "closed port": f"http://127.0.0.1:{closed_port()}/hook?token=s3cret",
            "not HTTP": f"http://127.0.0.1:{ssh}/hook?token=s3cret",
            "no answer": f"http://127.0.0.1:{silent}/hook?token=s3cret",
            "TLS to plain HTTP": f"https://127.0.0.1:{plain.port}/hook?token=s3cret",
            "name gone": f"http://gone.test:{plain.port}/hook?token=s3cret",
            "HTTP 503": f"http://127.0.0.1:{busy.port}/hook",
        }
        subscribed = {why: subscribe(app, code, url) for why, url in urls.items()}
        del resolver.names["gone.test"]  # it resolved when registered, not any more
        correction(app, code, head)
        with caplog.at_level(logging.INFO):
            report = workers(timeout=0.3).run_once()
    assert report.failed == len(urls)
    reasons = {why: last_error(app, code, c) for why, c in subscribed.items()}
    assert reasons == dict.fromkeys(urls, UNREACHABLE) | {"HTTP 503": "HTTP 503"}
    # the operator's log keeps the detail, but no path, query or credentials
    assert "ConnectionRefusedError" in caplog.text and "TimeoutError" in caplog.text
    assert "s3cret" not in caplog.text and "/hook" not in caplog.text
    assert "SSH-2.0" not in caplog.text  # nor what the remote sent


def test_https_is_verified_against_the_host_name_over_the_checked_address(
    app: App,
    code: str,
    head: str,
    resolver: FakeResolver,
    workers: Workers,
    tmp_path: Path,
) -> None:
    certificate = a_certificate(tmp_path, "receiver.test")
    with recording_receiver("127.0.0.1", tls=certificate.server_context()) as receiver:
        resolver.names["receiver.test"] = ["127.0.0.1"]
        resolver.names["impostor.test"] = ["127.0.0.1"]
        good = subscribe(app, code, f"https://receiver.test:{receiver.port}/hook")
        bad = subscribe(app, code, f"https://impostor.test:{receiver.port}/hook")
        seq = correction(app, code, head)
        report = workers(tls=certificate.client_context()).run_once()
    assert report.delivered == 1 and report.failed == 1
    assert receiver.seqs == [seq]
    assert sorted(receiver.server_names, key=str) == ["impostor.test", "receiver.test"]
    assert receiver.received[0].host_header == f"receiver.test:{receiver.port}"
    assert last_error(app, code, good) is None
    assert last_error(app, code, bad) == UNREACHABLE  # the certificate is not for that name


def test_a_url_stored_before_the_rules_is_refused_when_sending_and_shown_without_credentials(
    app: App,
    code: str,
    head: str,
    workers: Workers,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with recording_receiver("127.0.0.1") as receiver:
        credentials = subscribe(app, code, f"http://127.0.0.1:{receiver.port}/hook")
        sid = credentials.subscriber.subscriber_id
        stored = f"http://admin:s3cret@127.0.0.1:{receiver.port}/hook"
        with app.engine.begin() as conn:  # as an older version let it be registered
            conn.execute(
                t.subscribers.update()
                .where(t.subscribers.c.subscriber_id == sid)
                .values(webhook_url=stored)
            )
        correction(app, code, head)
        with caplog.at_level(logging.INFO):
            assert workers().run_once().failed == 1
    assert receiver.connections == 0
    assert last_error(app, code, credentials) == DESTINATION_REFUSED
    assert "s3cret" not in caplog.text and "webhook_url_invalid" in caplog.text
