"""``jichitai layout import`` into a municipality with a 町字 master (ADR 0013): a living
resident's current 町字 not in the master is a fault of that row (file, line, item, code,
Japanese message) and nothing is written; ``--allow-town-areas-outside-master`` takes it in and
lists the row in the report. Without a master nothing is checked."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e.conftest import Cli
from tests.e2e.test_address_cli import DEMO_MASTER
from tests.e2e.test_layout_import_addresses import (
    JUMIN,
    SOURCE,
    SOURCE_NAME,
    code_of,
    edited,
    living_lines,
    rows_of,
)

pytestmark = [pytest.mark.spec("1.3.3"), pytest.mark.spec("10.6")]

NOWHERE = "幻町九丁目"


@pytest.fixture(scope="module")
def export(cli: Cli, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo register of 千代田区 (its addresses all in the demo master), exported."""
    assert cli.run("db", "upgrade").returncode == 0
    cli.ok("municipality", "add", SOURCE, SOURCE_NAME)
    cli.ok("demo", "seed", "-m", SOURCE, "--residents", "40", "--seed", "5")
    out = tmp_path_factory.mktemp("town_areas") / "export"
    cli.ok("layout", "export", "-m", SOURCE, "--out", str(out))
    return out


def with_master(cli: Cli, first5: str, tmp_path: Path) -> str:
    """A new tenant named 千代田区 with the demo master loaded (its 全国地方公共団体コード made
    the tenant's)."""
    code = code_of(first5)
    cli.ok("municipality", "add", code, SOURCE_NAME)
    lines = DEMO_MASTER.read_text(encoding="utf-8").splitlines(keepends=True)
    master = tmp_path / f"{code}.csv"
    master.write_text(
        "".join([lines[0], *(line.replace(SOURCE, code, 1) for line in lines[1:])]),
        encoding="utf-8",
    )
    assert cli.ok("address", "import", "--municipality", code, str(master))["town_areas"] > 50
    return code


def test_a_town_area_outside_the_master_is_refused_by_line_and_nothing_is_written(
    cli: Cli, export: Path, tmp_path: Path
) -> None:
    code = with_master(cli, "13197", tmp_path)
    clean = cli.ok("layout", "import", "-m", code, str(export), "--dry-run", "--report",
                   str(tmp_path / "clean"))  # fmt: skip
    assert clean["faults"] == 0  # every demo address lies in the demo master
    living = sorted(living_lines(export))
    bad = edited(export, tmp_path / "bad", {living[3]: {"住所_町字": NOWHERE}})
    refused = cli.run(
        "layout", "import", "-m", code, str(bad), "--report", str(tmp_path / "r"), "--json"
    )
    assert refused.returncode == 2, refused.stderr
    summary = json.loads(refused.stdout)
    assert summary["written"] is False
    assert summary["faults_by_code"] == {"address.town_area_not_in_master": 1}
    (row,) = rows_of(tmp_path / "r" / "import_report.csv")[1:]
    assert (row[0], int(row[1]), row[2], row[3]) == (
        JUMIN,
        living[3],
        "住所_町字",
        "address.town_area_not_in_master",
    )
    assert f"町字「{NOWHERE}」は町字マスター" in row[4] and "にありません" in row[4]
    assert cli.ok("stats", "-m", code)["persons"] == 0
    # On a terminal the refusal names the line and says how to take it in knowingly; the same
    # when the rows are checked in worker processes (they get the master read once).
    told = cli.run("layout", "import", "-m", code, str(bad), "--workers", "2", "--report",
                   str(tmp_path / "t"))  # fmt: skip
    assert told.returncode == 2
    assert f"{JUMIN}:{living[3]} 住所_町字 address.town_area_not_in_master" in told.stderr
    assert "--allow-town-areas-outside-master" in told.stderr
    # The flag for addresses outside the municipality does not let it in: another fact.
    other_flag = cli.run("layout", "import", "-m", code, str(bad), "--allow-addresses-outside",
                         "--report", str(tmp_path / "o"), "--json")  # fmt: skip
    assert other_flag.returncode == 2
    assert cli.ok("stats", "-m", code)["persons"] == 0


def test_the_flag_takes_it_in_and_without_a_master_nothing_is_checked(
    cli: Cli, export: Path, tmp_path: Path
) -> None:
    living = sorted(living_lines(export))
    bad = edited(export, tmp_path / "bad", {living[3]: {"住所_町字": NOWHERE}})
    code = with_master(cli, "13196", tmp_path)
    done = cli.ok("layout", "import", "-m", code, str(bad), "--allow-town-areas-outside-master",
                  "--report", str(tmp_path / "done"))  # fmt: skip
    assert done["written"] is True and done["faults"] == 0
    assert done["allow_town_areas_outside_master"] is True
    assert done["town_areas_outside_master"] == 1
    (row,) = rows_of(Path(done["report"]))[1:]
    assert (int(row[1]), row[2], row[3]) == (
        living[3],
        "住所_町字",
        "import.town_area_outside_master_allowed",
    )
    assert "町字マスターにない町字を認める指定により取り込み" in row[4]
    assert cli.ok("stats", "-m", code)["persons"] == done["persons"]
    assert cli.ok("journal", "verify", "-m", code)["entries"] == done["snapshots"]
    # A municipality that has loaded no master takes the same files in without a word.
    bare = code_of("13195")
    cli.ok("municipality", "add", bare, SOURCE_NAME)
    plain = cli.ok("layout", "import", "-m", bare, str(bad), "--report", str(tmp_path / "bare"))
    assert plain["written"] is True and plain["town_areas_outside_master"] == 0
