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


@pytest.mark.spec("10.6")
def test_import_checks_first_then_writes_all_and_refuses_bad_input(
    seeded: Cli, tmp_path: Path
) -> None:
    target = "27102" + municipality_check_digit("27102")
    seeded.ok("municipality", "add", target, "大阪府大阪市都島区")
    out = tmp_path / "export"
    seeded.ok("layout", "export", "-m", CODE, "--out", str(out))
    # A broken copy (an impossible date, so the hash differs too): exit 2, both faults reported.
    bad = tmp_path / "bad"
    bad.mkdir()
    for name in (
        "juki_jumin.csv",
        "juki_setai.csv",
        "juki_shien_sochi.csv",
        "gaiji_report.csv",
        "manifest.json",
    ):
        (bad / name).write_bytes((out / name).read_bytes())
    with (bad / "juki_jumin.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    rows[3][rows[0].index("異動年月日")] = "20251301"
    with (bad / "juki_jumin.csv").open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\r\n").writerows(rows)
    reports = tmp_path / "reports"
    result = seeded.run(
        "layout", "import", "-m", target, str(bad), "--report", str(reports), "--json"
    )
    assert result.returncode == 2, result.stderr
    summary = json.loads(result.stdout)
    assert summary["written"] is False and summary["faults"] == 2
    assert summary["faults_by_code"]["import.date"] == 1
    assert "import.sha256" in summary["faults_by_code"]
    with (reports / "import_report.csv").open(encoding="utf-8", newline="") as report:
        rows = list(csv.reader(report))
    assert ["juki_jumin.csv", "4", "異動年月日"] in [row[:3] for row in rows]
    assert seeded.ok("stats", "-m", target)["persons"] == 0
    # The good export: a dry run writes nothing, then the import writes everything.
    dry = seeded.ok(
        "layout", "import", "-m", target, str(out), "--dry-run", "--report", str(reports)
    )
    assert dry["faults"] == 0 and dry["written"] is False
    shown = seeded.run(
        "layout",
        "import",
        "-m",
        target,
        str(out),
        "--dry-run",
        "--progress",
        "--report",
        str(reports),
    )
    assert shown.returncode == 0, shown.stderr
    assert "検査 juki_jumin.csv" in shown.stdout and "行/秒" in shown.stdout
    assert seeded.ok("stats", "-m", target)["persons"] == 0
    done = seeded.ok("layout", "import", "-m", target, str(out), "--report", str(reports))
    assert done["written"] is True and done["persons"] == seeded.ok("stats", "-m", CODE)["persons"]
    assert seeded.ok("journal", "verify", "-m", target)["entries"] == done["snapshots"]
    errors = seeded.refused("layout", "import", "-m", target, str(out), "--report", str(reports))
    assert errors[0]["code"] == "migration.not_empty"
    # Renumbered into another municipality: new numbers, and the map from the old ones.
    other = "27103" + municipality_check_digit("27103")
    seeded.ok("municipality", "add", other, "大阪府大阪市福島区")
    renumbered = seeded.ok(
        "layout",
        "import",
        "-m",
        other,
        str(out),
        "--ids",
        "renumber",
        "--report",
        str(reports),
        "--workers",
        "2",
    )
    assert renumbered["written"] is True and renumbered["ids"] == "renumber"
    assert renumbered["workers"] == 2 and renumbered["peak_memory_mb"] > done["peak_memory_mb"] > 0
    with Path(renumbered["id_map"]).open(encoding="utf-8", newline="") as id_map:
        pairs = list(csv.reader(id_map))[1:]
    assert len(pairs) == renumbered["persons"] + renumbered["households"]
    assert seeded.ok("stats", "-m", other)["persons"] == done["persons"]
    wrong = seeded.run("layout", "import", "-m", other, str(out), "--ids", "shuffle")
    assert wrong.returncode == 2


@pytest.mark.spec("10.6")
def test_import_of_files_without_manifest_takes_the_encoding_from_the_option(
    seeded: Cli, tmp_path: Path
) -> None:
    target = "27104" + municipality_check_digit("27104")
    seeded.ok("municipality", "add", target, "大阪府大阪市此花区")
    out = tmp_path / "export"
    seeded.ok("layout", "export", "-m", CODE, "--out", str(out), "--encoding", "cp932")
    reports = tmp_path / "reports"
    against = seeded.run(
        "layout", "import", "-m", target, str(out), "--encoding", "utf-8", "--json"
    )
    assert against.returncode == 2, against.stderr
    assert json.loads(against.stdout)["faults_by_code"] == {"import.encoding_mismatch": 1}
    (out / "manifest.json").unlink()  # as another system writes them: no manifest
    unknown = seeded.run("layout", "import", "-m", target, str(out), "--json")
    assert unknown.returncode == 2, unknown.stderr
    assert set(json.loads(unknown.stdout)["faults_by_code"]) == {"import.encoding_required"}
    done = seeded.ok(
        "layout", "import", "-m", target, str(out), "--encoding", "cp932", "--report", str(reports)
    )
    assert done["written"] is True and done["faults"] == 0
    assert done["persons"] == seeded.ok("stats", "-m", CODE)["persons"]
