"""A file's header matched to the layout by name (another system's files), and its line ends."""

from __future__ import annotations

import io
from typing import Any

import pytest

from jichitai.adapters.standard_layout.csv_import import _text_lines
from jichitai.adapters.standard_layout.layout import load_layout
from jichitai.domain.migration.layout import LayoutFile, column_map
from jichitai.services.layout_mapping import RowMapper

LAYOUT = load_layout("1.0")
HOUSEHOLDS = LAYOUT.file("household")
PERSONS = LAYOUT.file("resident_snapshot")


def _standard(layout_file: LayoutFile) -> list[str]:
    return [item.name for item in layout_file.items if not item.extension]


def test_our_own_header_maps_every_item_in_place() -> None:
    columns, problems = column_map(PERSONS, PERSONS.header)
    assert problems == [] and columns is not None and columns.identity
    row = [str(i) for i in range(len(PERSONS.items))]
    assert columns.apply(row) == row


def test_extension_items_may_be_absent_and_the_rest_is_read_as_empty() -> None:
    header = _standard(HOUSEHOLDS)
    assert "拡張_その他" not in header
    columns, problems = column_map(HOUSEHOLDS, [f"{name} " for name in reversed(header)])
    assert problems == [] and columns is not None and not columns.identity
    row = columns.apply(["福岡市", "2", "0000000019", "0000000027"])
    assert row == ["0000000027", "0000000019", "2", "福岡市", ""]
    household = RowMapper(HOUSEHOLDS, LAYOUT.code_tables).from_row(row)
    assert household == {
        "household_number": "0000000027",
        "head_atena_number": "0000000019",
        "member_count": 2,
        "address_text": "福岡市",
    }  # no 拡張_その他: nothing beyond the standard items


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (["世帯番号", "世帯員数", "世帯番号"], [("import.duplicate_item", "世帯番号")]),
        (["世帯番号", "世帯員数", "世帯人数"], [("import.unknown_item", "世帯人数")]),
        (["世帯番号", "住所"], [("import.missing_item", "世帯員数")]),
    ],
)
def test_a_header_is_refused_naming_the_item(
    header: list[str], expected: list[tuple[str, str]]
) -> None:
    columns, problems = column_map(HOUSEHOLDS, header)
    assert columns is None
    assert [(code, item) for code, item, _ in problems] == expected


def test_derived_items_may_be_absent() -> None:
    header = [
        n for n in PERSONS.header if n != "通称" and not n.startswith("拡張_")
    ]  # 最新フラグ is required: a vendor has it
    columns, problems = column_map(PERSONS, header)
    assert problems == [] and columns is not None
    assert columns.columns[PERSONS.header.index("通称")] is None


def _endings(data: bytes, crlf: bool) -> list[tuple[int, str]]:
    faults: list[Any] = []
    list(_text_lines(io.BytesIO(data), "utf-8", "f.csv", faults, crlf=crlf))
    return [(f.line, f.code) for f in faults]


def test_a_file_without_manifest_may_end_its_lines_with_lf_but_not_both() -> None:
    assert _endings(b"a,b\nc,d\n", crlf=False) == []
    assert _endings(b"a,b\r\nc,d\r\n", crlf=False) == []
    assert _endings(b'a,"x\r\ny"\nc,d\n', crlf=False) == []  # CRLF inside a quoted field: data
    assert _endings(b"a,b\nc,d\r\ne,f\n", crlf=False) == [(2, "import.line_ending")]
    assert _endings(b"a,b\nc,d\n", crlf=True) == [
        (1, "import.line_ending"),
        (2, "import.line_ending"),
    ]
