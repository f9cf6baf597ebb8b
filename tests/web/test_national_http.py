"""The CS送信 screen below the browser, with messages the stand-in CS answered: a change's refused
(the CS's answer on the list), the others sent (with their receipt); a reviewer's re-send with
another 異動事由 lands after them as pending; the services' refusals come back with their codes
(a forged form of a clerk is refused as a page of its own); a refused message completed by hand
(氏名) goes back to pending, and the printed error lists come from the page. The browser test of the screen is
``test_national_browser.py``."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from jichitai.adapters.db.cs_outbox_store import SqlCsOutbox
from jichitai.adapters.http.cs_transport import HttpCsTransport
from jichitai.bootstrap import App, standin_cs_server
from jichitai.domain.access.roles import Role
from jichitai.domain.integration.retry import RetryPolicy
from jichitai.services.national import CsSender
from tests.api.conftest import Tenant, a_move_in
from tests.fakes import FixedClock
from tests.web.test_counter_http import log_in


@pytest.fixture
def refusing_standin(tmp_path: Path) -> Iterator[str]:
    """The stand-in CS, refusing the messages of 通番 2."""
    server = standin_cs_server("127.0.0.1", 0, str(tmp_path / "cs"), refuse=(2,))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def rows(page: str) -> dict[str, str]:
    """The list's rows as text, by their 通番-順."""
    found = re.findall(r'<tr data-status="\w+" id="cs-(\d+-\d+)">(.*?)</tr>', page, re.S)
    return {k: re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", v)).strip() for k, v in found}


def codes(page: str) -> list[str]:
    return re.findall(r'class="error" data-code="([^"]+)"', page)


@pytest.mark.spec("7.1.1.1")
def test_the_list_shows_the_cs_answers_and_a_reviewer_resends_with_another_reason(
    app: App, http: TestClient, tenant: Tenant, clock: FixedClock, refusing_standin: str
) -> None:
    sender = CsSender(
        SqlCsOutbox(app.engine),
        HttpCsTransport(refusing_standin, 5),
        clock,
        RetryPolicy(1, 1, 3),
        read_log=app.read_log,
    )
    app.register.record_change(tenant.code, a_move_in(11, "佐藤", "サトウ"))  # 通番 2
    report = sender.send_due()
    assert report.refused >= 1 and report.sent >= 1  # 通番 1 taken, 通番 2 refused
    csrf = log_in(http, tenant, Role.REVIEWER)
    errors = rows(http.get("/ui/cs/messages", params={"status": "error"}).text)
    assert errors and all(k.startswith("2-") for k in errors)
    assert "cs.fault: この電文は受け付けません" in errors["2-0"] and "エラー" in errors["2-0"]
    sent = rows(http.get("/ui/cs/messages", params={"status": "sent"}).text)
    assert sent and all("受付番号" in text for text in sent.values())

    resent = http.post(
        "/ui/cs/messages/2/0/resend",
        data={
            "csrf_token": csrf,
            "reason": "in_town_move",
            "note": "CSの指示で",
            "back_status": "",
        },
        follow_redirects=False,
    )
    assert resent.status_code == 303
    assert resent.headers["location"] == "/ui/cs/messages?done=resent"
    listed = http.get(resent.headers["location"]).text
    assert "再送信を送信待ちに入れました" in listed
    pending = rows(http.get("/ui/cs/messages", params={"status": "pending"}).text)
    (made,) = (text for text in pending.values() if "再送信（元: 通番 2-0" in text)
    assert "転居に変更して" in made and "CSの指示で" in made

    # A message pending is not re-sent: the service's answer, with its code, on the list.
    key = next(iter(pending)).split("-")
    again = http.post(
        f"/ui/cs/messages/{key[0]}/{key[1]}/resend", data={"csrf_token": csrf, "reason": ""}
    )
    assert again.status_code == 409 and codes(again.text) == ["cs.not_resendable"]
    late = http.post("/ui/cs/manual", data={"csrf_token": csrf, "until": "あした"})
    assert late.status_code == 422 and codes(late.text) == ["cs.until_invalid"]
    assert 'aria-invalid="true"' in late.text  # next to the field of the date

    clerk_csrf = log_in(http, tenant, Role.CLERK)
    listed = http.get("/ui/cs/messages").text
    assert "/resend" not in listed and "手動連携に切り替える" not in listed
    forged = http.post("/ui/cs/messages/2/0/done", data={"csrf_token": clerk_csrf, "note": "x"})
    assert forged.status_code == 403 and "この操作は行えません" in forged.text


@pytest.mark.spec("7.1.1.1")
def test_a_reviewer_completes_a_refused_message_by_hand_and_the_error_lists_are_printed(
    app: App, http: TestClient, tenant: Tenant, clock: FixedClock, refusing_standin: str
) -> None:
    sender = CsSender(
        SqlCsOutbox(app.engine),
        HttpCsTransport(refusing_standin, 5),
        clock,
        RetryPolicy(1, 1, 3),
        read_log=app.read_log,
    )
    app.register.record_change(tenant.code, a_move_in(11, "佐藤", "サトウ"))  # 通番 2
    assert sender.send_due().refused >= 1
    csrf = log_in(http, tenant, Role.REVIEWER)
    listed = http.get("/ui/cs/messages", params={"status": "error"}).text
    assert "/ui/cs/messages/2/0/amend" in listed and 'name="item_name"' in listed
    nothing = http.post(
        "/ui/cs/messages/2/0/amend", data={"csrf_token": csrf, "item_address": "", "note": ""}
    )
    assert nothing.status_code == 422 and codes(nothing.text) == ["cs.items_missing"]
    amended = http.post(
        "/ui/cs/messages/2/0/amend",
        data={"csrf_token": csrf, "item_name": "佐藤　次郎", "note": "届書で確認"},
        follow_redirects=False,
    )
    assert amended.status_code == 303, amended.text
    assert amended.headers["location"] == "/ui/cs/messages?done=amended"
    assert "補完した電文を送信待ちに入れました" in http.get(amended.headers["location"]).text
    pending = rows(http.get("/ui/cs/messages", params={"status": "pending"}).text)
    (made,) = (text for text in pending.values() if "手入力で補完（元: 通番 2-0" in text)
    assert "氏名" in made and "届書で確認" in made
    key = next(k for k, text in pending.items() if text == made).replace("-", "/")
    again = http.post(f"/ui/cs/messages/{key}/amend", data={"csrf_token": csrf, "item_name": "x"})
    assert again.status_code == 409 and codes(again.text) == ["cs.not_amendable"]

    log_in(http, tenant, Role.CLERK)  # the printed lists are the counter's
    assert "/ui/cs/error-list.pdf" in http.get("/ui/cs/messages").text
    printed = http.get("/ui/cs/error-list.pdf")
    assert printed.status_code == 200 and printed.content.startswith(b"%PDF")
    assert printed.headers["cache-control"] == "no-store"
    intake = http.get("/ui/cs/inbox/error-list.csv")
    assert intake.status_code == 200 and intake.headers["content-type"].startswith("text/csv")
