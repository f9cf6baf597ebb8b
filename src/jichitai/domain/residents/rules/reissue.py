"""改製・再製 (§1.1.4 (40)), and the removal-and-re-entry event it shares with 帰化 and
国籍喪失: one event, the person keeps 宛名番号 and the history goes on.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from jichitai.domain.residents.commands import Reissue
from jichitai.domain.residents.model import ResidentRecord, ResidentStatus
from jichitai.domain.residents.reasons import ChangeReason
from jichitai.domain.residents.rules.checks import Checks
from jichitai.domain.residents.rules.persons import resident
from jichitai.domain.residents.view import ChangeContext, ChangeKind, ChangePlan, RegisterView


def plan_reissue(
    cmd: Reissue, view: RegisterView, ctx: ChangeContext, checks: Checks
) -> ChangePlan:
    """改製 / 再製 (§1.1.4 (40), §1.2.2 (210)): removal and re-entry, items unchanged."""
    record = resident(view, cmd.atena_number, checks, "atena_number")
    removal, entry = (
        (ChangeReason.REMAKE_REMOVAL, ChangeReason.REMAKE_ENTRY)
        if cmd.remake
        else (ChangeReason.REISSUE_REMOVAL, ChangeReason.REISSUE_ENTRY)
    )
    return reenter(ChangeKind.REISSUE, record, removal, entry, cmd.header.effective_on)


def reenter(
    change_kind: ChangeKind,
    record: ResidentRecord,
    removal: ChangeReason,
    entry: ChangeReason,
    on: date,
    /,
    **entry_changes: Any,
) -> ChangePlan:
    """One event that removes a record and enters it again (帰化, 国籍喪失, 改製, 再製).

    The person keeps 宛名番号 and the history goes on: first a removed snapshot (the 除票 of the
    old record), then the new record with the given changes.
    """
    removed = record.next_history(
        removal, on, status=ResidentStatus.REMOVED, removal_reason=removal, removed_on=on
    )
    entered = removed.next_history(
        entry,
        on,
        status=ResidentStatus.RESIDENT,
        removal_reason=None,
        removed_on=None,
        **entry_changes,
    )
    return ChangePlan(
        change_kind,
        entry,
        (removed, entered),
        ex_officio=True,
        households=(record.household_number.value,),
    )
