"""Access to the register as staff have it: permission, suppression, My Number masking, the log.

Every entry point (the API, the web counter) goes through this façade, so none can forget a
check: the actor's roles are checked first, suppressions (抑止) and DV support measures (支援措置)
are applied to the persons concerned, the My Number is removed unless the actor's duty allows it,
and every read or change of personal data is written to the access log before it is answered,
in the use case's own unit of work (ADR 0012). Refusals are logged by the entry point that maps
them (it knows the request that was refused), after the refused use case rolled back.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from jichitai.codec import encode_tagged, to_primitive
from jichitai.domain.access.actor import Actor, Forbidden
from jichitai.domain.access.disclosure import disclose, disclose_data, sees_individual_numbers
from jichitai.domain.access.roles import Permission
from jichitai.domain.access.suppression import Process
from jichitai.domain.errors import DomainError, NotFound, Violation
from jichitai.domain.inbound.text import RETURN_COMMENT
from jichitai.domain.residents.commands import ChangeCommand
from jichitai.domain.residents.model import ResidentRecord
from jichitai.domain.residents.search import MAX_SEARCH_RESULTS
from jichitai.domain.residents.view import ChangePlan
from jichitai.services.audit import AccessLog, Operation
from jichitai.services.ports import Draft, UnitOfWork
from jichitai.services.queries import RegisterQueries, SearchBy, criteria_for
from jichitai.services.register import ChangeResult, RegisterService, decode_command
from jichitai.services.suppression import SuppressionService


@dataclass(frozen=True, slots=True)
class Pending:
    """A change recorded for the person that takes effect only later (a planned 転出)."""

    effective_on: date
    reason: str
    reason_label: str
    history_number: int


@dataclass(frozen=True, slots=True)
class RecordedChange:
    """One recorded change (異動) of a person, as a 取消し chooses it: the event, its 異動日,
    the 事由 it was recorded with and the person's 履歴番号 it wrote (the last, if several)."""

    event_id: str
    effective_on: date
    reason_label: str
    history_number: int


@dataclass(frozen=True, slots=True)
class Shown:
    """A record as this actor may see it.

    ``record``'s 個人番号 is its masked form unless ``individual_number_shown``
    (``domain/access/disclosure.py``); ``individual_number_masked`` is that masked form too, so a
    screen can tell that one is held. ``flags`` names the suppressions on the person
    (``suppression``, ``dv_support`` …) and ``alerts`` the acknowledged alerts that applied.
    ``household_version`` is the version of the person's household that a change prepared from
    this answer expects; ``pending`` a recorded change not yet in effect.
    """

    record: ResidentRecord
    individual_number_shown: bool
    individual_number_masked: str | None
    flags: tuple[str, ...] = ()
    alerts: tuple[Violation, ...] = ()
    household_version: int | None = None
    pending: Pending | None = None


@dataclass(frozen=True, slots=True)
class DraftView:
    """A draft as this actor may see it: the command typed (``command``) and as JSON (``data``),
    every 個人番号 in both masked unless ``individual_numbers_shown``."""

    draft: Draft
    command: ChangeCommand
    data: dict[str, object]
    individual_numbers_shown: bool


@dataclass(frozen=True, slots=True)
class Checked:
    """What a change would do, as this actor may see it (its 個人番号 masked unless allowed),
    and the versions it was checked against (send them with the change to hold it to them)."""

    plan: ChangePlan
    individual_numbers_shown: bool
    expected_versions: Mapping[str, int] = field(default_factory=dict)
    expected_histories: Mapping[str, int] = field(default_factory=dict)


def _already_registered(plan: ChangePlan) -> tuple[str, ...]:
    """The persons of a checked plan who are in the register already: a person the change
    enters has a 宛名番号 drawn only for the check, which may later be someone else's."""
    return tuple(dict.fromkeys(r.atena_number.value for r in plan.records if r.history_number > 1))


def _persons(records: Sequence[ResidentRecord]) -> list[tuple[str, str]]:
    return [(r.atena_number.value, r.household_number.value) for r in records]


class RegisterAccess:
    """Every method is one use case in one unit of work of the actor's municipality: the read
    or change, the suppression guard and the access-log entry commit together or not at all
    (ADR 0012). A read is logged in the transaction that read, as its last write."""

    def __init__(
        self,
        register: RegisterService,
        queries: RegisterQueries,
        suppressions: SuppressionService,
        access_log: AccessLog,
        uow_for: Callable[[str], UnitOfWork],
    ) -> None:
        self._register = register
        self._queries = queries
        self._suppressions = suppressions
        self._log = access_log
        self._uow_for = uow_for

    # --- helpers ---------------------------------------------------------------------------------

    def _shown(
        self,
        actor: Actor,
        record: ResidentRecord,
        flags: dict[str, tuple[str, ...]],
        alerts: tuple[Violation, ...] = (),
        *,
        household_version: int | None = None,
        pending: ResidentRecord | None = None,
    ) -> Shown:
        number = record.individual_number
        return Shown(
            record=disclose(actor, record),
            individual_number_shown=sees_individual_numbers(actor) and number is not None,
            individual_number_masked=number.masked() if number is not None else None,
            flags=flags.get(record.atena_number.value, ()),
            alerts=alerts,
            household_version=household_version,
            pending=None
            if pending is None
            else Pending(
                pending.effective_on,
                pending.reason.value,
                pending.reason.label,
                pending.history_number,
            ),
        )

    def _draft_view(self, actor: Actor, draft: Draft) -> DraftView:
        command = decode_command_text(draft.command)
        return DraftView(
            draft,
            disclose(actor, command),
            disclose_data(actor, encode_tagged(command)),
            sees_individual_numbers(actor),
        )

    @staticmethod
    def _checked(actor: Actor, plan: ChangePlan, prepared: ChangeCommand | None = None) -> Checked:
        header = prepared.header if prepared is not None else None
        return Checked(
            disclose(actor, plan),
            sees_individual_numbers(actor),
            dict(header.expected_versions) if header else {},
            dict(header.expected_histories) if header else {},
        )

    def _guarded(
        self,
        uow: UnitOfWork,
        process: Process,
        records: Sequence[ResidentRecord],
        acknowledged: frozenset[str],
    ) -> tuple[tuple[Violation, ...], dict[str, tuple[str, ...]]]:
        return self._suppressions.guard_with_flags(
            uow, process, _persons(records), acknowledged=acknowledged
        )

    @staticmethod
    def _numbers_shown(shown: Sequence[Shown]) -> bool:
        return any(s.individual_number_shown for s in shown)

    # --- reads -----------------------------------------------------------------------------------

    def search(
        self,
        actor: Actor,
        query: str,
        *,
        by: SearchBy = SearchBy.AUTO,
        include_removed: bool = True,
        only_removed: bool = False,
        limit: int = 50,
    ) -> list[Shown]:
        """基本検索; each hit says whether the person is suppressed (§3.1 (410)) and carries
        its change not yet in effect (``Shown.pending``: a planned 転出)."""
        actor.require(Permission.SEARCH)
        criteria = criteria_for(query, by, include_removed=include_removed or only_removed)
        if criteria.individual_number and not sees_individual_numbers(actor):
            raise Forbidden(
                Violation(
                    "auth.individual_number_forbidden",
                    "個人番号による検索を行う権限がありません",
                    "query",
                )
            )
        limit = max(1, min(limit, MAX_SEARCH_RESULTS))
        with self._uow_for(actor.municipality_code) as uow:
            found = self._queries.within(uow).search_with_pending(criteria, limit)
            if only_removed:
                found = [(r, p) for r, p in found if r.is_removed]
            records = [r for r, _ in found]
            flags = self._suppressions.flags(uow, _persons(records))
            shown = [self._shown(actor, r, flags, pending=p) for r, p in found]
            self._log.record_in(
                uow,
                actor,
                Operation.REMOVED_RECORDS if only_removed else Operation.SEARCH,
                atena_numbers=tuple(r.atena_number for r in records),
                target=f"search:{by.value}",
                my_number_shown=self._numbers_shown(shown),
            )
            uow.commit()
        return shown

    def record(
        self,
        actor: Actor,
        atena_number: str,
        *,
        as_of: date | None = None,
        acknowledged: frozenset[str] = frozenset(),
    ) -> Shown:
        """The current record, or the record as the register stated it on ``as_of``."""
        actor.require(Permission.VIEW)
        with self._uow_for(actor.municipality_code) as uow:
            reads = self._queries.within(uow)
            current, pending, version = reads.current_and_pending(atena_number)
            alerts, flags = self._guarded(uow, Process.VIEW, [current], acknowledged)
            if as_of is None:
                shown = self._shown(
                    actor, current, flags, alerts, household_version=version, pending=pending
                )
            else:
                shown = self._shown(actor, reads.as_of(atena_number, as_of), flags, alerts)
            self._log.record_in(
                uow,
                actor,
                Operation.VIEW,
                atena_numbers=(current.atena_number.value,),
                target=f"resident:{current.atena_number.value}"
                + (f"@{as_of.isoformat()}" if as_of else ""),
                my_number_shown=shown.individual_number_shown,
            )
            uow.commit()
        return shown

    def names(self, actor: Actor, atena_numbers: Sequence[str], *, target: str) -> dict[str, str]:
        """宛名番号 → 氏名 of those of these residents whose record this actor may see as
        ``record`` shows it (a list naming persons, such as the queue of drafts): one read for
        all of them and one access-log entry naming every person shown (``target``: the list).
        Persons not in the register, or whose record a 抑止 or 支援措置 keeps from view, are
        left out; an actor without the right to view records gets no names (and no entry)."""
        if not actor.may(Permission.VIEW) or not atena_numbers:
            return {}
        with self._uow_for(actor.municipality_code) as uow:
            records = self._queries.within(uow).current_of(atena_numbers)
            viewable = self._suppressions.viewable(uow, _persons(records))
            shown = [r for r in records if r.atena_number.value in viewable]
            if not shown:
                return {}
            self._log.record_in(
                uow,
                actor,
                Operation.VIEW,
                atena_numbers=tuple(r.atena_number.value for r in shown),
                target=target,
                my_number_shown=False,
            )
            uow.commit()
        return {r.atena_number.value: r.name.full for r in shown}

    def history(
        self, actor: Actor, atena_number: str, *, acknowledged: frozenset[str] = frozenset()
    ) -> list[Shown]:
        """Every snapshot, 履歴番号 1 first (§2.2.1 (350))."""
        actor.require(Permission.VIEW)
        with self._uow_for(actor.municipality_code) as uow:
            records = self._queries.within(uow).history(atena_number)
            alerts, flags = self._guarded(uow, Process.VIEW, [records[-1]], acknowledged)
            shown = [self._shown(actor, r, flags, alerts) for r in records]
            self._log.record_in(
                uow,
                actor,
                Operation.HISTORY,
                atena_numbers=(records[-1].atena_number.value,),
                target=f"history:{records[-1].atena_number.value}",
                my_number_shown=self._numbers_shown(shown),
            )
            uow.commit()
        return shown

    def changes(
        self, actor: Actor, atena_number: str, *, acknowledged: frozenset[str] = frozenset()
    ) -> list[RecordedChange]:
        """The person's recorded changes, newest first (what a 取消し is chosen from); read and
        logged as the history is."""
        actor.require(Permission.VIEW)
        with self._uow_for(actor.municipality_code) as uow:
            reads = self._queries.within(uow)
            records = reads.history(atena_number)
            events = reads.history_events(atena_number)
            self._guarded(uow, Process.VIEW, [records[-1]], acknowledged)
            found: dict[str, RecordedChange] = {}
            for r in records:
                event = events.get(r.history_number)
                if event is not None:
                    found[event] = RecordedChange(
                        event, r.effective_on, r.reason.label, r.history_number
                    )
            self._log.record_in(
                uow,
                actor,
                Operation.HISTORY,
                atena_numbers=(records[-1].atena_number.value,),
                target=f"history:{records[-1].atena_number.value}",
                my_number_shown=False,
            )
            uow.commit()
        return sorted(found.values(), key=lambda c: c.history_number, reverse=True)

    def household(
        self, actor: Actor, household_number: str, *, acknowledged: frozenset[str] = frozenset()
    ) -> list[Shown]:
        """The household's members in display order; refused if any member's view is blocked."""
        actor.require(Permission.VIEW)
        with self._uow_for(actor.municipality_code) as uow:
            reads = self._queries.within(uow)
            members = reads.household(household_number)
            alerts, flags = self._guarded(uow, Process.VIEW, members, acknowledged)
            version = reads.household_version(members[0].household_number.value)
            shown = [
                self._shown(actor, r, flags, alerts, household_version=version) for r in members
            ]
            self._log.record_in(
                uow,
                actor,
                Operation.HOUSEHOLD,
                atena_numbers=tuple(r.atena_number for r in members),
                target=f"household:{members[0].household_number.value}",
                my_number_shown=self._numbers_shown(shown),
            )
            uow.commit()
        return shown

    # --- changes (仮登録 → 審査 → 本登録) ----------------------------------------------------------

    def _check_change(
        self, uow: UnitOfWork, command: ChangeCommand, acknowledged: frozenset[str]
    ) -> tuple[ChangePlan, ChangeCommand]:
        """The plan, and the command with the versions it was checked against: planned in a
        trial (the numbers it draws are not kept), then guarded."""
        with uow.trial():
            plan, prepared = self._register.prepare_in(uow, command)
        self._guard_change(uow, plan, acknowledged)
        return plan, prepared

    def _guard_change(
        self, uow: UnitOfWork, plan: ChangePlan, acknowledged: frozenset[str]
    ) -> None:
        self._suppressions.guard(
            uow, Process.CHANGE, _persons(plan.records), acknowledged=acknowledged
        )

    def submit_draft(
        self,
        actor: Actor,
        command: ChangeCommand,
        *,
        idempotency_key: str | None = None,
    ) -> tuple[DraftView, Checked]:
        """仮登録 after every rule has passed (alerts acknowledged in the command's header).

        The draft keeps the versions of the persons and households it was checked against;
        approving it after any of them changed is refused (``change.conflict``)."""
        actor.require(Permission.SUBMIT_DRAFT)
        command = self._stamped(actor, command)
        acknowledged = command.header.acknowledged_alerts
        with self._uow_for(actor.municipality_code) as uow:
            plan, prepared = self._check_change(uow, command, acknowledged)
            draft = self._register.save_draft_in(
                uow,
                prepared,
                operator=actor.login,
                idempotency_key=f"{actor.login}:{idempotency_key}" if idempotency_key else None,
            )
            self._log.record_in(
                uow,
                actor,
                Operation.SUBMIT_DRAFT,
                atena_numbers=plan.atena_numbers,
                target=f"draft:{draft.draft_id}",
            )
            uow.commit()
        return self._draft_view(actor, draft), self._checked(actor, plan, prepared)

    def check_change(self, actor: Actor, command: ChangeCommand, *, shown: bool = False) -> Checked:
        """What ``submit_draft`` would answer for ``command``, nothing saved: the same permission,
        rules and suppression guard (alerts acknowledged in the command's header).

        A check whose plan is not shown (the counter's check as the clerk types, run at every
        pause) is not logged: it answers only verdicts on what was typed, and logging it would
        bury the log under near-identical entries. A plan that is ``shown`` (the confirmation
        page: the persons' records as the change leaves them) is logged as CHECK_DRAFT with the
        persons already in the register (not the ones the change enters, whose numbers are
        only drawn for the plan). The submission itself is logged as SUBMIT_DRAFT.
        """
        actor.require(Permission.SUBMIT_DRAFT)
        command = self._stamped(actor, command)
        with self._uow_for(actor.municipality_code) as uow:
            plan, prepared = self._check_change(uow, command, command.header.acknowledged_alerts)
            if shown:
                self._log.record_in(
                    uow,
                    actor,
                    Operation.CHECK_DRAFT,
                    atena_numbers=_already_registered(plan),
                    target=f"change:{type(command).__name__}",
                )
                uow.commit()
        return self._checked(actor, plan, prepared)

    @staticmethod
    def _stamped(actor: Actor, command: ChangeCommand) -> ChangeCommand:
        """The operator, place and terminal are the actor's, whatever the request said."""
        header = replace(
            command.header,
            operator=actor.login,
            place=actor.place or command.header.place,
            terminal=actor.terminal or command.header.terminal,
        )
        return replace(command, header=header)

    def drafts(self, actor: Actor, *, status: str = "pending") -> list[DraftView]:
        """The drafts waiting for review (``pending``) or sent back to their clerks
        (``returned``: a reviewer sees all of them, a clerk those they entered or changed)."""
        if not (actor.may(Permission.SUBMIT_DRAFT) or actor.may(Permission.APPROVE_DRAFT)):
            actor.require(Permission.APPROVE_DRAFT)
        if status not in ("pending", "returned"):
            raise DomainError(
                Violation("draft.status_invalid", "状態は pending 又は returned です", "status")
            )
        with self._uow_for(actor.municipality_code) as uow:
            drafts = list(uow.drafts.listed(status))
            if status == "returned" and not actor.may(Permission.APPROVE_DRAFT):
                drafts = [d for d in drafts if _edited_by(d, actor.login)]
            self._log.record_in(
                uow,
                actor,
                Operation.VIEW_DRAFTS,
                target="drafts" if status == "pending" else f"drafts:{status}",
            )
            uow.commit()
        return [self._draft_view(actor, d) for d in drafts]

    def draft(self, actor: Actor, draft_id: str) -> DraftView:
        with self._uow_for(actor.municipality_code) as uow:
            view = self._draft_view(actor, self._readable_draft(uow, actor, draft_id))
            self._log.record_in(uow, actor, Operation.VIEW_DRAFTS, target=f"draft:{draft_id}")
            uow.commit()
        return view

    def _readable_draft(self, uow: UnitOfWork, actor: Actor, draft_id: str) -> Draft:
        if not (actor.may(Permission.SUBMIT_DRAFT) or actor.may(Permission.APPROVE_DRAFT)):
            actor.require(Permission.APPROVE_DRAFT)
        return self._register.draft_in(uow, draft_id)

    def update_draft(self, actor: Actor, draft_id: str, command: ChangeCommand) -> DraftView:
        """A draft corrected before approval; whoever changes it joins its editors, and no
        editor may approve it (four-eyes). The versions are taken anew: the editor has seen
        the register as it is now."""
        with self._uow_for(actor.municipality_code) as uow:
            existing = self._register.draft_in(uow, draft_id)
            self._require_owner_or_reviewer(actor, existing)
            command = self._stamped(actor, command)
            draft = self._rewritten(uow, actor, draft_id, command, Operation.UPDATE_DRAFT)
            uow.commit()
        return self._draft_view(actor, draft)

    def _rewritten(
        self,
        uow: UnitOfWork,
        actor: Actor,
        draft_id: str,
        command: ChangeCommand,
        operation: Operation,
    ) -> Draft:
        """The draft holding ``command`` after every rule ran again, pending, ``actor`` among its
        editors, and the access-log entry of ``operation`` (correcting and resubmitting)."""
        plan, prepared = self._check_change(uow, command, command.header.acknowledged_alerts)
        draft = self._register.update_draft_in(uow, draft_id, prepared, editor=actor.login)
        self._log.record_in(
            uow, actor, operation, atena_numbers=plan.atena_numbers, target=f"draft:{draft_id}"
        )
        return draft

    def check_draft(self, actor: Actor, draft_id: str) -> Checked:
        """What approving now would do (every rule run, nothing written)."""
        with self._uow_for(actor.municipality_code) as uow:
            command = decode_command_text(self._readable_draft(uow, actor, draft_id).command)
            plan, _ = self._check_change(uow, command, command.header.acknowledged_alerts)
            self._log.record_in(
                uow,
                actor,
                Operation.CHECK_DRAFT,
                atena_numbers=_already_registered(plan),
                target=f"draft:{draft_id}",
            )
            uow.commit()
        return self._checked(actor, plan)

    def discard_draft(self, actor: Actor, draft_id: str) -> None:
        with self._uow_for(actor.municipality_code) as uow:
            existing = self._register.draft_in(uow, draft_id)
            self._require_owner_or_reviewer(actor, existing)
            self._register.discard_draft_in(uow, draft_id)
            self._log.record_in(uow, actor, Operation.DISCARD_DRAFT, target=f"draft:{draft_id}")
            uow.commit()

    def return_draft(self, actor: Actor, draft_id: str, comment: str) -> DraftView:
        """差戻し: a reviewer other than its editors (four-eyes, as for approval) sends a pending
        draft back to its clerk with a comment; the refusals approving it now would meet (its
        rules run as for approval, nothing written) are kept with it. A draft whose rules hold
        is sent back only with a comment saying why."""
        actor.require(Permission.APPROVE_DRAFT)
        comment = RETURN_COMMENT.read(comment, "comment")
        with self._uow_for(actor.municipality_code) as uow:
            existing = self._register.draft_in(uow, draft_id)
            if _edited_by(existing, actor.login):
                raise Forbidden(
                    Violation(
                        "draft.self_return",
                        "自分で入力又は変更した仮登録は差し戻せません。別の審査者が審査してください",
                        "draft_id",
                    )
                )
            command = decode_command_text(existing.command)
            reasons: tuple[Violation, ...] = ()
            atena_numbers: tuple[str, ...] = ()
            try:
                plan, _ = self._check_change(uow, command, command.header.acknowledged_alerts)
                atena_numbers = _already_registered(plan)
            except DomainError as refused:
                if isinstance(refused, (Forbidden, NotFound)):
                    raise
                reasons = tuple(refused.violations)
            if not reasons and not comment:
                raise DomainError(
                    Violation(
                        "draft.return_comment_required",
                        "本登録できる仮登録を差し戻すときは、差戻しの理由を入力してください",
                        "comment",
                    )
                )
            draft = self._register.return_draft_in(uow, draft_id, comment=comment, reasons=reasons)
            self._log.record_in(
                uow,
                actor,
                Operation.RETURN_DRAFT,
                atena_numbers=atena_numbers,
                target=f"draft:{draft_id}",
            )
            uow.commit()
        return self._draft_view(actor, draft)

    def resubmit_draft(self, actor: Actor, draft_id: str) -> DraftView:
        """A draft sent back, submitted again as it stands (its clerk, or a reviewer): every
        rule must hold now; it is pending again, held to the persons and households as they
        are now (a draft sent back because they had changed is resubmitted after a look).
        A draft that needs correcting is corrected with ``update_draft``, which also makes it
        pending again."""
        with self._uow_for(actor.municipality_code) as uow:
            existing = self._register.draft_in(uow, draft_id)
            self._require_owner_or_reviewer(actor, existing)
            if existing.status != "returned":
                raise DomainError(
                    Violation("draft.not_returned", "この仮登録は差し戻されていません", "draft_id")
                )
            command = self._stamped(actor, decode_command_text(existing.command))
            # Checked against the register as it is now: sent back, it was looked at again.
            header = replace(command.header, expected_versions={}, expected_histories={})
            command = replace(command, header=header)
            draft = self._rewritten(uow, actor, draft_id, command, Operation.RESUBMIT_DRAFT)
            uow.commit()
        return self._draft_view(actor, draft)

    def approve_draft(
        self, actor: Actor, draft_id: str, *, acknowledged: frozenset[str] = frozenset()
    ) -> ChangeResult:
        """本登録 by a reviewer other than the one who entered it (four-eyes): the change, its
        journal entry, outbox rows and seal abolitions, the draft's status and the access-log
        entry in one unit of work."""
        actor.require(Permission.APPROVE_DRAFT)
        with self._uow_for(actor.municipality_code) as uow:
            existing = self._register.draft_in(uow, draft_id)
            if _edited_by(existing, actor.login):
                raise Forbidden(
                    Violation(
                        "draft.self_approval",
                        "自分で入力又は変更した仮登録は本登録できません。別の審査者が本登録してください",
                        "draft_id",
                    )
                )
            command = decode_command_text(existing.command)
            everything = command.header.acknowledged_alerts | acknowledged
            result = self._register.approve_draft_in(
                uow,
                draft_id,
                acknowledged_alerts=acknowledged,
                check=lambda plan: self._guard_change(uow, plan, everything),
            )
            self._log.record_in(
                uow,
                actor,
                Operation.APPROVE_DRAFT,
                atena_numbers=result.atena_numbers,
                target=f"event:{result.event_id}",
            )
            uow.commit()
        return result

    @staticmethod
    def _require_owner_or_reviewer(actor: Actor, draft: Draft) -> None:
        if actor.may(Permission.APPROVE_DRAFT):
            return
        actor.require(Permission.SUBMIT_DRAFT)
        if draft.operator != actor.login:
            raise Forbidden(
                Violation(
                    "draft.not_owner",
                    "他の職員が入力した仮登録は変更できません",
                    "draft_id",
                )
            )


def _edited_by(draft: Draft, login: str) -> bool:
    """Whether ``login`` entered or changed the draft (four-eyes)."""
    return login == draft.operator or login in draft.editors


def record_data(record: ResidentRecord) -> dict[str, Any]:
    """A record as handed out, in the register's JSON form (a masked 個人番号 stays masked)."""
    number = record.individual_number
    if number is not None and number.is_masked:
        data: dict[str, Any] = to_primitive(replace(record, individual_number=None))
        data["individual_number"] = number.value
        return data
    encoded: dict[str, Any] = to_primitive(record)
    return encoded


def decode_command_text(text: str) -> ChangeCommand:
    return decode_command(json.loads(text))
