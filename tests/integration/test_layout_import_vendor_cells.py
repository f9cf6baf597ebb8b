"""An import of cells written as older systems write them (issue 18), on a real database.

A small register is exported; its files are rewritten cell by cell in the forms other vendors
use (numbers padded and in full width, dates in 和暦 with a 年号 code, readings in half-width
katakana, names padded with spaces) and imported into an empty municipality: exported again, it
gives the very same files. 不詳 markers come in as the counter's wording, and any other form is
refused with its file, line and item, showing the cell as written.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from jichitai.bootstrap import App, bootstrap
from jichitai.demo.generator import seed_register
from jichitai.domain.common.eras import DEFAULT_ERAS
from tests.fakes import FixedClock, SeededRandom
from tests.integration.test_layout_roundtrip import _code, _csv_rows, _forget, _rehash, _write_rows

pytestmark = pytest.mark.spec("10.6")

SOURCE = _code("14101")  # 横浜市鶴見区
SAME, MARKED, REFUSED = _code("14102"), _code("14103"), _code("14104")
CODES = [SOURCE, SAME, MARKED, REFUSED]
DATA = ("juki_jumin.csv", "juki_setai.csv", "juki_shien_sochi.csv")
_WIDE = str.maketrans("0123456789", "０１２３４５６７８９")


def _half_width_table() -> dict[str, str]:
    """Full-width katakana → its half-width spelling (voiced ones with ﾞ/ﾟ)."""
    table: dict[str, str] = {}
    for cp in range(0xFF61, 0xFFA0):
        table.setdefault(unicodedata.normalize("NFKC", chr(cp)), chr(cp))
    for cp in range(0x30A1, 0x30FB):
        parts = unicodedata.normalize("NFD", chr(cp))
        if len(parts) == 2 and parts[0] in table:
            table[chr(cp)] = table[parts[0]] + ("ﾞ" if parts[1] == "\u3099" else "ﾟ")
    return table


_HALF = _half_width_table()


def _half_width(text: str) -> str:
    return "".join(_HALF.get(c, c) for c in text)


def _wareki(cell: str, width: int) -> str:
    day = date(int(cell[:4]), int(cell[4:6]), int(cell[6:]))
    era = DEFAULT_ERAS.era_of(day)
    return f"{era.code:0{width - 6}d}{era.era_year(day.year):02d}{cell[4:]}"


@pytest.fixture(scope="module")
def exported(
    engine: Engine, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[App, Path]]:
    _forget(engine, CODES)
    now = datetime(2026, 11, 26, 1, 30, tzinfo=UTC)
    app = bootstrap(engine=engine, clock=FixedClock(now, now.date()), random=SeededRandom(8))
    for code in CODES:
        app.municipalities.add(code, "神奈川県横浜市鶴見区")
    seed_register(
        app.register,
        SOURCE,
        municipality_prefecture="神奈川県",
        municipality_city="横浜市鶴見区",
        residents=40,
        seed=23,
        today=now.date(),
    )
    root = tmp_path_factory.mktemp("vendor")
    app.layout_export.export(SOURCE, str(root / "ours"))
    yield app, root
    _forget(engine, CODES)


def _vendor_copy(ours: Path, to: Path) -> None:
    """The export rewritten in older systems' forms, the manifest made to match."""
    to.mkdir()
    for name in (*DATA, "manifest.json", "gaiji_report.csv"):
        if (ours / name).exists():
            (to / name).write_bytes((ours / name).read_bytes())
    rows = _csv_rows(ours / "juki_jumin.csv")
    at = {item: i for i, item in enumerate(rows[0])}
    for n, row in enumerate(rows[1:]):
        row[at["宛名番号"]] = row[at["宛名番号"]].translate(_WIDE) + "  "
        row[at["個人履歴番号"]] = " " + row[at["個人履歴番号"]]
        row[at["性別"]] = row[at["性別"]].translate(_WIDE)
        row[at["最新フラグ"]] += "\u3000"
        row[at["異動年月日"]] = _wareki(row[at["異動年月日"]], 7 + n % 2)
        if row[at["届出年月日"]]:
            row[at["届出年月日"]] = _wareki(row[at["届出年月日"]], 8).translate(_WIDE)
        if row[at["生年月日_不詳フラグ"]] == "0":
            row[at["生年月日"]] = _wareki(row[at["生年月日"]], 7)
            if n % 3 == 0:  # a file without the kind item: empty for a calendar day
                row[at["生年月日_不詳フラグ"]] = ""
        for reading in ("氏_フリガナ", "名_フリガナ"):
            row[at[reading]] = _half_width(row[at[reading]])
        row[at["氏_日本人"]] += "\u3000\u3000"
        row[at["住所_方書"]] = row[at["住所_方書"]] + " " * 4
    _write_rows(to / "juki_jumin.csv", rows)
    households = _csv_rows(ours / "juki_setai.csv")
    for row in households[1:]:
        row[0] = row[0].translate(_WIDE)
        row[2] = " " * 3 + row[2]
    _write_rows(to / "juki_setai.csv", households)
    _rehash(to)


def test_cells_in_older_systems_forms_import_as_the_very_same_register(
    exported: tuple[App, Path],
) -> None:
    app, root = exported
    ours, vendor = root / "ours", root / "vendor"
    _vendor_copy(ours, vendor)
    changed = _csv_rows(vendor / "juki_jumin.csv")
    assert any("ﾞ" in c or "ｱ" <= c[:1] <= "ﾝ" for row in changed for c in row)
    result = app.layout_import.import_export(SAME, str(vendor), report_dir=str(root))
    assert result.written, result.faults
    app.layout_export.export(SAME, str(root / "again"))
    for name in DATA:
        assert (root / "again" / name).read_bytes() == (ours / name).read_bytes(), name


def test_unknown_markers_come_in_as_the_counters_wording(exported: tuple[App, Path]) -> None:
    app, root = exported
    ours, marked = root / "ours", root / "marked"
    marked.mkdir()
    for path in ours.iterdir():
        (marked / path.name).write_bytes(path.read_bytes())
    rows = _csv_rows(ours / "juki_jumin.csv")
    at = {item: i for i, item in enumerate(rows[0])}
    calendar = [i for i, row in enumerate(rows[1:], 1) if row[at["生年月日_不詳フラグ"]] == "0"]
    first, second = calendar[0], calendar[1]
    for line, written in ((first, "3200800"), (second, "００００００００")):
        rows[line][at["生年月日"]] = written
        rows[line][at["生年月日_不詳フラグ"]] = rows[line][at["生年月日_不詳表記"]] = ""
    _write_rows(marked / "juki_jumin.csv", rows)
    _rehash(marked)
    result = app.layout_import.import_export(MARKED, str(marked), report_dir=str(root))
    assert result.written, result.faults
    app.layout_export.export(MARKED, str(root / "marked_again"))
    again = _csv_rows(root / "marked_again" / "juki_jumin.csv")
    items = ("生年月日", "生年月日_不詳フラグ", "生年月日_不詳表記")
    assert [again[first][at[i]] for i in items] == ["19450801", "2", "昭和20年8月日不詳"]
    assert [again[second][at[i]] for i in items] == ["00010101", "2", "年月日不詳"]


def test_any_other_form_is_refused_with_its_line_item_and_the_cell_as_written(
    exported: tuple[App, Path],
) -> None:
    app, root = exported
    ours, bad = root / "ours", root / "bad"
    bad.mkdir()
    for path in ours.iterdir():
        (bad / path.name).write_bytes(path.read_bytes())
    rows = _csv_rows(ours / "juki_jumin.csv")
    at = {item: i for i, item in enumerate(rows[0])}
    rows[2][at["異動年月日"]] = "R01.05.01"
    rows[3][at["異動年月日"]] = "3200800"  # a 不詳 marker where only a day is allowed
    rows[4][at["個人履歴番号"]] = "１Ａ"
    _write_rows(bad / "juki_jumin.csv", rows)
    _rehash(bad)
    result = app.layout_import.import_export(REFUSED, str(bad), report_dir=str(root))
    assert not result.written
    found = {(f.file, f.line, f.item, f.code) for f in result.faults}
    assert found == {
        ("juki_jumin.csv", 3, "異動年月日", "import.date"),
        ("juki_jumin.csv", 4, "異動年月日", "date.unknown_not_allowed"),
        ("juki_jumin.csv", 5, "個人履歴番号", "import.integer"),
        ("juki_jumin.csv", 5, "個人履歴番号", "import.history_number"),  # the order, unread
    }, result.faults
    shown = {f.line: f.message for f in result.faults if f.code != "import.history_number"}
    assert "R01.05.01" in shown[3] and "3200800" in shown[4] and "１Ａ" in shown[5]
