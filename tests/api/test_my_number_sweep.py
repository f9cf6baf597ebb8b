"""Whether the 個人番号 is shown is decided once, in the services (``domain/access/disclosure.py``):
a clerk's answers carry it masked everywhere. Every readable API route and every counter page is
fetched as a clerk, with a 個人番号 behind each of them (a resident, a draft that enters one, a
plan), and no answer may hold a 12-digit run."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from jichitai.bootstrap import App
from jichitai.domain.access.roles import Role
from jichitai.entrypoints.web import (
    routes_certificates,
    routes_changes,
    routes_drafts,
    routes_residents,
    routes_seals,
)
from jichitai.entrypoints.web.refs import PersonRefs
from tests.api.conftest import SECRET, Tenant, a_move_in, auth, command_json
from tests.api.test_certificate_reissue_api import squeezed as pdf_text
from tests.api.test_isolation import operations
from tests.factories import a_named_certifier
from tests.web.test_certificates_http import pdf_link
from tests.web.test_counter_http import log_in

WEB_ROUTES = (
    routes_residents,
    routes_changes,
    routes_drafts,
    routes_certificates,
    routes_seals,
)
NOT_PERSONAL = {"/seals/images/{registration_number}"}

TWELVE_DIGITS = re.compile(r"(?<![0-9])[0-9]{12}(?![0-9])")
SOURCE = Path(__file__).parents[2] / "src" / "jichitai" / "entrypoints"


def numbers_of(app: App, tenant: Tenant) -> set[str]:
    """Every 個人番号 the municipality holds."""
    held = {tenant.atena_numbers[0], tenant.atena_numbers[1]}
    found = set()
    for atena in held:
        number = app.queries.current(tenant.code, atena).individual_number
        if number is not None:
            found.add(number.value)
    return found


@pytest.mark.spec("10.4")
def test_no_api_answer_to_a_clerk_holds_a_my_number(
    app: App, client: TestClient, tenant: Tenant
) -> None:
    clerk = auth(client, tenant.login(Role.CLERK))
    entering = command_json(a_move_in(61, "佐藤", "サトウ"))
    typed = entering["members"][0]["individual_number"]
    submitted = client.post("/api/v1/drafts", json={"command": entering}, headers=clerk)
    assert submitted.status_code == 201, submitted.text
    draft = submitted.json()["draft"]["draft_id"]
    held = numbers_of(app, tenant) | {typed}
    assert held
    values = {
        "atena_number": tenant.atena_numbers[0],
        "household_number": tenant.household_number,
        "draft_id": draft,
    }
    answers: list[tuple[str, Any]] = [("POST /api/v1/drafts", submitted)]
    for method, path in operations(client):
        if method != "GET" or "{" in re.sub(
            r"\{(atena_number|household_number|draft_id)\}", "", path
        ):
            continue
        url = re.sub(r"\{([^}]+)\}", lambda m: values[m.group(1)], path)
        params = {"q": "タカハシ"} if path.endswith(("/residents", "/removed-records")) else {}
        answers.append((url, client.get(url, params=params, headers=clerk)))
    for url in (f"/api/v1/drafts/{draft}/check", "/api/v1/changes/check"):
        body = None if url.endswith(f"{draft}/check") else {"command": entering}
        answers.append((url, client.post(url, json=body, headers=clerk)))
    assert len(answers) >= 10
    for url, answer in answers:
        assert answer.status_code < 500, (url, answer.text)
        leaked = set(TWELVE_DIGITS.findall(answer.text)) & held
        assert not leaked, (url, leaked)
    reviewer = client.get(
        f"/api/v1/drafts/{draft}", headers=auth(client, tenant.login(Role.REVIEWER))
    )
    assert typed in reviewer.text  # the reviewer's duty includes it: the sweep can fail


@pytest.mark.spec("10.4")
def test_no_counter_page_shown_to_a_clerk_holds_a_my_number(
    app: App, client: TestClient, tenant: Tenant, tmp_path: Path
) -> None:
    csrf = log_in(client, tenant)
    clerk = auth(client, tenant.login(Role.CLERK))
    entering = command_json(a_move_in(62, "佐藤", "サトウ"))
    submitted = client.post("/api/v1/drafts", json={"command": entering}, headers=clerk)
    assert submitted.status_code == 201, submitted.text
    held = numbers_of(app, tenant) | {entering["members"][0]["individual_number"]}
    values = {
        "ref": PersonRefs(SECRET).ref(tenant.login(Role.CLERK), tenant.atena_numbers[0]),
        "draft_id": submitted.json()["draft"]["draft_id"],
        "key": "correction",
        "registration_number": "00000001",
    }
    # The PDF of a copy just issued, as its page links it (its token is the clerk's own).
    a_named_certifier(app, tenant.code)
    issued = client.post(
        "/ui/certificates/issue",
        data={"csrf_token": csrf, "ref": values["ref"], "kind": "juminhyo", "scope": "household"},
    )
    assert issued.status_code == 200, issued.text
    values["token"] = pdf_link(issued.text).rsplit("/", 1)[1]
    pages = []
    for module in WEB_ROUTES:
        for route in module.router.routes:
            if "GET" not in getattr(route, "methods", ()) or route.path in NOT_PERSONAL:
                continue
            url = re.sub(r"\{([^}]+)\}", lambda m: values[m.group(1)], route.path)
            pages.append(
                url
                + (
                    f"?ref={values['ref']}"
                    if "{" not in route.path and url.endswith("/new")
                    else ""
                )
            )
    answers = [(page, client.get(page)) for page in pages]
    answers.append(
        ("/ui/search", client.post("/ui/search", data={"q": "タカハシ", "csrf_token": csrf}))
    )
    assert len(answers) >= 12
    for page, answer in answers:
        assert answer.status_code < 500, (page, answer.status_code)
        text = pdf_text(answer.content, tmp_path) if answer.content[:4] == b"%PDF" else answer.text
        leaked = set(TWELVE_DIGITS.findall(text)) & held
        assert not leaked, (page, leaked)
    assert sum(answer.status_code == 200 for _, answer in answers) >= 8


def test_no_entry_point_decides_who_sees_a_my_number() -> None:
    """The decision lives in ``domain/access/disclosure.py``; entry points only pass it on."""
    deciding = [
        str(path.relative_to(SOURCE))
        for path in SOURCE.rglob("*.py")
        if "Permission.VIEW_INDIVIDUAL_NUMBER" in path.read_text(encoding="utf-8")
    ]
    assert deciding == []
