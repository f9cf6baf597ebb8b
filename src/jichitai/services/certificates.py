"""Issuing resident certificates (住民票の写し, 除票の写し, 記載事項証明書) and checking them.

One copy is issued in this order: the actor's right to issue (and to show the My Number, if
asked) is checked; the persons' suppression and support settings for issuing are applied
(errors refuse, alerts need acknowledging); the sheets are laid out; the copy gets the next
発行番号 of the day; the PDF is drawn with a QR code signing its content, and signed (PAdES);
only then is the issue recorded in the issue history and the access log. A failure on the way
records nothing. Anyone can check a copy without logging in: by its code (minimal data) or by
the file itself (signature, QR code and issue history must agree).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from typing import Protocol

from jichitai.domain.access.actor import Actor, Forbidden
from jichitai.domain.access.roles import Permission
from jichitai.domain.access.suppression import Process
from jichitai.domain.certificates.contents import (
    TITLES,
    CertificateKind,
    ItemChoice,
    ResidentCertificateRequest,
    Sheet,
    SheetLayout,
    certificate_lines,
    resident_sheets,
)
from jichitai.domain.certificates.issue_numbers import IssueNumber, parse_code
from jichitai.domain.certificates.verification import QrPayload, content_digest
from jichitai.domain.errors import NotFound, Violation, invalid
from jichitai.domain.residents.model import ResidentRecord
from jichitai.services.audit import AccessLog, Operation
from jichitai.services.ports import Clock
from jichitai.services.queries import RegisterQueries
from jichitai.services.suppression import SuppressionService

NO_OPTIONAL_ITEMS = ItemChoice()
RESIDENT_KINDS = (CertificateKind.JUMINHYO, CertificateKind.JOHYO, CertificateKind.KISAI_JIKO)


@dataclass(frozen=True, slots=True)
class IssueRecord:
    """One row of the issue history (証明書の発行履歴)."""

    municipality_code: str
    issue_code: str
    issued_on: date
    sequence: int
    kind: str
    title: str
    persons: tuple[str, ...]
    items: tuple[str, ...]
    pages: int
    issued_by: str
    terminal: str
    place: str
    issued_at: datetime
    content_sha256: str
    pdf_sha256: str


class CertificateStore(Protocol):
    def next_sequence(self, municipality_code: str, on: date) -> int:
        """The next copy's number of the day (from 1), never handed out twice."""

    def record(self, issue: IssueRecord) -> None: ...

    def get(self, municipality_code: str, issue_code: str) -> IssueRecord | None: ...


@dataclass(frozen=True, slots=True)
class FileCheck:
    """What the file itself says: its signature and its QR code."""

    signature_valid: bool
    signer: str
    payload: QrPayload | None
    payload_signed: bool
    problems: tuple[str, ...]


class CertificateMaker(Protocol):
    """Drawing, signing and reading certificates (keys, PDF, QR: adapters)."""

    def ensure_keys(self, municipality_code: str, name: str) -> None:
        """The municipality's signing key, made if it has none yet."""

    def make(
        self,
        municipality_code: str,
        name: str,
        sheets: Sequence[Sheet],
        number: IssueNumber,
        issued_on: date,
        digest: bytes,
    ) -> bytes:
        """The signed PDF, its QR code signing ``number.code`` and ``digest``."""

    def check(self, pdf: bytes) -> FileCheck: ...


@dataclass(frozen=True, slots=True)
class Issued:
    code: str
    pdf: bytes
    pages: int
    title: str


@dataclass(frozen=True, slots=True)
class Verification:
    """What ``/verify`` shows: the copy exists, of what kind, when and where; no personal data."""

    code: str
    title: str
    municipality_name: str
    issued_on: date
    pages: int
    content_sha256: str


@dataclass(frozen=True, slots=True)
class FileVerification:
    valid: bool
    problems: tuple[str, ...]
    code: str = ""
    title: str = ""
    issued_on: date | None = None
    signer: str = ""
    checks: dict[str, bool] = field(default_factory=dict)


def _shown_items(items: ItemChoice) -> tuple[str, ...]:
    return tuple(f.name for f in fields(items) if getattr(items, f.name))


class CertificateService:
    def __init__(
        self,
        queries: RegisterQueries,
        suppressions: SuppressionService,
        access_log: AccessLog,
        store: CertificateStore,
        maker: CertificateMaker,
        clock: Clock,
        municipality_name: Callable[[str], str | None],
    ) -> None:
        self._queries = queries
        self._suppressions = suppressions
        self._log = access_log
        self._store = store
        self._maker = maker
        self._clock = clock
        self._name = municipality_name

    def _municipality(self, code: str) -> str:
        name = self._name(code)
        if name is None:
            raise NotFound(
                Violation(
                    "municipality.not_found",
                    f"地方公共団体コード {code} の団体は登録されていません",
                    "municipality_code",
                )
            )
        return name

    def ensure_keys(self, municipality_code: str) -> None:
        """Make the municipality's signing key if it has none (``municipality add``)."""
        self._maker.ensure_keys(municipality_code, self._municipality(municipality_code))

    def issue(
        self,
        actor: Actor,
        atena_number: str,
        kind: CertificateKind,
        *,
        household: bool = False,
        layout: SheetLayout = SheetLayout.HOUSEHOLD,
        items: ItemChoice = NO_OPTIONAL_ITEMS,
        with_history: bool = False,
        acknowledged: frozenset[str] = frozenset(),
    ) -> Issued:
        """One copy of a resident certificate for the person (or their whole household)."""
        actor.require(Permission.ISSUE)
        if items.individual_number and not actor.may(Permission.VIEW_INDIVIDUAL_NUMBER):
            raise Forbidden(
                Violation(
                    "certificate.item_forbidden",
                    "個人番号を記載した証明書を発行する権限がありません",
                    "items.individual_number",
                )
            )
        if kind not in RESIDENT_KINDS:
            raise invalid(
                "certificate.kind_not_available",
                f"{TITLES[kind]}はまだ発行できません",
                "kind",
            )
        mc = actor.municipality_code
        name = self._municipality(mc)
        records = self._records(mc, atena_number, household and kind is not CertificateKind.JOHYO)
        self._suppressions.guard(
            mc,
            Process.ISSUE,
            [(r.atena_number.value, r.household_number.value) for r in records],
            acknowledged=acknowledged,
        )
        histories = (
            {r.atena_number.value: self._queries.history(mc, r.atena_number.value) for r in records}
            if with_history
            else None
        )
        today = self._clock.today()
        request = ResidentCertificateRequest(kind, layout, items, with_history)
        sheets = resident_sheets(request, records, today, histories)
        digest = content_digest(certificate_lines(sheets))
        number = IssueNumber(
            today, mc, name, actor.terminal[:20], "", self._store.next_sequence(mc, today)
        )
        self._maker.ensure_keys(mc, name)
        pdf = self._maker.make(mc, name, sheets, number, today, digest)
        persons = tuple(r.atena_number.value for r in records)
        self._store.record(
            IssueRecord(
                municipality_code=mc,
                issue_code=number.code,
                issued_on=today,
                sequence=number.sequence,
                kind=kind.value,
                title=sheets[0].title,
                persons=persons,
                items=_shown_items(items),
                pages=len(sheets),
                issued_by=actor.login,
                terminal=actor.terminal,
                place=actor.place,
                issued_at=self._clock.now(),
                content_sha256=digest.hex(),
                pdf_sha256=hashlib.sha256(pdf).hexdigest(),
            )
        )
        self._log.record(
            actor,
            Operation.ISSUE,
            atena_numbers=persons,
            target=f"certificate:{number.code}",
            my_number_shown=items.individual_number,
        )
        return Issued(number.code, pdf, len(sheets), sheets[0].title)

    def _records(self, mc: str, atena_number: str, household: bool) -> list[ResidentRecord]:
        person = self._queries.current(mc, atena_number)
        if not household:
            return [person]
        return self._queries.household(mc, person.household_number.value)

    # --- checking, by anyone -----------------------------------------------------------------

    def verify_code(self, code: str) -> Verification:
        _, mc, _ = parse_code(code)
        found = self._store.get(mc, "".join(code.split()).replace("-", ""))
        if found is None:
            raise NotFound(
                Violation(
                    "certificate.not_found",
                    "この確認コードの証明書は発行されていません",
                    "issue_number",
                )
            )
        return Verification(
            found.issue_code,
            found.title,
            self._name(mc) or "",
            found.issued_on,
            found.pages,
            found.content_sha256,
        )

    def verify_file(self, pdf: bytes) -> FileVerification:
        """Signature, QR code and issue history must agree; every disagreement is listed."""
        check = self._maker.check(pdf)
        problems = list(check.problems)
        checks = {"signature": check.signature_valid, "qr": check.payload_signed}
        payload = check.payload
        if payload is None:
            return FileVerification(False, tuple(problems), signer=check.signer, checks=checks)
        _, mc, _ = parse_code(payload.code)
        found = self._store.get(mc, payload.code)
        issued = found is not None
        checks["issued"] = issued
        if found is None:
            problems.append("この証明書の発行の記録がありません")
        else:
            same_content = found.content_sha256 == payload.digest.hex()
            same_file = found.pdf_sha256 == hashlib.sha256(pdf).hexdigest()
            checks["content"] = same_content
            checks["file"] = same_file
            if not same_content:
                problems.append("QRコードの内容が発行した証明書と一致しません")
            if not same_file:
                problems.append("ファイルが発行したものと一致しません")
        return FileVerification(
            valid=not problems,
            problems=tuple(problems),
            code=payload.code,
            title=found.title if found else "",
            issued_on=found.issued_on if found else None,
            signer=check.signer,
            checks=checks,
        )
