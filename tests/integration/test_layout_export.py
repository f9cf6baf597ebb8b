"""Export of a whole demo municipality in the standard intermediate layout (中間標準レイアウト).

One municipality is seeded with the demo generator (rare characters, foreign residents, unknown
dates, histories, removed records) and exported in UTF-8 and in cp932. The files are checked
against the database itself: one row per stored snapshot, each row decoding to exactly that
snapshot; cp932 carries the same text once the 外字 references are read back; two exports are
byte-identical.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, delete, func, select

from jichitai.adapters.db import tables
from jichitai.adapters.db.register_rows import decode_record
from jichitai.adapters.standard_layout.csv_export import GAIJI_REPORT, MANIFEST, unescape_gaiji
from jichitai.adapters.standard_layout.layout import load_layout
from jichitai.bootstrap import App, bootstrap
from jichitai.demo.generator import seed_register
from jichitai.domain.common.municipality import municipality_check_digit
from jichitai.domain.errors import DomainError
from jichitai.domain.residents.model import ResidentRecord
from jichitai.services.layout_mapping import RowMapper
from jichitai.services.migration import ExportResult
from tests.database import append_only_lifted
from tests.fakes import FixedClock, SeededRandom

pytestmark = pytest.mark.spec("10.6")

TODAY = date(2026, 11, 26)
NOW = datetime(2026, 11, 26, 1, 30, tzinfo=UTC)
CODE = "13104" + municipality_check_digit("13104")  # 新宿区


@dataclass
class Exported:
    app: App
    root: Path
    utf8: ExportResult
    utf8_again: ExportResult
    cp932: ExportResult


def _forget(engine: Engine) -> None:
    with engine.begin() as connection, append_only_lifted(connection):
        for table in reversed(tables.metadata.sorted_tables):
            if "municipality_code" in table.c:
                connection.execute(delete(table).where(table.c.municipality_code == CODE))
        connection.execute(
            delete(tables.municipalities).where(tables.municipalities.c.code == CODE)
        )


@pytest.fixture(scope="module")
def exported(engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Exported]:
    _forget(engine)
    app = bootstrap(engine=engine, clock=FixedClock(NOW, TODAY), random=SeededRandom(3))
    app.municipalities.add(CODE, "東京都新宿区")
    seed_register(
        app.register,
        CODE,
        municipality_prefecture="東京都",
        municipality_city="新宿区",
        residents=250,
        seed=11,
        today=TODAY,
    )
    root = tmp_path_factory.mktemp("layout")
    export = app.layout_export
    yield Exported(
        app,
        root,
        export.export(CODE, str(root / "utf8")),
        export.export(CODE, str(root / "utf8-again")),
        export.export(CODE, str(root / "cp932"), "cp932"),
    )
    _forget(engine)


def _rows(path: Path, encoding: str = "utf-8") -> list[list[str]]:
    text = path.read_bytes().decode(encoding)
    return list(csv.reader(io.StringIO(text, newline="")))


def _stored(app: App) -> list[ResidentRecord]:
    h = tables.resident_history.c
    with app.engine.connect() as connection:
        texts = connection.execute(
            select(h.record)
            .where(h.municipality_code == CODE)
            .order_by(h.atena_number, h.history_number)
        ).scalars()
        opened = app.my_number_keys.cipher(CODE).open_json  # stored sealed (ADR 0015)
        return [decode_record(opened(text)) for text in texts]


def test_every_stored_snapshot_is_one_row_and_decodes_to_exactly_that_snapshot(
    exported: Exported,
) -> None:
    layout = load_layout("1.0")
    mapper = RowMapper(layout.file("resident_snapshot"), layout.code_tables)
    rows = _rows(exported.root / "utf8" / "juki_jumin.csv")
    assert rows[0] == layout.file("resident_snapshot").header
    stored = _stored(exported.app)
    assert len(rows) - 1 == len(stored) > 250
    decoded = [mapper.row_to_record(ResidentRecord, row) for row in rows[1:]]
    assert decoded == stored  # lossless, and ordered by 宛名番号 then 個人履歴番号
    latest = [row[2] for row in rows[1:]]
    persons = {r.atena_number for r in stored}
    assert latest.count("1") == len(persons) == exported.utf8.persons
    assert any(r.is_removed for r in decoded) and any(r.foreign for r in decoded)
    assert any(not r.birth_date.is_calendar for r in decoded)


def test_the_manifest_counts_and_hashes_the_files(exported: Exported) -> None:
    out = exported.root / "utf8"
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    assert (manifest["layout_version"], manifest["encoding"]) == ("1.0", "utf-8")
    with exported.app.engine.connect() as connection:
        histories = connection.execute(
            select(func.count()).where(tables.resident_history.c.municipality_code == CODE)
        ).scalar_one()
        households = connection.execute(
            select(func.count()).where(tables.households.c.municipality_code == CODE)
        ).scalar_one()
        settings = connection.execute(
            select(func.count()).where(tables.suppressions.c.municipality_code == CODE)
        ).scalar_one()
    rows = {f["file"]: f["rows"] for f in manifest["files"]}
    assert rows == {
        "juki_jumin.csv": histories,
        "juki_setai.csv": households,
        "juki_shien_sochi.csv": settings,
    }
    for entry in manifest["files"]:
        data = (out / entry["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"]
        assert len(data) == entry["bytes"]
        assert data.count(b"\r\n") >= entry["rows"] + 1
        assert b"\n" not in data.replace(b"\r\n", b"")  # CRLF line ends only (no bare LF)


def test_two_exports_of_the_same_register_are_byte_identical(exported: Exported) -> None:
    first, second = exported.root / "utf8", exported.root / "utf8-again"
    names = sorted(p.name for p in first.iterdir())
    assert names == sorted(p.name for p in second.iterdir())
    assert names == sorted(
        ["juki_jumin.csv", "juki_setai.csv", "juki_shien_sochi.csv", GAIJI_REPORT, MANIFEST]
    )
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_cp932_carries_the_same_text_with_every_gaiji_referenced_and_reported(
    exported: Exported,
) -> None:
    for name in ("juki_jumin.csv", "juki_setai.csv"):
        utf8 = _rows(exported.root / "utf8" / name)
        cp932 = _rows(exported.root / "cp932" / name, "cp932")
        assert [[unescape_gaiji(c) for c in row] for row in cp932] == utf8
    report = _rows(exported.root / "cp932" / GAIJI_REPORT)
    assert report[0] == ["ファイル", "行", "宛名番号", "項目", "文字", "符号位置", "外字可"]
    assert len(report) - 1 == exported.cp932.gaiji_characters > 0
    characters = {row[4] for row in report[1:]}
    assert "𠮷" in characters
    assert "髙" not in characters  # cp932 carries 髙 (IBM extension): no reference needed
    jumin = _rows(exported.root / "cp932" / "juki_jumin.csv", "cp932")
    for file_name, line, person, item, char, code_point, _ in report[1:]:
        if file_name != "juki_jumin.csv":
            continue
        row = jumin[int(line) - 1]
        assert row[0] == person
        assert f"&#x{ord(char):X};" in row[jumin[0].index(item)]
        assert code_point == f"U+{ord(char):04X}"
    assert exported.utf8.gaiji_characters == 0


def test_an_export_never_writes_into_a_directory_that_has_files(exported: Exported) -> None:
    with pytest.raises(DomainError) as refused:
        exported.app.layout_export.export(CODE, str(exported.root / "utf8"))
    assert refused.value.code == "export.out_not_empty"
    with pytest.raises(DomainError) as unknown:
        exported.app.layout_export.export(CODE, str(exported.root / "v0"), version="0.1")
    assert unknown.value.code == "layout.invalid"


def _documented_left_behind() -> set[tuple[str, str]]:
    """The (file, item) rows of the table in docs/migration.md that says what a standard-only
    export leaves behind."""
    text = (Path(__file__).parents[2] / "docs" / "migration.md").read_text(encoding="utf-8")
    table = text.split("<!-- standard-only-left-behind -->")[1]
    table = table.split("<!-- /standard-only-left-behind -->")[0]
    rows = [line.split("|") for line in table.strip().splitlines()[2:]]
    return {(cells[1].strip(), cells[2].strip()) for cells in rows}


def test_a_standard_only_export_leaves_behind_exactly_the_documented_items(
    exported: Exported,
) -> None:
    layout = load_layout("1.0")
    extension = {(f.name, i.name) for f in layout.files for i in f.items if i.extension}
    assert _documented_left_behind() == extension
    assert len(extension) == 19
    result = exported.app.layout_export.export(
        CODE, str(exported.root / "standard"), standard_only=True
    )
    assert result.standard_only and result.persons == exported.utf8.persons
    full = json.loads((exported.root / "utf8" / MANIFEST).read_text(encoding="utf-8"))
    standard = json.loads((exported.root / "standard" / MANIFEST).read_text(encoding="utf-8"))
    left_behind = set()
    for whole, part in zip(full["files"], standard["files"], strict=True):
        header = _rows(exported.root / "standard" / part["file"])[0]
        assert header == part["items"]
        assert _rows(exported.root / "utf8" / whole["file"])[0] == whole["items"]
        assert [n for n in whole["items"] if n in header] == header  # order kept
        left_behind |= {(whole["name"], n) for n in whole["items"] if n not in header}
    assert left_behind == extension
