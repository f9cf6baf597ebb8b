"""The household head (世帯主) rules: who becomes head when the head leaves (§4.0.4 (490)),
and the final check that no change leaves a household without its head unnoticed.
"""

from __future__ import annotations

from datetime import date

from jichitai.domain.common.identifiers import AtenaNumber, HouseholdNumber
from jichitai.domain.residents.commands import ChangeHeader
from jichitai.domain.residents.model import ResidentRecord
from jichitai.domain.residents.reasons import ChangeReason
from jichitai.domain.residents.relationships import Relationship
from jichitai.domain.residents.rules.checks import Checks
from jichitai.domain.residents.view import ChangePlan, Notice, RegisterView

HEAD = Relationship("世帯主")


def heads_after(
    household: HouseholdNumber,
    leaving: set[str],
    view: RegisterView,
    checks: Checks,
    *,
    header: ChangeHeader,
    voluntary: bool,
) -> tuple[list[ResidentRecord], list[Notice]]:
    """世帯主不在となる場合の処理 (§4.0.4 (490)).

    When the head leaves and one member remains, that member becomes head ex officio: a household
    of one needs no 世帯主変更届, so no 世帯主変更依頼通知書 is due (the optional 世帯主変更通知書 of
    §4.0.5 is not recorded). With two or more remaining, a voluntary change (move, split) is
    refused until a 世帯主変更 is recorded; a death or ex-officio removal may leave the household
    without a head (§1.1.10 (100) allows that) with an alert and the notice.
    """
    members = view.household_residents(household)
    head = next((m for m in members if m.is_head), None)
    if head is None or head.atena_number.value not in leaving:
        return [], []
    remaining = [m for m in members if m.atena_number.value not in leaving]
    if len(remaining) == 1:
        survivor = remaining[0]
        updated = survivor.next_history(
            ChangeReason.HEAD_CHANGE, header.effective_on, relationship=HEAD
        )
        return [updated], []
    if len(remaining) >= 2:
        if voluntary:
            checks.error(
                "household.head_change_required",
                "世帯主が転出等により不在となり、世帯員が2人以上残ります。先に世帯主変更を行ってください",
                "atena_numbers",
            )
        else:
            checks.alert(
                "household.head_absent",
                "世帯主が不在の世帯になります。世帯主変更の届出を促してください",
                "atena_numbers",
            )
        return [], [Notice.HEAD_CHANGE_REQUEST]
    return [], []


_HEAD_FAULTS = frozenset({"household.no_head", "household.head_absent"})


def check_heads_remain(plan: ChangePlan, view: RegisterView, checks: Checks) -> None:
    """No approved change leaves a living household without its head unless an alert said so.

    §1.1.10 (100) allows a household without a head (after the head's death, say), and §4.0.4
    (490) says when a change may leave one: every such change raises the alert
    ``household.head_absent`` (or a planner's own error first), whatever the process — a
    correction of the head's 続柄, a cancellation returning a member to an emptied household.
    Members whose planned 転出 has not yet taken effect still live in the household.
    """
    if any(v.code in _HEAD_FAULTS for v in (*checks.errors, *checks.alerts)) or any(
        v.code == "household.head_change_required" for v in checks.errors
    ):
        return
    final: dict[str, ResidentRecord] = {r.atena_number.value: r for r in plan.records}
    households = set(plan.households) | {r.household_number.value for r in final.values()}
    for atena in final:
        before = view.current(AtenaNumber(atena))
        if before is not None:
            households.add(before.household_number.value)
    for household in sorted(h for h in households if h):
        number = HouseholdNumber(household)
        members = view.household_residents(number)
        if members and not any(m.is_head for m in members):
            continue  # headless already: allowed (§1.1.10), and not this change's doing
        after = {m.atena_number.value: m for m in members if m.atena_number.value not in final}
        for atena, record in final.items():
            if record.is_resident and record.household_number == number:
                after[atena] = record
        for waiting in view.household_pending_removals(number, plan_effective_on(plan)):
            if waiting.atena_number.value not in final:
                after.setdefault(waiting.atena_number.value, waiting)
        if after and not any(m.is_head for m in after.values()):
            checks.alert(
                "household.head_absent",
                f"世帯番号 {household} の世帯は世帯主のいない世帯になります。"
                "世帯主変更の届出を促してください",
                "atena_numbers",
            )


def plan_effective_on(plan: ChangePlan) -> date:
    """The 異動日 the plan's snapshots carry (the earliest, if they differ)."""
    return min((r.effective_on for r in plan.records), default=date.max)
