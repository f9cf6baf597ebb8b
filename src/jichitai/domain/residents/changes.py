"""The processing rules of 異動 (standard chapter 3 §4): a command in, a ``ChangePlan`` out.

``plan_change`` checks every rule, collects all errors and the alerts the operator has not yet
acknowledged, and raises them together as ``RuleViolations`` so the counter sees every fault at
once. Nothing is written here: the service appends the plan to the journal in one transaction.
The rules of each process are in ``rules/`` (which one a command has: ``change_types.py``); the
checks every change passes are run here.
"""

from __future__ import annotations

from dataclasses import replace

from jichitai.domain.residents.change_types import change_type_of
from jichitai.domain.residents.commands import ChangeCommand
from jichitai.domain.residents.rules.checks import Checks
from jichitai.domain.residents.rules.dates import check_dates, check_order_of_dates
from jichitai.domain.residents.rules.heads import check_heads_remain
from jichitai.domain.residents.rules.notifier import check_notifier
from jichitai.domain.residents.rules.town_areas import check_town_areas
from jichitai.domain.residents.view import ChangeContext, ChangePlan, RegisterView


def plan_change(command: ChangeCommand, view: RegisterView, ctx: ChangeContext) -> ChangePlan:
    """Apply the rules of §4 to one command and return the snapshots it produces."""
    header = command.header
    change_type = change_type_of(command)
    checks = Checks(acknowledged=header.acknowledged_alerts, today=ctx.today)
    check_dates(header, ctx, checks, future_allowed=change_type.effective_on_may_be_future)
    check_notifier(header, checks)
    plan = change_type.planner(command, view, ctx, checks)
    check_order_of_dates(plan, view, ctx, checks, supersedes_pending=change_type.supersedes_pending)
    check_heads_remain(plan, view, checks)
    check_town_areas(plan, view, ctx, header, checks)
    alerts = checks.raise_if_any()
    # §4.2.0.2 (760): any filing-type change may be recorded ex officio; the event says so.
    return replace(plan, alerts=alerts, ex_officio=plan.ex_officio or header.ex_officio)
