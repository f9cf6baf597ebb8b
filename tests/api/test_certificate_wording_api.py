"""What each copy certifies (認証文, standard §5.1 (1000) and the forms of its chapter 4), read back
from the PDF: the whole household's 住民票, one person's, the 除票, or the 除票's recorded items."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from jichitai.bootstrap import App
from jichitai.domain.access.roles import Role
from jichitai.domain.common.dates import RecordDate
from jichitai.domain.common.identifiers import AtenaNumber
from jichitai.domain.residents.commands import Death
from tests.api.conftest import Tenant, auth
from tests.api.test_certificate_reissue_api import squeezed
from tests.factories import a_header, a_named_certifier

pytestmark = pytest.mark.spec("5.1")

WHOLE = "この写しは、世帯全員の住民票の原本と相違ないことを証明する。"
ONE = "この写しは、住民票の原本と相違ないことを証明する。"
REMOVED = "この写しは、住民票の除票の原本と相違ないことを証明する。"
RECORDED = "上記の事項は、住民票に記載されていることを証明する。"
RECORDED_REMOVED = "上記の事項は、住民票の除票に記載されていることを証明する。"


@pytest.fixture(autouse=True)
def named_certifier(app: App, tenant: Tenant) -> str:
    return a_named_certifier(app, tenant.code)


def issued_text(
    client: TestClient, tenant: Tenant, tmp_path: Path, person: int = 0, **body: Any
) -> str:
    response = client.post(
        "/api/v1/certificates",
        json={"atena_number": tenant.atena_numbers[person], **body},
        headers=auth(client, tenant.login(Role.CLERK)),
    )
    assert response.status_code == 201, response.text
    return squeezed(response.content, tmp_path)


def test_a_copy_of_the_whole_household_certifies_the_households_record(
    client: TestClient, tenant: Tenant, tmp_path: Path
) -> None:
    household = issued_text(client, tenant, tmp_path, household=True)
    assert WHOLE in household and ONE not in household
    # One sheet a person (個人票): still the whole household, certified once, on the last page.
    sheets = issued_text(client, tenant, tmp_path, household=True, layout="personal")
    assert sheets.count(WHOLE) == 1
    assert sheets.index("1/2確認コード") < sheets.index("高橋花子") < sheets.index(WHOLE)

    head_only = issued_text(client, tenant, tmp_path)
    spouse_only = issued_text(client, tenant, tmp_path, person=1)
    for text in (head_only, spouse_only):  # one member of two: that person's record only
        assert ONE in text and "世帯全員" not in text
    recorded = issued_text(client, tenant, tmp_path, kind="kisai-jiko", household=True)
    assert RECORDED in recorded and "除票" not in recorded


def test_removed_records_certify_the_removed_record(
    app: App, client: TestClient, tenant: Tenant, tmp_path: Path
) -> None:
    spouse = tenant.atena_numbers[1]
    app.register.record_change(
        tenant.code,
        Death(
            header=a_header(),
            atena_number=AtenaNumber(spouse),
            died_on=RecordDate.parse("令和8年11月20日"),
        ),
    )
    johyo = issued_text(client, tenant, tmp_path, person=1, kind="johyo")
    assert "住民票の除票の写し" in johyo and REMOVED in johyo
    recorded = issued_text(client, tenant, tmp_path, person=1, kind="kisai-jiko")
    assert "住民票除票記載事項証明書" in recorded
    assert RECORDED_REMOVED in recorded and RECORDED not in recorded
    # The head now lives alone: a copy of them is a copy of everyone in the household.
    alone = issued_text(client, tenant, tmp_path)
    assert WHOLE in alone
