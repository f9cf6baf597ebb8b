"""``jichitai layout import --gaiji-map --code-map`` as a user runs it on another vendor's files.

The vendor's files are made from a small export of ours, then edited as another system would
have written them: one person's surname carries the vendor's 外字 (a private-use code point)
and 異動事由 and 性別 carry the vendor's codes; the manifest's sizes and hashes are rewritten.
"""

from __future__ import annotations

import csv
import hashlib
import json
import subprocess
from pathlib import Path

import pytest

from jichitai.domain.common.municipality import municipality_check_digit
from tests.e2e.conftest import Cli

SOURCE = "27100" + municipality_check_digit("27100")  # 大阪市
TARGET = "27102" + municipality_check_digit("27102")
VENDOR_GAIJI = "\ue000"
KUZU = "葛\U000e0102"  # 葛 with an IVS IPAmj明朝 draws a glyph of its own for
VENDOR_CODES = {"異動事由": {"11": "A1"}, "性別": {"1": "M", "2": "F"}}
FILES = ("juki_jumin.csv", "juki_setai.csv", "juki_shien_sochi.csv")


@pytest.fixture(scope="module")
def vendor(cli: Cli, tmp_path_factory: pytest.TempPathFactory) -> tuple[Cli, Path, str]:
    """The vendor's directory, and the 宛名番号 of the person with the 外字."""
    assert cli.run("db", "upgrade").returncode == 0
    cli.ok("municipality", "add", SOURCE, "大阪府大阪市")
    cli.ok("municipality", "add", TARGET, "大阪府大阪市都島区")
    cli.ok("demo", "seed", "-m", SOURCE, "--residents", "15", "--seed", "7")
    ours = tmp_path_factory.mktemp("ours") / "export"
    cli.ok("layout", "export", "-m", SOURCE, "--out", str(ours))
    theirs = tmp_path_factory.mktemp("vendor")
    with (ours / "juki_jumin.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    header = rows[0]
    at = {name: header.index(name) for name in ("宛名番号", "氏_日本人", "住民状態", "最新フラグ")}
    chosen = next(
        row[at["宛名番号"]]
        for row in rows[1:]
        if row[at["最新フラグ"]] == "1" and row[at["住民状態"]] == "1" and row[at["氏_日本人"]]
    )
    for row in rows[1:]:
        if row[at["宛名番号"]] == chosen:
            row[at["氏_日本人"]] = VENDOR_GAIJI + row[at["氏_日本人"]][1:]
        for item, table in (("異動事由", "異動事由"), ("消除事由", "異動事由"), ("性別", "性別")):
            cell = header.index(item)
            row[cell] = VENDOR_CODES[table].get(row[cell], row[cell])
    with (theirs / "juki_jumin.csv").open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\r\n").writerows(rows)
    for name in FILES[1:]:
        (theirs / name).write_bytes((ours / name).read_bytes())
    manifest = json.loads((ours / "manifest.json").read_text(encoding="utf-8"))
    for entry in manifest["files"]:
        data = (theirs / entry["file"]).read_bytes()
        entry["bytes"], entry["sha256"] = len(data), hashlib.sha256(data).hexdigest()
    (theirs / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), "utf-8")
    return cli, theirs, chosen


def test_an_unmapped_gaiji_is_a_fault_naming_person_item_and_code_point(
    vendor: tuple[Cli, Path, str], tmp_path: Path
) -> None:
    cli, theirs, chosen = vendor
    result = cli.run(
        "layout", "import", "-m", TARGET, str(theirs), "--report", str(tmp_path),
        "--workers", "2",
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    with (tmp_path / "import_report.csv").open(encoding="utf-8", newline="") as report:
        faults = list(csv.DictReader(report))
    gaiji = [f for f in faults if f["コード"] == "import.gaiji_unmapped"]
    assert gaiji and {f["項目"] for f in gaiji} == {"氏_日本人"}
    assert all(f"宛名番号 {chosen} " in f["内容"] and "U+E000" in f["内容"] for f in gaiji)
    assert any(f["コード"] == "import.code" and f["項目"] == "異動事由" for f in faults)
    assert cli.ok("stats", "-m", TARGET)["persons"] == 0  # all or nothing: nothing written


def test_the_maps_bring_the_mj_character_and_our_codes_into_register_and_certificate(
    vendor: tuple[Cli, Path, str], tmp_path: Path
) -> None:
    cli, theirs, chosen = vendor
    gaiji_map = tmp_path / "gaiji.csv"
    gaiji_map.write_text("移行元コード,文字,IVS,備考\r\nU+E000,葛,U+E0102,かずら\r\n", "utf-8-sig")
    code_map = tmp_path / "codes.csv"
    lines = [f"{t},{v},{o}," for t, codes in VENDOR_CODES.items() for o, v in codes.items()]
    code_map.write_text("コード表,移行元コード,コード,名称\r\n" + "\r\n".join(lines), "utf-8")
    # A bad line of a map refuses the import before anything is read.
    bad = tmp_path / "bad.csv"
    bad.write_text("移行元コード,文字\r\nU+E000,\ue001\r\n", "utf-8")
    errors = cli.refused("layout", "import", "-m", TARGET, str(theirs), "--gaiji-map", str(bad))
    assert [(e["code"], e["line"], e["field"]) for e in errors] == [
        ("gaiji_map.target_private_use", 2, "文字")
    ]

    done = cli.ok(
        "layout", "import", "-m", TARGET, str(theirs), "--report", str(tmp_path),
        "--gaiji-map", str(gaiji_map), "--code-map", str(code_map), "--workers", "2",
    )  # fmt: skip
    assert done["workers"] == 2  # the rows reach the workers translated
    assert done["written"] is True and done["faults"] == 0
    shown = cli.ok("resident", "show", "-m", TARGET, chosen)
    family = json.dumps(shown, ensure_ascii=False)
    assert KUZU in family and VENDOR_GAIJI not in family
    pdf = tmp_path / "juminhyo.pdf"
    cli.ok("demo", "certifier", "-m", TARGET)
    cli.ok("certificate", "issue", "-m", TARGET, "--person", chosen, "--out", str(pdf))
    text = subprocess.run(
        ["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert KUZU in "".join(text.split())  # drawn with its IVS, read back exactly
    stats, source = (cli.ok("stats", "-m", code) for code in (TARGET, SOURCE))
    counted = ("persons", "japanese_residents", "foreign_residents", "households")
    assert [stats[k] for k in counted] == [source[k] for k in counted]
    with (theirs / "juki_jumin.csv").open(encoding="utf-8", newline="") as f:
        written_a1 = sum(1 for row in csv.DictReader(f) if row["異動事由"] == "A1")
    # one journal entry per imported snapshot, under its own 異動事由: A1 read as our 11
    assert stats["events_by_reason"]["domestic_move_in"] == written_a1 > 0


def test_the_code_map_template_lists_every_code_and_reads_as_no_mapping(
    vendor: tuple[Cli, Path, str], tmp_path: Path
) -> None:
    cli = vendor[0]
    printed = cli.run("layout", "code-map-template")
    assert printed.returncode == 0, printed.stderr
    rows = list(csv.reader(printed.stdout.splitlines()))
    assert rows[0] == ["コード表", "移行元コード", "コード", "名称"]
    assert ["異動事由", "", "11", "国内転入"] in rows and ["続柄", "", "02", "世帯主"] in rows
    out = tmp_path / "template.csv"
    written = cli.ok("layout", "code-map-template", "--out", str(out))
    assert written["codes"] == len(rows) - 1
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")  # for Excel
