"""What a resident certificate says (standard §5.1 (1000)), from records the real register made."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from jichitai.bootstrap import App
from jichitai.domain.certificates.contents import (
    ResidentCertificateRequest,
    certificate_lines,
    resident_sheets,
)
from jichitai.domain.certificates.kinds import CertificateKind, ItemChoice, SheetLayout
from jichitai.domain.certificates.stored import sheets_from_json, sheets_to_json
from jichitai.domain.common.address import Address
from jichitai.domain.common.identifiers import AtenaNumber, HouseholdNumber
from jichitai.domain.common.names import PersonName
from jichitai.domain.errors import DomainError
from jichitai.domain.residents.commands import Correct, MoveIn, MoveOut, RecordChanges
from jichitai.domain.residents.model import ResidentRecord, Sex
from jichitai.domain.residents.reasons import ChangeReason
from tests.factories import (
    a_foreign_person,
    a_header,
    a_municipality,
    a_person,
    a_previous_address,
    a_valid_individual_number,
    an_address,
)
from tests.fakes import TODAY, FixedClock

pytestmark = pytest.mark.spec("5.1")


@pytest.fixture
def random_seed() -> int:
    return 4


@pytest.fixture
def household(app: App) -> tuple[str, list[ResidentRecord]]:
    code = a_municipality(app, "45", "試験市")
    members = (
        a_person(individual_number=a_valid_individual_number(3)),
        a_person(given="花子", kana=("タカハシ", "ハナコ"), relationship="妻", sex=Sex.FEMALE),
        a_person(given="𠮷", kana=("タカハシ", "キチ"), relationship="子", born="平成20年4月1日"),
        a_foreign_person(relationship="同居人"),
        a_person(name="邉", given="太郎", kana=("ワタナベ", "タロウ"), relationship="同居人"),
    )
    moved = app.register.record_change(
        code,
        MoveIn(
            header=a_header(),
            members=members,
            address=an_address(),
            previous_address=a_previous_address(),
        ),
    )
    return code, list(app.queries.household(code, moved.households[0]))


def request(
    kind: CertificateKind = CertificateKind.RESIDENCE_CERTIFICATE, **changes: object
) -> ResidentCertificateRequest:
    return ResidentCertificateRequest(kind=kind, **changes)  # type: ignore[arg-type]


@pytest.mark.spec("1.1.3")
def test_a_household_sheet_holds_four_persons_and_only_the_last_carries_the_certification(
    household: tuple[str, list[ResidentRecord]],
) -> None:
    _, members = household
    sheets = resident_sheets(request(), members, TODAY)
    assert [len(s.persons) for s in sheets] == [4, 1]
    assert [s.title for s in sheets] == ["住民票の写し"] * 2
    assert sheets[0].certification == ""
    assert sheets[1].certification == "この写しは、住民票の原本と相違ないことを証明する。"
    assert sheets[0].header[0].label == "住所" and "霞が関" in sheets[0].header[0].value
    personal = resident_sheets(request(layout=SheetLayout.PERSONAL), members[:2], TODAY)
    assert [len(s.persons) for s in personal] == [1, 1]


def test_optional_items_are_omitted_unless_asked_and_names_keep_every_character(
    household: tuple[str, list[ResidentRecord]],
) -> None:
    _, members = household
    plain = certificate_lines(resident_sheets(request(), members, TODAY))
    text = "\n".join(plain)
    assert "髙橋　𠮷" in text and "邉　太郎" in text
    for hidden in (
        "世帯主",
        "続柄",
        "本籍",
        "筆頭者",
        "住民票コード",
        "個人番号",
        "国籍・地域",
        "在留カード等番号",
    ):
        assert hidden not in text, hidden
    everything = ItemChoice(
        head_and_relationship=True,
        domicile=True,
        resident_code=True,
        individual_number=True,
        foreign_items=True,
    )
    full = "\n".join(certificate_lines(resident_sheets(request(items=everything), members, TODAY)))
    for shown in (
        "世帯主　髙橋　一郎",
        "続柄　妻",
        "本籍",
        "住民票コード",
        "個人番号",
        "国籍・地域　中国",
    ):
        assert shown in full, shown
    assert "在留カード等番号　AB12345678CD" in full


@pytest.mark.spec("1.1.9")
def test_japanese_dates_are_wareki_and_a_foreign_residents_birth_and_expiry_seireki(
    household: tuple[str, list[ResidentRecord]],
) -> None:
    _, members = household
    sheets = resident_sheets(request(items=ItemChoice(foreign_items=True)), members, TODAY)
    blocks = {
        p.atena_number: {f.label: f.value for f in p.fields} for s in sheets for p in s.persons
    }
    head = blocks[members[0].atena_number.value]
    assert head["生年月日"] == "昭和50年1月2日"
    foreign = next(b for b in blocks.values() if "国籍・地域" in b)
    assert foreign["生年月日"] == "1990年4月1日"
    assert foreign["在留期間等の満了の日"] == "2029年3月31日"
    assert foreign["氏名（ローマ字）"] == "WANG SHUKICHI"


def test_a_planned_move_out_is_left_out_before_its_date_and_the_record_is_a_johyo_after(
    app: App, household: tuple[str, list[ResidentRecord]]
) -> None:
    code, members = household
    lodger = members[-1]
    planned = TODAY + timedelta(days=10)
    app.register.record_change(
        code,
        MoveOut(
            header=a_header(effective_on=planned, filed_on=TODAY),
            atena_numbers=(AtenaNumber(lodger.atena_number.value),),
            planned_on=planned,
            onward_address=Address.municipality_only("大阪府", "大阪市北区"),
        ),
    )
    record = app.queries.current(code, lodger.atena_number.value)
    assert record.is_resident
    before = "\n".join(certificate_lines(resident_sheets(request(), [record], TODAY)))
    assert "転出" not in before
    clock = app.clock
    assert isinstance(clock, FixedClock)
    clock.day = planned
    record = app.queries.current(code, lodger.atena_number.value)
    with pytest.raises(DomainError) as gone:  # from the date on, the record is a 除票
        resident_sheets(request(), [record], planned)
    assert gone.value.code == "certificate.removed_record"
    after = resident_sheets(request(CertificateKind.REMOVED_RECORD_CERTIFICATE), [record], planned)
    text = "\n".join(certificate_lines(after))
    assert after[0].title == "住民票の除票の写し"
    assert "転出予定年月日" in text and "大阪市北区" in text and "消除" in text


def test_the_wrong_kind_for_a_record_or_households_mixed_on_one_sheet_are_refused(
    household: tuple[str, list[ResidentRecord]],
) -> None:
    _, members = household
    with pytest.raises(DomainError) as johyo:
        resident_sheets(request(CertificateKind.REMOVED_RECORD_CERTIFICATE), members[:1], TODAY)
    assert johyo.value.code == "certificate.not_removed"
    with pytest.raises(DomainError) as empty:
        resident_sheets(request(), [], TODAY)
    assert empty.value.code == "certificate.no_persons"
    elsewhere = replace(members[1], household_number=HouseholdNumber.from_serial(99))
    with pytest.raises(DomainError) as mixed:
        resident_sheets(request(), [members[0], elsewhere], TODAY)
    assert mixed.value.code == "certificate.several_households"
    kisai = resident_sheets(
        request(CertificateKind.RECORDED_MATTERS_CERTIFICATE), members[:1], TODAY
    )
    assert kisai[0].title == "住民票記載事項証明書"
    assert kisai[0].certification == "上記の事項は、住民票に記載されていることを証明する。"


@pytest.mark.spec("5.3")
def test_the_reading_follows_the_name_in_brackets_only_when_asked_for(
    household: tuple[str, list[ResidentRecord]],
) -> None:
    _, members = household
    plain = "\n".join(certificate_lines(resident_sheets(request(), members, TODAY)))
    assert "フリガナ" not in plain and "タカハシ" not in plain and "ワン" not in plain
    asked = request(items=ItemChoice(furigana=True, foreign_items=True))
    sheets = resident_sheets(asked, members, TODAY)
    names = [
        next(f.value for f in p.fields if f.label == "氏名") for s in sheets for p in s.persons
    ]
    assert names[:3] == [
        "髙橋　一郎　（タカハシ　イチロウ）",
        "髙橋　花子　（タカハシ　ハナコ）",
        "髙橋　𠮷　（タカハシ　キチ）",
    ]
    assert "王　秀𠮷　（ワン　シュウキチ）" in names  # the roman name keeps its own line
    assert "フリガナ" not in "\n".join(certificate_lines(sheets))  # never a line of its own


@pytest.mark.spec("5.7")
def test_official_use_marks_every_sheet_and_is_covered_by_the_digest(
    household: tuple[str, list[ResidentRecord]],
) -> None:
    _, members = household
    for kind in (
        CertificateKind.RESIDENCE_CERTIFICATE,
        CertificateKind.RECORDED_MATTERS_CERTIFICATE,
    ):
        marked = resident_sheets(request(kind, items=ItemChoice(official_use=True)), members, TODAY)
        plain = resident_sheets(request(kind), members, TODAY)
        assert [s.mark for s in marked] == ["公用", "公用"] and {s.mark for s in plain} == {""}
        assert certificate_lines(marked) != certificate_lines(plain)
        assert "公用" in certificate_lines(marked)[:2]
        assert sheets_from_json(sheets_to_json(marked)) == marked
        assert sheets_from_json(sheets_to_json(plain)) == plain
        assert '"mark"' not in sheets_to_json(plain)  # copies kept before marks read the same


@pytest.mark.spec("1.1.7")
def test_a_recorded_former_surname_is_printed_after_the_name_with_its_reading_when_asked(
    app: App, household: tuple[str, list[ResidentRecord]]
) -> None:
    code, members = household
    wife = members[1]
    app.register.record_change(
        code,
        Correct(
            header=a_header(effective_on=TODAY),
            atena_number=wife.atena_number,
            reason=ChangeReason.FORMER_SURNAME_ENTRY,
            changes=RecordChanges(former_surname=PersonName.create("辻\U000e0100", "", "ツジ")),
        ),
    )
    again = app.queries.current(code, wife.atena_number.value)
    (sheet,) = resident_sheets(request(), [again], TODAY)
    shown = {f.label: f.value for f in sheet.persons[0].fields}
    assert shown["旧氏"] == "辻\U000e0100"  # the variant kept
    labels = [f.label for f in sheet.persons[0].fields]
    assert labels.index("旧氏") == labels.index("氏名") + 1
    (read,) = resident_sheets(request(items=ItemChoice(furigana=True)), [again], TODAY)
    assert {f.label: f.value for f in read.persons[0].fields}["旧氏"] == "辻\U000e0100　（ツジ）"
    (plain,) = resident_sheets(request(), [members[0]], TODAY)
    assert "旧氏" not in [f.label for f in plain.persons[0].fields]
