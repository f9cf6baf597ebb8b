"""Checking a certificate, by anyone, without logging in (``/verify``, ``certificate verify``).

By its 確認コード: that the copy was issued, of what kind, when and where, and whether it was
replaced or disposed of; no personal data. By the file: its signature, its QR code and the issue
history must agree. This path answers strangers, so it stands alone: the issue history's rows
and the file check, read in a read-only unit of work of the municipality that issued the copy,
and nothing of issuing, the register or the access log.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Final
from zoneinfo import ZoneInfo

from jichitai.domain.certificates.issue_numbers import legacy_municipality, parse_code
from jichitai.services.certificate_records import IssueRecord, not_issued
from jichitai.services.ports import CertificateChecker, IssueCodes, UnitOfWork

JST: Final = ZoneInfo("Asia/Tokyo")
DISPOSED_PROBLEM: Final = "この証明書は誤って発行されたため処分されており、無効です"


def superseded_problem(newer: str) -> str:
    return f"この証明書は再交付されたため無効です（新しい確認コード {newer}）"


@dataclass(frozen=True, slots=True)
class Verification:
    """What ``/verify`` shows: the copy exists, of what kind, when and where; no personal data."""

    code: str
    title: str
    municipality_name: str
    issued_on: date
    pages: int
    content_sha256: str
    superseded_by: str | None = None
    """The code of the copy that replaced this one: this one is no longer valid."""
    disposed_on: date | None = None
    """The day the copy was recorded as disposed of (誤発行による処分): it is not valid."""


@dataclass(frozen=True, slots=True)
class FileVerification:
    valid: bool
    problems: tuple[str, ...]
    code: str = ""
    title: str = ""
    issued_on: date | None = None
    signer: str = ""
    checks: dict[str, bool] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _Found:
    copy: IssueRecord
    newer: IssueRecord | None
    municipality_name: str


class CertificateVerifier:
    def __init__(
        self,
        reader_for: Callable[[str], UnitOfWork],
        codes: IssueCodes,
        checker: CertificateChecker,
    ) -> None:
        self._reader_for = reader_for
        self._codes = codes
        self._checker = checker

    def _find(self, claimed: str | None, code: str) -> _Found | None:
        """The copy with ``code`` and its replacement, if it was issued by ``claimed`` (the
        municipality the code or the QR code names; None: whichever issued it)."""
        issuer = self._codes.municipality_of(code)
        if issuer is None or claimed not in (None, issuer):
            return None
        with self._reader_for(issuer) as uow:
            found = uow.certificates.get(code)
            if found is None:
                return None
            return _Found(found, uow.certificates.superseding(code), uow.municipality_name)

    def verify_code(self, code: str) -> Verification:
        """What anyone may learn of a copy from its code: that it was issued, of what kind, when
        and by whom, and whether it was replaced or disposed of (no personal data). A legacy code
        names its municipality; a random one is looked up among all."""
        digits = parse_code(code)
        known = self._find(legacy_municipality(digits), digits)
        if known is None:
            raise not_issued()
        found, newer = known.copy, known.newer
        return Verification(
            found.issue_code,
            found.title,
            known.municipality_name,
            found.issued_on,
            found.pages,
            found.content_sha256,
            newer.issue_code if newer else None,
            _jst_day(found.disposal.disposed_at) if found.disposal else None,
        )

    def verify_file(self, pdf: bytes) -> FileVerification:
        """Signature, QR code and issue history must agree, and the copy must not have been
        replaced by a re-issue; every disagreement is listed."""
        check = self._checker.check(pdf)
        problems = list(check.problems)
        checks = {"signature": check.signature_valid, "qr": check.payload_signed}
        payload = check.payload
        if payload is None:
            return FileVerification(False, tuple(problems), signer=check.signer, checks=checks)
        known = self._find(payload.municipality_code, payload.code)
        found = known.copy if known else None
        checks["issued"] = found is not None
        if known is None or found is None:
            problems.append("この証明書の発行の記録がありません")
        else:
            same_content = found.content_sha256 == payload.digest.hex()
            same_file = found.pdf_sha256 == hashlib.sha256(pdf).hexdigest()
            newer = known.newer
            checks["content"] = same_content
            checks["file"] = same_file
            checks["current"] = newer is None
            checks["not_disposed"] = found.disposal is None
            if found.disposal is not None:
                problems.append(DISPOSED_PROBLEM)
            if not same_content:
                problems.append("QRコードの内容が発行した証明書と一致しません")
            if not same_file:
                problems.append("ファイルが発行したものと一致しません")
            if newer is not None:
                problems.append(superseded_problem(newer.issue_code))
        return FileVerification(
            valid=not problems,
            problems=tuple(problems),
            code=payload.code,
            title=found.title if found else "",
            issued_on=found.issued_on if found else None,
            signer=check.signer,
            checks=checks,
        )


def _jst_day(moment: datetime) -> date:
    return moment.astimezone(JST).date()
