"""API fixtures: the real application over the test database (``app``, ``tests/apps.py``), two
municipalities, every role.

Requests go through FastAPI's in-process client (no socket); ``tests/e2e`` starts the real
server on 127.0.0.1.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.testclient import TestClient

from jichitai.bootstrap import App
from jichitai.domain.access.roles import Role
from jichitai.domain.residents.commands import MoveIn
from jichitai.domain.residents.model import Sex
from jichitai.entrypoints.server import create_app
from jichitai.services.register import encode_command
from tests.apps import SECRET as SECRET  # where the API and counter tests have long found it
from tests.factories import (
    a_header,
    a_municipality,
    a_person,
    a_previous_address,
    a_valid_individual_number,
    an_address,
)

PASSWORD = "correct horse battery staple"


@dataclass
class Tenant:
    """A municipality with one user per role and one household of two residents."""

    code: str
    atena_numbers: list[str]
    household_number: str
    logins: dict[Role, str] = field(default_factory=dict)

    def login(self, role: Role) -> str:
        return self.logins[role]


def a_move_in(number_seed: int = 7, surname: str = "高橋", kana: str = "タカハシ") -> MoveIn:
    """A couple moving in; the head holds a 個人番号 drawn from ``number_seed``."""
    return MoveIn(
        header=a_header(),
        members=(
            a_person(
                name=surname,
                kana=(kana, "タロウ"),
                individual_number=a_valid_individual_number(number_seed),
            ),
            a_person(
                name=surname,
                given="花子",
                kana=(kana, "ハナコ"),
                relationship="妻",
                born="昭和52年5月6日",
                sex=Sex.FEMALE,
            ),
        ),
        address=an_address(),
        previous_address=a_previous_address(),
    )


def command_json(command: Any) -> dict[str, Any]:
    return encode_command(command)


def make_tenant(app: App, prefix: str) -> Tenant:
    code = a_municipality(app, prefix, "試験市")
    if app.settings.cs_url:  # linked to a CS: new persons' 住民票コード come from its free codes
        app.number_link.refill(code)
    result = app.register.record_change(code, a_move_in())
    tenant = Tenant(code, list(result.atena_numbers), result.households[0])
    for role in Role:
        login = f"{role.value.replace('_', '-')}-{code}"
        app.users.add(code, login, PASSWORD, [role])
        tenant.logins[role] = login
    return tenant


@pytest.fixture
def tenant(app: App) -> Tenant:
    return make_tenant(app, "46")


@pytest.fixture
def other(app: App) -> Tenant:
    return make_tenant(app, "47")


@pytest.fixture
def client(app: App) -> Iterator[TestClient]:
    with TestClient(create_app(app), raise_server_exceptions=False) as c:
        yield c


def token(client: TestClient, login: str, password: str = PASSWORD) -> str:
    response = client.post("/api/v1/auth/token", data={"username": login, "password": password})
    assert response.status_code == 200, response.text
    value: str = response.json()["access_token"]
    return value


def auth(client: TestClient, login: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token(client, login)}"}


def error_codes(response: Any) -> list[str]:
    body = response.json()
    assert set(body) == {"errors"}, body
    for item in body["errors"]:
        assert set(item) == {"code", "message", "field", "level"}, item
        assert item["level"] in ("error", "alert")
    return [e["code"] for e in body["errors"]]


@contextmanager
def from_address(app: App, address: str) -> Iterator[TestClient]:
    """A client at another address (the log-in throttles count per client address)."""
    with TestClient(
        create_app(app), raise_server_exceptions=False, client=(address, 50000)
    ) as client:
        yield client
