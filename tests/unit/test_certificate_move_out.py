"""The content of a 転出証明書 (住民基本台帳法施行令 第23条) and the canonical JSON of a
certificate's sheets, from records the register's own change rules made (in memory)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

import pytest

from jichitai.domain.certificates.contents import (
    ResidentCertificateRequest,
    Sheet,
    SheetImpression,
    certificate_lines,
    resident_sheets,
)
from jichitai.domain.certificates.kinds import CertificateKind, ItemChoice
from jichitai.domain.certificates.move_out import move_out_sheets, reissued
from jichitai.domain.certificates.stored import sheets_from_json, sheets_to_json
from jichitai.domain.certificates.verification import content_digest
from jichitai.domain.common.address import Address
from jichitai.domain.common.identifiers import AtenaNumber
from jichitai.domain.errors import DomainError
from jichitai.domain.residents.commands import Cancel, MoveOut
from jichitai.domain.residents.model import ResidentRecord, Sex
from tests.factories import (
    a_foreign_person,
    a_header,
    a_household,
    a_person,
    a_valid_individual_number,
    an_overseas_address,
)
from tests.fakes import TODAY, FakeRegister, record

pytestmark = pytest.mark.spec("5.1")

PLANNED = TODAY + timedelta(days=5)
OSAKA = Address.municipality_only("大阪府", "大阪市北区")


def moving_out(
    fake: FakeRegister, *atena: AtenaNumber, abroad: bool = False, special: bool = False
) -> str:
    record(
        fake,
        MoveOut(
            header=a_header(effective_on=PLANNED, filed_on=TODAY),
            atena_numbers=atena,
            planned_on=PLANNED,
            onward_address=an_overseas_address() if abroad else OSAKA,
            abroad=abroad,
            special=special,
        ),
    )
    return fake.event_ids[-1]


def current(fake: FakeRegister, atena: AtenaNumber) -> ResidentRecord:
    found = fake.current(atena)
    assert found is not None
    return found


@pytest.fixture
def family() -> tuple[FakeRegister, list[AtenaNumber]]:
    fake = FakeRegister()
    _, members = a_household(
        fake,
        a_person(individual_number=a_valid_individual_number(5)),
        a_person(
            given="花子",
            kana=("タカハシ", "ハナコ"),
            relationship="妻",
            sex=Sex.FEMALE,
            individual_number=a_valid_individual_number(6),
        ),
        a_foreign_person(relationship="同居人", individual_number=a_valid_individual_number(7)),
    )
    return fake, members


def fields_of(sheets: list[Sheet]) -> dict[str, str]:
    [sheet] = sheets
    [person] = sheet.persons
    return {f.label: f.value for f in person.fields}


def test_a_member_moving_alone_gets_every_item_the_order_lists(
    family: tuple[FakeRegister, list[AtenaNumber]],
) -> None:
    fake, (head, wife, _) = family
    moving_out(fake, wife)
    sheets = move_out_sheets(current(fake, wife), TODAY, current(fake, head))
    assert [s.title for s in sheets] == ["転出証明書"]
    assert sheets[0].certification == "上記の者は、転出の届出をしたことを証明する。"
    assert sheets[0].header[0].label == "住所" and "霞が関" in sheets[0].header[0].value
    items = fields_of(sheets)
    assert items["氏名"] == "髙橋　花子　（タカハシ　ハナコ）"  # §5.3: in brackets
    assert "フリガナ" not in items
    assert items["生年月日"].startswith("昭和") and items["性別"] == "女"
    assert items["世帯主"] == "髙橋　一郎" and items["続柄"] == "妻"
    assert items["本籍"] and items["筆頭者"] == "髙橋　花子"
    assert items["住所を定めた年月日"]
    assert items["転出先"] == "大阪府大阪市北区"
    assert items["転出の予定年月日"] == "令和8年12月1日"
    assert items["個人番号"] == a_valid_individual_number(6).value
    assert "住民票コード" in items
    assert "国籍・地域" not in items


def test_the_head_is_shown_as_head_and_a_foreign_resident_with_the_foreign_items(
    family: tuple[FakeRegister, list[AtenaNumber]],
) -> None:
    fake, (head, _, lodger) = family
    moving_out(fake, head, lodger)  # the head and a lodger leave; the wife stays
    own = fields_of(move_out_sheets(current(fake, head), TODAY))
    assert own["世帯主"] == "髙橋　一郎" and own["続柄"] == "世帯主"
    foreign = fields_of(move_out_sheets(current(fake, lodger), TODAY))
    assert foreign["氏名（ローマ字）"] == "WANG SHUKICHI"
    assert foreign["生年月日"] == "1990年4月1日"  # 西暦
    assert foreign["国籍・地域"] == "中国"
    assert foreign["法第30条の45に規定する区分"] == "中長期在留者"
    assert foreign["在留資格"] and foreign["在留期間等"] == "3年"
    assert foreign["在留期間等の満了の日"] == "2029年3月31日"
    assert foreign["在留カード等番号"] == "AB12345678CD"
    assert "本籍" not in foreign and "世帯主" not in foreign  # no head recorded for them here


def test_no_certificate_without_a_filed_move_out_or_after_it_was_cancelled(
    family: tuple[FakeRegister, list[AtenaNumber]],
) -> None:
    fake, (head, wife, lodger) = family
    with pytest.raises(DomainError) as living:
        move_out_sheets(current(fake, wife), TODAY)
    assert living.value.code == "certificate.no_move_out"
    assert living.value.field == "atena_number"
    event = moving_out(fake, wife)
    record(fake, Cancel(header=a_header(effective_on=TODAY), event_id=event))
    assert current(fake, wife).move_out is None
    with pytest.raises(DomainError) as cancelled:
        move_out_sheets(current(fake, wife), TODAY)
    assert cancelled.value.code == "certificate.no_move_out"
    moving_out(fake, lodger, abroad=True)
    with pytest.raises(DomainError) as abroad:
        move_out_sheets(current(fake, lodger), TODAY)
    assert abroad.value.code == "certificate.move_out_abroad"
    moving_out(fake, head, special=True)
    with pytest.raises(DomainError) as special:
        move_out_sheets(current(fake, head), TODAY)
    assert special.value.code == "certificate.special_move_out"


def test_a_reissue_is_marked_once_and_the_mark_is_part_of_the_signed_text(
    family: tuple[FakeRegister, list[AtenaNumber]],
) -> None:
    fake, (_, wife, _) = family
    moving_out(fake, wife)
    sheets = move_out_sheets(current(fake, wife), TODAY)
    again = reissued(sheets)
    assert again[0].title == "転出証明書（再交付）"
    assert reissued(again) == again
    assert again[0].persons == sheets[0].persons
    assert content_digest(certificate_lines(again)) != content_digest(certificate_lines(sheets))


def test_sheets_round_trip_through_canonical_json(
    family: tuple[FakeRegister, list[AtenaNumber]],
) -> None:
    fake, (head, wife, lodger) = family
    members = [current(fake, a) for a in (head, wife, lodger)]
    everything = ItemChoice(True, True, True, True, True)
    household = resident_sheets(
        ResidentCertificateRequest(CertificateKind.RESIDENCE_CERTIFICATE, items=everything),
        members,
        TODAY,
    )
    moving_out(fake, lodger)
    stamped = SheetImpression("000000000001", "ab" * 32, 15.0, 14.5)  # 印鑑登録証明書
    with_impression = [replace(household[0], impression=stamped)]
    for sheets in (household, move_out_sheets(current(fake, lodger), TODAY), with_impression):
        text = sheets_to_json(sheets)
        assert sheets_from_json(text) == sheets
        assert sheets_to_json(sheets_from_json(text)) == text
        assert certificate_lines(sheets_from_json(text)) == certificate_lines(sheets)
    text = sheets_to_json(household)
    assert "𠮷" in text and "\\u" not in text  # characters as recorded
    assert ": " not in text and ", " not in text
    assert json.loads(text)["version"] == 1


@pytest.mark.parametrize(
    "stored",
    [
        "",
        "not json",
        '{"version": 2, "sheets": []}',
        '{"version": 1, "sheets": []}',
        '{"version": 1, "sheets": [{"title": "x"}]}',
        '{"version": 1, "sheets": [{"title": 1, "header": [], "persons": [],'
        ' "certification": "", "impression": null}]}',
        '{"version": 1, "sheets": [{"title": "x", "header": [], "persons": [],'
        ' "certification": "", "impression": {"registration_number": "1"}}]}',
    ],
)
def test_anything_else_stored_is_refused(stored: str) -> None:
    with pytest.raises(DomainError) as refused:
        sheets_from_json(stored)
    assert refused.value.code == "certificate.content_unreadable"
