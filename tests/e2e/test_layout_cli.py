"""``jichitai layout export`` as a user runs it: files, counts, 外字 report and refusals."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from jichitai.domain.common.municipality import municipality_check_digit
from tests.e2e.conftest import Cli

CODE = "27100" + municipality_check_digit("27100")  # 大阪市
UNKNOWN = "27999" + municipality_check_digit("27999")


@pytest.fixture(scope="module")
def seeded(cli: Cli) -> Cli:
    assert cli.run("db", "upgrade").returncode == 0
    cli.ok("municipality", "add", CODE, "大阪府大阪市")
    cli.ok("demo", "seed", "-m", CODE, "--residents", "120", "--seed", "5")
    return cli


@pytest.mark.spec("10.6")
def test_export_writes_every_file_and_reports_gaiji(seeded: Cli, tmp_path: Path) -> None:
    out = seeded.ok(
        "layout", "export", "-m", CODE, "--out", str(tmp_path / "x"), "--encoding", "cp932"
    )
    assert out["encoding"] == "cp932" and out["layout_version"] == "1.0"
    manifest = json.loads((tmp_path / "x" / "manifest.json").read_text(encoding="utf-8"))
    assert {f["file"]: f["rows"] for f in manifest["files"]} == out["files"]
    assert out["files"]["juki_jumin.csv"] >= out["persons"] > 100
    with (tmp_path / "x" / "gaiji_report.csv").open(encoding="utf-8", newline="") as report:
        rows = list(csv.reader(report))
    assert len(rows) - 1 == out["gaiji_characters"] == manifest["gaiji_report"]["characters"]
    stats = seeded.ok("stats", "-m", CODE)
    assert out["persons"] == stats["persons"]


def test_export_refusals_are_json_with_exit_status_2(seeded: Cli, tmp_path: Path) -> None:
    errors = seeded.refused("layout", "export", "-m", UNKNOWN, "--out", str(tmp_path / "a"))
    assert errors[0]["code"] == "municipality.not_found"
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "keep.txt").write_text("x", encoding="utf-8")
    errors = seeded.refused("layout", "export", "-m", CODE, "--out", str(tmp_path / "full"))
    assert errors[0]["code"] == "export.out_not_empty"
    result = seeded.run(
        "layout", "export", "-m", CODE, "--out", str(tmp_path / "b"), "--encoding", "latin1"
    )
    assert result.returncode == 2
