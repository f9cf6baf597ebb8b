"""The record as of a date: one rule, whatever order dated changes are recorded in (ADR 0011).

A change may not be dated before the person's latest change, so every snapshot carries only
changes dated on or before its own 異動日, and the record in effect on a day is the snapshot
recorded last among those dated on or before it. Property: record the same dated 転居 in any
order; the register refuses exactly those dated before one it already holds, never half-writes
one, and for every day answers what the changes it holds, taken in date order, say.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from jichitai.bootstrap import App
from jichitai.domain.common.address import Address
from jichitai.domain.common.identifiers import AtenaNumber
from jichitai.domain.errors import DomainError
from jichitai.domain.residents.commands import InTownMove
from tests.apps import wire
from tests.factories import a_header, a_municipality, a_person, an_address
from tests.fakes import TODAY, SeededRandom
from tests.integration.test_register_service import move_in

FIRST = TODAY - timedelta(days=40)


@pytest.fixture(scope="module")
def app(engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> App:
    """One application for the module: Hypothesis runs every example in one test call."""
    return wire(engine, tmp_path_factory.mktemp("keys"), random=SeededRandom(11))


def lot(day: date) -> str:
    return f"{(day - FIRST).days}番"


def move_on(atena: str, day: date) -> InTownMove:
    return InTownMove(
        header=a_header(effective_on=day),
        atena_numbers=(AtenaNumber(atena),),
        address=Address.create(
            prefecture="鹿児島県", city="試験市", town_area="中央町", lot_text=lot(day)
        ),
    )


days = st.lists(
    st.integers(min_value=1, max_value=30).map(lambda n: FIRST + timedelta(days=n)),
    min_size=1,
    max_size=5,
    unique=True,
)


@settings(max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(order=days)
@pytest.mark.spec("1.2.1")
def test_any_recording_order_answers_every_day_as_the_changes_it_holds_in_date_order(
    app: App, order: list[date]
) -> None:
    code = a_municipality(app, "45")
    entered = app.register.record_change(
        code,
        move_in(a_person(), header=a_header(effective_on=FIRST), address=an_address()),
    )
    atena = entered.atena_numbers[0]
    held: list[date] = []
    for day in order:
        try:
            app.register.record_change(code, move_on(atena, day))
        except DomainError as refused:
            assert refused.code == "change.effective_before_latest"
            assert held and day < max(held)
            continue
        assert not held or day >= max(held)
        held.append(day)
    assert held[0] == order[0]
    assert len(app.queries.history(code, atena)) == 1 + len(held)  # a refusal writes nothing
    # Every day answers the latest change dated on or before it (none: the move-in's address).
    for offset in range(32):
        day = FIRST + timedelta(days=offset)
        expected = [d for d in held if d <= day]
        record = app.queries.as_of(code, atena, day)
        if expected:
            assert record.address.lot_text == lot(expected[-1]), (day, held)
        else:
            assert record.address == an_address()
    # Recorded in date order, the same changes are all held and answer alike.
    other = a_municipality(app, "45")
    again = app.register.record_change(
        other, move_in(a_person(), header=a_header(effective_on=FIRST), address=an_address())
    ).atena_numbers[0]
    for day in sorted(order):
        app.register.record_change(other, move_on(again, day))
    for offset in range(32):
        day = FIRST + timedelta(days=offset)
        expected = [d for d in sorted(order) if d <= day]
        if expected:
            assert app.queries.as_of(other, again, day).address.lot_text == lot(expected[-1])
