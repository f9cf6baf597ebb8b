"""転居 (§4.1.2): persons move to another address in the municipality, whole household or
part of it.
"""

from __future__ import annotations

from jichitai.domain.common.dates import RecordDate
from jichitai.domain.common.identifiers import HouseholdNumber
from jichitai.domain.residents.commands import InTownMove
from jichitai.domain.residents.model import ResidentRecord
from jichitai.domain.residents.reasons import ChangeReason
from jichitai.domain.residents.rules.checks import Checks
from jichitai.domain.residents.rules.dates import check_late_filing
from jichitai.domain.residents.rules.heads import HEAD, heads_after
from jichitai.domain.residents.rules.persons import (
    relationship_for,
    require_address,
    same_place,
    targets,
)
from jichitai.domain.residents.view import (
    ChangeContext,
    ChangeKind,
    ChangePlan,
    Notice,
    RegisterView,
)


def plan_in_town_move(
    cmd: InTownMove, view: RegisterView, ctx: ChangeContext, checks: Checks
) -> ChangePlan:
    """転居 (§4.1.2): a new address in the municipality; whole or part of a household."""
    header = cmd.header
    if cmd.address.is_overseas:
        checks.error(
            "in_town_move.address_abroad", "転居先は市区町村内の住所を入力してください", "address"
        )
    else:
        require_address(cmd.address, checks)
    check_late_filing(header, checks, "in_town_move")
    records = targets(cmd.atena_numbers, view, checks)
    if not records:
        checks.raise_if_any()
    movers = {r.atena_number.value for r in records}
    for r in records:
        if r.address == cmd.address:
            checks.alert(
                "in_town_move.same_address",
                "転居先が現住所と同じです（同一住所への転居）。住所・方書を確認してください",
                "address",
            )
            break
    source_households = sorted({r.household_number.value for r in records})
    whole = (
        len(source_households) == 1
        and {m.atena_number.value for m in view.household_residents(records[0].household_number)}
        <= movers
    )
    out: list[ResidentRecord] = []
    notices: list[Notice] = []
    address_set = RecordDate.of(header.effective_on)
    if cmd.household_number is not None:
        target = cmd.household_number
        existing = view.household_residents(target)
        if not existing:
            checks.error("household.not_found", "転居先の世帯が見つかりません", "household_number")
        elif not same_place(existing[0].address, cmd.address):
            checks.error(
                "household.address_differs",
                "転居先世帯の住所と入力した住所が一致しません",
                "address",
            )
        for r in records:
            rel = relationship_for(
                r.atena_number.value, cmd.relationships, checks, None, name=r.name.full
            )
            out.append(
                r.next_history(
                    ChangeReason.IN_TOWN_MOVE,
                    header.effective_on,
                    address=cmd.address,
                    address_set_on=address_set,
                    household_number=target,
                    relationship=rel,
                    filed_on=header.filed_on,
                )
            )
        households = [*source_households, target.value]
    elif whole:
        for r in records:
            out.append(
                r.next_history(
                    ChangeReason.IN_TOWN_MOVE,
                    header.effective_on,
                    address=cmd.address,
                    address_set_on=address_set,
                    filed_on=header.filed_on,
                )
            )
        households = source_households
    else:
        new_household = view.new_household_number()
        head = cmd.new_head or (records[0].atena_number if len(records) == 1 else None)
        if head is None or head.value not in movers:
            checks.error(
                "in_town_move.new_head_required",
                "世帯の一部が転居する場合は、転居者の中から新しい世帯の世帯主を指定してください",
                "new_head",
            )
        for r in records:
            is_new_head = head is not None and r.atena_number == head
            rel = (
                HEAD
                if is_new_head
                else relationship_for(
                    r.atena_number.value,
                    cmd.relationships,
                    checks,
                    r.relationship,
                    name=r.name.full,
                )
            )
            out.append(
                r.next_history(
                    ChangeReason.IN_TOWN_MOVE,
                    header.effective_on,
                    address=cmd.address,
                    address_set_on=address_set,
                    household_number=new_household,
                    relationship=rel,
                    filed_on=header.filed_on,
                )
            )
        households = [*source_households, new_household.value]
    if not whole or cmd.household_number is not None:
        for household in source_households:
            updates, more = heads_after(
                HouseholdNumber(household), movers, view, checks, header=header, voluntary=True
            )
            out.extend(updates)
            notices.extend(more)
    return ChangePlan(
        ChangeKind.IN_TOWN_MOVE,
        ChangeReason.IN_TOWN_MOVE,
        tuple(out),
        notices=tuple(notices),
        households=tuple(dict.fromkeys(households)),
    )
