"""An address in the municipality names a 町字 of its master (standard §1.3.2 (240),
§1.3.3 (250); docs/adr/0013-town-area-master.md).

Run by ``plan_change`` for every change, so the staff API, the counter and every other caller of
the register's change checks get it alike. It is an alert, not an error: a 町字 newly created by
a 住居表示 or 区画整理 may be in force before the master is reloaded, so the clerk may go on
after checking — but never without acknowledging ``address.town_area_not_in_master``.

* No master loaded (``ctx.town_areas`` is None): nothing is checked (the behaviour before 0013).
* Only addresses the change sets are checked: a snapshot whose address is the person's current
  one (a change of name, say) is not held to a master loaded after the address was recorded.
* Only residents' own addresses (the 住所 of a living resident); previous and onward addresses
  lie in other municipalities, whose masters are not here. An address without a 町字 (a lot
  directly after the city) is not checked either.
* The 町字 must be in force on the 異動日 (``header.effective_on``).
"""

from __future__ import annotations

from jichitai.domain.common.town_areas import town_area_fault, town_area_key
from jichitai.domain.residents.commands import ChangeHeader
from jichitai.domain.residents.rules.checks import Checks
from jichitai.domain.residents.view import ChangeContext, ChangePlan, RegisterView


def check_town_areas(
    plan: ChangePlan, view: RegisterView, ctx: ChangeContext, header: ChangeHeader, checks: Checks
) -> None:
    """Alert ``address.town_area_not_in_master`` once per 町字 the change sets that the
    master does not hold on the 異動日 (the decision: ``town_area_fault``)."""
    master = ctx.town_areas
    if master is None:
        return
    seen: set[str] = set()
    for record in plan.records:
        address = record.address
        if not record.is_resident or address.is_overseas or not address.town_area:
            continue
        before = view.current(record.atena_number)
        if before is not None and before.address == address:
            continue
        key = town_area_key(address.town_area)
        if key in seen:
            continue
        seen.add(key)
        fault = town_area_fault(address, master, header.effective_on)
        if fault is not None:
            checks.alert(fault.code, fault.message, fault.field)
