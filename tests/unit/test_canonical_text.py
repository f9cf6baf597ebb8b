"""The journal's fast canonical text (orjson) is byte for byte the codec's canonical JSON."""

from __future__ import annotations

from datetime import date

from jichitai.codec import canonical_json
from jichitai.domain.common.dates import RecordDate
from jichitai.domain.residents.commands import Death
from jichitai.services.register import canonical_text
from tests.factories import a_foreign_person, a_header, a_household, a_person
from tests.fakes import FakeRegister, record


def test_snapshots_with_rare_characters_variation_selectors_and_unknown_dates_match() -> None:
    fake = FakeRegister()
    _, atenas = a_household(
        fake,
        a_person(name="𠮷田", given="葛\U000e0102子"),
        a_person(name="髙橋", given="一郎", relationship="夫", born="昭和20年頃"),
    )
    plan = record(
        fake,
        Death(
            header=a_header(), atena_number=atenas[1], died_on=RecordDate.parse("令和8年11月上旬")
        ),
    )
    other = FakeRegister()
    _, (foreign,) = a_household(other, a_foreign_person())
    snapshots = [*fake.snapshots.values(), *plan.records, other.currents[foreign.value]]
    assert len(snapshots) >= 3
    for snapshot in snapshots:
        assert canonical_text(snapshot) == canonical_json(snapshot)
    assert "𠮷" in canonical_text(snapshots[0])
    assert "\U000e0102" in canonical_text(snapshots[0])
    assert date(2026, 11, 1).isoformat() in canonical_text(plan.records[0])
    assert other.currents[foreign.value].foreign is not None
