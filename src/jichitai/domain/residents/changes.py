"""The processing rules of 異動 (standard chapter 3 §4): a command in, a ``ChangePlan`` out.

``plan_change`` checks every rule, collects all errors and the alerts the operator has not yet
acknowledged, and raises them together as ``RuleViolations`` so the counter sees every fault at
once. Nothing is written here: the service appends the plan to the journal in one transaction.
The rules of each process are in ``rules/``; the checks every change passes are run here.
"""

from __future__ import annotations

from dataclasses import replace

from jichitai.domain.residents.commands import (
    Birth,
    Cancel,
    ChangeCommand,
    Correct,
    Death,
    ExOfficioEntry,
    ExOfficioRemoval,
    HeadChange,
    HouseholdChange,
    HouseholdMerge,
    HouseholdSplit,
    InTownMove,
    LoseNationality,
    MoveIn,
    MoveOut,
    Naturalise,
    RecordMoveInNotice,
    Reissue,
)
from jichitai.domain.residents.rules.cancellation import plan_cancel
from jichitai.domain.residents.rules.checks import Checks, Planner
from jichitai.domain.residents.rules.corrections import plan_correct
from jichitai.domain.residents.rules.dates import check_dates, check_order_of_dates
from jichitai.domain.residents.rules.entries import (
    plan_birth,
    plan_ex_officio_entry,
    plan_move_in,
)
from jichitai.domain.residents.rules.heads import check_heads_remain
from jichitai.domain.residents.rules.households import (
    plan_head_change,
    plan_household_change,
    plan_household_merge,
    plan_household_split,
)
from jichitai.domain.residents.rules.moves import plan_in_town_move
from jichitai.domain.residents.rules.nationality import plan_lose_nationality, plan_naturalise
from jichitai.domain.residents.rules.reissue import plan_reissue
from jichitai.domain.residents.rules.removals import (
    plan_death,
    plan_ex_officio_removal,
    plan_move_in_notice,
    plan_move_out,
)
from jichitai.domain.residents.view import ChangeContext, ChangePlan, RegisterView


def plan_change(command: ChangeCommand, view: RegisterView, ctx: ChangeContext) -> ChangePlan:
    """Apply the rules of §4 to one command and return the snapshots it produces."""
    header = command.header
    checks = Checks(acknowledged=header.acknowledged_alerts, today=ctx.today)
    check_dates(header, ctx, checks, future_allowed=isinstance(command, MoveOut))
    planner = _PLANNERS[type(command)]
    plan = planner(command, view, ctx, checks)
    check_order_of_dates(command, plan, view, ctx, checks)
    check_heads_remain(plan, view, checks)
    alerts = checks.raise_if_any()
    # §4.2.0.2 (760): any filing-type change may be recorded ex officio; the event says so.
    return replace(plan, alerts=alerts, ex_officio=plan.ex_officio or header.ex_officio)


_PLANNERS: dict[type, Planner] = {
    MoveIn: plan_move_in,
    Birth: plan_birth,
    ExOfficioEntry: plan_ex_officio_entry,
    MoveOut: plan_move_out,
    RecordMoveInNotice: plan_move_in_notice,
    Death: plan_death,
    ExOfficioRemoval: plan_ex_officio_removal,
    InTownMove: plan_in_town_move,
    HouseholdSplit: plan_household_split,
    HouseholdMerge: plan_household_merge,
    HouseholdChange: plan_household_change,
    HeadChange: plan_head_change,
    Correct: plan_correct,
    Naturalise: plan_naturalise,
    LoseNationality: plan_lose_nationality,
    Reissue: plan_reissue,
    Cancel: plan_cancel,
}
