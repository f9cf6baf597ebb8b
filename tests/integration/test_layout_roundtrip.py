"""Import of a layout export, and the round trip export → import → export (issue 5).

A demo municipality (rare characters, foreign residents, unknown dates, histories, removed
records) is exported, imported into empty municipalities and exported again: the files are
byte-identical (the manifest differs only by the municipality code) and the two registers
answer alike. Bad input is reported fault by fault, with line numbers, and writes nothing; a
failure in the middle of the write leaves the municipality empty.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, delete, func, select

from jichitai.adapters.clock import SystemIds
from jichitai.adapters.db import tables
from jichitai.adapters.db.register_import import IMPORT_CACHE_KIB, SqlRegisterImport
from jichitai.adapters.db.unit_of_work import SqlUnitOfWork
from jichitai.adapters.standard_layout.csv_export import MANIFEST
from jichitai.adapters.standard_layout.csv_import import (
    CsvImportSource,
    write_id_map,
    write_import_report,
)
from jichitai.adapters.standard_layout.layout import load_layout
from jichitai.bootstrap import App, bootstrap
from jichitai.demo.generator import seed_register
from jichitai.domain.access.actor import Actor
from jichitai.domain.access.roles import Role
from jichitai.domain.access.suppression import Process, Suppression, SuppressionKind
from jichitai.domain.common.identifiers import AtenaNumber
from jichitai.domain.common.municipality import municipality_check_digit
from jichitai.domain.errors import DomainError
from jichitai.domain.residents.commands import Cancel
from jichitai.services import migration_workers
from jichitai.services.migration_import import IdMode, LayoutImportService
from jichitai.services.ports import GENESIS_HASH
from tests.database import append_only_lifted
from tests.factories import a_header
from tests.fakes import FixedClock, SeededRandom

pytestmark = pytest.mark.spec("10.6")

TODAY = date(2026, 11, 26)
NOW = datetime(2026, 11, 26, 1, 30, tzinfo=UTC)


def _code(first5: str) -> str:
    return first5 + municipality_check_digit(first5)


SOURCE = _code("13105")  # 文京区
CODES = [_code(c) for c in ("13106", "13107", "13108", "13109", "13110", "13111", "13112", "13113")]
SHIEN = "juki_shien_sochi.csv"
FUZZ_EXAMPLES = int(os.environ.get("JICHITAI_HYPOTHESIS_EXAMPLES", "60"))
"""Examples per fuzz test: 60 in CI; raise it for a long run by hand (docs/migration.md)."""
FILES = ("juki_jumin.csv", "juki_setai.csv", SHIEN, "gaiji_report.csv")


def _forget(engine: Engine, codes: list[str]) -> None:
    """Remove the municipalities and everything of theirs, their access log included."""
    with engine.begin() as connection, append_only_lifted(connection):
        for code in codes:
            for table in reversed(tables.metadata.sorted_tables):
                if "municipality_code" in table.c:
                    connection.execute(delete(table).where(table.c.municipality_code == code))
            connection.execute(
                delete(tables.municipalities).where(tables.municipalities.c.code == code)
            )


@dataclass
class Source:
    app: App
    root: Path
    utf8: Path
    cp932: Path


@pytest.fixture(scope="module")
def source(engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Source]:
    everything = [SOURCE, *CODES]
    _forget(engine, everything)
    app = bootstrap(engine=engine, clock=FixedClock(NOW, TODAY), random=SeededRandom(5))
    app.municipalities.add(SOURCE, "東京都文京区")
    for code in CODES:  # the same municipality's register moved into new tenants
        app.municipalities.add(code, "東京都文京区")
    seed_register(
        app.register,
        SOURCE,
        municipality_prefecture="東京都",
        municipality_city="文京区",
        residents=300,
        seed=17,
        today=TODAY,
    )
    _suppress(app)
    root = tmp_path_factory.mktemp("roundtrip")
    app.layout_export.export(SOURCE, str(root / "utf8"))
    app.layout_export.export(SOURCE, str(root / "cp932"), "cp932")
    yield Source(app, root, root / "utf8", root / "cp932")
    _forget(engine, everything)


def _suppress(app: App) -> None:
    """Settings of every kind on the source: a DV support with details, a household's alert, a
    lifted one and a temporarily released one (their history migrates too)."""
    officer = Actor(
        "chief",
        SOURCE,
        frozenset({Role.SUPPRESSION_OFFICER, Role.DV_OFFICER, Role.REVIEWER, Role.CLERK}),
    )
    persons = _persons(app, SOURCE)
    h = tables.households.c
    with app.engine.connect() as connection:
        household = (
            connection.execute(
                select(h.household_number)
                .where(h.municipality_code == SOURCE)
                .order_by(h.household_number)
            )
            .scalars()
            .first()
        )
    s = app.suppressions
    s.set(
        officer,
        kind=SuppressionKind.DV_SUPPORT,
        atena_number=persons[1],
        processes=[Process.ISSUE, Process.VIEW],
        starts_on=date(2026, 4, 1),
        reason="配偶者からの暴力（𠮷田）",
        details={"加害者": {"氏名": "髙橋　一郎", "a.b": [1, None]}, "転居先": "非開示"},
    )
    s.set(
        officer,
        kind=SuppressionKind.SUPPRESSION,
        household_number=household,
        processes=[Process.CHANGE, Process.FEED],
        level="alert",
        starts_on=date(2026, 5, 1),
        ends_on=date(2027, 4, 30),
        reason="照会中のため",
    )
    lifted = s.set(
        officer,
        kind=SuppressionKind.SUPPRESSION,
        atena_number=persons[2],
        processes=[Process.ISSUE],
        starts_on=date(2026, 1, 5),
        reason="調査終了まで",
    )
    s.lift(officer, lifted.suppression_id)
    released = s.set(
        officer,
        kind=SuppressionKind.PROVISIONAL_DV_SUPPORT,
        atena_number=persons[3],
        starts_on=date(2026, 11, 1),
        reason="申出受付",
    )
    s.release_temporarily(officer, released.suppression_id)


def _suppressions(app: App, code: str) -> list[Suppression]:
    """Every setting of a municipality (lifted ones included), without its municipality code."""
    with SqlUnitOfWork(app.engine, code, read_only=True) as uow:
        found = uow.read_model.suppressions_after(None, 10_000)
    return [replace(setting, municipality_code="") for setting in found]


def _persons(app: App, code: str) -> list[str]:
    r = tables.residents.c
    with app.engine.connect() as connection:
        return list(
            connection.execute(
                select(r.atena_number).where(r.municipality_code == code).order_by(r.atena_number)
            ).scalars()
        )


def _clear_my_numbers(app: App, code: str) -> int:
    """Stored texts of ``code`` (snapshots, journal payloads) holding a 個人番号 in clear."""
    h, j = tables.resident_history.c, tables.journal.c
    clear = '"individual_number":"'
    with app.engine.connect() as connection:
        texts = [
            *connection.execute(select(h.record).where(h.municipality_code == code)).scalars(),
            *connection.execute(select(j.payload).where(j.municipality_code == code)).scalars(),
        ]
    assert sum(clear + "enc:v1:" in text for text in texts) > 100  # the export had numbers
    return sum(
        any(not part.startswith("enc:v1:") for part in text.split(clear)[1:]) for text in texts
    )


def _count(app: App, table: Any, code: str) -> int:
    with app.engine.connect() as connection:
        return int(
            connection.execute(
                select(func.count()).select_from(table).where(table.c.municipality_code == code)
            ).scalar_one()
        )


def _empty(app: App, code: str) -> bool:
    with SqlUnitOfWork(app.engine, code, read_only=True) as uow:
        head = uow.journal.journal_head()
    return head == (0, GENESIS_HASH) and all(
        _count(app, t, code) == 0
        for t in (
            tables.residents,
            tables.resident_history,
            tables.households,
            tables.journal,
            tables.id_sequences,
            tables.suppressions,
        )
    )


def _rehash(directory: Path) -> None:
    """Make the manifest match the files again (so only the edited content is at fault)."""
    path = directory / MANIFEST
    manifest = json.loads(path.read_text(encoding="utf-8"))
    for entry in manifest["files"]:
        data = (directory / entry["file"]).read_bytes()
        entry["sha256"] = hashlib.sha256(data).hexdigest()
        entry["bytes"] = len(data)
    path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def _alike(app: App, a: str, b: str) -> None:
    """The two registers answer alike: statistics, searches, every person's record and history."""
    q = app.queries
    sa, sb = q.stats(a), q.stats(b)
    # Events differ by design: the import records one journal entry per snapshot.
    ignore = {"events": 0, "events_by_reason": {}}
    assert replace(sa, **ignore) == replace(sb, **ignore)
    assert sb.events == _count(app, tables.resident_history, a)
    for kana in ("タ", "サ", "ス", "ワン", "キム"):
        assert q.search(a, kana) == q.search(b, kana)
    persons = _persons(app, a)
    assert persons == _persons(app, b) and len(persons) > 300
    for atena in persons:
        assert q.current(a, atena) == q.current(b, atena)
        assert q.history(a, atena) == q.history(b, atena)
    settings = _suppressions(app, a)
    assert settings == _suppressions(app, b) and len(settings) == 4
    assert sum(s.is_lifted for s in settings) == 1
    assert sum(s.household_number is not None for s in settings) == 1


def _assert_same_files(first: Path, second: Path, code: str) -> None:
    for name in FILES:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    one = json.loads((first / MANIFEST).read_text(encoding="utf-8"))
    two = json.loads((second / MANIFEST).read_text(encoding="utf-8"))
    assert two["municipality_code"] == code
    assert {**one, "municipality_code": code} == two


def test_utf8_round_trip_is_byte_identical_and_the_registers_answer_alike(
    source: Source, tmp_path: Path
) -> None:
    app, code = source.app, CODES[0]
    seen: dict[tuple[str, str], int] = {}

    def progress(phase: str, file_name: str, rows: int) -> None:
        assert rows >= seen.get((phase, file_name), 0)  # counts only grow
        seen[(phase, file_name)] = rows

    result = app.layout_import.import_export(
        code, str(source.utf8), report_dir=str(tmp_path), progress=progress
    )
    assert result.written and result.faults == ()
    # One pass reports every row of both files.
    assert seen == {
        ("import", "juki_jumin.csv"): result.snapshots,
        ("import", "juki_setai.csv"): result.households,
        ("import", SHIEN): result.suppressions,
    }
    assert result.suppressions == 4
    assert result.snapshots == _count(app, tables.resident_history, SOURCE)
    app.layout_export.export(code, str(tmp_path / "again"))
    _assert_same_files(source.utf8, tmp_path / "again", code)
    _alike(app, SOURCE, code)
    assert app.register.verify_chain(code) == result.snapshots
    assert _clear_my_numbers(app, code) == 0  # imported sealed, hashed as stored (ADR 0015)
    # New persons do not collide with imported numbers; a second import is refused.
    top = max(AtenaNumber(a).serial for a in _persons(app, code))
    with SqlUnitOfWork(app.engine, code) as uow:
        assert uow.journal.new_atena_number().serial == top + 1
    with pytest.raises(DomainError) as refused:
        app.layout_import.import_export(code, str(source.utf8), report_dir=str(tmp_path))
    assert refused.value.code == "migration.not_empty"
    with SqlUnitOfWork(app.engine, code, read_only=True) as uow:
        first = uow.journal.journal(limit=1)[0]
    assert first.kind == "import" and first.operator == ""
    with pytest.raises(DomainError) as not_cancelled:
        app.register.record_change(code, Cancel(header=a_header(), event_id=first.event_id))
    assert not_cancelled.value.code == "cancel.import"


def test_cp932_round_trip_carries_the_gaiji_references_back(source: Source, tmp_path: Path) -> None:
    app, code = source.app, CODES[1]
    report = (source.cp932 / "gaiji_report.csv").read_text(encoding="utf-8")
    assert "U+20BB7" in report  # 𠮷 went out as a reference
    result = app.layout_import.import_export(code, str(source.cp932), report_dir=str(tmp_path))
    assert result.written and result.faults == ()
    app.layout_export.export(code, str(tmp_path / "again"), "cp932")
    _assert_same_files(source.cp932, tmp_path / "again", code)
    _alike(app, SOURCE, code)


def test_a_utf8_file_with_a_bom_is_read(source: Source, tmp_path: Path) -> None:
    app, code = source.app, CODES[2]
    copy = tmp_path / "bom"
    shutil.copytree(source.utf8, copy)
    path = copy / "juki_jumin.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    _rehash(copy)
    result = app.layout_import.import_export(
        code, str(copy), report_dir=str(tmp_path), dry_run=True
    )
    assert result.faults == () and not result.written
    assert _empty(app, code)


def test_a_failure_in_the_middle_of_the_write_leaves_the_municipality_empty(
    source: Source, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app, code = source.app, CODES[3]
    service = LayoutImportService(
        lambda c: SqlUnitOfWork(app.engine, c),
        load_layout,
        CsvImportSource,
        write_import_report,
        write_id_map,
        app.clock,
        app.municipalities.name_of,
        SystemIds(),
        batch_size=50,
    )
    original = SqlRegisterImport.import_snapshots
    calls = []

    def crash_at_third(self: SqlRegisterImport, *args: Any) -> None:
        calls.append(1)
        if len(calls) == 3:  # 100 snapshots are written by now, in the same transaction
            raise RuntimeError("killed")
        original(self, *args)

    with monkeypatch.context() as patch:
        patch.setattr(SqlRegisterImport, "import_snapshots", crash_at_third)
        with pytest.raises(RuntimeError):
            service.import_export(code, str(source.utf8), report_dir=str(tmp_path))
    assert len(calls) == 3
    assert _empty(app, code)
    result = service.import_export(code, str(source.utf8), report_dir=str(tmp_path))
    assert result.written
    assert _persons(app, code) == _persons(app, SOURCE)


def _csv_rows(path: str | Path) -> list[list[str]]:
    """A CSV file's rows, header included (a report, the id map or a file of the export)."""
    with Path(path).open(encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def _write_rows(path: Path, rows: list[list[str]]) -> None:
    """Rows back into a CSV file as the export writes them (UTF-8, CRLF)."""
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\r\n").writerows(rows)


def _edit_rows(path: Path, edit: dict[int, tuple[str, str]]) -> None:
    """Set, on the given lines (header = 1), the item named to a value."""
    rows = _csv_rows(path)
    for line, (item, value) in edit.items():
        rows[line - 1][rows[0].index(item)] = value
    _write_rows(path, rows)


def test_every_fault_of_a_file_is_reported_with_its_line_and_nothing_is_written(
    source: Source, tmp_path: Path
) -> None:
    app, code = source.app, CODES[4]
    copy = tmp_path / "bad"
    shutil.copytree(source.utf8, copy)
    path = copy / "juki_jumin.csv"
    rows = _csv_rows(path)
    header = rows[0]
    atenas = [row[0] for row in rows[1:]]
    single = [i + 2 for i, a in enumerate(atenas) if atenas.count(a) == 1]
    bad_digit, bad_date, bad_code = single[3], single[10], single[20]
    wrong = rows[bad_digit - 1][0][:9] + str((int(rows[bad_digit - 1][0][9]) + 1) % 10)
    _edit_rows(
        path,
        {
            bad_digit: ("宛名番号", wrong),
            bad_date: ("生年月日", "20230230"),
            bad_code: ("性別", "7"),
        },
    )
    _rehash(copy)
    result = app.layout_import.import_export(code, str(copy), report_dir=str(tmp_path))
    assert not result.written and _empty(app, code)
    found = {(f.line, f.item, f.code) for f in result.faults}
    assert found == {
        (bad_digit, "宛名番号", "atena_number.check_digit"),
        (bad_date, "生年月日", "import.date"),
        (bad_code, "性別", "import.code"),
    }, result.faults
    report = _csv_rows(result.report)
    assert report[0] == ["ファイル", "行", "項目", "コード", "内容"]
    assert sorted(int(r[1]) for r in report[1:]) == sorted([bad_digit, bad_date, bad_code])
    assert all(r[0] == "juki_jumin.csv" and r[4] for r in report[1:])
    assert "生年月日" in header


def test_truncated_missing_and_wrongly_encoded_files_are_refused(
    source: Source, tmp_path: Path
) -> None:
    app, code = source.app, CODES[5]

    def faults(directory: Path) -> set[tuple[str, str]]:
        result = app.layout_import.import_export(code, str(directory), report_dir=str(tmp_path))
        assert not result.written and _empty(app, code)
        assert len(_csv_rows(result.report)) == len(result.faults) + 1
        return {(f.file, f.code) for f in result.faults}

    truncated = tmp_path / "truncated"
    shutil.copytree(source.utf8, truncated)
    data = (truncated / "juki_jumin.csv").read_bytes()
    (truncated / "juki_jumin.csv").write_bytes(data[: len(data) // 2])
    found = faults(truncated)
    assert {("juki_jumin.csv", "import.size"), ("juki_jumin.csv", "import.sha256")} <= found
    assert ("juki_jumin.csv", "import.row_count") in found

    missing = tmp_path / "missing"
    shutil.copytree(source.utf8, missing)
    (missing / "juki_setai.csv").unlink()
    assert ("juki_setai.csv", "import.missing_file") in faults(missing)

    no_manifest = tmp_path / "no-manifest"
    shutil.copytree(source.utf8, no_manifest)
    (no_manifest / MANIFEST).unlink()
    # without its manifest, a UTF-8 export without a BOM is another system's files: nothing
    # says what they are in, and nothing is guessed
    assert ("juki_jumin.csv", "import.encoding_required") in faults(no_manifest)
    assert {c for _, c in faults(no_manifest)} == {"import.encoding_required"}

    wrong = tmp_path / "wrong-encoding"
    shutil.copytree(source.cp932, wrong)
    manifest = json.loads((wrong / MANIFEST).read_text(encoding="utf-8"))
    (wrong / MANIFEST).write_text(
        json.dumps({**manifest, "encoding": "utf-8"}, ensure_ascii=False), encoding="utf-8"
    )
    result = app.layout_import.import_export(code, str(wrong), report_dir=str(tmp_path))
    encoding = [f for f in result.faults if f.code == "import.encoding"]
    assert encoding and all(f.line >= 1 for f in encoding)
    assert encoding[0].file in ("juki_jumin.csv", "juki_setai.csv")
    assert _empty(app, code)


@pytest.fixture(scope="module")
def small(source: Source, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The first 40 snapshots of the export and its households, with a matching manifest."""
    root = tmp_path_factory.mktemp("small") / "x"
    shutil.copytree(source.utf8, root)
    lines = (root / "juki_jumin.csv").read_bytes().split(b"\r\n")
    (root / "juki_jumin.csv").write_bytes(b"\r\n".join(lines[:41]) + b"\r\n")
    manifest = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
    manifest["files"][0]["rows"] = 40
    (root / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    _rehash(root)
    return root


@settings(max_examples=FUZZ_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(["juki_jumin.csv", "juki_setai.csv", SHIEN, MANIFEST]),
    st.integers(min_value=0, max_value=10**9),
    st.binary(max_size=8),
    st.integers(min_value=0, max_value=8),
    st.booleans(),
)
def test_no_corruption_of_the_bytes_makes_the_reader_crash_or_write(
    source: Source,
    small: Path,
    tmp_path_factory: pytest.TempPathFactory,
    name: str,
    at: int,
    inserted: bytes,
    removed: int,
    rehash: bool,
) -> None:
    app, code = source.app, CODES[5]
    copy = tmp_path_factory.mktemp("fuzz") / "x"
    shutil.copytree(small, copy)
    data = (copy / name).read_bytes()
    at %= len(data) + 1
    (copy / name).write_bytes(data[:at] + inserted + data[at + removed :])
    if rehash and name != MANIFEST:
        _rehash(copy)
    result = app.layout_import.import_export(
        code, str(copy), report_dir=str(copy.parent), dry_run=True
    )
    assert not result.written
    assert len(_csv_rows(result.report)) == len(result.faults) + 1
    assert _empty(app, code)


def test_an_overlong_line_is_a_fault_and_is_never_held_whole(
    source: Source, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A line over the cap (here 4 KiB instead of 1 MiB, to keep the test small) is reported with
    its line number and skipped; nothing is written."""
    from jichitai.adapters.standard_layout import csv_import

    monkeypatch.setattr(csv_import, "MAX_LINE_BYTES", 4096)
    app, code = source.app, CODES[5]
    long = tmp_path / "long-line"
    shutil.copytree(source.utf8, long)
    path = long / "juki_jumin.csv"
    lines = path.read_bytes().split(b"\r\n")
    lines[2] = lines[2] + b"x" * 20_000
    path.write_bytes(b"\r\n".join(lines))
    _rehash(long)
    result = app.layout_import.import_export(code, str(long), report_dir=str(tmp_path))
    assert not result.written and _empty(app, code)
    too_long = [f for f in result.faults if f.code == "import.line_too_long"]
    assert [(f.file, f.line) for f in too_long] == [("juki_jumin.csv", 3)]


def test_mixed_line_endings_are_reported_line_by_line(source: Source, tmp_path: Path) -> None:
    app, code = source.app, CODES[5]
    mixed = tmp_path / "mixed"
    shutil.copytree(source.utf8, mixed)
    path = mixed / "juki_jumin.csv"
    lines = path.read_bytes().split(b"\r\n")
    path.write_bytes(b"\r\n".join(lines[:3]) + b"\n" + b"\r\n".join(lines[3:]))
    _rehash(mixed)
    result = app.layout_import.import_export(code, str(mixed), report_dir=str(tmp_path))
    assert not result.written and _empty(app, code)
    endings = [(f.file, f.line) for f in result.faults if f.code == "import.line_ending"]
    assert endings == [("juki_jumin.csv", 3)]


def test_a_line_feed_inside_a_quoted_field_is_data_not_a_line_ending() -> None:
    import io

    from jichitai.adapters.standard_layout.csv_import import _text_lines

    faults: list[Any] = []
    text = b'a,"one\nline ""quoted""\nmore",b\r\nc,d\r\ne,f\ng,h\r\n'
    lines = list(_text_lines(io.BytesIO(text), "utf-8", "f.csv", faults))
    assert len(lines) == 6  # physical lines: three make the first record
    assert [(f.line, f.code) for f in faults] == [(5, "import.line_ending")]


def _other_vendors_numbers(directory: Path) -> tuple[dict[str, str], dict[str, str]]:
    """Rewrite 宛名番号, 世帯番号 and 世帯主_宛名番号 into another vendor's scheme (8 digits, no
    check digit of ours); the maps from our numbers to theirs."""
    persons: dict[str, str] = {}
    households: dict[str, str] = {}

    def person(number: str) -> str:
        return persons.setdefault(number, f"7{len(persons) + 1:07d}") if number else ""

    def household(number: str) -> str:
        return households.setdefault(number, f"3{len(households) + 1:07d}") if number else ""

    for name, columns in (
        ("juki_jumin.csv", {"宛名番号": person, "世帯番号": household}),
        ("juki_setai.csv", {"世帯番号": household, "世帯主_宛名番号": person}),
        (SHIEN, {"宛名番号": person, "世帯番号": household}),
    ):
        path = directory / name
        rows = _csv_rows(path)
        at = {rows[0].index(column): rewrite for column, rewrite in columns.items()}
        for row in rows[1:]:
            for index, rewrite in at.items():
                row[index] = rewrite(row[index])
        _write_rows(path, rows)
    _rehash(directory)
    return persons, households


def test_renumbering_takes_another_vendors_numbers_and_maps_them(
    source: Source, tmp_path: Path
) -> None:
    app, code = source.app, CODES[6]
    vendor = tmp_path / "vendor"
    shutil.copytree(source.utf8, vendor)
    theirs, their_households = _other_vendors_numbers(vendor)
    # Kept as they are, the numbers are not this register's (10 digits with a check digit).
    kept = app.layout_import.import_export(code, str(vendor), report_dir=str(tmp_path / "k"))
    assert not kept.written and _empty(app, code)
    assert {f.code for f in kept.faults} == {"atena_number.format", "household_number.format"}
    # A fault found while renumbering names the source's own numbers, not the new ones.
    broken = tmp_path / "broken"
    shutil.copytree(vendor, broken)
    _edit_rows(broken / "juki_setai.csv", {2: ("世帯員数", "9")})
    _rehash(broken)
    refused = app.layout_import.import_export(
        code, str(broken), report_dir=str(tmp_path / "b"), ids=IdMode.RENUMBER
    )
    assert not refused.written and _empty(app, code) and refused.id_map is None
    [fault] = refused.faults
    assert fault.code == "import.member_count" and fault.line == 2
    assert next(iter(their_households.values())) in fault.message
    # Renumbered: every person and household gets a new number, and the map says which.
    result = app.layout_import.import_export(
        code, str(vendor), report_dir=str(tmp_path / "r"), ids=IdMode.RENUMBER
    )
    assert result.written and result.faults == () and result.id_map is not None
    mapped = _csv_rows(result.id_map)
    assert mapped[0] == ["種別", "移行元の番号", "新しい番号"]
    new_of = {(kind, old): new for kind, old, new in mapped[1:]}
    assert len(new_of) == len(mapped) - 1 == len(theirs) + len(their_households)
    assert sorted(_persons(app, code)) == sorted(new_of["宛名番号", t] for t in theirs.values())
    q = app.queries
    for ours, their in theirs.items():
        new = new_of["宛名番号", their]
        before, after = q.history(SOURCE, ours), q.history(code, new)
        assert len(before) == len(after)
        for old_row, new_row in zip(before, after, strict=True):
            assert new_row.atena_number.value == new
            household = new_of["世帯番号", their_households[old_row.household_number.value]]
            assert new_row.household_number.value == household
            assert new_row.name == old_row.name and new_row.birth_date == old_row.birth_date
            assert new_row.address == old_row.address and new_row.reason == old_row.reason
    sa, sb = q.stats(SOURCE), q.stats(code)
    ignore = {"events": 0, "events_by_reason": {}}
    assert replace(sa, **ignore) == replace(sb, **ignore)
    assert app.register.verify_chain(code) == result.snapshots
    # The suppression settings follow their persons and households to the new numbers.
    expected = [
        replace(
            setting,
            atena_number=setting.atena_number and new_of["宛名番号", theirs[setting.atena_number]],
            household_number=setting.household_number
            and new_of["世帯番号", their_households[setting.household_number]],
        )
        for setting in _suppressions(app, SOURCE)
    ]
    assert _suppressions(app, code) == expected and len(expected) == 4
    with SqlUnitOfWork(app.engine, code) as uow:  # numbers drawn later follow the new ones
        assert uow.journal.new_atena_number().serial == len(theirs) + 1
        assert uow.journal.new_household_number().serial == len(their_households) + 1


def test_a_suppression_of_an_unknown_person_or_a_duplicate_id_is_a_fault_and_nothing_is_written(
    source: Source, tmp_path: Path
) -> None:
    app, code = source.app, CODES[4]
    copy = tmp_path / "bad-suppressions"
    shutil.copytree(source.utf8, copy)
    path = copy / SHIEN
    rows = _csv_rows(path)
    atena_at, id_at = rows[0].index("宛名番号"), rows[0].index("措置ID")
    person_lines = [i + 1 for i, row in enumerate(rows) if i and row[atena_at]]
    unknown_line, other_line = person_lines[0], person_lines[1]
    nobody = AtenaNumber.from_serial(987_654).value
    assert nobody not in _persons(app, SOURCE)
    _edit_rows(path, {unknown_line: ("宛名番号", nobody)})
    duplicate_line = 3 if other_line != 3 else 2
    _edit_rows(path, {other_line: ("措置ID", rows[duplicate_line - 1][id_at])})
    _rehash(copy)
    result = app.layout_import.import_export(code, str(copy), report_dir=str(tmp_path))
    assert not result.written and _empty(app, code)
    first = min(other_line, duplicate_line)
    found = {(f.file, f.line, f.item, f.code) for f in result.faults}
    assert found == {
        (SHIEN, unknown_line, "宛名番号", "import.unknown_person"),
        (SHIEN, max(other_line, duplicate_line), "措置ID", "import.duplicate"),
    }, result.faults
    assert any(nobody in f.message for f in result.faults)
    assert any(f"{first}行目" in f.message for f in result.faults)


def test_worker_processes_check_and_write_exactly_what_one_process_does(
    source: Source, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rows checked in two worker processes (spawned): the same faults in the same order as
    in the importing process alone, and the same register written."""
    app, code = source.app, CODES[7]
    monkeypatch.setattr(migration_workers, "CHUNK_ROWS", 16)  # many chunks, the window wraps
    bad = tmp_path / "bad"
    shutil.copytree(source.utf8, bad)
    path = bad / "juki_jumin.csv"
    with path.open(encoding="utf-8", newline="") as f:
        count = sum(1 for _ in f) - 1
    # Faults spread over the file (several chunks of rows), of cells, records and order.
    edits = dict.fromkeys(range(5, count + 2, 97), ("生年月日", "20230230"))
    edits[count // 2] = ("個人履歴番号", "7")
    _edit_rows(path, edits)
    _rehash(bad)
    alone = app.layout_import.import_export(code, str(bad), report_dir=str(tmp_path / "a"))
    spread = app.layout_import.import_export(
        code, str(bad), report_dir=str(tmp_path / "b"), workers=2
    )
    assert alone.worker_peak_kb == 0 < spread.worker_peak_kb  # the workers did the checks
    assert len(alone.faults) >= len(edits) >= 4
    assert spread.faults == alone.faults and not spread.written and _empty(app, code)
    result = app.layout_import.import_export(
        code, str(source.utf8), report_dir=str(tmp_path / "c"), workers=2
    )
    assert result.written and result.faults == ()
    app.layout_export.export(code, str(tmp_path / "again"))
    _assert_same_files(source.utf8, tmp_path / "again", code)
    _alike(app, SOURCE, code)
    assert app.register.verify_chain(code) == result.snapshots


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=12), inner, max_size=3)
    ),
    max_leaves=6,
)
_CELLS = st.one_of(
    st.text(max_size=24),
    st.from_regex(r"[0-9]{0,13}", fullmatch=True),
    st.sampled_from(["", "0", "1", "2", "9", "-1", "20230230", "99991231", "18680101", "　", "𠮷"]),
    _JSON.map(lambda v: json.dumps(v, ensure_ascii=False)),
    st.dictionaries(
        st.sampled_from(["set", "unset"]),
        st.dictionaries(st.sampled_from(["name.family", "birth_date", "foreign", "x.y"]), _JSON)
        | st.lists(st.sampled_from(["name", "address.city", "sex", "relationship"])),
    ).map(lambda v: json.dumps(v, ensure_ascii=False)),
)


@settings(max_examples=FUZZ_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(["juki_jumin.csv", "juki_setai.csv", SHIEN]),
    st.lists(st.tuples(st.integers(min_value=0), st.integers(min_value=0), _CELLS), max_size=4),
)
def test_no_value_in_any_cell_makes_the_import_crash(
    source: Source,
    tmp_path_factory: pytest.TempPathFactory,
    name: str,
    edits: list[tuple[int, int, str]],
) -> None:
    """Any text in any cell of any file (the manifest made to match): a report, never a crash;
    every fault names its file and line."""
    app, code = source.app, CODES[5]
    copy = tmp_path_factory.mktemp("cells") / "x"
    shutil.copytree(source.utf8, copy)
    path = copy / name
    rows = _csv_rows(path)
    if len(rows) > 1:
        for row_at, column_at, value in edits:
            row = rows[1 + row_at % (len(rows) - 1)]
            row[column_at % len(row)] = value
    _write_rows(path, rows)
    _rehash(copy)
    result = app.layout_import.import_export(
        code, str(copy), report_dir=str(copy.parent), dry_run=True
    )
    assert not result.written and _empty(app, code)
    assert len(_csv_rows(result.report)) == len(result.faults) + 1
    for fault in result.faults:
        assert fault.file in FILES and fault.line >= 0
        assert fault.file != name or fault.line <= len(rows)
        assert fault.code and fault.message


def test_one_my_number_on_two_living_residents_is_refused_without_showing_it(
    source: Source, tmp_path: Path
) -> None:
    """As at the counter (person.duplicate_live): checked once every row is in, also by a dry
    run; the report names the persons (宛名番号), never the number itself."""
    app, code = source.app, CODES[5]
    copy = tmp_path / "twice"
    shutil.copytree(source.utf8, copy)
    path = copy / "juki_jumin.csv"
    rows = _csv_rows(path)
    header = rows[0]
    at, latest, status = (
        header.index("個人番号"),
        header.index("最新フラグ"),
        header.index("住民状態"),
    )
    live = [
        i for i, row in enumerate(rows[1:], start=1) if row[latest] == "1" and row[status] == "1"
    ]
    numbered = [i for i in live if rows[i][at]]
    first, second = numbered[0], numbered[-1]
    number = rows[first][at]
    _edit_rows(path, {second + 1: ("個人番号", number)})
    _rehash(copy)
    for dry_run in (True, False):
        result = app.layout_import.import_export(
            code, str(copy), report_dir=str(tmp_path), dry_run=dry_run
        )
        assert not result.written and _empty(app, code)
        [fault] = result.faults
        assert (fault.file, fault.line, fault.item, fault.code) == (
            "juki_jumin.csv",
            0,
            "個人番号",
            "import.duplicate_identifier",
        )
        assert rows[first][0] in fault.message and rows[second][0] in fault.message
        assert number not in fault.message and number not in (
            tmp_path / "import_report.csv"
        ).read_text(encoding="utf-8")


def test_the_import_connection_gets_its_usual_page_cache_back(source: Source) -> None:
    """SQLite: a smaller page cache while the import writes (its memory budget), then the usual
    one again, whatever happens inside."""
    with SqlUnitOfWork(source.app.engine, CODES[5]) as uow:
        repo = uow.imports
        if source.app.engine.dialect.name != "sqlite":
            with repo.bulk_import():
                assert not repo.has_persons()
            return
        connection = repo._conn  # the PRAGMA is state of the connection itself
        usual = connection.exec_driver_sql("PRAGMA cache_size").scalar_one()
        with pytest.raises(RuntimeError), repo.bulk_import():
            during = connection.exec_driver_sql("PRAGMA cache_size").scalar_one()
            raise RuntimeError("a failure in the middle")
        assert during == -IMPORT_CACHE_KIB != usual
        assert connection.exec_driver_sql("PRAGMA cache_size").scalar_one() == usual


@pytest.mark.spec("10.6")
def test_an_import_refuses_the_values_every_other_door_refuses(
    source: Source, tmp_path: Path
) -> None:
    """The import is a door too: a value the counter and the API refuse (a spreadsheet formula,
    a bidirectional override in a name, a reading not in katakana, markup) is refused with its
    line and item, and nothing is written."""
    app, code = source.app, CODES[5]
    copy = tmp_path / "doors"
    shutil.copytree(source.utf8, copy)
    path = copy / "juki_jumin.csv"
    rows = _csv_rows(path)
    single = [i + 2 for i, row in enumerate(rows[1:]) if sum(r[0] == row[0] for r in rows) == 1]
    edits = {
        single[1]: ("住所_番地号表記", '=HYPERLINK("http://example.invalid")'),
        single[2]: ("氏_日本人", "高\u202e橋"),
        single[3]: ("氏_フリガナ", "たかはし"),
        single[4]: ("名_日本人", "<script>"),
    }
    _edit_rows(path, edits)
    _rehash(copy)
    result = app.layout_import.import_export(code, str(copy), report_dir=str(tmp_path))
    assert not result.written and _empty(app, code)
    found = {(f.line, f.item, f.code) for f in result.faults}
    assert found == {
        (single[1], "住所_番地号表記", "input.formula"),
        (single[2], "氏_日本人", "name.control_character"),
        (single[3], "氏_フリガナ", "input.not_canonical"),
        (single[4], "名_日本人", "name.symbol_character"),
    }, result.faults
