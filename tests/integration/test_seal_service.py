"""印鑑登録 through the real database: registration, 亡失, 廃止, abolition by the register's own
changes (転出, 死亡) in the same commit, the hash-chained seal journal, and refusals that write
nothing.

印鑑登録 has a standard of its own (印鑑登録システム); the resident records standard that
docs/conformance.md traces does not cover it, so these tests carry no section mark."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlalchemy import Engine, func, select, text

from jichitai.adapters.db import tables as t
from jichitai.adapters.db.engine import is_sqlite
from jichitai.bootstrap import App
from jichitai.domain.access.actor import Actor, Forbidden
from jichitai.domain.access.roles import Role
from jichitai.domain.common.address import Address
from jichitai.domain.common.dates import RecordDate
from jichitai.domain.common.identifiers import AtenaNumber
from jichitai.domain.errors import DomainError, NotFound
from jichitai.domain.residents.commands import Death, MoveOut
from jichitai.domain.seals.events import SealEventKind
from jichitai.domain.seals.registration import EndReason, SealStatus
from jichitai.services.audit import AccessSearch, Operation
from tests.factories import a_header, a_municipality, a_person, a_seal, moving_in
from tests.fakes import TODAY


@pytest.fixture
def random_seed() -> int:
    return 4649


@pytest.fixture
def code(app: App) -> str:
    return a_municipality(app, "46", "印鑑市")


def clerk(code: str, *roles: Role) -> Actor:
    return Actor(
        login="clerk7",
        municipality_code=code,
        roles=frozenset(roles or (Role.CLERK,)),
        terminal="T-007",
        place="本庁舎1階 市民課",
        purpose="印鑑登録",
    )


def resident(app: App, code: str, born: str = "昭和50年1月2日", given: str = "一郎") -> str:
    result = app.register.record_change(code, moving_in(a_person(given=given, born=born)))
    return result.atena_numbers[0]


def seal_rows(engine: Engine, code: str) -> tuple[int, int]:
    with engine.connect() as conn:
        events = conn.execute(
            select(func.count()).where(t.seal_events.c.municipality_code == code)
        ).scalar_one()
        registrations = conn.execute(
            select(func.count()).where(t.seal_registrations.c.municipality_code == code)
        ).scalar_one()
    return events, registrations


def test_a_seal_is_registered_with_its_number_image_and_history(app: App, code: str) -> None:
    atena = resident(app, code)
    image = a_seal(15.0)
    registration = app.seals.register(clerk(code), atena, image, notes="本人申請")
    assert registration.registration_number == "00000001"
    assert registration.is_active and registration.registered_on == TODAY
    assert registration.impression.width_mm == pytest.approx(15.0, abs=0.3)
    seals = app.seals.of_person(clerk(code), atena)
    assert seals.active == registration
    [event] = seals.events
    assert (event.kind, event.operator, event.terminal, event.notes) == (
        SealEventKind.REGISTERED,
        "clerk7",
        "T-007",
        "本人申請",
    )
    assert app.seals.image(clerk(code), "00000001").startswith(b"\x89PNG")
    logged = app.access_log.search(
        clerk(code, Role.AUDITOR), AccessSearch(atena_number=atena, limit=10)
    )
    operations = [e.operation for e in logged]
    assert Operation.REGISTER_SEAL in operations and Operation.VIEW_SEAL in operations
    assert app.seals.verify_chain(code) == 1


def test_one_registration_per_person_and_the_next_after_abolition(
    app: App, code: str, engine: Engine
) -> None:
    atena = resident(app, code)
    app.seals.register(clerk(code), atena, a_seal(15.0))
    with pytest.raises(DomainError) as twice:
        app.seals.register(clerk(code), atena, a_seal(18.0))
    assert twice.value.code == "seal.already_registered"
    assert "00000001" in twice.value.message
    assert seal_rows(engine, code) == (1, 1)
    ended = app.seals.end(clerk(code), "00000001", EndReason.REQUESTED, notes="本人")
    assert (ended.status, ended.end_reason, ended.ended_on) == (
        SealStatus.ABOLISHED,
        EndReason.REQUESTED,
        TODAY,
    )
    again = app.seals.register(clerk(code), atena, a_seal(18.0))
    assert again.registration_number == "00000002"
    seals = app.seals.of_person(clerk(code), atena)
    assert [r.registration_number for r in seals.registrations] == ["00000002", "00000001"]
    assert [e.label for e in seals.events] == ["印鑑登録", "廃止（申請）", "印鑑登録"]
    assert app.seals.verify_chain(code) == 3


def test_a_lost_card_ends_the_registration_and_cannot_end_twice(app: App, code: str) -> None:
    atena = resident(app, code)
    app.seals.register(clerk(code), atena, a_seal(12.0))
    with pytest.raises(DomainError) as too_early:
        app.seals.end(clerk(code), "00000001", EndReason.CARD_LOST, on=TODAY - timedelta(days=1))
    assert too_early.value.code == "seal.end_before_registration"
    lost = app.seals.end(clerk(code), "00000001", EndReason.CARD_LOST, on=TODAY)
    assert (lost.status, lost.ended_on) == (SealStatus.LOST, TODAY)
    with pytest.raises(DomainError) as again:
        app.seals.end(clerk(code), "00000001", EndReason.REQUESTED)
    assert again.value.code == "seal.not_active"
    with pytest.raises(DomainError) as by_hand:
        app.seals.end(clerk(code), "00000001", EndReason.DIED)
    assert by_hand.value.code == "seal.end_reason"
    with pytest.raises(DomainError) as future:
        app.seals.end(clerk(code), "00000001", EndReason.REQUESTED, on=TODAY + timedelta(days=1))
    assert future.value.code == "seal.future_date"


@pytest.mark.parametrize(
    ("born", "image", "code_expected"),
    [
        ("平成24年1月1日", a_seal(15.0), "seal.too_young"),
        ("昭和50年1月2日", a_seal(30.0, dpi=200), "seal.size"),
        ("昭和50年1月2日", a_seal(6.0, dpi=600), "seal.size"),
        ("昭和50年1月2日", b"not an image", "seal.image_invalid"),
    ],
)
def test_what_may_not_be_registered_is_refused_and_nothing_is_written(
    app: App, code: str, engine: Engine, born: str, image: bytes, code_expected: str
) -> None:
    atena = resident(app, code, born=born)
    with pytest.raises(DomainError) as refused:
        app.seals.register(clerk(code), atena, image)
    assert refused.value.code == code_expected
    assert refused.value.violations[0].field in ("atena_number", "image")
    assert seal_rows(engine, code) == (0, 0)


def test_a_fifteen_year_old_may_register_on_the_day_before_the_birthday(
    app: App, code: str
) -> None:
    born = TODAY.replace(year=TODAY.year - 15) + timedelta(days=1)
    atena = resident(app, code, born=f"{born.year}年{born.month}月{born.day}日")
    assert app.seals.register(clerk(code), atena, a_seal(15.0)).is_active


def test_an_adult_ward_needs_the_representative(app: App, code: str) -> None:
    atena = resident(app, code)
    with pytest.raises(DomainError) as refused:
        app.seals.register(clerk(code), atena, a_seal(15.0), adult_ward=True)
    assert refused.value.code == "seal.adult_ward_conditions"
    registered = app.seals.register(
        clerk(code), atena, a_seal(15.0), adult_ward=True, representative_present=True
    )
    assert registered.is_active


def test_moving_out_abolishes_the_seal_in_the_same_commit(app: App, code: str) -> None:
    atena = resident(app, code)
    app.seals.register(clerk(code), atena, a_seal(15.0))
    planned = TODAY + timedelta(days=5)
    moved = app.register.record_change(
        code,
        MoveOut(
            header=replace(a_header(), effective_on=planned, filed_on=TODAY),
            atena_numbers=(AtenaNumber(atena),),
            planned_on=planned,
            onward_address=Address.municipality_only("大阪府", "大阪市北区"),
        ),
    )
    seals = app.seals.of_person(clerk(code), atena)
    assert seals.active is None
    ended = seals.registrations[0]
    assert (ended.status, ended.end_reason, ended.ended_on) == (
        SealStatus.ABOLISHED,
        EndReason.MOVED_OUT,
        TODAY,
    )
    last = seals.events[-1]
    assert (last.journal_event_id, last.label, last.operator) == (
        moved.event_id,
        "廃止（転出）",
        "職員0042",
    )


def test_death_abolishes_the_seal_on_the_date_of_death(app: App, code: str) -> None:
    atena = resident(app, code)
    app.seals.register(clerk(code), atena, a_seal(15.0))
    app.register.record_change(
        code,
        Death(
            header=a_header(effective_on=TODAY),
            atena_number=AtenaNumber(atena),
            died_on=RecordDate.of(TODAY),
        ),
    )
    [ended] = app.seals.of_person(clerk(code), atena).registrations
    assert (ended.status, ended.end_reason, ended.ended_on) == (
        SealStatus.ABOLISHED,
        EndReason.DIED,
        TODAY,
    )
    assert app.seals.verify_chain(code) == 2


def test_a_failed_abolition_rolls_back_the_register_change(
    app: App, code: str, engine: Engine
) -> None:
    """The abolition is part of the change: when it cannot be written, neither is the death."""
    atena = resident(app, code)
    app.seals.register(clerk(code), atena, a_seal(15.0))
    with engine.begin() as conn:  # break the seal journal's head
        conn.execute(text("DELETE FROM seal_heads WHERE municipality_code = :mc"), {"mc": code})
    with pytest.raises(DomainError):
        app.register.record_change(
            code,
            Death(
                header=a_header(effective_on=TODAY),
                atena_number=AtenaNumber(atena),
                died_on=RecordDate.of(TODAY),
            ),
        )
    assert app.queries.current(code, atena).is_removed is False


def test_a_removed_person_cannot_register(app: App, code: str) -> None:
    atena = resident(app, code)
    app.register.record_change(
        code,
        Death(
            header=a_header(effective_on=TODAY),
            atena_number=AtenaNumber(atena),
            died_on=RecordDate.of(TODAY),
        ),
    )
    with pytest.raises(DomainError) as refused:
        app.seals.register(clerk(code), atena, a_seal(15.0))
    assert refused.value.code == "seal.not_resident"


def test_another_municipality_sees_neither_the_person_nor_the_registration(
    app: App, code: str
) -> None:
    other = a_municipality(app, "46", "隣町")
    atena = resident(app, code)
    app.seals.register(clerk(code), atena, a_seal(15.0))
    with pytest.raises(NotFound):
        app.seals.image(clerk(other), "00000001")
    with pytest.raises(NotFound):
        app.seals.end(clerk(other), "00000001", EndReason.REQUESTED)
    assert app.seals.of_person(clerk(code), atena).active is not None


def test_only_counter_staff_register_seals(app: App, code: str) -> None:
    atena = resident(app, code)
    with pytest.raises(Forbidden):
        app.seals.register(clerk(code, Role.AUDITOR), atena, a_seal(15.0))


def test_the_seal_journal_is_append_only_and_its_chain_reports_tampering(
    app: App, code: str, engine: Engine
) -> None:
    atena = resident(app, code)
    app.seals.register(clerk(code), atena, a_seal(15.0))
    app.seals.end(clerk(code), "00000001", EndReason.REQUESTED)
    with pytest.raises(Exception, match="append-only"), engine.begin() as conn:
        conn.execute(
            text("UPDATE seal_events SET notes = 'x' WHERE municipality_code = :mc"),
            {"mc": code},
        )
    if not is_sqlite(engine):
        return  # PostgreSQL: the trigger above is the whole story for the application role
    with engine.begin() as conn:  # an attacker with the file drops the trigger first
        conn.execute(text("DROP TRIGGER seal_events_no_update"))
        try:
            conn.execute(
                text(
                    "UPDATE seal_events SET effective_on = :d"
                    " WHERE municipality_code = :mc AND seq = 1"
                ),
                {"d": date(2020, 1, 1), "mc": code},
            )
        finally:
            conn.execute(
                text(
                    "CREATE TRIGGER seal_events_no_update BEFORE UPDATE ON seal_events"
                    " BEGIN SELECT RAISE(ABORT, 'seal_events is append-only'); END"
                )
            )
    with pytest.raises(DomainError) as tampered:
        app.seals.verify_chain(code)
    assert tampered.value.code == "seal.tampered"
