"""Who certifies the municipality's certificates: the mayor's title and name, the 職務代理者,
the fixed phrase, and the official seal image (公印), set by an administrator
(``Permission.MANAGE_ISSUER``) and applying to the next copy made.

These settings live in the key directory beside the signing key, not in the database (ADR
0008): the one action here that no transaction covers. Its access-log entry is appended in a
unit of work opened before the file is replaced and committed right after, so that a failure
replacing the file leaves no entry claiming a change; only a commit failing after the file was
replaced leaves the change without its entry (ADR 0012).
"""

from __future__ import annotations

from collections.abc import Callable

from jichitai.domain.access.actor import Actor
from jichitai.domain.access.roles import Permission
from jichitai.domain.certificates.issuer import Deputy, IssuerSettings, check_issuer
from jichitai.domain.errors import NotFound, Violation
from jichitai.services.audit import AccessLog, Operation
from jichitai.services.certificate_copies import prefecture
from jichitai.services.ports import CertificateMaker, UnitOfWork


class CertificateIssuer:
    def __init__(
        self,
        uow_for: Callable[[str], UnitOfWork],
        maker: CertificateMaker,
        access_log: AccessLog,
        municipality_name: Callable[[str], str | None],
    ) -> None:
        self._uow_for = uow_for
        self._maker = maker
        self._log = access_log
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

    def issuer(self, actor: Actor) -> IssuerSettings:
        actor.require(Permission.MANAGE_ISSUER)
        mc = actor.municipality_code
        name = self._municipality(mc)
        self._maker.ensure_keys(mc, name)
        return self._maker.issuer(mc, name)

    def set_issuer(
        self,
        actor: Actor,
        mayor_title: str,
        mayor_name: str,
        *,
        deputy: Deputy | None = None,
        fixed_phrase: str = "",
        blank_overflow: bool = False,
    ) -> IssuerSettings:
        """Set who certifies from the next copy on: the mayor's title and name, the 職務代理者
        and the period of the 職務代理 (none: no deputy), the fixed phrase, and whether a value that
        cannot be printed whole is printed blank (§5.8)."""
        actor.require(Permission.MANAGE_ISSUER)
        mc = actor.municipality_code
        text = check_issuer(
            mayor_title,
            mayor_name,
            deputy,
            fixed_phrase,
            blank_overflow,
            prefecture=prefecture(mc),
        )
        with self._uow_for(mc) as uow:
            name = uow.municipality_name
            self._maker.ensure_keys(mc, name)
            settings = self._maker.set_issuer(mc, name, text)
            self._log.record_in(uow, actor, Operation.CHANGE_SETTINGS, target="certificate_issuer")
            uow.commit()
        return settings

    def set_official_seal(
        self, actor: Actor, image: bytes, *, deputy: bool = False
    ) -> IssuerSettings:
        """Set the official seal image (PNG or JPEG), or the 職務代理者's own seal, stamped from
        the next copy on (in black)."""
        actor.require(Permission.MANAGE_ISSUER)
        mc = actor.municipality_code
        with self._uow_for(mc) as uow:
            name = uow.municipality_name
            self._maker.ensure_keys(mc, name)
            if deputy:
                settings = self._maker.set_deputy_seal(mc, name, image)
                digest = settings.deputy_seal_sha256
            else:
                settings = self._maker.set_official_seal(mc, name, image)
                digest = settings.seal_sha256
            self._log.record_in(
                uow,
                actor,
                Operation.CHANGE_SETTINGS,
                target="deputy_seal" if deputy else "official_seal",
                detail=f"sha256:{digest[:16]}",
            )
            uow.commit()
        return settings
