"""One unit of work per use case (ADR 0012), on the real database (SQLite, and PostgreSQL with
JICHITAI_DATABASE_URL): the action, its journal and outbox rows and its access-log entry commit
together or not at all.

For a change approval, a certificate issue, a seal registration and a suppression setting:

- the access-log write fails: no action is left behind (no journal entry, no issue row and no
  copy number drawn, no seal, no setting; the draft still pending);
- the action's own write fails: no log entry claims it happened;
- the commit itself fails after both were written: neither is kept;

and each of them, and a record viewed, runs in exactly one transaction of the municipality.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event, select

from jichitai.adapters.db import tables as t
from jichitai.adapters.db.access_log_store import SqlAccessLog
from jichitai.adapters.db.certificate_store import SqlCertificates
from jichitai.adapters.db.journal import SqlJournal
from jichitai.adapters.db.seal_store import SqlSealRepository
from jichitai.adapters.db.suppression_store import SqlSuppressions
from jichitai.adapters.db.unit_of_work import SqlUnitOfWork
from jichitai.bootstrap import App, bootstrap
from jichitai.config import Settings
from jichitai.domain.access.actor import Actor
from jichitai.domain.access.roles import Role
from jichitai.domain.access.suppression import Process, SuppressionKind
from jichitai.domain.certificates.kinds import CertificateKind
from jichitai.domain.common.identifiers import AtenaNumber
from jichitai.domain.errors import Severity
from jichitai.domain.residents.commands import Correct, RecordChanges
from jichitai.domain.residents.reasons import ChangeReason
from jichitai.services.audit import Operation
from jichitai.services.certificates import CertificateRequest
from tests.factories import (
    a_header,
    a_municipality,
    a_named_certifier,
    a_person,
    a_seal,
    moving_in,
)
from tests.fakes import FixedClock, SeededRandom

pytestmark = pytest.mark.spec("10.2")


class Injected(RuntimeError):
    """The failure a test injects (never raised by the code under test)."""


@pytest.fixture
def app(clean_db: Engine, tmp_path: Path) -> App:
    settings = Settings(key_dir=str(tmp_path / "keys"))
    return bootstrap(settings, engine=clean_db, clock=FixedClock(), random=SeededRandom(12))


def staff(code: str, *roles: Role, login: str = "") -> Actor:
    return Actor(
        login or roles[0].value,
        code,
        frozenset(roles),
        terminal="窓口端末05",
        place="本庁舎1階 市民課",
        purpose="届出の処理",
    )


def tenant_rows(engine: Engine, code: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row the municipality owns, table by table, in primary-key order (the access log,
    the sequences and the chain heads included)."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as conn:
        for table in t.tenant_tables():
            stmt = (
                select(table)
                .where(table.c.municipality_code == code)
                .order_by(*table.primary_key.columns)
            )
            out[table.name] = [tuple(row) for row in conn.execute(stmt)]
    return out


def logged(engine: Engine, code: str) -> list[str]:
    """The operations of the municipality's access log, in order."""
    with engine.connect() as conn:
        return list(
            conn.execute(
                select(t.access_log.c.operation)
                .where(t.access_log.c.municipality_code == code)
                .order_by(t.access_log.c.seq)
            ).scalars()
        )


@dataclass(frozen=True)
class UseCase:
    """A use case made ready to run once (``act``), the operation it logs, and the write of its
    own to break (class and method of a repository)."""

    act: Callable[[], object]
    operation: Operation
    own_write: tuple[type, str]


def approval(app: App) -> UseCase:
    """A correction submitted by a clerk, to be approved by a reviewer (本登録)."""
    code = a_municipality(app, "13", "承認市")
    atena = app.register.record_change(code, moving_in(a_person())).atena_numbers[0]
    clerk = staff(code, Role.CLERK, login="clerk1")
    reviewer = staff(code, Role.REVIEWER, login="reviewer1")
    change = Correct(
        header=a_header(),
        atena_number=AtenaNumber(atena),
        reason=ChangeReason.MINOR_CORRECTION,
        changes=RecordChanges(remarks="確認済"),
    )
    draft, _ = app.register_access.submit_draft(clerk, change)
    return UseCase(
        lambda: app.register_access.approve_draft(reviewer, draft.draft.draft_id),
        Operation.APPROVE_DRAFT,
        (SqlJournal, "append"),
    )


def certificate(app: App) -> UseCase:
    """A 住民票の写し for a resident, issued by a clerk."""
    code = a_municipality(app, "27", "証明市")
    a_named_certifier(app, code)
    atena = app.register.record_change(code, moving_in(a_person())).atena_numbers[0]
    clerk = staff(code, Role.CLERK, login="clerk2")
    return UseCase(
        lambda: app.certificates.issue(
            clerk, CertificateRequest(atena, CertificateKind.RESIDENCE_CERTIFICATE)
        ),
        Operation.ISSUE,
        (SqlCertificates, "record"),
    )


def seal(app: App) -> UseCase:
    """印鑑登録 of an adult resident."""
    code = a_municipality(app, "40", "印鑑町")
    atena = app.register.record_change(code, moving_in(a_person())).atena_numbers[0]
    clerk = staff(code, Role.CLERK, login="clerk3")
    image = a_seal(15.0)
    return UseCase(
        lambda: app.seals.register(clerk, atena, image),
        Operation.REGISTER_SEAL,
        (SqlSealRepository, "append"),
    )


def suppression(app: App) -> UseCase:
    """抑止 of certificate issue for a resident, set by the suppression officer."""
    code = a_municipality(app, "01", "抑止村")
    atena = app.register.record_change(code, moving_in(a_person())).atena_numbers[0]
    officer = staff(code, Role.SUPPRESSION_OFFICER, login="officer1")
    return UseCase(
        lambda: app.suppressions.set(
            officer,
            kind=SuppressionKind.SUPPRESSION,
            atena_number=atena,
            processes=[Process.ISSUE],
            level=Severity.ERROR,
            starts_on=date(2026, 4, 1),
            reason="照会中のため",
        ),
        Operation.SET_SUPPRESSION,
        (SqlSuppressions, "add"),
    )


USE_CASES = {
    "approval": approval,
    "certificate": certificate,
    "seal": seal,
    "suppression": suppression,
}


@pytest.fixture(params=sorted(USE_CASES))
def use_case(request: pytest.FixtureRequest, app: App) -> UseCase:
    made: UseCase = USE_CASES[request.param](app)
    return made


def code_of(app: App) -> str:
    """The one municipality the test made (besides none)."""
    with app.engine.connect() as conn:
        return str(conn.execute(select(t.municipalities.c.code)).scalar_one())


def raising(*_args: Any, **_kwargs: Any) -> Any:
    raise Injected("the disk is full")


def test_a_failed_access_log_write_leaves_no_action_behind(
    app: App, use_case: UseCase, monkeypatch: pytest.MonkeyPatch
) -> None:
    code = code_of(app)
    before = tenant_rows(app.engine, code)
    with monkeypatch.context() as patch:
        patch.setattr(SqlAccessLog, "append", raising)
        with pytest.raises(Injected):
            use_case.act()
    assert tenant_rows(app.engine, code) == before
    # Nothing was held back either: the same use case goes through once the log can be written.
    use_case.act()
    assert logged(app.engine, code)[-1] == use_case.operation


def test_a_failed_action_leaves_no_log_entry_claiming_it(
    app: App, use_case: UseCase, monkeypatch: pytest.MonkeyPatch
) -> None:
    code = code_of(app)
    before = tenant_rows(app.engine, code)
    with monkeypatch.context() as patch:
        patch.setattr(*use_case.own_write, raising)
        with pytest.raises(Injected):
            use_case.act()
    assert tenant_rows(app.engine, code) == before
    assert use_case.operation not in logged(app.engine, code)


def test_a_failed_commit_keeps_neither_the_action_nor_its_entry(
    app: App, use_case: UseCase, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both are written in the transaction; the database then refuses to commit it."""
    code = code_of(app)
    before = tenant_rows(app.engine, code)
    written: list[str] = []
    append = SqlAccessLog.append

    def noted(self: SqlAccessLog, build: Any) -> Any:
        entry = append(self, build)
        written.append(entry.operation)
        return entry

    with monkeypatch.context() as patch:
        patch.setattr(SqlAccessLog, "append", noted)
        patch.setattr(SqlUnitOfWork, "commit", raising)
        with pytest.raises(Injected):
            use_case.act()
    assert written == [use_case.operation]  # the entry was written, in the same transaction
    assert tenant_rows(app.engine, code) == before


def test_a_certificate_whose_log_failed_drew_no_number(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    issue = certificate(app)
    code = code_of(app)
    with monkeypatch.context() as patch:
        patch.setattr(SqlAccessLog, "append", raising)
        for _ in range(2):
            with pytest.raises(Injected):
                issue.act()
    issue.act()
    clerk = staff(code, Role.CLERK, login="clerk2")
    [copy] = app.certificates.history(clerk)
    assert copy.sequence == 1  # the day's first number, not the third


@pytest.fixture
def transactions(app: App) -> Iterator[list[str]]:
    """Every transaction begun on the engine while the test runs."""
    begun: list[str] = []

    def count(connection: Any) -> None:
        begun.append("begin")

    event.listen(app.engine, "begin", count)
    yield begun
    event.remove(app.engine, "begin", count)


def test_each_use_case_and_a_record_viewed_run_in_one_transaction(
    app: App, use_case: UseCase, transactions: list[str]
) -> None:
    code = code_of(app)
    logged_before = len(logged(app.engine, code))
    transactions.clear()
    use_case.act()
    assert len(transactions) == 1
    assert logged(app.engine, code)[logged_before:] == [use_case.operation]

    atena = app.register.record_change(code, moving_in(a_person(given="次郎"))).atena_numbers[0]
    transactions.clear()
    app.register_access.record(staff(code, Role.CLERK, login="viewer"), atena)
    assert len(transactions) == 1
    assert logged(app.engine, code)[-1] == Operation.VIEW
