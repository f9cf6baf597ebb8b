"""Sessions end when they should: log-out, password changes and administrators' changes refuse
the old token at once, in every server process, and every end is in the access log."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import jwt
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from jichitai.bootstrap import App, bootstrap
from jichitai.config import Settings
from jichitai.domain.access.roles import Role
from jichitai.entrypoints.server import create_app
from tests.api.conftest import PASSWORD, SECRET, Tenant, auth, error_codes, token
from tests.fakes import FixedClock, SeededRandom

NEW_PASSWORD = "a brand new passphrase"


def me(client: TestClient, headers: dict[str, str]) -> Any:
    return client.get("/api/v1/me", headers=headers)


@pytest.fixture
def second_process(clean_db: Engine, clock: FixedClock, tmp_path: Path) -> Iterator[TestClient]:
    """Another server process on the same database: its own services, caches and throttles."""
    settings = Settings(
        password_hash_cost="fast", secret_key=SECRET, key_dir=str(tmp_path / "keys")
    )
    other = bootstrap(settings, engine=clean_db, clock=clock, random=SeededRandom(4))
    with TestClient(create_app(other), raise_server_exceptions=False) as client:
        yield client


@pytest.mark.spec("10.3")
def test_logging_out_ends_the_token_at_once(client: TestClient, tenant: Tenant) -> None:
    headers = auth(client, tenant.login(Role.CLERK))
    other = auth(client, tenant.login(Role.CLERK))  # the same user at another terminal
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    refused = me(client, headers)
    assert refused.status_code == 401
    assert error_codes(refused) == ["auth.session_ended"]
    assert "ログアウト" in refused.json()["errors"][0]["message"]
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 401
    assert me(client, other).status_code == 200


def test_an_ended_session_is_refused_by_another_process_at_once(
    client: TestClient, second_process: TestClient, tenant: Tenant
) -> None:
    headers = auth(client, tenant.login(Role.CLERK))
    assert me(second_process, headers).status_code == 200  # the other process has read the user
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    assert error_codes(me(second_process, headers)) == ["auth.session_ended"]


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"roles": ["clerk", "reviewer"]}, "auth.session_ended"),
        ({"disabled": True}, "auth.disabled"),
    ],
)
def test_an_administrators_change_in_one_process_ends_the_session_in_another_at_once(
    client: TestClient,
    second_process: TestClient,
    tenant: Tenant,
    change: dict[str, Any],
    code: str,
) -> None:
    """The other process has the user cached (up to 5 s); the session is never cached, so the
    old token stops there at once."""
    clerk = auth(second_process, tenant.login(Role.CLERK))
    assert me(second_process, clerk).json()["roles"] == ["clerk"]
    admin = auth(client, tenant.login(Role.ADMINISTRATOR))
    changed = client.patch(f"/api/v1/users/{tenant.login(Role.CLERK)}", json=change, headers=admin)
    assert changed.status_code == 200, changed.text
    assert error_codes(me(second_process, clerk)) == [code]


@pytest.mark.spec("10.3")
def test_changing_ones_own_password_ends_the_other_sessions_but_not_this_one(
    client: TestClient, tenant: Tenant
) -> None:
    login = tenant.login(Role.CLERK)
    here, elsewhere = auth(client, login), auth(client, login)
    changed = client.post(
        "/api/v1/me/password",
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        headers=here,
    )
    assert changed.status_code == 204
    assert me(client, here).status_code == 200
    refused = me(client, elsewhere)
    assert error_codes(refused) == ["auth.session_ended"]
    assert "パスワードが変更された" in refused.json()["errors"][0]["message"]


@pytest.mark.spec("10.3")
@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"password": "reset by the administrator"}, "auth.session_ended"),
        ({"disabled": True}, "auth.disabled"),
        ({"roles": ["reviewer"]}, "auth.session_ended"),
        ({"valid_until": "2027-03-31"}, "auth.session_ended"),
        ({"clear_valid_until": True, "valid_until": None}, None),
        ({"unlock": True}, None),
    ],
)
def test_an_administrators_change_to_a_user_ends_all_their_sessions(
    client: TestClient, tenant: Tenant, change: dict[str, Any], code: str | None
) -> None:
    """A reset password, disabling, new roles or a new validity end every session of the user;
    a change that does not (nothing to clear, an unlock) leaves them."""
    login = tenant.login(Role.CLERK)
    sessions = [auth(client, login), auth(client, login)]
    admin = auth(client, tenant.login(Role.ADMINISTRATOR))
    changed = client.patch(f"/api/v1/users/{login}", json=change, headers=admin)
    assert changed.status_code == 200, changed.text
    for headers in sessions:
        answer = me(client, headers)
        if code is None:
            assert answer.status_code == 200
        else:
            assert error_codes(answer) == [code]
    assert me(client, admin).status_code == 200


def test_every_end_of_a_session_is_in_the_access_log(
    client: TestClient, tenant: Tenant, app: App
) -> None:
    login = tenant.login(Role.CLERK)
    mine = auth(client, login)
    client.post("/api/v1/auth/logout", headers=mine)
    auth(client, login), auth(client, login)
    admin = auth(client, tenant.login(Role.ADMINISTRATOR))
    client.patch(
        f"/api/v1/users/{login}", json={"password": "reset by the administrator"}, headers=admin
    )
    auditor = auth(client, tenant.login(Role.AUDITOR))

    def entries(operation: str) -> list[dict[str, Any]]:
        found = client.get("/api/v1/access-log", params={"operation": operation}, headers=auditor)
        assert found.status_code == 200, found.text
        result: list[dict[str, Any]] = found.json()["entries"]
        return result

    (logout,) = entries("logout")
    assert (logout["user_login"], logout["detail"]) == (login, "logout")
    assert logout["target"].startswith("session:")
    ended = entries("end_session")
    assert len(ended) == 2
    assert {(e["user_login"], e["detail"]) for e in ended} == {
        (tenant.login(Role.ADMINISTRATOR), "password_reset")
    }
    assert all(e["target"].startswith(f"user:{login}:session:") for e in ended)
    logins = entries("login")
    assert all(e["target"].startswith("session:") for e in logins)


def test_a_token_without_a_session_is_refused(client: TestClient, tenant: Tenant) -> None:
    """Tokens issued before sessions existed (no ``sid``) are signed with the right secret and
    not expired, but name no session: refused."""
    old = jwt.encode(
        {
            "sub": tenant.login(Role.CLERK),
            "mun": tenant.code,
            "aud": "jichitai-staff",
            "iat": 0,
            "exp": 4_000_000_000,
            "jti": "b7c1a1d0-0000-4000-8000-000000000000",
        },
        SECRET,
        algorithm="HS256",
    )
    refused = me(client, {"Authorization": f"Bearer {old}"})
    assert refused.status_code == 401
    assert error_codes(refused) == ["auth.invalid_token"]


def test_a_token_naming_an_unknown_session_is_refused(client: TestClient, tenant: Tenant) -> None:
    forged = jwt.encode(
        {
            "sub": tenant.login(Role.CLERK),
            "mun": tenant.code,
            "sid": "not-a-session-of-ours",
            "aud": "jichitai-staff",
            "iat": 0,
            "exp": 4_000_000_000,
        },
        SECRET,
        algorithm="HS256",
    )
    assert error_codes(me(client, {"Authorization": f"Bearer {forged}"})) == ["auth.invalid_token"]


def test_a_session_still_expires_with_its_token(
    client: TestClient, tenant: Tenant, clock: FixedClock
) -> None:
    headers = auth(client, tenant.login(Role.CLERK))
    clock.at += timedelta(minutes=59)
    assert me(client, headers).status_code == 200
    clock.at += timedelta(minutes=2)
    assert error_codes(me(client, headers)) == ["auth.invalid_token"]
    assert token(client, tenant.login(Role.CLERK))
