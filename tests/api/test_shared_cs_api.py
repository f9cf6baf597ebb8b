"""住基ネット共同利用 through the stand-in CS (standard §7.1.1.1 (1090): 住基ネットCSサーバで受信した
電文を、構成自治体に振り分ける): two municipalities of this deployment share one CS; what others
send to either lands in the shared mailbox, is fetched once and handed to the member it names,
each seeing only its own; a message naming no member stays with the first, unmatched."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

import httpx2 as httpx
import pytest
from fastapi.testclient import TestClient

from jichitai.adapters.db.cs_inbox_store import SqlCsInbox
from jichitai.adapters.http.cs_mailbox import HttpCsMailbox
from jichitai.bootstrap import App, standin_cs_server
from jichitai.domain.national.shared_cs import Groups, parse_groups
from jichitai.services.cs_inbox import CsIntake
from jichitai.services.ports import CsDelivery, CsMailbox
from tests.api.conftest import Tenant
from tests.api.test_cs_inbox_api import listed, notice, sent

pytestmark = pytest.mark.spec("7.1.1.1")


@pytest.fixture
def shared(tmp_path: Path, tenant: Tenant, other: Tenant) -> Iterator[str]:
    server = standin_cs_server(
        "127.0.0.1", 0, str(tmp_path / "cs"), shared=f"{tenant.code}={tenant.code},{other.code}"
    )
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def intake(app: App, mailbox: CsMailbox, codes: list[str], groups: Groups) -> CsIntake:
    return CsIntake(
        SqlCsInbox(app.engine),
        mailbox,
        app.clock,
        lambda: codes,
        app.register,
        app.queries,
        app.register_access,
        app.read_log,
        shared=groups,
    )


def test_the_shared_mailbox_is_handed_on_to_each_member(
    app: App, client: TestClient, tenant: Tenant, other: Tenant, shared: str
) -> None:
    sent(shared, notice(tenant.code, 1, "12345678901"))
    sent(shared, notice(other.code, 2, "12345678902"))
    sent(shared, notice(tenant.code, 3, "12345678903"))
    # The CS holds them in the group's one mailbox, none in the member's own.
    assert len(httpx.get(f"{shared}/v1/inbox", params={"municipality": tenant.code}).json()) == 3
    assert httpx.get(f"{shared}/v1/inbox", params={"municipality": other.code}).json() == []
    groups = parse_groups(f"{tenant.code}={tenant.code},{other.code}")
    cs = intake(app, HttpCsMailbox(shared, timeout=5), [tenant.code, other.code], groups)
    report = cs.receive()
    assert (report.received, report.unmatched) == (3, 3)  # nobody here has those codes
    mine = [item["resident_code"] for item in listed(client, tenant)]
    theirs = [item["resident_code"] for item in listed(client, other)]
    assert (mine, theirs) == (["12345678901", "12345678903"], ["12345678902"])
    assert cs.receive().received == 0  # fetched after the last one handed on
    sent(shared, notice(other.code, 4, "12345678904"))
    assert cs.receive().received == 1
    assert [i["resident_code"] for i in listed(client, other)][-1] == "12345678904"


class Misrouted:
    """A CS mailbox (the ``CsMailbox`` port) holding a message for a municipality outside the
    group, as a misconfigured real CS might."""

    def __init__(self, deliveries: Sequence[CsDelivery]) -> None:
        self._deliveries = deliveries

    def fetch(self, municipality_code: str, after: int) -> Sequence[CsDelivery]:
        return [d for d in self._deliveries if d.relay_id > after]

    def close(self) -> None:
        return


def test_a_message_for_no_member_stays_with_the_first_unmatched(
    app: App, client: TestClient, tenant: Tenant, other: Tenant
) -> None:
    stray = CsDelivery(7, "R-7", "271004", 1, 0, "転入通知情報", '{"resident_code": "1"}', "999991")
    groups = parse_groups(f"{tenant.code}={tenant.code},{other.code}")
    report = intake(app, Misrouted([stray]), [other.code, tenant.code], groups).receive()
    assert (report.received, report.unmatched) == (1, 1)
    (kept,) = listed(client, tenant)  # the group's own code first
    assert kept["status"] == "unmatched" and kept["note"].startswith("cs_inbox.not_member")
    assert listed(client, other) == []
