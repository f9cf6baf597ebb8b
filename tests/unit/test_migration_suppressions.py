"""The 支援措置等 file of the layout: a suppression setting ↔ one row, losslessly."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from jichitai.adapters.standard_layout.layout import load_layout
from jichitai.domain.access.suppression import Process, Suppression, SuppressionKind
from jichitai.domain.errors import Severity
from jichitai.domain.migration.suppressions import SuppressionRow, suppression_row
from jichitai.services.layout_mapping import RowMapper

pytestmark = pytest.mark.spec("10.6")

NOW = datetime(2026, 11, 26, 1, 30, 15, 123456, tzinfo=UTC)


def _mapper() -> RowMapper:
    layout = load_layout("1.0")
    return RowMapper(layout.file("suppression"), layout.code_tables)


def a_setting(**overrides: object) -> Suppression:
    values: dict[str, object] = {
        "municipality_code": "131016",
        "suppression_id": "0193-abc",
        "kind": SuppressionKind.DV_SUPPORT,
        "atena_number": "0000000018",
        "household_number": None,
        "processes": frozenset({Process.ISSUE, Process.FEED}),
        "level": Severity.ERROR,
        "starts_on": date(2026, 4, 1),
        "ends_on": date(2027, 3, 31),
        "reason": "配偶者からの暴力",
        "set_by": "dv",
        "set_at": NOW,
        "details": {"加害者": {"a.b": [1, None], "氏名": "髙橋"}},
        "lifted_by": "chief",
        "lifted_at": NOW,
        "released_by": "rev",
        "released_until": NOW,
        "version": 3,
    }
    values.update(overrides)
    return Suppression(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "setting",
    [
        a_setting(),
        a_setting(
            kind=SuppressionKind.SUPPRESSION,
            atena_number=None,
            household_number="0000000019",
            level=Severity.ALERT,
            processes=frozenset(Process),
            ends_on=None,
            details={},
            lifted_by=None,
            lifted_at=None,
            released_by=None,
            released_until=None,
            version=1,
        ),
    ],
)
def test_a_setting_goes_into_the_items_and_comes_back_unchanged(setting: Suppression) -> None:
    mapper = _mapper()
    row = mapper.record_to_row(suppression_row(setting))
    cells = dict(zip(mapper.file.header, row, strict=True))
    assert cells["拡張_その他"] == ""  # every value has an item of its own
    assert cells["措置ID"] == setting.suppression_id and cells["版"] == str(setting.version)
    assert cells["対象事務_証明書発行"] == ("1" if Process.ISSUE in setting.processes else "0")
    back = mapper.row_to_record(SuppressionRow, row).to_suppression(setting.municipality_code)
    assert back == setting and back.details == setting.details


@pytest.mark.parametrize(
    ("item", "value", "message"),
    [
        ("宛名番号", "", "宛名番号又は世帯番号"),
        ("世帯番号", "0000000019", "一方だけ"),
        ("対象事務_証明書発行", "0", "processes"),
        ("拡張_詳細", "[1]", "JSON オブジェクト"),
        ("終了年月日", "20200101", "終了年月日"),
        ("設定日時", "2026-11-26T01:30:00", "offset"),
    ],
)
def test_a_row_the_register_cannot_keep_is_refused(item: str, value: str, message: str) -> None:
    mapper = _mapper()
    setting = a_setting(processes=frozenset({Process.ISSUE}))
    row = mapper.record_to_row(suppression_row(setting))
    row[mapper.file.header.index(item)] = value
    with pytest.raises((ValueError, TypeError)) as refused:
        mapper.row_to_record(SuppressionRow, row)
    assert message in str(refused.value)
