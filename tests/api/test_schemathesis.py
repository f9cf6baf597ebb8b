"""Schemathesis against the OpenAPI document: generated requests (valid and not) for every
operation, as an authenticated reviewer; none may answer a 5xx, and every answer must match the
schema the document gives for it.

The schema is loaded when the module is imported (schemathesis parametrizes at collection), from
an application that has no database yet; each test then routes the generated requests to the
test's own application through ``ROUTER``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error, response_schema_conformance
from starlette.types import ASGIApp, Receive, Scope, Send

from jichitai.bootstrap import App, bootstrap
from jichitai.config import Settings
from jichitai.domain.access.roles import Role
from jichitai.entrypoints.server import create_app
from tests.api.conftest import SECRET, Tenant, auth

pytestmark = pytest.mark.slow  # a fuzzer (`make test-fast` leaves it out)


class Router:
    """An ASGI app that hands every request to ``target`` (set per test)."""

    def __init__(self, target: ASGIApp) -> None:
        self.target = target

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.target(scope, receive, send)


def _document_only_app() -> ASGIApp:
    from sqlalchemy import create_engine

    unused = create_engine("sqlite://")  # never queried: only /openapi.json is served
    return create_app(bootstrap(Settings(secret_key=SECRET), engine=unused))


# POST /verify takes a PDF file: schemathesis has no generator for raw media types.
schemathesis.openapi.media_type(
    "application/pdf",
    st.sampled_from([b"%PDF-1.7\n%%EOF\n", b"not a pdf", b"%PDF-" + bytes(range(256))]),
)
# PUT /api/v1/admin/official-seal takes an image: a real PNG or JPEG, or bytes that are not one.
_SEAL = [b"\x89PNG\r\n\x1a\n" + bytes(32), b"not an image", b"\xff\xd8\xff\xe0" + bytes(16)]
schemathesis.openapi.media_type("image/png", st.sampled_from(_SEAL))
schemathesis.openapi.media_type("image/jpeg", st.sampled_from(_SEAL))
ROUTER = Router(_document_only_app())
schema = schemathesis.openapi.from_asgi("/openapi.json", ROUTER)


@pytest.fixture
def reviewer(app: App, client: TestClient, tenant: Tenant) -> Iterator[dict[str, str]]:
    previous = ROUTER.target
    ROUTER.target = client.app
    yield auth(client, tenant.login(Role.REVIEWER))
    ROUTER.target = previous


@schema.parametrize()
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_no_operation_answers_a_server_error(
    case: schemathesis.Case, reviewer: dict[str, str]
) -> None:
    response = case.call(headers={**(case.headers or {}), **reviewer})
    case.validate_response(response, checks=(not_a_server_error, response_schema_conformance))
