"""Webhook destinations through the staff API: an administrator cannot point a webhook at the
server's own or internal services in any spelling, nor hide credentials or header injections in
the URL; an allowed network opens internal receivers explicitly; and the delivery status tells
why deliveries fail without telling a closed port from one that does not speak HTTP.

Host names resolve through the test's ``FakeResolver`` (no DNS); the only traffic is to
receivers on 127.0.0.1, and only where the test allows 127.0.0.1.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from jichitai.adapters.db import tables as t
from jichitai.bootstrap import App
from jichitai.domain.access.roles import Role
from jichitai.domain.common.identifiers import AtenaNumber
from jichitai.domain.residents.commands import Correct, RecordChanges
from jichitai.domain.residents.reasons import ChangeReason
from tests.api.conftest import Tenant, auth, error_codes
from tests.factories import a_header, an_administrator
from tests.fakes import FakeResolver
from tests.receivers import banner_listener, closed_port, recording_receiver

PUBLIC = "93.184.216.34"


@pytest.fixture
def resolver() -> FakeResolver:
    return FakeResolver(
        {
            "localhost": ["127.0.0.1", "::1"],
            "intranet.example.test": ["10.1.2.3"],
            "metadata.example.test": ["169.254.169.254"],
            "mixed.example.test": [PUBLIC, "192.168.10.20"],
            "v6only.example.test": ["fd00::1"],
            "jidou.example.lg.jp": [PUBLIC, "2606:4700::1111"],
        }
    )


def register(client: TestClient, tenant: Tenant, url: str) -> Any:
    return client.post(
        "/api/v1/subscribers",
        json={
            "name": "児童手当システム",
            "system": "child_allowance",
            "items": ["氏_日本人"],
            "webhook_url": url,
        },
        headers=auth(client, tenant.login(Role.ADMINISTRATOR)),
    )


FORBIDDEN = [
    "https://localhost/hook", "https://LOCALHOST:8443/hook", "https://ｌｏｃａｌｈｏｓｔ/hook",
    "https://127.0.0.1/hook", "https://127.0.0.1:22/", "https://[::1]/hook",
    "https://0x7f000001/hook", "https://2130706433/hook", "https://0177.0.0.1/hook",
    "https://127.1/hook", "https://0x7f.1/hook", "https://１２７.０.０.１/hook",
    "https://[::ffff:127.0.0.1]/hook", "https://[::ffff:7f00:1]/hook", "https://[::127.0.0.1]/",
    "https://0.0.0.0/hook", "https://0/hook", "https://[::]/hook",
    "https://169.254.169.254/latest/meta-data/", "https://0xa9fea9fe/", "https://[fe80::1]/",
    "https://[64:ff9b::a9fe:a9fe]/", "https://[2002:a9fe:a9fe::]/",
    "https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/",
    "https://10.0.0.1/hook", "https://172.16.5.4/hook", "https://192.168.1.1/hook",
    "https://100.64.0.1/hook", "https://[fd00::1]/hook", "https://[fec0::1]/hook",
    "https://224.0.0.1/hook", "https://[ff02::1]/hook", "https://255.255.255.255/hook",
    "https://192.0.2.10/hook", "https://198.18.0.1/hook", "https://240.0.0.1/hook",
    "https://intranet.example.test/hook", "https://metadata.example.test/hook",
    "https://mixed.example.test/hook", "https://v6only.example.test/hook",
    "http://localhost/hook", "http://127.0.0.1:8080/hook",
]  # fmt: skip


@pytest.mark.parametrize("url", FORBIDDEN)
def test_a_webhook_to_an_internal_address_is_refused_in_every_spelling(
    app: App, client: TestClient, tenant: Tenant, url: str
) -> None:
    refused = register(client, tenant, url)
    assert refused.status_code == 422, refused.text
    assert refused.json()["errors"] == [
        {
            "code": "subscriber.webhook_destination_forbidden",
            "message": refused.json()["errors"][0]["message"],
            "field": "webhook_url",
            "level": "error",
        }
    ]
    assert "アドレス" in refused.json()["errors"][0]["message"]
    assert app.subscribers.list(an_administrator(tenant.code)) == []


MALFORMED = [
    "https://admin:s3cret@jidou.example.lg.jp/hook", "https://s3cret@jidou.example.lg.jp/hook",
    "https://jidou.example.lg.jp@127.0.0.1/hook", "https://jidou.example.lg.jp/hook\r\nX-s3cret: 1",
    "https://jidou.example.lg.jp/hook\n", "https://jidou.example.lg.jp/h\u0000",
    "https://jidou.example.lg.jp/a b", "https://jidou.example.lg.jp\\@127.0.0.1/",
    "https://jidou.example.lg.jp:0/", "ftp://jidou.example.lg.jp/", "file:///etc/passwd",
    "gopher://127.0.0.1:6379/_s3cret", "https:///hook", "jidou.example.lg.jp/hook",
    "https://jidou.example.lg.jp./hook", "https://" + "a" * 64 + ".example/",
]  # fmt: skip


@pytest.mark.parametrize("url", MALFORMED)
def test_a_url_with_credentials_or_control_characters_is_refused_without_repeating_it(
    app: App, client: TestClient, tenant: Tenant, url: str
) -> None:
    refused = register(client, tenant, url)
    assert refused.status_code == 422, refused.text
    assert error_codes(refused) == ["subscriber.webhook_url_invalid"]
    assert refused.json()["errors"][0]["field"] == "webhook_url"
    assert "s3cret" not in refused.text and "example" not in refused.text
    assert app.subscribers.list(an_administrator(tenant.code)) == []


def test_a_public_receiver_is_registered_over_https_and_plain_http_or_unknown_names_are_not(
    client: TestClient, tenant: Tenant, resolver: FakeResolver
) -> None:
    created = register(client, tenant, "https://jidou.example.lg.jp/hook?system=jidou")
    assert created.status_code == 201, created.text
    assert created.json()["subscriber"]["webhook_url"] == (
        "https://jidou.example.lg.jp/hook?system=jidou"
    )
    assert resolver.lookups == ["jidou.example.lg.jp"]  # checked on what the name resolves to
    plain = register(client, tenant, "http://jidou.example.lg.jp/hook")
    assert error_codes(plain) == ["subscriber.webhook_https_required"]
    unknown = register(client, tenant, "https://nowhere.example.test/hook")
    assert error_codes(unknown) == ["subscriber.webhook_host_unresolvable"]


@pytest.mark.parametrize("webhook_allowed_networks", ["127.0.0.1/32, 10.20.0.0/16"])
def test_an_allowed_network_opens_internal_receivers_and_nothing_next_to_them(
    client: TestClient, tenant: Tenant, resolver: FakeResolver
) -> None:
    resolver.names["jidou.lgwan.test"] = ["10.20.30.40"]
    for url in (
        "http://127.0.0.1:8080/hook",
        "https://[::ffff:127.0.0.1]:8443/hook",
        "http://0x7f000001:8080/hook",
        "http://10.20.0.5/hook",
        "http://jidou.lgwan.test/hook",
        "https://jidou.example.lg.jp/hook",
    ):
        assert register(client, tenant, url).status_code == 201, url
    for url in ("http://127.0.0.2/", "https://10.21.0.1/", "https://169.254.169.254/"):
        assert error_codes(register(client, tenant, url)) == [
            "subscriber.webhook_destination_forbidden"
        ], url


@pytest.mark.parametrize("webhook_allowed_networks", ["127.0.0.1/32"])
def test_the_delivery_status_says_why_deliveries_fail_without_port_scanner_detail(
    app: App, client: TestClient, tenant: Tenant
) -> None:
    admin = auth(client, tenant.login(Role.ADMINISTRATOR))
    with banner_listener() as ssh, recording_receiver(status=503) as busy:
        urls = {
            "closed": f"http://127.0.0.1:{closed_port()}/hook",
            "ssh": f"http://127.0.0.1:{ssh}/hook",
            "busy": f"http://127.0.0.1:{busy.port}/hook",
        }
        sids = {}
        for name, url in urls.items():
            created = register(client, tenant, url)
            assert created.status_code == 201, created.text
            sids[name] = created.json()["subscriber"]["subscriber_id"]
        app.register.record_change(tenant.code, _a_correction(tenant))
        assert app.webhooks.run_once().failed == 3  # the worker's dispatcher, as wired
    status = {
        name: client.get(f"/api/v1/subscribers/{sid}/deliveries", headers=admin).json()
        for name, sid in sids.items()
    }
    assert status["closed"] == {
        "pending": 1,
        "delivered": 0,
        "dead": 0,
        "last_error": "接続できませんでした",
    }
    assert status["ssh"] == status["closed"]  # an open port that is not HTTP looks the same
    assert status["busy"]["last_error"] == "HTTP 503"


def test_a_stored_url_with_credentials_is_listed_without_them(
    app: App, client: TestClient, tenant: Tenant
) -> None:
    created = register(client, tenant, "https://jidou.example.lg.jp/hook")
    sid = created.json()["subscriber"]["subscriber_id"]
    with app.engine.begin() as conn:  # as an older version let it be registered
        conn.execute(
            t.subscribers.update()
            .where(t.subscribers.c.subscriber_id == sid)
            .values(webhook_url="https://admin:s3cret@jidou.example.lg.jp/hook")
        )
    listed = client.get(
        "/api/v1/subscribers", headers=auth(client, tenant.login(Role.ADMINISTRATOR))
    )
    assert listed.json()["subscribers"][0]["webhook_url"] == "https://***@jidou.example.lg.jp/hook"
    assert "s3cret" not in listed.text


def _a_correction(tenant: Tenant) -> Correct:
    return Correct(
        header=a_header(),
        atena_number=AtenaNumber(tenant.atena_numbers[0]),
        reason=ChangeReason.MINOR_CORRECTION,
        changes=RecordChanges(remarks="備考"),
    )
