"""``jichitai layout import``: living residents must live in the municipality imported into.

A register whose living residents' current addresses lie in another municipality is refused,
every such row named (file, line, item) in the report; ``--allow-addresses-outside`` takes it in
and lists those rows in the report as let through. Removed records (除票), earlier snapshots and
previous or onward addresses may lie anywhere.
"""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
from pathlib import Path

import pytest

from jichitai.domain.common.municipality import municipality_check_digit
from tests.e2e.conftest import Cli

SOURCE = "131016"
SOURCE_NAME = "東京都千代田区"
JUMIN = "juki_jumin.csv"
LIVING = "1"  # 住民状態 住民


def code_of(first5: str) -> str:
    return first5 + municipality_check_digit(first5)


@pytest.fixture(scope="module")
def export(cli: Cli, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo register of 千代田区 (moves in and out, removed records, addresses elsewhere as
    previous and onward addresses), exported."""
    assert cli.run("db", "upgrade").returncode == 0
    cli.ok("municipality", "add", SOURCE, SOURCE_NAME)
    cli.ok("demo", "seed", "-m", SOURCE, "--residents", "60", "--seed", "9")
    out = tmp_path_factory.mktemp("addresses") / "export"
    cli.ok("layout", "export", "-m", SOURCE, "--out", str(out))
    return out


def rows_of(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def current_rows(export: Path) -> dict[int, list[str]]:
    """Each person's last row (line: record number, header = 1)."""
    rows = rows_of(export / JUMIN)
    atena = rows[0].index("宛名番号")
    last: dict[str, tuple[int, list[str]]] = {}
    for line, row in enumerate(rows[1:], start=2):
        last[row[atena]] = (line, row)
    return dict(last.values())


def living_lines(export: Path) -> set[int]:
    header = rows_of(export / JUMIN)[0]
    status = header.index("住民状態")
    return {line for line, row in current_rows(export).items() if row[status] == LIVING}


def report_of(summary: dict[str, object]) -> list[list[str]]:
    return rows_of(Path(str(summary["report"])))[1:]


def edited(export: Path, into: Path, changes: dict[int, dict[str, str]]) -> Path:
    """A copy of the export with cells of the 住民 file changed (line → item → value) and the
    manifest's size and hash made to match."""
    shutil.copytree(export, into)
    rows = rows_of(export / JUMIN)
    header = rows[0]
    for line, cells in changes.items():
        for item, value in cells.items():
            rows[line - 1][header.index(item)] = value
    with (into / JUMIN).open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\r\n").writerows(rows)
    manifest = json.loads((into / "manifest.json").read_text(encoding="utf-8"))
    data = (into / JUMIN).read_bytes()
    for entry in manifest["files"]:
        if entry["file"] == JUMIN:
            entry.update(bytes=len(data), sha256=hashlib.sha256(data).hexdigest())
    text = json.dumps(manifest, ensure_ascii=False, indent=2) + "\n"
    (into / "manifest.json").write_text(text, encoding="utf-8")
    return into


@pytest.mark.spec("10.6")
def test_residents_living_elsewhere_are_refused_row_by_row_and_nothing_is_written(
    cli: Cli, export: Path, tmp_path: Path
) -> None:
    other = code_of("13104")
    cli.ok("municipality", "add", other, "東京都新宿区")
    expected = living_lines(export)
    assert len(expected) > 20
    refused = cli.run(
        "layout", "import", "-m", other, str(export), "--report", str(tmp_path / "a"), "--json"
    )
    assert refused.returncode == 2, refused.stderr
    summary = json.loads(refused.stdout)
    assert summary["written"] is False and summary["allow_addresses_outside"] is False
    assert summary["faults_by_code"] == {"address.outside_municipality": len(expected)}
    rows = report_of(summary)
    assert {int(row[1]) for row in rows} == expected  # every living resident, no removed record
    assert {(row[0], row[2], row[3]) for row in rows} == {
        (JUMIN, "住所_市区郡町村名", "address.outside_municipality")
    }
    assert all("千代田区" in row[4] and "東京都新宿区" in row[4] for row in rows)
    assert cli.ok("stats", "-m", other)["persons"] == 0
    # The same faults when the rows are checked in worker processes; the hint on a terminal.
    spread = cli.run(
        "layout", "import", "-m", other, str(export), "--workers", "2", "--report",
        str(tmp_path / "b"),
    )  # fmt: skip
    assert spread.returncode == 2
    assert "--allow-addresses-outside" in spread.stderr
    assert rows_of(tmp_path / "b" / "import_report.csv") == rows_of(
        tmp_path / "a" / "import_report.csv"
    )


@pytest.mark.spec("10.6")
def test_the_override_takes_them_in_and_the_report_names_each_one(
    cli: Cli, export: Path, tmp_path: Path
) -> None:
    other = code_of("13105")
    cli.ok("municipality", "add", other, "東京都文京区")
    expected = living_lines(export)
    args = ("layout", "import", "-m", other, str(export), "--allow-addresses-outside")
    dry = cli.ok(*args, "--dry-run", "--report", str(tmp_path / "dry"))
    assert dry["faults"] == 0 and dry["written"] is False
    assert dry["allow_addresses_outside"] is True and dry["addresses_outside"] == len(expected)
    assert cli.ok("stats", "-m", other)["persons"] == 0
    done = cli.ok(*args, "--report", str(tmp_path / "done"))
    assert done["written"] is True and done["addresses_outside"] == len(expected)
    rows = report_of(done)
    assert {int(row[1]) for row in rows} == expected
    assert {row[3] for row in rows} == {"import.address_outside_allowed"}
    assert all("区域外の住所を認める指定により取り込み" in row[4] for row in rows)
    assert cli.ok("stats", "-m", other)["persons"] == done["persons"]
    assert cli.ok("journal", "verify", "-m", other)["entries"] == done["snapshots"]


@pytest.mark.spec("10.6")
def test_removed_records_earlier_snapshots_and_previous_addresses_may_lie_elsewhere(
    cli: Cli, export: Path, tmp_path: Path
) -> None:
    same = code_of("13199")  # the same municipality's register moved into a new tenant
    cli.ok("municipality", "add", same, SOURCE_NAME)
    header = rows_of(export / JUMIN)[0]
    status, atena = header.index("住民状態"), header.index("宛名番号")
    current = current_rows(export)
    removed = next(line for line, row in current.items() if row[status] != LIVING)
    living = sorted(living_lines(export))
    all_rows = rows_of(export / JUMIN)
    earlier = next(  # a living resident's earlier snapshot
        line
        for line in range(2, len(all_rows) + 1)
        if line not in current and current_line_of(all_rows, atena, line) in living
    )
    osaka = {"住所_都道府県": "大阪府", "住所_市区郡町村名": "大阪市"}
    elsewhere = edited(
        export,
        tmp_path / "elsewhere",
        {
            removed: osaka,
            earlier: osaka,
            living[0]: {"転入前住所_都道府県": "北海道", "転入前住所_市区郡町村名": "札幌市中央区"},
        },
    )
    accepted = cli.ok("layout", "import", "-m", same, str(elsewhere), "--dry-run", "--report",
                      str(tmp_path / "r1"))  # fmt: skip
    assert accepted["faults"] == 0 and accepted["addresses_outside"] == 0
    # A living resident's current address abroad, another's in 大阪市: those two rows only.
    abroad = {
        "住所_都道府県": "", "住所_市区郡町村名": "", "住所_町字": "", "住所_番地号表記": "",
        "住所_方書": "", "住所_町字コード": "", "住所_郵便番号": "", "住所_国名": "米国",
    }  # fmt: skip
    two = edited(export, tmp_path / "two", {living[1]: abroad, living[2]: osaka, removed: osaka})
    result = cli.run(
        "layout", "import", "-m", same, str(two), "--report", str(tmp_path / "r2"), "--json"
    )
    assert result.returncode == 2
    rows = rows_of(tmp_path / "r2" / "import_report.csv")[1:]
    assert [(int(row[1]), row[2], row[3]) for row in rows] == [
        (living[1], "住所_国名", "address.outside_municipality"),
        (living[2], "住所_都道府県", "address.outside_municipality"),
    ]
    assert cli.ok("stats", "-m", same)["persons"] == 0


def current_line_of(rows: list[list[str]], atena: int, line: int) -> int:
    """The line of the last row of the person on ``line``."""
    person = rows[line - 1][atena]
    return max(n for n, row in enumerate(rows[1:], start=2) if row[atena] == person)
