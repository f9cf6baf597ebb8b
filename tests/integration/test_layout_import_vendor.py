"""Another system's files, as it writes them: no manifest, standard items only, cp932.

The files are made by hand here (not by our exporter): a header of the standard items the
vendor has, in the layout's order or not, the encoding from ``--encoding`` or a BOM. A header
naming an item twice, an item the layout does not know or lacking a required item is refused
on line 1, naming the item, and nothing is written. Our own export (with its manifest) is read
as before (``test_layout_roundtrip.py``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, delete

from jichitai.adapters.db import tables
from jichitai.adapters.db.unit_of_work import SqlUnitOfWork
from jichitai.bootstrap import App
from jichitai.domain.common.dates import DateKind
from jichitai.domain.common.identifiers import AtenaNumber, HouseholdNumber
from jichitai.domain.common.municipality import municipality_check_digit
from jichitai.services.migration_import import ImportResult
from tests.apps import wire
from tests.database import append_only_lifted
from tests.fakes import FixedClock, SeededRandom

CODES = [f"{c}{municipality_check_digit(c)}" for c in ("40131", "40132", "40133", "40134")]
NAME = "福岡県福岡市東区"

A1, A2, A3 = (AtenaNumber.from_serial(n).value for n in (101, 102, 103))
H1, H2 = (HouseholdNumber.from_serial(n).value for n in (11, 12))

PERSON_ITEMS = [
    "宛名番号",
    "個人履歴番号",
    "最新フラグ",
    "世帯番号",
    "住民種別",
    "住民状態",
    "異動年月日",
    "異動事由",
    "届出年月日",
    "氏_日本人",
    "名_日本人",
    "氏_フリガナ",
    "名_フリガナ",
    "生年月日",
    "性別",
    "続柄1",
    "続柄2",
    "住民となった年月日",
    "住所_都道府県",
    "住所_市区郡町村名",
    "住所_町字",
    "住所_番地号表記",
    "住所を定めた年月日",
    "本籍",
    "筆頭者",
]
# 13 出生, 11 国内転入; 続柄 02 世帯主, 12 妻, 20 子 (codes/zokugara.csv)
PERSONS = [
    [A1, "1", "1", H1, "1", "1", "20100401", "11", "20100405", "山田", "太郎", "ヤマダ", "タロウ",
     "19800115", "1", "02", "", "20100401", "福岡県", "福岡市東区", "箱崎一丁目", "1番1号", "20100401", "福岡県福岡市東区箱崎一丁目1番", "山田　太郎"],
    [A2, "1", "0", H1, "1", "1", "20100401", "11", "20100405", "山田", "花子", "ヤマダ", "ハナコ",
     "19820302", "2", "12", "", "20100401", "福岡県", "福岡市東区", "箱崎一丁目", "1番1号", "20100401", "福岡県福岡市東区箱崎一丁目1番", "山田　太郎"],
    [A2, "2", "1", H2, "1", "1", "20200701", "11", "20200702", "山田", "花子", "ヤマダ", "ハナコ",
     "19820302", "2", "02", "", "20200701", "福岡県", "福岡市東区", "箱崎二丁目", "2番2号", "20200701", "福岡県福岡市東区箱崎一丁目1番", "山田　太郎"],
    [A3, "1", "1", H1, "1", "1", "20150510", "13", "20150512", "山田", "一郎", "ヤマダ", "イチロウ",
     "20150510", "1", "20", "", "20150510", "福岡県", "福岡市東区", "箱崎一丁目", "1番1号", "20150510", "福岡県福岡市東区箱崎一丁目1番", "山田　太郎"],
]  # fmt: skip
HOUSEHOLD_ITEMS = ["世帯番号", "世帯主_宛名番号", "世帯員数", "住所"]
HOUSEHOLDS = [
    [H1, A1, "2", "福岡県福岡市東区箱崎一丁目1番1号"],
    [H2, A2, "1", "福岡県福岡市東区箱崎二丁目2番2号"],
]


def _forget(engine: Engine) -> None:
    with engine.begin() as connection, append_only_lifted(connection):
        for code in CODES:
            for table in reversed(tables.metadata.sorted_tables):
                if "municipality_code" in table.c:
                    connection.execute(delete(table).where(table.c.municipality_code == code))
            connection.execute(
                delete(tables.municipalities).where(tables.municipalities.c.code == code)
            )


@pytest.fixture(scope="module")
def app(engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    _forget(engine)
    now = datetime(2026, 11, 26, 1, 30, tzinfo=UTC)
    app = wire(
        engine,
        tmp_path_factory.mktemp("keys"),
        clock=FixedClock(now, date(2026, 11, 26)),
        random=SeededRandom(5),
    )
    for code in CODES:
        app.municipalities.add(code, NAME)
    yield app
    _forget(engine)


def _csv(rows: Sequence[Sequence[str]], end: str = "\r\n") -> str:
    return "".join(",".join(row) + end for row in rows)


def _vendor(
    directory: Path,
    persons: Sequence[Sequence[str]] | None = None,
    households: Sequence[Sequence[str]] | None = None,
    *,
    encoding: str = "cp932",
    end: str = "\r\n",
) -> Path:
    """A vendor's directory: juki_jumin.csv and juki_setai.csv, no manifest, no 支援措置等."""
    directory.mkdir(parents=True)
    for name, rows in (
        ("juki_jumin.csv", persons or [PERSON_ITEMS, *PERSONS]),
        ("juki_setai.csv", households or [HOUSEHOLD_ITEMS, *HOUSEHOLDS]),
    ):
        (directory / name).write_bytes(_csv(rows, end).encode(encoding))
    return directory


def _import(app: App, code: str, directory: Path, **options: object) -> ImportResult:
    report = directory.parent / "report"
    return app.layout_import.import_export(
        code,
        str(directory),
        report_dir=str(report),
        **options,  # type: ignore[arg-type]
    )


def _nothing_written(app: App, code: str) -> bool:
    with SqlUnitOfWork(app.engine, code, read_only=True) as uow:
        return not uow.imports.has_persons()


def test_a_vendors_cp932_files_without_manifest_or_extension_items_are_imported(
    app: App, tmp_path: Path
) -> None:
    code = CODES[0]
    result = _import(app, code, _vendor(tmp_path / "vendor"), encoding="cp932")
    assert result.faults == () and result.written
    assert (result.persons, result.snapshots, result.households) == (3, 4, 2)
    assert result.suppressions == 0  # no 支援措置等 file: no suppression settings
    with SqlUnitOfWork(app.engine, code, read_only=True) as uow:
        head = uow.journal.current(AtenaNumber(A1))
        wife_before = uow.journal.snapshot(AtenaNumber(A2), 1)
        wife = uow.journal.current(AtenaNumber(A2))
        child = uow.journal.current(AtenaNumber(A3))
    assert head is not None and wife_before is not None and wife is not None
    assert child is not None
    assert (head.name.family, head.name.given, head.name.given_kana) == ("山田", "太郎", "タロウ")
    assert head.birth_date is not None and head.birth_date.approximation == date(1980, 1, 15)
    assert head.birth_date.kind is DateKind.CALENDAR  # no 不詳フラグ item: a calendar date
    assert head.relationship.text == "世帯主" and head.household_number.value == H1
    assert head.address.town_area == "箱崎一丁目" and head.address.lot_text == "1番1号"
    assert head.family_register is not None
    assert head.family_register.head == "山田　太郎"
    assert head.effective_on == date(2010, 4, 1) and head.filed_on == date(2010, 4, 5)
    assert wife_before.relationship.text == "妻" and wife_before.household_number.value == H1
    assert (wife.history_number, wife.household_number.value) == (2, H2)
    assert wife.relationship.text == "世帯主" and wife.address.town_area == "箱崎二丁目"
    assert child.reason.value == "birth" and child.relationship.text == "子"
    assert head.memo == "" and head.coverages == () and not head.electoral_roll


def test_a_bom_says_utf8_and_lf_line_ends_are_accepted_when_consistent(
    app: App, tmp_path: Path
) -> None:
    code = CODES[1]
    directory = _vendor(tmp_path / "bom", encoding="utf-8", end="\n")
    for path in directory.iterdir():
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    result = _import(app, code, directory, dry_run=True)
    assert result.faults == () and result.snapshots == 4


def test_without_manifest_bom_or_encoding_nothing_is_guessed(app: App, tmp_path: Path) -> None:
    code = CODES[1]
    result = _import(app, code, _vendor(tmp_path / "plain"))
    assert not result.written and _nothing_written(app, code)
    assert {(f.file, f.code) for f in result.faults} == {
        ("juki_jumin.csv", "import.encoding_required"),
        ("juki_setai.csv", "import.encoding_required"),
    }
    assert "--encoding" in result.faults[0].message


def test_mixed_line_ends_are_refused_in_a_vendors_file(app: App, tmp_path: Path) -> None:
    code = CODES[1]
    directory = _vendor(tmp_path / "mixed")
    path = directory / "juki_jumin.csv"
    data = path.read_bytes().split(b"\r\n")
    path.write_bytes(b"\r\n".join(data[:2]) + b"\n" + b"\r\n".join(data[2:]))
    result = _import(app, code, directory, encoding="cp932")
    assert not result.written and _nothing_written(app, code)
    assert [(f.file, f.line, f.code) for f in result.faults] == [
        ("juki_jumin.csv", 2, "import.line_ending")
    ]


@pytest.mark.parametrize(
    ("header", "item", "code"),
    [
        ([i for i in PERSON_ITEMS if i != "性別"], "性別", "import.missing_item"),
        ([*PERSON_ITEMS, "独自項目"], "独自項目", "import.unknown_item"),
        ([*PERSON_ITEMS, "本籍"], "本籍", "import.duplicate_item"),
    ],
)
def test_a_header_that_does_not_name_the_layouts_items_is_refused_on_line_1(
    app: App, tmp_path: Path, header: list[str], item: str, code: str
) -> None:
    municipality = CODES[2]
    at = {name: i for i, name in enumerate(PERSON_ITEMS)}
    rows = [header, *([p[at[n]] if n in at else "x" for n in header] for p in PERSONS)]
    result = _import(app, municipality, _vendor(tmp_path / "bad", rows), encoding="cp932")
    assert not result.written and _nothing_written(app, municipality)
    assert [(f.file, f.line, f.item, f.code) for f in result.faults] == [
        ("juki_jumin.csv", 1, item, code)
    ]
    assert item in result.faults[0].message


def test_items_are_read_by_name_in_any_order(app: App, tmp_path: Path) -> None:
    code = CODES[3]
    order = list(reversed(range(len(PERSON_ITEMS))))
    rows = [[row[i] for i in order] for row in [PERSON_ITEMS, *PERSONS]]
    result = _import(app, code, _vendor(tmp_path / "order", rows), encoding="cp932")
    assert result.faults == () and result.written
    with SqlUnitOfWork(app.engine, code, read_only=True) as uow:
        child = uow.journal.current(AtenaNumber(A3))
    assert child is not None and child.name.given == "一郎"


def test_an_encoding_given_against_the_manifest_is_refused(app: App, tmp_path: Path) -> None:
    code = CODES[2]
    directory = _vendor(tmp_path / "manifest")
    (directory / "manifest.json").write_text('{"encoding": "utf-8"}', encoding="utf-8")
    result = _import(app, code, directory, encoding="cp932")
    assert [(f.file, f.code) for f in result.faults] == [
        ("manifest.json", "import.encoding_mismatch")
    ]


def test_a_row_of_another_width_than_the_header_is_refused_with_its_line(
    app: App, tmp_path: Path
) -> None:
    code = CODES[2]
    rows = [list(reversed(PERSON_ITEMS)), *(list(reversed(p)) for p in PERSONS)]
    rows[2] = rows[2][:-1]  # the last cell (宛名番号) of line 3 lost
    result = _import(app, code, _vendor(tmp_path / "short", rows), encoding="cp932")
    assert not result.written
    faults = [(f.file, f.line, f.item, f.code) for f in result.faults]
    assert ("juki_jumin.csv", 3, "", "import.columns") in faults
    assert ("juki_jumin.csv", 3, "宛名番号", "import.required") in faults, faults
