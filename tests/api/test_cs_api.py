"""CS auto-send through the API (standard §7.1.1.1 (1090)): the clerk's list (with what is
pending while the CS does not answer), re-send, done by hand, manual mode; roles checked."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from jichitai.adapters.db.cs_outbox_store import SqlCsOutbox
from jichitai.adapters.http.cs_transport import HttpCsTransport
from jichitai.bootstrap import App
from jichitai.domain.access.roles import Role
from jichitai.domain.integration.retry import RetryPolicy
from jichitai.services.national import CsSender
from tests.api.conftest import Tenant, auth, error_codes
from tests.fakes import FixedClock

pytestmark = pytest.mark.spec("7.1.1.1")


def test_the_clerk_lists_what_waits_and_a_reviewer_completes_resends_and_pauses(
    app: App, client: TestClient, tenant: Tenant, clock: FixedClock
) -> None:
    clerk = auth(client, tenant.login(Role.CLERK))
    reviewer = auth(client, tenant.login(Role.REVIEWER))
    # The CS does not answer (nobody listens on port 9): the first message waits, with why.
    away = CsSender(
        SqlCsOutbox(app.engine),
        HttpCsTransport("http://127.0.0.1:9", 1),
        clock,
        RetryPolicy(1, 1, 3),
        read_log=app.read_log,
    )
    assert away.send_due().retrying == 1
    listed = client.get("/api/v1/cs/messages", params={"status": "pending"}, headers=clerk)
    assert listed.status_code == 200, listed.text
    document = listed.json()
    assert document["manual"] is None
    first, *rest = document["messages"]
    assert (first["seq"], first["ordinal"], first["attempts"]) == (1, 0, 1)
    assert first["last_error"].startswith("cs.unreachable")
    assert rest and all(m["attempts"] == 0 for m in rest)  # the later ones wait, untried

    done = client.post("/api/v1/cs/messages/1/1/done", json={"note": "郵送で通知"}, headers=clerk)
    assert done.status_code == 403 and error_codes(done) == ["auth.forbidden"]
    done = client.post(
        "/api/v1/cs/messages/1/1/done", json={"note": "郵送で通知"}, headers=reviewer
    )
    assert done.status_code == 200, done.text
    assert (done.json()["status"], done.json()["note"]) == ("done", "郵送で通知")
    pending = client.post("/api/v1/cs/messages/1/0/resend", json={}, headers=reviewer)
    assert pending.status_code == 409 and error_codes(pending) == ["cs.not_resendable"]
    missing = client.post("/api/v1/cs/messages/7/0/resend", json={}, headers=reviewer)
    assert missing.status_code == 404 and error_codes(missing) == ["cs.not_found"]
    again = client.post(
        "/api/v1/cs/messages/1/1/resend", json={"reason": "in_town_move"}, headers=reviewer
    )
    assert again.status_code == 409  # done by hand: not re-sent

    until = (clock.now() + timedelta(hours=2)).isoformat()
    paused = client.put(
        "/api/v1/cs/manual", json={"until": until, "note": "保守"}, headers=reviewer
    )
    assert paused.status_code == 200, paused.text
    assert paused.json()["set_by"] == tenant.login(Role.REVIEWER)
    shown = client.get("/api/v1/cs/messages", headers=clerk).json()
    assert shown["manual"]["note"] == "保守" and len(shown["messages"]) == 1 + len(rest)
    assert client.put("/api/v1/cs/manual", json={}, headers=clerk).status_code == 403
    bad = client.put("/api/v1/cs/manual", json={"until": "あした"}, headers=reviewer)
    assert bad.status_code == 422 and error_codes(bad) == ["cs.until_invalid"]
    assert client.delete("/api/v1/cs/manual", headers=reviewer).status_code == 204
    assert client.get("/api/v1/cs/messages", headers=clerk).json()["manual"] is None
    unknown = client.get("/api/v1/cs/messages", params={"status": "lost"}, headers=clerk)
    assert unknown.status_code == 422
