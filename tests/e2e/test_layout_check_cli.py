"""``jichitai layout check`` as a migration team runs it on a vendor's files: the profile, and
that it writes nothing (no database needed, no municipality)."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import Cli

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "vendor_a"
CHECK = ("layout", "check", str(FIXTURE))


def _no_database(cli: Cli, tmp_path: Path) -> tuple[Cli, Path]:
    """The CLI pointed at an SQLite file that does not exist: a command that opened a database
    would create it (or refuse it as not upgraded)."""
    db = tmp_path / "never.db"
    return Cli({**cli.env, "JICHITAI_DATABASE_URL": f"sqlite:///{db}"}), db


def _vendor_codes_not_ours() -> dict[str, list[str]]:
    """The vendor's codes its code_map.csv maps to another code of ours (the others are ours)."""
    with (FIXTURE / "code_map.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    tables: dict[str, list[str]] = {}
    for row in rows:
        if row["移行元コード"] != row["コード"]:
            tables.setdefault(row["コード表"], []).append(row["移行元コード"])
    return {table: sorted(values) for table, values in tables.items()}


def test_check_profiles_a_vendors_files_without_a_database(cli: Cli, tmp_path: Path) -> None:
    bare, db = _no_database(cli, tmp_path)
    report: dict[str, Any] = bare.ok(*CHECK, "--encoding", "cp932")
    assert not db.exists()  # no database opened, let alone written; no municipality asked for
    assert set(report) == {
        "directory", "layout_version", "readable", "maps", "files",
        "codes", "gaiji", "history", "households", "removed", "dates",
    }  # fmt: skip
    assert report["readable"] is True and report["layout_version"] == "1.0"
    files = {f["file"]: f for f in report["files"]}
    assert list(files) == ["juki_jumin.csv", "juki_setai.csv", "juki_shien_sochi.csv"]
    for entry in files.values():
        assert entry["present"] is True
        assert (entry["encoding"], entry["encoding_from"], entry["line_ends"]) == (
            "cp932",
            "option",
            "CRLF",
        )
        items = entry["items"]
        assert (items["standard_missing"], items["unknown"], items["extensions_present"]) == (
            [],
            [],
            [],
        )
        assert items["in_layout_order"] is True and entry["faults"] == {}
    assert [files[n]["rows"] for n in files] == [40, 13, 0]
    assert files["juki_jumin.csv"]["items"]["present"] == 92  # the standard items only

    history = report["history"]
    assert (history["persons"], history["rows"]) == (32, 40)
    assert history["rows_per_person"] == {
        "min": 1,
        "max": 3,
        "distribution": {"1": 26, "2": 4, "3": 2},
    }
    assert history["history_numbers_not_1_to_n"]["count"] == 0
    assert history["latest_flag_not_exactly_one"]["count"] == 0

    households = report["households"]
    assert households["count"] == 13 and households["without_members"] == 1  # 0050000005
    assert households["member_count_differs"]["count"] == 0  # full-width ４ read as 4
    assert households["persons_without_household_row"]["count"] == 0
    # Without the code map the vendor's 世帯主 (its 01) is not ours: no household has a head.
    assert households["heads_not_one"]["count"] == 12
    assert report["removed"]["count"] == 2  # 佐藤 次郎 転出, 葛󠄂城 正男 死亡
    assert report["removed"]["by_status"] == {"2": 1, "3": 1}

    gaiji = report["gaiji"]
    assert gaiji["unmapped"] == ["U+E001", "U+E0A5"]
    assert {p: (s["count"], s["line"], s["item"]) for p, s in gaiji["code_points"].items()} == {
        "U+E001": (8, 10, "氏_日本人"),  # 氏 and 筆頭者 of 𠮷田, lines 10–13
        "U+E0A5": (8, 14, "氏_日本人"),  # 氏 and 筆頭者 of 葛󠄂城, lines 14–17
    }
    assert gaiji["items"] == {"juki_jumin.csv": {"氏_日本人": 8, "筆頭者": 8}}

    codes = report["codes"]["juki_jumin.csv"]
    vendor = _vendor_codes_not_ours()
    assert vendor == {"異動事由": ["10", "50"], "続柄": ["01", "90"]}
    assert codes["異動事由"]["not_ours"] == vendor["異動事由"]
    assert codes["続柄1"]["not_ours"] == vendor["続柄"]
    assert codes["異動事由"]["values"]["50"] == 3 and codes["続柄1"]["values"]["90"] == 1
    assert all(
        not seen["not_ours"] for item, seen in codes.items() if item[:2] not in ("異動", "続柄")
    )
    assert codes["消除事由"]["not_ours"] == []

    dates = report["dates"]["juki_jumin.csv"]
    assert dates["生年月日"] == {
        "yyyymmdd": 4, "wareki8": 29, "wareki7": 6, "unknown": 1, "empty": 0, "other": 0,
    }  # fmt: skip
    assert dates["住民となった年月日"]["wareki8"] == 7  # lines 14–17, 22–24
    assert "消除事由発生年月日" not in dates  # an extension item the vendor does not write


def test_with_the_maps_the_import_would_get_nothing_is_left_unmapped(
    cli: Cli, tmp_path: Path
) -> None:
    bare, db = _no_database(cli, tmp_path)
    maps = (
        "--gaiji-map",
        str(FIXTURE / "gaiji_map.csv"),
        "--code-map",
        str(FIXTURE / "code_map.csv"),
    )
    report: dict[str, Any] = bare.ok(*CHECK, "--encoding", "cp932", *maps)
    assert not db.exists()
    assert report["maps"] == {"code_map": True, "gaiji_map": True}
    assert report["gaiji"]["unmapped"] == []
    assert all(not seen["not_ours"] for seen in report["codes"]["juki_jumin.csv"].values())
    assert report["households"]["heads_not_one"]["count"] == 0  # the vendor's 01 is our 02
    # A map with a bad line is refused as the import refuses it, naming the line.
    bad = tmp_path / "bad_gaiji.csv"
    bad.write_text("移行元コード,文字,IVS,備考\nU+0041,A,,\n", encoding="utf-8")
    refused = bare.run(*CHECK, "--encoding", "cp932", "--gaiji-map", str(bad), "--json")
    assert refused.returncode == 2 and "gaiji_map.not_private_use" in refused.stderr


def test_check_summary_for_people_leaves_the_database_as_it_was(cli: Cli) -> None:
    assert cli.run("db", "upgrade").returncode == 0
    url = cli.env["JICHITAI_DATABASE_URL"]
    db = Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite:///") else None
    before = hashlib.sha256(db.read_bytes()).hexdigest() if db else ""
    result = cli.run(*CHECK, "--encoding", "cp932")
    assert result.returncode == 0, result.stderr
    text = result.stdout
    for expected in (
        "juki_jumin.csv",
        "cp932（--encoding）",
        "人 persons 32、行 rows 40",
        "世帯 households: 13",
        "除票 removed: 2",
        "U+E001 ×8 未対応 unmapped",
        "U+E0A5 ×8 未対応 unmapped",
        "未対応 not ours: 10, 50",
        "未対応 not ours: 01, 90",
        "和暦7桁×6",
    ):
        assert expected in text, expected
    if db:
        assert hashlib.sha256(db.read_bytes()).hexdigest() == before


def test_check_reports_bom_lf_and_unknown_columns_and_reads_on(cli: Cli, tmp_path: Path) -> None:
    """The review copies as another system might send them: UTF-8 with a BOM and LF; a column
    the layout has no item for is reported, and the rows are still profiled."""
    out = tmp_path / "bom"
    out.mkdir()
    for name in ("juki_jumin", "juki_setai"):
        text = (FIXTURE / f"{name}.utf8.csv").read_text(encoding="utf-8")
        if name == "juki_setai":
            lines = text.split("\n")
            text = "\n".join(
                [lines[0] + ",旧世帯番号"] + [line + ",X" if line else line for line in lines[1:]]
            )
        (out / f"{name}.csv").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    bare, _ = _no_database(cli, tmp_path)
    report = bare.ok("layout", "check", str(out))
    files = {f["file"]: f for f in report["files"]}
    assert files["juki_jumin.csv"]["encoding_from"] == "bom"
    assert files["juki_jumin.csv"]["line_ends"] == "LF"
    assert files["juki_shien_sochi.csv"]["present"] is False  # may be absent without a manifest
    assert files["juki_setai.csv"]["items"]["unknown"] == ["旧世帯番号"]
    assert files["juki_setai.csv"]["faults"] == {"import.unknown_item": 1}
    assert files["juki_setai.csv"]["rows"] == 13 and report["households"]["count"] == 13
    assert report["history"]["persons"] == 32 and report["readable"] is True


@pytest.mark.parametrize("case", ["no_directory", "no_encoding"])
def test_check_refuses_what_it_cannot_read_with_status_2(
    cli: Cli, tmp_path: Path, case: str
) -> None:
    bare, db = _no_database(cli, tmp_path)
    if case == "no_directory":
        errors = bare.refused("layout", "check", str(tmp_path / "absent"))
        assert [e["code"] for e in errors] == ["import.no_directory"]
        return
    # cp932 without a manifest, a BOM or --encoding: nothing is guessed.
    result = bare.run(*CHECK, "--json")
    assert result.returncode == 2, result.stderr
    errors = json.loads(result.stderr)["errors"]
    assert {(e["code"], e["field"]) for e in errors} == {
        ("import.encoding_required", "juki_jumin.csv"),
        ("import.encoding_required", "juki_setai.csv"),
        ("import.encoding_required", "juki_shien_sochi.csv"),
    }
    report = json.loads(result.stdout)
    assert report["readable"] is False
    assert [f["encoding"] for f in report["files"]] == [None, None, None]
    assert [f["present"] for f in report["files"]] == [True, True, True]
    assert not db.exists()
