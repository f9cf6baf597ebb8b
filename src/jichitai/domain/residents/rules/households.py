"""Household changes at the same address: 世帯分離, 世帯合併, 世帯変更 (§4.1.4.1 (720))
and 世帯主変更 with the members' relationships set anew (§4.1.4.2 (730)).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from jichitai.domain.common.identifiers import HouseholdNumber
from jichitai.domain.errors import NotFound, Violation
from jichitai.domain.residents.commands import (
    ChangeHeader,
    HeadChange,
    HouseholdChange,
    HouseholdMerge,
    HouseholdSplit,
)
from jichitai.domain.residents.model import ResidentRecord
from jichitai.domain.residents.reasons import ChangeReason
from jichitai.domain.residents.relationships import Relationship
from jichitai.domain.residents.rules.checks import Checks
from jichitai.domain.residents.rules.heads import HEAD, heads_after
from jichitai.domain.residents.rules.persons import relationship_for, same_place, targets
from jichitai.domain.residents.view import (
    ChangeContext,
    ChangeKind,
    ChangePlan,
    Notice,
    RegisterView,
)


def plan_household_split(
    cmd: HouseholdSplit, view: RegisterView, ctx: ChangeContext, checks: Checks
) -> ChangePlan:
    """世帯分離: some members form a new household at the same address (§4.1.4.1 (720))."""
    records = targets(cmd.atena_numbers, view, checks)
    if not records:
        checks.raise_if_any()
    movers = {r.atena_number.value for r in records}
    source = {r.household_number.value for r in records}
    if len(source) != 1:
        checks.error(
            "household_split.several_households",
            "世帯分離の対象者は同じ世帯から選んでください",
            "atena_numbers",
        )
    if cmd.new_head.value not in movers:
        checks.error(
            "household_split.head_not_mover",
            "新しい世帯主は分離する方の中から選んでください",
            "new_head",
        )
    members = view.household_residents(records[0].household_number)
    if {m.atena_number.value for m in members} <= movers:
        checks.error(
            "household_split.whole_household", "世帯全員を分離することはできません", "atena_numbers"
        )
    new_household = view.new_household_number()
    out = [
        r.next_history(
            ChangeReason.HOUSEHOLD_SPLIT,
            cmd.header.effective_on,
            household_number=new_household,
            relationship=HEAD
            if r.atena_number == cmd.new_head
            else relationship_for(r.atena_number.value, cmd.relationships, checks, None),
            filed_on=cmd.header.filed_on,
        )
        for r in records
    ]
    updates, notices = heads_after(
        records[0].household_number, movers, view, checks, header=cmd.header, voluntary=True
    )
    out.extend(updates)
    return ChangePlan(
        ChangeKind.HOUSEHOLD_SPLIT,
        ChangeReason.HOUSEHOLD_SPLIT,
        tuple(out),
        notices=tuple(notices),
        households=(*sorted(source), new_household.value),
    )


def plan_household_merge(
    cmd: HouseholdMerge, view: RegisterView, ctx: ChangeContext, checks: Checks
) -> ChangePlan:
    """世帯合併: a whole household joins another at the same address."""
    records = list(view.household_residents(cmd.source_household))
    if not records:
        checks.error(
            "household.not_found",
            f"世帯番号 {cmd.source_household.value} の世帯に住民がいません",
            "source_household",
        )
    return _join_household(
        ChangeKind.HOUSEHOLD_MERGE,
        ChangeReason.HOUSEHOLD_MERGE,
        records,
        cmd.target_household,
        cmd.relationships,
        cmd.header,
        view,
        checks,
        whole_source=True,
    )


def plan_household_change(
    cmd: HouseholdChange, view: RegisterView, ctx: ChangeContext, checks: Checks
) -> ChangePlan:
    """世帯変更: some members move into another existing household at the same address."""
    records = targets(cmd.atena_numbers, view, checks)
    return _join_household(
        ChangeKind.HOUSEHOLD_CHANGE,
        ChangeReason.HOUSEHOLD_CHANGE,
        records,
        cmd.target_household,
        cmd.relationships,
        cmd.header,
        view,
        checks,
        whole_source=False,
    )


def _join_household(
    kind: ChangeKind,
    reason: ChangeReason,
    records: Sequence[ResidentRecord],
    target: HouseholdNumber,
    relationships: Mapping[str, Relationship],
    header: ChangeHeader,
    view: RegisterView,
    checks: Checks,
    *,
    whole_source: bool,
) -> ChangePlan:
    target_members = view.household_residents(target)
    if not target_members:
        checks.error(
            "household.not_found",
            f"世帯番号 {target.value} の世帯に住民がいません",
            "target_household",
        )
    movers = {r.atena_number.value for r in records}
    for r in records:
        if r.household_number == target:
            checks.error(
                "household.same_household", "異動先の世帯が現在の世帯と同じです", "target_household"
            )
            break
        if target_members and not same_place(r.address, target_members[0].address):
            checks.error(
                "household.address_differs",
                "世帯変更等と同時に住所を変更することはできません。先に転居を処理してください",
                "target_household",
            )
            break
    out = [
        r.next_history(
            reason,
            header.effective_on,
            household_number=target,
            relationship=relationship_for(r.atena_number.value, relationships, checks, None),
            filed_on=header.filed_on,
        )
        for r in records
    ]
    notices: list[Notice] = []
    sources = sorted({r.household_number.value for r in records})
    if not whole_source:
        for household in sources:
            updates, more = heads_after(
                HouseholdNumber(household), movers, view, checks, header=header, voluntary=True
            )
            out.extend(updates)
            notices.extend(more)
    return ChangePlan(
        kind, reason, tuple(out), notices=tuple(notices), households=(*sources, target.value)
    )


def plan_head_change(
    cmd: HeadChange, view: RegisterView, ctx: ChangeContext, checks: Checks
) -> ChangePlan:
    """世帯主変更 and the members' relationships set anew (§4.1.4.2 (730))."""
    members = view.household_residents(cmd.household_number)
    if not members:
        raise NotFound(
            Violation("household.not_found", "該当する世帯がありません", "household_number")
        )
    by_atena = {m.atena_number.value: m for m in members}
    if cmd.new_head.value not in by_atena:
        checks.error(
            "head_change.not_member", "新しい世帯主は世帯員の中から選んでください", "new_head"
        )
    elif by_atena[cmd.new_head.value].is_head:
        checks.error("head_change.already_head", "選択した方は既に世帯主です", "new_head")
    for atena in cmd.relationships:
        if atena not in by_atena:
            checks.error(
                "head_change.relationship_for_non_member",
                f"宛名番号 {atena} の方はこの世帯の世帯員ではありません",
                f"relationships.{atena}",
            )
    out: list[ResidentRecord] = []
    for m in members:
        atena = m.atena_number.value
        if atena == cmd.new_head.value:
            rel = HEAD
        elif m.is_head:
            rel = relationship_for(atena, cmd.relationships, checks, None)
        else:
            rel = relationship_for(atena, cmd.relationships, checks, m.relationship)
        if rel != m.relationship:
            out.append(
                m.next_history(
                    ChangeReason.HEAD_CHANGE,
                    cmd.header.effective_on,
                    relationship=rel,
                    filed_on=cmd.header.filed_on,
                )
            )
    return ChangePlan(
        ChangeKind.HEAD_CHANGE,
        ChangeReason.HEAD_CHANGE,
        tuple(out),
        households=(cmd.household_number.value,),
    )
