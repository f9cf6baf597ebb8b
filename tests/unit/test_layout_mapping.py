"""The standard intermediate layout: a snapshot becomes a row of items and comes back whole.

The mapping is proved lossless on hand-made records that use everything a record can hold (rare
characters 髙 𠮷 﨑, IVS, unknown and non-calendar dates, foreign residents with 通称 history,
removed records with move-out details, values no standard item can carry) and on records drawn
by Hypothesis.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jichitai.adapters.standard_layout.csv_export import escape_cp932, unescape_gaiji
from jichitai.adapters.standard_layout.layout import load_layout
from jichitai.codec import to_primitive
from jichitai.domain.common.address import Address
from jichitai.domain.common.dates import DateKind, RecordDate
from jichitai.domain.common.identifiers import (
    AtenaNumber,
    HouseholdNumber,
    IndividualNumber,
    ResidenceCardNumber,
    ResidentCode,
)
from jichitai.domain.common.names import PersonName
from jichitai.domain.migration.layout import Layout
from jichitai.domain.residents.model import (
    Alias,
    Coverage,
    CoverageKind,
    FamilyRegister,
    ForeignResidentCategory,
    ForeignResidentDetails,
    MoveOutDetails,
    ResidentKind,
    ResidentRecord,
    ResidentStatus,
    Sex,
)
from jichitai.domain.residents.reasons import ChangeReason
from jichitai.domain.residents.relationships import BASE_TERMS, SPECIAL_TERMS, Relationship
from jichitai.services.layout_mapping import RowMapper
from jichitai.services.ports import HouseholdRow
from tests.factories import a_previous_address, an_address, an_overseas_address, foreign_details

pytestmark = pytest.mark.spec("10.6")

LAYOUT: Layout = load_layout("1.0")
RESIDENTS = RowMapper(LAYOUT.file("resident_snapshot"), LAYOUT.code_tables)
HOUSEHOLDS = RowMapper(LAYOUT.file("household"), LAYOUT.code_tables)


def _japanese(**changes: object) -> ResidentRecord:
    record = ResidentRecord(
        atena_number=AtenaNumber.from_serial(12),
        history_number=1,
        kind=ResidentKind.JAPANESE,
        status=ResidentStatus.RESIDENT,
        name=PersonName.create("髙﨑", "葛\U000e0102子", "タカサキ", "カツコ", kana_confirmed=True),
        birth_date=RecordDate.parse("昭和20年頃"),
        sex=Sex.FEMALE,
        household_number=HouseholdNumber.from_serial(3),
        relationship=Relationship.parse("子の妻"),
        became_resident_on=RecordDate.parse("昭和25年2月29日"),
        address=an_address(supplement="𠮷野ハイツ101", postcode="1000013"),
        address_set_on=RecordDate.of(date(2001, 4, 1)),
        reason=ChangeReason.DOMESTIC_MOVE_IN,
        effective_on=date(2001, 4, 1),
        filed_on=date(2001, 4, 3),
        previous_address=a_previous_address(),
        family_register=FamilyRegister("東京都千代田区霞が関一丁目2番", "髙﨑　𠮷郎"),
        former_surname=PersonName("𠮷田", family_kana="ヨシダ"),
        individual_number=IndividualNumber("123456789018"),
        resident_code=ResidentCode("12345678901"),
        display_order=2,
        electoral_roll=True,
        coverages=(
            Coverage(CoverageKind.NATIONAL_PENSION, date(2020, 1, 1), number="1234-567890"),
        ),
        hidden_from_other_systems=True,
        remarks='備考 &#x41; は文字どおり, "引用"\r\n改行',
        memo="メモ",
    )
    return replace(record, **changes)


def _foreign() -> ResidentRecord:
    details = foreign_details(
        category=ForeignResidentCategory.SPECIAL_PERMANENT,
        card=None,
        special_permanent_certificate_number="XY98765432ZW",
        alien_registration_on=RecordDate.parse("平成元年頃"),
        aliases=(
            Alias(PersonName("山田", "花子"), date(2010, 1, 1), "千代田区", date(2015, 1, 1)),
            Alias(PersonName("𠮷川", "花"), date(2015, 1, 1)),
        ),
    )
    return _japanese(
        kind=ResidentKind.FOREIGN,
        name=PersonName.create("", "", "ワン", "", roman="WANG LI"),
        relationship=Relationship.parse("世帯主"),
        family_register=None,
        former_surname=None,
        foreign=replace(details, residence_card_number=ResidenceCardNumber("AB12345678CD")),
    )


def _removed() -> ResidentRecord:
    return _japanese(
        history_number=7,
        status=ResidentStatus.MOVED_OUT,
        reason=ChangeReason.DOMESTIC_MOVE_OUT,
        move_out=MoveOutDetails(
            planned_on=date(2026, 12, 1),
            onward_address=Address.municipality_only("大阪府", "大阪市北区"),
            filed_on=date(2026, 11, 20),
            special=True,
            notice_on=date(2026, 12, 10),
            confirmed_address=a_previous_address(),
            confirmed_on=date(2026, 11, 30),
        ),
        removal_reason=ChangeReason.DOMESTIC_MOVE_OUT,
        removed_on=date(2026, 11, 30),
        removal_event_date=RecordDate.parse("令和8年11月頃"),
        previous_address=an_overseas_address(),
    )


EXAMPLES = {
    "japanese": _japanese(),
    "foreign": _foreign(),
    "removed": _removed(),
    # values no standard item can carry: they must travel in 拡張_その他
    "odd": _japanese(
        family_register=FamilyRegister("", ""),
        previous_address=Address(),
        previous_address_unreported=True,
        relationship=Relationship("子の子の子の子の子"),
        birth_date=RecordDate(DateKind.UNKNOWN, date.min, "年月日不詳"),
    ),
    "unknown_relationship": _japanese(relationship=Relationship("準世帯主")),
}


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_a_snapshot_comes_back_whole_from_its_row(name: str) -> None:
    record = EXAMPLES[name]
    row = RESIDENTS.record_to_row(record, latest=True)
    assert len(row) == len(LAYOUT.file("resident_snapshot").items)
    assert all(isinstance(cell, str) for cell in row)
    assert RESIDENTS.row_to_record(ResidentRecord, row) == record


def _cells(record: ResidentRecord, latest: bool = False) -> dict[str, str]:
    header = LAYOUT.file("resident_snapshot").header
    return dict(zip(header, RESIDENTS.record_to_row(record, latest=latest), strict=True))


def test_standard_items_carry_the_values_in_the_layouts_form() -> None:
    cells = _cells(_japanese(), latest=True)
    assert cells["宛名番号"] == AtenaNumber.from_serial(12).value
    assert (cells["個人履歴番号"], cells["最新フラグ"]) == ("1", "1")
    assert (cells["住民種別"], cells["住民状態"], cells["性別"]) == ("1", "1", "2")
    assert (cells["続柄1"], cells["続柄2"], cells["続柄3"]) == ("20", "12", "")
    assert cells["異動年月日"] == "20010401"
    assert (cells["生年月日"], cells["生年月日_不詳フラグ"]) == ("19450101", "2")
    assert cells["生年月日_不詳表記"] == "昭和20年頃"
    assert cells["住民となった年月日_不詳フラグ"] == "1"
    assert (cells["氏_日本人"], cells["名_日本人"]) == ("髙﨑", "葛\U000e0102子")
    assert cells["住所_方書"] == "𠮷野ハイツ101"
    assert cells["本籍"] == "東京都千代田区霞が関一丁目2番"
    assert cells["旧氏"] == "𠮷田"
    assert cells["他業務参照不可フラグ"] == "1"
    assert cells["拡張_その他"] == ""  # everything fits the items
    foreign = _cells(_foreign())
    assert (foreign["住民種別"], foreign["第30条45規定区分"]) == ("2", "2")
    assert foreign["通称"] == "𠮷川　花"
    assert foreign["在留カード番号"] == "AB12345678CD"
    assert foreign["最新フラグ"] == "0"
    removed = _cells(_removed())
    assert (removed["住民状態"], removed["消除事由"], removed["消除年月日"]) == (
        "2",
        "21",
        "20261130",
    )
    assert removed["転出先住所_市区郡町村名"] == "大阪市北区"


def test_what_no_item_can_carry_goes_to_the_extension_item() -> None:
    cells = _cells(EXAMPLES["odd"])
    assert '"family_register.domicile":""' in cells["拡張_その他"]
    assert '"relationship":"子の子の子の子の子"' in cells["拡張_その他"]
    assert cells["続柄4"] == "20"  # the first four links still fill the standard items


def test_every_register_value_has_a_code() -> None:
    tables = LAYOUT.code_tables
    for table, enum in (
        ("住民種別", ResidentKind),
        ("住民状態", ResidentStatus),
        ("性別", Sex),
        ("異動事由", ChangeReason),
        ("第30条45規定区分", ForeignResidentCategory),
        ("日付種別", DateKind),
    ):
        assert {m.value for m in enum} == set(tables[table].codes), table
    assert set(tables["続柄"].codes) == BASE_TERMS | SPECIAL_TERMS
    assert [tables["年号"].code_of(e) for e in ("明治", "令和")] == ["01", "05"]


def test_every_field_of_a_record_has_an_item_or_the_extension() -> None:
    """Each leaf of a full record's JSON form is the source of an item (so 拡張_その他 stays empty
    for ordinary records)."""
    sources = {i.source for i in LAYOUT.file("resident_snapshot").items if i.source}
    from jichitai.services.layout_mapping import flatten

    for record in (_japanese(), _foreign(), _removed()):
        missing = set(flatten(to_primitive(record))) - sources
        assert not missing, missing


def test_a_household_row() -> None:
    household = HouseholdRow("0000000031", 3, "東京都千代田区霞が関一丁目2番3号", "0000000126")
    row = HOUSEHOLDS.to_row(to_primitive(household))
    assert row[:4] == ["0000000031", "0000000126", "3", "東京都千代田区霞が関一丁目2番3号"]
    assert HOUSEHOLDS.row_to_record(HouseholdRow, row) == household
    empty = HouseholdRow("0000000049", 0, "")
    empty_row = HOUSEHOLDS.to_row(to_primitive(empty))
    assert empty_row == ["0000000049", "", "0", "", ""]  # nothing left for 拡張_その他
    assert HOUSEHOLDS.row_to_record(HouseholdRow, empty_row) == empty


# -- drawn records -----------------------------------------------------------------------------

_RARE = '髙﨑𠮷辻\U000e0102葛\U000e0100神\ufe00〜‖―－¥&#x;,"\r\n　'
_text = st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from(list(_RARE)), max_size=12)
_days = st.dates(min_value=date(1868, 1, 1), max_value=date(2100, 12, 31))
_record_dates = st.one_of(
    _days.map(RecordDate.of),
    st.builds(
        RecordDate,
        st.sampled_from([DateKind.UNKNOWN, DateKind.NON_CALENDAR]),
        _days,
        _text.filter(str.strip),
    ),
)
_names = st.builds(
    PersonName,
    _text.filter(bool),
    given=_text,
    family_kana=_text,
    given_kana=_text,
    kana_confirmed=st.booleans(),
    roman=_text,
)
_addresses = st.builds(
    Address,
    prefecture=_text,
    city=_text,
    town_area=_text,
    lot_text=_text,
    address_supplement=_text,
    town_code=_text,
    postcode=_text,
    country=_text,
    overseas_text=_text,
    raw=_text,
)
_relationships = st.one_of(
    st.lists(st.sampled_from(sorted(BASE_TERMS)), min_size=1, max_size=6).map("の".join),
    st.sampled_from(sorted(SPECIAL_TERMS)),
    _text,
).map(Relationship)
_foreign_details = st.builds(
    ForeignResidentDetails,
    nationality=_text,
    category=st.sampled_from(ForeignResidentCategory),
    became_foreign_resident_on=_record_dates,
    residence_status=_text,
    period_of_stay=_text,
    stay_expires_on=st.none() | _days,
    residence_card_number=st.none()
    | st.from_regex(r"[A-Z]{2}[0-9]{8}[A-Z]{2}", fullmatch=True).map(ResidenceCardNumber),
    special_permanent_certificate_number=_text,
    alien_registration_on=st.none() | _record_dates,
    aliases=st.lists(
        st.builds(Alias, _names, _days, _text, st.none() | _days, _text), max_size=2
    ).map(tuple),
)
_records = st.builds(
    ResidentRecord,
    atena_number=st.integers(1, 10**9 - 1).map(AtenaNumber.from_serial),
    history_number=st.integers(1, 500),
    kind=st.sampled_from(ResidentKind),
    status=st.sampled_from(ResidentStatus),
    name=_names,
    birth_date=_record_dates,
    sex=st.sampled_from(Sex),
    household_number=st.integers(1, 10**9 - 1).map(HouseholdNumber.from_serial),
    relationship=_relationships,
    became_resident_on=_record_dates,
    address=_addresses,
    address_set_on=_record_dates,
    reason=st.sampled_from(ChangeReason),
    effective_on=_days,
    filed_on=st.none() | _days,
    previous_address=st.none() | _addresses,
    previous_address_unreported=st.booleans(),
    family_register=st.none() | st.builds(FamilyRegister, _text, _text),
    former_surname=st.none() | _names,
    foreign=st.none() | _foreign_details,
    display_order=st.integers(0, 99),
    electoral_roll=st.booleans(),
    move_out=st.none()
    | st.builds(
        MoveOutDetails,
        _days,
        _addresses,
        st.none() | _days,
        st.booleans(),
        st.none() | _days,
        st.none() | _addresses,
        st.none() | _days,
    ),
    removal_reason=st.none() | st.sampled_from(ChangeReason),
    removed_on=st.none() | _days,
    removal_event_date=st.none() | _record_dates,
    hidden_from_other_systems=st.booleans(),
    remarks=_text,
    memo=_text,
)


@given(_records, st.booleans())
def test_any_record_comes_back_whole_from_its_row(record: ResidentRecord, latest: bool) -> None:
    row = RESIDENTS.record_to_row(record, latest=latest)
    assert RESIDENTS.row_to_record(ResidentRecord, row) == record


@given(_records, st.sets(st.integers(0, RESIDENTS.width - 1)))
def test_a_row_of_chosen_cells_fills_exactly_those_cells_as_the_whole_row_does(
    record: ResidentRecord, chosen: set[int]
) -> None:
    whole = RESIDENTS.record_to_row(record, latest=True)
    part = RESIDENTS.to_row(to_primitive(record), latest=True, only=frozenset(chosen))
    assert [part[i] for i in sorted(chosen)] == [whole[i] for i in sorted(chosen)]


@given(_text)
def test_the_gaiji_convention_loses_nothing_in_cp932(text: str) -> None:
    escaped, characters = escape_cp932(text)
    assert unescape_gaiji(escaped.encode("cp932").decode("cp932")) == text
    assert all(f"&#x{ord(c):X};" in escaped for c in characters)


def test_the_gaiji_convention_escapes_what_cp932_cannot_carry() -> None:
    escaped, characters = escape_cp932("髙﨑𠮷野 葛\U000e0102 &#x41;")
    assert escaped == "髙﨑&#x20BB7;野 葛&#xE0102; &#x26;#x41;"
    assert characters == ["𠮷", "\U000e0102"]
    assert escape_cp932("髙橋") == ("髙橋", [])
