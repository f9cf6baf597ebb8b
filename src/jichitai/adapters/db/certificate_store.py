"""The certificate issue history and the day's copy numbers, in the database: one
municipality's inside a unit of work (a copy's row commits with its number and its access-log
entry), and the one look-up by code across municipalities outside it.

Rows are only inserted, never updated: a re-issued copy is a new row naming the copy it
replaces (``reissue_of``, unique per municipality); a disposal (処分) is a row of
``certificate_disposals``, read with the copy it names. A copy's 確認コード is unique over all
municipalities (a unique index), so ``/verify`` can find it by the code alone.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import Connection, Engine, delete, func, insert, literal, select, text
from sqlalchemy.exc import IntegrityError

from jichitai.adapters.db import tables as t
from jichitai.adapters.db.sealing import Sealing
from jichitai.adapters.db.shards import Route, read_across, route_of
from jichitai.domain.certificates.contents import Overflow, OverflowReason
from jichitai.services.certificate_records import (
    Disposal,
    IssueRecord,
    KindTotal,
    already_disposed,
    already_issued,
    already_reissued,
)

_C = t.certificate_issues.c
_D = t.certificate_disposals.c
_F = t.certificate_fees.c
# Every read gives the copy with its disposal, if any.
_ROWS = select(
    t.certificate_issues,
    _D.disposed_at,
    _D.disposed_by,
    _D.terminal.label("disposal_terminal"),
    _D.reason.label("disposal_reason"),
).select_from(
    t.certificate_issues.outerjoin(
        t.certificate_disposals,
        (_D.municipality_code == _C.municipality_code) & (_D.issue_code == _C.issue_code),
    )
)
# One counter per municipality and day in ``id_sequences`` (name ``cert<YYYYMMDD>``), moved in a
# single statement (by the copies of one request at once) so two issuing clerks never get the
# same number.
_NEXT = text(
    "INSERT INTO id_sequences (municipality_code, name, next_value) VALUES (:mc, :name, 1 + :n)"
    " ON CONFLICT (municipality_code, name) DO UPDATE"
    " SET next_value = id_sequences.next_value + :n RETURNING next_value"
)


def _issue(row: Any, sealing: Sealing) -> IssueRecord:
    return IssueRecord(
        municipality_code=row.municipality_code,
        issue_code=row.issue_code,
        issued_on=row.issued_on,
        sequence=row.sequence,
        kind=row.kind,
        title=row.title,
        persons=tuple(p for p in row.persons.split(",") if p),
        items=tuple(json.loads(row.items)),
        pages=row.pages,
        issued_by=row.issued_by,
        terminal=row.terminal,
        place=row.place,
        issued_at=row.issued_at,
        content_sha256=row.content_sha256,
        pdf_sha256=row.pdf_sha256,
        content=sealing.open_json(row.content),
        reissue_of=row.reissue_of,
        reason=row.reason,
        idempotency_key=row.idempotency_key,
        requester=row.requester,
        copies=row.copies,
        fee=row.fee,
        overflows=tuple(
            Overflow(o["sheet"], o["label"], o["value"], OverflowReason(o["reason"]))
            for o in json.loads(row.overflows)
        ),
        disposal=Disposal(
            row.disposed_at, row.disposed_by, row.disposal_terminal, row.disposal_reason
        )
        if row.disposed_at is not None
        else None,
    )


class SqlCertificates:
    """The ``CertificateRepository`` port for one municipality, on the unit of work's
    connection."""

    def __init__(self, connection: Connection, municipality_code: str, sealing: Sealing) -> None:
        self._conn = connection
        self._mc = municipality_code
        self._sealing = sealing

    def next_sequence(self, on: date, count: int = 1) -> int:
        # The counter row stays locked until the unit of work ends (PostgreSQL; on SQLite the
        # write transaction holds the database): copies of one municipality and day are
        # numbered one after the other, and a rolled-back copy gives its numbers back.
        if count < 1:
            raise ValueError(f"count {count}")
        name = f"cert{on:%Y%m%d}"
        value = self._conn.execute(_NEXT, {"mc": self._mc, "name": name, "n": count}).scalar_one()
        return int(value) - count

    def code_taken(self, issue_code: str) -> bool:
        # The one read not scoped to a municipality: a 確認コード is unique over all of them
        # (``ix_certificate_issues_issue_code``); nothing of the row leaves here.
        found = self._conn.execute(
            select(literal(1)).where(_C.issue_code == issue_code).limit(1)
        ).first()
        return found is not None

    def record(self, issue: IssueRecord) -> None:
        if issue.municipality_code != self._mc:
            raise ValueError(f"copy of {issue.municipality_code} in {self._mc}'s unit of work")
        try:
            # A savepoint, so that after a refused insert the transaction can still say why
            # (PostgreSQL aborts a transaction at its first error otherwise).
            with self._conn.begin_nested():
                self._insert(issue)
        except IntegrityError:
            newer = self.superseding(issue.reissue_of) if issue.reissue_of else None
            if newer is not None:
                raise already_reissued(newer.issue_code) from None
            first = self.by_idempotency_key(issue.idempotency_key)
            if first is not None:
                raise already_issued(first.issue_code) from None
            raise

    def _insert(self, issue: IssueRecord) -> None:
        self._conn.execute(
            insert(t.certificate_issues).values(
                municipality_code=self._mc,
                issue_code=issue.issue_code,
                issued_on=issue.issued_on,
                sequence=issue.sequence,
                kind=issue.kind,
                title=issue.title,
                persons=",".join(issue.persons),
                items=json.dumps(list(issue.items)),
                pages=issue.pages,
                issued_by=issue.issued_by,
                terminal=issue.terminal[:100],
                place=issue.place[:100],
                issued_at=issue.issued_at,
                content_sha256=issue.content_sha256,
                pdf_sha256=issue.pdf_sha256,
                content=self._sealing.seal_json(issue.content),  # ADR 0015
                reissue_of=issue.reissue_of,
                reason=issue.reason,
                idempotency_key=issue.idempotency_key,
                requester=issue.requester,
                copies=issue.copies,
                fee=issue.fee,
                overflows=json.dumps(
                    [
                        {
                            "sheet": o.sheet,
                            "label": o.label,
                            "value": o.value,
                            "reason": o.reason,
                        }
                        for o in issue.overflows
                    ],
                    ensure_ascii=False,
                ),
            )
        )

    def _one(self, column: Any, value: str) -> IssueRecord | None:
        """The municipality's row whose ``column`` (unique per municipality) is ``value``."""
        row = self._conn.execute(
            _ROWS.where(_C.municipality_code == self._mc, column == value)
        ).one_or_none()
        return _issue(row, self._sealing) if row else None

    def get(self, issue_code: str) -> IssueRecord | None:
        return self._one(_C.issue_code, issue_code)

    def superseding(self, issue_code: str) -> IssueRecord | None:
        return self._one(_C.reissue_of, issue_code)

    def by_idempotency_key(self, key: str | None) -> IssueRecord | None:
        return self._one(_C.idempotency_key, key) if key else None

    def dispose(self, issue_code: str, disposal: Disposal) -> None:
        try:
            with self._conn.begin_nested():
                self._conn.execute(
                    insert(t.certificate_disposals).values(
                        municipality_code=self._mc,
                        issue_code=issue_code,
                        disposed_at=disposal.disposed_at,
                        disposed_by=disposal.disposed_by,
                        terminal=disposal.terminal,
                        reason=disposal.reason,
                    )
                )
        except IntegrityError:
            raise already_disposed() from None

    def history(
        self, *, atena_number: str | None = None, issued_on: date | None = None, limit: int
    ) -> list[IssueRecord]:
        query = _ROWS.where(_C.municipality_code == self._mc)
        if issued_on is not None:
            query = query.where(_C.issued_on == issued_on)
        if atena_number is not None:
            # 宛名番号 are fixed ten digits, kept comma-separated: match one whole entry.
            query = query.where(
                (literal(",") + _C.persons + literal(",")).like(f"%,{atena_number},%")
            )
        # Newest first; copies made at the same instant by their number of the day (the codes
        # are random and say nothing of the order).
        newest_first = (_C.issued_at.desc(), _C.issued_on.desc(), _C.sequence.desc())
        query = query.order_by(*newest_first).limit(limit)
        return [_issue(row, self._sealing) for row in self._conn.execute(query)]

    def totals(self, issued_on: date) -> list[KindTotal]:
        query = (
            select(
                _C.kind,
                func.min(_C.title).label("title"),
                func.count().label("requests"),
                func.sum(_C.copies).label("copies"),
                func.sum(func.coalesce(_C.fee, 0)).label("fee"),
            )
            .select_from(
                t.certificate_issues.outerjoin(
                    t.certificate_disposals,
                    (_D.municipality_code == _C.municipality_code)
                    & (_D.issue_code == _C.issue_code),
                )
            )
            .where(
                _C.municipality_code == self._mc,
                _C.issued_on == issued_on,
                _D.issue_code.is_(None),
            )
            .group_by(_C.kind)
            .order_by(_C.kind)
        )
        return [
            KindTotal(r.kind, r.title, int(r.requests), int(r.copies), int(r.fee))
            for r in self._conn.execute(query)
        ]

    def fees(self) -> dict[str, int]:
        rows = self._conn.execute(
            select(_F.kind, _F.fee_per_copy).where(_F.municipality_code == self._mc)
        )
        return {r.kind: int(r.fee_per_copy) for r in rows}

    def set_fees(self, fees: Mapping[str, int]) -> None:
        self._conn.execute(delete(t.certificate_fees).where(_F.municipality_code == self._mc))
        if fees:
            self._conn.execute(
                insert(t.certificate_fees),
                [
                    {"municipality_code": self._mc, "kind": kind, "fee_per_copy": fee}
                    for kind, fee in sorted(fees.items())
                ],
            )


class SqlIssueCodes:
    """The ``IssueCodes`` port: which municipality issued a code, outside any unit of work."""

    def __init__(self, engine: Engine | Route) -> None:
        self._route = route_of(engine)

    def municipality_of(self, issue_code: str) -> str | None:
        # The one read not scoped to a municipality: a 確認コード is unique over all of them
        # (``ix_certificate_issues_issue_code``; random, so over the shards too), and
        # ``/verify`` is asked by code alone. Only the municipality's code leaves here; the row
        # itself is read through ``get``.
        def read(conn: Connection) -> Sequence[str]:
            return [
                str(code)
                for code in conn.scalars(
                    select(_C.municipality_code).where(_C.issue_code == issue_code)
                )
            ]

        found = read_across(self._route, "certificate_issues", read, lambda code: code)
        return found[0] if found else None
