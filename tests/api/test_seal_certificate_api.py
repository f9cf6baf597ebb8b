"""印鑑登録証明書 through the staff API: issued only for the registration in force and the card
shown, with the impression printed at its real size, read back with pdftotext and pdfimages and
checked at /verify; every refusal records nothing."""

from __future__ import annotations

import base64
import io
import subprocess
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from jichitai.bootstrap import App
from jichitai.domain.access.roles import Role
from jichitai.domain.common.address import Address
from jichitai.domain.common.identifiers import AtenaNumber
from jichitai.domain.residents.commands import MoveOut
from tests.api.conftest import Tenant, auth, error_codes
from tests.api.test_certificate_reissue_api import squeezed
from tests.factories import a_header, a_named_certifier, a_seal
from tests.fakes import TODAY

PDF = {"Content-Type": "application/pdf"}


@pytest.fixture(autouse=True)
def named_certifier(app: App, tenant: Tenant) -> str:
    """The mayor's title as the copies print it (a certifier must be named to issue)."""
    return a_named_certifier(app, tenant.code)


def register_seal(
    client: TestClient, tenant: Tenant, person: int = 0, side_mm: float = 15.0
) -> str:
    response = client.post(
        f"/api/v1/residents/{tenant.atena_numbers[person]}/seal",
        json={"image_base64": base64.b64encode(a_seal(side_mm)).decode()},
        headers=auth(client, tenant.login(Role.CLERK)),
    )
    assert response.status_code == 201, response.text
    number: str = response.json()["registration_number"]
    return number


def issue_inkan(
    client: TestClient, tenant: Tenant, card: str, person: int = 0, role: Role = Role.CLERK
) -> Any:
    return client.post(
        "/api/v1/certificates",
        json={
            "atena_number": tenant.atena_numbers[person],
            "kind": "inkan",
            "seal_card_number": card,
        },
        headers=auth(client, tenant.login(role)),
    )


def issued_count(client: TestClient, tenant: Tenant) -> int:
    response = client.get("/api/v1/certificates", headers=auth(client, tenant.login(Role.CLERK)))
    assert response.status_code == 200, response.text
    count: int = response.json()["count"]
    return count


def pdf_images(pdf: bytes, tmp_path: Path) -> list[dict[str, str]]:
    """The images of the PDF as ``pdfimages -list`` reports them (one dict a row)."""
    path = tmp_path / "images.pdf"
    path.write_bytes(pdf)
    lines = subprocess.run(
        ["pdfimages", "-list", str(path)], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    header = lines[0].split()
    return [dict(zip(header, line.split(), strict=False)) for line in lines[2:]]


def test_a_seal_certificate_prints_the_person_and_the_impression_at_real_size(
    app: App, client: TestClient, tenant: Tenant, tmp_path: Path
) -> None:
    card = register_seal(client, tenant, side_mm=15.0)
    response = issue_inkan(client, tenant, card)
    assert response.status_code == 201, response.text
    pdf = response.content

    text = squeezed(pdf, tmp_path)
    record = app.queries.current(tenant.code, tenant.atena_numbers[0])
    assert "印鑑登録証明書" in text
    assert "".join(record.name.full.split()) in text
    assert "昭和50年1月2日" in text
    assert "男" in text
    assert "".join(record.address.display().split()) in text
    assert "この写しは、登録されている印影と相違ないことを証明する" in text
    # The card's number is what the applicant shows, never printed. (The copy's 22-digit code
    # may hold the same run of digits by chance: it is left out of the check.)
    assert card not in text.replace(response.headers["x-jichitai-issue-code"], "")

    stored = client.get(
        f"/api/v1/seals/{card}/image", headers=auth(client, tenant.login(Role.CLERK))
    ).content
    with Image.open(io.BytesIO(stored)) as image:
        width, height = image.size
        dpi = image.info["dpi"][0]
    drawn = [
        row
        for row in pdf_images(pdf, tmp_path)
        if row["type"] == "image" and (int(row["width"]), int(row["height"])) == (width, height)
    ]
    assert len(drawn) == 1, "the impression is drawn once"
    # Real size: the image spans as many points as its pixels over its own resolution.
    assert abs(int(drawn[0]["x-ppi"]) - dpi) <= 2 and abs(int(drawn[0]["y-ppi"]) - dpi) <= 2

    verified = client.post("/verify", content=pdf, headers=PDF).json()
    assert verified["valid"] is True and verified["title"] == "印鑑登録証明書"
    rows = client.get(
        "/api/v1/certificates",
        params={"atena_number": tenant.atena_numbers[0]},
        headers=auth(client, tenant.login(Role.CLERK)),
    ).json()["issues"]
    assert [(r["kind"], r["items"]) for r in rows] == [("inkan", [])]


def test_a_seal_certificate_needs_the_card_of_the_registration_in_force(
    client: TestClient, tenant: Tenant
) -> None:
    card = register_seal(client, tenant, person=0)
    spouse_card = register_seal(client, tenant, person=1)

    missing = issue_inkan(client, tenant, "")
    assert (missing.status_code, error_codes(missing)) == (422, ["seal.card_required"])
    assert missing.json()["errors"][0]["field"] == "seal_card_number"
    other_persons = issue_inkan(client, tenant, spouse_card, person=0)
    assert error_codes(other_persons) == ["seal.card_mismatch"]
    assert other_persons.json()["errors"][0]["message"] == "印鑑登録証の番号が登録と一致しません"
    auditor = issue_inkan(client, tenant, card, role=Role.AUDITOR)
    assert auditor.status_code == 403

    clerk = auth(client, tenant.login(Role.CLERK))
    lost = client.post(f"/api/v1/seals/{card}/end", json={"reason": "card_lost"}, headers=clerk)
    assert lost.status_code == 200, lost.text
    after_loss = issue_inkan(client, tenant, card)
    assert (after_loss.status_code, error_codes(after_loss)) == (422, ["seal.not_registered"])
    assert issued_count(client, tenant) == 0, "a refusal records no issue"

    assert issue_inkan(client, tenant, spouse_card, person=1).status_code == 201
    assert issued_count(client, tenant) == 1


def test_no_seal_certificate_after_the_person_moves_out(
    app: App, client: TestClient, tenant: Tenant
) -> None:
    card = register_seal(client, tenant)
    app.register.record_change(
        tenant.code,
        MoveOut(
            header=a_header(effective_on=TODAY, filed_on=TODAY),
            atena_numbers=(AtenaNumber(tenant.atena_numbers[0]),),
            planned_on=TODAY,
            onward_address=Address.municipality_only("大阪府", "大阪市北区"),
        ),
    )
    refused = issue_inkan(client, tenant, card)
    assert (refused.status_code, error_codes(refused)) == (422, ["seal.not_registered"])
    assert issued_count(client, tenant) == 0


def test_a_seal_certificate_is_issued_anew_not_reissued(client: TestClient, tenant: Tenant) -> None:
    card = register_seal(client, tenant)
    code = issue_inkan(client, tenant, card).headers["x-jichitai-issue-code"]
    again = client.post(
        f"/api/v1/certificates/{code}/reissue",
        json={"reason": "汚損"},
        headers=auth(client, tenant.login(Role.REVIEWER)),
    )
    assert (again.status_code, error_codes(again)) == (422, ["certificate.reissue_not_available"])
    assert issued_count(client, tenant) == 1
