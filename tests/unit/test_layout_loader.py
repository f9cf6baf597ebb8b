"""Layout files are data: the bundled one loads, and a bad one is refused with every fault."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from jichitai.adapters.standard_layout.layout import (
    LayoutError,
    available_versions,
    load_layout,
    parse_layout,
)
from jichitai.domain.migration.layout import ItemType

CODES = {"性別": "値,コード,名称\nmale,1,男\nfemale,2,女\n"}
GOOD = """
business = "住民基本台帳"
version = "9.9"
[code_tables]
"性別" = "seibetsu.csv"
[[files]]
name = "住民"
file = "jumin.csv"
record = "resident_snapshot"
items = [
  { name = "宛名番号", type = "digits", source = "atena_number", length = 10, required = true },
  { name = "性別", type = "code", source = "sex", code_table = "性別" },
  { name = "拡張_その他", type = "json", converter = "rest", extension = true },
]
"""


def _reader(tables: dict[str, str]) -> Callable[[str], str]:
    files = {"seibetsu.csv": tables["性別"]} if "性別" in tables else {}

    def read(name: str) -> str:
        if name not in files:
            raise FileNotFoundError(name)
        return files[name]

    return read


def _problems(text: str, tables: dict[str, str] = CODES) -> list[str]:
    with pytest.raises(LayoutError) as refused:
        parse_layout(text, _reader(tables), "test.toml")
    return refused.value.problems


@pytest.mark.spec("10.6")
def test_the_bundled_layout_loads_with_its_files_items_and_code_tables() -> None:
    assert "1.0" in available_versions()
    layout = load_layout("1.0")
    assert (layout.business, layout.version) == ("住民基本台帳", "1.0")
    residents = layout.file("resident_snapshot")
    assert residents.header[:4] == ["宛名番号", "個人履歴番号", "最新フラグ", "世帯番号"]
    for name in (
        "異動事由",
        "続柄1",
        "続柄4",
        "生年月日_不詳フラグ",
        "在留資格",
        "第30条45規定区分",
    ):
        assert name in residents.header
    assert residents.header[-1] == "拡張_その他"
    by_name = {i.name: i for i in residents.items}
    assert by_name["氏_日本人"].gaiji and by_name["氏_日本人"].required
    assert not by_name["個人番号"].gaiji and by_name["個人番号"].length == 12
    assert by_name["異動事由"].type is ItemType.CODE
    assert layout.file("household").header[0] == "世帯番号"


def test_a_good_layout_parses() -> None:
    layout = parse_layout(GOOD, _reader(CODES))
    assert layout.code_tables["性別"].code_of("female") == "2"
    assert layout.code_tables["性別"].value_of("1") == "male"


def test_a_layout_file_on_disk_loads_with_its_code_tables_beside_it(tmp_path: Path) -> None:
    (tmp_path / "9.9.toml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "seibetsu.csv").write_text(CODES["性別"], encoding="utf-8")
    assert load_layout(path=tmp_path / "9.9.toml").version == "9.9"


def test_an_unknown_version_is_refused() -> None:
    with pytest.raises(LayoutError, match="ありません"):
        load_layout("0.1")


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ('type = "digits"', 'type = "number"', "型「number」は使えません"),
        ('name = "性別", type', 'name = "宛名番号", type', "項目「宛名番号」が重複しています"),
        ('code_table = "性別"', 'code_table = "男女"', "コード表「男女」が定義されていません"),
        (', code_table = "性別"', "", "code 型にはコード表が必要です"),
        ('converter = "rest"', 'converter = "magic"', "converter「magic」はありません"),
        (
            'source = "sex"',
            'source = "atena_number"',
            "source「atena_number」が複数の項目にあります",
        ),
        ('source = "sex", ', "", "source がありません"),
        ("length = 10", "length = 0", "length は正の整数です"),
        ("required = true", 'required = "yes"', "required は true/false です"),
        ('record = "resident_snapshot"', 'record = "people"', "record は"),
        ('file = "jumin.csv"', 'file = "../jumin.txt"', "file は .csv のファイル名"),
        ('version = "9.9"', "", "version がありません"),
        ("length = 10,", "length = 10, colour = 1,", "不明なキー colour"),
    ],
)
def test_a_bad_layout_is_refused_with_a_clear_message(old: str, new: str, expected: str) -> None:
    assert old in GOOD
    problems = _problems(GOOD.replace(old, new, 1))
    assert any(expected in p for p in problems), problems


def test_every_fault_is_reported_at_once() -> None:
    text = GOOD.replace('type = "digits"', 'type = "number"').replace('"性別" }', '"男女" }')
    assert len(_problems(text)) == 2


def test_bad_code_tables_are_refused() -> None:
    assert any("読めません" in p for p in _problems(GOOD, {}))
    duplicate = {"性別": "値,コード,名称\nmale,1,男\nfemale,1,女\n"}
    assert any("コード「1」が重複" in p for p in _problems(GOOD, duplicate))
    header = {"性別": "value,code,label\nmale,1,男\n"}
    assert any("見出し" in p for p in _problems(GOOD, header))


def test_text_that_is_not_toml_is_refused() -> None:
    assert any("TOML" in p for p in _problems("items = [ {"))
