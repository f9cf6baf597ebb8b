"""Making one copy of a certificate, for issuing and re-issuing alike: number, draw, sign,
record, log.

In one unit of work: the certifier is chosen (refused if unnamed or titled without the
prefecture) before a number is drawn; the copy gets the next 発行番号 of the day (the day's
counter, held until the unit of work ends) and a random 確認コード (from the random-source
port, so it cannot be guessed); the PDF is drawn with a QR code signing its content, and signed
(PAdES); then the issue-history row and the access-log entry are written. All of it commits
together, or nothing does: a failure on the way leaves no row, no number drawn and no entry
claiming a copy (ADR 0008, 0012).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from jichitai.domain.access.actor import Actor, Forbidden
from jichitai.domain.access.disclosure import sees_individual_numbers
from jichitai.domain.access.suppression import Process
from jichitai.domain.certificates.contents import Overflow, Sheet, certificate_lines
from jichitai.domain.certificates.issue_numbers import CODE_RANDOM_DIGITS, IssueNumber, new_code
from jichitai.domain.certificates.issuer import (
    Certifier,
    CertifierChoice,
    choose_certifier,
)
from jichitai.domain.certificates.kinds import CertificateKind
from jichitai.domain.certificates.requests import RequestTerms
from jichitai.domain.certificates.stored import sheets_to_json
from jichitai.domain.certificates.verification import content_digest
from jichitai.domain.common.municipality import MunicipalityCode
from jichitai.domain.errors import Violation
from jichitai.domain.residents.model import ResidentRecord
from jichitai.services.audit import AccessLog, Operation
from jichitai.services.certificate_records import IssueRecord
from jichitai.services.ports import CertificateMaker, Clock, RandomSource, UnitOfWork
from jichitai.services.suppression import SuppressionService

_CODE_DRAWS: Final = 8


@dataclass(frozen=True, slots=True)
class Issued:
    code: str
    pdf: bytes
    pages: int
    title: str
    overflows: tuple[Overflow, ...] = ()
    copies: int = 1
    """通数 the request asked for."""
    fee: int | None = None
    """手数料 (円) of the request; None for a re-issue."""
    number: str = ""
    """The 発行番号 (§5.5) without its page part."""

    @property
    def file_pages(self) -> int:
        """The pages of the file: every copy's."""
        return self.pages * self.copies


class CopyMaker:
    """The steps every copy shares (``issue`` and ``reissue``), within the caller's unit of
    work."""

    def __init__(
        self,
        suppressions: SuppressionService,
        access_log: AccessLog,
        maker: CertificateMaker,
        clock: Clock,
        random: RandomSource,
    ) -> None:
        self._suppressions = suppressions
        self._log = access_log
        self._maker = maker
        self._clock = clock
        self._random = random

    def guard(
        self, uow: UnitOfWork, records: Sequence[ResidentRecord], acknowledged: frozenset[str]
    ) -> None:
        """The persons' suppression and support settings for issuing (errors refuse, alerts
        need acknowledging)."""
        self._suppressions.guard(
            uow,
            Process.ISSUE,
            [(r.atena_number.value, r.household_number.value) for r in records],
            acknowledged=acknowledged,
        )

    def certifier(
        self, mc: str, name: str, choice: CertifierChoice, with_seal: bool = True
    ) -> Certifier:
        self._maker.ensure_keys(mc, name)
        text = self._maker.issuer_text(mc, name)
        return choose_certifier(
            text, self._clock.today(), choice, with_seal, prefecture=prefecture(mc)
        )

    def make(
        self,
        uow: UnitOfWork,
        actor: Actor,
        kind: CertificateKind,
        sheets: Sequence[Sheet],
        persons: tuple[str, ...],
        items: tuple[str, ...],
        *,
        reissue_of: str | None = None,
        reason: str = "",
        impressions: Mapping[str, bytes] | None = None,
        idempotency_key: str | None = None,
        certifier: CertifierChoice = CertifierChoice.AUTO,
        with_seal: bool = True,
        overflows: tuple[Overflow, ...] = (),
        request: RequestTerms | None = None,
        fee: int | None = None,
    ) -> Issued:
        """Number, draw, sign; then record the copy and log it, in ``uow`` (the caller
        commits: nothing is kept if drawing, recording or logging fails)."""
        mc, name = uow.municipality_code, uow.municipality_name
        today = self._clock.today()
        digest = content_digest(certificate_lines(sheets))
        who = self.certifier(mc, name, certifier, with_seal)  # refused before a number is drawn
        code = self._fresh_code(uow)
        copies = request.copies if request else 1
        sequence = uow.certificates.next_sequence(today, copies)  # one number a copy (§5.5)
        number = IssueNumber(today, mc, name, actor.terminal[:20], "", sequence, code)
        pdf = self._maker.make(
            mc, name, sheets, number, today, digest, impressions or {}, who, copies
        )
        uow.certificates.record(
            IssueRecord(
                municipality_code=mc,
                issue_code=number.code,
                issued_on=today,
                sequence=number.sequence,
                kind=kind.value,
                title=sheets[0].title,
                persons=persons,
                items=items,
                pages=len(sheets),
                issued_by=actor.login,
                terminal=actor.terminal,
                place=actor.place,
                issued_at=self._clock.now(),
                content_sha256=digest.hex(),
                pdf_sha256=hashlib.sha256(pdf).hexdigest(),
                content=sheets_to_json(sheets),
                reissue_of=reissue_of,
                reason=reason,
                idempotency_key=idempotency_key,
                overflows=overflows,
                requester=request.requester.value if request else None,
                copies=request.copies if request else 1,
                fee=fee,
            )
        )
        self._log.record_in(
            uow,
            actor,
            Operation.ISSUE,
            atena_numbers=persons,
            target=f"certificate:{number.code}",
            my_number_shown="individual_number" in items,
            detail=f"再交付（元の確認コード {reissue_of}）" if reissue_of else "",
        )
        return Issued(
            number.code,
            pdf,
            len(sheets),
            sheets[0].title,
            overflows,
            copies,
            fee,
            _numbers(number, len(sheets), copies),
        )

    def _fresh_code(self, uow: UnitOfWork) -> str:
        """A 確認コード no copy has: random digits from the random source (never derived from
        the date, the municipality or the day's sequence), drawn again in the astronomically rare
        case that they are taken. The unique index on the codes stands behind this check."""
        for _ in range(_CODE_DRAWS):
            code = new_code(self._random.digits(CODE_RANDOM_DIGITS))
            if not uow.certificates.code_taken(code):
                return code
        raise RuntimeError(f"{_CODE_DRAWS} random codes in a row were taken: is the source random?")


def prefecture(municipality_code: str) -> str:
    return MunicipalityCode(municipality_code).prefecture


def require_my_number(actor: Actor, field: str, message: str) -> None:
    if not sees_individual_numbers(actor):
        raise Forbidden(Violation("certificate.item_forbidden", message, field))


def _numbers(number: IssueNumber, pages: int, copies: int) -> str:
    """The 発行番号 of the copies without the page part: one, or the first 〜 the last."""
    first = number.display(1, pages).rsplit(" ", 1)[0]
    if copies == 1:
        return first
    return f"{first}〜{number.sequence + copies - 1:03d}"
