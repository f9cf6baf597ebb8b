"""The issue history of certificates (証明書の発行履歴): its rows, where they are kept, and the
refusals about them; shared by issuing, re-issuing, disposing, reading and verifying.

Kept apart from the use cases so that the unauthenticated ``/verify`` path
(``certificate_verify.py``) needs nothing else of them. The repository is one municipality's,
inside a unit of work; ``IssueCodes`` is the one look-up across municipalities (a 確認コード is
unique over all of them, and ``/verify`` is asked by code alone).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Final, Protocol

from jichitai.domain.certificates.contents import Overflow
from jichitai.domain.certificates.issue_numbers import parse_code
from jichitai.domain.certificates.verification import QrPayload
from jichitai.domain.errors import ConflictError, NotFound, Violation, invalid

MAX_REASON_LENGTH: Final = 200


@dataclass(frozen=True, slots=True)
class Disposal:
    """処分情報: a copy issued by mistake was destroyed (who recorded it, when, where, why)."""

    disposed_at: datetime
    disposed_by: str
    terminal: str
    reason: str


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
    content: str = ""
    """The sheets as printed (canonical JSON, ``domain.certificates.stored``); "" for copies
    issued before contents were kept (they cannot be re-issued)."""
    reissue_of: str | None = None
    """The code of the copy this one replaces (再交付・再印刷)."""
    reason: str = ""
    """Why it was re-issued."""
    idempotency_key: str | None = None
    """The key the request was sent with, scoped by the login (``<login>:<key>``)."""
    disposal: Disposal | None = None
    """Set when the copy was recorded as disposed of (it no longer verifies)."""
    overflows: tuple[Overflow, ...] = ()
    """The values it could not print whole (文字超過リスト)."""


class CertificateRepository(Protocol):
    """One municipality's issue history and copy numbers within a unit of work
    (``UnitOfWork.certificates``): a copy's row and number commit with its access-log entry."""

    def next_sequence(self, on: date) -> int:
        """The next copy's number of the day (from 1), never handed out twice; the counter is
        held until the unit of work ends, and goes back if it rolls back."""

    def code_taken(self, issue_code: str) -> bool:
        """Whether any municipality's copy has this 確認コード (they are unique over all)."""

    def record(self, issue: IssueRecord) -> None:
        """Append the row; a second copy replacing the same ``reissue_of`` is refused
        (``ConflictError`` ``certificate.already_reissued``), as is a second copy under the
        same idempotency key (``certificate.already_issued``)."""

    def get(self, issue_code: str) -> IssueRecord | None: ...

    def superseding(self, issue_code: str) -> IssueRecord | None:
        """The copy that replaced ``issue_code``, if any."""

    def by_idempotency_key(self, key: str | None) -> IssueRecord | None:
        """The copy issued under ``key``, if any."""

    def dispose(self, issue_code: str, disposal: Disposal) -> None:
        """Record the copy's disposal; a second one is refused (``ConflictError``
        ``certificate.already_disposed``)."""

    def history(
        self, *, atena_number: str | None = None, issued_on: date | None = None, limit: int
    ) -> Sequence[IssueRecord]:
        """Copies that name the person / were issued that day, newest first."""


class IssueCodes(Protocol):
    """The one look-up across municipalities, outside any unit of work."""

    def municipality_of(self, issue_code: str) -> str | None:
        """The municipality that issued the copy with this 確認コード, if any."""


@dataclass(frozen=True, slots=True)
class FileCheck:
    """What the file itself says: its signature and its QR code."""

    signature_valid: bool
    signer: str
    payload: QrPayload | None
    payload_signed: bool
    problems: tuple[str, ...]


def own_copy(certificates: CertificateRepository, issue_code: str) -> IssueRecord:
    """The copy of the unit of work's municipality with this code (spaces and dashes ignored; a
    mistyped code is refused by its check digit before anything is looked up)."""
    found = certificates.get(parse_code(issue_code))
    if found is None:
        raise not_issued()
    return found


def checked_reason(reason: str, what: str) -> str:
    """The reason given for a re-issue or a disposal: required, at most 200 characters."""
    reason = reason.strip()
    if not reason:
        raise invalid("certificate.reason_required", f"{what}の理由を入力してください", "reason")
    if len(reason) > MAX_REASON_LENGTH:
        raise invalid(
            "certificate.reason_too_long",
            f"{what}の理由は{MAX_REASON_LENGTH}文字以内で入力してください",
            "reason",
        )
    return reason


def not_issued() -> NotFound:
    return NotFound(
        Violation(
            "certificate.not_found",
            "この確認コードの証明書は発行されていません",
            "issue_number",
        )
    )


def already_reissued(newer: str) -> ConflictError:
    return ConflictError(
        Violation(
            "certificate.already_reissued",
            f"この証明書は既に再交付されています（新しい確認コード {newer}）",
            "issue_code",
        )
    )


def already_issued(first: str) -> ConflictError:
    return ConflictError(
        Violation(
            "certificate.already_issued",
            f"この申請の証明書は既に発行されています（確認コード {first}）。"
            "もう一度印刷するときは、発行履歴から再印刷してください",
            "Idempotency-Key",
        )
    )


def already_disposed() -> ConflictError:
    return ConflictError(
        Violation(
            "certificate.already_disposed",
            "この証明書の処分は既に記録されています",
            "issue_code",
        )
    )
