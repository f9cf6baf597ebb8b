"""Cells as older systems write them (issue 18): each form read into the layout's own, or refused
with its line, item and a Japanese message; a cell already in the layout's form is left alone."""

from __future__ import annotations

import unicodedata
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jichitai.adapters.standard_layout.layout import load_layout
from jichitai.domain.common.dates import DateKind, RecordDate
from jichitai.domain.common.eras import DEFAULT_ERAS
from jichitai.domain.errors import DomainError
from jichitai.domain.migration.layout import Layout
from jichitai.domain.residents.model import ResidentRecord
from jichitai.services.inbound import record_date_data
from jichitai.services.layout_mapping import RowMapper
from jichitai.services.migration_rows import ImportFault, cell_faults, cell_rules
from tests.unit.test_layout_mapping import _japanese

LAYOUT: Layout = load_layout("1.0")
FILE = LAYOUT.file("resident_snapshot")
RESIDENTS = RowMapper(FILE, LAYOUT.code_tables)
RULES = cell_rules(LAYOUT, FILE, check_ids=True)
HEADER = FILE.header
RECORD = _japanese(birth_date=RecordDate.of(date(1945, 8, 15)))
ROW = RESIDENTS.record_to_row(RECORD, latest=True)
LINE = 7
_WIDE = str.maketrans("0123456789", "０１２３４５６７８９")


def _read(**cells: str) -> tuple[dict[str, str], list[ImportFault]]:
    """The base row with the named items set, read by the cell rules: (its cells, its faults)."""
    row = list(ROW)
    for item, value in cells.items():
        row[HEADER.index(item)] = value
    faults = cell_faults(FILE.file_name, RULES, LINE, row)
    return dict(zip(HEADER, row, strict=True)), faults


def _record(**cells: str) -> ResidentRecord:
    row, faults = _read(**cells)
    assert faults == []
    return RESIDENTS.row_to_record(ResidentRecord, [row[item] for item in HEADER])


def _fault(**cells: str) -> ImportFault:
    _, faults = _read(**cells)
    assert len(faults) == 1, faults
    fault = faults[0]
    assert (fault.file, fault.line) == (FILE.file_name, LINE)
    assert fault.message and not fault.message.isascii()
    return fault


def _wareki(day: date, width: int) -> str:
    era = DEFAULT_ERAS.era_of(day)
    year = era.era_year(day.year)
    return f"{era.code:0{width - 6}d}{year:02d}{day.month:02d}{day.day:02d}"


# -- the layout's own form --------------------------------------------------------------------


def test_a_row_in_the_layouts_form_is_left_exactly_as_it_is() -> None:
    for record in (RECORD, _japanese()):  # a calendar birth date; 昭和20年頃 with its wording
        row = RESIDENTS.record_to_row(record, latest=True)
        kept = list(row)
        assert cell_faults(FILE.file_name, RULES, LINE, row) == []
        assert row == kept


def test_the_stand_in_of_an_unknown_date_is_our_own_and_kept() -> None:
    record = _japanese(birth_date=RecordDate(DateKind.UNKNOWN, date.min, "年月日不詳"))
    row = RESIDENTS.record_to_row(record, latest=True)
    kept = list(row)
    assert cell_faults(FILE.file_name, RULES, LINE, row) == []
    assert row == kept and row[HEADER.index("生年月日")] == "00010101"


# -- digits, spaces, readings -----------------------------------------------------------------


def test_full_width_digits_read_as_ascii_in_number_code_flag_and_date_items() -> None:
    wide = {
        item: ROW[HEADER.index(item)].translate(_WIDE)
        for item in (
            "宛名番号",
            "個人履歴番号",
            "最新フラグ",
            "性別",
            "続柄1",
            "異動年月日",
            "記載順位",
        )
    }
    assert wide["宛名番号"] != ROW[0]
    cells, faults = _read(**wide)
    assert faults == []
    assert [cells[i] for i in HEADER] == ROW
    assert _record(**wide) == RECORD


def test_padding_is_dropped_in_every_item_and_spaces_alone_are_empty() -> None:
    cells, faults = _read(
        宛名番号="  " + ROW[0],
        個人履歴番号="1   ",
        性別="2\u3000",
        氏_日本人="髙﨑\u3000 ",
        住所_方書="\u3000𠮷野 ハイツ 101  ",
        備考="   ",
        異動年月日=" 20010401 ",
    )
    assert faults == []
    assert (cells["宛名番号"], cells["個人履歴番号"], cells["性別"]) == (ROW[0], "1", "2")
    assert cells["氏_日本人"] == "髙﨑"
    assert cells["住所_方書"] == "𠮷野 ハイツ 101"  # spaces inside are the value's own
    assert cells["備考"] == "" and cells["異動年月日"] == "20010401"


def test_a_required_item_of_spaces_alone_is_empty() -> None:
    fault = _fault(氏_日本人="\u3000\u3000  ")
    assert (fault.item, fault.code) == ("氏_日本人", "import.required")


def test_half_width_katakana_reads_as_full_width_in_the_readings_only() -> None:
    cells, faults = _read(
        氏_フリガナ="ﾀｶｻｷ ", 名_フリガナ="ｶﾞｯｺｳ", 旧氏_フリガナ="ﾖｼﾀﾞ", 氏_日本人="ﾀｶｻｷ"
    )
    assert faults == []
    assert (cells["氏_フリガナ"], cells["名_フリガナ"]) == ("タカサキ", "ガッコウ")
    assert cells["旧氏_フリガナ"] == "ヨシダ"
    assert cells["氏_日本人"] == "ﾀｶｻｷ"  # a name keeps what it is written with (外字 variants)
    assert cells["名_日本人"] == "葛\U000e0102子"


def test_other_characters_in_a_number_are_refused_showing_the_cell_as_written() -> None:
    fault = _fault(個人番号="１２３Ａ５６７８９０１２")
    assert (fault.item, fault.code) == ("個人番号", "import.digits")
    assert "１２３Ａ" in fault.message
    fault = _fault(性別="９")
    assert (fault.item, fault.code) == ("性別", "import.code")
    assert "９" in fault.message


# -- dates --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "written",
    ["20010401", "4130401", "04130401", "４１３０４０１", "２００１０４０１", " 4130401\u3000"],
)
def test_a_day_reads_from_yyyymmdd_and_from_wareki_with_its_era_code(written: str) -> None:
    cells, faults = _read(異動年月日=written)
    assert faults == [] and cells["異動年月日"] == "20010401"


def test_the_first_year_of_an_era_and_the_day_it_began() -> None:
    cells, faults = _read(異動年月日="5010501", 届出年月日="04010108")
    assert faults == []
    assert (cells["異動年月日"], cells["届出年月日"]) == ("20190501", "19890108")


@pytest.mark.parametrize(
    ("written", "machine", "kind", "text"),
    [
        ("3200815", "19450815", "0", ""),
        ("03200815", "19450815", "0", ""),
        ("3200000", "19450101", "2", "昭和20年月日不詳"),
        ("3200800", "19450801", "2", "昭和20年8月日不詳"),
        ("19450000", "19450101", "2", "1945年月日不詳"),
        ("19450800", "19450801", "2", "1945年8月日不詳"),
        ("00000000", "00010101", "2", "年月日不詳"),
        ("99999999", "00010101", "2", "年月日不詳"),
        ("3250229", "19500228", "1", "昭和25年2月29日"),
        ("1450730", "19120730", "1", "明治45年7月30日"),
    ],
)
def test_a_date_that_may_be_unknown_reads_its_markers_with_the_counters_wording(
    written: str, machine: str, kind: str, text: str
) -> None:
    cells, faults = _read(生年月日=written, 生年月日_不詳フラグ="", 生年月日_不詳表記="")
    assert faults == []
    assert (cells["生年月日"], cells["生年月日_不詳フラグ"], cells["生年月日_不詳表記"]) == (
        machine,
        kind,
        text,
    )
    expected = RecordDate.parse(text) if text else RecordDate.of(date.fromisoformat(
        f"{machine[:4]}-{machine[4:6]}-{machine[6:]}"))  # fmt: skip
    assert _record(生年月日=written, 生年月日_不詳フラグ="", 生年月日_不詳表記="").birth_date == (
        expected
    )


def test_a_vendors_own_wording_is_kept_with_its_marker() -> None:
    cells, faults = _read(
        生年月日="3200000", 生年月日_不詳フラグ="2", 生年月日_不詳表記="昭和20年頃"
    )
    assert faults == []
    assert (cells["生年月日"], cells["生年月日_不詳表記"]) == ("19450101", "昭和20年頃")


def test_a_calendar_day_without_its_kind_item_is_a_calendar_day() -> None:
    cells, faults = _read(生年月日="19450815", 生年月日_不詳フラグ="", 生年月日_不詳表記="")
    assert faults == [] and cells["生年月日_不詳フラグ"] == "0"
    assert _record(生年月日="19450815", 生年月日_不詳フラグ="").birth_date == RecordDate.of(
        date(1945, 8, 15)
    )


@pytest.mark.parametrize(
    ("item", "written", "code"),
    [
        ("異動年月日", "19450000", "date.unknown_not_allowed"),
        ("異動年月日", "00000000", "date.unknown_not_allowed"),
        ("異動年月日", "3250229", "date.invalid"),
        ("異動年月日", "00010101", "import.date"),
        ("異動年月日", "20230230", "import.date"),
        ("生年月日", "20230230", "import.date"),
        ("異動年月日", "6010101", "import.date"),
        ("異動年月日", "06010101", "import.date"),
        ("異動年月日", "0010101", "import.date"),
        ("異動年月日", "130401", "import.date"),
        ("異動年月日", "2001-04-01", "import.date"),
        ("異動年月日", "令和1年5月1日", "import.date"),
        ("異動年月日", "4310501", "date.outside_era"),
        ("生年月日", "3000101", "import.date"),
        ("生年月日", "19450015", "import.date"),
        ("生年月日", "19451300", "import.date"),
        ("生年月日", "3201300", "date.invalid"),
        ("生年月日", "4320101", "date.outside_era"),
        ("生年月日", "1451230", "date.outside_era"),
        ("生年月日", "09999999", "import.date"),
    ],
)
def test_any_other_date_is_refused_with_its_line_and_item(
    item: str, written: str, code: str
) -> None:
    fault = _fault(**{item: written, "生年月日_不詳フラグ": "", "生年月日_不詳表記": ""})
    assert (fault.item, fault.code) == (item, code)
    assert written[:8] in fault.message


def test_a_marker_that_contradicts_the_kind_item_is_refused() -> None:
    fault = _fault(生年月日="3200000", 生年月日_不詳フラグ="0", 生年月日_不詳表記="")
    assert (fault.item, fault.code) == ("生年月日", "import.date_kind")
    assert "昭和20年月日不詳" in fault.message


# -- properties ---------------------------------------------------------------------------------

_DAYS = st.dates(min_value=DEFAULT_ERAS.first_day, max_value=date(2100, 12, 31))


def _styled(text: str, wide: bool, pad: str) -> str:
    return (text.translate(_WIDE) if wide else text) + pad


@given(
    _DAYS,
    st.sampled_from(["seireki", "wareki7", "wareki8"]),
    st.booleans(),
    st.sampled_from(["", " ", "\u3000", "  \u3000"]),
)
def test_any_day_written_in_any_accepted_form_reads_back_as_that_day(
    day: date, form: str, wide: bool, pad: str
) -> None:
    machine = f"{day.year:04d}{day.month:02d}{day.day:02d}"
    text = machine if form == "seireki" else _wareki(day, 7 if form == "wareki7" else 8)
    for item in ("異動年月日", "生年月日"):
        cells, faults = _read(**{item: _styled(text, wide, pad), "生年月日_不詳フラグ": ""})
        assert faults == []
        assert cells[item] == machine
    assert cells["生年月日_不詳フラグ"] == "0"


@given(_DAYS, st.booleans(), st.sampled_from(["wareki", "seireki"]), st.booleans())
def test_any_unknown_date_reads_as_the_counter_reads_its_wording(
    day: date, month_known: bool, calendar: str, wide: bool
) -> None:
    era = DEFAULT_ERAS.era_of(day)
    year = era.era_year(day.year)
    month = day.month if month_known else 0
    if calendar == "wareki":
        written = f"{era.code}{year:02d}{month:02d}00"
        wording = f"{era.name}{'元' if year == 1 else year}年"
    else:
        written = f"{day.year:04d}{month:02d}00"
        wording = f"{day.year}年"
    wording += f"{month}月日不詳" if month else "月日不詳"
    cells, faults = _read(
        生年月日=_styled(written, wide, ""), 生年月日_不詳フラグ="", 生年月日_不詳表記=""
    )
    assert faults == []
    expected = RecordDate.parse(wording)
    assert cells["生年月日_不詳表記"] == wording and cells["生年月日_不詳フラグ"] == "2"
    assert cells["生年月日"] == expected.approximation.strftime("%Y%m%d")
    assert (
        _record(生年月日=written, 生年月日_不詳フラグ="", 生年月日_不詳表記="").birth_date
        == expected
    )


@given(st.text(alphabet=st.characters(min_codepoint=0xFF66, max_codepoint=0xFF9D), max_size=8))
def test_any_half_width_reading_reads_as_its_full_width_form(text: str) -> None:
    cells, faults = _read(氏_フリガナ=text)
    assert faults == []
    assert cells["氏_フリガナ"] == unicodedata.normalize("NFKC", text)


def test_the_door_keeps_the_machine_date_of_a_wholly_unknown_date_only_with_its_wording() -> None:
    kept = {"kind": "unknown", "date": "0001-01-01", "text": "年月日不詳"}
    assert record_date_data(kept, "birth_date") == kept
    with pytest.raises(DomainError) as refused:
        record_date_data({"kind": "calendar", "date": "0001-01-01"}, "birth_date")
    assert refused.value.code == "date.out_of_range"
    with pytest.raises(DomainError) as refused:
        record_date_data({"date": "0001-01-01", "text": "昭和20年頃"}, "birth_date")
    assert refused.value.code == "date.wording_mismatch"
