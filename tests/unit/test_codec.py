"""The codec between frozen dataclasses and JSON-compatible values (journal rows, drafts, hashes)."""

from __future__ import annotations

import json
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta, timezone
from enum import StrEnum
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jichitai.codec import (
    canonical_json,
    decode_tagged,
    encode_tagged,
    from_primitive,
    to_primitive,
)
from jichitai.domain.common.address import Address
from jichitai.domain.common.dates import DateKind, RecordDate
from jichitai.domain.common.identifiers import (
    AtenaNumber,
    HouseholdNumber,
    IndividualNumber,
    ResidenceCardNumber,
    ResidentCode,
    m11_weights_2_7_check_digit,
)
from jichitai.domain.common.municipality import MunicipalityCode
from jichitai.domain.common.names import PersonName
from jichitai.domain.errors import InvalidValue
from jichitai.domain.residents.commands import (
    ChangeCommand,
    ChangeHeader,
    Correct,
    HeadChange,
    MoveIn,
    NewPerson,
    RecordChanges,
)
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
from jichitai.domain.residents.relationships import Relationship

COMMANDS = typing.get_args(ChangeCommand)

# -- fixtures ------------------------------------------------------------------------------


def _address(**parts: str) -> Address:
    base = {
        "prefecture": "東京都",
        "city": "千代田区",
        "town_area": "霞が関一丁目",
        "lot_text": "2番3号",
        "town_code": "13101001001",
        "postcode": "1000013",
    }
    return Address(**(base | parts))


def japanese_record() -> ResidentRecord:
    """A full 日本人住民 snapshot with rare characters: 髙, 𠮷 (U+20BB7) and an IVS 葛󠄂."""
    return ResidentRecord(
        atena_number=AtenaNumber.from_serial(12),
        history_number=4,
        kind=ResidentKind.JAPANESE,
        status=ResidentStatus.RESIDENT,
        name=PersonName(
            family="髙橋",
            given="𠮷郎",
            family_kana="タカハシ",
            given_kana="ヨシロウ",
            kana_confirmed=True,
        ),
        birth_date=RecordDate(DateKind.NON_CALENDAR, date(1950, 2, 28), "昭和25年2月29日"),
        sex=Sex.MALE,
        household_number=HouseholdNumber.from_serial(34),
        relationship=Relationship("世帯主"),
        became_resident_on=RecordDate.of(date(1950, 3, 1)),
        address=_address(address_supplement="𠮷田ハイツ101"),
        address_set_on=RecordDate.of(date(2001, 4, 1)),
        reason=ChangeReason.FORMER_SURNAME_ENTRY,
        effective_on=date(2024, 6, 3),
        filed_on=date(2024, 6, 3),
        previous_address=Address(prefecture="東京都", city="葛\U000e0102飾区"),
        previous_address_unreported=True,
        family_register=FamilyRegister(
            domicile="東京都葛\U000e0102飾区金町一丁目1番", head="髙橋　𠮷郎"
        ),
        former_surname=PersonName(family="𠮷田", family_kana="ヨシダ"),
        individual_number=IndividualNumber("123456789018"),
        resident_code=ResidentCode("12345678903"),
        display_order=1,
        electoral_roll=True,
        coverages=(
            Coverage(CoverageKind.NATIONAL_HEALTH_INSURANCE, start_on=date(2010, 4, 1)),
            Coverage(
                CoverageKind.NATIONAL_PENSION,
                start_on=date(1970, 2, 1),
                number="1234567890",
                category="1号",
                category_changed_on=date(1990, 4, 1),
            ),
        ),
        hidden_from_other_systems=True,
        remarks="DV等支援措置対象",
        memo="窓口: 葛\U000e0102西",
    )


def foreign_record() -> ResidentRecord:
    """A 外国人住民 with an unknown 外国人住民となった年月日, two aliases (one deleted)."""
    return ResidentRecord(
        atena_number=AtenaNumber.from_serial(56),
        history_number=1,
        kind=ResidentKind.FOREIGN,
        status=ResidentStatus.RESIDENT,
        name=PersonName(family="SMITH JOHN", roman="SMITH JOHN", family_kana="スミス ジョン"),
        birth_date=RecordDate.of(date(1985, 12, 24)),
        sex=Sex.MALE,
        household_number=HouseholdNumber.from_serial(78),
        relationship=Relationship("同居人"),
        became_resident_on=RecordDate.of(date(2020, 1, 6)),
        address=_address(),
        address_set_on=RecordDate.of(date(2020, 1, 6)),
        reason=ChangeReason.MOVE_IN_FROM_ABROAD,
        effective_on=date(2020, 1, 6),
        previous_address=Address(country="アメリカ合衆国", overseas_text="New York"),
        foreign=ForeignResidentDetails(
            nationality="アメリカ合衆国",
            category=ForeignResidentCategory.MID_TO_LONG_TERM,
            became_foreign_resident_on=RecordDate(
                DateKind.UNKNOWN, date(2012, 7, 1), "平成24年7月頃"
            ),
            residence_status="技術・人文知識・国際業務",
            period_of_stay="5年",
            stay_expires_on=date(2025, 1, 5),
            residence_card_number=ResidenceCardNumber("AB12345678CD"),
            alien_registration_on=RecordDate(DateKind.UNKNOWN, date.min, "年月日不詳"),
            aliases=(
                Alias(
                    name=PersonName(family="須見巣", given="譲", family_kana="スミス"),
                    entered_on=date(2020, 2, 1),
                    entered_in="131016",
                    deleted_on=date(2021, 3, 1),
                    deleted_in="131016",
                ),
                Alias(name=PersonName(family="髙見"), entered_on=date(2021, 3, 1)),
            ),
        ),
    )


def moved_out_record() -> ResidentRecord:
    """A 除票 after 転出, with the 転入通知 values kept beside the planned ones."""
    return ResidentRecord(
        atena_number=AtenaNumber.from_serial(90),
        history_number=7,
        kind=ResidentKind.JAPANESE,
        status=ResidentStatus.MOVED_OUT,
        name=PersonName(family="𠮷田", given="花子"),
        birth_date=RecordDate.of(date(1990, 1, 1)),
        sex=Sex.FEMALE,
        household_number=HouseholdNumber.from_serial(91),
        relationship=Relationship("妻"),
        became_resident_on=RecordDate.of(date(2015, 5, 5)),
        address=_address(),
        address_set_on=RecordDate.of(date(2015, 5, 5)),
        reason=ChangeReason.DOMESTIC_MOVE_OUT,
        effective_on=date(2024, 3, 31),
        move_out=MoveOutDetails(
            planned_on=date(2024, 3, 31),
            onward_address=Address(prefecture="大阪府", city="大阪市北区"),
            filed_on=date(2024, 3, 1),
            special=True,
            notice_on=date(2024, 4, 10),
            confirmed_address=Address(
                prefecture="大阪府", city="大阪市北区", town_area="梅田一丁目", lot_text="1番1号"
            ),
            confirmed_on=date(2024, 3, 28),
        ),
        removal_reason=ChangeReason.DOMESTIC_MOVE_OUT,
        removed_on=date(2024, 3, 28),
    )


def header(**changes: Any) -> ChangeHeader:
    values: dict[str, Any] = {"effective_on": date(2024, 4, 1), "filed_on": date(2024, 4, 1)}
    return ChangeHeader(**(values | changes))


def move_in() -> MoveIn:
    return MoveIn(
        header=header(
            operator="窓口01",
            place="本庁",
            terminal="T-7",
            notes="転入届（髙橋）",
            acknowledged_alerts=frozenset({"move_in.late", "address.duplicate"}),
            expected_versions={"0000000019": 3},
        ),
        members=(
            NewPerson(
                kind=ResidentKind.JAPANESE,
                name=PersonName(family="髙橋", given="一郎", family_kana="タカハシ"),
                birth_date=RecordDate.of(date(1980, 1, 2)),
                sex=Sex.MALE,
                relationship=Relationship("世帯主"),
                family_register=FamilyRegister(
                    domicile="東京都葛\U000e0102飾区", head="髙橋　一郎"
                ),
                individual_number=IndividualNumber("123456789018"),
                electoral_roll=True,
            ),
            NewPerson(
                kind=ResidentKind.FOREIGN,
                name=PersonName(family="LEE MINA", roman="LEE MINA"),
                birth_date=RecordDate(DateKind.UNKNOWN, date(1985, 1, 1), "1985年頃"),
                sex=Sex.FEMALE,
                relationship=Relationship("妻（未届）"),
                foreign=foreign_record().foreign,
                coverages=(Coverage(CoverageKind.NATIONAL_HEALTH_INSURANCE),),
            ),
        ),
        address=_address(),
        previous_address=Address(prefecture="大阪府", city="大阪市北区"),
        special=True,
    )


def correct() -> Correct:
    return Correct(
        header=header(ex_officio=True),
        atena_number=AtenaNumber.from_serial(12),
        reason=ChangeReason.FORMER_SURNAME_DELETION,
        changes=RecordChanges(
            relationship=Relationship("子の妻"),
            electoral_roll=False,
            coverages=(),
            display_order=0,
            remarks="",
            clear=frozenset({"former_surname", "family_register"}),
        ),
        corrects_event_id="ev-0001",
    )


def head_change() -> HeadChange:
    return HeadChange(
        header=header(),
        household_number=HouseholdNumber.from_serial(34),
        new_head=AtenaNumber.from_serial(12),
        relationships={
            AtenaNumber.from_serial(12).value: Relationship("世帯主"),
            AtenaNumber.from_serial(13).value: Relationship("妻"),
        },
    )


# -- round trips ---------------------------------------------------------------------------


@pytest.mark.parametrize("record", [japanese_record(), foreign_record(), moved_out_record()])
def test_resident_records_round_trip(record: ResidentRecord) -> None:
    data = to_primitive(record)
    assert json.loads(json.dumps(data)) == data  # JSON-compatible
    assert from_primitive(ResidentRecord, data) == record


def test_round_trip_survives_json_text() -> None:
    record = foreign_record()
    text = json.dumps(to_primitive(record), ensure_ascii=False)
    assert from_primitive(ResidentRecord, json.loads(text)) == record


def test_record_shape() -> None:
    data = to_primitive(japanese_record())
    assert data["atena_number"] == AtenaNumber.from_serial(12).value
    assert data["relationship"] == "世帯主"
    assert data["kind"] == "japanese"
    assert data["effective_on"] == "2024-06-03"
    assert data["birth_date"] == {
        "kind": "non_calendar",
        "date": "1950-02-28",
        "text": "昭和25年2月29日",
    }
    assert data["name"]["given"] == "𠮷郎"
    assert data["coverages"][0] == {"kind": "national_health_insurance", "start_on": "2010-04-01"}


def test_defaults_are_omitted_and_restored() -> None:
    record = moved_out_record()
    data = to_primitive(record)
    for omitted in ("filed_on", "foreign", "coverages", "electoral_roll", "remarks", "memo"):
        assert omitted not in data
    assert to_primitive(Coverage(CoverageKind.LONG_TERM_CARE)) == {"kind": "long_term_care"}
    assert from_primitive(ResidentRecord, data).coverages == ()


def test_default_factory_is_restored_fresh() -> None:
    plain = header()
    data = to_primitive(plain)
    assert data == {"effective_on": "2024-04-01", "filed_on": "2024-04-01"}
    first = from_primitive(ChangeHeader, data)
    second = from_primitive(ChangeHeader, data)
    assert first == plain
    assert first.expected_versions == {}
    assert first.expected_versions is not second.expected_versions


@pytest.mark.parametrize("command", [move_in(), correct(), head_change()])
def test_commands_round_trip_tagged(command: Any) -> None:
    data = encode_tagged(command)
    assert data["type"] == type(command).__name__
    assert decode_tagged(COMMANDS, data) == command
    assert from_primitive(ChangeCommand, data) == command


def test_correct_keeps_explicit_values_and_sorts_clear() -> None:
    data = encode_tagged(correct())
    changes = data["changes"]
    assert changes["clear"] == ["family_register", "former_surname"]
    # Explicit False/()/0/"" differ from the default None, so they are kept.
    assert changes["electoral_roll"] is False
    assert changes["coverages"] == []
    assert changes["display_order"] == 0
    assert changes["remarks"] == ""
    assert "name" not in changes
    decoded = decode_tagged(COMMANDS, data)
    assert isinstance(decoded, Correct)
    assert decoded.changes.clear == frozenset({"former_surname", "family_register"})
    assert decoded.changes.coverages == ()


def test_move_in_header_sets_and_mappings() -> None:
    data = encode_tagged(move_in())
    assert data["header"]["acknowledged_alerts"] == ["address.duplicate", "move_in.late"]
    assert data["header"]["expected_versions"] == {"0000000019": 3}
    assert [m["kind"] for m in data["members"]] == ["japanese", "foreign"]


def test_mapping_of_relationships() -> None:
    data = encode_tagged(head_change())
    assert data["relationships"] == {
        AtenaNumber.from_serial(12).value: "世帯主",
        AtenaNumber.from_serial(13).value: "妻",
    }


def test_decoding_does_not_revalidate_identifiers_or_relationships() -> None:
    body = "1234567890"
    wrong = "0" if m11_weights_2_7_check_digit(body) != "0" else "1"
    with pytest.raises(InvalidValue):
        ResidentCode.parse(body + wrong)  # the default rule refuses it ...
    code = from_primitive(ResidentCode, body + wrong)  # ... stored data is not re-checked
    assert code == ResidentCode(body + wrong)
    with pytest.raises(InvalidValue):
        Relationship.parse("長男")
    assert from_primitive(Relationship, "長男") == Relationship("長男")
    assert from_primitive(MunicipalityCode, "131016") == MunicipalityCode("131016")


def test_type_expressions() -> None:
    numbers = (AtenaNumber.from_serial(1), AtenaNumber.from_serial(2))
    data = to_primitive(numbers)
    assert data == [n.value for n in numbers]
    assert from_primitive(tuple[AtenaNumber, ...], data) == numbers
    assert from_primitive(ResidentCode | None, None) is None
    assert from_primitive(frozenset[Sex], ["male"]) == frozenset({Sex.MALE})
    assert from_primitive(dict[str, date], {"a": "2024-01-02"}) == {"a": date(2024, 1, 2)}


# -- generic features (small dataclasses of our own) ---------------------------------------


class Colour(StrEnum):
    RED = "red"
    BLUE = "blue"


@dataclass(frozen=True, slots=True)
class Tree:
    label: str
    children: tuple[Tree, ...] = ()
    at: datetime | None = None
    weight: float = 1.0
    colours: frozenset[Colour] = frozenset()
    by_colour: Mapping[Colour, int] = field(default_factory=dict)
    pair: tuple[int, str] | None = None
    either: int | str = 0


@dataclass(frozen=True, slots=True)
class Unsupported:
    thing: object


@dataclass(frozen=True, slots=True)
class Leaf:
    n: int


@dataclass(frozen=True, slots=True)
class Holder:
    command: ChangeCommand | None = None
    leaves: list[Leaf] = field(default_factory=list)


def test_generic_round_trip() -> None:
    tokyo = timezone(timedelta(hours=9))
    tree = Tree(
        "根",
        children=(
            Tree("枝", at=datetime(2024, 1, 2, 3, 4, 5, 678, tzinfo=tokyo), weight=0.5),
            Tree("葉", colours=frozenset(Colour), by_colour={Colour.RED: 2}, pair=(1, "x")),
        ),
        either="text",
    )
    data = to_primitive(tree)
    assert data["children"][0]["at"] == "2024-01-02T03:04:05.000678+09:00"
    assert data["children"][1]["colours"] == ["blue", "red"]
    assert data["children"][1]["by_colour"] == {"red": 2}
    assert data["children"][1]["pair"] == [1, "x"]
    assert from_primitive(Tree, data) == tree


def test_union_field_is_tagged() -> None:
    holder = Holder(command=correct(), leaves=[Leaf(1), Leaf(2)])
    data = to_primitive(holder)
    assert data["command"]["type"] == "Correct"
    assert from_primitive(Holder, data) == holder


def test_to_primitive_of_plain_containers() -> None:
    value = {"b": (1, date(2024, 1, 1)), "a": frozenset({"y", "x"}), "c": None}
    assert to_primitive(value) == {"b": [1, "2024-01-01"], "a": ["x", "y"], "c": None}


# -- canonical JSON ------------------------------------------------------------------------


def test_canonical_json_is_stable_and_unescaped() -> None:
    record = japanese_record()
    text = canonical_json(record)
    assert text == canonical_json(japanese_record())
    assert text == json.dumps(
        to_primitive(record), ensure_ascii=False, sort_keys=True, separators=(",", ":")
    )
    assert "髙橋" in text
    assert "𠮷郎" in text
    assert "葛\U000e0102飾区" in text
    assert "\\u" not in text
    assert ", " not in text and '": ' not in text  # no separator whitespace
    assert text.startswith('{"address":{"address_supplement":"𠮷田ハイツ101","city":"千代田区"')


def test_canonical_json_exact_bytes() -> None:
    cmd = HeadChange(
        header=ChangeHeader(
            effective_on=date(2024, 4, 1), acknowledged_alerts=frozenset({"b", "a"})
        ),
        household_number=HouseholdNumber("0000000078"),
        new_head=AtenaNumber("0000000019"),
        relationships={"0000000019": Relationship("世帯主")},
    )
    expected = (
        '{"header":{"acknowledged_alerts":["a","b"],"effective_on":"2024-04-01"},'
        '"household_number":"0000000078","new_head":"0000000019",'
        '"relationships":{"0000000019":"世帯主"}}'
    )
    assert canonical_json(cmd) == expected
    assert canonical_json(cmd).encode() == expected.encode("utf-8")


def test_canonical_json_ignores_set_and_mapping_order() -> None:
    first = header(
        acknowledged_alerts=frozenset(["z", "a", "m"]), expected_versions={"x": 1, "a": 2}
    )
    second = header(
        acknowledged_alerts=frozenset(["m", "z", "a"]), expected_versions={"a": 2, "x": 1}
    )
    assert canonical_json(first) == canonical_json(second)


# -- errors --------------------------------------------------------------------------------


def test_bad_data_names_the_path() -> None:
    data = to_primitive(foreign_record())
    data["foreign"]["aliases"][1]["entered_on"] = "2021/03/01"
    with pytest.raises(ValueError, match=r"ResidentRecord\.foreign\.aliases\[1\]\.entered_on"):
        from_primitive(ResidentRecord, data)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"history_number": "4"}, r"ResidentRecord\.history_number: expected an integer"),
        ({"history_number": True}, r"ResidentRecord\.history_number: expected an integer"),
        ({"kind": "martian"}, r"ResidentRecord\.kind: expected a value of ResidentKind"),
        ({"atena_number": "12"}, r"ResidentRecord\.atena_number: AtenaNumber failed"),
        ({"name": {"given": "一郎"}}, r"ResidentRecord\.name: PersonName\.from_json failed"),
        ({"surprise": 1}, r"ResidentRecord\.surprise: unknown field"),
        ({"coverages": {}}, r"ResidentRecord\.coverages: expected a list"),
        ({"electoral_roll": 1}, r"ResidentRecord\.electoral_roll: expected a boolean"),
    ],
)
def test_bad_fields(change: dict[str, Any], message: str) -> None:
    data = to_primitive(japanese_record()) | change
    with pytest.raises(ValueError, match=message):
        from_primitive(ResidentRecord, data)


def test_missing_required_field() -> None:
    data = to_primitive(japanese_record())
    del data["sex"]
    with pytest.raises(ValueError, match=r"missing required field\(s\) of ResidentRecord: sex"):
        from_primitive(ResidentRecord, data)


def test_bad_tag() -> None:
    data = encode_tagged(correct())
    with pytest.raises(ValueError, match=r"\.type: expected one of MoveIn"):
        decode_tagged(COMMANDS, data | {"type": "Teleport"})
    with pytest.raises(ValueError, match="expected an object"):
        decode_tagged(COMMANDS, ["Correct"])


def test_nested_bad_data_in_tagged_command() -> None:
    data = encode_tagged(move_in())
    data["members"][1]["sex"] = "other"
    with pytest.raises(ValueError, match=r"MoveIn\.members\[1\]\.sex"):
        decode_tagged(COMMANDS, data)


def test_unsupported_types_raise_type_error() -> None:
    with pytest.raises(TypeError, match=r"Unsupported\.thing: cannot encode values of type object"):
        to_primitive(Unsupported(object()))
    with pytest.raises(TypeError, match="cannot encode values of type"):
        to_primitive(object())
    with pytest.raises(TypeError):
        from_primitive(Unsupported, {"thing": 1})


def test_wrong_value_types_raise_type_error() -> None:
    bad = Tree("x", children=(Tree("y", at=datetime(2024, 1, 1)),))
    with pytest.raises(TypeError, match=r"Tree\.children\[0\]\.at: refusing a naive datetime"):
        to_primitive(bad)
    with pytest.raises(TypeError, match=r"Tree\.label: expected str, got int"):
        to_primitive(Tree(typing.cast(str, 5)))
    with pytest.raises(TypeError, match=r"ResidentRecord\.effective_on: expected date"):
        to_primitive(replace(japanese_record(), effective_on=datetime(2024, 1, 1, tzinfo=UTC)))


def test_naive_datetime_data_is_refused() -> None:
    with pytest.raises(ValueError, match=r"Tree\.at: expected an ISO 8601 date-time"):
        from_primitive(Tree, {"label": "x", "at": "2024-01-01T00:00:00"})


def test_non_finite_float_is_refused() -> None:
    with pytest.raises(ValueError, match="non-finite"):
        to_primitive(Tree("x", weight=float("nan")))


# -- properties ----------------------------------------------------------------------------

_texts = st.text(min_size=1, max_size=12)
_dates = st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31))
_record_dates = st.one_of(
    st.builds(RecordDate.of, _dates),
    st.builds(
        RecordDate,
        st.sampled_from([DateKind.NON_CALENDAR, DateKind.UNKNOWN]),
        _dates,
        _texts.filter(lambda text: text.strip() != ""),
    ),
)
_names = st.builds(
    PersonName,
    family=_texts,
    given=st.text(max_size=8),
    family_kana=st.text(max_size=8),
    given_kana=st.text(max_size=8),
    kana_confirmed=st.booleans(),
    roman=st.text(max_size=8),
)


@given(
    name=_names,
    former=st.none() | _names,
    birth=_record_dates,
    effective=_dates,
    removed=st.none() | _dates,
)
def test_property_round_trip(
    name: PersonName,
    former: PersonName | None,
    birth: RecordDate,
    effective: date,
    removed: date | None,
) -> None:
    record = replace(
        moved_out_record(),
        name=name,
        former_surname=former,
        birth_date=birth,
        effective_on=effective,
        removed_on=removed,
    )
    data = to_primitive(record)
    assert from_primitive(ResidentRecord, json.loads(json.dumps(data))) == record
    assert canonical_json(from_primitive(ResidentRecord, data)) == canonical_json(record)


@given(alias_names=st.lists(_names, max_size=4), entered=st.lists(_dates, min_size=4, max_size=4))
def test_property_aliases_round_trip(alias_names: list[PersonName], entered: list[date]) -> None:
    aliases = tuple(
        Alias(name=alias, entered_on=day) for alias, day in zip(alias_names, entered, strict=False)
    )
    details = foreign_record().foreign
    assert details is not None
    value = replace(details, aliases=aliases)
    assert from_primitive(ForeignResidentDetails, to_primitive(value)) == value
