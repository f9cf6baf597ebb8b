"""Log-in, tokens, lock-out, validity periods, roles."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from jichitai.bootstrap import App
from jichitai.domain.access.roles import Role
from tests.api.conftest import PASSWORD, Tenant, auth, error_codes, from_address, token
from tests.fakes import FixedClock


@pytest.mark.spec("10.3")
def test_the_password_flow_answers_a_bearer_token_that_opens_the_api(
    client: TestClient, tenant: Tenant
) -> None:
    response = client.post(
        "/api/v1/auth/token",
        data={"username": tenant.login(Role.CLERK), "password": PASSWORD},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 3600
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200
    assert me.json()["municipality_code"] == tenant.code
    assert me.json()["roles"] == ["clerk"]
    assert me.json()["role_labels"] == ["窓口"]


@pytest.mark.parametrize("password", ["wrong password!!", "", "x" * 300])
def test_a_wrong_password_and_an_unknown_login_get_the_same_refusal(
    client: TestClient, tenant: Tenant, password: str
) -> None:
    wrong = client.post(
        "/api/v1/auth/token", data={"username": tenant.login(Role.CLERK), "password": password}
    )
    unknown = client.post(
        "/api/v1/auth/token", data={"username": "nobody-here", "password": password}
    )
    assert wrong.status_code == unknown.status_code
    assert wrong.json() == unknown.json()
    assert wrong.status_code in (401, 422)


@pytest.mark.spec("10.3")
def test_five_failures_refuse_that_login_from_that_address_only_and_never_lock_the_account(
    app: App, tenant: Tenant, clock: FixedClock
) -> None:
    """A stranger's wrong guesses used to lock the account (administrators too) for everyone;
    now they stop only that login from that address, with the ordinary answer."""
    login = tenant.login(Role.ADMINISTRATOR)
    with from_address(app, "203.0.113.9") as stranger, from_address(app, "192.0.2.10") as office:
        for _ in range(5):
            refused = stranger.post(
                "/api/v1/auth/token", data={"username": login, "password": "not the password"}
            )
            assert error_codes(refused) == ["auth.invalid_credentials"]
        unknown = stranger.post(
            "/api/v1/auth/token", data={"username": "nobody-here", "password": PASSWORD}
        )
        throttled = stranger.post(
            "/api/v1/auth/token", data={"username": login, "password": PASSWORD}
        )
        assert throttled.status_code == unknown.status_code == 401
        assert throttled.json() == unknown.json()
        assert token(office, login)  # the administrator at their own terminal is not locked out
        clock.at += timedelta(minutes=16)
        assert token(stranger, login)


def test_an_expired_token_is_refused(client: TestClient, tenant: Tenant, clock: FixedClock) -> None:
    headers = auth(client, tenant.login(Role.CLERK))
    clock.at += timedelta(minutes=61)
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert error_codes(response) == ["auth.invalid_token"]


def test_a_forged_token_is_refused(client: TestClient, tenant: Tenant) -> None:
    import jwt

    forged = jwt.encode(
        {
            "sub": tenant.login(Role.ADMINISTRATOR),
            "mun": tenant.code,
            "aud": "jichitai-staff",
            "iat": 0,
            "exp": 4_000_000_000,
        },
        "not-the-secret-" + "y" * 40,
        algorithm="HS256",
    )
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {forged}"})
    assert response.status_code == 401
    assert error_codes(response) == ["auth.invalid_token"]


@pytest.mark.spec("10.3")
def test_a_user_outside_the_validity_period_cannot_log_in_or_use_a_token(
    app: App, client: TestClient, tenant: Tenant, clock: FixedClock
) -> None:
    app.users.add(
        tenant.code, "temp-clerk", PASSWORD, [Role.CLERK], valid_until=clock.day + timedelta(days=1)
    )
    headers = auth(client, "temp-clerk")
    clock.day += timedelta(days=2)
    assert error_codes(client.get("/api/v1/me", headers=headers)) == ["auth.expired"]
    refused = client.post(
        "/api/v1/auth/token", data={"username": "temp-clerk", "password": PASSWORD}
    )
    assert error_codes(refused) == ["auth.expired"]


@pytest.mark.spec("10.3")
def test_a_disabled_user_is_refused_at_once_with_a_token_still_valid(
    client: TestClient, tenant: Tenant
) -> None:
    clerk = auth(client, tenant.login(Role.CLERK))
    admin = auth(client, tenant.login(Role.ADMINISTRATOR))
    changed = client.patch(
        f"/api/v1/users/{tenant.login(Role.CLERK)}", json={"disabled": True}, headers=admin
    )
    assert changed.status_code == 200, changed.text
    assert error_codes(client.get("/api/v1/me", headers=clerk)) == ["auth.disabled"]


@pytest.mark.spec("10.3")
def test_passwords_are_stored_only_as_argon2id_hashes(app: App, tenant: Tenant) -> None:
    user = app.users.known(tenant.login(Role.CLERK))
    assert user is not None
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash


@pytest.mark.spec("10.3")
def test_a_user_changes_their_own_password_proving_the_current_one(
    client: TestClient, tenant: Tenant
) -> None:
    login = tenant.login(Role.CLERK)
    headers = auth(client, login)
    wrong = client.post(
        "/api/v1/me/password",
        json={"current_password": "not it at all", "new_password": "a brand new passphrase"},
        headers=headers,
    )
    assert wrong.status_code == 401
    assert error_codes(wrong) == ["auth.invalid_credentials"]
    changed = client.post(
        "/api/v1/me/password",
        json={"current_password": PASSWORD, "new_password": "a brand new passphrase"},
        headers=headers,
    )
    assert changed.status_code == 204
    assert token(client, login, "a brand new passphrase")
    old = client.post("/api/v1/auth/token", data={"username": login, "password": PASSWORD})
    assert old.status_code == 401


@pytest.mark.spec("10.3")
def test_an_administrator_sees_the_failures_resets_a_password_and_unlocks(
    client: TestClient, tenant: Tenant
) -> None:
    login = tenant.login(Role.CLERK)
    for _ in range(5):
        client.post("/api/v1/auth/token", data={"username": login, "password": "wrong wrong wrong"})
    admin = auth(client, tenant.login(Role.ADMINISTRATOR))
    users = client.get("/api/v1/users", headers=admin).json()["users"]
    shown = next(u for u in users if u["login"] == login)
    assert (shown["locked"], shown["failed_attempts"]) == (True, 5)
    reset = client.patch(
        f"/api/v1/users/{login}",
        json={"unlock": True, "password": "reset by the administrator"},
        headers=admin,
    )
    assert reset.status_code == 200
    assert (reset.json()["locked"], reset.json()["failed_attempts"]) == (False, 0)
    assert token(client, login, "reset by the administrator")


def test_a_change_made_elsewhere_applies_within_the_user_cache_period(
    app: App, client: TestClient, tenant: Tenant, clock: FixedClock
) -> None:
    """Another process disabling the user (here: the directory written directly) is seen by this
    process within five seconds, not at once."""
    from dataclasses import replace

    from jichitai.adapters.db.unit_of_work import SqlUnitOfWork

    login = tenant.login(Role.CLERK)
    headers = auth(client, login)
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    with SqlUnitOfWork(app.engine, tenant.code) as uow:
        user = uow.users.get(login)
        assert user is not None
        uow.users.update(replace(user, disabled=True))
        uow.commit()
    assert client.get("/api/v1/me", headers=headers).status_code == 200  # cached
    clock.at += timedelta(seconds=6)
    refused = client.get("/api/v1/me", headers=headers)
    assert error_codes(refused) == ["auth.disabled"]
