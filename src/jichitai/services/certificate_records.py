"""The issue history of certificates (証明書の発行履歴): its rows, where they are kept, and the
refusals about them; shared by issuing, re-issuing, disposing, reading and verifying.

Kept apart from the use cases so that the unauthenticated ``/verify`` path
(``certificate_verify.py``) needs nothing else of them. The repository is one municipality's,
inside a unit of work; ``IssueCodes`` is the one look-up across municipalities (a 確認コード is
unique over all of them, and ``/verify`` is asked by code alone).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Final

from jichitai.domain.certificates.contents import Overflow
from jichitai.domain.certificates.issue_numbers import parse_code
from jichitai.domain.certificates.verification import QrPayload
from jichitai.domain.errors import ConflictError, NotFound, Violation, invalid
from jichitai.domain.inbound.text import CERTIFICATE_REASON
from jichitai.services.ports import CertificateRepository

MAX_REASON_LENGTH: Final = CERTIFICATE_REASON.max_length


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
    requester: str | None = None
    """請求者 (a ``Requester`` value); None for copies issued before it was recorded, and for
    re-issues."""
    copies: int = 1
    """通数: the copies the request asked for."""
    fee: int | None = None
    """手数料 (円) as the service worked it out; None when none was decided (before 0014, and
    re-issues)."""


@dataclass(frozen=True, slots=True)
class KindTotal:
    """One kind's line of a day's totals: requests, copies and fees (copies recorded as
    disposed of are left out)."""

    kind: str
    title: str
    requests: int
    copies: int
    fee: int


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
    """The reason given for a re-issue or a disposal: required, and read by the text rules of
    its item (``CERTIFICATE_REASON``: one line, at most 200 characters)."""
    reason = CERTIFICATE_REASON.read(reason, "reason", label=f"{what}の理由")
    if not reason:
        raise invalid("certificate.reason_required", f"{what}の理由を入力してください", "reason")
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
