"""Notices (通知書) through the staff API: printed from the recorded change as PDF in IPAmj明朝,
read back with pdftotext as anyone would; a change that calls for no such notice is refused with
a code and a Japanese message; every print is in the access log with the persons it names."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from jichitai.bootstrap import App
from jichitai.domain.access.roles import Role
from jichitai.domain.common.address import Address
from jichitai.domain.common.dates import RecordDate
from jichitai.domain.common.identifiers import AtenaNumber, HouseholdNumber, ResidentCode
from jichitai.domain.residents.commands import (
    Correct,
    ExOfficioEntry,
    ExOfficioRemoval,
    MoveIn,
    MoveOut,
    Notifier,
    RecordChanges,
)
from jichitai.domain.residents.reasons import ChangeReason
from jichitai.domain.residents.view import Notice
from tests.api.conftest import Tenant, a_move_in, auth, error_codes
from tests.api.test_certificate_reissue_api import squeezed
from tests.factories import (
    a_header,
    a_person,
    a_previous_address,
    an_address,
    an_overseas_address,
)
from tests.fakes import TODAY


def notice(
    client: TestClient, tenant: Tenant, event_id: str, kind: str, role: Role = Role.CLERK
) -> Any:
    return client.get(
        f"/api/v1/changes/{event_id}/notices/{kind}", headers=auth(client, tenant.login(role))
    )


def pdf_text(response: Any, tmp_path: Path) -> str:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    return squeezed(response.content, tmp_path)


def a_couple_moving_in(app: App, tenant: Tenant) -> Any:
    """佐藤 一郎 and 花子 move in from Osaka; 佐藤 一郎 files it himself."""
    command = a_move_in(number_seed=11, surname="佐藤", kana="サトウ")
    header = a_header(notifier=Notifier(name="佐藤　一郎"))
    return app.register.record_change(
        tenant.code,
        MoveIn(
            header=header,
            members=command.members,
            address=an_address("二丁目5番8号"),
            previous_address=a_previous_address(),
        ),
    )


@pytest.mark.spec("4.1.0.3")
def test_an_accepted_move_in_prints_its_acceptance_notice_to_the_notifier_at_the_old_address(
    app: App, client: TestClient, tenant: Tenant, tmp_path: Path
) -> None:
    moved_in = a_couple_moving_in(app, tenant)
    text = pdf_text(notice(client, tenant, moved_in.event_id, "juri"), tmp_path)
    assert "住民異動届受理通知" in text
    assert "下記のとおり住民異動届を受理しましたので通知します。" in text
    # 届出日, 異動事由, 届出人氏名, 異動者氏名; to the 届出人 at the address before the change.
    for expected in ("届出日", "令和8年11月20日", "転入", "佐藤一郎様", "佐藤一郎、佐藤花子"):
        assert expected in text, expected
    assert "大阪府大阪市北区梅田一丁目1番1号" in text
    # Printed again later, as often as asked (後日でも発行できること).
    again = notice(client, tenant, moved_in.event_id, "juri")
    assert again.status_code == 200


@pytest.mark.spec("4.1.0.3")
def test_a_move_in_from_abroad_is_notified_to_the_person_at_the_new_address(
    app: App, client: TestClient, tenant: Tenant, tmp_path: Path
) -> None:
    couple = a_move_in(number_seed=13, surname="山田", kana="ヤマダ")
    moved_in = app.register.record_change(
        tenant.code,
        MoveIn(
            header=a_header(notifier=Notifier(name="代理　太郎")),
            members=couple.members,
            address=an_address("四丁目4番4号"),
            previous_address=an_overseas_address(),
            from_abroad=True,
        ),
    )
    text = pdf_text(notice(client, tenant, moved_in.event_id, "juri"), tmp_path)
    assert "山田一郎様" in text and "東京都千代田区霞が関四丁目4番4号" in text
    assert "代理太郎" in text  # still named as the 届出人
    assert "ニューヨーク" not in text


@pytest.mark.spec("4.1.0.3")
def test_a_change_without_a_filing_gets_no_acceptance_notice_and_an_unknown_one_is_not_found(
    app: App, client: TestClient, tenant: Tenant
) -> None:
    entered = app.register.record_change(tenant.code, an_ex_officio_entry())
    refused = notice(client, tenant, entered.event_id, "juri")
    assert refused.status_code == 422
    assert error_codes(refused) == ["notice.not_for_change"]
    assert "住民異動届受理通知を出力できません" in refused.json()["errors"][0]["message"]
    missing = notice(client, tenant, "0190a0f0-0000-7000-8000-000000000000", "juri")
    assert missing.status_code == 404 and error_codes(missing) == ["notice.change_not_found"]


def an_ex_officio_entry() -> ExOfficioEntry:
    return ExOfficioEntry(
        header=a_header(filed_on=None, ex_officio=True),
        members=(a_person(name="鈴木", given="次郎", kana=("スズキ", "ジロウ")),),
        address=an_address("三丁目1番1号"),
    )


@pytest.mark.spec("4.2.0.1")
def test_an_ex_officio_entry_prints_the_ex_officio_notice_to_the_person(
    app: App, client: TestClient, tenant: Tenant, tmp_path: Path
) -> None:
    entered = app.register.record_change(tenant.code, an_ex_officio_entry())
    assert Notice.EX_OFFICIO_ENTRY_NOTICE.value in entered.notices
    text = pdf_text(notice(client, tenant, entered.event_id, "shokken"), tmp_path)
    assert "職権記載等通知書" in text and "鈴木次郎様" in text
    assert "職権により下記のとおり住民票の記載をしましたので通知します。" in text
    assert "東京都千代田区霞が関三丁目1番1号" in text


@pytest.mark.spec("4.2.0.1")
def test_an_ex_officio_correction_prints_the_notice_of_the_correction(
    app: App, client: TestClient, tenant: Tenant, tmp_path: Path
) -> None:
    corrected = app.register.record_change(
        tenant.code,
        Correct(
            header=a_header(filed_on=None, ex_officio=True),
            atena_number=AtenaNumber(tenant.atena_numbers[1]),
            reason=ChangeReason.EX_OFFICIO_CORRECTION,
            changes=RecordChanges(birth_date=RecordDate.parse("昭和52年5月7日")),
        ),
    )
    text = pdf_text(notice(client, tenant, corrected.event_id, "shokken"), tmp_path)
    assert "職権記載等通知書" in text and "高橋花子様" in text
    assert "職権により下記のとおり住民票の修正をしましたので通知します。" in text
    assert "昭和52年5月7日" in text


@pytest.mark.spec("4.2.0.1")
def test_a_filed_change_gets_no_ex_officio_notice(
    app: App, client: TestClient, tenant: Tenant
) -> None:
    moved_in = a_couple_moving_in(app, tenant)
    refused = notice(client, tenant, moved_in.event_id, "shokken")
    assert refused.status_code == 422
    assert error_codes(refused) == ["notice.not_for_change"]
    assert "職権記載等通知書" in refused.json()["errors"][0]["message"]


@pytest.mark.spec("4.3.3")
def test_a_new_resident_code_prints_its_code_notice_and_prints_again(
    app: App, client: TestClient, tenant: Tenant, tmp_path: Path
) -> None:
    moved_in = a_couple_moving_in(app, tenant)
    codes = [app.queries.current(tenant.code, a).resident_code for a in moved_in.atena_numbers]
    assert all(codes)
    text = pdf_text(notice(client, tenant, moved_in.event_id, "code"), tmp_path)
    assert text.count("住民票コード通知票") == 2  # one sheet per person
    for code in codes:
        assert code is not None and code.value in text
    assert "佐藤一郎様" in text and "佐藤花子様" in text
    assert notice(client, tenant, moved_in.event_id, "code").status_code == 200  # 再出力


@pytest.mark.spec("4.3.3")
def test_a_code_changed_on_request_prints_the_change_notice_with_the_old_code(
    app: App, client: TestClient, tenant: Tenant, tmp_path: Path
) -> None:
    head = tenant.atena_numbers[0]
    old = app.queries.current(tenant.code, head).resident_code
    new = ResidentCode.from_random_digits("9876543210")
    changed = app.register.record_change(
        tenant.code,
        Correct(
            header=a_header(),
            atena_number=AtenaNumber(head),
            reason=ChangeReason.RESIDENT_CODE_CHANGE_ON_REQUEST,
            changes=RecordChanges(resident_code=new),
        ),
    )
    text = pdf_text(notice(client, tenant, changed.event_id, "code"), tmp_path)
    assert "住民票コード変更通知票" in text and "住民票コードを変更しました" in text
    assert old is not None and new.value in text and old.value in text
    assert "変更前の住民票コード" in text and "高橋一郎様" in text


@pytest.mark.spec("4.3.3")
def test_a_change_that_writes_no_code_gets_no_code_notice(
    app: App, client: TestClient, tenant: Tenant
) -> None:
    moved = move_out(app, tenant, TODAY - timedelta(days=3))
    refused = notice(client, tenant, moved.event_id, "code")
    assert refused.status_code == 422 and error_codes(refused) == ["notice.not_for_change"]
    assert "住民票コード通知票" in refused.json()["errors"][0]["message"]


def move_out(app: App, tenant: Tenant, on: Any, persons: tuple[int, ...] = (0, 1)) -> Any:
    return app.register.record_change(
        tenant.code,
        MoveOut(
            header=a_header(effective_on=on, filed_on=on),
            atena_numbers=tuple(AtenaNumber(tenant.atena_numbers[i]) for i in persons),
            planned_on=on,
            onward_address=Address.municipality_only("大阪府", "大阪市北区"),
        ),
    )


def head_removed_ex_officio(app: App, tenant: Tenant) -> Any:
    """A son is entered in the couple's household, then the head is removed ex officio: two
    members are left without a head (the clerk acknowledges the alert)."""
    app.register.record_change(
        tenant.code,
        ExOfficioEntry(
            header=a_header(filed_on=None, ex_officio=True),
            members=(
                a_person(
                    name="高橋",
                    given="三郎",
                    kana=("タカハシ", "サブロウ"),
                    relationship="子",
                    born="平成20年4月1日",
                ),
            ),
            address=an_address(),
            household_number=HouseholdNumber(tenant.household_number),
        ),
    )
    return app.register.record_change(
        tenant.code,
        ExOfficioRemoval(
            header=a_header(
                filed_on=None,
                ex_officio=True,
                acknowledged_alerts=frozenset({"household.head_absent"}),
            ),
            atena_numbers=(AtenaNumber(tenant.atena_numbers[0]),),
            cause="実態調査により居住の事実なし",
        ),
    )


@pytest.mark.spec("4.0.5")
def test_a_household_left_without_its_head_gets_the_request_to_its_first_member_and_the_list(
    app: App, client: TestClient, tenant: Tenant, tmp_path: Path
) -> None:
    removed = head_removed_ex_officio(app, tenant)
    assert Notice.HEAD_CHANGE_REQUEST.value in removed.notices
    text = pdf_text(notice(client, tenant, removed.event_id, "setainushi"), tmp_path)
    assert "世帯主変更依頼通知書" in text and "高橋花子様" in text
    assert "世帯主を定め、世帯主変更の届出をしてください。" in text
    assert "高橋花子、高橋三郎" in text  # the members, in the register's order
    assert "世帯主変更依頼対象者リスト" in text and tenant.household_number in text
    assert "高橋一郎" in text  # the former head
    # The same removal is an ex-officio change: its notice goes to the person removed.
    removal = pdf_text(notice(client, tenant, removed.event_id, "shokken"), tmp_path)
    assert "職権記載等通知書" in removal and "住民票の消除をしました" in removal


@pytest.mark.spec("4.0.5")
def test_a_change_leaving_the_head_in_place_gets_no_head_change_request(
    app: App, client: TestClient, tenant: Tenant
) -> None:
    moved_in = a_couple_moving_in(app, tenant)
    refused = notice(client, tenant, moved_in.event_id, "setainushi")
    assert refused.status_code == 422 and error_codes(refused) == ["notice.not_for_change"]
    assert "世帯主が不在となる異動ではありません" in refused.json()["errors"][0]["message"]


@pytest.mark.spec("4.1.3.1.4")
def test_persons_moved_out_without_a_move_in_notice_are_listed_with_a_letter_per_destination(
    app: App, client: TestClient, tenant: Tenant, tmp_path: Path
) -> None:
    move_out(app, tenant, TODAY - timedelta(days=3))
    clerk = auth(client, tenant.login(Role.CLERK))
    listed = client.get("/api/v1/notices/michaku", params={"days": 3}, headers=clerk)
    text = pdf_text(listed, tmp_path)
    assert "転入通知未着者一覧" in text and "転入通知未着照会書" in text
    assert "大阪府大阪市北区長様" in text
    assert "高橋一郎" in text and "高橋花子" in text and tenant.atena_numbers[0] in text
    not_yet = client.get("/api/v1/notices/michaku", params={"days": 4}, headers=clerk)
    assert not_yet.status_code == 422 and error_codes(not_yet) == ["notice.none_overdue"]
    assert "転入通知が未着の方はいません" in not_yet.json()["errors"][0]["message"]


def test_printing_needs_the_right_to_issue_and_each_print_is_logged(
    app: App, client: TestClient, tenant: Tenant
) -> None:
    moved_in = a_couple_moving_in(app, tenant)
    denied = notice(client, tenant, moved_in.event_id, "juri", role=Role.ADMINISTRATOR)
    assert denied.status_code == 403
    assert notice(client, tenant, moved_in.event_id, "juri").status_code == 200
    log = client.get(
        "/api/v1/access-log",
        params={"operation": "print"},
        headers=auth(client, tenant.login(Role.AUDITOR)),
    )
    assert log.status_code == 200, log.text
    prints = [e for e in log.json()["entries"] if e["operation"] == "print"]
    assert prints and prints[0]["target"] == f"notice:juri:{moved_in.event_id}"
    assert set(prints[0]["atena_numbers"]) == set(moved_in.atena_numbers)


def test_a_notice_naming_a_person_under_dv_support_is_refused_as_a_certificate_would_be(
    app: App, client: TestClient, tenant: Tenant
) -> None:
    moved_in = a_couple_moving_in(app, tenant)
    supported = client.post(
        "/api/v1/suppressions",
        json={
            "starts_on": "2026-11-01",
            "kind": "dv_support",
            "atena_number": moved_in.atena_numbers[1],
            "reason": "DV等支援措置申出書",
        },
        headers=auth(client, tenant.login(Role.DV_OFFICER)),
    )
    assert supported.status_code == 201, supported.text
    for kind in ("juri", "code"):
        held = notice(client, tenant, moved_in.event_id, kind)
        assert held.status_code == 422 and error_codes(held) == ["dv_support.blocked"], kind
