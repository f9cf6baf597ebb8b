"""A vendor's 外字 map and code map: read line by line, every bad line named, applied to rows."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from jichitai.adapters.standard_layout.layout import load_layout
from jichitai.domain.errors import InvalidValue
from jichitai.domain.migration.code_map import CodeMap, code_map_template, parse_code_map
from jichitai.domain.migration.gaiji_map import GaijiMap, parse_gaiji_map
from jichitai.services.migration_maps import GAIJI_UNMAPPED, ImportMaps, MappedSource
from jichitai.services.migration_rows import ImportFault

LAYOUT = load_layout("1.0")
KUZU_IVS = "葛\U000e0100"


def faults_of(error: pytest.ExceptionInfo[InvalidValue]) -> list[tuple[int | None, str, str]]:
    return [(v.line, v.code, v.field or "") for v in error.value.violations]


def test_a_gaiji_map_reads_code_points_characters_and_their_ivs() -> None:
    text = (
        "\ufeff移行元コード,文字,IVS,備考\r\n"
        "U+E000,髙,,はしごだか\r\n"
        "e001,葛,U+E0100,\r\n"
        "U+F0000,U+20BB7,,つちよし\r\n"
        f"U+E002,{KUZU_IVS},,IVS 付きで\r\n"
        "U+E003,U+31350,,CJK 統合漢字拡張H（この Python の表にはまだない）\r\n"
        "\r\n"
    )
    gaiji = parse_gaiji_map(text)
    assert gaiji.targets == {
        "\ue000": "髙",
        "\ue001": KUZU_IVS,
        "\U000f0000": "\U00020bb7",
        "\ue002": KUZU_IVS,
        "\ue003": "\U00031350",
    }
    assert gaiji.translate("\ue000橋\ue001子") == (f"髙橋{KUZU_IVS}子", [])
    assert gaiji.translate("山\ue123\ue123\U00100001") == (
        "山\ue123\ue123\U00100001",
        ["\ue123", "\U00100001"],
    )
    assert GaijiMap().translate("田中") == ("田中", [])


def test_every_bad_line_of_a_gaiji_map_is_named() -> None:
    text = "\n".join(
        [
            "移行元コード,文字,IVS",
            "U+E000,髙,",
            "U+4E00,一,",  # not private-use
            "U+E000,高,",  # twice
            "U+E001,\ue005,",  # the target private-use too
            "U+E002,葛,U+FE00",  # not an IVS
            "U+E003,,",  # no character
            "U+E004,髙橋,",  # two characters
            "U+E005,葛\U000e0100,U+E0101",  # two different selectors
            "XYZ,髙,",
            "U+E006,U+0007,",  # a control character
        ]
    )
    with pytest.raises(InvalidValue) as error:
        parse_gaiji_map(text)
    assert faults_of(error) == [
        (3, "gaiji_map.not_private_use", "移行元コード"),
        (4, "gaiji_map.duplicate", "移行元コード"),
        (5, "gaiji_map.target_private_use", "文字"),
        (6, "gaiji_map.ivs", "IVS"),
        (7, "gaiji_map.no_character", "文字"),
        (8, "gaiji_map.not_one_character", "文字"),
        (9, "gaiji_map.ivs", "IVS"),
        (10, "gaiji_map.not_private_use", "移行元コード"),
        (11, "gaiji_map.not_a_character", "文字"),
    ]
    assert error.value.violations[1].message == (
        "外字対応表 4 行目: 移行元コード U+E000 は 2 行目にもあります"
    )
    with pytest.raises(InvalidValue) as error:
        parse_gaiji_map("コード,字\nE000,髙\n")
    assert faults_of(error) == [(1, "gaiji_map.header", "見出し")]


def test_a_code_map_reads_vendor_values_as_our_codes() -> None:
    text = (
        "コード表,移行元コード,コード,名称\r\n"
        "異動事由,A1,11,国内転入\r\n"
        "続柄,０１,02,世帯主\r\n"  # full-width: read as the vendor's 01
        "続柄,,11,夫\r\n"  # a template line not filled in
        "住民状態,1,9,消除\r\n"
    )
    codes = parse_code_map(text, LAYOUT.code_tables)
    assert codes.tables == {"異動事由": {"A1": "11"}, "続柄": {"01": "02"}, "住民状態": {"1": "9"}}
    assert not CodeMap()


def test_every_bad_line_of_a_code_map_is_named() -> None:
    text = "\n".join(
        [
            "コード表,移行元コード,コード",
            "異動事由,A1,11",
            "国籍コード,JP,392",  # no such table
            "続柄,01,X9",  # not our code
            "異動事由,A1,12",  # twice
            "異動事由,A2,11",  # many to one is fine
        ]
    )
    with pytest.raises(InvalidValue) as error:
        parse_code_map(text, LAYOUT.code_tables)
    assert faults_of(error) == [
        (3, "code_map.unknown_table", "コード表"),
        (4, "code_map.unknown_code", "コード"),
        (5, "code_map.duplicate", "移行元コード"),
    ]
    with pytest.raises(InvalidValue) as error:
        parse_code_map("表,コード\n", LAYOUT.code_tables)
    assert faults_of(error) == [(1, "code_map.header", "見出し")]


def test_the_code_map_template_lists_every_code_of_every_table_and_reads_back() -> None:
    rows = list(code_map_template(LAYOUT.code_tables))
    assert rows[0] == ["コード表", "移行元コード", "コード", "名称"]
    listed = {(table, code) for table, _, code, _ in rows[1:]}
    assert listed == {
        (name, code) for name, table in LAYOUT.code_tables.items() for code in table.values
    }
    assert len(listed) == len(rows) - 1
    assert {"異動事由", "続柄", "住民状態", "住民種別", "性別"} <= {row[0] for row in rows}
    template = "\r\n".join(",".join(row) for row in rows)
    assert not parse_code_map(template, LAYOUT.code_tables)  # nothing filled in: no mapping
    filled = "\r\n".join(",".join([t, c, c, n]) for t, _, c, n in rows[1:])
    identity = parse_code_map("コード表,移行元コード,コード,名称\r\n" + filled, LAYOUT.code_tables)
    assert sum(len(t) for t in identity.tables.values()) == len(rows) - 1


class Rows:
    """An import source of given rows (every file has the same)."""

    def __init__(self, *rows: list[str]) -> None:
        self._rows = rows

    def check(self, layout: object) -> list[ImportFault]:
        return []

    def readable(self, layout_file: object) -> bool:
        return True

    def rows(
        self, layout_file: object, faults: list[ImportFault]
    ) -> Iterator[tuple[int, list[str]]]:
        for line, row in enumerate(self._rows, start=2):
            yield line, list(row)


def test_rows_come_out_mapped_and_an_unmapped_gaiji_names_person_item_and_code_point() -> None:
    snapshots = LAYOUT.file("resident_snapshot")
    header = snapshots.header
    row = [""] * len(header)
    row[header.index("宛名番号")] = "0000000123"
    row[header.index("氏_日本人")] = "\ue000橋"
    row[header.index("名_日本人")] = "\ue123子"
    row[header.index("異動事由")] = "A1"
    row[header.index("続柄1")] = "１"
    row[header.index("性別")] = "1"
    maps = ImportMaps(
        parse_gaiji_map("移行元コード,文字\nU+E000,髙\n"),
        parse_code_map(
            "コード表,移行元コード,コード\n異動事由,A1,11\n続柄,1,02\n", LAYOUT.code_tables
        ),
    )
    faults: list[ImportFault] = []
    [(line, mapped)] = MappedSource(Rows(row), maps).rows(snapshots, faults)
    assert line == 2
    assert mapped[header.index("氏_日本人")] == "髙橋"
    assert mapped[header.index("名_日本人")] == "\ue123子"  # left as read: refused, not guessed
    assert mapped[header.index("異動事由")] == "11"
    assert mapped[header.index("続柄1")] == "02"
    assert mapped[header.index("性別")] == "1"  # not in the map: as read
    assert faults == [
        ImportFault(
            "juki_jumin.csv",
            2,
            "名_日本人",
            GAIJI_UNMAPPED,
            "宛名番号 0000000123 の名_日本人に外字対応表にない外字 U+E123 があります"
            "（--gaiji-map で文字情報基盤の文字に対応付けてください）",
        )
    ]
