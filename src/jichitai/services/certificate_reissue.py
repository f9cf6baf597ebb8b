"""Re-issuing a certificate (再交付・再印刷) with the content it was first issued with.

Each copy's sheets are kept with its row of the issue history (canonical JSON). A re-issue
renders those stored sheets (the data as first issued, not today's record) under a new 発行番号
and names the copy it replaces; from then on the replaced copy is reported as no longer valid.
A 転出証明書's re-issue is a 再交付 and is marked 「（再交付）」 in its title; any other kind is a
re-print with the same content (no mark). The table stays append-only: a copy is superseded
when another row names it in ``reissue_of``, and at most one row may.
"""

from __future__ import annotations

from collections.abc import Callable

from jichitai.domain.access.actor import Actor
from jichitai.domain.access.roles import Permission
from jichitai.domain.certificates.kinds import CertificateKind, certificate_type
from jichitai.domain.certificates.move_out import reissued
from jichitai.domain.certificates.stored import sheets_from_json
from jichitai.domain.errors import invalid
from jichitai.services.certificate_copies import CopyMaker, Issued, require_my_number
from jichitai.services.certificate_records import already_reissued, checked_reason, own_copy
from jichitai.services.ports import CertificateMaker, UnitOfWork
from jichitai.services.queries import RegisterQueries


class CertificateReissue:
    def __init__(
        self,
        uow_for: Callable[[str], UnitOfWork],
        queries: RegisterQueries,
        copies: CopyMaker,
        maker: CertificateMaker,
    ) -> None:
        self._uow_for = uow_for
        self._queries = queries
        self._copies = copies
        self._maker = maker

    def reissue(
        self,
        actor: Actor,
        issue_code: str,
        reason: str,
        *,
        acknowledged: frozenset[str] = frozenset(),
    ) -> Issued:
        """A new copy of an issued certificate with the content it was first issued with.

        A 転出証明書 is re-issued (再交付) marked 「（再交付）」; other kinds are re-printed as they
        were. The original must be this municipality's and not replaced already; the actor
        needs the rights the original needed, and the persons' suppressions apply again. The
        new copy, its row naming the original and its log entry commit in one unit of work.
        """
        actor.require(Permission.ISSUE)
        reason = checked_reason(reason, "再交付")
        with self._uow_for(actor.municipality_code) as uow:
            original = own_copy(uow.certificates, issue_code)
            code = original.issue_code
            if original.disposal is not None:
                raise invalid(
                    "certificate.disposed",
                    "この証明書は処分されているため再交付できません。改めて発行してください",
                    "issue_code",
                )
            kind = CertificateKind(original.kind)
            registration = certificate_type(kind)
            if not registration.reissuable:
                raise invalid(
                    "certificate.reissue_not_available",
                    f"{registration.title}は再交付できません。改めて発行してください",
                    "issue_code",
                )
            if registration.carries_individual_number or "individual_number" in original.items:
                require_my_number(
                    actor, "issue_code", "個人番号を記載した証明書を再交付する権限がありません"
                )
            newer = uow.certificates.superseding(code)
            if newer is not None:
                raise already_reissued(newer.issue_code)
            if not original.content:
                raise invalid(
                    "certificate.content_not_stored",
                    "この証明書は発行時の内容が保存されていないため再交付できません。改めて発行してください",
                    "issue_code",
                )
            sheets = sheets_from_json(original.content)
            reads = self._queries.within(uow)
            self._copies.guard(uow, [reads.current(a) for a in original.persons], acknowledged)
            if kind is CertificateKind.MOVE_OUT_CERTIFICATE:
                sheets = reissued(sheets)
            issued = self._copies.make(
                uow,
                actor,
                kind,
                sheets,
                original.persons,
                original.items,
                reissue_of=original.issue_code,
                reason=reason,
                overflows=tuple(self._maker.overflows(sheets)),
            )
            uow.commit()
        return issued
