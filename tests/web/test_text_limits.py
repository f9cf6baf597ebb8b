"""Free-text items have one limit, whichever door they come through.

The counter read the 職権消除's 理由 (``cause``) as one line of at most 200 characters while the
API's decoder took several lines and 1,000: the counter refused a reason the API recorded. Both
doors now read every free-text item by the one rule of ``services/inbound.text_limits``; here the
same texts are typed into the counter's forms and sent as the API's command, at the limits and
just over them, and both doors must give the same verdict on the field.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from jichitai.domain.access.roles import Role
from jichitai.entrypoints.web.refs import PersonRefs
from jichitai.services.inbound import text_limits
from tests.api.conftest import SECRET, Tenant, auth
from tests.web.test_changes_http import codes_at, hidden_fields
from tests.web.test_counter_http import log_in

TWO_LINES = "実態調査の結果\n居住の実態なし"


def _removal_verdicts(
    http: TestClient, csrf: str, headers: dict[str, str], tenant: Tenant, cause: str
) -> tuple[list[str], list[str]]:
    """The codes the counter's 職権消除 form and the API's ``ExOfficioRemoval`` give ``cause``."""
    head = tenant.atena_numbers[0]
    ref = PersonRefs(SECRET).ref(tenant.login(Role.CLERK), head)
    page = http.get(f"/ui/changes/new/ex-officio-removal?ref={ref}").text
    state = {k: v for k, v in hidden_fields(page) if k != "csrf_token"}
    counter = http.post(
        "/ui/changes/ex-officio-removal/confirm",
        data={
            **state,
            "atena_numbers": head,
            "effective_on": "2026-11-26",
            "cause": cause,
            "csrf_token": csrf,
        },
    )
    assert counter.status_code in (200, 422), counter.text
    command: dict[str, Any] = {
        "type": "ExOfficioRemoval",
        "header": {"effective_on": "2026-11-26"},
        "atena_numbers": [head],
        "cause": cause,
    }
    api = http.post("/api/v1/changes/check", json={"command": command}, headers=headers)
    assert api.status_code in (200, 422), api.text
    api_codes = (
        [
            e["code"]
            for e in api.json()["errors"]
            if (e["field"] or "").removeprefix("command.") == "cause"
        ]
        if api.status_code == 422
        else []
    )
    return codes_at(counter.text, "cause") if counter.status_code == 422 else [], api_codes


@pytest.fixture
def doors(http: TestClient, tenant: Tenant) -> tuple[TestClient, str, dict[str, str]]:
    csrf = log_in(http, tenant)
    return http, csrf, auth(http, tenant.login(Role.CLERK))


def test_a_reason_for_an_ex_officio_removal_takes_several_lines_and_a_thousand_characters() -> None:
    assert text_limits("cause") == (True, 1000)
    assert text_limits("nationality") == (False, 200)


@pytest.mark.parametrize(
    ("cause", "refused"),
    [
        ("実" * 200, []),
        ("実" * 201, []),
        (TWO_LINES, []),
        ("実" * 1000, []),
        ("実" * 1001, ["input.too_long"]),
        ("=HYPERLINK(1)", ["input.formula"]),
    ],
    ids=["200", "201", "two lines", "1000", "1001", "formula"],
)
def test_the_counter_and_the_api_read_the_removal_reason_alike(
    doors: tuple[TestClient, str, dict[str, str]], tenant: Tenant, cause: str, refused: list[str]
) -> None:
    http, csrf, headers = doors
    counter, api = _removal_verdicts(http, csrf, headers, tenant, cause)
    assert counter == refused
    assert api == refused
