"""A standard-only export taken back in, and the new reading paths of issue 18 fuzzed.

A demo register is exported with ``--standard-only`` (UTF-8 and cp932) and imported into empty
municipalities, with its manifest and with the manifest deleted (``--encoding``): the full
export of each target has every standard item of every history row of every person exactly as
the source's, and differs from the source's only in extension items, all of them among those
docs/migration.md lists as left behind.

Then the paths that read other vendors' files are fuzzed on the same register's standard-only
files, without manifest: the columns in any order with any optional ones dropped, cells
rewritten in older systems' forms, garbage in cells and headers, private-use 外字 with a
random 外字 map.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from jichitai.adapters.standard_layout.csv_export import MANIFEST
from jichitai.adapters.standard_layout.layout import load_layout
from jichitai.bootstrap import App, bootstrap
from jichitai.demo.generator import seed_register
from jichitai.domain.access.actor import Actor
from jichitai.domain.access.roles import Role
from jichitai.domain.access.suppression import Process, SuppressionKind
from jichitai.domain.common.eras import DEFAULT_ERAS
from jichitai.services.migration_import import ImportResult
from jichitai.services.migration_maps import GAIJI_UNMAPPED, MapTexts
from tests.fakes import FixedClock, SeededRandom
from tests.integration.test_layout_import_vendor_cells import _half_width
from tests.integration.test_layout_roundtrip import (
    _code,
    _csv_rows,
    _empty,
    _forget,
    _persons,
    _write_rows,
)

TODAY = date(2026, 11, 26)
NOW = datetime(2026, 11, 26, 1, 30, tzinfo=UTC)
SOURCE = _code("33101")  # 岡山市北区
NAME = "岡山県岡山市北区"
ROUND = {  # (encoding, manifest kept) → target
    ("utf-8", True): _code("33102"),
    ("utf-8", False): _code("33103"),
    ("cp932", True): _code("33104"),
    ("cp932", False): _code("33201"),
}
FUZZ = _code("33202")
CODES = [SOURCE, *ROUND.values(), FUZZ]
JUMIN, SETAI, SHIEN = "juki_jumin.csv", "juki_setai.csv", "juki_shien_sochi.csv"
DATA = (JUMIN, SETAI, SHIEN)
LAYOUT = load_layout("1.0")
LAYOUT_FILES = {f.file_name: f for f in LAYOUT.files}
EXTENSION = {name: {i.name for i in f.items if i.extension} for name, f in LAYOUT_FILES.items()}
REQUIRED = {name: {i.name for i in f.items if i.required} for name, f in LAYOUT_FILES.items()}
DOCS = Path(__file__).resolve().parents[2] / "docs" / "migration.md"
EXAMPLES = int(os.environ.get("JICHITAI_HYPOTHESIS_EXAMPLES", "20"))
"""Examples per fuzz test: each imports a whole (small) register, about 0.1 s; raise it for a
long run by hand (as test_layout_roundtrip.py)."""
_WIDE = str.maketrans("0123456789", "０１２３４５６７８９")
_FILE_LABELS = {"住民": JUMIN, "世帯": SETAI, "支援措置等": SHIEN}


@dataclass
class Source:
    app: App
    root: Path
    full: Path
    """The source's full export (UTF-8)."""
    standard: dict[str, Path]
    """Its standard-only exports, by encoding."""


@pytest.fixture(scope="module")
def source(engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Source]:
    _forget(engine, CODES)
    app = bootstrap(engine=engine, clock=FixedClock(NOW, TODAY), random=SeededRandom(11))
    for code in CODES:
        app.municipalities.add(code, NAME)
    seed_register(
        app.register,
        SOURCE,
        municipality_prefecture="岡山県",
        municipality_city="岡山市北区",
        residents=40,
        seed=29,
        today=TODAY,
    )
    officer = Actor("chief", SOURCE, frozenset({Role.SUPPRESSION_OFFICER, Role.DV_OFFICER}))
    first = _persons(app, SOURCE)[0]
    app.suppressions.set(
        officer,
        kind=SuppressionKind.DV_SUPPORT,
        atena_number=first,
        processes=[Process.ISSUE, Process.VIEW],
        starts_on=date(2026, 4, 1),
        reason="配偶者からの暴力",
        details={"加害者": {"氏名": "髙橋　一郎"}, "転居先": "非開示"},
    )
    root = tmp_path_factory.mktemp("standard_only")
    app.layout_export.export(SOURCE, str(root / "full"))
    standard = {}
    for encoding in ("utf-8", "cp932"):
        standard[encoding] = root / encoding
        app.layout_export.export(SOURCE, str(standard[encoding]), encoding, standard_only=True)
    yield Source(app, root, root / "full", standard)
    _forget(engine, CODES)


def _left_behind() -> dict[str, set[str]]:
    """The items docs/migration.md lists as left behind by a standard-only export, by file."""
    text = DOCS.read_text(encoding="utf-8")
    table = text.split("<!-- standard-only-left-behind -->")[1].split("<!--")[0]
    found: dict[str, set[str]] = {name: set() for name in DATA}
    for line in table.splitlines()[2:]:
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 2 and cells[0] in _FILE_LABELS:
            found[_FILE_LABELS[cells[0]]].add(cells[1])
    return found


def _reset(app: App, code: str) -> None:
    """The municipality emptied again (after an example that wrote)."""
    _forget(app.engine, [code])
    app.municipalities.add(code, NAME)


def _import(app: App, code: str, directory: Path, **options: object) -> ImportResult:
    return app.layout_import.import_export(
        code,
        str(directory),
        report_dir=str(directory.parent),
        **options,  # type: ignore[arg-type]
    )


def _columns(rows: list[list[str]]) -> dict[str, list[str]]:
    """A file's columns by item: every row's cell, in row order."""
    header, body = rows[0], rows[1:]
    return {item: [row[at] for row in body] for at, item in enumerate(header)}


# -- the standard-only export re-imported ------------------------------------------------------


@pytest.mark.spec("10.6")
@pytest.mark.parametrize(("encoding", "manifest"), list(ROUND))
def test_a_standard_only_export_reimported_keeps_every_standard_item_of_every_row(
    source: Source, tmp_path: Path, encoding: str, manifest: bool
) -> None:
    app, code = source.app, ROUND[encoding, manifest]
    files = tmp_path / "standard"
    shutil.copytree(source.standard[encoding], files)
    if not manifest:
        (files / MANIFEST).unlink()
    result = _import(app, code, files, encoding=None if manifest else encoding)
    assert result.faults == () and result.written
    assert result.suppressions == 1
    app.layout_export.export(code, str(tmp_path / "again"))
    left_behind = _left_behind()
    differing: dict[str, set[str]] = {}
    for name in DATA:
        before = _csv_rows(source.full / name)
        after = _csv_rows(tmp_path / "again" / name)
        assert after[0] == before[0] and len(after) == len(before) > 1, name
        old, new = _columns(before), _columns(after)
        for item in before[0]:
            if item not in EXTENSION[name]:
                for line, (a, b) in enumerate(zip(old[item], new[item], strict=True), start=2):
                    assert a == b, (name, line, item)
        differing[name] = {item for item in before[0] if old[item] != new[item]}
        assert differing[name] <= EXTENSION[name] & left_behind[name], (name, differing[name])
    # The register does have items of its own that stay behind (so the test shows something).
    assert "拡張_選挙人名簿登録フラグ" in differing[JUMIN]
    assert "拡張_詳細" in differing[SHIEN]


# -- fuzz: the reading paths of issue 18 on the same files --------------------------------------


def _vendor_dir(source: Source, factory: pytest.TempPathFactory) -> Path:
    """A copy of the UTF-8 standard-only export without its manifest (read with --encoding)."""
    directory = factory.mktemp("fuzz") / "vendor"
    shutil.copytree(source.standard["utf-8"], directory)
    (directory / MANIFEST).unlink()
    return directory


def _fault_shape(result: ImportResult, files: dict[str, int]) -> None:
    """Every fault names a file of the import and a line within it (0: the file as a whole)."""
    for fault in result.faults:
        assert fault.file in (*DATA, MANIFEST), fault
        assert 0 <= fault.line <= files.get(fault.file, 0), fault
        assert fault.code and fault.message, fault


_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # shrinking whole registers takes minutes
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


DEPENDENT = {
    JUMIN: {
        "生年月日",
        "生年月日_不詳フラグ",
        "生年月日_不詳表記",
        "住所_市区郡町村名",
        "転入前住所_市区郡町村名",
        "転入前住所_国名",
        "本籍",
        "筆頭者",
        "旧氏",
        "国籍",
        "第30条45規定区分",
        "外国人住民となった年月日",
        "転出予定年月日",
        "転出先住所_市区郡町村名",
        "転出先住所_国名",
        "転出確定住所_市区郡町村名",
    },
    SETAI: {"世帯主_宛名番号"},
    SHIEN: {"宛名番号", "対象事務_照会", "対象事務_証明書発行"},
}
"""Optional items (not ``required`` in the layout) the records of this register cannot do
without: a file lacking one is refused row by row (a Japanese resident without 生年月日 or 本籍,
a foreign resident without 国籍, an address without its 市区郡町村名, a 支援措置 setting without
the 対象事務 it is set for, which leaves it for no process: ``import.record``). Found by dropping each
optional item alone from this register's files. 世帯主_宛名番号 is one of them: without it every
household with a head is refused (``import.head``) although the residents' 続柄 name the head."""


def test_a_row_that_needs_an_item_the_file_left_out_names_that_item_in_japanese(
    source: Source, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A 支援措置 setting is for some 対象事務; a file without any 対象事務 item cannot say which.
    The fault names those items, in Japanese, on the setting's line; nothing is written."""
    app, code = source.app, FUZZ
    _reset(app, code)
    directory = _vendor_dir(source, tmp_path_factory)
    rows = _csv_rows(directory / SHIEN)
    keep = [i for i, item in enumerate(rows[0]) if not item.startswith("対象事務_")]
    _write_rows(directory / SHIEN, [[row[i] for i in keep] for row in rows])
    result = _import(app, code, directory, encoding="utf-8")
    faults = [f for f in result.faults if f.file == SHIEN]
    assert faults and not result.written and _empty(app, code)
    for fault in faults:
        assert fault.code == "import.record" and 2 <= fault.line <= len(rows)
        assert fault.item.startswith("対象事務_"), fault
        assert "対象事務_照会" in fault.message and "の値が必要です" in fault.message
        assert "missing" not in fault.message  # no decoder's English


def test_the_items_rows_need_are_optional_in_the_layout() -> None:
    """DEPENDENT lists optional items only: an item the layout makes required is refused on the
    header instead (a layout change that makes one required must move it out of the list)."""
    assert all(not DEPENDENT[name] & REQUIRED[name] for name in DATA)


@_SETTINGS
@given(st.data())
def test_columns_in_any_order_with_optional_ones_dropped_read_the_same_records(
    source: Source, tmp_path_factory: pytest.TempPathFactory, data: st.DataObject
) -> None:
    """Any permutation of each file's columns and any optional columns dropped: the kept items
    of every row come back as they were; a dropped required item is a missing_item fault on
    line 1 naming it; an item the records need (DEPENDENT) is refused row by row (unless what
    was dropped with it makes the rows whole again); on any fault nothing is written."""
    app, code = source.app, FUZZ
    directory = _vendor_dir(source, tmp_path_factory)
    dropped_required: set[tuple[str, str]] = set()
    dropped_needed = False
    kept: dict[str, list[str]] = {}
    lines: dict[str, int] = {}
    for name in DATA:
        rows = _csv_rows(directory / name)
        lines[name] = len(rows)
        header = rows[0]
        optional = [i for i in header if i not in REQUIRED[name] | DEPENDENT[name]]
        drop = set(data.draw(st.sets(st.sampled_from(optional), max_size=12), label=f"drop {name}"))
        if data.draw(st.integers(0, 9), label=f"a required item of {name}") == 0:
            item = data.draw(st.sampled_from(sorted(REQUIRED[name])))
            drop.add(item)
            dropped_required.add((name, item))
        if data.draw(st.integers(0, 9), label=f"an item {name}'s rows need") == 0:
            drop.add(data.draw(st.sampled_from(sorted(DEPENDENT[name]))))
            dropped_needed = True
        order = data.draw(st.permutations([i for i in header if i not in drop]), label=name)
        at = [header.index(i) for i in order]
        _write_rows(directory / name, [[row[i] for i in at] for row in rows])
        kept[name] = order
    result = _import(app, code, directory, encoding="utf-8")
    event("written" if result.written else "refused")
    try:
        _fault_shape(result, lines)
        found = {(f.file, f.item) for f in result.faults if f.code == "import.missing_item"}
        assert found == dropped_required, result.faults
        assert all(f.line == 1 for f in result.faults if f.code == "import.missing_item")
        if dropped_required:
            assert not result.written and _empty(app, code)
            return
        # Every fault is told in Japanese: never the decoder's own English.
        assert all("missing required" not in f.message for f in result.faults), result.faults
        if dropped_needed and result.faults:  # refused row by row (some drops go together)
            assert not result.written and _empty(app, code)
            return
        assert result.written, result.faults
        again = directory.parent / "again"
        app.layout_export.export(code, str(again), standard_only=True)
        for name in DATA:
            before = _columns(_csv_rows(source.standard["utf-8"] / name))
            after = _columns(_csv_rows(again / name))
            for item in kept[name]:
                if not dropped_needed:
                    assert after[item] == before[item], (name, item)
    finally:
        if result.written:
            _reset(app, code)


def _wareki(cell: str, width: int) -> str:
    day = date(int(cell[:4]), int(cell[4:6]), int(cell[6:]))
    era = DEFAULT_ERAS.era_of(day)
    return f"{era.code:0{width - 6}d}{era.era_year(day.year):02d}{cell[4:]}"


_DATE_ITEMS = ("異動年月日", "届出年月日", "住民となった年月日", "住所を定めた年月日")
_NUMBER_ITEMS = ("宛名番号", "個人履歴番号", "最新フラグ", "性別", "世帯番号", "住民状態")
_READINGS = ("氏_フリガナ", "名_フリガナ")
_TEXTS = ("氏_日本人", "名_日本人", "住所_方書", "本籍")


def _vendor_form(item: str, cell: str, form: int) -> str | None:
    """The cell rewritten in an older system's form (``form`` picks one), or None when the
    item's cell has no such form."""
    if item in _DATE_ITEMS and re.fullmatch(r"\d{8}", cell) and cell >= "18680908":
        return [_wareki(cell, 7), _wareki(cell, 8), cell.translate(_WIDE), f" {cell}\u3000"][
            form % 4
        ]
    if item in _NUMBER_ITEMS and cell:
        return [cell.translate(_WIDE), f"  {cell}", f"{cell}\u3000 "][form % 3]
    if item in _READINGS and cell:
        return _half_width(cell) + " " * (form % 3)
    if item in _TEXTS and cell:
        return cell + ["  ", "\u3000", " \u3000"][form % 3]
    return None


@_SETTINGS
@given(
    st.lists(
        st.tuples(
            st.integers(min_value=0),
            st.sampled_from(_DATE_ITEMS + _NUMBER_ITEMS + _READINGS + _TEXTS),
            st.integers(0, 11),
        ),
        min_size=1,
        max_size=30,
    )
)
def test_cells_rewritten_in_any_accepted_vendor_form_import_as_the_same_records(
    source: Source,
    tmp_path_factory: pytest.TempPathFactory,
    edits: list[tuple[int, str, int]],
) -> None:
    """Padding, full-width digits, half-width kana, 和暦 with a 7- or 8-digit era code on any
    cells: the register imported is the very one of the plain files (its export is the same)."""
    app, code = source.app, FUZZ
    directory = _vendor_dir(source, tmp_path_factory)
    rows = _csv_rows(directory / JUMIN)
    header = rows[0]
    for row_at, item, form in edits:
        row = rows[1 + row_at % (len(rows) - 1)]
        written = _vendor_form(item, row[header.index(item)], form)
        if written is not None:
            row[header.index(item)] = written
    _write_rows(directory / JUMIN, rows)
    result = _import(app, code, directory, encoding="utf-8")
    try:
        assert result.written and result.faults == (), result.faults
        again = directory.parent / "again"
        app.layout_export.export(code, str(again), standard_only=True)
        for name in DATA:
            assert (again / name).read_bytes() == (source.standard["utf-8"] / name).read_bytes()
    finally:
        _reset(app, code)


_GARBAGE = st.one_of(
    st.text(max_size=16),
    st.from_regex(r"[0-9０-９ 　]{0,10}", fullmatch=True),
    st.sampled_from(
        ["", "0", "9", "-1", "00000000", "3200800", "5010101", "R01.05.01", "ｱｲｳ", "\ue000", "𠮷"]
    ),
)


@_SETTINGS
@given(
    st.sampled_from(DATA),
    st.lists(st.tuples(st.integers(min_value=0), st.integers(min_value=0), _GARBAGE), max_size=5),
    st.lists(st.tuples(st.integers(min_value=0), _GARBAGE), max_size=2),
    st.booleans(),
)
def test_garbage_in_cells_and_headers_never_crashes_and_never_writes_on_fault(
    source: Source,
    tmp_path_factory: pytest.TempPathFactory,
    name: str,
    cells: list[tuple[int, int, str]],
    headers: list[tuple[int, str]],
    dry_run: bool,
) -> None:
    """Any text in any cell or header cell of a manifest-less file: a result, never a crash;
    each fault names its file and a line in it; on any fault nothing is written."""
    app, code = source.app, FUZZ
    directory = _vendor_dir(source, tmp_path_factory)
    rows = _csv_rows(directory / name)
    for row_at, column_at, value in cells:
        row = rows[1 + row_at % (len(rows) - 1)]
        row[column_at % len(row)] = value
    for column_at, value in headers:
        rows[0][column_at % len(rows[0])] = value
    _write_rows(directory / name, rows)
    lines = {n: len(_csv_rows(directory / n)) for n in DATA}
    result = _import(app, code, directory, encoding="utf-8", dry_run=dry_run)
    event("faults" if result.faults else "no fault")
    _fault_shape(result, lines)
    assert len(_csv_rows(result.report)) == len(result.faults) + 1
    for fault in result.faults:
        if fault.line == 1 and fault.file == name:
            # A header fault names the item, or the column when its name is empty.
            assert fault.item or "列目" in fault.message, fault
    if result.faults or dry_run:
        assert not result.written and _empty(app, code)
    else:
        assert result.written
        _reset(app, code)


_PRIVATE = st.sampled_from(["\ue000", "\ue001", "\ue0a5", "\ue757", "\uf8ff", "\U000f0001"])
_MJ = st.sampled_from(["髙", "𠮷", "葛\U000e0102", "邊", "齋", "﨑"])


@_SETTINGS
@given(
    st.lists(
        st.tuples(st.integers(min_value=0), st.sampled_from(_TEXTS), _PRIVATE),
        min_size=1,
        max_size=6,
    ),
    st.dictionaries(_PRIVATE, _MJ, max_size=6),
)
def test_private_use_characters_are_mapped_or_reported_never_stored(
    source: Source,
    tmp_path_factory: pytest.TempPathFactory,
    edits: list[tuple[int, str, str]],
    mapping: dict[str, str],
) -> None:
    """Private-use characters put into text cells, a random 外字 map: when the map gives every
    one, each is stored as the character mapped to; otherwise each unmapped one is an
    import.gaiji_unmapped fault naming its line, item and code point, and nothing is written."""
    app, code = source.app, FUZZ
    directory = _vendor_dir(source, tmp_path_factory)
    rows = _csv_rows(directory / JUMIN)
    header = rows[0]
    expected = [list(row) for row in rows]
    unmapped: set[tuple[int, str, str]] = set()
    for row_at, item, char in edits:
        line = 2 + row_at % (len(rows) - 1)
        at = header.index(item)
        if not rows[line - 1][at]:
            continue  # an empty item stays empty (a name of a foreign resident, say)
        rows[line - 1][at] += char
        expected[line - 1][at] += mapping.get(char, char)
        if char not in mapping:
            unmapped.add((line, item, f"U+{ord(char):04X}"))
    _write_rows(directory / JUMIN, rows)
    lines = ["移行元コード,文字,IVS,備考"]
    for vendor, mj in mapping.items():
        ivs = f"U+{ord(mj[1]):X}" if len(mj) > 1 else ""
        lines.append(f"U+{ord(vendor):04X},U+{ord(mj[0]):04X},{ivs},")
    maps = MapTexts(gaiji_map="\n".join(lines) + "\n")
    result = _import(app, code, directory, encoding="utf-8", maps=maps)
    event("all mapped" if not unmapped else "some unmapped")
    if unmapped:
        assert not result.written and _empty(app, code)
        found = {
            (f.line, f.item, code_point)
            for f in result.faults
            if f.code == GAIJI_UNMAPPED
            for code_point in re.findall(r"U\+[0-9A-F]{4,6}", f.message)
        }
        assert found == unmapped, result.faults
        assert all(f.file == JUMIN for f in result.faults if f.code == GAIJI_UNMAPPED)
        return
    try:
        assert result.written and result.faults == (), result.faults
        again = directory.parent / "again"
        app.layout_export.export(code, str(again), standard_only=True)
        assert _csv_rows(again / JUMIN) == expected
    finally:
        _reset(app, code)
