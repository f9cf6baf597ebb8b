"""``jichitai layout export`` as a user runs it: files, counts, 外字 report and refusals."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import pytest

from jichitai.adapters.standard_layout.layout import load_layout
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


def _csv(path: Path, encoding: str) -> list[list[str]]:
    with path.open(encoding=encoding, newline="") as f:
        return list(csv.reader(f))


@pytest.mark.spec("10.6")
def test_standard_only_writes_the_standard_items_as_the_full_export_has_them(
    seeded: Cli, tmp_path: Path
) -> None:
    layout = load_layout("1.0")
    full, std, both = tmp_path / "full", tmp_path / "std", tmp_path / "both"
    export = ("layout", "export", "-m", CODE, "--encoding", "cp932", "--out")
    seeded.ok(*export, str(full))
    out = seeded.ok(*export, str(std), "--standard-only")
    assert out["standard_only"] is True and out["extension_files"] == {}
    manifest = json.loads((std / "manifest.json").read_text(encoding="utf-8"))
    full_manifest = json.loads((full / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["standard_only"] is True and full_manifest["standard_only"] is False
    assert "extension_files" not in manifest
    names = {f.file_name for f in layout.files}
    assert {p.name for p in std.iterdir()} == names | {"gaiji_report.csv", "manifest.json"}
    for layout_file, entry in zip(layout.files, manifest["files"], strict=True):
        data = (std / layout_file.file_name).read_bytes()
        assert entry["file"] == layout_file.file_name
        assert (entry["bytes"], entry["sha256"]) == (len(data), hashlib.sha256(data).hexdigest())
        rows = _csv(std / layout_file.file_name, "cp932")
        whole = _csv(full / layout_file.file_name, "cp932")
        standard = [item.name for item in layout_file.items if not item.extension]
        # No extension item, none named 拡張_…, the rest in layout order, as the manifest says.
        assert rows[0] == standard == entry["items"]
        assert not [name for name in rows[0] if name.startswith("拡張_")]
        assert entry["rows"] == len(rows) - 1 == len(whole) - 1 == out["files"][entry["file"]]
        at = [whole[0].index(name) for name in standard]
        assert rows[1:] == [[row[i] for i in at] for row in whole[1:]]  # row for row
    # The 外字 report is the full one without the lines of the items left out.
    extension = {(f.file_name, i.name) for f in layout.files for i in f.items if i.extension}
    report = _csv(std / "gaiji_report.csv", "utf-8")
    full_report = _csv(full / "gaiji_report.csv", "utf-8")
    kept = [r for r in full_report[1:] if (r[0], r[3]) not in extension]
    assert report[1:] == kept and len(kept) == out["gaiji_characters"] > 0

    # With --extensions-beside the items left out go into a side file keyed by the row's key.
    out = seeded.ok(*export, str(both), "--standard-only", "--extensions-beside")
    for layout_file in layout.files:
        name = layout_file.file_name
        assert (both / name).read_bytes() == (std / name).read_bytes()
    manifest = json.loads((both / "manifest.json").read_text(encoding="utf-8"))
    sides = manifest["extension_files"]
    assert [s["of"] for s in sides] == [f.file_name for f in layout.files]
    assert out["extension_files"] == {s["file"]: s["rows"] for s in sides}
    for layout_file, side in zip(layout.files, sides, strict=True):
        data = (both / side["file"]).read_bytes()
        assert (side["bytes"], side["sha256"]) == (len(data), hashlib.sha256(data).hexdigest())
        rows = _csv(both / side["file"], "cp932")
        extensions = [item.name for item in layout_file.items if item.extension]
        assert rows[0] == side["key"] + extensions == side["items"]
        # Standard row + side row, joined on the key, give back the full export's row.
        whole = _csv(full / layout_file.file_name, "cp932")
        standard = _csv(std / layout_file.file_name, "cp932")
        key_at = [standard[0].index(k) for k in side["key"]]
        joined = [
            dict(zip(standard[0], s, strict=True)) | dict(zip(rows[0], e, strict=True))
            for s, e in zip(standard[1:], rows[1:], strict=True)
            if [s[i] for i in key_at] == e[: len(key_at)]
        ]
        assert joined == [dict(zip(whole[0], row, strict=True)) for row in whole[1:]]

    errors = seeded.refused(
        "layout", "export", "-m", CODE, "--out", str(tmp_path / "x"), "--extensions-beside"
    )
    assert errors[0]["code"] == "export.extensions_beside"
    assert not (tmp_path / "x").exists()


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
