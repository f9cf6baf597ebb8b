"""CS auto-send, the clerk's side and the faults (standard §7.1.1.1 (1090)): a slow CS counts as
no answer (the resend is harmless), one refusal goes to the error list while the rest go on, the
CS down loses nothing; re-sending with another 異動事由 (after the pending ones), completing by
hand, manual mode for a while; names in 住基ネット統一文字, an unconvertible one held for the
clerk. The stand-in runs in-process; the worker's rounds are driven directly (no sleeps)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest

from jichitai.adapters.db.cs_outbox_store import HELD, SqlCsOutbox
from jichitai.adapters.http.cs_transport import HttpCsTransport
from jichitai.bootstrap import App, standin_cs_server
from jichitai.domain.access.actor import Actor
from jichitai.domain.access.roles import Role
from jichitai.domain.errors import DomainError
from jichitai.domain.integration.retry import RetryPolicy
from jichitai.services.national import CsSender
from tests.factories import a_family_register, a_municipality, a_person
from tests.fakes import FixedClock
from tests.integration.test_cs_outbox import clerk, sender
from tests.integration.test_tenancy import move_in

pytestmark = pytest.mark.spec("7.1.1.1")


def reviewer(code: str) -> Actor:
    return Actor(f"reviewer-{code}", code, frozenset({Role.REVIEWER}))


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


def faults(url: str, **values: Any) -> None:
    answer = httpx.post(f"{url}/v1/faults", json=values)
    assert answer.status_code == 200, answer.text


def taken(url: str, code: str) -> list[tuple[int, int, str]]:
    found = httpx.get(f"{url}/v1/messages", params={"municipality": code}).json()
    return [(m["seq"], m["ordinal"], m["receipt"]) for m in found]


def keys(app: App, code: str, status: str | None = None) -> list[tuple[int, int]]:
    return [(m.seq, m.ordinal) for m in sender(app, None).listed(clerk(code), status)]


def a_resident(name: str) -> Any:
    """A resident whose 本籍 is 不明: their changes send no 戸籍附票記載事項通知, so the counts here
    are of 本人確認情報 and 転入通知情報 only (the 附票 notices are tested in
    test_koseki_immigration_links.py)."""
    return a_person(name=name, family_register=a_family_register(domicile="不明"))


def two_changes(app: App, code: str) -> None:
    app.register.record_change(code, move_in(a_resident("佐藤")))  # seq 1: 2 messages
    app.register.record_change(code, move_in(a_resident("鈴木"), lot="二丁目1番"))  # seq 2


def test_a_slow_answer_beyond_the_time_out_is_no_answer_and_the_resend_is_harmless(
    app: App, clock: FixedClock, standin: str
) -> None:
    a = a_municipality(app)
    two_changes(app, a)
    faults(standin, delay=1.0)
    # JICHITAI_CS_TIMEOUT, short here: the answer comes after 1 s, too late.
    cs = CsSender(
        SqlCsOutbox(app.engine),
        HttpCsTransport(standin, 0.2),
        app.clock,
        RetryPolicy(1, 1, 3),
        read_log=app.read_log,
    )
    report = cs.send_due()
    assert (report.sent, report.retrying) == (0, 1)
    first = sender(app, None).listed(clerk(a), "pending")[0]
    assert first.attempts == 1 and first.last_error.startswith("cs.unreachable")
    assert [t[:2] for t in taken(standin, a)] == [(1, 0)]  # the CS took it, the answer was late
    faults(standin, delay=0)
    clock.at += timedelta(seconds=2)
    assert sender(app, standin).send_due().sent == 4
    sent = sender(app, None).listed(clerk(a), "sent")
    assert taken(standin, a) == [(m.seq, m.ordinal, m.receipt) for m in sent]  # once each
    assert [(m.seq, m.ordinal) for m in sent] == [(1, 0), (1, 1), (2, 0), (2, 1)]


def test_one_refusal_goes_to_the_error_list_the_rest_go_on_and_the_clerk_resends_it(
    app: App, standin: str
) -> None:
    a = a_municipality(app)
    two_changes(app, a)
    faults(standin, refuse=[1])
    report = sender(app, standin).send_due()
    assert (report.sent, report.refused) == (2, 2)
    errors = sender(app, None).listed(clerk(a), "error")
    assert [(m.seq, m.ordinal, m.last_error.split(":")[0]) for m in errors] == [
        (1, 0, "cs.fault"),
        (1, 1, "cs.fault"),
    ]
    faults(standin, refuse=[])
    # Re-sent with another 異動事由: a new message after every other, the original completed.
    again = app.cs_ops.resend(reviewer(a), 1, 0, "in_town_move", "CSの拒否を確認")
    assert (again.seq, again.ordinal, again.status) == (2, 2, "pending")
    assert again.handled_by == f"reviewer-{a}" and "元: 通番 1-0" in again.note
    body = json.loads(again.body)
    assert (body["reason"], body["reason_label"], body["resend_of"]) == (
        "in_town_move",
        "転居",
        {"seq": 1, "ordinal": 0},
    )
    assert keys(app, a, "error") == [(1, 1)] and keys(app, a, "done") == [(1, 0)]
    assert sender(app, standin).send_due().sent == 1
    copy = httpx.get(f"{standin}/v1/identities", params={"municipality": a}).json()
    assert body["resident_code"] in copy and copy[body["resident_code"]]["reason"] == "in_town_move"
    # The 転入通知 in error: completed by hand with a note; the error list is empty.
    done = app.cs_ops.complete(reviewer(a), 1, 1, "前住所地へ郵送で通知した")
    assert (done.status, done.note, done.handled_by) == (
        "done",
        "前住所地へ郵送で通知した",
        f"reviewer-{a}",
    )
    assert keys(app, a, "error") == []
    # A sent message may be re-sent too: it stays sent, the new one goes after.
    resent = app.cs_ops.resend(reviewer(a), 2, 0)
    assert (resent.seq, resent.ordinal, resent.status) == (2, 3, "pending")
    assert (2, 0) in keys(app, a, "sent")
    assert sender(app, standin).send_due().sent == 1
    assert [t[:2] for t in taken(standin, a)] == [(2, 0), (2, 1), (2, 2), (2, 3)]


def test_with_the_cs_down_nothing_is_lost_the_order_is_kept_and_the_clerk_sees_it(
    app: App, clock: FixedClock, standin: str
) -> None:
    a = a_municipality(app)
    two_changes(app, a)
    faults(standin, down=True)
    for _ in range(3):
        assert sender(app, standin).send_due().retrying == 1
        clock.at += timedelta(seconds=1)
    pending = sender(app, None).listed(clerk(a), "pending")
    assert [(m.seq, m.ordinal, m.attempts) for m in pending] == [
        (1, 0, 3),
        (1, 1, 0),
        (2, 0, 0),
        (2, 1, 0),
    ]
    assert pending[0].last_error == "cs.unreachable: HTTP 503"
    faults(standin, down=False)
    assert sender(app, standin).send_due().sent == 4
    assert [t[:2] for t in taken(standin, a)] == [(1, 0), (1, 1), (2, 0), (2, 1)]


def test_manual_mode_holds_a_municipality_for_a_while_then_sends_in_order(
    app: App, clock: FixedClock, standin: str
) -> None:
    a, b = a_municipality(app), a_municipality(app)
    two_changes(app, a)
    two_changes(app, b)
    manual = app.cs_ops.pause(reviewer(a), clock.now() + timedelta(hours=1), "CS保守のため")
    assert manual.set_by == f"reviewer-{a}" and app.cs_ops.manual(clerk(a)) == manual
    assert sender(app, standin).send_due().sent == 4  # B's only
    assert taken(standin, a) == [] and len(keys(app, a, "pending")) == 4
    assert [m.attempts for m in sender(app, None).listed(clerk(a))] == [0, 0, 0, 0]
    clock.at += timedelta(hours=1, seconds=1)  # the while is over: sending resumes by itself
    assert app.cs_ops.manual(clerk(a)) is None
    assert sender(app, standin).send_due().sent == 4
    assert [t[:2] for t in taken(standin, a)] == [(1, 0), (1, 1), (2, 0), (2, 1)]
    # Until switched back.
    app.cs_ops.pause(reviewer(a), None)
    app.register.record_change(a, move_in(a_resident("田中"), lot="三丁目1番"))
    assert sender(app, standin).send_due().sent == 0
    app.cs_ops.resume(reviewer(a))
    assert sender(app, standin).send_due().sent == 2
    assert app.cs_ops.counts(clerk(a)) == {"sent": 6}


def test_the_operations_need_the_reviewer_and_check_what_they_are_given(
    app: App, clock: FixedClock
) -> None:
    a = a_municipality(app)
    two_changes(app, a)

    def refused(call: Any, *args: Any) -> str:
        with pytest.raises(DomainError) as caught:
            call(*args)
        return caught.value.code

    ops = app.cs_ops
    assert refused(ops.resend, clerk(a), 1, 0) == "auth.forbidden"
    assert refused(ops.complete, clerk(a), 1, 0, "x") == "auth.forbidden"
    assert refused(ops.pause, clerk(a), None) == "auth.forbidden"
    assert refused(ops.resume, clerk(a)) == "auth.forbidden"
    assert refused(ops.resend, reviewer(a), 1, 0) == "cs.not_resendable"  # pending: goes anyway
    assert refused(ops.resend, reviewer(a), 9, 0) == "cs.not_found"
    assert refused(ops.resend, reviewer(a), 1, 0, "no_such_reason") == "cs.reason_unknown"
    assert refused(ops.complete, reviewer(a), 1, 0, " ") == "cs.note_missing"
    assert refused(ops.complete, reviewer(a), 1, 0, "a\nb") == "cs.note_invalid"
    assert refused(ops.pause, reviewer(a), clock.now() - timedelta(minutes=1)) == (
        "cs.until_invalid"
    )
    assert refused(ops.pause, reviewer(a), "明日") == "cs.until_invalid"
    other = a_municipality(app)
    assert refused(ops.complete, reviewer(other), 1, 0, "x") == "cs.not_found"  # A's own


def test_names_go_in_unified_characters_and_an_unconvertible_one_is_held_for_the_clerk(
    app: App, standin: str
) -> None:
    a = a_municipality(app)
    app.register.record_change(a, move_in(a_resident("髙橋")))
    app.register.record_change(a, move_in(a_resident("\U0002000b野"), lot="二丁目1番"))
    messages = sender(app, None).listed(clerk(a))
    assert json.loads(messages[0].body)["name"].startswith("高橋")
    held = [m for m in messages if m.seq == 2]
    assert {m.status for m in held} == {"error"} and {m.last_error for m in held} == {HELD}
    assert {m.unconvertible for m in held} == {"\U0002000b (U+2000B)"}
    assert json.loads(held[0].body)["name"].startswith("\U0002000b野")  # nothing dropped
    assert sender(app, standin).send_due().sent == 2
    assert [t[:2] for t in taken(standin, a)] == [(1, 0), (1, 1)]
    # Re-sending converts again with the table as it is: still unconvertible, still held.
    again = app.cs_ops.resend(reviewer(a), 2, 0)
    assert again.status == "error" and again.unconvertible == "\U0002000b (U+2000B)"
