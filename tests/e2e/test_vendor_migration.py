"""Another vendor's register, as its files arrive, taken in by ``jichitai layout import`` (issue 18).

The fixture (tests/fixtures/vendor_a, described in its README.md) is hand-written, not made by our
exporter: the standard items only, cp932 with CRLF, no manifest, the vendor's 8-digit numbers,
和暦 dates with era codes, full-width digits, half-width kana, padded text, two private-use 外字
with the vendor's 外字 map and a code map. ``expected.py`` beside it says, by hand, what every
history row of every person must be in our register. The import runs as a user runs it, with
``--ids renumber``; ``id_map.csv`` leads from the vendor's numbers to ours; every person's whole
history is then read back with ``jichitai resident show --history --json`` and compared item by
item. The items that view does not show (記載順位, 転出届出年月日, the households' heads and member
counts …) are compared in our own export of the imported municipality.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from jichitai.domain.common.dates import format_seireki, format_wareki
from jichitai.domain.common.municipality import municipality_check_digit
from jichitai.domain.residents.reasons import ChangeReason
from tests.e2e.conftest import Cli, own_database
from tests.fixtures.vendor_a.expected import (
    GAIJI,
    HOUSEHOLDS,
    PERSONS,
    SNAPSHOTS,
    Addr,
    Row,
    Unknown,
)

pytestmark = pytest.mark.spec("10.6")

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "vendor_a"
CODE = "28204" + municipality_check_digit("28204")  # 兵庫県西宮市
NAME = "兵庫県西宮市"
FULL_SPACE = "\u3000"
LABELS = {"kind_label", "status_label", "reason_label"}  # the values beside them are compared


def _import(*extra: str, gaiji_map: bool = True) -> list[str]:
    args = ["layout", "import", "--municipality", CODE, str(FIXTURE), "--encoding", "cp932"]
    if gaiji_map:
        args += ["--gaiji-map", str(FIXTURE / "gaiji_map.csv")]
    return [*args, "--code-map", str(FIXTURE / "code_map.csv"), "--ids", "renumber", *extra]


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _fresh(cli: Cli) -> Cli:
    assert cli.run("db", "upgrade").returncode == 0
    cli.ok("municipality", "add", CODE, NAME)
    return cli


@dataclass(frozen=True)
class Imported:
    cli: Cli
    summary: dict[str, Any]
    persons: dict[str, str]  # the vendor's 宛名番号 (as expected.py writes it) → ours
    households: dict[str, str]  # the vendor's 世帯番号 (as written) → ours
    export: Path  # our own export of the imported municipality (UTF-8)


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Imported]:
    with own_database(tmp_path_factory) as cli:
        _fresh(cli)
        reports = tmp_path_factory.mktemp("reports")
        result = cli.run(*_import("--report", str(reports)), "--json")
        report = reports / "import_report.csv"
        faults = report.read_text(encoding="utf-8") if report.exists() else "(no report)"
        assert result.returncode == 0, f"{result.stdout}\n{result.stderr}\n{faults}"
        summary: dict[str, Any] = json.loads(result.stdout)
        persons, households = _id_map(Path(summary["id_map"]))
        export = tmp_path_factory.mktemp("ours") / "export"
        cli.ok("layout", "export", "-m", CODE, "--out", str(export))
        yield Imported(cli, summary, persons, households, export)


def _id_map(path: Path) -> tuple[dict[str, str], dict[str, str]]:
    """The map, keyed by the vendor's numbers as the fixture writes them. The import may write
    a source number as the cell had it or without its leading zeros: both are taken."""
    rows = _csv(path)
    by_value = {(row["種別"], int(row["移行元の番号"])): row["新しい番号"] for row in rows}
    persons = {theirs: by_value.get(("宛名番号", int(theirs)), "") for theirs in PERSONS}
    households = {theirs: by_value.get(("世帯番号", int(theirs)), "") for theirs in HOUSEHOLDS}
    assert len(rows) == len(PERSONS) + len(HOUSEHOLDS), rows
    missing = [n for n, new in (persons | households).items() if not new]
    assert not missing, f"id_map.csv has no new number for {missing}"
    return persons, households


# -- the expected view ---------------------------------------------------------------------------


def _address(a: Addr | None) -> str | None:
    if a is None:
        return None
    if a.country:
        return FULL_SPACE.join(part for part in (a.country, a.overseas_text) if part)
    line = f"{a.prefecture}{a.city}{a.town_area}{a.lot_text}"
    return f"{line}{FULL_SPACE}{a.address_supplement}" if a.address_supplement else line


def _wareki(d: date | None) -> str | None:
    return format_wareki(d) if d else None


def _retained_until(removed: date) -> str:
    try:
        kept = removed.replace(year=removed.year + 150)
    except ValueError:
        kept = removed.replace(year=removed.year + 150, day=28)
    return format_wareki(kept)


def expected_view(row: Row, atena_number: str, household_number: str) -> dict[str, Any]:
    """What ``resident show --json`` must answer for one history row (presenters.record_view:
    和暦 but a foreign resident's birth date and stay expiry in 西暦; 不詳日 as their wording)."""
    foreign = row.kind == "foreign"
    if isinstance(row.birth, Unknown):
        birth, birth_kind = row.birth.text, "unknown"
    else:
        birth = format_seireki(row.birth) if foreign else format_wareki(row.birth)
        birth_kind = "calendar"
    view: dict[str, Any] = {
        "atena_number": atena_number,
        "history_number": row.history_number,
        "household_number": household_number,
        "kind": row.kind,
        "status": row.status,
        "name": f"{row.family}{FULL_SPACE}{row.given}" if row.given else row.family,
        "name_kana": FULL_SPACE.join(p for p in (row.family_kana, row.given_kana) if p),
        "kana_confirmed": row.kana_confirmed,
        "birth_date": birth,
        "birth_date_kind": birth_kind,
        "sex": row.sex,
        "relationship": row.relationship,
        "address": _address(row.address),
        "postcode": f"{row.address.postcode[:3]}-{row.address.postcode[3:]}",
        "became_resident_on": format_wareki(row.became_resident_on),
        "address_set_on": format_wareki(row.address_set_on),
        "filed_on": _wareki(row.filed_on),
        "previous_address": _address(row.previous_address),
        "reason": row.reason,
        "effective_on": format_wareki(row.effective_on),
        "resident_code": None,
        "individual_number": None,
    }
    if row.domicile is not None or row.register_head is not None:
        view["registered_domicile"] = row.domicile
        view["family_register_head"] = row.register_head
    if row.former_surname is not None:
        view["former_surname"] = row.former_surname
    if row.foreign is not None:
        f = row.foreign
        view["foreign"] = {
            "roman_name": f.roman_name,
            "nationality": f.nationality,
            "category": f.category,
            "residence_status": f.residence_status,
            "period_of_stay": f.period_of_stay,
            "stay_expires_on": format_seireki(f.stay_expires_on),
            "residence_card_number": f.residence_card_number,
            "became_foreign_resident_on": format_wareki(f.became_foreign_resident_on),
            "alias": None,
        }
    if row.move_out is not None:
        m = row.move_out
        view["move_out"] = {
            "planned_on": format_wareki(m.planned_on),
            "onward_address": _address(m.onward_address),
            "notice_on": None,
            "confirmed_address": None,
            "confirmed_on": None,
        }
    if row.status != "resident":
        assert row.removed_on is not None and row.removal_reason is not None
        view["removal_reason"] = ChangeReason(row.removal_reason).label
        view["removed_on"] = format_wareki(row.removed_on)
        view["retained_until"] = _retained_until(row.removed_on)
    return view


def mismatches(where: str, expected: dict[str, Any], actual: dict[str, Any]) -> list[str]:
    """One line per item that differs (nested objects item by item), and per item shown that
    the fixture does not have."""
    found = []
    for key in sorted(expected.keys() | (actual.keys() - LABELS)):
        want, got = expected.get(key), actual.get(key)
        if isinstance(want, dict) and isinstance(got, dict):
            found += mismatches(f"{where} {key}", want, got)
        elif want != got:
            found.append(f"{where} {key}: expected {want!r}, shown {got!r}")
    return found


# -- the tests -----------------------------------------------------------------------------------


def test_the_vendors_register_is_taken_in_whole(imported: Imported) -> None:
    summary = imported.summary
    assert summary["written"] is True and summary["faults"] == 0, summary
    assert summary["ids"] == "renumber"
    assert (summary["persons"], summary["snapshots"], summary["households"]) == (
        len(PERSONS),
        SNAPSHOTS,
        len(HOUSEHOLDS),
    )
    stats = imported.cli.ok("stats", "-m", CODE)
    assert stats["persons"] == len(PERSONS)
    assert stats["residents"] == sum(h.members for h in HOUSEHOLDS.values())
    assert stats["foreign_residents"] == 2 and stats["removed_records"] == 2
    assert imported.cli.ok("journal", "verify", "-m", CODE)["entries"] == SNAPSHOTS
    # New numbers are this register's: 10 digits, distinct per kind (two sequences).
    for news in (list(imported.persons.values()), list(imported.households.values())):
        assert all(len(n) == 10 and n.isdigit() for n in news) and len(set(news)) == len(news)


def test_every_item_of_every_history_row_is_what_the_vendor_meant(imported: Imported) -> None:
    found: list[str] = []
    for theirs, rows in PERSONS.items():
        ours = imported.persons[theirs]
        shown = imported.cli.ok("resident", "show", "-m", CODE, ours, "--history")
        if len(shown) != len(rows):
            found.append(
                f"{theirs} ({ours}): {len(shown)} history rows shown, {len(rows)} expected"
            )
            continue
        for row, actual in zip(rows, shown, strict=True):
            where = f"{theirs} ({ours}) 履歴 {row.history_number}"
            household = imported.households[row.household]
            found += mismatches(where, expected_view(row, ours, household), actual)
    assert not found, f"{len(found)} items differ:\n" + "\n".join(found)


def test_the_items_the_view_does_not_show_are_in_our_export(imported: Imported) -> None:
    """記載順位, 転出届出年月日, 特例転出フラグ, 旧氏 and the date kinds per row; each household's
    head, member count and address."""
    found: list[str] = []
    rows = {
        (r["宛名番号"], int(r["個人履歴番号"])): r for r in _csv(imported.export / "juki_jumin.csv")
    }
    for theirs, history in PERSONS.items():
        ours = imported.persons[theirs]
        for row in history:
            cells = rows.get((ours, row.history_number))
            where = f"{theirs} ({ours}) 履歴 {row.history_number}"
            if cells is None:
                found.append(f"{where}: not in the export")
                continue
            move_out = row.move_out
            want = {
                "記載順位": str(row.display_order),
                "転出届出年月日": move_out.filed_on.strftime("%Y%m%d")
                if move_out and move_out.filed_on
                else "",
                "特例転出フラグ": "1" if move_out and move_out.special else "0",
                "旧氏": row.former_surname or "",
                "生年月日_不詳フラグ": "2" if isinstance(row.birth, Unknown) else "0",
                "住所_方書": row.address.address_supplement,
                "住所_町字コード": "",
            }
            found += [
                f"{where} {item}: expected {value!r}, exported {cells[item]!r}"
                for item, value in want.items()
                if cells[item] != value
            ]
    households = {r["世帯番号"]: r for r in _csv(imported.export / "juki_setai.csv")}
    for theirs, expected in HOUSEHOLDS.items():
        ours = imported.households[theirs]
        cells = households.get(ours, {})
        head = imported.persons[expected.head] if expected.head else ""
        for item, value in (
            ("世帯主_宛名番号", head),
            ("世帯員数", str(expected.members)),
            ("住所", expected.address),
        ):
            if cells.get(item) != value:
                found.append(
                    f"世帯 {theirs} ({ours}) {item}: expected {value!r}, exported {cells.get(item)!r}"
                )
    assert not found, f"{len(found)} items differ:\n" + "\n".join(found)


def test_a_dry_run_checks_everything_and_writes_nothing(
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    with own_database(tmp_path_factory) as cli:
        _fresh(cli)
        result = cli.run(*_import("--dry-run", "--report", str(tmp_path)), "--json")
        assert result.returncode == 0, f"{result.stdout}\n{result.stderr}"
        summary = json.loads(result.stdout)
        assert summary["written"] is False and summary["faults"] == 0, summary
        assert summary["persons"] == len(PERSONS) and summary["snapshots"] == SNAPSHOTS
        assert not summary["id_map"] and not (tmp_path / "id_map.csv").exists()
        assert cli.ok("stats", "-m", CODE)["persons"] == 0


def test_without_the_gaiji_map_the_private_use_characters_are_refused_by_name(
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    with own_database(tmp_path_factory) as cli:
        _fresh(cli)
        result = cli.run(*_import("--report", str(tmp_path), gaiji_map=False), "--json")
        assert result.returncode == 2, f"{result.stdout}\n{result.stderr}"
        assert result.stdout.strip(), f"refused before reading: {result.stderr}"
        summary = json.loads(result.stdout)
        assert summary["written"] is False and summary["faults"] > 0, summary
        report = _csv(tmp_path / "import_report.csv")
        for line, atena, item, code_point in GAIJI:
            named = [
                r
                for r in report
                if r["ファイル"] == "juki_jumin.csv"
                and r["行"] == str(line)
                and r["項目"] == item
                and atena in r["内容"]
                and code_point in r["内容"]
            ]
            assert named, f"no fault names line {line}, {atena}, {item}, {code_point}: {report}"
        # Nothing else is wrong with the files: every fault is one of those characters.
        assert all("U+E001" in r["内容"] or "U+E0A5" in r["内容"] for r in report), report
        assert cli.ok("stats", "-m", CODE)["persons"] == 0
