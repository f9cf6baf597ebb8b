"""docs/conformance.md stays true: one row per section of the standard, and the tests it names.

The conformance table maps every section of chapter 3 of the standard (住民記録システム標準仕様書
v1.0, one ``jNNN.txt`` per section, listed in its ``index.md``) to a status and to the tests that
prove it. Tests name their section with ``@pytest.mark.spec("4.1.1.1")``; this module collects
those markers from the source (AST only, nothing is imported or run) and checks the table
against them. It is pure file parsing and takes well under a second.

The standard's ``index.md`` lives outside the repository (``JICHITAI_SPEC_INDEX``, default
``../shared/spec/juminkiroku-v1.0-ch3/index.md`` beside the checkout); the check against it is skipped when it is
absent, and the other checks use the table's own list of sections.

Run ``python -m tests.unit.test_conformance_doc`` (``--write`` to update the document) to
regenerate the tests column from the markers: it prints the column per section and warns where
a status no longer fits the tests.
"""

from __future__ import annotations

import ast
import os
import re
import sys
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "conformance.md"
TESTS = ROOT / "tests"
SPEC_INDEX = Path(
    os.environ.get(
        "JICHITAI_SPEC_INDEX",
        str(Path(__file__).resolve().parents[3] / "shared/spec/juminkiroku-v1.0-ch3/index.md"),
    )
)
STATUSES = ("done", "partly", "not yet", "out of scope")

_INDEX_LINE = re.compile(r"^#+\s*\[(\d+(?:\.\d+)*)\.\s*(.*?)\s*\((\d+)\)\]\(")
_INDEX_HEADING = re.compile(r"^#+\s*\[?(\d+(?:\.\d+)*)\.")
_SECTION_CELL = re.compile(r"^(\d+(?:\.\d+)*) \((\d+)\)$")
_NODE_ID = re.compile(r"^(tests/[\w/]+\.py)((?:::\w+)+)$")


# --- the standard's index --------------------------------------------------------------------


@dataclass(frozen=True)
class IndexSection:
    number: str  # "4.1.1.1"
    title: str  # "転入者情報入力"
    file_number: str  # "590" (jNNN.txt)


def index_sections(text: str) -> list[IndexSection]:
    """Sections of index.md that have their own jNNN file (a linked heading)."""
    found = []
    for line in text.lstrip("\ufeff").splitlines():
        m = _INDEX_LINE.match(line.strip())
        if m:
            found.append(IndexSection(m.group(1), m.group(2), m.group(3)))
    return found


def index_headings(text: str) -> set[str]:
    """Every numbered heading of index.md, with or without a file ("4.1.1", "11", …)."""
    return {
        m.group(1)
        for line in text.lstrip("\ufeff").splitlines()
        if (m := _INDEX_HEADING.match(line.strip()))
    }


# --- the document ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    line: int
    number: str
    file_number: str
    title: str
    status: str
    tests: tuple[str, ...]
    notes: str


def doc_rows(text: str) -> list[Row]:
    """The table rows whose first cell is a section ("4.1.1.1 (590)")."""
    rows = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.startswith("|"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        m = _SECTION_CELL.match(cells[0])
        if not m:
            continue
        cells += [""] * (5 - len(cells))
        tests = tuple(t.strip().strip("`") for t in cells[3].split(",") if t.strip())
        rows.append(Row(lineno, m.group(1), m.group(2), cells[1], cells[2], tests, cells[4]))
    return rows


@cache
def _doc() -> list[Row]:
    return doc_rows(DOC.read_text(encoding="utf-8"))


# --- the markers in the suite ----------------------------------------------------------------


def _spec_values(expressions: list[ast.expr]) -> list[str]:
    """Sections named by ``pytest.mark.spec(...)`` / ``mark.spec(...)`` among expressions."""
    values = []
    for expr in expressions:
        items = expr.elts if isinstance(expr, (ast.List, ast.Tuple)) else [expr]
        for item in items:
            if not (isinstance(item, ast.Call) and isinstance(item.func, ast.Attribute)):
                continue
            if item.func.attr != "spec":
                continue
            owner = item.func.value
            if not (
                (isinstance(owner, ast.Attribute) and owner.attr == "mark")
                or (isinstance(owner, ast.Name) and owner.id == "mark")
            ):
                continue
            for arg in [*item.args, *(k.value for k in item.keywords)]:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    values.append(arg.value.strip())
                else:
                    values.append(f"<not a literal: {ast.unparse(arg)}>")
    return values


def _pytestmark(body: list[ast.stmt]) -> list[str]:
    values = []
    for node in body:
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets = [node.target]
        else:
            continue
        if any(isinstance(t, ast.Name) and t.id == "pytestmark" for t in targets):
            values += _spec_values([node.value])
    return values


def _defined_tests(tree: ast.Module) -> dict[str, list[str]]:
    """Test functions of a module ("test_x" or "TestY::test_x") → the sections they carry."""
    found: dict[str, list[str]] = {}

    def walk(body: list[ast.stmt], prefix: str, inherited: list[str]) -> None:
        for node in body:
            if isinstance(node, ast.ClassDef):
                marks = inherited + _spec_values(node.decorator_list) + _pytestmark(node.body)
                walk(node.body, f"{prefix}{node.name}::", marks)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith(
                "test"
            ):
                found[prefix + node.name] = inherited + _spec_values(node.decorator_list)

    walk(tree.body, "", _pytestmark(tree.body))
    return found


def _test_files() -> list[Path]:
    files = {*TESTS.rglob("test_*.py"), *TESTS.rglob("*_test.py")}
    return sorted(p for p in files if "__pycache__" not in p.parts)


@cache
def _parsed(path: Path) -> dict[str, list[str]]:
    return _defined_tests(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))


def collect_spec_markers() -> dict[str, list[str]]:
    """Section → node ids ("tests/unit/test_x.py::test_y") of the tests marked with it."""
    by_section: dict[str, list[str]] = defaultdict(list)
    for path in _test_files():
        relative = path.relative_to(ROOT).as_posix()
        for name, sections in _parsed(path).items():
            for section in dict.fromkeys(sections):
                by_section[section].append(f"{relative}::{name}")
    return dict(by_section)


def node_exists(node_id: str) -> bool:
    """The file exists and defines that test function (in that class, if one is named)."""
    m = _NODE_ID.match(node_id)
    if not m:
        return False
    path = ROOT / m.group(1)
    return path.is_file() and m.group(2)[2:] in _parsed(path)


def _key(section: str) -> tuple[int, ...]:
    return tuple(int(p) for p in section.split(".") if p.isdigit())


def _is_under(section: str, heading: str) -> bool:
    return section == heading or section.startswith(heading + ".")


def _rows_for_marker(section: str, rows: list[Row]) -> list[Row]:
    """The rows a marker may be listed in: its own, or, for a heading without a file (e.g.
    "4.1.1", "11"), the rows of the sections under it."""
    own = [r for r in rows if r.number == section]
    return own or [r for r in rows if _is_under(r.number, section)]


# --- the checks ------------------------------------------------------------------------------


def _index_text() -> str:
    if not SPEC_INDEX.is_file():
        pytest.skip(f"the standard's index is not at {SPEC_INDEX} (set JICHITAI_SPEC_INDEX)")
    return SPEC_INDEX.read_text(encoding="utf-8")


def test_the_document_has_a_table_of_sections() -> None:
    assert DOC.is_file(), f"{DOC} is missing"
    assert len(_doc()) > 100, "docs/conformance.md should list every section of chapter 3"


def test_every_section_of_the_index_with_a_file_appears_exactly_once_in_the_table() -> None:
    expected = index_sections(_index_text())
    assert expected, "no sections found in the standard's index"
    missing_files = [
        s.number for s in expected if not (SPEC_INDEX.parent / f"j{s.file_number}.txt").is_file()
    ]
    assert not missing_files, f"index.md names sections without a jNNN file: {missing_files}"
    counts: dict[str, int] = defaultdict(int)
    for row in _doc():
        counts[row.number] += 1
    assert [s.number for s in expected if counts[s.number] == 0] == [], "sections missing"
    assert sorted(n for n, c in counts.items() if c > 1) == [], "sections listed twice"
    extra = sorted(set(counts) - {s.number for s in expected}, key=_key)
    assert extra == [], "rows for sections that index.md does not have"


def test_every_row_carries_the_number_and_title_of_its_index_section() -> None:
    by_number = {s.number: s for s in index_sections(_index_text())}
    wrong = [
        f"line {r.line}: {r.number} ({r.file_number}) {r.title!r}, index says "
        f"({s.file_number}) {s.title!r}"
        for r in _doc()
        if (s := by_number.get(r.number)) and (r.file_number, r.title) != (s.file_number, s.title)
    ]
    assert wrong == []


def test_the_rows_follow_the_order_of_the_index() -> None:
    numbers = [r.number for r in _doc()]
    assert numbers == sorted(numbers, key=_key)


def test_every_status_is_one_of_the_four_values() -> None:
    wrong = [f"line {r.line}: {r.number} {r.status!r}" for r in _doc() if r.status not in STATUSES]
    assert wrong == [], f"status must be one of {STATUSES}"


def test_every_listed_test_exists() -> None:
    missing = [
        f"line {r.line}: {r.number} {node}"
        for r in _doc()
        for node in r.tests
        if not node_exists(node)
    ]
    assert missing == [], "listed tests that are not defined (file or function missing)"


def test_every_section_marked_done_or_partly_lists_at_least_one_test() -> None:
    bare = [
        f"line {r.line}: {r.number} ({r.status})"
        for r in _doc()
        if r.status in ("done", "partly") and not r.tests
    ]
    assert bare == []


def test_every_row_says_something_in_its_notes() -> None:
    assert [f"line {r.line}: {r.number}" for r in _doc() if not r.notes] == []


def test_every_spec_marker_names_a_section_of_the_standard() -> None:
    if SPEC_INDEX.is_file():
        known = index_headings(SPEC_INDEX.read_text(encoding="utf-8"))
    else:  # the table lists every section; a heading is a prefix of some row's number
        known = {
            ".".join(r.number.split(".")[:n])
            for r in _doc()
            for n in range(1, r.number.count(".") + 2)
        }
    unknown = [
        f"spec({section!r}) on {node}"
        for section, nodes in sorted(collect_spec_markers().items())
        if section not in known
        for node in nodes
    ]
    assert unknown == [], "markers naming no section of the standard (typo?)"


def test_every_marked_test_is_listed_in_its_sections_row() -> None:
    rows = _doc()
    unlisted = [
        f"spec({section!r}) on {node}"
        for section, nodes in sorted(collect_spec_markers().items())
        for node in nodes
        if (candidates := _rows_for_marker(section, rows))
        and not any(node in r.tests for r in candidates)
    ]
    assert unlisted == [], "run `python -m tests.unit.test_conformance_doc --write`"


def test_every_listed_test_carries_the_marker_of_its_row() -> None:
    rows = _doc()
    marked: dict[str, set[str]] = defaultdict(set)
    for section, nodes in collect_spec_markers().items():
        for node in nodes:
            marked[node].add(section)
    stray = [
        f"line {r.line}: {r.number} lists {node}, marked {sorted(marked[node])}"
        for r in rows
        for node in r.tests
        if node_exists(node) and not any(_is_under(r.number, s) for s in marked[node])
    ]
    assert stray == [], "listed tests must carry @pytest.mark.spec for that section"


# --- regenerating the tests column ----------------------------------------------------------


def column_from_markers(rows: list[Row]) -> dict[str, list[str]]:
    """Section → the tests its row should list, from the markers. A marker on a heading without
    a file stays in the row it is already listed in, else goes to the first section under it."""
    column: dict[str, list[str]] = {r.number: [] for r in rows}
    for section, nodes in collect_spec_markers().items():
        candidates = _rows_for_marker(section, rows)
        if not candidates:
            continue
        for node in nodes:
            placed = [r for r in candidates if node in r.tests] or candidates[:1]
            for r in placed:
                if node not in column[r.number]:
                    column[r.number].append(node)
    return column


def _rewrite(text: str, column: dict[str, list[str]]) -> str:
    out = []
    for line in text.splitlines(keepends=True):
        cells = line.rstrip("\n").strip().strip("|").split("|") if line.startswith("|") else []
        m = _SECTION_CELL.match(cells[0].strip()) if cells else None
        if m and len(cells) >= 5:
            cells = [c.strip() for c in cells]
            cells[3] = ", ".join(column.get(m.group(1), []))
            line = "| " + " | ".join(cells) + " |\n"
        out.append(line)
    return "".join(out)


def main(argv: list[str]) -> int:
    rows = _doc()
    column = column_from_markers(rows)
    for r in rows:
        tests = column[r.number]
        if r.status in ("done", "partly") and not tests:
            sys.stderr.write(f"WARNING {r.number}: {r.status} but no marked test\n")
        if r.status in ("not yet", "out of scope") and tests:
            sys.stderr.write(f"WARNING {r.number}: {r.status} but {len(tests)} marked tests\n")
    known = {".".join(r.number.split(".")[:n]) for r in rows for n in range(1, 6)}
    for section, nodes in sorted(collect_spec_markers().items()):
        if section not in known:
            for node in nodes:
                sys.stderr.write(f"WARNING unknown section spec({section!r}) on {node}\n")
    if "--write" in argv:
        DOC.write_text(_rewrite(DOC.read_text(encoding="utf-8"), column), encoding="utf-8")
    else:
        for r in rows:
            sys.stdout.write(f"{r.number}\t{', '.join(column[r.number])}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
