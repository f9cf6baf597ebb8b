"""Ports of certificates: the issue history, and what draws, signs and reads the PDFs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Protocol

from jichitai.domain.certificates.contents import Overflow, Sheet
from jichitai.domain.certificates.issue_numbers import IssueNumber
from jichitai.domain.certificates.issuer import Certifier, IssuerSettings, IssuerText

if TYPE_CHECKING:  # the issue history's rows are the certificate services' values
    from jichitai.services.certificate_records import Disposal, FileCheck, IssueRecord, KindTotal


class CertificateRepository(Protocol):
    """One municipality's issue history and copy numbers within a unit of work
    (``UnitOfWork.certificates``): a copy's row and number commit with its access-log entry."""

    def next_sequence(self, on: date, count: int = 1) -> int:
        """The first of ``count`` consecutive copy numbers of the day (from 1), never handed out
        twice; the counter is held until the unit of work ends, and goes back if it rolls
        back."""

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

    def totals(self, issued_on: date) -> Sequence[KindTotal]:
        """The day's requests, copies and fees per kind (disposed copies left out), by kind."""

    def fees(self) -> Mapping[str, int]:
        """The fee per copy of each kind the municipality set (kinds not set are absent)."""

    def set_fees(self, fees: Mapping[str, int]) -> None:
        """Replace the municipality's fee table with ``fees`` (kind value -> 円 per copy)."""


class IssueCodes(Protocol):
    """The one look-up across municipalities, outside any unit of work."""

    def municipality_of(self, issue_code: str) -> str | None:
        """The municipality that issued the copy with this 確認コード, if any."""


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
        impressions: Mapping[str, bytes],
        certifier: Certifier,
        copies: int = 1,
    ) -> bytes:
        """The signed PDF, its QR code signing ``number.code`` and ``digest``; ``impressions``
        are the seal images (PNG with dpi) the sheets print, by registration number. The last
        page names ``certifier`` under the certification, with their seal (the deputy's own,
        else the 公印) or, without it, 「公印省略」. ``copies`` (通数): the sheets that many
        times over in the one file, each copy with its own 発行番号 (the sequence of
        ``number`` and the ones after it) and marked 「2通のうち1通目」."""

    def check(self, pdf: bytes) -> FileCheck: ...

    def overflows(self, sheets: Sequence[Sheet]) -> list[Overflow]:
        """The values that do not fit their row even at the smallest size, or hold a character
        the font cannot draw (§5.8)."""

    def issuer_text(self, municipality_code: str, name: str) -> IssuerText:
        """The certifiers and the fixed phrase now set (read for every copy)."""

    def issuer(self, municipality_code: str, name: str) -> IssuerSettings:
        """The certifiers, the fixed phrase and the seal images now in use."""

    def set_issuer(self, municipality_code: str, name: str, text: IssuerText) -> IssuerSettings: ...

    def set_official_seal(self, municipality_code: str, name: str, image: bytes) -> IssuerSettings:
        """Check the image (PNG or JPEG, bounded in bytes and pixels; else
        ``certificate.seal_image_invalid`` / ``certificate.seal_image_too_large``) and use it."""

    def set_deputy_seal(self, municipality_code: str, name: str, image: bytes) -> IssuerSettings:
        """As ``set_official_seal``, for the 職務代理者's own seal."""


class CertificateChecker(Protocol):
    """Reads a certificate file: its signature and its QR code (an adapter)."""

    def check(self, pdf: bytes) -> FileCheck: ...
