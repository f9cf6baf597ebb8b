"""Issuing certificates (住民票の写し, 除票の写し, 記載事項証明書, 転出証明書, 印鑑登録証明書),
re-issuing them, and checking them.

One copy is issued in this order: the actor's right to issue (and to show the My Number, if
asked) is checked; the persons' suppression and support settings for issuing are applied
(errors refuse, alerts need acknowledging); the sheets are laid out; the certifier is chosen
(refused if unnamed or titled without the prefecture); the copy gets the next 発行番号 of the day
and a random 確認コード (from the random-source port, so it cannot be guessed); the PDF is drawn
with a QR code signing its content, and signed (PAdES); only then is the issue recorded in the
issue history and the access log. A failure on the way records nothing. A 印鑑登録証明書 also needs the number of the 印鑑登録証 the applicant shows: it
must be the person's registration in force, and its impression is printed at real size. Anyone can check a copy without logging in: by its code (minimal data) or by
the file itself (signature, QR code and issue history must agree).

Each copy's sheets are kept with its row of the issue history (canonical JSON). A re-issue
renders those stored sheets (the data as first issued, not today's record) under a new 発行番号
and names the copy it replaces; from then on the replaced copy is reported as no longer valid.
A 転出証明書's re-issue is a 再交付 and is marked 「（再交付）」 in its title; any other kind is a
re-print with the same content (no mark). The table stays append-only: a copy is superseded
when another row names it in ``reissue_of``, and at most one row may.

The mayor's title and name and the official seal image (公印) are set by an administrator
(``Permission.MANAGE_ISSUER``) and apply to the next copy made.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime

from jichitai.domain.access.actor import Actor, Forbidden
from jichitai.domain.access.disclosure import sees_individual_numbers
from jichitai.domain.access.roles import Permission
from jichitai.domain.access.suppression import Process
from jichitai.domain.certificates.contents import (
    Overflow,
    ResidentCertificateRequest,
    Sheet,
    blanked,
    certificate_lines,
    resident_sheets,
)
from jichitai.domain.certificates.issue_numbers import (
    CODE_RANDOM_DIGITS,
    IssueNumber,
    legacy_municipality,
    new_code,
    parse_code,
)
from jichitai.domain.certificates.issuer import (
    SEAL_OMITTED,
    Certifier,
    CertifierChoice,
    Deputy,
    IssuerSettings,
    check_issuer,
    choose_certifier,
)
from jichitai.domain.certificates.kinds import (
    CertificateKind,
    ItemChoice,
    SheetLayout,
    certificate_type,
)
from jichitai.domain.certificates.move_out import move_out_sheets, reissued
from jichitai.domain.certificates.seal_certificate import check_seal_card, seal_certificate_sheets
from jichitai.domain.certificates.stored import sheets_from_json, sheets_to_json
from jichitai.domain.certificates.verification import QrPayload, content_digest
from jichitai.domain.common.identifiers import AtenaNumber
from jichitai.domain.common.municipality import MunicipalityCode
from jichitai.domain.errors import ConflictError, NotFound, Violation, invalid
from jichitai.domain.inbound.text import CERTIFICATE_REASON
from jichitai.domain.residents.model import ResidentRecord
from jichitai.domain.seals.registration import SealRegistration
from jichitai.services.audit import JST, AccessLog, Operation
from jichitai.services.ports import (
    CertificateMaker,
    CertificateStore,
    Clock,
    RandomSource,
    SearchCriteria,
)
from jichitai.services.queries import RegisterQueries
from jichitai.services.suppression import SuppressionService

NO_OPTIONAL_ITEMS = ItemChoice()
MAX_REASON_LENGTH = CERTIFICATE_REASON.max_length
MAX_HISTORY = 500
MAX_MEMBERS = 100
_CODE_DRAWS = 8
# The optional items (``ItemChoice`` field names) a sheet shows, told by their labels: what the
# issue history records for a 転出証明書, whose items are all fixed.
_ITEM_LABELS = {
    "続柄": "head_and_relationship",
    "本籍": "domicile",
    "住民票コード": "resident_code",
    "個人番号": "individual_number",
    "国籍・地域": "foreign_items",
}


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


@dataclass(frozen=True, slots=True)
class FileCheck:
    """What the file itself says: its signature and its QR code."""

    signature_valid: bool
    signer: str
    payload: QrPayload | None
    payload_signed: bool
    problems: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Issued:
    code: str
    pdf: bytes
    pages: int
    title: str
    overflows: tuple[Overflow, ...] = ()


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


def superseded_problem(newer: str) -> str:
    return f"この証明書は再交付されたため無効です（新しい確認コード {newer}）"


DISPOSED_PROBLEM = "この証明書は誤って発行されたため処分されており、無効です"


@dataclass(frozen=True, slots=True)
class FileVerification:
    valid: bool
    problems: tuple[str, ...]
    code: str = ""
    title: str = ""
    issued_on: date | None = None
    signer: str = ""
    checks: dict[str, bool] = field(default_factory=dict)


def _shown_items(items: ItemChoice) -> tuple[str, ...]:
    return tuple(f.name for f in fields(items) if getattr(items, f.name))


ActiveSeal = Callable[[str, str], "tuple[SealRegistration, bytes] | None"]
"""(municipality code, 宛名番号) → the person's registration in force and its image."""


class CertificateService:
    def __init__(
        self,
        queries: RegisterQueries,
        suppressions: SuppressionService,
        access_log: AccessLog,
        store: CertificateStore,
        maker: CertificateMaker,
        clock: Clock,
        municipality_name: Callable[[str], str | None],
        active_seal: ActiveSeal,
        random: RandomSource,
    ) -> None:
        self._active_seal = active_seal
        self._random = random
        self._queries = queries
        self._suppressions = suppressions
        self._log = access_log
        self._store = store
        self._maker = maker
        self._clock = clock
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

    def issue(
        self,
        actor: Actor,
        atena_number: str,
        kind: CertificateKind,
        *,
        household: bool = False,
        layout: SheetLayout = SheetLayout.HOUSEHOLD,
        items: ItemChoice = NO_OPTIONAL_ITEMS,
        with_history: bool = False,
        acknowledged: frozenset[str] = frozenset(),
        seal_card_number: str = "",
        members: Sequence[str] = (),
        idempotency_key: str | None = None,
        certifier: CertifierChoice = CertifierChoice.AUTO,
        with_seal: bool = True,
    ) -> Issued:
        """One copy of a certificate for the person (or their whole household, or the chosen
        ``members`` of it).

        The same ``idempotency_key`` from the same login issues once: a repeat is refused with
        ``certificate.already_issued`` naming the first copy (its PDF is not kept, so it cannot
        be answered again; the clerk re-prints it from the history if it was lost).

        ``certifier`` names the mayor or the 職務代理者 (by default the deputy during the period
        of the 職務代理); without ``with_seal`` the copy reads 「公印省略」 (§5.6).

        A 転出証明書 is always one person's, with every item the order lists (the My Number
        among them: the actor must be allowed to see it); a 印鑑登録証明書 is one person's,
        for the 印鑑登録証 numbered ``seal_card_number``. ``household``, ``members``,
        ``layout``, ``items`` and ``with_history`` apply to neither.
        """
        scoped = f"{actor.login}:{idempotency_key}" if idempotency_key else None
        first = self._store.by_idempotency_key(actor.municipality_code, scoped)
        if first is not None:
            raise already_issued(first.issue_code)
        laid = self._lay_out(
            actor,
            atena_number,
            kind,
            household=household,
            layout=layout,
            items=items,
            with_history=with_history,
            acknowledged=acknowledged,
            seal_card_number=seal_card_number,
            members=members,
        )
        laid = self._fitted(actor.municipality_code, laid)
        return self._make(
            actor,
            laid.municipality_name,
            kind,
            laid.sheets,
            laid.persons,
            laid.items,
            impressions=laid.impressions,
            idempotency_key=scoped,
            certifier=certifier,
            with_seal=with_seal,
            overflows=laid.overflows,
        )

    def preview(
        self,
        actor: Actor,
        atena_number: str,
        kind: CertificateKind,
        *,
        household: bool = False,
        layout: SheetLayout = SheetLayout.HOUSEHOLD,
        items: ItemChoice = NO_OPTIONAL_ITEMS,
        with_history: bool = False,
        acknowledged: frozenset[str] = frozenset(),
        seal_card_number: str = "",
        members: Sequence[str] = (),
        certifier: CertifierChoice = CertifierChoice.AUTO,
        with_seal: bool = True,
    ) -> Preview:
        """The sheets ``issue`` would print with the same arguments, for the clerk to check
        before issuing: the same rights, suppressions and refusals, but nothing is numbered,
        drawn, signed or recorded as issued. The access log records it as a view (照会) of the
        persons, naming the My Number when it is shown."""
        laid = self._lay_out(
            actor,
            atena_number,
            kind,
            household=household,
            layout=layout,
            items=items,
            with_history=with_history,
            acknowledged=acknowledged,
            seal_card_number=seal_card_number,
            members=members,
        )
        chosen = self._certifier(
            actor.municipality_code, laid.municipality_name, certifier, with_seal
        )
        laid = self._fitted(actor.municipality_code, laid)
        self._log.record(
            actor,
            Operation.VIEW,
            atena_numbers=laid.persons,
            target=f"certificate_preview:{kind.value}",
            my_number_shown="individual_number" in laid.items,
        )
        return replace(laid, certifier=chosen)

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

    def _certifier(
        self, mc: str, name: str, choice: CertifierChoice, with_seal: bool = True
    ) -> Certifier:
        self._maker.ensure_keys(mc, name)
        text = self._maker.issuer_text(mc, name)
        return choose_certifier(
            text, self._clock.today(), choice, with_seal, prefecture=_prefecture(mc)
        )

    def _lay_out(
        self,
        actor: Actor,
        atena_number: str,
        kind: CertificateKind,
        *,
        household: bool,
        layout: SheetLayout,
        items: ItemChoice,
        with_history: bool,
        acknowledged: frozenset[str],
        seal_card_number: str,
        members: Sequence[str],
    ) -> Preview:
        """Every check before a copy is made, and its sheets."""
        actor.require(Permission.ISSUE)
        registration = certificate_type(kind)
        if registration.carries_individual_number:
            _require_my_number(
                actor, "kind", f"個人番号を記載した{registration.title}を発行する権限がありません"
            )
        if kind is CertificateKind.SEAL_CERTIFICATE:
            return self._seal_certificate(actor, atena_number, seal_card_number, acknowledged)
        if kind is CertificateKind.MOVE_OUT_CERTIFICATE:
            return self._move_out(actor, atena_number, acknowledged)
        items = registration.chosen_items(items)
        if items.individual_number:
            _require_my_number(
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
        if layout not in registration.layouts:
            raise invalid(
                "certificate.layout_not_allowed",
                f"{registration.title}は{layout.label}では発行できません",
                "layout",
            )
        mc = actor.municipality_code
        name = self._municipality(mc)
        records = self._records(
            mc,
            atena_number,
            household and kind is not CertificateKind.REMOVED_RECORD_CERTIFICATE,
            members,
        )
        self._guard(mc, records, acknowledged)
        histories = (
            {r.atena_number.value: self._queries.history(mc, r.atena_number.value) for r in records}
            if with_history
            else None
        )
        whole = kind is CertificateKind.RESIDENCE_CERTIFICATE and self._whole_household(
            mc, records, household and not members
        )
        request = ResidentCertificateRequest(kind, layout, items, with_history, whole)
        sheets = resident_sheets(request, records, self._clock.today(), histories)
        return Preview(
            kind,
            name,
            tuple(sheets),
            tuple(r.atena_number.value for r in records),
            _shown_items(items),
        )

    def _move_out(self, actor: Actor, atena_number: str, acknowledged: frozenset[str]) -> Preview:
        mc = actor.municipality_code
        name = self._municipality(mc)
        # The 転出証明書 is issued when the move-out is filed, usually before its date: it
        # certifies the move-out as recorded, not the record in effect today.
        record = self._queries.latest(mc, atena_number)
        self._guard(mc, [record], acknowledged)
        sheets = move_out_sheets(record, self._clock.today(), self._head_of(mc, record))
        return Preview(
            CertificateKind.MOVE_OUT_CERTIFICATE,
            name,
            tuple(sheets),
            (record.atena_number.value,),
            _items_in(sheets),
        )

    def _seal_certificate(
        self, actor: Actor, atena_number: str, card_number: str, acknowledged: frozenset[str]
    ) -> Preview:
        if not card_number.strip():
            raise invalid(
                "seal.card_required",
                "印鑑登録証の番号を入力してください",
                "seal_card_number",
            )
        mc = actor.municipality_code
        name = self._municipality(mc)
        record = self._queries.current(mc, atena_number)
        self._guard(mc, [record], acknowledged)
        found = self._active_seal(mc, record.atena_number.value)
        registration = check_seal_card(found[0] if found else None, card_number)
        assert found is not None
        sheets = seal_certificate_sheets(record, registration)
        return Preview(
            CertificateKind.SEAL_CERTIFICATE,
            name,
            tuple(sheets),
            (record.atena_number.value,),
            (),
            {registration.registration_number: found[1]},
        )

    def _head_of(self, mc: str, record: ResidentRecord) -> ResidentRecord | None:
        """The head of the household the person leaves: a living head, or one who moved out
        with them (the whole household moving)."""
        if record.is_head:
            return None
        members = self._queries.search_criteria(
            mc,
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

    def _guard(
        self, mc: str, records: Sequence[ResidentRecord], acknowledged: frozenset[str]
    ) -> None:
        self._suppressions.guard(
            mc,
            Process.ISSUE,
            [(r.atena_number.value, r.household_number.value) for r in records],
            acknowledged=acknowledged,
        )

    def _make(
        self,
        actor: Actor,
        name: str,
        kind: CertificateKind,
        sheets: Sequence[Sheet],
        persons: tuple[str, ...],
        items: tuple[str, ...],
        *,
        reissue_of: str | None = None,
        reason: str = "",
        impressions: Mapping[str, bytes] | None = None,
        idempotency_key: str | None = None,
        certifier: CertifierChoice = CertifierChoice.AUTO,
        with_seal: bool = True,
        overflows: tuple[Overflow, ...] = (),
    ) -> Issued:
        """Number, draw, sign; then record the copy and log it (nothing is recorded if drawing
        or recording fails)."""
        mc = actor.municipality_code
        today = self._clock.today()
        digest = content_digest(certificate_lines(sheets))
        who = self._certifier(mc, name, certifier, with_seal)  # refused before a number is drawn
        code = self._fresh_code()
        number = IssueNumber(
            today, mc, name, actor.terminal[:20], "", self._store.next_sequence(mc, today), code
        )
        pdf = self._maker.make(mc, name, sheets, number, today, digest, impressions or {}, who)
        self._store.record(
            IssueRecord(
                municipality_code=mc,
                issue_code=number.code,
                issued_on=today,
                sequence=number.sequence,
                kind=kind.value,
                title=sheets[0].title,
                persons=persons,
                items=items,
                pages=len(sheets),
                issued_by=actor.login,
                terminal=actor.terminal,
                place=actor.place,
                issued_at=self._clock.now(),
                content_sha256=digest.hex(),
                pdf_sha256=hashlib.sha256(pdf).hexdigest(),
                content=sheets_to_json(sheets),
                reissue_of=reissue_of,
                reason=reason,
                idempotency_key=idempotency_key,
                overflows=overflows,
            )
        )
        self._log.record(
            actor,
            Operation.ISSUE,
            atena_numbers=persons,
            target=f"certificate:{number.code}",
            my_number_shown="individual_number" in items,
            detail=f"再交付（元の確認コード {reissue_of}）" if reissue_of else "",
        )
        return Issued(number.code, pdf, len(sheets), sheets[0].title, overflows)

    def _fresh_code(self) -> str:
        """A 確認コード no copy has: random digits from the random source (never derived from
        the date, the municipality or the day's sequence), drawn again in the astronomically rare
        case that they are taken. The unique index on the codes stands behind this check."""
        for _ in range(_CODE_DRAWS):
            code = new_code(self._random.digits(CODE_RANDOM_DIGITS))
            if self._store.municipality_of(code) is None:
                return code
        raise RuntimeError(f"{_CODE_DRAWS} random codes in a row were taken: is the source random?")

    def _records(
        self, mc: str, atena_number: str, household: bool, members: Sequence[str] = ()
    ) -> list[ResidentRecord]:
        person = self._queries.current(mc, atena_number)
        if members:
            return self._members(mc, person, members)
        if not household:
            return [person]
        return self._queries.household(mc, person.household_number.value)

    def _whole_household(self, mc: str, records: Sequence[ResidentRecord], asked: bool) -> bool:
        """Whether the copy lists everyone now in the household (its certification then says
        世帯全員): asked for so, or every member chosen, a household of one included."""
        if asked:
            return True
        try:
            everyone = self._queries.household(mc, records[0].household_number.value)
        except NotFound:
            return False
        return {r.atena_number.value for r in everyone} == {r.atena_number.value for r in records}

    def _members(
        self, mc: str, person: ResidentRecord, members: Sequence[str]
    ) -> list[ResidentRecord]:
        """The chosen members of the person's household, in the order given (each once)."""
        chosen = list(dict.fromkeys(AtenaNumber.parse(m).value for m in members))
        if len(chosen) > MAX_MEMBERS:
            raise invalid(
                "certificate.too_many_persons",
                f"一度に証明できるのは{MAX_MEMBERS}人までです",
                "persons",
            )
        records = [
            person if a == person.atena_number.value else self._queries.current(mc, a)
            for a in chosen
        ]
        if any(r.household_number != person.household_number for r in records):
            raise invalid(
                "certificate.not_in_household",
                "選択した方の中に、この方と同じ世帯でない方がいます",
                "persons",
            )
        return records

    # --- re-issue and history ------------------------------------------------------------------

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
        needs the rights the original needed, and the persons' suppressions apply again.
        """
        actor.require(Permission.ISSUE)
        reason = _checked_reason(reason, "再交付")
        original = self._own_copy(actor, issue_code)
        mc = actor.municipality_code
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
            _require_my_number(
                actor, "issue_code", "個人番号を記載した証明書を再交付する権限がありません"
            )
        newer = self._store.superseding(mc, code)
        if newer is not None:
            raise already_reissued(newer.issue_code)
        if not original.content:
            raise invalid(
                "certificate.content_not_stored",
                "この証明書は発行時の内容が保存されていないため再交付できません。改めて発行してください",
                "issue_code",
            )
        sheets = sheets_from_json(original.content)
        name = self._municipality(mc)
        self._guard(mc, [self._queries.current(mc, a) for a in original.persons], acknowledged)
        if kind is CertificateKind.MOVE_OUT_CERTIFICATE:
            sheets = reissued(sheets)
        return self._make(
            actor,
            name,
            kind,
            sheets,
            original.persons,
            original.items,
            reissue_of=original.issue_code,
            reason=reason,
            overflows=tuple(self._maker.overflows(sheets)),
        )

    def overflow_list(self, actor: Actor, issued_on: date) -> list[tuple[IssueRecord, Overflow]]:
        """文字超過リスト (§5.8): the values the day's copies could not print whole, by copy
        (read, and logged, as the day's issue history)."""
        return [(r, o) for r in self.history(actor, issued_on=issued_on) for o in r.overflows]

    def dispose(self, actor: Actor, issue_code: str, reason: str) -> IssueRecord:
        """処分: record that a copy issued by mistake was destroyed (§1.3.8). The copy stays in the
        history, marked, no longer verifies and cannot be re-issued; a second disposal of it
        is refused."""
        actor.require(Permission.ISSUE)
        reason = _checked_reason(reason, "処分")
        copy = self._own_copy(actor, issue_code)
        if copy.disposal is not None:
            raise already_disposed()
        disposal = Disposal(self._clock.now(), actor.login, actor.terminal[:100], reason)
        self._store.dispose(actor.municipality_code, copy.issue_code, disposal)
        self._log.record(
            actor,
            Operation.DISPOSE_CERTIFICATE,
            atena_numbers=copy.persons,
            target=f"certificate:{copy.issue_code}",
            detail=reason,
        )
        return replace(copy, disposal=disposal)

    def _own_copy(self, actor: Actor, issue_code: str) -> IssueRecord:
        """The copy of the actor's municipality with this code (spaces and dashes ignored; a
        mistyped code is refused by its check digit before anything is looked up)."""
        found = self._store.get(actor.municipality_code, parse_code(issue_code))
        if found is None:
            raise _not_issued()
        return found

    def history(
        self,
        actor: Actor,
        atena_number: str | None = None,
        issued_on: date | None = None,
    ) -> list[IssueRecord]:
        """The issue history (who issued what, when, where), newest first: of one person, of one
        day, or the latest copies; at most 500."""
        actor.require(Permission.ISSUE)
        person = AtenaNumber.parse(atena_number).value if atena_number else None
        found = list(
            self._store.history(
                actor.municipality_code,
                atena_number=person,
                issued_on=issued_on,
                limit=MAX_HISTORY,
            )
        )
        self._log.record(
            actor,
            Operation.VIEW,
            atena_numbers=(person,) if person else (),
            target="certificate_history" + (f":{issued_on.isoformat()}" if issued_on else ""),
        )
        return found

    # --- the issuer and the official seal ------------------------------------------------------

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
            prefecture=_prefecture(mc),
        )
        name = self._municipality(mc)
        self._maker.ensure_keys(mc, name)
        settings = self._maker.set_issuer(mc, name, text)
        self._log.record(actor, Operation.CHANGE_SETTINGS, target="certificate_issuer")
        return settings

    def set_official_seal(
        self, actor: Actor, image: bytes, *, deputy: bool = False
    ) -> IssuerSettings:
        """Set the official seal image (PNG or JPEG), or the 職務代理者's own seal, stamped from
        the next copy on (in black)."""
        actor.require(Permission.MANAGE_ISSUER)
        mc = actor.municipality_code
        name = self._municipality(mc)
        self._maker.ensure_keys(mc, name)
        if deputy:
            settings = self._maker.set_deputy_seal(mc, name, image)
            digest = settings.deputy_seal_sha256
        else:
            settings = self._maker.set_official_seal(mc, name, image)
            digest = settings.seal_sha256
        self._log.record(
            actor,
            Operation.CHANGE_SETTINGS,
            target="deputy_seal" if deputy else "official_seal",
            detail=f"sha256:{digest[:16]}",
        )
        return settings

    # --- checking, by anyone -----------------------------------------------------------------

    def verify_code(self, code: str) -> Verification:
        """What anyone may learn of a copy from its code: that it was issued, of what kind, when
        and by whom, and whether it was replaced or disposed of (no personal data). A legacy code
        names its municipality; a random one is looked up among all."""
        digits = parse_code(code)
        mc = legacy_municipality(digits) or self._store.municipality_of(digits)
        found = self._store.get(mc, digits) if mc else None
        if found is None or mc is None:
            raise _not_issued()
        newer = self._store.superseding(mc, digits)
        return Verification(
            found.issue_code,
            found.title,
            self._name(mc) or "",
            found.issued_on,
            found.pages,
            found.content_sha256,
            newer.issue_code if newer else None,
            _jst_day(found.disposal.disposed_at) if found.disposal else None,
        )

    def verify_file(self, pdf: bytes) -> FileVerification:
        """Signature, QR code and issue history must agree, and the copy must not have been
        replaced by a re-issue; every disagreement is listed."""
        check = self._maker.check(pdf)
        problems = list(check.problems)
        checks = {"signature": check.signature_valid, "qr": check.payload_signed}
        payload = check.payload
        if payload is None:
            return FileVerification(False, tuple(problems), signer=check.signer, checks=checks)
        mc = payload.municipality_code
        found = self._store.get(mc, payload.code)
        issued = found is not None
        checks["issued"] = issued
        if found is None:
            problems.append("この証明書の発行の記録がありません")
        else:
            same_content = found.content_sha256 == payload.digest.hex()
            same_file = found.pdf_sha256 == hashlib.sha256(pdf).hexdigest()
            newer = self._store.superseding(mc, payload.code)
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


def _prefecture(municipality_code: str) -> str:
    return MunicipalityCode(municipality_code).prefecture


def _require_my_number(actor: Actor, field: str, message: str) -> None:
    if not sees_individual_numbers(actor):
        raise Forbidden(Violation("certificate.item_forbidden", message, field))


def _items_in(sheets: Sequence[Sheet]) -> tuple[str, ...]:
    labels = {f.label for s in sheets for p in s.persons for f in p.fields}
    return tuple(item for label, item in _ITEM_LABELS.items() if label in labels)


def _not_issued() -> NotFound:
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


def _checked_reason(reason: str, what: str) -> str:
    """The reason given for a re-issue or a disposal: required, and read by the text rules of
    its item (``CERTIFICATE_REASON``: one line, at most 200 characters)."""
    reason = CERTIFICATE_REASON.read(reason, "reason", label=f"{what}の理由")
    if not reason:
        raise invalid("certificate.reason_required", f"{what}の理由を入力してください", "reason")
    return reason


def _jst_day(moment: datetime) -> date:
    return moment.astimezone(JST).date()
