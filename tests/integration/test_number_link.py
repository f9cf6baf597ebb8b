"""番号連携 (standard §7.1.2.1, §7.1.2.2, §7.1.2.4) and 住民票コード from the CS's free codes
(§4.3.1), on the database, against the stand-in (its number-generation service) on loopback:
the application is wired with ``JICHITAI_CS_URL`` pointing at it."""

from __future__ import annotations

import dataclasses
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest

from jichitai.bootstrap import App, standin_cs_server
from jichitai.config import Settings
from jichitai.domain.access.actor import Actor
from jichitai.domain.access.roles import Role
from jichitai.domain.common.identifiers import (
    AtenaNumber,
    HouseholdNumber,
    individual_number_check_digit,
)
from jichitai.domain.errors import DomainError
from jichitai.domain.residents.commands import Birth, Correct, RecordChanges
from jichitai.domain.residents.model import Sex
from jichitai.domain.residents.reasons import ChangeReason
from tests.apps import settings_for
from tests.factories import a_header, a_municipality, a_person, a_valid_individual_number
from tests.integration.test_tenancy import move_in


@pytest.fixture
def standin(tmp_path: Path) -> Iterator[str]:
    server = standin_cs_server("127.0.0.1", 0, str(tmp_path / "cs"))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def app_settings(tmp_path: Path, standin: str) -> Settings:
    """The link on: the stand-in at JICHITAI_CS_URL, blocks of 6 codes, refilled under 3."""
    return dataclasses.replace(
        settings_for(tmp_path / "keys"), cs_url=standin, free_codes_low=3, free_codes_block=6
    )


def reviewer(code: str) -> Actor:
    return Actor(f"reviewer-{code}", code, frozenset({Role.REVIEWER}))


def clerk(code: str) -> Actor:
    return Actor(f"clerk-{code}", code, frozenset({Role.CLERK}))


def handed_out(standin: str, code: str) -> list[str]:
    return list(httpx.get(f"{standin}/v1/free-codes", params={"municipality": code}).json())


def a_birth(app: App, code: str, household: str, given: str) -> str:
    child = a_person(given=given, relationship="子", born="2026-11-01", sex=Sex.FEMALE)
    done = app.register.record_change(
        code,
        Birth(header=a_header(), child=child, household_number=HouseholdNumber(household)),
    )
    return done.atena_numbers[0]


@pytest.mark.spec("4.3.1")
def test_new_persons_get_codes_from_the_stand_ins_block_never_twice(app: App, standin: str) -> None:
    a, b = a_municipality(app), a_municipality(app)
    link = app.number_link
    # No block yet: with the link on a code is never made here; the change is refused.
    with pytest.raises(DomainError) as refused:
        app.register.record_change(a, move_in(a_person()))
    assert refused.value.code == "resident_code.stock_empty"
    assert link.stock(clerk(a)).low
    assert link.refill_all() == 12  # both municipalities were below the low mark
    assert link.refill(a) == 0  # not low any more: nothing asked
    assert handed_out(standin, a) != handed_out(standin, b)
    assert not set(handed_out(standin, a)) & set(handed_out(standin, b))

    codes: list[str] = []
    done = app.register.record_change(
        a, move_in(a_person(), a_person(given="花子", relationship="妻"))
    )
    household = done.households[0]
    for atena in done.atena_numbers:
        codes.append(app.queries.current(a, atena).resident_code.value)  # type: ignore[union-attr]
    for given in ("桃子", "梅子"):
        atena = a_birth(app, a, household, given)
        codes.append(app.queries.current(a, atena).resident_code.value)  # type: ignore[union-attr]
    assert len(set(codes)) == 4 and set(codes) <= set(handed_out(standin, a))
    assert link.stock(clerk(a)).size == 2 and link.stock(clerk(a)).low  # the alert
    # A refused change gives its code back (the draw rolls back with it).
    with pytest.raises(DomainError):
        app.register.record_change(a, move_in(a_person(given="次郎", born="2999-01-01")))
    assert link.stock(clerk(a)).size == 2
    assert link.refill_all() == 6  # A only: B still holds its 6
    assert link.stock(clerk(a)).size == 8 and link.stock(clerk(b)).size == 6
    for given in ("一", "二", "三", "四", "五", "六", "七", "八"):
        atena = a_birth(app, a, household, f"{given}子")
        codes.append(app.queries.current(a, atena).resident_code.value)  # type: ignore[union-attr]
    assert len(codes) == len(set(codes)) == 12  # never twice
    assert set(codes) == set(handed_out(standin, a))
    with pytest.raises(DomainError):
        a_birth(app, a, household, "九子")


@pytest.mark.spec("7.1.2.1")
def test_a_birth_asks_for_a_number_and_the_answer_is_recorded_once(app: App, standin: str) -> None:
    a = a_municipality(app)
    app.number_link.refill(a)
    done = app.register.record_change(a, move_in(a_person(individual_number=None)))
    atena = a_birth(app, a, done.households[0], "桃子")
    listed = app.cs.listed(clerk(a))
    requests = [m for m in listed if m.kind == "個人番号生成要求"]
    # The move-in brings no request (the number comes on the 転出証明書); the birth does, after
    # the child's 本人確認情報.
    assert len(requests) == 1 and json.loads(requests[0].body)["atena"] == atena
    at = listed.index(requests[0])
    assert listed[at - 1].kind == "本人確認情報" and listed[at - 1].seq == requests[0].seq

    report = app.cs.send_due()
    assert (report.sent, report.refused, report.retrying) == (len(listed), 0, 0)
    child = app.queries.current(a, atena)
    assert child.individual_number is not None
    number = child.individual_number.value
    assert number[-1] == individual_number_check_digit(number[:11])
    assert child.reason is ChangeReason.INDIVIDUAL_NUMBER_EX_OFFICIO_ENTRY
    # The number taken in sends nothing more, and a resend of the request changes nothing.
    assert app.cs.listed(clerk(a), "pending") == []
    assert app.cs.send_due().sent == 0
    again = httpx.post(
        f"{standin}/v1/messages",
        json={
            "municipality_code": a,
            "seq": requests[0].seq,
            "ordinal": requests[0].ordinal,
            "kind": requests[0].kind,
            "destination": "",
            "body": json.loads(requests[0].body),
        },
    ).json()
    assert again["data"]["individual_number"] == number


@pytest.mark.spec("7.1.2.1")
def test_a_number_change_asks_the_service_and_records_the_new_number(
    app: App, standin: str
) -> None:
    a = a_municipality(app)
    app.number_link.refill(a)
    done = app.register.record_change(a, move_in(a_person()))
    atena = a_birth(app, a, done.households[0], "桃子")
    app.cs.send_due()
    old = app.queries.current(a, atena).individual_number
    assert old is not None
    with pytest.raises(DomainError) as refused:
        app.number_link.change_number(clerk(a), atena, on_request=True)
    assert refused.value.code == "auth.forbidden"
    new = app.number_link.change_number(reviewer(a), atena, on_request=True)
    record = app.queries.current(a, atena)
    assert (
        record.individual_number is not None and record.individual_number.value == new != old.value
    )
    assert record.reason is ChangeReason.INDIVIDUAL_NUMBER_CHANGE_ON_REQUEST
    app.number_link.change_number(reviewer(a), atena, on_request=False)
    assert app.queries.current(a, atena).reason is (
        ChangeReason.INDIVIDUAL_NUMBER_EX_OFFICIO_CORRECTION
    )
    # A person the service never numbered (no 個人番号 yet) cannot be changed.
    other = a_birth(app, a, done.households[0], "梅子")
    with pytest.raises(DomainError) as missing:
        app.number_link.change_number(reviewer(a), other, on_request=True)
    assert missing.value.code == "number_link.no_number"
    kinds = [(r.kind, r.status) for r in app.number_link.records(reviewer(a), atena)]
    assert kinds == [("number_change", "ok"), ("number_change", "ok")]


@pytest.mark.spec("7.1.2.2")
@pytest.mark.spec("7.1.2.4")
def test_a_fugo_and_a_serial_number_are_obtained_and_each_request_is_recorded(
    app: App, standin: str
) -> None:
    a = a_municipality(app)
    app.number_link.refill(a)
    done = app.register.record_change(a, move_in(a_person()))
    atena = a_birth(app, a, done.households[0], "桃子")
    unnumbered = a_birth(app, a, done.households[0], "梅子")
    assert app.number_link.healthy()
    # Before the CS answered the 生成要求 there is no number: the request is refused and the
    # refusal is recorded for the clerk (the 電文 went wrong, and the clerk can see it).
    early = app.number_link.obtain(reviewer(a), atena, "fugo")
    assert (early.status, early.value) == ("error", "")
    assert early.error.startswith("number.no_number")
    app.cs.send_due()
    fugo = app.number_link.obtain(reviewer(a), atena, "fugo")
    serial = app.number_link.obtain(reviewer(a), atena, "serial")
    assert fugo.status == serial.status == "ok" and fugo.value and serial.value
    assert app.number_link.obtain(reviewer(a), atena, "fugo").value == fugo.value  # one per person
    with pytest.raises(DomainError):
        app.number_link.obtain(reviewer(a), atena, "passport")
    with pytest.raises(DomainError):
        app.number_link.obtain(clerk(a), atena, "fugo")
    seen = app.number_link.records(reviewer(a), atena)  # in time order (the test's clock stands)
    assert sorted((r.kind, r.status, r.value) for r in seen) == [
        ("fugo", "error", ""),
        ("fugo", "ok", fugo.value),
        ("fugo", "ok", fugo.value),
        ("serial", "ok", serial.value),
    ]
    masked = app.number_link.records(clerk(a), atena)  # the clerk's duty excludes them
    assert {r.value for r in masked} == {"", "*" * len(fugo.value), "*" * len(serial.value)}
    assert unnumbered not in {r.atena_number for r in seen}


@pytest.mark.spec("7.1.2.1")
def test_a_number_the_register_refuses_keeps_the_request_in_error_for_the_clerk(
    app: App, standin: str
) -> None:
    a = a_municipality(app)
    app.number_link.refill(a)
    done = app.register.record_change(a, move_in(a_person()))
    atena = a_birth(app, a, done.households[0], "桃子")
    # A number entered by hand before the answer came: the answer cannot be recorded over it.
    app.register.record_change(
        a,
        Correct(
            header=a_header(),
            atena_number=AtenaNumber(atena),
            reason=ChangeReason.INDIVIDUAL_NUMBER_EX_OFFICIO_ENTRY,
            changes=RecordChanges(individual_number=a_valid_individual_number(7)),
        ),
    )
    report = app.cs.send_due()
    assert (report.refused, report.retrying) == (1, 0)
    [error] = app.cs.listed(clerk(a), "error")
    assert error.kind == "個人番号生成要求"
    assert error.last_error.startswith("intake: correct.individual_number_exists")
    kept = app.queries.current(a, atena).individual_number
    assert kept == a_valid_individual_number(7)


@pytest.mark.spec("4.3.1")
def test_a_bulk_load_fetches_blocks_until_the_stock_holds_what_it_needs(
    app: App, standin: str
) -> None:
    a = a_municipality(app)
    link = app.number_link
    added = link.ensure_stock(a, 20)  # blocks of 6 here: four requests
    assert added == 24 and link.stock(clerk(a)).size == 24
    assert len(set(handed_out(standin, a))) == 24
    assert link.ensure_stock(a, 10) == 0  # enough already: nothing asked
    assert len(handed_out(standin, a)) == 24
