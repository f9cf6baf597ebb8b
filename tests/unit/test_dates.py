"""Writing, reading and keeping dates (standard §1.1.8, §1.1.9)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jichitai.domain.common.dates import (
    DateKind,
    RecordDate,
    format_seireki,
    format_wareki,
    parse_japanese_date,
    year_of,
)
from jichitai.domain.errors import InvalidValue

FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
MODERN_DAYS = st.dates(min_value=date(1873, 1, 1), max_value=date(2100, 12, 31))


def refusal(text: str, **kwargs: object) -> InvalidValue:
    with pytest.raises(InvalidValue) as caught:
        RecordDate.parse(text, **kwargs)  # type: ignore[arg-type]
    return caught.value


def date_refusal(text: str) -> InvalidValue:
    with pytest.raises(InvalidValue) as caught:
        parse_japanese_date(text)
    return caught.value


# -- writing -------------------------------------------------------------------------


@pytest.mark.spec("1.1.9")
def test_a_day_is_written_in_wareki_without_zero_padding() -> None:
    assert format_wareki(date(2026, 11, 26)) == "令和8年11月26日"
    assert format_wareki(date(2026, 1, 5)) == "令和8年1月5日"


@pytest.mark.spec("1.1.9")
def test_gannen_is_written_as_元年() -> None:
    assert format_wareki(date(2019, 5, 1)) == "令和元年5月1日"
    assert format_wareki(date(1989, 1, 8)) == "平成元年1月8日"
    assert format_wareki(date(1868, 1, 25)) == "明治元年1月25日"


@pytest.mark.spec("1.1.9")
def test_a_day_is_written_in_seireki_without_zero_padding() -> None:
    assert format_seireki(date(2026, 11, 26)) == "2026年11月26日"
    assert format_seireki(date(1990, 2, 3)) == "1990年2月3日"


@pytest.mark.spec("1.3.6")
@pytest.mark.parametrize(
    ("day", "wareki"),
    [
        (date(1912, 7, 29), "明治45年7月29日"),
        (date(1912, 7, 30), "大正元年7月30日"),
        (date(1926, 12, 24), "大正15年12月24日"),
        (date(1926, 12, 25), "昭和元年12月25日"),
        (date(1989, 1, 7), "昭和64年1月7日"),
        (date(1989, 1, 8), "平成元年1月8日"),
        (date(2019, 4, 30), "平成31年4月30日"),
        (date(2019, 5, 1), "令和元年5月1日"),
    ],
)
def test_era_boundaries_are_written_in_the_right_era(day: date, wareki: str) -> None:
    assert format_wareki(day) == wareki
    assert parse_japanese_date(wareki) == day


def test_year_of_gives_the_era_and_its_year() -> None:
    era, year = year_of(date(1989, 1, 7))
    assert (era.name, year) == ("昭和", 64)


def test_a_day_before_meiji_cannot_be_written_in_wareki() -> None:
    with pytest.raises(InvalidValue) as caught:
        format_wareki(date(1868, 1, 24))
    assert caught.value.code == "date.before_meiji"


# -- reading one calendar day --------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "令和8年11月26日",
        "令和08年11月26日",
        "令和８年１１月２６日",
        " 令和8年11月26日\u3000",
        "R8.11.26",
        "R08.11.26",
        "r8.11.26",
        "R8/11/26",
        "R8-11-26",
        "Ｒ８．１１．２６",
        "令8.11.26",
        "2026年11月26日",
        "2026-11-26",
        "2026/11/26",
        "2026.11.26",
        "２０２６－１１－２６",
    ],
)
def test_a_calendar_day_is_read_in_any_of_its_usual_spellings(text: str) -> None:
    assert parse_japanese_date(text) == date(2026, 11, 26)


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("令和元年5月1日", date(2019, 5, 1)),
        ("令和1年5月1日", date(2019, 5, 1)),
        ("H31.4.30", date(2019, 4, 30)),
        ("S64.1.7", date(1989, 1, 7)),
        ("H1.1.8", date(1989, 1, 8)),
        ("R元.5.1", date(2019, 5, 1)),
        ("㍻31年4月30日", date(2019, 4, 30)),
        ("明治6年1月1日", date(1873, 1, 1)),
    ],
)
def test_wareki_days_are_read(text: str, day: date) -> None:
    assert parse_japanese_date(text) == day


@pytest.mark.spec("1.3.6")
@pytest.mark.parametrize(
    "text",
    [
        "平成32年1月1日",
        "令和1年4月1日",
        "令和元年4月30日",
        "昭和64年1月8日",
        "平成0年1月8日",
        "H31.5.1",
    ],
)
def test_a_wareki_day_outside_its_era_is_refused(text: str) -> None:
    refused = date_refusal(text)
    assert refused.code == "date.outside_era"
    assert "期間外" in refused.message


@pytest.mark.parametrize(
    "text",
    [
        "令和3年2月29日",
        "令和3年2月30日",
        "令和3年4月31日",
        "2021-02-29",
        "令和3年13月1日",
        "R3.0.1",
    ],
)
def test_a_day_that_does_not_exist_is_refused(text: str) -> None:
    refused = date_refusal(text)
    assert refused.code == "date.invalid"
    assert "存在しない" in refused.message


@pytest.mark.parametrize(
    "text",
    [
        "",
        "令和",
        "令和8年11月",
        "8年11月26日",
        "令和8年11月26",
        "2026-11/26",
        "26-11-2026",
        "令和 8年11月26日",
        "令和8年11月26日頃",
        "昭和二十年一月一日",
        "tomorrow",
    ],
)
def test_text_that_is_not_a_day_is_a_format_error(text: str) -> None:
    refused = date_refusal(text)
    assert refused.code == "date.format"
    assert refused.field == "date"


def test_an_unknown_era_is_named_in_the_refusal() -> None:
    refused = date_refusal("X3.1.1")
    assert refused.code == "date.format"
    assert "X" in refused.message


def test_the_field_at_fault_is_reported() -> None:
    with pytest.raises(InvalidValue) as caught:
        parse_japanese_date("nonsense", field="birth_date")
    assert caught.value.field == "birth_date"


@pytest.mark.spec("1.3.6")
def test_every_day_from_1873_to_2100_round_trips_through_wareki() -> None:
    day = date(1873, 1, 1)
    while day <= date(2100, 12, 31):
        assert parse_japanese_date(format_wareki(day)) == day
        day += timedelta(days=1)


@given(MODERN_DAYS)
def test_every_day_round_trips_through_seireki_and_iso(day: date) -> None:
    assert parse_japanese_date(format_seireki(day)) == day
    assert parse_japanese_date(day.isoformat()) == day


@given(MODERN_DAYS, st.booleans(), st.booleans())
def test_abbreviated_wareki_round_trips(day: date, padded: bool, full_width: bool) -> None:
    era, year = year_of(day)
    pattern = "{:02d}.{:02d}.{:02d}" if padded else "{}.{}.{}"
    text = era.letter + pattern.format(year, day.month, day.day)
    if full_width:
        text = text.translate(FULL_WIDTH)
    assert parse_japanese_date(text) == day


# -- the register's dates: calendar, non-calendar and unknown --------------------------


@pytest.mark.spec("1.1.8")
def test_a_calendar_day_is_kept_as_itself() -> None:
    kept = RecordDate.parse("令和8年11月26日")
    assert kept == RecordDate.of(date(2026, 11, 26))
    assert kept.kind is DateKind.CALENDAR
    assert kept.is_calendar
    assert kept.as_date() == date(2026, 11, 26)
    assert kept.text == ""


@pytest.mark.spec("1.1.8")
@pytest.mark.parametrize(
    ("text", "approximation", "wording"),
    [
        ("昭和25年2月29日", date(1950, 2, 28), "昭和25年2月29日"),
        ("昭和25年2月30日", date(1950, 2, 28), "昭和25年2月30日"),
        ("平成4年2月30日", date(1992, 2, 29), "平成4年2月30日"),
        ("令和3年4月31日", date(2021, 4, 30), "令和3年4月31日"),
        ("S25.2.29", date(1950, 2, 28), "昭和25年2月29日"),
        ("昭和２５年２月２９日", date(1950, 2, 28), "昭和25年2月29日"),
        ("1950年2月29日", date(1950, 2, 28), "1950年2月29日"),
        ("1950-02-29", date(1950, 2, 28), "1950年2月29日"),
    ],
)
def test_a_day_that_the_calendar_lacks_is_kept_with_the_last_real_day_of_its_month(
    text: str, approximation: date, wording: str
) -> None:
    kept = RecordDate.parse(text)
    assert kept.kind is DateKind.NON_CALENDAR
    assert kept.approximation == approximation
    assert kept.text == wording
    assert not kept.is_calendar


@pytest.mark.spec("1.1.8")
@pytest.mark.parametrize(
    ("text", "approximation"),
    [("明治45年7月30日", date(1912, 7, 30)), ("大正15年12月25日", date(1926, 12, 25))],
)
def test_the_same_day_era_changes_keep_the_old_eras_wording(text: str, approximation: date) -> None:
    kept = RecordDate.parse(text)
    assert kept.kind is DateKind.NON_CALENDAR
    assert kept.approximation == approximation
    assert kept.text == text
    assert kept.display() == text
    # the same day written in the new era is an ordinary calendar day
    assert RecordDate.parse(format_wareki(approximation)).is_calendar


@pytest.mark.parametrize("text", ["明治45年7月31日", "昭和64年1月8日", "平成31年5月1日"])
def test_only_same_day_changes_may_run_past_their_era(text: str) -> None:
    assert refusal(text).code == "date.outside_era"


@pytest.mark.parametrize("text", ["令和元年4月31日", "令和元年2月30日"])
def test_a_non_calendar_day_must_still_fall_within_its_era(text: str) -> None:
    assert refusal(text).code == "date.outside_era"


@pytest.mark.parametrize("text", ["令和3年2月32日", "令和3年13月1日", "令和3年0月1日"])
def test_a_day_past_31_or_a_month_past_12_is_never_kept(text: str) -> None:
    assert refusal(text).code == "date.invalid"


@pytest.mark.spec("1.1.8")
@pytest.mark.parametrize(
    ("text", "approximation"),
    [
        # the fourteen wordings of §1.1.8 【不詳日入力一覧】
        ("令和3年頃", date(2021, 1, 1)),
        ("令和3年5月頃", date(2021, 5, 1)),
        ("令和3年5月10日頃", date(2021, 5, 10)),
        ("推定令和3年5月10日", date(2021, 5, 10)),
        ("推定令和3年5月", date(2021, 5, 1)),
        ("令和3年春", date(2021, 3, 1)),
        ("令和3年5月上旬", date(2021, 5, 1)),
        ("令和3年5月中旬頃", date(2021, 5, 11)),
        ("年月日不詳", date.min),
        ("令和3年 月日不詳", date(2021, 1, 1)),
        ("令和3年12月 日不詳", date(2021, 12, 1)),
        ("令和3年10月1日から11月15日頃までの間", date(2021, 10, 1)),
        ("令和3年10月推定1日から5日までの間", date(2021, 10, 1)),
        ("令和3年10月1日頃から5日頃までの間", date(2021, 10, 1)),
    ],
)
def test_the_standards_unknown_date_wordings_are_kept_with_a_machine_date(
    text: str, approximation: date
) -> None:
    kept = RecordDate.parse(text)
    assert kept.kind is DateKind.UNKNOWN
    assert kept.approximation == approximation
    assert kept.text == text
    assert kept.display() == text
    assert kept.display("seireki") == text


@pytest.mark.spec("1.1.8")
@pytest.mark.parametrize(
    ("text", "approximation"),
    [
        ("昭和20年頃", date(1945, 1, 1)),
        ("昭和20年", date(1945, 1, 1)),
        ("昭和20年8月", date(1945, 8, 1)),
        ("昭和20年8月下旬", date(1945, 8, 21)),
        ("昭和20年夏", date(1945, 6, 1)),
        ("昭和20年秋頃", date(1945, 9, 1)),
        ("昭和20年冬", date(1945, 12, 1)),
        ("昭和20年不詳", date(1945, 1, 1)),
        ("昭和20年8月不詳", date(1945, 8, 1)),
        ("昭和20年2月30日頃", date(1945, 2, 28)),
        ("推定昭和20年", date(1945, 1, 1)),
        ("不詳", date.min),
        ("1950年頃", date(1950, 1, 1)),
        ("1950年6月上旬", date(1950, 6, 1)),
        ("推定1950年6月10日", date(1950, 6, 10)),
        ("1950年6月10日から7月1日までの間", date(1950, 6, 10)),
        ("昭和20年8月から昭和21年3月までの間", date(1945, 8, 1)),
        ("令和元年頃", date(2019, 5, 1)),
        ("平成元年1月頃", date(1989, 1, 8)),
        ("明治元年頃", date(1868, 1, 25)),
        ("昭和２０年頃", date(1945, 1, 1)),
        ("昭和20年ごろ", date(1945, 1, 1)),
    ],
)
def test_other_unknown_date_wordings_are_kept_too(text: str, approximation: date) -> None:
    kept = RecordDate.parse(text)
    assert kept.kind is DateKind.UNKNOWN
    assert kept.approximation == approximation


def test_unknown_wording_is_kept_with_ascii_digits_and_no_surrounding_space() -> None:
    assert RecordDate.parse("  昭和２０年頃 ").text == "昭和20年頃"


@pytest.mark.parametrize(
    "text",
    [
        "頃",
        "5月頃",
        "令和3年5月上旬1日",
        "令和3年5月1日上旬",
        "令和3年5月春",
        "令和3年5月月日不詳",
        "令和3年5月1日日不詳",
        "令和3年から",
        "令和3年5月1日から",
        "令和3年5月1日から6月1日",
        "令和3年頃頃",
        "から令和3年までの間",
        "年月日不詳頃",
        "令和3年5月1日から6月1日までの間です",
        "令和三年頃",
        "慶応3年頃",
    ],
)
def test_wordings_outside_the_patterns_are_format_errors(text: str) -> None:
    refused = refusal(text)
    assert refused.code == "date.format"


@pytest.mark.parametrize(
    "text", ["平成31年夏", "令和元年4月頃", "令和元年4月30日頃", "平成32年頃", "令和0年頃"]
)
def test_an_unknown_date_outside_its_era_is_refused(text: str) -> None:
    assert refusal(text).code == "date.outside_era"


def test_a_range_that_ends_before_it_begins_is_refused() -> None:
    assert refusal("令和3年5月10日から1日までの間").code == "date.invalid"


def test_a_same_day_change_may_be_written_loosely_too() -> None:
    kept = RecordDate.parse("明治45年7月30日頃")
    assert kept.approximation == date(1912, 7, 30)


@pytest.mark.spec("1.1.8")
def test_a_field_may_refuse_non_calendar_days() -> None:
    refused = refusal("昭和25年2月29日", field="moved_in_on", allow_non_calendar=False)
    assert refused.code == "date.non_calendar_not_allowed"
    assert refused.field == "moved_in_on"
    assert refusal("明治45年7月30日", allow_non_calendar=False).code == (
        "date.non_calendar_not_allowed"
    )
    # calendar days and unknown dates still pass
    assert RecordDate.parse("昭和25年2月28日", allow_non_calendar=False).is_calendar
    assert not RecordDate.parse("昭和25年頃", allow_non_calendar=False).is_calendar


@pytest.mark.spec("1.1.8")
def test_a_field_may_refuse_unknown_dates() -> None:
    refused = refusal("昭和25年頃", allow_unknown=False)
    assert refused.code == "date.unknown_not_allowed"
    assert RecordDate.parse("昭和25年2月29日", allow_unknown=False).kind is DateKind.NON_CALENDAR


def test_an_empty_date_is_a_format_error() -> None:
    assert refusal("  ").code == "date.format"


def test_only_a_calendar_day_can_be_used_as_a_date() -> None:
    with pytest.raises(InvalidValue) as caught:
        RecordDate.parse("昭和20年頃").as_date()
    assert caught.value.code == "date.not_calendar"


def test_a_record_date_keeps_its_invariants() -> None:
    with pytest.raises(ValueError):
        RecordDate(DateKind.CALENDAR, date(2020, 1, 1), "令和2年1月1日")
    with pytest.raises(ValueError):
        RecordDate(DateKind.UNKNOWN, date(2020, 1, 1))
    with pytest.raises(ValueError):
        RecordDate("calendar", date(2020, 1, 1))  # type: ignore[arg-type]


# -- display -------------------------------------------------------------------------


@pytest.mark.spec("1.1.9")
def test_calendar_days_display_in_wareki_unless_seireki_is_asked_for() -> None:
    kept = RecordDate.of(date(2026, 11, 26))
    assert kept.display() == "令和8年11月26日"
    assert str(kept) == "令和8年11月26日"
    assert kept.display("seireki") == "2026年11月26日"


@pytest.mark.spec("1.1.9")
def test_non_calendar_days_display_as_kept() -> None:
    kept = RecordDate.parse("昭和25年2月29日")
    assert kept.display() == "昭和25年2月29日"
    assert kept.display("seireki") == "昭和25年2月29日"


# -- storage and ordering ------------------------------------------------------------


def test_json_omits_empty_text() -> None:
    assert RecordDate.of(date(2026, 11, 26)).to_json() == {
        "kind": "calendar",
        "date": "2026-11-26",
    }
    assert RecordDate.parse("年月日不詳").to_json() == {
        "kind": "unknown",
        "date": "0001-01-01",
        "text": "年月日不詳",
    }


KEPT_WORDINGS = st.sampled_from(
    [
        "昭和25年2月29日",
        "明治45年7月30日",
        "大正15年12月25日",
        "昭和20年頃",
        "年月日不詳",
        "令和3年5月中旬頃",
        "推定1950年6月10日",
        "令和3年10月1日から11月15日頃までの間",
    ]
)
RECORD_DATES = st.one_of(
    st.dates(min_value=date(1868, 1, 25), max_value=date(2100, 12, 31)).map(RecordDate.of),
    KEPT_WORDINGS.map(RecordDate.parse),
)


@pytest.mark.spec("1.1.8")
@given(RECORD_DATES)
def test_a_record_date_round_trips_through_json(kept: RecordDate) -> None:
    assert RecordDate.from_json(kept.to_json()) == kept


@given(RECORD_DATES)
def test_a_record_date_round_trips_through_its_display(kept: RecordDate) -> None:
    assert RecordDate.parse(kept.display()) == kept


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"kind": "calendar"},
        {"kind": "sometime", "date": "2020-01-01"},
        {"kind": "calendar", "date": "2020-02-30"},
        {"kind": "unknown", "date": "2020-01-01"},
        {"kind": "calendar", "date": "2020-01-01", "text": "令和2年1月1日"},
    ],
)
def test_malformed_json_is_refused(data: dict[str, str]) -> None:
    with pytest.raises(InvalidValue) as caught:
        RecordDate.from_json(data)
    assert caught.value.code == "date.json"


@given(RECORD_DATES, RECORD_DATES)
def test_ordering_follows_the_sort_key(a: RecordDate, b: RecordDate) -> None:
    assert (a < b) == (a.sort_key < b.sort_key)
    assert (a <= b) == (a.sort_key <= b.sort_key)
    assert (a > b) == (a.sort_key > b.sort_key)
    assert (a >= b) == (a.sort_key >= b.sort_key)


def test_dates_sort_by_their_machine_date_with_calendar_days_first() -> None:
    calendar_day = RecordDate.of(date(1945, 1, 1))
    about = RecordDate.parse("昭和20年頃")
    unknown = RecordDate.parse("年月日不詳")
    leap = RecordDate.parse("昭和20年2月29日")
    later = RecordDate.of(date(1945, 3, 1))
    assert sorted([later, leap, about, unknown, calendar_day]) == [
        unknown,
        calendar_day,
        about,
        leap,
        later,
    ]
    assert calendar_day.sort_key == (date(1945, 1, 1), 0)
    assert about.sort_key == (date(1945, 1, 1), 2)


def test_comparing_with_something_else_is_not_supported() -> None:
    with pytest.raises(TypeError):
        _ = RecordDate.of(date(2020, 1, 1)) < date(2020, 1, 1)  # type: ignore[operator]
