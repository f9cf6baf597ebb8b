"""Certificates, as the entry points (API, counter, command line) reach them: one façade over
the use cases, each in a module of its own purpose.

- ``certificate_issue.py``: issuing a copy (住民票の写し, 除票の写し, 記載事項証明書, 転出証明書,
  印鑑登録証明書) and previewing it;
- ``certificate_reissue.py``: re-issuing a copy with the content it was first issued with;
- ``certificate_disposal.py``: recording a copy issued by mistake as destroyed (処分);
- ``certificate_history.py``: reading the issue history, the day's totals and the 文字超過リスト;
- ``certificate_fees.py``: the fee per copy of each kind (手数料), and a request's fee;
- ``certificate_issuer.py``: who certifies (mayor, 職務代理者, fixed phrase) and the 公印;
- ``certificate_verify.py``: checking a copy, by anyone, without logging in.

What a copy shares on the way (number, draw, sign, record, log) is ``certificate_copies.py``;
the issue history's rows and refusals are ``certificate_records.py``. Every use case runs in one
unit of work of the actor's municipality: its rows and its access-log entry commit together or
not at all (ADR 0012).
"""

from __future__ import annotations

from collections.abc import Callable

from jichitai.services.audit import AccessLog
from jichitai.services.certificate_copies import CopyMaker, Issued
from jichitai.services.certificate_disposal import CertificateDisposal
from jichitai.services.certificate_fees import CertificateFees
from jichitai.services.certificate_history import MAX_HISTORY, IssueHistory
from jichitai.services.certificate_issue import (
    NO_OPTIONAL_ITEMS,
    CertificateIssue,
    CertificateRequest,
    Preview,
)
from jichitai.services.certificate_issuer import CertificateIssuer
from jichitai.services.certificate_records import (
    MAX_REASON_LENGTH,
    Disposal,
    FileCheck,
    IssueRecord,
    KindTotal,
)
from jichitai.services.certificate_reissue import CertificateReissue
from jichitai.services.certificate_verify import (
    DISPOSED_PROBLEM,
    CertificateVerifier,
    FileVerification,
    Verification,
    superseded_problem,
)
from jichitai.services.ports import CertificateMaker, Clock, IssueCodes, RandomSource, UnitOfWork
from jichitai.services.queries import RegisterQueries
from jichitai.services.suppression import SuppressionService

__all__ = [
    "DISPOSED_PROBLEM",
    "MAX_HISTORY",
    "MAX_REASON_LENGTH",
    "NO_OPTIONAL_ITEMS",
    "CertificateRequest",
    "CertificateService",
    "Disposal",
    "FileCheck",
    "FileVerification",
    "IssueRecord",
    "Issued",
    "KindTotal",
    "Preview",
    "Verification",
    "superseded_problem",
]


class CertificateService:
    """The certificate use cases under one name (``App.certificates``)."""

    def __init__(
        self,
        uow_for: Callable[[str], UnitOfWork],
        reader_for: Callable[[str], UnitOfWork],
        codes: IssueCodes,
        queries: RegisterQueries,
        suppressions: SuppressionService,
        access_log: AccessLog,
        maker: CertificateMaker,
        clock: Clock,
        municipality_name: Callable[[str], str | None],
        random: RandomSource,
    ) -> None:
        copies = CopyMaker(suppressions, access_log, maker, clock, random)
        issuing = CertificateIssue(uow_for, queries, copies, maker, access_log, clock)
        history = IssueHistory(uow_for, access_log)
        issuer = CertificateIssuer(uow_for, maker, access_log, municipality_name)
        verifier = CertificateVerifier(reader_for, codes, maker)
        self.issue = issuing.issue
        self.preview = issuing.preview
        self.reissue = CertificateReissue(uow_for, queries, copies, maker).reissue
        self.dispose = CertificateDisposal(uow_for, access_log, clock).dispose
        self.history = history.history
        self.overflow_list = history.overflow_list
        self.totals = history.totals
        fees = CertificateFees(uow_for, access_log)
        self.fees = fees.fees
        self.set_fees = fees.set_fees
        self.ensure_keys = issuer.ensure_keys
        self.issuer = issuer.issuer
        self.set_issuer = issuer.set_issuer
        self.set_official_seal = issuer.set_official_seal
        self.verify_code = verifier.verify_code
        self.verify_file = verifier.verify_file
