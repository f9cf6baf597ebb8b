"""Tenant isolation, proved: a user of municipality A can neither read, change nor learn of B's
data; and every route of the OpenAPI document refuses a request without credentials."""

from __future__ import annotations

import base64
import re
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jichitai.bootstrap import App
from jichitai.domain.access.actor import Actor
from jichitai.domain.access.roles import Role
from jichitai.domain.common.identifiers import AtenaNumber
from tests.api.conftest import PASSWORD, a_move_in, auth, command_json, make_tenant
from tests.factories import a_seal

PUBLIC = {
    ("POST", "/api/v1/auth/token"),
    ("GET", "/healthz"),
    ("GET", "/verify/{issue_code}"),  # anyone checks a certificate, without logging in
    ("POST", "/verify"),
}
# Takes no key of B's, and would end the session whose token the later examples share.
OWN_SESSION = {("POST", "/api/v1/auth/logout")}
OTHER_SURNAME = "乙野"
MISSING_ATENA = AtenaNumber.from_serial(999).value
SEAL_IMAGE = base64.b64encode(a_seal(15.0)).decode()


def operations(client: TestClient) -> list[tuple[str, str]]:
    document = client.get("/openapi.json").json()
    return sorted(
        (method.upper(), path)
        for path, item in document["paths"].items()
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    )


def test_every_route_without_credentials_is_refused(client: TestClient) -> None:
    ops = operations(client)
    assert len(ops) >= 15
    for method, path in ops:
        if (method, path) in PUBLIC:
            continue
        url = re.sub(r"\{[^}]+\}", "0000000019", path)
        for headers in ({}, {"Authorization": "Bearer not-a-token"}):
            response = client.request(method, url, headers=headers, json={})
            assert response.status_code == 401, (method, path, response.status_code)
            assert response.json()["errors"][0]["code"].startswith("auth."), (method, path)
            assert response.headers["WWW-Authenticate"] == "Bearer"


@pytest.fixture
def world(app: App, client: TestClient) -> dict[str, Any]:
    """Municipality B with persons, a household, a draft, a suppression and users; A and C, whose
    users try to reach them, have no such keys of their own."""
    a = make_tenant(app, "46")
    b = make_tenant(app, "47")
    c = make_tenant(app, "45")
    extra = app.register.record_change(b.code, a_move_in(40, OTHER_SURNAME, "オツノ"))
    b_clerk = auth(client, b.login(Role.CLERK))
    draft = client.post(
        "/api/v1/drafts",
        json={"command": command_json(a_move_in(41, OTHER_SURNAME, "オツノ"))},
        headers=b_clerk,
    )
    assert draft.status_code == 422  # alert: same names as the extra household
    alerts = [e["code"] for e in draft.json()["errors"]]
    command = command_json(a_move_in(41, OTHER_SURNAME, "オツノ"))
    command["header"]["acknowledged_alerts"] = alerts
    draft = client.post("/api/v1/drafts", json={"command": command}, headers=b_clerk)
    assert draft.status_code == 201, draft.text
    officer = Actor(b.login(Role.DV_OFFICER), b.code, frozenset({Role.DV_OFFICER}))
    protected = app.suppressions.set(
        officer,
        kind="dv_support",
        atena_number=extra.atena_numbers[1],
        starts_on=date(2026, 11, 1),
        reason="支援措置申出",
    )
    b_clerk_actor = Actor(b.login(Role.CLERK), b.code, frozenset({Role.CLERK}))
    b_seal = app.seals.register(b_clerk_actor, extra.atena_numbers[0], a_seal(15.0))
    tokens = {
        (tenant.code, role): auth(client, tenant.login(role)) for tenant in (a, c) for role in Role
    }
    return {
        "readers": [a.code, c.code],
        "b": b,
        "b_suppression": protected.suppression_id,
        "b_atena": extra.atena_numbers[0],
        "b_household": extra.households[0],
        "b_draft": draft.json()["draft"]["draft_id"],
        "b_login": b.login(Role.CLERK),
        "b_seal": b_seal.registration_number,
        "tokens": tokens,
    }


def _fill(path: str, world: dict[str, Any], missing: bool) -> str:
    values = {
        "atena_number": MISSING_ATENA if missing else world["b_atena"],
        "household_number": MISSING_ATENA if missing else world["b_household"],
        "draft_id": "00000000-0000-4000-8000-000000000000" if missing else world["b_draft"],
        "login": "no-such-user" if missing else world["b_login"],
        "registration_number": "99999999" if missing else world["b_seal"],
        "suppression_id": "00000000-0000-4000-8000-000000000000"
        if missing
        else world["b_suppression"],
    }
    return re.sub(r"\{([^}]+)\}", lambda m: values.get(m.group(1), "x"), path)


def _body(method: str, path: str, world: dict[str, Any], missing: bool) -> dict[str, Any] | None:
    if method == "GET" or method == "DELETE":
        return None
    target = MISSING_ATENA if missing else world["b_atena"]
    if path.startswith("/api/v1/drafts"):
        if path.endswith("/approve"):
            return {"acknowledged_alerts": []}
        if path.endswith("/check"):
            return None
        return {
            "command": {
                "type": "Death",
                "header": {"effective_on": "2026-11-20", "filed_on": "2026-11-26"},
                "atena_number": target,
            }
        }
    if path.startswith("/api/v1/users"):
        return {"disabled": True} if method == "PATCH" else None
    if path.endswith("/seal"):
        return {"image_base64": SEAL_IMAGE}
    if path.startswith("/api/v1/seals/"):
        return {"reason": "requested"}
    return {}


def _query(path: str, world: dict[str, Any], missing: bool) -> dict[str, str]:
    if path in ("/api/v1/residents", "/api/v1/removed-records"):
        return {"q": "オツノ" if not missing else "ムメイ"}
    if path.startswith("/api/v1/access-log"):
        return {"atena_number": MISSING_ATENA if missing else world["b_atena"]}
    return {}


def _shape(response: Any) -> tuple[int, Any]:
    """What a caller can observe, less the parts that name the requested key itself."""
    is_json = response.headers.get("content-type", "").startswith("application/json")
    body = response.json() if response.content and is_json else None  # a PDF or CSV: no body
    if isinstance(body, dict) and "errors" in body:
        return response.status_code, [e["code"] for e in body["errors"]]
    if isinstance(body, dict) and "count" in body:
        return response.status_code, body["count"]
    return response.status_code, None


ROUTE_NAMES: list[tuple[str, str]] = []


@settings(
    max_examples=200,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    deadline=None,
)
@given(data=st.data())
def test_a_user_of_another_municipality_never_reaches_nor_learns_of_b(
    client: TestClient, world: dict[str, Any], data: st.DataObject
) -> None:
    ops = [op for op in operations(client) if op not in PUBLIC | OWN_SESSION]
    method, path = data.draw(st.sampled_from(ops), label="route")
    role = data.draw(st.sampled_from(list(Role)), label="role")
    reader = data.draw(st.sampled_from(world["readers"]), label="municipality")
    headers = world["tokens"][(reader, role)]
    answers = []
    for missing in (False, True):
        response = client.request(
            method,
            _fill(path, world, missing),
            params=_query(path, world, missing),
            json=_body(method, path, world, missing),
            headers=headers,
        )
        assert response.status_code < 500, (method, path, response.text)
        # Nothing of B's ever comes back: not its people, not its municipality code.
        assert OTHER_SURNAME not in response.text, (method, path, role)
        assert "オツノ" not in response.text or response.status_code >= 400, (method, path)
        assert world["b"].code not in response.text, (method, path, role)
        answers.append(_shape(response))
    # B's existing keys are answered exactly as keys that exist nowhere.
    assert answers[0] == answers[1], (method, path, role, answers)


def test_b_is_unchanged_by_everything_a_tried(
    app: App, client: TestClient, world: dict[str, Any]
) -> None:
    b = world["b"]
    before = app.queries.current(b.code, world["b_atena"])
    for headers in world["tokens"].values():
        client.post(f"/api/v1/drafts/{world['b_draft']}/approve", json={}, headers=headers)
        client.delete(f"/api/v1/drafts/{world['b_draft']}", headers=headers)
        client.patch(f"/api/v1/users/{world['b_login']}", json={"disabled": True}, headers=headers)
    assert app.queries.current(b.code, world["b_atena"]) == before
    assert [d.draft_id for d in app.register.drafts(b.code)] == [world["b_draft"]]
    assert (
        client.post(
            "/api/v1/auth/token", data={"username": world["b_login"], "password": PASSWORD}
        ).status_code
        == 200
    )


def test_the_interactive_docs_need_no_internet(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    assert "cdn." not in page.text
    script = re.search(r'src="([^"]+swagger-ui-bundle\.js)"', page.text)
    assert script is not None
    assert client.get(script.group(1)).status_code == 200
