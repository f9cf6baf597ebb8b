"""The CS outbox (standard §7.1.1.1 (1090)) on the database: messages written in the change's
transaction (a refused change writes none), per municipality, and sent in order to the stand-in
CS by the sender, with a refusal kept in error for the clerk."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest

from jichitai.adapters.db.cs_outbox_store import SqlCsOutbox
from jichitai.adapters.http.cs_transport import HttpCsTransport
from jichitai.bootstrap import App, standin_cs_server
from jichitai.domain.access.actor import Actor
from jichitai.domain.access.roles import Role
from jichitai.domain.common.identifiers import AtenaNumber
from jichitai.domain.errors import DomainError
from jichitai.domain.integration.retry import RetryPolicy
from jichitai.domain.residents.commands import Correct, InTownMove, RecordChanges
from jichitai.domain.residents.reasons import ChangeReason
from jichitai.services.national import CsSender
from tests.factories import a_header, a_municipality, a_person, an_address
from tests.integration.test_tenancy import move_in

pytestmark = pytest.mark.spec("7.1.1.1")


def clerk(code: str) -> Actor:
    return Actor(f"clerk-{code}", code, frozenset({Role.CLERK}))


@pytest.fixture
def standin(tmp_path: Path) -> Iterator[str]:
    server = standin_cs_server("127.0.0.1", 0, str(tmp_path / "cs"))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def sender(app: App, url: str | None) -> CsSender:
    transport = HttpCsTransport(url, timeout=5) if url else None
    return CsSender(
        SqlCsOutbox(app.engine),
        transport,
        app.clock,
        RetryPolicy(0.01, 0.01, 3),
        read_log=app.read_log,
    )


def test_each_change_writes_its_messages_in_its_transaction(app: App) -> None:
    a, b = a_municipality(app), a_municipality(app)
    cs = sender(app, None)
    done = app.register.record_change(
        a, move_in(a_person(), a_person(given="花子", relationship="妻"))
    )
    app.register.record_change(b, move_in(a_person(name="佐藤")))
    first = cs.listed(clerk(a))
    assert [(m.kind, m.destination) for m in first] == [
        ("本人確認情報", ""),
        ("転入通知情報", "大阪府大阪市北区"),
        ("戸籍附票記載事項通知", "東京都千代田区"),  # to the 本籍地 (test_koseki_immigration_links)
        ("本人確認情報", ""),
        ("転入通知情報", "大阪府大阪市北区"),
        ("戸籍附票記載事項通知", "東京都千代田区"),
    ]
    assert [m.ordinal for m in first] == [0, 1, 2, 3, 4, 5] and {m.status for m in first} == {
        "pending"
    }
    body = json.loads(first[0].body)
    assert body["format"] == "jichitai-cs/1" and body["reason"] == "domestic_move_in"
    assert body["resident_code"] and body["address"].endswith("一丁目2番3号")
    assert len(cs.listed(clerk(b))) == 3  # each municipality its own

    atena = AtenaNumber(done.atena_numbers[0])
    app.register.record_change(
        a,
        InTownMove(header=a_header(), atena_numbers=(atena,), address=an_address(lot="五丁目1番")),
    )
    moved = cs.listed(clerk(a))[6:]
    assert [(m.kind, json.loads(m.body)["reason"]) for m in moved] == [
        ("本人確認情報", "in_town_move"),
        ("戸籍附票記載事項通知", "in_town_move"),
    ]
    # A change that leaves the 本人確認情報 as they were sends nothing.
    app.register.record_change(
        a,
        Correct(
            header=a_header(),
            atena_number=atena,
            reason=ChangeReason.MINOR_CORRECTION,
            changes=RecordChanges(remarks="確認済"),
        ),
    )
    assert len(cs.listed(clerk(a))) == 8
    # A refused change writes no message.
    with pytest.raises(DomainError):
        app.register.record_change(
            a,
            InTownMove(
                header=a_header(),
                atena_numbers=(AtenaNumber("9999999999"),),
                address=an_address(lot="六丁目1番"),
            ),
        )
    assert len(cs.listed(clerk(a))) == 8


def test_the_sender_sends_in_order_and_keeps_a_refusal_for_the_clerk(
    app: App, standin: str
) -> None:
    a, b = a_municipality(app), a_municipality(app)
    app.register.record_change(a, move_in(a_person()))
    app.register.record_change(b, move_in(a_person(name="佐藤")))
    app.register.record_change(b, move_in(a_person(name="鈴木"), lot="二丁目1番"))
    # The stand-in already holds a later message of A's: A's are refused as out of order.
    late = {"municipality_code": a, "seq": 99, "ordinal": 0, "kind": "本人確認情報"}
    first = json.loads(cs_body(app, b))
    assert httpx.post(f"{standin}/v1/messages", json={**late, "body": first}).status_code == 200
    report = sender(app, standin).send_due()
    assert (report.sent, report.refused, report.retrying) == (6, 3, 0)
    sent = sender(app, None).listed(clerk(b), "sent")
    taken = httpx.get(f"{standin}/v1/messages", params={"municipality": b}).json()
    assert [(m["seq"], m["ordinal"], m["receipt"]) for m in taken] == [
        (m.seq, m.ordinal, m.receipt) for m in sent
    ]
    assert [m.seq for m in sent] == [1, 1, 1, 2, 2, 2]
    refused = sender(app, None).listed(clerk(a), "error")
    assert [m.last_error.split(":")[0] for m in refused] == ["cs.out_of_order"] * 3
    copy = httpx.get(f"{standin}/v1/identities", params={"municipality": b}).json()
    assert sorted(v["name"].split("\u3000")[0] for v in copy.values()) == ["佐藤", "鈴木"]


def test_with_the_cs_away_the_first_message_waits_and_holds_the_rest(app: App) -> None:
    a = a_municipality(app)
    app.register.record_change(a, move_in(a_person(), a_person(given="花子", relationship="妻")))
    report = sender(app, "http://127.0.0.1:9").send_due()  # nobody listens on port 9
    assert (report.sent, report.retrying) == (0, 1)
    waiting = sender(app, None).listed(clerk(a), "pending")
    assert len(waiting) == 6 and waiting[0].attempts == 1
    assert waiting[0].last_error.startswith("cs.unreachable")
    assert [m.attempts for m in waiting[1:]] == [0] * 5


def test_the_list_needs_a_counter_role_and_a_known_status(app: App) -> None:
    a = a_municipality(app)
    cs = sender(app, None)
    with pytest.raises(DomainError) as refused:
        cs.listed(Actor("admin", a, frozenset({Role.ADMINISTRATOR})))
    assert refused.value.code == "auth.forbidden"
    with pytest.raises(DomainError) as unknown:
        cs.listed(clerk(a), "lost")
    assert unknown.value.code == "cs.status_unknown"


def cs_body(app: App, code: str) -> str:
    return sender(app, None).listed(clerk(code))[0].body
