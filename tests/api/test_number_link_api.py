"""番号連携 (standard §7.1.2) and the free 住民票コード (§4.3.1) through the API, against the
stand-in (``jichitai standin serve``'s server, in a thread): the stock and the refill, a 個人番号
変更要求, a 符号 and a serial number obtained and listed, each masked for staff whose duty does not
include the 個人番号 exactly as ``jichitai number`` shows them; the reviewer's right for what asks
the service, the counter's for what lists; and every request refused with the link off."""

from __future__ import annotations

import csv
import dataclasses
import io
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from jichitai.bootstrap import App, standin_cs_server
from jichitai.config import Settings
from jichitai.domain.access.roles import Role
from tests.api.conftest import Tenant, auth, error_codes
from tests.apps import settings_for
from tests.integration.test_number_link import a_birth


@pytest.fixture
def standin(tmp_path: Path) -> Iterator[str]:
    server = standin_cs_server("127.0.0.1", 0, str(tmp_path / "cs"))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def app_settings(tmp_path: Path, webhook_allowed_networks: str, standin: str) -> Settings:
    """Linked to the stand-in; the tenant's first block (20) leaves the stock below its low
    mark (30) once the tenant's persons drew their codes."""
    plain = settings_for(tmp_path / "keys", webhook_allowed_networks)
    return dataclasses.replace(plain, cs_url=standin, free_codes_low=30, free_codes_block=20)


def numbered_child(app: App, tenant: Tenant) -> str:
    """A birth whose 個人番号生成要求 the stand-in answered (the worker's send)."""
    atena = a_birth(app, tenant.code, tenant.household_number, "桃子")
    assert app.cs.send_due().refused == 0
    assert app.queries.current(tenant.code, atena).individual_number is not None
    return atena


def as_role(client: TestClient, tenant: Tenant, role: Role) -> dict[str, str]:
    return auth(client, tenant.login(role))


@pytest.mark.spec("4.3.1")
def test_the_stock_is_shown_and_a_reviewer_refills_it(
    client: TestClient, tenant: Tenant, app: App
) -> None:
    clerk = as_role(client, tenant, Role.CLERK)
    stock = client.get("/api/v1/number-link/stock", headers=clerk)
    assert stock.status_code == 200, stock.text
    held = stock.json()
    assert held == {"size": 20 - len(tenant.atena_numbers), "low_mark": 30, "low": True}
    status = client.get("/api/v1/number-link/status", headers=clerk).json()
    assert status == {"enabled": True, "healthy": True}
    refused = client.post("/api/v1/number-link/refill", headers=clerk)
    assert refused.status_code == 403 and error_codes(refused) == ["auth.forbidden"]
    reviewer = as_role(client, tenant, Role.REVIEWER)
    refilled = client.post("/api/v1/number-link/refill", headers=reviewer)
    assert refilled.status_code == 200, refilled.text
    assert refilled.json() == {"added": 20}
    assert client.post("/api/v1/number-link/refill", headers=reviewer).json() == {"added": 0}
    assert client.get("/api/v1/number-link/stock", headers=clerk).json()["low"] is False
    auditor = as_role(client, tenant, Role.AUDITOR)
    assert client.get("/api/v1/number-link/stock", headers=auditor).status_code == 403
    assert client.get("/api/v1/number-link/status", headers=auditor).status_code == 403


@pytest.mark.spec("7.1.2.1")
@pytest.mark.spec("7.1.2.2")
@pytest.mark.spec("7.1.2.4")
def test_a_reviewer_changes_a_number_and_obtains_values_a_clerk_sees_them_masked(
    client: TestClient, tenant: Tenant, app: App
) -> None:
    child = numbered_child(app, tenant)
    clerk = as_role(client, tenant, Role.CLERK)
    reviewer = as_role(client, tenant, Role.REVIEWER)
    base = f"/api/v1/residents/{child}"
    # What asks the service is the reviewer's: a clerk is refused, nothing is recorded.
    for path, body in (
        (f"{base}/individual-number/change", {}),
        (f"{base}/number-link/fugo", None),
    ):
        refused = client.post(path, json=body, headers=clerk)
        assert refused.status_code == 403 and error_codes(refused) == ["auth.forbidden"]
    old = app.queries.current(tenant.code, child).individual_number
    changed = client.post(f"{base}/individual-number/change", json={}, headers=reviewer)
    assert changed.status_code == 201, changed.text
    new = changed.json()["individual_number"]
    assert old is not None and new != old.value and len(new) == 12 and new.isdigit()
    recorded = app.queries.current(tenant.code, child).individual_number
    assert recorded is not None and recorded.value == new
    corrected = client.post(
        f"{base}/individual-number/change", json={"ex_officio": True}, headers=reviewer
    )
    assert corrected.status_code == 201
    fugo = client.post(f"{base}/number-link/fugo", headers=reviewer)
    serial = client.post(f"{base}/number-link/serial", headers=reviewer)
    assert fugo.status_code == serial.status_code == 201, fugo.text
    assert fugo.json()["status"] == serial.json()["status"] == "ok"
    assert len(fugo.json()["value"]) == 32 and "*" not in fugo.json()["value"]

    def records(headers: dict[str, str], **params: str) -> list[dict[str, Any]]:
        answer = client.get("/api/v1/number-link/records", params=params, headers=headers)
        assert answer.status_code == 200, answer.text
        found: list[dict[str, Any]] = answer.json()["records"]
        return found

    seen = records(reviewer, atena_number=child)
    assert sorted((r["kind"], r["status"]) for r in seen) == [
        ("fugo", "ok"),
        ("number_change", "ok"),
        ("number_change", "ok"),
        ("serial", "ok"),
    ]
    assert {r["value"] for r in seen} >= {fugo.json()["value"], serial.json()["value"]}
    masked = records(clerk, atena_number=child)
    assert [r["value"] for r in masked if r["kind"] == "fugo"] == ["*" * 32]
    assert [r["value"] for r in masked if r["kind"] == "serial"] == ["*" * 16]
    assert records(clerk) == masked  # one person's requests so far
    # A person the service never numbered: the refusal is recorded and answered as such.
    unnumbered = a_birth(app, tenant.code, tenant.household_number, "梅子")
    refused = client.post(f"/api/v1/residents/{unnumbered}/number-link/fugo", headers=reviewer)
    assert refused.status_code == 201 and refused.json()["status"] == "error"
    assert "個人番号が生成されていません" in refused.json()["error"]
    no_number = client.post(
        f"/api/v1/residents/{unnumbered}/individual-number/change", json={}, headers=reviewer
    )
    assert no_number.status_code == 422 and error_codes(no_number) == ["number_link.no_number"]
    unknown = client.post("/api/v1/residents/0999999999/number-link/serial", headers=reviewer)
    assert unknown.status_code == 404 and error_codes(unknown) == ["number_link.person"]
    wrong = client.post(f"{base}/number-link/mynumber", headers=reviewer)
    assert wrong.status_code == 422
    admin = as_role(client, tenant, Role.ADMINISTRATOR)
    listed = client.get("/api/v1/number-link/records", headers=admin)
    assert listed.status_code == 403 and error_codes(listed) == ["auth.forbidden"]


@pytest.mark.spec("7.1.1.1")
def test_the_free_codes_taken_in_print_by_when_they_came(
    client: TestClient, tenant: Tenant, app: App
) -> None:
    clerk = as_role(client, tenant, Role.CLERK)
    answer = client.get("/api/v1/cs/free-code-list?format=csv", headers=clerk)
    assert answer.status_code == 200, answer.text
    header, *rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert header == ["取込日時", "未使用の件数", "最小の住民票コード", "最大の住民票コード"]
    size = client.get("/api/v1/number-link/stock", headers=clerk).json()["size"]
    assert sum(int(r[1]) for r in rows) == size > 0
    assert all(r[2] <= r[3] and len(r[2]) == 11 for r in rows)
    pdf = client.get("/api/v1/cs/free-code-list", headers=clerk)
    assert pdf.headers["content-type"] == "application/pdf"
    auditor = as_role(client, tenant, Role.AUDITOR)
    assert client.get("/api/v1/cs/free-code-list", headers=auditor).status_code == 403
    log = client.get("/api/v1/access-log", headers=auditor).json()["entries"]
    assert {"cs:free_codes:csv", "cs:free_codes:pdf"} <= {e["target"] for e in log}
