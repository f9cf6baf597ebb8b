"""The integration API over time: the contract's version on every answer, the rate limit per
subscriber (429 with Retry-After, on the test's clock), and the webhook-secret rotation as an
administrator drives it through the staff API.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from jichitai.bootstrap import App
from jichitai.config import Settings, SettingsError
from jichitai.domain.access.roles import Role
from jichitai.services.audit import AccessSearch
from tests.api.conftest import Tenant, auth, error_codes
from tests.apps import settings_for
from tests.factories import an_administrator, an_auditor
from tests.fakes import FixedClock

pytestmark = pytest.mark.spec("7.2.3")

LIMIT = 3


@pytest.fixture
def app_settings(tmp_path: Path) -> Settings:
    return replace(
        settings_for(tmp_path / "keys"), integration_limit=LIMIT, integration_window_seconds=60
    )


def bearer(app: App, code: str, name: str = "選挙システム") -> tuple[str, dict[str, str]]:
    issued = app.subscribers.add(
        an_administrator(code), name=name, system="elections", items=["氏_日本人"]
    )
    return issued.subscriber.subscriber_id, {"Authorization": f"Bearer {issued.api_key}"}


def test_every_integration_answer_names_the_contract_version_and_staff_answers_do_not(
    app: App, client: TestClient, tenant: Tenant
) -> None:
    _, key = bearer(app, tenant.code)
    answers = [
        client.get("/integration/v1/changes", params={"after": "0"}, headers=key),
        client.get("/integration/v1/extract", headers=key),
        client.get("/integration/v1/persons/0000000000", headers=key),  # 404
        client.get("/integration/v1/changes"),  # 401: no key
    ]
    assert [a.status_code for a in answers] == [200, 200, 404, 401]
    assert {a.headers["X-Jichitai-Integration-Version"] for a in answers} == {"1.1"}
    staff = client.get(
        "/api/v1/subscribers", headers=auth(client, tenant.login(Role.ADMINISTRATOR))
    )
    assert staff.status_code == 200 and "X-Jichitai-Integration-Version" not in staff.headers


def test_each_subscriber_is_limited_on_its_own_with_retry_after_on_the_clock(
    app: App, client: TestClient, clock: FixedClock, tenant: Tenant
) -> None:
    subscriber_id, key = bearer(app, tenant.code)
    _, other_key = bearer(app, tenant.code, "国保システム")
    start = clock.at
    for step in range(LIMIT):
        clock.at = start + timedelta(seconds=10 * step)  # at 0, 10 and 20 s
        assert client.get("/integration/v1/changes", headers=key).status_code == 200
    clock.at = start + timedelta(seconds=25)
    over = client.get("/integration/v1/extract", headers=key)  # every route shares the count
    assert over.status_code == 429, over.text
    assert error_codes(over) == ["integration.throttled"]
    assert over.headers["Retry-After"] == "35"  # until the request at 0 s leaves the window
    assert "35秒後にもう一度お試しください" in over.json()["errors"][0]["message"]
    assert over.headers["X-Jichitai-Integration-Version"] == "1.1"

    # Another subscriber has its own count; a new key does not reset the subscriber's.
    assert client.get("/integration/v1/changes", headers=other_key).status_code == 200
    renewed = app.subscribers.renew_key(an_administrator(tenant.code), subscriber_id)
    renewed_key = {"Authorization": f"Bearer {renewed.api_key}"}
    assert client.get("/integration/v1/changes", headers=renewed_key).status_code == 429

    clock.at = start + timedelta(seconds=60)  # the first request leaves the window: one more
    assert client.get("/integration/v1/changes", headers=renewed_key).status_code == 200
    assert client.get("/integration/v1/changes", headers=renewed_key).status_code == 429

    # The refusals are in the access log as the subscriber's own.
    refused = app.access_log.search(
        an_auditor(tenant.code), AccessSearch(user_login=f"subscriber:{subscriber_id}")
    )
    assert sum(1 for e in refused if "integration.throttled" in (e.detail or "")) == 3


def test_the_integration_limit_is_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JICHITAI_INTEGRATION_LIMIT", raising=False)
    monkeypatch.delenv("JICHITAI_INTEGRATION_WINDOW_SECONDS", raising=False)
    defaults = Settings.from_environment()
    assert (defaults.integration_limit, defaults.integration_window_seconds) == (1200, 60.0)
    monkeypatch.setenv("JICHITAI_INTEGRATION_LIMIT", "50")
    monkeypatch.setenv("JICHITAI_INTEGRATION_WINDOW_SECONDS", "10")
    tight = Settings.from_environment()
    assert (tight.integration_limit, tight.integration_window_seconds) == (50, 10.0)
    for bad in ("0", "-1", "many"):
        monkeypatch.setenv("JICHITAI_INTEGRATION_LIMIT", bad)
        with pytest.raises(SettingsError, match="JICHITAI_INTEGRATION_LIMIT"):
            Settings.from_environment()


def test_an_administrator_rotates_and_retires_a_webhook_secret_through_the_api(
    app: App, client: TestClient, clock: FixedClock, tenant: Tenant
) -> None:
    admin = auth(client, tenant.login(Role.ADMINISTRATOR))
    created = client.post(
        "/api/v1/subscribers",
        json={
            "name": "児童手当",
            "system": "child_allowance",
            "items": ["氏_日本人"],
            "webhook_url": "https://8.8.8.8/hook",
        },
        headers=admin,
    )
    assert created.status_code == 201, created.text
    subscriber_id = created.json()["subscriber"]["subscriber_id"]
    old_secret = created.json()["webhook_secret"]
    base = f"/api/v1/subscribers/{subscriber_id}"

    rotated = client.post(f"{base}/rotate-secret", json={"overlap_hours": 48}, headers=admin)
    assert rotated.status_code == 200, rotated.text
    body = rotated.json()
    assert body["webhook_secret"].startswith("whsec_") and body["webhook_secret"] != old_secret
    until = (clock.at + timedelta(hours=48)).isoformat().replace("+00:00", "Z")
    assert body["previous_valid_until"].replace("+00:00", "Z") == until
    listed = client.get("/api/v1/subscribers", headers=admin).json()["subscribers"]
    assert listed[0]["previous_secret_until"] is not None
    assert old_secret not in rotated.text.replace(body["webhook_secret"], "")

    retired = client.post(f"{base}/retire-secret", headers=admin)
    assert retired.status_code == 200 and retired.json()["previous_secret_until"] is None

    too_long = client.post(f"{base}/rotate-secret", json={"overlap_hours": 721}, headers=admin)
    assert too_long.status_code == 422
    clerk = auth(client, tenant.login(Role.CLERK))
    assert client.post(f"{base}/rotate-secret", headers=clerk).status_code == 403
    no_hook = bearer(app, tenant.code, "照会だけ")[0]
    refused = client.post(f"/api/v1/subscribers/{no_hook}/rotate-secret", headers=admin)
    assert error_codes(refused) == ["subscriber.no_webhook"]
