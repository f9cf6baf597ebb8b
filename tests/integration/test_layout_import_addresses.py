"""The import's address rules on a real database: what the overrides leave behind in the journal.

With ``allow_addresses_outside`` each living resident's current snapshot whose address lies
outside the municipality is written with the rule kept in its journal entry as an acknowledged
alert, beside the operator who ran the import (the CLI tests in
``tests/e2e/test_layout_import_addresses.py`` cover the refusal and the report); likewise with
``allow_outside_master`` for a 町字 not in the municipality's 町字 master
(``tests/e2e/test_layout_import_town_areas.py``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, delete

from jichitai.adapters.db import tables
from jichitai.adapters.db.unit_of_work import SqlUnitOfWork
from jichitai.bootstrap import App
from jichitai.demo.generator import seed_register
from jichitai.domain.common.municipality import municipality_check_digit
from jichitai.domain.errors import NotFound
from tests.apps import wire
from tests.database import append_only_lifted
from tests.factories import an_administrator
from tests.fakes import TOWN_AREA_HEADER, FixedClock, SeededRandom, TownAreaRows, town_area_row

SOURCE = "13114" + municipality_check_digit("13114")  # 中野区
TARGET = "13115" + municipality_check_digit("13115")  # 杉並区
UNKNOWN = "13116" + municipality_check_digit("13116")
SAME = "13117" + municipality_check_digit("13117")  # 中野区's register in a tenant of its name


def _forget(engine: Engine) -> None:
    with engine.begin() as connection, append_only_lifted(connection):
        for code in (SOURCE, TARGET, SAME):
            for table in reversed(tables.metadata.sorted_tables):
                if "municipality_code" in table.c:
                    connection.execute(delete(table).where(table.c.municipality_code == code))
            connection.execute(
                delete(tables.municipalities).where(tables.municipalities.c.code == code)
            )


@pytest.fixture(scope="module")
def app(engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[App, Path]]:
    _forget(engine)
    now = datetime(2026, 11, 26, 1, 30, tzinfo=UTC)
    keys = tmp_path_factory.mktemp("keys")
    app = wire(engine, keys, clock=FixedClock(now, date(2026, 11, 26)), random=SeededRandom(3))
    app.municipalities.add(SOURCE, "東京都中野区")
    app.municipalities.add(TARGET, "東京都杉並区")
    seed_register(
        app.register,
        SOURCE,
        municipality_prefecture="東京都",
        municipality_city="中野区",
        residents=40,
        seed=4,
        today=date(2026, 11, 26),
    )
    out = tmp_path_factory.mktemp("addresses") / "export"
    app.layout_export.export(SOURCE, str(out))
    yield app, out
    _forget(engine)


@pytest.mark.spec("10.6")
def test_each_resident_let_in_by_the_override_keeps_the_rule_in_its_journal_entry(
    app: tuple[App, Path], tmp_path: Path
) -> None:
    register, export = app
    refused = register.layout_import.import_export(TARGET, str(export), report_dir=str(tmp_path))
    assert not refused.written and refused.faults
    assert {f.code for f in refused.faults} == {"address.outside_municipality"}
    result = register.layout_import.import_export(
        TARGET,
        str(export),
        report_dir=str(tmp_path),
        operator="migrator",
        allow_addresses_outside=True,
    )
    assert result.written and result.faults == ()
    let_in = {f.line: f for f in result.addresses_outside}
    assert set(let_in) == {f.line for f in refused.faults}
    with SqlUnitOfWork(register.engine, TARGET, read_only=True) as uow:
        entries = uow.journal.journal()
    assert len(entries) == result.snapshots
    alerted = {}
    for entry in entries:
        payload = json.loads(entry.payload)
        assert entry.kind == "import" and entry.operator == "migrator"
        if payload["alerts"]:
            alerted[payload["import"]["line"]] = payload["alerts"]
    assert set(alerted) == set(let_in)
    for line, alerts in alerted.items():
        (alert,) = alerts
        assert alert["code"] == "address.outside_municipality"
        assert alert["severity"] == "alert" and alert["field"] == "address.city"
        assert alert["line"] == line and "東京都杉並区" in alert["message"]
    assert register.register.verify_chain(TARGET) == result.snapshots


@pytest.mark.spec("1.3.3")
@pytest.mark.spec("10.6")
def test_each_resident_whose_town_area_is_not_in_the_master_keeps_the_rule_when_let_in(
    app: tuple[App, Path], tmp_path: Path
) -> None:
    register, export = app
    register.municipalities.add(SAME, "東京都中野区")
    register.town_areas.import_master(
        an_administrator(SAME), TownAreaRows(TOWN_AREA_HEADER, town_area_row("0001000", "幻町"))
    )
    refused = register.layout_import.import_export(SAME, str(export), report_dir=str(tmp_path))
    assert not refused.written and refused.faults
    assert {(f.code, f.item) for f in refused.faults} == {
        ("address.town_area_not_in_master", "住所_町字")
    }
    result = register.layout_import.import_export(
        SAME, str(export), report_dir=str(tmp_path), operator="migrator", allow_outside_master=True
    )
    assert result.written and result.faults == () and result.addresses_outside == ()
    let_in = {f.line for f in result.town_areas_outside_master}
    assert let_in == {f.line for f in refused.faults}
    with SqlUnitOfWork(register.engine, SAME, read_only=True) as uow:
        entries = uow.journal.journal()
    alerted = {}
    for entry in entries:
        payload = json.loads(entry.payload)
        if payload["alerts"]:
            alerted[payload["import"]["line"]] = payload["alerts"]
    assert set(alerted) == let_in
    for line, (alert,) in alerted.items():
        assert (alert["code"], alert["field"], alert["line"]) == (
            "address.town_area_not_in_master",
            "address.town_area",
            line,
        )
        assert alert["severity"] == "alert" and "町字マスター" in alert["message"]
    assert register.register.verify_chain(SAME) == result.snapshots


def test_an_unknown_municipality_is_refused_before_anything_is_read(
    app: tuple[App, Path], tmp_path: Path
) -> None:
    register, export = app
    with pytest.raises(NotFound) as refused:
        register.layout_import.import_export(UNKNOWN, str(export), report_dir=str(tmp_path))
    assert refused.value.code == "municipality.not_found"
