"""The processing rules of 異動 (standard chapter 3 §4): a command in, a ``ChangePlan`` out.

``plan_change`` checks every rule, collects all errors and the alerts the operator has not yet
acknowledged, and raises them together as ``RuleViolations`` so the counter sees every fault at
once. Nothing is written here: the service appends the plan to the journal in one transaction.
The rules of each process are in ``rules/`` (which one a command has: ``change_types.py``); the
checks every change passes are run here.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from jichitai.domain.residents.change_types import change_type_of
from jichitai.domain.residents.commands import Cancel, ChangeCommand
from jichitai.domain.residents.model import ResidentRecord
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
    plan = filed_and_touched(plan, command, view, filed=change_type.filed)
    check_order_of_dates(plan, view, ctx, checks, supersedes_pending=change_type.supersedes_pending)
    check_heads_remain(plan, view, checks)
    check_town_areas(plan, view, ctx, header, checks)
    alerts = checks.raise_if_any()
    # §4.2.0.2 (760): any filing-type change may be recorded ex officio; the event says so.
    return replace(plan, alerts=alerts, ex_officio=plan.ex_officio or header.ex_officio)


def filed_and_touched(
    plan: ChangePlan, command: ChangeCommand, view: RegisterView, *, filed: bool
) -> ChangePlan:
    """Two facts every change states the same way, whatever its planner did.

    届出年月日 (§1.1.1, §1.1.2: an item of the record; §1.2.1, §4.1.0.2): a filed change
    (``ChangeType.filed``, and not recorded 職権, as a 転出 filed too late is) sets the 届出年月日
    of every record it writes to its 届出日 (a 転出 and a 死亡 too). Any other change leaves each
    person's 届出年月日 as it was (a new person's is empty); a 異動の取消し restores, for the
    persons it cancels and only for them, the records the cancelled change replaced, 届出年月日
    included. The change's own 届出日 stays on its event either way.

    Households: every household a person of the change lived in before it or lives in after it
    (the one a 世帯分離 leaves, both households of a 世帯合併 or of a 転居 into another household,
    the one a 転出 or 死亡 leaves). The journal entry, the API's answer, the households' versions
    and the feed all name these.
    """
    header = command.header
    befores = {r.atena_number.value: view.current(r.atena_number) for r in plan.records}
    records = plan.records
    if not isinstance(command, Cancel):
        sets = filed and header.filed_on is not None and not (plan.ex_officio or header.ex_officio)

        def filing(record: ResidentRecord) -> date | None:
            if sets:
                return header.filed_on
            before = befores[record.atena_number.value]
            return before.filed_on if before is not None else None

        records = tuple(
            r if r.filed_on == filing(r) else replace(r, filed_on=filing(r)) for r in records
        )
    touched = dict.fromkeys(plan.households)
    for record in records:
        before = befores[record.atena_number.value]
        if before is not None:
            touched.setdefault(before.household_number.value, None)
        touched.setdefault(record.household_number.value, None)
    households = tuple(h for h in touched if h)
    return replace(plan, records=records, households=households)
