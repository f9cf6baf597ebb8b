"""番号連携 through the API with the link off (no ``JICHITAI_CS_URL``): every request to the
number-generation service is refused with ``number_link.off`` (409), the status says so, and the
list still answers (``tests/api/test_number_link_api.py`` has the link on)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from jichitai.domain.access.roles import Role
from tests.api.conftest import Tenant, auth, error_codes


@pytest.mark.spec("7.1.2.1")
def test_with_the_link_off_every_request_to_the_service_is_refused(
    client: TestClient, tenant: Tenant
) -> None:
    reviewer = auth(client, tenant.login(Role.REVIEWER))
    head = tenant.atena_numbers[0]
    status = client.get("/api/v1/number-link/status", headers=reviewer)
    assert status.json() == {"enabled": False, "healthy": False}
    for path in (
        f"/api/v1/residents/{head}/individual-number/change",
        f"/api/v1/residents/{head}/number-link/fugo",
        "/api/v1/number-link/refill",
    ):
        refused = client.post(path, json={}, headers=reviewer)
        assert refused.status_code == 409, (path, refused.text)
        assert error_codes(refused) == ["number_link.off"]
        assert "番号連携が設定されていません" in refused.json()["errors"][0]["message"]
    assert client.get("/api/v1/number-link/records", headers=reviewer).json() == {"records": []}
