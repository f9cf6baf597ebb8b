"""Use cases of the resident register: record a change, keep drafts, approve them.

Every change runs in one unit of work for one municipality: the rules (``plan_change``) decide,
then the journal entry, the snapshots and the projections are written together or not at all.
The journal is a hash chain per municipality: each entry's hash covers its content and the
previous entry's hash, so any later edit of a stored entry is visible (``verify_chain``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any

import orjson

from jichitai.codec import decode_tagged, encode_tagged, from_primitive, to_primitive
from jichitai.domain.common.dates import RecordDate
from jichitai.domain.common.identifiers import (
    RESIDENT_CODE_M11_W2_7,
    AtenaNumber,
    HouseholdNumber,
    IndividualNumber,
    ResidenceCardNumber,
    ResidentCode,
)
from jichitai.domain.common.names import PersonName
from jichitai.domain.errors import ConflictError, DomainError, NotFound, Violation, invalid
from jichitai.domain.integration.feed import is_system_key
from jichitai.domain.residents.change_types import COMMAND_TYPES
from jichitai.domain.residents.changes import plan_change
from jichitai.domain.residents.commands import ChangeCommand
from jichitai.domain.residents.model import ResidentRecord, Sex
from jichitai.domain.residents.view import ChangeContext, ChangePlan, EventRecord
from jichitai.services.event_ids import new_event_id, new_uuid
from jichitai.services.journal_hash import entry_hash
from jichitai.services.number_codes import draw_free_code
from jichitai.services.ports import (
    GENESIS_HASH,
    Clock,
    Draft,
    IdSource,
    JournalEntry,
    RandomSource,
    RegisterJournal,
    UnitOfWork,
)
from jichitai.services.ports.number_link import NumberLinkRepository
from jichitai.services.seals import abolish_on_removal
from jichitai.services.town_areas import MasterLookup


@dataclass(frozen=True, slots=True)
class ChangeResult:
    """What a recorded change answers: the event, the persons concerned, alerts and notices."""

    event_id: str
    seq: int
    kind: str
    reason: str
    atena_numbers: tuple[str, ...]
    households: tuple[str, ...]
    alerts: tuple[Violation, ...]
    notices: tuple[str, ...]
    replayed: bool = False


def canonical_text(value: object) -> str:
    """``codec.canonical_json`` computed with orjson (same text, ~10x faster; a test pins it)."""
    return orjson.dumps(to_primitive(value), option=orjson.OPT_SORT_KEYS).decode()


def encode_command(command: ChangeCommand) -> dict[str, Any]:
    encoded: dict[str, Any] = encode_tagged(command)
    return encoded


def decode_command(data: dict[str, Any]) -> ChangeCommand:
    command: ChangeCommand = decode_tagged(COMMAND_TYPES, data)
    return command


class _PlanningView:
    """The repository as the rules see it, plus random 住民票コード drawn without collisions."""

    def __init__(
        self, repo: RegisterJournal, random: RandomSource, stock: NumberLinkRepository | None
    ) -> None:
        self._repo = repo
        self._random = random
        self._stock = stock

    def current(self, atena_number: AtenaNumber) -> ResidentRecord | None:
        return self._repo.current(atena_number)

    def snapshot(self, atena_number: AtenaNumber, history_number: int) -> ResidentRecord | None:
        return self._repo.snapshot(atena_number, history_number)

    def household_residents(self, household_number: HouseholdNumber) -> Sequence[ResidentRecord]:
        return self._repo.household_residents(household_number)

    def household_pending_removals(
        self, household_number: HouseholdNumber, after: date
    ) -> Sequence[ResidentRecord]:
        return self._repo.household_pending_removals(household_number, after)

    def find_by_identifiers(
        self,
        individual_number: IndividualNumber | None,
        resident_code: ResidentCode | None,
        residence_card_number: ResidenceCardNumber | None,
    ) -> Sequence[ResidentRecord]:
        return self._repo.find_by_identifiers(
            individual_number, resident_code, residence_card_number
        )

    def find_same_identity(
        self, name: PersonName, sex: Sex, birth_date: RecordDate
    ) -> Sequence[ResidentRecord]:
        return self._repo.find_same_identity(name, sex, birth_date)

    def event(self, event_id: str) -> EventRecord | None:
        return self._repo.event(event_id)

    def new_atena_number(self) -> AtenaNumber:
        return self._repo.new_atena_number()

    def new_household_number(self) -> HouseholdNumber:
        return self._repo.new_household_number()

    def new_resident_code(self) -> ResidentCode:
        if self._stock is not None:
            return draw_free_code(self._stock, self._repo, self._random)
        for _ in range(20):
            code = ResidentCode.from_random_digits(
                self._random.digits(10), rule=RESIDENT_CODE_M11_W2_7
            )
            if not self._repo.find_by_identifiers(None, code, None):
                return code
        raise DomainError(
            Violation("resident_code.exhausted", "住民票コードを払い出せませんでした")
        )


class RegisterService:
    """Records changes to the register of any municipality, one unit of work each."""

    def __init__(
        self,
        uow_for: Callable[[str], UnitOfWork],
        clock: Clock,
        random: RandomSource,
        ids: IdSource,
        *,
        free_codes: bool = False,
    ) -> None:
        """``free_codes``: new persons' 住民票コード are drawn from the stock the CS handed out
        (§4.3.1, the link on), not made here."""
        self._uow_for = uow_for
        self._clock = clock
        self._random = random
        self._ids = ids
        self._free_codes = free_codes

    def _view(self, uow: UnitOfWork, repo: RegisterJournal) -> _PlanningView:
        return _PlanningView(repo, self._random, uow.number_link if self._free_codes else None)

    def _context(self, uow: UnitOfWork) -> ChangeContext:
        """What the rules know of the municipality, from the unit of work (no other
        connection is taken while it holds one)."""
        return ChangeContext(
            today=self._clock.today(),
            municipality_code=uow.municipality_code,
            municipality_name=uow.municipality_name,
            town_areas=MasterLookup(uow.town_areas),
        )

    def _utc_now(self) -> datetime:
        """The clock's 'now' in UTC: the hash covers the ISO text, which must survive storage
        (the database hands every time back in UTC, whatever offset it was written with)."""
        now = self._clock.now()
        if now.tzinfo is None or now.utcoffset() is None:
            raise ValueError(f"naive datetime {now!r} from the clock: times must be aware")
        return now.astimezone(UTC)

    def record_change(
        self, municipality_code: str, command: ChangeCommand, *, idempotency_key: str | None = None
    ) -> ChangeResult:
        """本登録: apply a change now. The same idempotency key twice records it once."""
        with self._uow_for(municipality_code) as uow:
            result = self._record(uow, self._context(uow), command, idempotency_key)
            if not result.replayed:
                uow.commit()
            return result

    def record_changes(
        self, municipality_code: str, commands: Sequence[ChangeCommand]
    ) -> list[ChangeResult | DomainError]:
        """一括入力 (standard §4.0.10 (550)): many approved changes in one transaction.

        Each change is checked and journaled on its own, exactly as ``record_change`` does, inside
        a savepoint: a refused change rolls back only itself and is answered with its error in
        its place; the others are committed together at the end.
        """
        results: list[ChangeResult | DomainError] = []
        with self._uow_for(municipality_code) as uow:
            ctx = self._context(uow)
            for command in commands:
                try:
                    with uow.savepoint():
                        results.append(self._record(uow, ctx, command, None))
                except DomainError as error:
                    results.append(error)
            uow.commit()
        return results

    def check_change(self, municipality_code: str, command: ChangeCommand) -> ChangePlan:
        """Run every rule without writing (what a draft would do if approved now)."""
        with self._uow_for(municipality_code) as uow:  # left without commit: nothing kept
            return self.prepare_in(uow, command)[0]

    def prepare_in(
        self, uow: UnitOfWork, command: ChangeCommand
    ) -> tuple[ChangePlan, ChangeCommand]:
        """Run every rule in ``uow``, and say what the change was prepared against.

        Answers the plan and the command with the versions it was checked against filled in
        (``expected_versions``: each existing household's version, ``expected_histories``: each
        existing person's 履歴番号), read in the same transaction as the check. Versions the
        command already names (the counter's confirmation page, an API client that read the
        record) are kept and must still hold (``change.conflict``). Approval compares them again.

        Planning draws numbers (a new 宛名番号, 世帯番号): the caller keeps nothing of it, by
        running it in ``uow.trial()`` or leaving ``uow`` without commit.
        """
        ctx = self._context(uow)
        # Numbers are drawn while planning: take the chain head's lock first, as a real change
        # does, so a dry run never races a writer for the same new 宛名番号.
        repo = uow.journal
        repo.journal_head()
        _check_versions(repo, command)
        plan = plan_change(command, self._view(uow, repo), ctx)
        households = dict(command.header.expected_versions)
        for household in plan.households:
            version = repo.household_version(HouseholdNumber(household))
            if version is not None:
                households.setdefault(household, version)
        histories = dict(command.header.expected_histories)
        for atena in plan.atena_numbers:
            current = repo.current(AtenaNumber(atena))
            if current is not None:
                histories.setdefault(atena, current.history_number)
        header = replace(command.header, expected_versions=households, expected_histories=histories)
        return plan, replace(command, header=header)

    def _record(
        self,
        uow: UnitOfWork,
        ctx: ChangeContext,
        command: ChangeCommand,
        idempotency_key: str | None,
        check: Callable[[ChangePlan], object] | None = None,
    ) -> ChangeResult:
        repo = uow.journal
        # Lock the chain head first: everything read after it (an earlier entry with the same
        # idempotency key included) is what the previous writer of this municipality committed.
        seq, prev_hash = repo.journal_head()
        if idempotency_key:
            if is_system_key(idempotency_key):
                raise invalid(
                    "request.invalid_idempotency_key",
                    "Idempotency-Key に took_effect: 又は protection: で始まる値は使えません"
                    "（システムが付ける値です）",
                    "Idempotency-Key",
                )
            previous = repo.entry_by_idempotency_key(idempotency_key)
            if previous is not None:
                return _result_of(previous, replayed=True)
        _check_versions(repo, command)
        plan = plan_change(command, self._view(uow, repo), ctx)
        if check is not None:
            check(plan)  # the caller's own refusal (a suppression), before anything is written
        versions: dict[str, int | None] = {
            household: repo.household_version(HouseholdNumber(household))
            for household in plan.households
        }
        # Stored with each 個人番号 sealed (ADR 0015), and hashed as stored: the chain covers the
        # text in the database, and no clear number is left to guess back from a hash.
        record_json = [(r, repo.sealed(canonical_text(r))) for r in plan.records]
        payload = repo.sealed(_payload(command, plan, [text for _, text in record_json]))
        header = command.header
        now = self._utc_now()
        draft = JournalEntry(
            seq=seq + 1,
            # Event ids must be unique across every municipality and process: their random part
            # comes from the id source (secure in production), not the random source of 住民票コード.
            event_id=new_event_id(self._ids, now),
            idempotency_key=idempotency_key,
            kind=plan.kind.value,
            reason=plan.reason.value,
            reason_group=plan.reason.group.value,
            effective_on=header.effective_on,
            filed_on=header.filed_on,
            recorded_at=now,
            operator=header.operator,
            place=header.place,
            terminal=header.terminal,
            notes=header.notes,
            ex_officio=plan.ex_officio or header.ex_officio,
            corrects_event_id=plan.corrects_event_id,
            payload=payload,
            prev_hash=prev_hash,
            entry_hash="",
        )
        entry = replace(draft, entry_hash=entry_hash(draft))
        # Recorded before its 異動日 (a 転出 filed before the move): the feed says it is planned,
        # and tells its day when it comes (services/effective_dates.py).
        planned = entry.effective_on > self._clock.today()
        repo.append(entry, record_json, versions, planned=planned)
        abolish_on_removal(uow, ctx.municipality_code, self._clock, self._ids, plan.records, entry)
        return ChangeResult(
            event_id=entry.event_id,
            seq=entry.seq,
            kind=entry.kind,
            reason=entry.reason,
            atena_numbers=plan.atena_numbers,
            households=plan.households,
            alerts=plan.alerts,
            notices=tuple(n.value for n in plan.notices),
        )

    # --- drafts (仮登録 → 審査 → 本登録, standard §4.0.8 (530)) -----------------------------

    def save_draft(
        self,
        municipality_code: str,
        command: ChangeCommand,
        *,
        operator: str = "",
        idempotency_key: str | None = None,
    ) -> Draft:
        """仮登録: keep the change for review (``save_draft_in``, in a unit of work of its own)."""
        with self._uow_for(municipality_code) as uow:
            draft = self.save_draft_in(
                uow, command, operator=operator, idempotency_key=idempotency_key
            )
            uow.commit()
        return draft

    def save_draft_in(
        self,
        uow: UnitOfWork,
        command: ChangeCommand,
        *,
        operator: str = "",
        idempotency_key: str | None = None,
    ) -> Draft:
        """仮登録: keep the change for review. It changes nothing that anyone can read.

        The same idempotency key with the same command answers the draft saved the first time;
        with a different command it is refused (``idempotency.key_reused``), never applied.
        """
        now = self._clock.now()
        text = json.dumps(encode_command(command), ensure_ascii=False, sort_keys=True)
        draft = Draft(
            draft_id=new_uuid(self._ids),
            kind=type(command).__name__,
            status="pending",
            command=text,
            operator=operator,
            created_at=now,
            updated_at=now,
            idempotency_key=idempotency_key,
            editors=(operator,) if operator else (),
        )
        if idempotency_key:
            # Serialise with writers of this municipality, so a concurrent duplicate waits
            # and then finds the first one's draft.
            uow.journal.journal_head()
            previous = uow.drafts.by_idempotency_key(idempotency_key)
            if previous is not None:
                if previous.command != text or previous.operator != operator:
                    raise DomainError(
                        Violation(
                            "idempotency.key_reused",
                            "この Idempotency-Key は別の内容の申請に使われています。新しいキーで送信してください",
                            "Idempotency-Key",
                        )
                    )
                return previous
        draft = replace(draft, number=uow.drafts.next_number())
        uow.drafts.add(draft)
        return draft

    def update_draft(
        self, municipality_code: str, draft_id: str, command: ChangeCommand, *, editor: str = ""
    ) -> Draft:
        with self._uow_for(municipality_code) as uow:
            updated = self.update_draft_in(uow, draft_id, command, editor=editor)
            uow.commit()
        return updated

    def update_draft_in(
        self, uow: UnitOfWork, draft_id: str, command: ChangeCommand, *, editor: str = ""
    ) -> Draft:
        """A draft can be corrected until it is approved, as the same kind of change (another
        change is another draft). ``editor`` joins the draft's editors, who may not approve it.
        A draft sent back (差戻し) is pending again once corrected; the reviewer's comment stays
        with it until it is approved or sent back again."""
        draft = self._pending(uow, draft_id, returned=True)
        if type(command).__name__ != draft.kind:
            raise DomainError(
                Violation(
                    "draft.kind_changed",
                    "仮登録の異動の種類は変更できません。別の異動は新しい仮登録として入力してください",
                    "command.type",
                )
            )
        editors = draft.editors or ((draft.operator,) if draft.operator else ())
        updated = replace(
            draft,
            command=json.dumps(encode_command(command), ensure_ascii=False, sort_keys=True),
            updated_at=self._clock.now(),
            editors=editors + ((editor,) if editor and editor not in editors else ()),
            status="pending",
        )
        uow.drafts.update(updated)
        return updated

    def return_draft_in(
        self,
        uow: UnitOfWork,
        draft_id: str,
        *,
        comment: str,
        reasons: Sequence[Violation] = (),
    ) -> Draft:
        """差戻し: a pending draft goes back to its clerk with the reviewer's comment and the
        refusals that stopped its approval. The reviewer is not kept with it (as approval keeps
        no approver, §4.0.8 (530)); the access log records who sent it back."""
        draft = self._pending(uow, draft_id)
        returned = replace(
            draft,
            status="returned",
            return_comment=comment,
            return_reasons=tuple(reasons),
            updated_at=self._clock.now(),
        )
        uow.drafts.update(returned)
        return returned

    def discard_draft(self, municipality_code: str, draft_id: str) -> None:
        with self._uow_for(municipality_code) as uow:
            self.discard_draft_in(uow, draft_id)
            uow.commit()

    def discard_draft_in(self, uow: UnitOfWork, draft_id: str) -> None:
        draft = self._pending(uow, draft_id, returned=True)
        uow.drafts.update(replace(draft, status="discarded", updated_at=self._clock.now()))

    def approve_draft(
        self,
        municipality_code: str,
        draft_id: str,
        *,
        acknowledged_alerts: frozenset[str] = frozenset(),
    ) -> ChangeResult:
        with self._uow_for(municipality_code) as uow:
            result = self.approve_draft_in(uow, draft_id, acknowledged_alerts=acknowledged_alerts)
            uow.commit()
            return result

    def approve_draft_in(
        self,
        uow: UnitOfWork,
        draft_id: str,
        *,
        acknowledged_alerts: frozenset[str] = frozenset(),
        check: Callable[[ChangePlan], object] | None = None,
    ) -> ChangeResult:
        """本登録: the draft's change is applied now, under the rules as they stand now
        (``check``: the caller's own refusal of the plan, run before anything is written).

        The standard forbids keeping the approver's name and approval date as register data
        (§4.0.8 (530) 【実装しない機能】), so approval records only the change itself.
        """
        ctx = self._context(uow)
        found = uow.drafts.get(draft_id)
        key = (found.idempotency_key or f"draft:{found.draft_id}") if found else ""
        if found is not None and found.status == "approved":
            # Approving twice (a resubmitted form, a retried request) answers the first result.
            entry = uow.journal.entry_by_idempotency_key(key)
            if entry is not None:
                return _result_of(entry, replayed=True)
        draft = self._pending(uow, draft_id)
        command = decode_command(json.loads(draft.command))
        if acknowledged_alerts:
            header = replace(
                command.header,
                acknowledged_alerts=command.header.acknowledged_alerts | acknowledged_alerts,
            )
            command = replace(command, header=header)
        result = self._record(uow, ctx, command, key, check)
        uow.drafts.update(
            replace(
                draft, status="approved", event_id=result.event_id, updated_at=self._clock.now()
            )
        )
        return result

    def draft(self, municipality_code: str, draft_id: str) -> Draft:
        """A draft in any state (pending, approved, discarded)."""
        with self._uow_for(municipality_code) as uow:
            return self.draft_in(uow, draft_id)

    @staticmethod
    def draft_in(uow: UnitOfWork, draft_id: str) -> Draft:
        draft = uow.drafts.get(draft_id)
        if draft is None:
            raise NotFound(Violation("draft.not_found", "該当する仮登録がありません", "draft_id"))
        return draft

    def drafts(self, municipality_code: str) -> Sequence[Draft]:
        with self._uow_for(municipality_code) as uow:
            return uow.drafts.listed("pending")

    @staticmethod
    def _pending(uow: UnitOfWork, draft_id: str, *, returned: bool = False) -> Draft:
        """The draft if it is pending (or sent back, where ``returned`` allows it)."""
        draft = uow.drafts.get(draft_id)
        if draft is None:
            raise NotFound(Violation("draft.not_found", "該当する仮登録がありません", "draft_id"))
        if draft.status == "returned" and not returned:
            raise DomainError(
                Violation(
                    "draft.returned",
                    "この仮登録は入力者に差し戻されています。入力者が再提出してから審査してください",
                    "draft_id",
                )
            )
        if draft.status not in ("pending", "returned"):
            raise DomainError(
                Violation(
                    "draft.not_pending", "この仮登録は既に本登録又は破棄されています", "draft_id"
                )
            )
        return draft

    # --- the chain ---------------------------------------------------------------------------

    def verify_chain(self, municipality_code: str) -> int:
        """Recompute every hash of the municipality's journal; return the number of entries.

        Raises ``DomainError`` naming the first entry whose content or link does not match.
        """
        # The chain must end at the recorded head: entries cut off the end of the journal leave
        # every remaining link intact. The head is read (and its lock released) first; entries
        # appended while the check runs lie beyond it and are left for the next check.
        with self._uow_for(municipality_code) as uow:
            last_seq, last_hash = uow.journal.journal_head()
        with self._uow_for(municipality_code) as uow:
            previous = GENESIS_HASH
            count = 0
            for entry in uow.journal.journal(limit=last_seq):
                if entry.prev_hash != previous or entry_hash(entry) != entry.entry_hash:
                    raise _tampered(entry.seq)
                previous = entry.entry_hash
                count += 1
        if count != last_seq:
            raise _tampered(count + 1)  # the first entry missing
        if previous != last_hash:
            raise _tampered(last_seq)
        return count


def _check_versions(repo: RegisterJournal, command: ChangeCommand) -> None:
    """``change.conflict`` naming every person and household changed since the versions the
    command was prepared against (an optimistic lock across the draft's review)."""
    faults: list[Violation] = []
    for atena, expected in sorted(command.header.expected_histories.items()):
        current = repo.current(AtenaNumber.parse(atena, "expected_histories"))
        now = current.history_number if current is not None else None
        if now != expected:
            faults.append(
                Violation(
                    "change.conflict",
                    f"宛名番号 {atena} の方の記録は、この異動の入力後に他の処理で更新されています"
                    f"（履歴番号 {expected} → {now}）。最新の記録を確認して入力し直してください",
                    f"expected_histories.{atena}",
                )
            )
    for household, expected in sorted(command.header.expected_versions.items()):
        now = repo.household_version(HouseholdNumber.parse(household, "expected_versions"))
        if now != expected:
            faults.append(
                Violation(
                    "change.conflict",
                    f"世帯番号 {household} の世帯は、この異動の入力後に他の処理で更新されています"
                    f"（版 {expected} → {now}）。最新の世帯を確認して入力し直してください",
                    f"expected_versions.{household}",
                )
            )
    if faults:
        raise ConflictError(*faults)


def _tampered(seq: int) -> DomainError:
    return DomainError(
        Violation(
            "journal.tampered",
            f"異動履歴の連鎖が一致しません（通番 {seq}）。改ざんの可能性があります",
            "seq",
        )
    )


def _payload(command: ChangeCommand, plan: ChangePlan, record_texts: Sequence[str]) -> str:
    """The entry's payload as canonical JSON (sorted keys, no spaces).

    The snapshots are already canonical JSON, so they are spliced in as text rather than parsed
    and dumped again: ``records`` sorts last among the keys, after everything built here.
    """
    head = {
        "alerts": [to_primitive(a) for a in plan.alerts],
        "command": encode_command(command),
        "households": list(plan.households),
        "notices": [n.value for n in plan.notices],
        "persons": [r.atena_number.value for r in plan.records],
    }
    text = orjson.dumps(head, option=orjson.OPT_SORT_KEYS).decode()
    return f'{text[:-1]},"records":[{",".join(record_texts)}]}}'


def _result_of(entry: JournalEntry, *, replayed: bool) -> ChangeResult:
    payload = json.loads(entry.payload)
    return ChangeResult(
        event_id=entry.event_id,
        seq=entry.seq,
        kind=entry.kind,
        reason=entry.reason,
        atena_numbers=tuple(dict.fromkeys(payload["persons"])),
        households=tuple(payload.get("households", ())),
        alerts=tuple(from_primitive(Violation, a) for a in payload["alerts"]),
        notices=tuple(payload["notices"]),
        replayed=replayed,
    )
