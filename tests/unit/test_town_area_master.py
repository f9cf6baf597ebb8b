"""The 町字 master (ADR 0013): a row of the ABR 町字マスター read or refused with its faults, the
file read with or without a BOM, and the rule that a change's address names a 町字 of the
master in force on the 異動日 — an alert to acknowledge, never silently accepted."""

from __future__ import annotations

import pickle
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from jichitai.adapters.standard_layout.layout import load_layout
from jichitai.adapters.town_area_csv import CsvTownAreaSource
from jichitai.domain.common.town_areas import (
    TOWN_AREA_NOT_IN_MASTER,
    MasterIndex,
    TownArea,
    parse_town_area_row,
    town_area_fault,
    town_area_key,
)
from jichitai.domain.errors import DomainError, RuleViolations, Severity
from jichitai.domain.residents.changes import plan_change
from jichitai.domain.residents.commands import MoveIn
from jichitai.domain.residents.model import ResidentRecord, ResidentStatus
from jichitai.services.layout_mapping import RowMapper
from jichitai.services.migration_rows import Checked, SnapshotCheck
from tests.factories import a_header, a_person, a_previous_address, an_address
from tests.fakes import TOWN_AREA_HEADER, FakeRegister, context, town_area_row, violation
from tests.unit.test_layout_mapping import _japanese

pytestmark = [pytest.mark.spec("1.3.2"), pytest.mark.spec("1.3.3")]


class Master:
    """The ``TownAreaLookup`` over a list of entries."""

    def __init__(self, *areas: TownArea) -> None:
        self.areas = areas

    @property
    def loaded(self) -> bool:
        return bool(self.areas)

    def named(self, key: str) -> Sequence[TownArea]:
        return [a for a in self.areas if a.key == key]


def area(oaza: str, chome: str = "", **kw: object) -> TownArea:
    row = dict(zip(TOWN_AREA_HEADER, town_area_row("0001001", oaza, chome), strict=True))
    found, faults = parse_town_area_row(row, "131016")
    assert found is not None, faults
    return replace(found, **kw)  # type: ignore[arg-type]


def move_in(town_area: str, effective_on: date | None = None, *acknowledged: str) -> MoveIn:
    header = a_header(acknowledged_alerts=frozenset(acknowledged))
    if effective_on is not None:
        header = a_header(effective_on, acknowledged_alerts=frozenset(acknowledged))
    return MoveIn(
        header=header,
        members=(a_person(),),
        address=an_address(lot="2番3号", town_area=town_area),
        previous_address=a_previous_address(),
    )


def plan(command: MoveIn, master: Master | None) -> None:
    plan_change(command, FakeRegister(), replace(context(), town_areas=master))


def test_a_row_of_the_abr_layout_is_read_with_its_postcode_and_dates() -> None:
    row = dict(
        zip(
            TOWN_AREA_HEADER,
            ("0002001", "2", "霞が関", "一丁目", "", "1", "1967-04-01", "", "１００－００１３"),
            strict=True,
        )
    )
    found, faults = parse_town_area_row(row, "131016")
    assert faults == []
    assert found is not None
    assert (found.name, found.postcode, found.residence_indication) == (
        "霞が関一丁目",
        "1000013",
        True,
    )
    assert found.valid_from == date(1967, 4, 1) and found.valid_to is None
    assert not found.valid_on(date(1967, 3, 31)) and found.valid_on(date(2026, 1, 1))


def test_a_bad_row_names_every_fault_with_its_column() -> None:
    row = dict(
        zip(
            TOWN_AREA_HEADER,
            ("12", "9", "", "", "", "2", "2020-13-01", "2019-01-01", "12"),
            strict=True,
        )
    )
    found, faults = parse_town_area_row(row | {"全国地方公共団体コード": "131024"}, "131016")
    assert found is None
    assert {(f.code, f.field) for f in faults} == {
        ("town_area.id", "町字id"),
        ("town_area.kind", "町字区分コード"),
        ("town_area.name", "大字・町名"),
        ("town_area.flag", "住居表示フラグ"),
        ("town_area.date", "効力発生日"),
        ("town_area.postcode", "郵便番号"),
        ("town_area.municipality", "全国地方公共団体コード"),
    }


def test_names_are_compared_as_typed_loosely() -> None:
    assert town_area_key("霞が関 一丁目") == town_area_key("霞が関一丁目")
    assert town_area_key("ｶｽﾐ") == town_area_key("カスミ")


def test_an_address_in_the_master_passes_and_one_outside_is_an_alert_to_acknowledge() -> None:
    master = Master(area("霞が関"), area("丸の内", "一丁目"))
    plan(move_in("霞が関"), master)
    plan(move_in("丸の内一丁目"), master)
    with pytest.raises(RuleViolations) as refused:
        plan(move_in("霞ヶ関"), master)
    alert = violation(refused.value, TOWN_AREA_NOT_IN_MASTER, "address.town_area", Severity.ALERT)
    assert "霞ヶ関" in alert.message
    plan(move_in("霞ヶ関", None, TOWN_AREA_NOT_IN_MASTER), master)  # acknowledged: recorded


def test_the_town_area_must_be_in_force_on_the_day_of_the_change() -> None:
    abolished = Master(area("霞が関", valid_to=date(2026, 1, 1)))
    plan(move_in("霞が関", date(2025, 12, 31)), abolished)
    with pytest.raises(RuleViolations) as refused:
        plan(move_in("霞が関", date(2026, 1, 1)), abolished)
    assert "廃止" in violation(refused.value, TOWN_AREA_NOT_IN_MASTER).message


def test_without_a_master_nothing_is_checked() -> None:
    plan(move_in("どこにもない町"), None)
    plan(move_in("どこにもない町"), Master())


def test_the_csv_file_is_read_with_or_without_a_bom(tmp_path: Path) -> None:
    text = ",".join(TOWN_AREA_HEADER) + "\n" + ",".join(town_area_row("0001000", "千代田")) + "\n"
    for name, data in (("plain.csv", text.encode()), ("bom.csv", b"\xef\xbb\xbf" + text.encode())):
        path = tmp_path / name
        path.write_bytes(data)
        ((line, cells),) = list(CsvTownAreaSource(path).rows())
        assert (line, cells["町字id"], cells["大字・町名"]) == (2, "0001000", "千代田")


def test_a_file_without_the_abr_headers_or_not_in_utf8_is_refused_with_its_line(
    tmp_path: Path,
) -> None:
    headless = tmp_path / "headless.csv"
    headless.write_text("id,name\n1,千代田\n", encoding="utf-8")
    with pytest.raises(DomainError) as refused:
        list(CsvTownAreaSource(headless).rows())
    assert refused.value.code == "town_area.columns" and refused.value.violations[0].line == 1
    sjis = tmp_path / "sjis.csv"
    sjis.write_bytes((",".join(TOWN_AREA_HEADER) + "\n千代田\n").encode("cp932"))
    with pytest.raises(DomainError) as refused:
        list(CsvTownAreaSource(sjis).rows())
    assert refused.value.code == "town_area.encoding"


def test_every_address_the_demo_makes_in_chiyoda_lies_in_the_demo_master() -> None:
    from random import Random

    from jichitai.demo.places import MunicipalityPlaces

    path = Path(__file__).resolve().parents[2] / "src/jichitai/layouts/town_areas/131016.csv"
    areas = []
    for _, cells in CsvTownAreaSource(path).rows():
        found, faults = parse_town_area_row(cells, "131016")
        assert found is not None, faults
        areas.append(found)
    master = Master(*areas)
    places, rng = MunicipalityPlaces("東京都", "千代田区"), Random(1)
    for _ in range(500):
        plan(move_in(places.address(rng).town_area), master)


# --- the data migration import (jichitai layout import): the same rule on imported rows -------

LAYOUT = load_layout("1.0")
JUMIN = LAYOUT.file("resident_snapshot")
CHIYODA = ("131016", "東京都千代田区")


def imported(record: ResidentRecord, master: MasterIndex | None) -> Checked:
    """One 住民 row of an export of ``record``, checked as ``layout import`` checks it."""
    row = RowMapper(JUMIN, LAYOUT.code_tables).record_to_row(record, latest=True)
    check = SnapshotCheck(LAYOUT, JUMIN, True, lambda _: {}, CHIYODA, master)
    checked = check.check(2, row, None)
    assert checked.cell_faults == [] and checked.record_fault is None
    return checked


def test_an_imported_residents_town_area_is_held_to_the_master_on_its_change_date() -> None:
    kasumigaseki = _japanese(remarks="")  # 東京都千代田区霞が関一丁目2番3号, 異動日 2001-04-01
    assert kasumigaseki.address.town_area == "霞が関"
    assert imported(kasumigaseki, MasterIndex.of([area("霞が関")])).not_in_master is None
    missing = imported(kasumigaseki, MasterIndex.of([area("丸の内", "一丁目")])).not_in_master
    assert missing is not None
    assert (missing.code, missing.field) == (TOWN_AREA_NOT_IN_MASTER, "address.town_area")
    assert "霞が関" in missing.message and "2001年4月1日" in missing.message
    later = MasterIndex.of([area("霞が関", valid_from=date(2005, 1, 1))])
    not_yet = imported(kasumigaseki, later).not_in_master
    assert not_yet is not None and "効力発生前" in not_yet.message
    # The one decision the change checks ask too, with the same message.
    assert town_area_fault(kasumigaseki.address, later, date(2001, 4, 1)) == not_yet


def test_without_a_master_removed_records_and_addresses_elsewhere_are_not_asked() -> None:
    elsewhere = MasterIndex.of([area("丸の内", "一丁目")])
    record = _japanese(remarks="")
    assert imported(record, None).not_in_master is None
    assert imported(record, MasterIndex.of([])).not_in_master is None
    removed = replace(record, status=ResidentStatus.REMOVED)
    assert imported(removed, elsewhere).not_in_master is None
    osaka = replace(record, address=an_address(prefecture="大阪府", city="大阪市北区"))
    checked = imported(osaka, elsewhere)
    assert checked.outside is not None and checked.not_in_master is None
    # The master pickles whole, as worker processes get it.
    assert pickle.loads(pickle.dumps(elsewhere)) == elsewhere
