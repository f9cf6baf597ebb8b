"""Who a copy names as its certifier (認証者): never left unnamed (standard §1.3.9), and titled
with the prefecture, 指定都市 and 特別区 included (§5.6): set through the admin API, refused on
issuing when the key directory says otherwise, read back from the PDF."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from jichitai.bootstrap import App
from jichitai.domain.access.roles import Role
from tests.api.conftest import Tenant, auth, error_codes, make_tenant
from tests.api.test_certificate_reissue_api import squeezed


def issue(client: TestClient, tenant: Tenant, **body: Any) -> Any:
    return client.post(
        "/api/v1/certificates",
        json={"atena_number": tenant.atena_numbers[0], **body},
        headers=auth(client, tenant.login(Role.CLERK)),
    )


def issued_count(client: TestClient, tenant: Tenant) -> int:
    found = client.get("/api/v1/certificates", headers=auth(client, tenant.login(Role.CLERK)))
    count: int = found.json()["count"]
    return count


def set_issuer(client: TestClient, tenant: Tenant, **body: Any) -> Any:
    return client.put(
        "/api/v1/admin/issuer",
        json=body,
        headers=auth(client, tenant.login(Role.ADMINISTRATOR)),
    )


def hand_written_issuer(app: App, tenant: Tenant, **data: Any) -> None:
    """issuer.json as an older version, or an operator's hand, left it in the key directory."""
    path = Path(app.settings.key_dir) / "municipalities" / tenant.code / "issuer.json"
    assert path.exists(), "the key directory is made before the first copy"
    path.write_text(json.dumps(data, ensure_ascii=False, default=str), encoding="utf-8")


@pytest.mark.spec("1.3.9")
def test_a_copy_is_not_issued_while_its_certifier_has_no_name(
    app: App, client: TestClient, tenant: Tenant, tmp_path: Path
) -> None:
    unnamed = issue(client, tenant)  # the key directory's stand-in names nobody
    assert unnamed.status_code == 422, unnamed.text
    assert error_codes(unnamed) == ["certificate.certifier_name_required"]
    refusal = unnamed.json()["errors"][0]
    assert refusal["field"] == "certifier" and "氏名が未設定" in refusal["message"]
    assert issue(client, tenant, household=True).status_code == 422
    assert issued_count(client, tenant) == 0

    shown = client.get(
        "/api/v1/admin/issuer", headers=auth(client, tenant.login(Role.ADMINISTRATOR))
    ).json()
    assert shown["mayor_name"] == ""
    named = set_issuer(client, tenant, mayor_title=shown["mayor_title"], mayor_name="山田　花子")
    assert named.status_code == 200, named.text
    first = issue(client, tenant)
    assert first.status_code == 201, first.text
    text = squeezed(first.content, tmp_path)
    assert "山田花子" in text
    assert "0011/1確認コード" in text  # the refusals drew no number: this is the day's first copy

    # A deputy left unnamed in an older key directory: refused while the deputy would certify.
    today = app.clock.today()
    hand_written_issuer(
        app,
        tenant,
        mayor_title=shown["mayor_title"],
        mayor_name="山田　花子",
        deputy={
            "title": shown["mayor_title"] + "職務代理者",
            "name": "",
            "starts_on": today - timedelta(days=1),
            "ends_on": today + timedelta(days=1),
        },
    )
    acting = issue(client, tenant)
    assert error_codes(acting) == ["certificate.certifier_name_required"]
    assert "職務代理者" in acting.json()["errors"][0]["message"]
    assert issue(client, tenant, certifier="mayor").status_code == 201
    assert issued_count(client, tenant) == 2


@pytest.mark.spec("5.6")
def test_the_mayors_title_carries_the_prefecture_as_the_copy_prints_it(
    app: App, client: TestClient, tenant: Tenant, tmp_path: Path
) -> None:
    admin = auth(client, tenant.login(Role.ADMINISTRATOR))
    default = client.get("/api/v1/admin/issuer", headers=admin).json()["mayor_title"]
    assert default.startswith("鹿児島県試験市") and default.endswith("長")  # code 46: 鹿児島県

    short = set_issuer(client, tenant, mayor_title="試験市長", mayor_name="山田　花子")
    assert short.status_code == 422
    assert error_codes(short) == ["certificate.issuer_prefecture_required"]
    assert short.json()["errors"][0]["field"] == "mayor_title"
    assert "鹿児島県" in short.json()["errors"][0]["message"]
    deputy = set_issuer(
        client,
        tenant,
        mayor_title="鹿児島県試験市長",
        mayor_name="山田　花子",
        deputy={"title": "試験市長職務代理者　試験市副市長", "name": "佐藤　次郎"},
    )
    assert [(e["code"], e["field"]) for e in deputy.json()["errors"]] == [
        ("certificate.issuer_prefecture_required", "deputy.title")
    ]
    right = set_issuer(
        client,
        tenant,
        mayor_title="鹿児島県試験市長",
        mayor_name="山田　花子",
        deputy={"title": "鹿児島県試験市長職務代理者　鹿児島県試験市副市長", "name": "佐藤　次郎"},
    )
    assert right.status_code == 200, right.text
    printed = issue(client, tenant)
    assert "鹿児島県試験市長山田花子" in squeezed(printed.content, tmp_path)
    chosen = issue(client, tenant, certifier="deputy")
    text = squeezed(chosen.content, tmp_path)
    assert "鹿児島県試験市長職務代理者鹿児島県試験市副市長佐藤次郎" in text

    # A title an older version stored without the prefecture is not printed.
    hand_written_issuer(app, tenant, mayor_title="試験市長", mayor_name="山田　花子")
    old = issue(client, tenant)
    assert error_codes(old) == ["certificate.certifier_title_prefecture"]
    assert issued_count(client, tenant) == 2


@pytest.mark.spec("5.6")
def test_a_special_ward_prints_its_prefecture_too(app: App, client: TestClient) -> None:
    """特別区 and 指定都市 may not leave the prefecture out (§5.6's must-not)."""
    ward = make_tenant(app, "13")  # a 東京都 code
    admin = auth(client, ward.login(Role.ADMINISTRATOR))
    assert (
        client.get("/api/v1/admin/issuer", headers=admin).json()["mayor_title"].startswith("東京都")
    )
    short = set_issuer(client, ward, mayor_title="千代田区長", mayor_name="山田　太郎")
    assert error_codes(short) == ["certificate.issuer_prefecture_required"]
    assert (
        set_issuer(client, ward, mayor_title="東京都千代田区長", mayor_name="山田　太郎").json()[
            "mayor_title"
        ]
        == "東京都千代田区長"
    )
