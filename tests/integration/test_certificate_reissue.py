"""The issue history in the database: contents kept with each copy, one replacement per copy
(enforced by the database, not only checked before), copies from before contents were kept,
and the history's filters."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import Engine

from jichitai.adapters.db.unit_of_work import SqlUnitOfWork
from jichitai.bootstrap import App
from jichitai.domain.access.actor import Actor
from jichitai.domain.access.roles import Role
from jichitai.domain.certificates.issue_numbers import IssueNumber, new_code
from jichitai.domain.certificates.kinds import CertificateKind
from jichitai.domain.common.identifiers import AtenaNumber
from jichitai.domain.errors import DomainError
from jichitai.services.certificates import CertificateRequest, Disposal, IssueRecord
from tests.factories import a_municipality, a_named_certifier, moving_in

pytestmark = pytest.mark.spec("5.5")

AT = datetime(2026, 11, 26, 1, 0, tzinfo=UTC)


@pytest.fixture
def random_seed() -> int:
    return 4


def a_row(code: str, sequence: int, persons: tuple[str, ...], **changes: object) -> IssueRecord:
    number = IssueNumber(
        date(2026, 11, 26), code, "試験市", "", "", sequence, new_code(f"{code}{sequence:014d}")
    )
    row = IssueRecord(
        municipality_code=code,
        issue_code=number.code,
        issued_on=number.issued_on,
        sequence=sequence,
        kind="juminhyo",
        title="住民票の写し",
        persons=persons,
        items=(),
        pages=1,
        issued_by="clerk",
        terminal="T",
        place="",
        issued_at=AT,
        content_sha256="0" * 64,
        pdf_sha256="0" * 64,
    )
    return replace(row, **changes)  # type: ignore[arg-type]


class CertificatesByCode:
    """The certificate repository asked with the municipality's code each time: one committed
    unit of work a call (as separate requests would be)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def _call(self, code: str, method: str, *args: Any, **kwargs: Any) -> Any:
        with SqlUnitOfWork(self._engine, code) as uow:
            found = getattr(uow.certificates, method)(*args, **kwargs)
            uow.commit()
        return found

    def record(self, issue: IssueRecord) -> None:
        self._call(issue.municipality_code, "record", issue)

    def __getattr__(self, method: str) -> Callable[..., Any]:
        return lambda code, *args, **kwargs: self._call(code, method, *args, **kwargs)


def test_a_copy_is_replaced_at_most_once_even_when_two_clerks_race(
    app: App, clean_db: Engine
) -> None:
    code = a_municipality(app)
    store = CertificatesByCode(clean_db)
    first = a_row(code, 901, ("0000000019",))
    store.record(first)
    store.record(a_row(code, 902, ("0000000019",), reissue_of=first.issue_code))
    # The second clerk checked before the first one recorded: the database refuses the row.
    with pytest.raises(DomainError) as lost:
        store.record(a_row(code, 903, ("0000000019",), reissue_of=first.issue_code))
    assert lost.value.code == "certificate.already_reissued"
    assert a_row(code, 902, ()).issue_code in lost.value.message
    newer = store.superseding(code, first.issue_code)
    assert newer is not None and newer.reissue_of == first.issue_code


def test_two_requests_with_one_idempotency_key_record_one_copy_even_when_they_race(
    app: App, clean_db: Engine
) -> None:
    code = a_municipality(app)
    store = CertificatesByCode(clean_db)
    first = a_row(code, 901, ("0000000019",), idempotency_key="clerk:k1")
    store.record(first)
    # The second request checked before the first one recorded: the database refuses the row.
    with pytest.raises(DomainError) as lost:
        store.record(a_row(code, 902, ("0000000019",), idempotency_key="clerk:k1"))
    assert lost.value.code == "certificate.already_issued"
    assert first.issue_code in lost.value.message
    store.record(a_row(code, 903, ("0000000019",), idempotency_key="clerk:k2"))
    store.record(a_row(code, 904, ("0000000019",)))  # without a key, every request issues
    store.record(a_row(code, 905, ("0000000019",)))
    found = store.by_idempotency_key(code, "clerk:k1")
    assert found is not None and found.issue_code == first.issue_code
    assert store.by_idempotency_key(code, None) is None
    assert store.get(code, a_row(code, 902, ()).issue_code) is None


@pytest.mark.spec("1.3.8")
def test_a_copy_is_disposed_of_at_most_once_and_reads_back_with_its_disposal(
    app: App, clean_db: Engine
) -> None:
    code = a_municipality(app)
    store = CertificatesByCode(clean_db)
    copy = a_row(code, 901, ("0000000019",))
    store.record(copy)
    store.record(a_row(code, 902, ("0000000019",)))
    disposal = Disposal(AT, "clerk", "T-1", "記載事項の誤り")
    store.dispose(code, copy.issue_code, disposal)
    with pytest.raises(DomainError) as twice:  # a second clerk recording it too
        store.dispose(code, copy.issue_code, replace(disposal, disposed_by="other"))
    assert twice.value.code == "certificate.already_disposed"
    found = store.get(code, copy.issue_code)
    assert found is not None and found.disposal == disposal
    listed = {r.issue_code: r.disposal for r in store.history(code, limit=10)}
    assert listed == {copy.issue_code: disposal, a_row(code, 902, ()).issue_code: None}


def test_a_copy_issued_before_contents_were_kept_cannot_be_reissued(
    app: App, clean_db: Engine
) -> None:
    code = a_municipality(app)
    atena = app.register.record_change(code, moving_in()).atena_numbers[0]
    store = CertificatesByCode(clean_db)
    old = a_row(code, 901, (atena,))
    store.record(old)  # content "" as rows from before revision 0005
    reviewer = Actor("reviewer", code, frozenset({Role.REVIEWER}), terminal="T")
    with pytest.raises(DomainError) as refused:
        app.certificates.reissue(reviewer, old.issue_code, "紛失")
    assert refused.value.code == "certificate.content_not_stored"
    assert store.superseding(code, old.issue_code) is None
    seal = a_row(code, 902, (atena,), kind="inkan", title="印鑑登録証明書", content="{}")
    store.record(seal)
    with pytest.raises(DomainError) as not_again:  # it certifies the registration of the day
        app.certificates.reissue(reviewer, seal.issue_code, "紛失")
    assert not_again.value.code == "certificate.reissue_not_available"


def test_the_history_lists_a_persons_copies_and_a_days_copies_newest_first(
    app: App, clean_db: Engine
) -> None:
    code = a_municipality(app)
    a_named_certifier(app, code)
    moved = app.register.record_change(code, moving_in())
    atena = moved.atena_numbers[0]
    clerk = Actor("clerk", code, frozenset({Role.CLERK}), terminal="窓口1", place="本庁")
    first = app.certificates.issue(
        clerk, CertificateRequest(atena, CertificateKind.RESIDENCE_CERTIFICATE)
    )
    second = app.certificates.reissue(
        Actor("clerk2", code, frozenset({Role.CLERK}), terminal="窓口2"), first.code, "汚損"
    )
    rows = app.certificates.history(clerk, atena_number=atena)
    assert [r.issue_code for r in rows] == [second.code, first.code]  # newest first
    by_code = {r.issue_code: r for r in rows}
    assert by_code[second.code].reissue_of == first.code and by_code[second.code].reason == "汚損"
    assert by_code[first.code].terminal == "窓口1" and by_code[first.code].place == "本庁"
    assert by_code[second.code].issued_by == "clerk2"
    assert app.certificates.history(clerk, atena_number=AtenaNumber.from_serial(999).value) == []
    assert len(app.certificates.history(clerk, issued_on=date(2026, 11, 26))) == 2
    assert app.certificates.history(clerk, issued_on=date(2026, 11, 25)) == []
    with pytest.raises(DomainError):
        app.certificates.history(Actor("admin", code, frozenset({Role.ADMINISTRATOR})))
