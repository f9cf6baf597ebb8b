"""異動の取消し (§4.6 (980)): append snapshots that restore each person's state before
the cancelled event; only a person's latest change can be cancelled.
"""

from __future__ import annotations

from dataclasses import replace

from jichitai.domain.common.identifiers import AtenaNumber, HouseholdNumber
from jichitai.domain.errors import NotFound, Violation
from jichitai.domain.residents.commands import Cancel, ChangeHeader
from jichitai.domain.residents.model import ResidentRecord, ResidentStatus
from jichitai.domain.residents.reasons import ChangeReason, ReasonGroup
from jichitai.domain.residents.rules.checks import Checks
from jichitai.domain.residents.rules.heads import HEAD
from jichitai.domain.residents.view import ChangeContext, ChangeKind, ChangePlan, RegisterView

_CANCEL_REASON = {
    ReasonGroup.REMOVAL: ChangeReason.CANCELLATION_INCREASE,
    ReasonGroup.ENTRY: ChangeReason.CANCELLATION_DECREASE,
    ReasonGroup.CORRECTION: ChangeReason.CANCELLATION_CORRECTION,
}


def plan_cancel(cmd: Cancel, view: RegisterView, ctx: ChangeContext, checks: Checks) -> ChangePlan:
    """異動の取消し (§4.6 (980)): append snapshots restoring each person's state before the event.

    Only the latest change of a person can be cancelled this way: restoring an older state would
    silently undo the later changes, so those must be cancelled first.
    """
    event = view.event(cmd.event_id)
    if event is None:
        raise NotFound(
            Violation("cancel.event_not_found", "取り消す異動が見つかりません", "event_id")
        )
    if event.kind is ChangeKind.CANCELLATION:
        checks.error(
            "cancel.cancellation",
            "異動の取消しは取り消せません。改めて異動を入力してください",
            "event_id",
        )
    if event.kind is ChangeKind.IMPORT:
        checks.error(
            "cancel.import",
            "移行で取り込んだ記録は取り消せません。修正の異動を入力してください",
            "event_id",
        )
    # An event that removed and re-entered the same person (帰化, 国籍喪失, 改製) changed neither
    # the population nor the person's presence: cancelling it is a correction.
    same_person_kinds = (
        ChangeKind.NATURALISATION,
        ChangeKind.LOSS_OF_NATIONALITY,
        ChangeKind.REISSUE,
    )
    reason = (
        ChangeReason.CANCELLATION_CORRECTION
        if event.kind in same_person_kinds
        else _CANCEL_REASON[event.reason.group]
    )
    chosen = {a.value for a in cmd.atena_numbers}
    firsts = dict(event.persons)
    lasts = dict(event.last_histories)
    unknown = chosen - set(firsts)
    if unknown:
        checks.error(
            "cancel.person_not_in_event",
            "選択した方はこの異動の異動者ではありません",
            "atena_numbers",
        )
    out: list[ResidentRecord] = []
    households: set[str] = set()
    on = cmd.header.effective_on
    for atena, first in firsts.items():
        if chosen and atena not in chosen:
            continue
        current = view.current(AtenaNumber(atena))
        assert current is not None
        if current.history_number != lasts[atena] and not _undone_since(
            current, view.snapshot(AtenaNumber(atena), lasts[atena])
        ):
            checks.error(
                "cancel.later_changes",
                f"宛名番号 {atena} の方にはこの異動より後の異動があります。後の異動から取り消してください",
                "event_id",
            )
            continue
        before = view.snapshot(AtenaNumber(atena), first - 1) if first > 1 else None
        households.add(current.household_number.value)
        if before is None:
            restored = current.next_history(
                reason,
                on,
                status=ResidentStatus.REMOVED,
                removal_reason=reason,
                removed_on=on,
            )
        else:
            households.add(before.household_number.value)
            restored = replace(
                before, history_number=current.history_number + 1, reason=reason, effective_on=on
            )
            if restored.is_resident and restored.is_head:
                # Members restored by this same cancellation get their old relationship back.
                others = [
                    m
                    for m in view.household_residents(restored.household_number)
                    if m.is_head
                    and m.atena_number.value != atena
                    and not (
                        m.atena_number.value in firsts
                        and (not chosen or m.atena_number.value in chosen)
                    )
                ]
                if others:
                    checks.error(
                        "cancel.household_has_new_head",
                        "元の世帯には既に別の世帯主がいます。先に世帯主変更を取り消してください",
                        "event_id",
                    )
        out.append(restored)
    restored_in = {r.atena_number.value for r in out}
    out = _rehouse_if_emptied(out, restored_in, view, header=cmd.header, households=households)
    return ChangePlan(
        ChangeKind.CANCELLATION,
        reason,
        tuple(out),
        corrects_event_id=event.event_id,
        households=tuple(sorted(households)),
    )


def _rehouse_if_emptied(
    restored: list[ResidentRecord],
    restored_in: set[str],
    view: RegisterView,
    *,
    header: ChangeHeader,
    households: set[str],
) -> list[ResidentRecord]:
    """§4.6.0.1 (980): a person returned by a cancellation goes back to the former household;
    if that household has meanwhile left entirely (and its head is not among those returning),
    they return as a new household at the former address, one person alone becoming its head.
    Several returning without a head form a headless household, which the head check alerts."""
    groups: dict[str, list[ResidentRecord]] = {}
    for record in restored:
        if record.is_resident:
            groups.setdefault(record.household_number.value, []).append(record)
    moved: dict[str, ResidentRecord] = {}
    for household, group in groups.items():
        others = [
            m
            for m in view.household_residents(HouseholdNumber(household))
            if m.atena_number.value not in restored_in
        ]
        if others or any(r.is_head for r in group):
            continue
        new_household = view.new_household_number()
        households.add(new_household.value)
        for record in group:
            relationship = HEAD if len(group) == 1 else record.relationship
            moved[record.atena_number.value] = replace(
                record, household_number=new_household, relationship=relationship
            )
    return [moved.get(r.atena_number.value, r) for r in restored]


def _undone_since(current: ResidentRecord, last: ResidentRecord | None) -> bool:
    """Whether the changes after ``last`` were all cancelled: the current snapshot holds the same
    items, only its history number, reason and effective date differ (a cancellation restores a
    snapshot that way). Then the event before them may be cancelled in turn."""
    if last is None:
        return False
    return (
        replace(
            current,
            history_number=last.history_number,
            reason=last.reason,
            effective_on=last.effective_on,
        )
        == last
    )
