"""印鑑登録 through the staff API: register, read, image, 亡失・廃止; bad input and roles."""

from __future__ import annotations

import base64

from fastapi.testclient import TestClient

from jichitai.domain.access.roles import Role
from tests.api.conftest import Tenant, auth, error_codes
from tests.factories import a_seal


def _image(side_mm: float = 15.0, dpi: int = 300) -> str:
    return base64.b64encode(a_seal(side_mm, dpi=dpi)).decode()


def test_a_clerk_registers_reads_and_abolishes_a_seal(client: TestClient, tenant: Tenant) -> None:
    clerk = auth(client, tenant.login(Role.CLERK))
    person = tenant.atena_numbers[0]
    created = client.post(
        f"/api/v1/residents/{person}/seal",
        json={"image_base64": _image(), "notes": "運転免許証で本人確認"},
        headers=clerk,
    )
    assert created.status_code == 201, created.text
    registration = created.json()
    number = registration["registration_number"]
    assert (registration["status"], registration["status_label"]) == ("active", "登録中")
    assert 14.5 <= registration["width_mm"] <= 15.5

    shown = client.get(f"/api/v1/residents/{person}/seal", headers=clerk).json()
    assert shown["active"]["registration_number"] == number
    assert [e["label"] for e in shown["events"]] == ["印鑑登録"]
    assert shown["events"][0]["notes"] == "運転免許証で本人確認"

    image = client.get(f"/api/v1/seals/{number}/image", headers=clerk)
    assert image.status_code == 200
    assert image.headers["content-type"] == "image/png"
    assert image.content.startswith(b"\x89PNG")

    ended = client.post(f"/api/v1/seals/{number}/end", json={"reason": "card_lost"}, headers=clerk)
    assert ended.status_code == 200, ended.text
    assert (ended.json()["status"], ended.json()["end_label"]) == ("lost", "亡失")
    again = client.post(f"/api/v1/seals/{number}/end", json={"reason": "requested"}, headers=clerk)
    assert again.status_code == 422
    assert error_codes(again) == ["seal.not_active"]
    history = client.get(f"/api/v1/residents/{person}/seal", headers=clerk).json()
    assert history["active"] is None
    assert [e["label"] for e in history["events"]] == ["印鑑登録", "亡失"]


def test_bad_images_and_requests_get_clear_errors(client: TestClient, tenant: Tenant) -> None:
    clerk = auth(client, tenant.login(Role.CLERK))
    person = tenant.atena_numbers[0]
    url = f"/api/v1/residents/{person}/seal"
    not_base64 = client.post(url, json={"image_base64": "***"}, headers=clerk)
    assert (not_base64.status_code, error_codes(not_base64)) == (422, ["seal.image_invalid"])
    assert not_base64.json()["errors"][0]["field"] == "image_base64"
    not_an_image = client.post(
        url, json={"image_base64": base64.b64encode(b"%PDF-1.7").decode()}, headers=clerk
    )
    assert error_codes(not_an_image) == ["seal.image_invalid"]
    too_big = client.post(url, json={"image_base64": _image(30.0, dpi=200)}, headers=clerk)
    assert too_big.status_code == 422
    assert error_codes(too_big) == ["seal.size", "seal.size"]
    assert "mm" in too_big.json()["errors"][0]["message"]
    wrong_reason = client.post("/api/v1/seals/00000001/end", json={"reason": "died"}, headers=clerk)
    assert wrong_reason.status_code == 422
    missing = client.get("/api/v1/seals/99999999/image", headers=clerk)
    assert (missing.status_code, error_codes(missing)) == (404, ["seal.not_found"])
    shown = client.get(f"/api/v1/residents/{person}/seal", headers=clerk).json()
    assert shown["registrations"] == [] and shown["events"] == []


def test_only_counter_roles_register_seals(client: TestClient, tenant: Tenant) -> None:
    person = tenant.atena_numbers[0]
    for role in (Role.ADMINISTRATOR, Role.AUDITOR):
        refused = client.post(
            f"/api/v1/residents/{person}/seal",
            json={"image_base64": _image()},
            headers=auth(client, tenant.login(role)),
        )
        assert refused.status_code == 403, role


def test_another_municipalitys_clerk_cannot_reach_the_seal(
    client: TestClient, tenant: Tenant, other: Tenant
) -> None:
    person = tenant.atena_numbers[0]
    created = client.post(
        f"/api/v1/residents/{person}/seal",
        json={"image_base64": _image()},
        headers=auth(client, tenant.login(Role.CLERK)),
    ).json()
    outsider = auth(client, other.login(Role.CLERK))
    number = created["registration_number"]
    assert client.get(f"/api/v1/seals/{number}/image", headers=outsider).status_code == 404
    ended = client.post(
        f"/api/v1/seals/{number}/end", json={"reason": "requested"}, headers=outsider
    )
    assert ended.status_code == 404
    still = client.get(
        f"/api/v1/residents/{person}/seal", headers=auth(client, tenant.login(Role.CLERK))
    ).json()
    assert still["active"]["registration_number"] == number
