"""The certificate form's choices: read from what was posted, checked before any service is
asked, carried from the form to the preview and on to the issue as hidden fields, and turned into
the arguments of ``CertificateService.issue`` / ``preview``.

Persons travel as the counter's opaque refs (never 宛名番号s); every option defaults to what the
standard defaults to: optional items omitted unless ticked.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field, fields

from jichitai.domain.certificates.issuer import SEAL_OMITTED, CertifierChoice
from jichitai.domain.certificates.kinds import (
    CERTIFICATE_TYPES,
    CertificateKind,
    CertificateType,
    ItemChoice,
    SheetLayout,
    certificate_type,
)
from jichitai.domain.certificates.requests import (
    MAX_COPIES,
    REQUESTER_LABELS,
    Requester,
    RequestTerms,
    read_request,
)
from jichitai.domain.errors import DomainError, Violation
from jichitai.domain.inbound.text import CERTIFICATE_REASON
from jichitai.entrypoints.web.session import Posted
from jichitai.entrypoints.web.templating import NO_PROBLEMS, Problems, problems_of
from jichitai.services.certificates import CertificateRequest

MAX_CARD_LENGTH = 20

KIND_CHOICES: tuple[CertificateType, ...] = CERTIFICATE_TYPES
"""The kinds the form offers, as registered (``domain/certificates/kinds.py``)."""

SCOPE_HOUSEHOLD = "household"
SCOPE_CHOSEN = "chosen"

ITEM_LABELS: dict[str, str] = {
    "head_and_relationship": "世帯主の氏名・続柄",
    "domicile": "本籍・筆頭者",
    "resident_code": "住民票コード",
    "individual_number": "個人番号",
    "foreign_items": "外国人住民の事項（国籍・地域、在留資格等、通称）",
    "furigana": "フリガナ（氏名・通称の後に括弧書き）",
    "official_use": "「公用」と表示する（官公署の公用請求）",
}
ITEM_NAMES = tuple(f"items.{name}" for name in ITEM_LABELS)
REQUESTER_CHOICES: tuple[tuple[Requester, str], ...] = tuple(REQUESTER_LABELS.items())
"""請求者 as the form offers them (one registry: ``domain/certificates/requests.py``)."""
COPIES_MAX = MAX_COPIES
CERTIFIER_CHOICES: tuple[tuple[CertifierChoice, str], ...] = (
    (CertifierChoice.AUTO, "自動（職務代理の期間は職務代理者、それ以外は市区町村長）"),
    (CertifierChoice.MAYOR, "市区町村長"),
    (CertifierChoice.DEPUTY, "職務代理者"),
)

FIELDS = (
    "kind",
    "scope",
    "persons",
    "layout",
    "with_history",
    *ITEM_NAMES,
    "seal_card_number",
    "certifier",
    "omit_seal",
    "requester",
    "copies",
)
"""The form's fields: a refusal naming one of them is shown next to it."""


@dataclass(frozen=True, slots=True)
class CertificateOptions:
    """What the clerk chose on the form."""

    kind: CertificateKind = CertificateKind.RESIDENCE_CERTIFICATE
    scope: str = SCOPE_CHOSEN
    members: tuple[str, ...] = ()
    """Refs of the chosen household members (with ``SCOPE_CHOSEN``)."""
    layout: SheetLayout = SheetLayout.HOUSEHOLD
    with_history: bool = False
    items: ItemChoice = field(default_factory=ItemChoice)
    seal_card_number: str = ""
    certifier: CertifierChoice = CertifierChoice.AUTO
    omit_seal: bool = False
    request: RequestTerms = field(default_factory=RequestTerms)
    """請求者 and 通数 (the fee is the service's)."""

    @property
    def title(self) -> str:
        return certificate_type(self.kind).title

    @property
    def is_resident_kind(self) -> bool:
        return certificate_type(self.kind).is_record_copy

    def item_on(self, name: str) -> bool:
        flag: bool = getattr(self.items, name)
        return flag

    def hidden(self) -> list[tuple[str, str]]:
        """The choices as (name, value) pairs, to post them again unchanged."""
        pairs = [("kind", self.kind.value), ("scope", self.scope), ("layout", self.layout.value)]
        pairs += [("persons", ref) for ref in self.members]
        if self.with_history:
            pairs.append(("with_history", "on"))
        pairs += [(f"items.{f.name}", "on") for f in fields(self.items) if self.item_on(f.name)]
        if self.seal_card_number:
            pairs.append(("seal_card_number", self.seal_card_number))
        pairs.append(("certifier", self.certifier.value))
        if self.omit_seal:
            pairs.append(("omit_seal", "on"))
        pairs.append(("requester", self.request.requester.value))
        pairs.append(("copies", str(self.request.copies)))
        return pairs

    def service_request(
        self, atena_number: str, acknowledged: frozenset[str], atena_of: Callable[[str], str]
    ) -> CertificateRequest:
        """What ``preview`` / ``issue`` are asked for (refs turned into 宛名番号s)."""
        return CertificateRequest(
            atena_number,
            self.kind,
            household=self.scope == SCOPE_HOUSEHOLD,
            members=tuple(atena_of(ref) for ref in self.members)
            if self.scope == SCOPE_CHOSEN
            else (),
            layout=self.layout,
            items=self.items,
            with_history=self.with_history,
            acknowledged=acknowledged,
            seal_card_number=self.seal_card_number,
            certifier=self.certifier,
            with_seal=not self.omit_seal,
            terms=self.request,
        )

    def summary(self) -> list[str]:
        """The choices in words, for the preview (the certifier is told apart)."""
        seal = [SEAL_OMITTED] if self.omit_seal else []
        seal.append(f"請求者: {self.request.requester.label}／{self.request.copies}通")
        if not self.is_resident_kind:
            return seal
        shown = [label for name, label in ITEM_LABELS.items() if self.item_on(name)]
        return [
            "世帯全員" if self.scope == SCOPE_HOUSEHOLD else f"選択した方（{len(self.members)}人）",
            self.layout.label,
            "履歴あり" if self.with_history else "履歴なし",
            "記載する項目: " + ("、".join(shown) if shown else "なし（省略）"),
            *seal,
        ]


def default_options(ref: str, removed: bool) -> CertificateOptions:
    """The form as first shown: the person alone, the standard's defaults; a removed person's
    record is a 除票."""
    kind = (
        CertificateKind.REMOVED_RECORD_CERTIFICATE
        if removed
        else CertificateKind.RESIDENCE_CERTIFICATE
    )
    return CertificateOptions(kind=kind, members=(ref,))


def _card_number(text: str) -> str:
    # Full-width digits typed with a Japanese IME are the same number.
    return "".join(unicodedata.normalize("NFKC", text).split())


def read_options(posted: Posted) -> tuple[CertificateOptions, Problems]:
    """The choices posted, and what is wrong with them before any service is asked."""
    faults: list[Violation] = []
    try:
        kind = CertificateKind(posted.get("kind", CertificateKind.RESIDENCE_CERTIFICATE.value))
    except ValueError:
        kind = CertificateKind.RESIDENCE_CERTIFICATE
        faults.append(
            Violation("certificate.kind_invalid", "証明書の種類を選択してください", "kind")
        )
    scope = posted.get("scope", SCOPE_CHOSEN)
    if scope not in (SCOPE_HOUSEHOLD, SCOPE_CHOSEN):
        scope = SCOPE_CHOSEN
    try:
        layout = SheetLayout(posted.get("layout", SheetLayout.HOUSEHOLD.value))
    except ValueError:
        layout = SheetLayout.HOUSEHOLD
    members = tuple(dict.fromkeys(ref for ref in posted.all("persons") if ref))
    card = _card_number(posted.get("seal_card_number"))
    if len(card) > MAX_CARD_LENGTH:
        faults.append(
            Violation(
                "seal.card_invalid",
                f"印鑑登録証の番号は{MAX_CARD_LENGTH}文字以内で入力してください",
                "seal_card_number",
            )
        )
        card = card[:MAX_CARD_LENGTH]
    try:
        certifier = CertifierChoice(posted.get("certifier", CertifierChoice.AUTO.value))
    except ValueError:
        certifier = CertifierChoice.AUTO
        faults.append(
            Violation("certificate.certifier_invalid", "認証者を選択してください", "certifier")
        )
    try:
        request = read_request(posted.get("requester"), posted.get("copies"))
    except DomainError as e:
        faults.extend(e.violations)
        request = RequestTerms()
    options = CertificateOptions(
        request=request,
        kind=kind,
        scope=scope,
        members=members,
        layout=layout,
        with_history=posted.get("with_history") == "on",
        items=ItemChoice(**{name: posted.get(f"items.{name}") == "on" for name in ITEM_LABELS}),
        seal_card_number=card,
        certifier=certifier,
        omit_seal=posted.get("omit_seal") == "on",
    )
    if options.is_resident_kind and scope == SCOPE_CHOSEN and not members:
        faults.append(
            Violation(
                "certificate.no_persons",
                "証明する方を選択してください（世帯全員の場合は「世帯全員」を選択）",
                "persons",
            )
        )
    return options, problems_of(faults, FIELDS) if faults else NO_PROBLEMS


def read_reason(posted: Posted, action: str = "再交付") -> tuple[str, str, Problems]:
    """The copy to re-issue (or to record as disposed of: ``action`` 処分) and why; what is
    missing is told before any service is asked (its other rules are the service's)."""
    code = "".join(posted.get("issue_code").split())
    reason = posted.get("reason").strip()
    faults: list[Violation] = []
    if not code:
        chosen = "再交付・再印刷" if action == "再交付" else action
        faults.append(
            Violation(
                "certificate.issue_code_required",
                f"{chosen}する証明書を発行履歴から選択してください",
                "issue_code",
            )
        )
    try:  # the rule the service applies, told with the other faults of the form
        reason = CERTIFICATE_REASON.read(reason, "reason", label=f"{action}の理由")
    except DomainError as e:
        faults.extend(e.violations)
    else:
        if not reason:
            faults.append(
                Violation(
                    "certificate.reason_required", f"{action}の理由を入力してください", "reason"
                )
            )
    return code, reason, problems_of(faults, ("issue_code", "reason")) if faults else NO_PROBLEMS
