"""Real races on the real database: threads with connections of their own, started together.

Appends to one municipality's journal are serialised (a row lock on ``journal_heads`` on
PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite), so whatever the interleaving: a change based on a
household version that another change has just bumped is refused, changes to different households
all go through with a gap-free sequence, and a retried request is recorded once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import TypeVar

import pytest
from sqlalchemy import Engine

from jichitai.adapters.db.unit_of_work import SqlUnitOfWork
from jichitai.bootstrap import App
from jichitai.domain.common.identifiers import AtenaNumber, HouseholdNumber
from jichitai.domain.errors import ConflictError, DomainError
from jichitai.domain.residents.commands import Correct, MoveIn, NewPerson, RecordChanges
from jichitai.domain.residents.model import Sex
from jichitai.domain.residents.reasons import ChangeReason
from jichitai.services.register import ChangeResult
from tests.factories import a_header, a_municipality, a_person, a_previous_address, an_address

T = TypeVar("T")
WAIT = 20.0  # seconds: an upper bound for a thread to start or finish, never a sleep


@pytest.fixture
def random_seed() -> int:
    return 11


@pytest.fixture
def code(app: App) -> str:
    return a_municipality(app, "44", "試験村")


def race(*calls: Callable[[], T]) -> list[T | BaseException]:
    """Run the calls in threads released together; each call's result or exception, in order."""
    barrier = threading.Barrier(len(calls), timeout=WAIT)

    def run(call: Callable[[], T]) -> T | BaseException:
        barrier.wait()
        try:
            return call()
        except Exception as exc:
            return exc

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        futures = [pool.submit(run, call) for call in calls]
        return [future.result(timeout=WAIT) for future in futures]


def successes(outcomes: Sequence[object]) -> list[ChangeResult]:
    return [o for o in outcomes if isinstance(o, ChangeResult)]


def failures(outcomes: Sequence[object]) -> list[BaseException]:
    unexpected = [
        o for o in outcomes if isinstance(o, BaseException) and not isinstance(o, DomainError)
    ]
    if unexpected:
        raise unexpected[0]
    return [o for o in outcomes if isinstance(o, BaseException)]


def journal_seqs(engine: Engine, code: str) -> list[int]:
    with SqlUnitOfWork(engine, code) as uow:
        return [e.seq for e in uow.journal.journal()]


def household_version(engine: Engine, code: str, household: str) -> int:
    with SqlUnitOfWork(engine, code) as uow:
        version = uow.journal.household_version(HouseholdNumber(household))
    assert version is not None
    return version


def move_in(*members: NewPerson, lot: str = "一丁目2番3号") -> MoveIn:
    return MoveIn(
        header=a_header(),
        members=members,
        address=an_address(lot=lot),
        previous_address=a_previous_address(),
    )


def remark(atena: str, text: str, expected: dict[str, int] | None = None) -> Correct:
    return Correct(
        header=a_header(expected_versions=expected or {}),
        atena_number=AtenaNumber(atena),
        reason=ChangeReason.MINOR_CORRECTION,
        changes=RecordChanges(remarks=text),
    )


def test_two_racing_changes_to_one_household_from_the_same_version_exactly_one_wins(
    app: App, engine: Engine, code: str
) -> None:
    wife = a_person(given="花子", kana=("タカハシ", "ハナコ"), relationship="妻", sex=Sex.FEMALE)
    head, spouse = app.register.record_change(code, move_in(a_person(), wife)).atena_numbers
    household = app.queries.current(code, head).household_number.value
    for round_ in range(3):
        seen = household_version(engine, code, household)  # what both clerks' screens show
        expected = {household: seen}
        outcomes = race(
            partial(app.register.record_change, code, remark(head, f"一郎{round_}", expected)),
            partial(app.register.record_change, code, remark(spouse, f"花子{round_}", expected)),
        )
        (won,) = successes(outcomes)
        (lost,) = failures(outcomes)
        assert isinstance(lost, ConflictError)
        assert lost.code == "change.conflict"
        assert household_version(engine, code, household) == seen + 1
        winner, loser = (head, spouse) if won.atena_numbers == (head,) else (spouse, head)
        assert app.queries.current(code, winner).remarks.endswith(str(round_))
        assert not app.queries.current(code, loser).remarks.endswith(str(round_))
    assert journal_seqs(engine, code) == [1, 2, 3, 4]
    assert app.register.verify_chain(code) == 4


def test_concurrent_changes_to_different_households_all_go_through_gap_free(
    app: App, engine: Engine, code: str
) -> None:
    givens = ["一郎", "二郎", "三郎", "四郎", "五郎", "六郎", "七郎", "八郎"]
    n = len(givens)
    arrivals = race(
        *(
            partial(
                app.register.record_change,
                code,
                move_in(a_person(given=g, kana=("タカハシ", "ロウ")), lot=f"二丁目{i + 1}番"),
            )
            for i, g in enumerate(givens)
        )
    )
    assert not failures(arrivals)
    recorded = successes(arrivals)
    assert sorted(r.seq for r in recorded) == list(range(1, n + 1))
    atenas = [r.atena_numbers[0] for r in recorded]
    assert len(set(atenas)) == n
    households = [app.queries.current(code, a).household_number.value for a in atenas]
    assert len(set(households)) == n
    # Each clerk now corrects their own household, based on the version they read.
    versions = {h: household_version(engine, code, h) for h in households}
    corrections = race(
        *(
            partial(app.register.record_change, code, remark(a, "確認済", {h: versions[h]}))
            for a, h in zip(atenas, households, strict=True)
        )
    )
    assert not failures(corrections)
    assert journal_seqs(engine, code) == list(range(1, 2 * n + 1))
    assert app.register.verify_chain(code) == 2 * n
    assert {household_version(engine, code, h) for h in households} == {2}


def test_the_same_request_sent_twice_at_once_is_recorded_once(
    app: App, engine: Engine, code: str
) -> None:
    command = move_in(a_person())
    outcomes = race(
        partial(app.register.record_change, code, command, idempotency_key="kiosk-3/77"),
        partial(app.register.record_change, code, command, idempotency_key="kiosk-3/77"),
    )
    assert not failures(outcomes)
    first, second = successes(outcomes)
    assert first.event_id == second.event_id
    assert sorted([first.replayed, second.replayed]) == [False, True]
    assert journal_seqs(engine, code) == [1]
    assert app.queries.stats(code).persons == 1


def test_a_draft_approved_and_discarded_at_once_ends_one_way_or_the_other(
    app: App, engine: Engine, code: str
) -> None:
    for round_ in range(3):
        draft = app.register.save_draft(
            code, move_in(a_person(given=f"{round_}郎", kana=("タカハシ", "ロウ")))
        )
        outcomes: list[object] = race(
            partial(app.register.approve_draft, code, draft.draft_id),
            partial(app.register.discard_draft, code, draft.draft_id),
        )
        (refused,) = failures(outcomes)
        assert isinstance(refused, DomainError)
        assert refused.code == "draft.not_pending"
        with SqlUnitOfWork(engine, code) as uow:
            stored = uow.drafts.get(draft.draft_id)
        assert stored is not None
        approved = isinstance(outcomes[0], ChangeResult)
        assert stored.status == ("approved" if approved else "discarded")
    approvals = sum(1 for _ in journal_seqs(engine, code))
    assert app.queries.stats(code).persons == approvals


def test_a_draft_approved_twice_at_once_is_recorded_once_and_both_answer_it(
    app: App, engine: Engine, code: str
) -> None:
    draft = app.register.save_draft(code, move_in(a_person()))
    outcomes = race(
        partial(app.register.approve_draft, code, draft.draft_id),
        partial(app.register.approve_draft, code, draft.draft_id),
    )
    # The second approval waits for the first and answers its result: approving is idempotent.
    first, second = successes(outcomes)
    assert failures(outcomes) == []
    assert first.event_id == second.event_id
    assert {first.replayed, second.replayed} == {False, True}
    assert journal_seqs(engine, code) == [1]
    assert first.seq == 1
