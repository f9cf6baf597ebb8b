"""The demo municipality's certifier: a fictional mayor, so that demo certificates can be issued.

A municipality's certifier starts without a name (the key directory's stand-in), and a copy
whose certifier has none is refused (standard §1.3.9). The demo names one — 「見本　太郎」: a
plausible name whose family name 見本 ("sample") tells any reader that the copy is not real —
through ``CertificateService.set_issuer`` like an administrator, and only while the certifier
is unnamed, so whatever an administrator set is kept.
"""

from __future__ import annotations

from jichitai.domain.access.actor import Actor
from jichitai.domain.certificates.issuer import default_mayor_title
from jichitai.domain.common.municipality import MunicipalityCode
from jichitai.services.certificates import CertificateService

DEMO_MAYOR_NAME = "見本　太郎"


def name_demo_certifier(
    certificates: CertificateService, administrator: Actor, municipality_name: str
) -> str | None:
    """Name the demo mayor if the certifier has no name yet; the name set, or None when one was
    set already. A title without the prefecture (an older stand-in) is replaced by the standard's
    (§5.6: 「東京都千代田区長」)."""
    found = certificates.issuer(administrator)
    if found.mayor_name.strip():
        return None
    prefecture = MunicipalityCode(administrator.municipality_code).prefecture
    title = found.mayor_title
    if not title.startswith(prefecture):
        title = default_mayor_title(municipality_name, prefecture)
    certificates.set_issuer(
        administrator,
        title,
        DEMO_MAYOR_NAME,
        deputy=found.deputy,
        fixed_phrase=found.fixed_phrase,
        blank_overflow=found.blank_overflow,
    )
    return DEMO_MAYOR_NAME
