"""Rules on the dates of a change: 異動日 and 届出日 (§4.0.3 (480)), the filing period, and
the "as of" order (no snapshot dated before a person's latest, ``timeline.py``).
"""

from __future__ import annotations

from datetime import timedelta

from jichitai.domain.residents.commands import (
    ChangeHeader,
)
from jichitai.domain.residents.rules.checks import Checks
from jichitai.domain.residents.timeline import check_not_before_latest
from jichitai.domain.residents.view import ChangeContext, ChangePlan, RegisterView

FILING_PERIOD = timedelta(days=14)
"""住民基本台帳法 第22〜25条: notifications are due within 14 days."""


def check_dates(
    header: ChangeHeader, ctx: ChangeContext, checks: Checks, *, future_allowed: bool
) -> None:
    """異動日 cannot be later than the processing date except for a move-out (§4.0.3 (480))."""
    if not future_allowed and header.effective_on > ctx.today:
        checks.error(
            "change.effective_on_future",
            "異動日に未来の日付は入力できません（転出を除く）",
            "effective_on",
        )
    if header.filed_on is not None and header.filed_on > ctx.today:
        checks.error("change.filed_on_future", "届出日に未来の日付は入力できません", "filed_on")


def check_late_filing(header: ChangeHeader, checks: Checks, what: str) -> None:
    """An alert when a notification comes after the filing period (住民基本台帳法 第22〜25条)."""
    if header.filed_on is not None and header.filed_on - header.effective_on > FILING_PERIOD:
        checks.alert(
            f"{what}.late_filing",
            "届出が異動日から14日を経過しています（届出期間経過）",
            "filed_on",
        )


def check_order_of_dates(
    plan: ChangePlan,
    view: RegisterView,
    ctx: ChangeContext,
    checks: Checks,
    *,
    supersedes_pending: bool,
) -> None:
    """No snapshot dated before the person's latest one (the "as of" rule, ``timeline.py``);
    ``supersedes_pending``: the change may replace a planned 転出 (``ChangeType``)."""
    seen: set[str] = set()
    for record in plan.records:
        if record.atena_number.value in seen:
            continue
        seen.add(record.atena_number.value)
        fault = check_not_before_latest(
            record,
            view.current(record.atena_number),
            ctx.today,
            supersedes_pending=supersedes_pending,
        )
        if fault is not None:
            checks.error(fault.code, fault.message, fault.field)
