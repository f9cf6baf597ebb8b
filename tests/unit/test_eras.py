"""The era master (元号マスタ), standard §1.3.6."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jichitai.domain.common.dates import format_wareki, parse_japanese_date, year_of
from jichitai.domain.common.eras import DEFAULT_ERAS, Era, EraTable
from jichitai.domain.errors import InvalidValue

DEFAULT_ROWS = [
    {"name": "明治", "letter": "M", "code": "1", "first_day": "1868-01-25"},
    {"name": "大正", "letter": "T", "code": "2", "first_day": "1912-07-30", "same_day_change": "1"},
    {"name": "昭和", "letter": "S", "code": "3", "first_day": "1926-12-25", "same_day_change": "1"},
    {"name": "平成", "letter": "H", "code": "4", "first_day": "1989-01-08"},
    {"name": "令和", "letter": "R", "code": "5", "first_day": "2019-05-01"},
]


@pytest.mark.spec("1.3.6")
def test_the_default_table_holds_the_five_modern_eras_in_order() -> None:
    assert [(e.name, e.letter, e.code, e.first_day) for e in DEFAULT_ERAS] == [
        ("明治", "M", 1, date(1868, 1, 25)),
        ("大正", "T", 2, date(1912, 7, 30)),
        ("昭和", "S", 3, date(1926, 12, 25)),
        ("平成", "H", 4, date(1989, 1, 8)),
        ("令和", "R", 5, date(2019, 5, 1)),
    ]
    assert len(DEFAULT_ERAS) == 5
    assert DEFAULT_ERAS.first_day == date(1868, 1, 25)


@pytest.mark.spec("1.3.6")
@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(1868, 1, 25), "明治"),
        (date(1912, 7, 29), "明治"),
        (date(1912, 7, 30), "大正"),
        (date(1926, 12, 24), "大正"),
        (date(1926, 12, 25), "昭和"),
        (date(1989, 1, 7), "昭和"),
        (date(1989, 1, 8), "平成"),
        (date(2019, 4, 30), "平成"),
        (date(2019, 5, 1), "令和"),
        (date(9999, 12, 31), "令和"),
    ],
)
def test_each_day_belongs_to_the_era_that_had_begun_by_then(day: date, name: str) -> None:
    assert DEFAULT_ERAS.era_of(day).name == name


def test_a_day_before_meiji_has_no_era() -> None:
    with pytest.raises(InvalidValue) as caught:
        DEFAULT_ERAS.era_of(date(1868, 1, 24))
    assert caught.value.code == "date.before_meiji"
    assert "明治" in caught.value.message


@pytest.mark.spec("1.3.6")
@pytest.mark.parametrize(
    ("name", "last"),
    [
        ("明治", date(1912, 7, 29)),
        ("大正", date(1926, 12, 24)),
        ("昭和", date(1989, 1, 7)),
        ("平成", date(2019, 4, 30)),
        ("令和", None),
    ],
)
def test_an_era_ends_the_day_before_the_next_begins(name: str, last: date | None) -> None:
    assert DEFAULT_ERAS.last_day(DEFAULT_ERAS.by_name(name)) == last


def test_eras_are_found_by_name_letter_and_code() -> None:
    heisei = DEFAULT_ERAS.by_name("平成")
    assert DEFAULT_ERAS.by_letter("H") is heisei
    assert DEFAULT_ERAS.by_letter("h") is heisei
    assert DEFAULT_ERAS.by_code(4) is heisei
    assert DEFAULT_ERAS.find_name("慶応") is None
    assert DEFAULT_ERAS.find_letter("K") is None


@pytest.mark.parametrize(
    "lookup",
    [
        lambda: DEFAULT_ERAS.by_name("慶応"),
        lambda: DEFAULT_ERAS.by_letter("K"),
        lambda: DEFAULT_ERAS.by_code(9),
    ],
)
def test_an_unknown_era_is_refused(lookup: Callable[[], Era]) -> None:
    with pytest.raises(InvalidValue) as caught:
        lookup()
    assert caught.value.code == "era.unknown"


def test_only_taisho_and_showa_began_during_their_first_day() -> None:
    assert [e.name for e in DEFAULT_ERAS if e.same_day_change] == ["大正", "昭和"]


def test_era_years_convert_to_gregorian_years() -> None:
    reiwa = DEFAULT_ERAS.by_name("令和")
    assert reiwa.gregorian_year(1) == 2019
    assert reiwa.gregorian_year(8) == 2026
    assert reiwa.era_year(2026) == 8
    assert DEFAULT_ERAS.by_name("明治").gregorian_year(45) == 1912


@pytest.mark.spec("1.3.6")
def test_the_default_table_is_the_same_as_its_configuration_rows() -> None:
    table = EraTable.from_rows(DEFAULT_ROWS)
    assert table.eras == DEFAULT_ERAS.eras
    assert EraTable.from_rows(DEFAULT_ERAS.to_rows()).eras == DEFAULT_ERAS.eras


@pytest.mark.spec("1.3.6")
def test_a_new_era_added_by_configuration_is_used_for_writing_and_reading_dates() -> None:
    rows = [*DEFAULT_ROWS, {"name": "未来", "letter": "F", "code": "6", "first_day": "2040-04-01"}]
    table = EraTable.from_rows(rows)
    assert table.last_day(table.by_name("令和")) == date(2040, 3, 31)
    assert format_wareki(date(2040, 3, 31), table) == "令和22年3月31日"
    assert format_wareki(date(2040, 4, 1), table) == "未来元年4月1日"
    assert format_wareki(date(2041, 1, 2), table) == "未来2年1月2日"
    assert parse_japanese_date("未来元年4月1日", table) == date(2040, 4, 1)
    assert parse_japanese_date("F2.1.2", table) == date(2041, 1, 2)
    assert parse_japanese_date("未2.1.2", table) == date(2041, 1, 2)
    with pytest.raises(InvalidValue) as caught:
        parse_japanese_date("令和23年1月1日", table)
    assert caught.value.code == "date.outside_era"
    # the default table knows nothing of it
    assert parse_japanese_date("令和23年1月1日") == date(2041, 1, 1)
    assert format_wareki(date(2040, 4, 1)) == "令和22年4月1日"


def test_with_era_adds_a_proclaimed_era() -> None:
    table = DEFAULT_ERAS.with_era(Era("未来", "F", 6, date(2040, 4, 1)))
    assert table.era_of(date(2040, 4, 1)).name == "未来"
    assert table.next_era(table.by_name("令和")) == table.by_name("未来")
    assert len(DEFAULT_ERAS) == 5


def test_rows_are_sorted_by_first_day_whatever_their_order() -> None:
    table = EraTable.from_rows(list(reversed(DEFAULT_ROWS)))
    assert [e.name for e in table] == ["明治", "大正", "昭和", "平成", "令和"]


@pytest.mark.parametrize(
    ("row", "code"),
    [
        ({"name": "未来", "letter": "F", "code": "6"}, "era.row"),
        ({"name": "未来", "letter": "F", "code": "six", "first_day": "2040-04-01"}, "era.code"),
        ({"name": "未来", "letter": "F", "code": "6", "first_day": "2040-13-01"}, "era.first_day"),
        ({"name": "未来", "letter": "FF", "code": "6", "first_day": "2040-04-01"}, "era.letter"),
        ({"name": "未来1", "letter": "F", "code": "6", "first_day": "2040-04-01"}, "era.name"),
        ({"name": "平成", "letter": "F", "code": "6", "first_day": "2040-04-01"}, "era.duplicate"),
        ({"name": "未来", "letter": "R", "code": "6", "first_day": "2040-04-01"}, "era.duplicate"),
        ({"name": "未来", "letter": "F", "code": "5", "first_day": "2040-04-01"}, "era.duplicate"),
        ({"name": "未来", "letter": "F", "code": "6", "first_day": "2019-05-01"}, "era.duplicate"),
        (
            {
                "name": "未来",
                "letter": "F",
                "code": "6",
                "first_day": "2040-04-01",
                "same_day_change": "maybe",
            },
            "era.row",
        ),
    ],
)
def test_a_malformed_era_row_is_refused(row: dict[str, str], code: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        EraTable.from_rows([*DEFAULT_ROWS, row])
    assert caught.value.code == code


def test_an_empty_era_table_is_refused() -> None:
    with pytest.raises(InvalidValue) as caught:
        EraTable([])
    assert caught.value.code == "era.table_empty"


@pytest.mark.spec("1.3.6")
@given(st.dates(min_value=date(1873, 1, 1), max_value=date(2100, 12, 31)))
def test_era_and_year_agree_with_japanera(day: date) -> None:
    japanera = pytest.importorskip("japanera")
    oracle = japanera.EraDate.from_date(day)
    era, year = year_of(day)
    assert era.name == oracle.era.kanji
    assert year == oracle.era.calc_relative_year(day)


@given(st.dates(min_value=date(1868, 1, 25), max_value=date(2200, 12, 31)))
def test_every_day_lies_within_the_era_it_belongs_to(day: date) -> None:
    era = DEFAULT_ERAS.era_of(day)
    assert DEFAULT_ERAS.contains(era, day)
    following = DEFAULT_ERAS.next_era(era)
    assert following is None or day < following.first_day
    assert era.first_day <= day
