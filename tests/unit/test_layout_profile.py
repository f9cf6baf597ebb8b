"""``layout check``'s accumulation on small in-memory rows: history shape, households and heads
(with and without a code map), 外字 (with and without a 外字 map), codes, date forms."""

from __future__ import annotations

import pytest

from jichitai.adapters.standard_layout.layout import load_layout
from jichitai.domain.migration.layout import Layout, LayoutFile
from jichitai.services.migration_profile import ProfileAccumulator, date_form

LAYOUT: Layout = load_layout("1.0")
RESIDENTS: LayoutFile = LAYOUT.file("resident_snapshot")
HOUSEHOLDS: LayoutFile = LAYOUT.file("household")


def _row(layout_file: LayoutFile, **cells: str) -> list[str]:
    names = layout_file.header
    assert set(cells) <= set(names)
    return [cells.get(name, "") for name in names]


def _person(
    atena: str, number: int, latest: str, household: str, relationship: str = "20", **more: str
) -> list[str]:
    return _row(
        RESIDENTS,
        **{
            "宛名番号": atena,
            "個人履歴番号": str(number),
            "最新フラグ": latest,
            "世帯番号": household,
            "住民状態": "1",
            "異動事由": "11",
            "続柄1": relationship,
            **more,
        },
    )


def _profile(**maps: object) -> ProfileAccumulator:
    profile = ProfileAccumulator(LAYOUT, **maps)  # type: ignore[arg-type]
    households = [("H1", "2"), ("H2", "1"), ("H3", "0")]
    for line, (number, members) in enumerate(households, start=2):
        profile.add_row(HOUSEHOLDS, line, _row(HOUSEHOLDS, 世帯番号=number, 世帯員数=members))
    rows = [
        _person("A", 1, "0", "H1", "01", 氏_日本人="\ue001田", 生年月日="03500102"),
        _person("A", 2, "1", "H1", "01", 氏_日本人="\ue001田", 生年月日="3500102"),
        _person("B", 1, "1", "H1", "12", 生年月日="20150401"),
        _person("C", 1, "1", "H2", "02", 生年月日="03200000", 筆頭者="\ue0a5城"),
        _person("D", 1, "1", "H9", "90", 生年月日="１９９０年"),  # no household row
        _person("E", 1, "1", "H3", "02"),
        _person("E", 3, "1", "H3", "02"),  # a gap: 1, 3; two latest flags
        _person(
            "F",
            1,
            "1",
            "H3",
            "02",
            住民状態="2",
            異動事由="21",
            消除事由="21",
            消除年月日="20250930",
        ),
    ]
    for line, row in enumerate(rows, start=2):
        profile.add_row(RESIDENTS, line, row)
    return profile


def test_history_shape_gaps_and_latest_flags() -> None:
    history = _profile().result()["history"]
    assert (history["persons"], history["rows"]) == (6, 8)
    assert history["rows_per_person"] == {"min": 1, "max": 2, "distribution": {"1": 4, "2": 2}}
    assert history["history_numbers_not_1_to_n"] == {"count": 1, "examples": ["E"]}
    assert history["latest_flag_not_exactly_one"] == {"count": 1, "examples": ["E"]}


def test_households_heads_need_the_code_map_for_a_vendors_head_code() -> None:
    plain = _profile().result()["households"]
    assert plain["count"] == 3
    assert plain["persons_without_household_row"] == {"count": 1, "examples": ["D"]}
    assert plain["household_numbers_without_row"] == {"count": 1, "examples": ["H9"]}
    # H1: A (vendor 01) and B; H2: C (our 02); H3: E only (F moved out).
    assert plain["heads_not_one"]["households"] == [
        {"household": "H1", "members": 2, "heads": 0},
    ]
    assert plain["member_count_differs"]["households"] == [
        {"household": "H3", "declared": 0, "counted": 1}
    ]
    mapped = _profile(code_map={"続柄": {"01": "02", "90": "99"}}).result()
    assert mapped["households"]["heads_not_one"]["count"] == 0
    assert mapped["codes"]["juki_jumin.csv"]["続柄1"] == {
        "table": "続柄",
        "values": {"01": 2, "02": 4, "12": 1, "90": 1},
        "mapped": {"01": "02", "90": "99"},
        "not_ours": [],
    }
    assert _profile().result()["codes"]["juki_jumin.csv"]["続柄1"]["not_ours"] == ["01", "90"]


def test_removed_persons_by_their_last_row() -> None:
    removed = _profile().result()["removed"]
    assert removed == {
        "count": 1,
        "by_status": {"2": 1},
        "not_resident_without_removal_date": {"count": 0, "examples": []},
    }


def test_gaiji_counted_per_item_and_code_point_mapped_or_not() -> None:
    plain = _profile().result()["gaiji"]
    assert plain["characters"] == 3
    assert plain["items"] == {"juki_jumin.csv": {"氏_日本人": 2, "筆頭者": 1}}
    assert plain["unmapped"] == ["U+E001", "U+E0A5"]
    assert plain["code_points"]["U+E001"] == {
        "count": 2,
        "file": "juki_jumin.csv",
        "line": 2,
        "item": "氏_日本人",
        "mapped": False,
    }
    mapped = _profile(gaiji_map={"\ue001": "\U00020bb7"}).result()["gaiji"]
    assert mapped["unmapped"] == ["U+E0A5"]


def test_date_forms_per_item() -> None:
    births = _profile().result()["dates"]["juki_jumin.csv"]["生年月日"]
    assert births == {
        "yyyymmdd": 1,
        "wareki8": 1,
        "wareki7": 1,
        "unknown": 1,
        "empty": 3,
        "other": 1,
    }


@pytest.mark.parametrize(
    ("cell", "form"),
    [
        ("20150401", "yyyymmdd"),
        ("２０１５０４０１ ", "yyyymmdd"),
        ("03500102", "wareki8"),
        ("05070401", "wareki8"),
        ("09500102", "other"),  # no era 09
        ("3470815", "wareki7"),
        ("9470815", "other"),
        ("03200000", "unknown"),
        ("4240900", "unknown"),
        ("19450000", "unknown"),
        ("昭和20年月日不詳", "unknown"),
        ("", "empty"),
        ("   ", "empty"),
        ("2015-04-01", "other"),
        ("201504", "other"),
    ],
)
def test_date_form(cell: str, form: str) -> None:
    assert date_form(cell) == form
