"""Issuing a certificate (住民票の写し, 除票の写し, 記載事項証明書, 転出証明書, 印鑑登録証明書), and
previewing it before it is issued. Both take one ``CertificateRequest`` (the counter previews,
then issues the same request).

The copies a request asks for (通数) are one issue: one 確認コード, one history row and fee, and
one PDF holding the certificate that many times, each copy with its own 発行番号 (§5.5) and
marked 「2通のうち1通目」 (see ``CertificateIssue.issue`` for why not a row per copy).

One copy is laid out in this order: the actor's right to issue (and to show the My Number, if
asked) is checked; the persons' suppression and support settings for issuing are applied
(errors refuse, alerts need acknowledging); the sheets are laid out; then the copy is made
(``certificate_copies.py``). A 印鑑登録証明書 also needs the number of the 印鑑登録証 the
applicant shows: it must be the person's registration in force, and its impression is printed
at real size. Every step reads and writes in one unit of work, which commits with the copy's
row and its access-log entry, or leaves nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from typing import Final

from jichitai.domain.access.actor import Actor
from jichitai.domain.access.roles import Permission
from jichitai.domain.certificates.contents import (
    Overflow,
    ResidentCertificateRequest,
    Sheet,
    blanked,
    resident_sheets,
)
from jichitai.domain.certificates.issuer import SEAL_OMITTED, Certifier, CertifierChoice
from jichitai.domain.certificates.kinds import (
    CertificateKind,
    ItemChoice,
    SheetLayout,
    certificate_type,
)
from jichitai.domain.certificates.move_out import move_out_sheets
from jichitai.domain.certificates.requests import RequestTerms
from jichitai.domain.certificates.seal_certificate import check_seal_card, seal_certificate_sheets
from jichitai.domain.common.identifiers import AtenaNumber
from jichitai.domain.errors import NotFound, invalid
from jichitai.domain.residents.model import ResidentRecord
from jichitai.services.audit import AccessLog, Operation
from jichitai.services.certificate_copies import CopyMaker, Issued, require_my_number
from jichitai.services.certificate_fees import request_fee
from jichitai.services.certificate_records import already_issued
from jichitai.services.ports import CertificateMaker, Clock, SearchCriteria, UnitOfWork
from jichitai.services.queries import RegisterQueries, RegisterReads

NO_OPTIONAL_ITEMS: Final = ItemChoice()
SELF_ONE_COPY: Final = RequestTerms()
"""A request by the person for one copy (what a caller that says nothing asks for)."""
MAX_MEMBERS: Final = 100
# The optional items (``ItemChoice`` field names) a sheet shows, told by their labels: what the
# issue history records for a 転出証明書, whose items are all fixed.
_ITEM_LABELS: Final = {
    "続柄": "head_and_relationship",
    "本籍": "domicile",
    "住民票コード": "resident_code",
    "個人番号": "individual_number",
    "国籍・地域": "foreign_items",
}


@dataclass(frozen=True, slots=True)
class Preview:
    """A certificate as ``issue`` would lay it out: not numbered, drawn, signed or recorded."""

    kind: CertificateKind
    municipality_name: str
    sheets: tuple[Sheet, ...]
    persons: tuple[str, ...]
    """The 宛名番号s it certifies."""
    items: tuple[str, ...]
    """The optional items (``ItemChoice`` field names) it shows."""
    impressions: Mapping[str, bytes] = field(default_factory=dict)
    """The seal images (PNG with dpi) the sheets print, by registration number."""
    certifier: Certifier | None = None
    """Who will certify it, and whether with the seal (set by ``preview``)."""
    overflows: tuple[Overflow, ...] = ()
    """Values that cannot be printed whole (§5.8): the alert shown before issuing."""
    overflow_blanked: bool = False
    """Whether those values are printed blank (the municipality's setting) rather than small."""
    fee: int | None = None
    """手数料 (円) of the request, as issuing would record it (set by ``preview``)."""

    @property
    def title(self) -> str:
        return self.sheets[0].title

    @property
    def certified_by(self) -> str:
        """The certifier as the copy will print them, and the seal or 「公印省略」."""
        if self.certifier is None:
            return ""
        who = f"{self.certifier.title}　{self.certifier.name}".strip("　")
        return f"{who}（{'公印あり' if self.certifier.with_seal else SEAL_OMITTED}）"


@dataclass(frozen=True, slots=True)
class CertificateRequest:
    """What is asked for: the same value for ``preview`` and ``issue`` (the counter previews,
    then issues what it previewed; the API and the command line issue).

    ``household`` or the chosen ``members`` of the person's household (in that order; neither:
    the person alone); ``layout``, ``items`` and ``with_history`` shape a resident certificate.
    A 転出証明書 is always one person's, with every item the order lists (the My Number among
    them: the actor must be allowed to see it); a 印鑑登録証明書 is one person's, for the
    印鑑登録証 numbered ``seal_card_number``: ``household``, ``members``, ``layout``, ``items``
    and ``with_history`` apply to neither. ``acknowledged``: the alert codes the clerk
    confirmed. ``certifier`` names the mayor or the 職務代理者 (by default the deputy during
    the period of the 職務代理); without ``with_seal`` the copy reads 「公印省略」 (§5.6).
    ``terms``: who asked (請求者) and for how many copies (通数)."""

    atena_number: str
    kind: CertificateKind
    household: bool = False
    layout: SheetLayout = SheetLayout.HOUSEHOLD
    items: ItemChoice = NO_OPTIONAL_ITEMS
    with_history: bool = False
    acknowledged: frozenset[str] = frozenset()
    seal_card_number: str = ""
    members: tuple[str, ...] = ()
    certifier: CertifierChoice = CertifierChoice.AUTO
    with_seal: bool = True
    terms: RequestTerms = SELF_ONE_COPY


def _shown_items(items: ItemChoice) -> tuple[str, ...]:
    return tuple(f.name for f in fields(items) if getattr(items, f.name))


class CertificateIssue:
    def __init__(
        self,
        uow_for: Callable[[str], UnitOfWork],
        queries: RegisterQueries,
        copies: CopyMaker,
        maker: CertificateMaker,
        access_log: AccessLog,
        clock: Clock,
    ) -> None:
        self._uow_for = uow_for
        self._queries = queries
        self._copies = copies
        self._maker = maker
        self._log = access_log
        self._clock = clock

    def issue(
        self, actor: Actor, asked: CertificateRequest, *, idempotency_key: str | None = None
    ) -> Issued:
        """A certificate for the person (or their whole household, or the chosen ``members`` of
        it), as ``asked``: one issue, in as many copies (通数) as the request terms say.

        The same ``idempotency_key`` from the same login issues once: a repeat is refused with
        ``certificate.already_issued`` naming the first copy (its PDF is not kept here: the
        counter holds it for the clerk a few minutes; otherwise it is re-printed from the
        history).

        The fee (手数料) is worked out here from the municipality's fee table (公用: none) and
        recorded with the copy. The copies of one request are one issue, drawn into one file
        (see ``render_certificate``): one 確認コード, one row of the history and one fee for them
        all, which is how the request is counted and charged, re-issued or disposed of; each
        copy is the whole certificate with its own 発行番号 (consecutive numbers of the day,
        §5.5), its pages marked 「2通のうち1通目」.
        """
        scoped = f"{actor.login}:{idempotency_key}" if idempotency_key else None
        with self._uow_for(actor.municipality_code) as uow:
            first = uow.certificates.by_idempotency_key(scoped)
            if first is not None:
                raise already_issued(first.issue_code)
            laid = self._fitted(actor.municipality_code, self._lay_out(uow, actor, asked))
            issued = self._copies.make(
                uow,
                actor,
                asked.kind,
                laid.sheets,
                laid.persons,
                laid.items,
                impressions=laid.impressions,
                idempotency_key=scoped,
                certifier=asked.certifier,
                with_seal=asked.with_seal,
                overflows=laid.overflows,
                request=asked.terms,
                fee=request_fee(uow, asked.kind, asked.terms),
            )
            uow.commit()
        return issued

    def preview(self, actor: Actor, asked: CertificateRequest) -> Preview:
        """The sheets ``issue`` would print for the same request, for the clerk to check
        before issuing: the same rights, suppressions and refusals, but nothing is numbered,
        drawn, signed or recorded as issued. The access log records it as a view (照会) of the
        persons, naming the My Number when it is shown, in the unit of work that read them."""
        with self._uow_for(actor.municipality_code) as uow:
            laid = self._lay_out(uow, actor, asked)
            chosen = self._copies.certifier(
                actor.municipality_code, laid.municipality_name, asked.certifier, asked.with_seal
            )
            laid = self._fitted(actor.municipality_code, laid)
            fee = request_fee(uow, asked.kind, asked.terms)
            self._log.record_in(
                uow,
                actor,
                Operation.VIEW,
                atena_numbers=laid.persons,
                target=f"certificate_preview:{asked.kind.value}",
                my_number_shown="individual_number" in laid.items,
            )
            uow.commit()
        return replace(laid, certifier=chosen, fee=fee)

    def _fitted(self, mc: str, laid: Preview) -> Preview:
        """The lay-out with what cannot be printed whole (§5.8) told, and printed blank where the
        municipality chose so (before the digest: the copy says what it prints)."""
        found = tuple(self._maker.overflows(laid.sheets))
        if not found:
            return laid
        self._maker.ensure_keys(mc, laid.municipality_name)
        blank = self._maker.issuer_text(mc, laid.municipality_name).blank_overflow
        sheets = tuple(blanked(laid.sheets, found)) if blank else laid.sheets
        return replace(laid, sheets=sheets, overflows=found, overflow_blanked=blank)

    def _lay_out(self, uow: UnitOfWork, actor: Actor, asked: CertificateRequest) -> Preview:
        """Every check before a copy is made, and its sheets."""
        kind, atena_number, acknowledged = asked.kind, asked.atena_number, asked.acknowledged
        actor.require(Permission.ISSUE)
        registration = certificate_type(kind)
        if registration.carries_individual_number:
            require_my_number(
                actor, "kind", f"個人番号を記載した{registration.title}を発行する権限がありません"
            )
        if kind is CertificateKind.SEAL_CERTIFICATE:
            return self._seal_certificate(uow, atena_number, asked.seal_card_number, acknowledged)
        if kind is CertificateKind.MOVE_OUT_CERTIFICATE:
            return self._move_out(uow, atena_number, acknowledged)
        items = registration.chosen_items(asked.items)
        if items.individual_number:
            require_my_number(
                actor,
                "items.individual_number",
                "個人番号を記載した証明書を発行する権限がありません",
            )
        if not registration.is_record_copy:
            raise invalid(
                "certificate.kind_not_available",
                f"{registration.title}はまだ発行できません",
                "kind",
            )
        layout = asked.layout
        if layout not in registration.layouts:
            raise invalid(
                "certificate.layout_not_allowed",
                f"{registration.title}は{layout.label}では発行できません",
                "layout",
            )
        reads = self._queries.within(uow)
        household = asked.household
        records = _records(
            reads,
            atena_number,
            household and kind is not CertificateKind.REMOVED_RECORD_CERTIFICATE,
            asked.members,
        )
        self._copies.guard(uow, records, acknowledged)
        histories = (
            {r.atena_number.value: reads.history(r.atena_number.value) for r in records}
            if asked.with_history
            else None
        )
        whole = kind is CertificateKind.RESIDENCE_CERTIFICATE and _whole_household(
            reads, records, household and not asked.members
        )
        request = ResidentCertificateRequest(kind, layout, items, asked.with_history, whole)
        sheets = resident_sheets(request, records, self._clock.today(), histories)
        return Preview(
            kind,
            uow.municipality_name,
            tuple(sheets),
            tuple(r.atena_number.value for r in records),
            _shown_items(items),
        )

    def _move_out(
        self, uow: UnitOfWork, atena_number: str, acknowledged: frozenset[str]
    ) -> Preview:
        reads = self._queries.within(uow)
        # The 転出証明書 is issued when the move-out is filed, usually before its date: it
        # certifies the move-out as recorded, not the record in effect today.
        record = reads.latest(atena_number)
        self._copies.guard(uow, [record], acknowledged)
        sheets = move_out_sheets(record, self._clock.today(), _head_of(reads, record))
        return Preview(
            CertificateKind.MOVE_OUT_CERTIFICATE,
            uow.municipality_name,
            tuple(sheets),
            (record.atena_number.value,),
            _items_in(sheets),
        )

    def _seal_certificate(
        self, uow: UnitOfWork, atena_number: str, card_number: str, acknowledged: frozenset[str]
    ) -> Preview:
        if not card_number.strip():
            raise invalid(
                "seal.card_required",
                "印鑑登録証の番号を入力してください",
                "seal_card_number",
            )
        record = self._queries.within(uow).current(atena_number)
        self._copies.guard(uow, [record], acknowledged)
        active = uow.seals.active(record.atena_number.value)
        registration = check_seal_card(active, card_number)
        image = uow.seals.image(registration.registration_number)
        assert image is not None
        sheets = seal_certificate_sheets(record, registration)
        return Preview(
            CertificateKind.SEAL_CERTIFICATE,
            uow.municipality_name,
            tuple(sheets),
            (record.atena_number.value,),
            (),
            {registration.registration_number: image},
        )


def _records(
    reads: RegisterReads, atena_number: str, household: bool, members: Sequence[str] = ()
) -> list[ResidentRecord]:
    person = reads.current(atena_number)
    if members:
        return _members(reads, person, members)
    if not household:
        return [person]
    return reads.household(person.household_number.value)


def _whole_household(reads: RegisterReads, records: Sequence[ResidentRecord], asked: bool) -> bool:
    """Whether the copy lists everyone now in the household (its certification then says
    世帯全員): asked for so, or every member chosen, a household of one included."""
    if asked:
        return True
    try:
        everyone = reads.household(records[0].household_number.value)
    except NotFound:
        return False
    return {r.atena_number.value for r in everyone} == {r.atena_number.value for r in records}


def _members(
    reads: RegisterReads, person: ResidentRecord, members: Sequence[str]
) -> list[ResidentRecord]:
    """The chosen members of the person's household, in the order given (each once)."""
    chosen = list(dict.fromkeys(AtenaNumber.parse(m).value for m in members))
    if len(chosen) > MAX_MEMBERS:
        raise invalid(
            "certificate.too_many_persons",
            f"一度に証明できるのは{MAX_MEMBERS}人までです",
            "persons",
        )
    records = [person if a == person.atena_number.value else reads.current(a) for a in chosen]
    if any(r.household_number != person.household_number for r in records):
        raise invalid(
            "certificate.not_in_household",
            "選択した方の中に、この方と同じ世帯でない方がいます",
            "persons",
        )
    return records


def _head_of(reads: RegisterReads, record: ResidentRecord) -> ResidentRecord | None:
    """The head of the household the person leaves: a living head, or one who moved out with
    them (the whole household moving)."""
    if record.is_head:
        return None
    members = reads.search(
        SearchCriteria(household_number=record.household_number.value, include_removed=True),
        limit=100,
    )
    heads = [m for m in members if m.is_head]
    living = [m for m in heads if m.is_resident]
    if living:
        return living[0]
    moved = record.move_out
    together = [
        m
        for m in heads
        if m.move_out is not None
        and moved is not None
        and m.move_out.planned_on == moved.planned_on
    ]
    return together[0] if together else None


def _items_in(sheets: Sequence[Sheet]) -> tuple[str, ...]:
    labels = {f.label for s in sheets for p in s.persons for f in p.fields}
    return tuple(item for label, item in _ITEM_LABELS.items() if label in labels)
