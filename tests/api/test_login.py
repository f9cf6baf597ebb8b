"""Log-in tells a stranger nothing and cannot be turned against a user or the server: one answer
and exactly one password verification for every failure, throttles per client address and per
login from an address, a bound on concurrent hashing, logins unique per municipality only."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from jichitai.adapters.security.passwords import Argon2PasswordHasher
from jichitai.bootstrap import App, bootstrap
from jichitai.config import Settings
from jichitai.domain.access.roles import Role
from jichitai.entrypoints.server import create_app
from tests.api.conftest import (
    PASSWORD,
    Tenant,
    auth,
    error_codes,
    from_address,
    token,
)
from tests.fakes import CountingHasher, FixedClock, SeededRandom

WRONG = "not the password at all"


def log_in(client: TestClient, login: str, password: str, **extra: str) -> Any:
    return client.post(
        "/api/v1/auth/token", data={"username": login, "password": password, **extra}
    )


@pytest.mark.spec("10.3")
def test_every_failed_log_in_costs_exactly_one_verification_and_answers_the_same(
    app: App, client: TestClient, tenant: Tenant, other: Tenant, hasher: CountingHasher
) -> None:
    """Unknown login, wrong password, a login throttled at this address, a login two
    municipalities have, an over-long password, a malformed login: the same body after the
    same work (one verification each), so neither the answer nor the work tells them apart."""
    app.users.add(tenant.code, "tanaka", PASSWORD, [Role.CLERK])
    app.users.add(other.code, "tanaka", PASSWORD, [Role.CLERK])
    clerk = tenant.login(Role.CLERK)
    with from_address(app, "198.51.100.20") as elsewhere:
        for _ in range(5):
            log_in(elsewhere, tenant.login(Role.REVIEWER), WRONG)
        attempts = {
            "unknown login": (client, "nobody-here", PASSWORD, {}),
            "wrong password": (client, clerk, WRONG, {}),
            "throttled login, right password": (
                elsewhere,
                tenant.login(Role.REVIEWER),
                PASSWORD,
                {},
            ),
            "login of two municipalities": (client, "tanaka", PASSWORD, {}),
            "wrong municipality": (client, clerk, PASSWORD, {"municipality_code": other.code}),
            "over-long password": (client, clerk, "x" * 300, {}),
            "malformed login": (client, "Not A Login!", PASSWORD, {}),
        }
        bodies = {}
        for name, (where, login, password, extra) in attempts.items():
            before = hasher.verified
            answer = log_in(where, login, password, **extra)
            assert answer.status_code == 401, name
            assert hasher.verified - before == 1, name
            bodies[name] = answer.json()
    first = bodies["unknown login"]
    assert error_codes_of(first) == ["auth.invalid_credentials"]
    assert all(body == first for body in bodies.values()), bodies


def error_codes_of(body: dict[str, Any]) -> list[str]:
    return [e["code"] for e in body["errors"]]


def test_an_address_past_its_failures_is_refused_before_any_hashing(
    app: App, tenant: Tenant, hasher: CountingHasher, clock: FixedClock
) -> None:
    with from_address(app, "203.0.113.50") as flood, from_address(app, "192.0.2.1") as counter:
        for n in range(20):
            assert log_in(flood, f"guess-{n:02d}", WRONG).status_code == 401
        before = hasher.verified
        refused = log_in(flood, tenant.login(Role.CLERK), PASSWORD)
        assert refused.status_code == 429
        assert error_codes(refused) == ["auth.throttled"]
        assert "しばらくログインを受け付けません" in refused.json()["errors"][0]["message"]
        assert 1 <= int(refused.headers["Retry-After"]) <= 15 * 60
        assert hasher.verified == before  # nothing hashed
        assert token(counter, tenant.login(Role.CLERK))  # other terminals log in as usual
        clock.at += timedelta(minutes=15, seconds=1)
        assert token(flood, tenant.login(Role.CLERK))


def test_a_success_clears_that_logins_failures_at_that_address(app: App, tenant: Tenant) -> None:
    login = tenant.login(Role.CLERK)
    with from_address(app, "192.0.2.7") as terminal:
        for _ in range(2):
            for _ in range(4):
                assert log_in(terminal, login, WRONG).status_code == 401
            assert token(terminal, login)  # 4 + 4 failures, never 5 in a row


def test_an_administrators_unlock_clears_the_logins_throttle(
    app: App, client: TestClient, tenant: Tenant
) -> None:
    login = tenant.login(Role.CLERK)
    with from_address(app, "192.0.2.8") as terminal:
        for _ in range(5):
            log_in(terminal, login, WRONG)
        assert log_in(terminal, login, PASSWORD).status_code == 401
        admin = auth(client, tenant.login(Role.ADMINISTRATOR))
        unlocked = client.patch(f"/api/v1/users/{login}", json={"unlock": True}, headers=admin)
        assert unlocked.status_code == 200
        assert token(terminal, login)


def test_failed_log_ins_are_in_the_log_of_the_municipality_whose_login_was_tried(
    app: App, client: TestClient, tenant: Tenant
) -> None:
    login = tenant.login(Role.CLERK)
    with from_address(app, "192.0.2.9") as terminal:
        for _ in range(6):
            log_in(terminal, login, WRONG)
    auditor = auth(client, tenant.login(Role.AUDITOR))
    found = client.get(
        "/api/v1/access-log", params={"operation": "login_failed"}, headers=auditor
    ).json()["entries"]
    assert [e["detail"] for e in found] == ["auth.throttled_login"] + [
        "auth.invalid_credentials"
    ] * 5
    assert {(e["user_login"], e["terminal"]) for e in found} == {(login, "192.0.2.9")}


@pytest.mark.spec("10.3")
def test_at_most_n_hashes_run_at_once_and_the_rest_are_refused_at_once(
    app_settings: Settings, clean_db: Engine, clock: FixedClock, tenant: Tenant
) -> None:
    """One hash at a time, none waiting: while one log-in is hashing, another is answered 503
    at once, without hashing; once the first is done, log-ins go through again."""
    hasher = CountingHasher(Argon2PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    bounded = bootstrap(
        replace(app_settings, hash_concurrency=1, hash_waiting=0),
        engine=clean_db,
        clock=clock,
        random=SeededRandom(9),
        hasher=hasher,
    )
    with (
        TestClient(create_app(bounded), raise_server_exceptions=False) as first,
        TestClient(create_app(bounded), raise_server_exceptions=False) as second,
    ):
        assert token(first, tenant.login(Role.CLERK))  # the dummy hash is made, once
        hasher.hold()
        answers: list[Any] = []
        busy_one = threading.Thread(
            target=lambda: answers.append(log_in(first, tenant.login(Role.CLERK), PASSWORD))
        )
        busy_one.start()
        try:
            assert hasher.entered.wait(timeout=60)
            verified = hasher.verified
            refused = log_in(second, tenant.login(Role.REVIEWER), PASSWORD)
            assert refused.status_code == 503
            assert error_codes(refused) == ["auth.busy"]
            assert "混み合っています" in refused.json()["errors"][0]["message"]
            assert int(refused.headers["Retry-After"]) >= 1
            assert hasher.verified == verified
        finally:
            hasher.release()
            busy_one.join(timeout=60)
        assert [a.status_code for a in answers] == [200]
        assert token(second, tenant.login(Role.REVIEWER))


# --- logins per municipality -------------------------------------------------------------------


def test_the_same_login_in_two_municipalities_logs_in_where_the_code_says(
    app: App, client: TestClient, tenant: Tenant, other: Tenant
) -> None:
    app.users.add(tenant.code, "tanaka", PASSWORD, [Role.CLERK])
    app.users.add(other.code, "tanaka", "another passphrase here", [Role.REVIEWER])
    assert error_codes(log_in(client, "tanaka", PASSWORD)) == ["auth.invalid_credentials"]
    here = log_in(client, "tanaka", PASSWORD, municipality_code=tenant.code)
    there = log_in(client, "tanaka", "another passphrase here", municipality_code=other.code)
    for answer, code, roles in ((here, tenant.code, ["clerk"]), (there, other.code, ["reviewer"])):
        assert answer.status_code == 200, answer.text
        me = client.get(
            "/api/v1/me", headers={"Authorization": f"Bearer {answer.json()['access_token']}"}
        ).json()
        assert (me["municipality_code"], me["roles"]) == (code, roles)
    crossed = log_in(client, "tanaka", PASSWORD, municipality_code=other.code)
    assert error_codes(crossed) == ["auth.invalid_credentials"]


def test_a_login_of_one_municipality_only_needs_no_code(client: TestClient, tenant: Tenant) -> None:
    assert token(client, tenant.login(Role.CLERK))


@pytest.mark.spec("10.3")
def test_an_administrator_cannot_learn_another_municipalitys_logins(
    client: TestClient, tenant: Tenant, other: Tenant
) -> None:
    """Adding a login another municipality has succeeds; only one's own gives ``user.exists``."""
    admin = auth(client, tenant.login(Role.ADMINISTRATOR))
    body = {"login": other.login(Role.CLERK), "password": PASSWORD, "roles": ["clerk"]}
    added = client.post("/api/v1/users", json=body, headers=admin)
    assert added.status_code == 201, added.text
    assert added.json()["municipality_code"] == tenant.code
    again = client.post("/api/v1/users", json=body, headers=admin)
    assert again.status_code == 409
    assert error_codes(again) == ["user.exists"]
    theirs = client.get("/api/v1/me", headers=auth_in(client, other))
    assert theirs.json()["municipality_code"] == other.code


def auth_in(client: TestClient, tenant: Tenant) -> dict[str, str]:
    answer = log_in(client, tenant.login(Role.CLERK), PASSWORD, municipality_code=tenant.code)
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


# --- an administrator's own account ------------------------------------------------------------


@pytest.mark.spec("10.3")
@pytest.mark.parametrize(
    "change",
    [
        {"roles": ["administrator", "dv_officer"]},
        {"roles": ["clerk"]},
        {"disabled": True},
        {"valid_until": "2030-03-31"},
        {"password": "set without the current one"},
    ],
)
def test_an_administrator_cannot_change_their_own_account(
    app: App, client: TestClient, tenant: Tenant, change: dict[str, Any]
) -> None:
    own = tenant.login(Role.ADMINISTRATOR)
    admin = auth(client, own)
    refused = client.patch(f"/api/v1/users/{own}", json=change, headers=admin)
    assert refused.status_code == 403
    assert error_codes(refused) == ["user.self_change"]
    assert "別の管理者" in refused.json()["errors"][0]["message"]
    unchanged = app.users.known(own, tenant.code)
    assert unchanged is not None and unchanged.roles == {Role.ADMINISTRATOR}
    assert not unchanged.disabled and unchanged.valid_until is None
    app.users.add(tenant.code, "second-admin", PASSWORD, [Role.ADMINISTRATOR])
    by_another = client.patch(
        f"/api/v1/users/{own}", json=change, headers=auth(client, "second-admin")
    )
    assert by_another.status_code == 200, by_another.text


def test_an_administrator_may_send_their_own_account_unchanged(
    client: TestClient, tenant: Tenant
) -> None:
    own = tenant.login(Role.ADMINISTRATOR)
    admin = auth(client, own)
    same = client.patch(f"/api/v1/users/{own}", json={"roles": ["administrator"]}, headers=admin)
    assert same.status_code == 200


def test_accounts_made_and_changed_by_an_administrator_are_logged_with_their_roles(
    client: TestClient, tenant: Tenant
) -> None:
    """An administrator can make an account with any roles and act through it; no rule stops
    that, so the log must show who made which account with which roles."""
    admin = auth(client, tenant.login(Role.ADMINISTRATOR))
    client.post(
        "/api/v1/users",
        json={"login": "helper", "password": PASSWORD, "roles": ["dv_officer", "reviewer"]},
        headers=admin,
    )
    client.patch("/api/v1/users/helper", json={"roles": ["clerk"], "unlock": True}, headers=admin)
    auditor = auth(client, tenant.login(Role.AUDITOR))
    found = client.get(
        "/api/v1/access-log", params={"operation": "manage_users"}, headers=auditor
    ).json()["entries"]
    assert [(e["target"], e["detail"]) for e in found][:2] == [
        ("user:helper:change", "roles=clerk;unlock"),
        ("user:helper:add", "roles=dv_officer,reviewer"),
    ]
