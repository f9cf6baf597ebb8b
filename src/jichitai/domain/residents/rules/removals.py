"""Removals (消除): 転出 (§4.1.3), 転入通知の受理 (§4.1.3.1), 死亡 (§4.2.2.1) and
職権消除 (§4.2.2); the household may lose its head on the way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from jichitai.domain.common.address import Address
from jichitai.domain.common.dates import DateKind
from jichitai.domain.common.identifiers import HouseholdNumber
from jichitai.domain.errors import NotFound, Violation
from jichitai.domain.residents.commands import (
    ChangeHeader,
    Death,
    ExOfficioRemoval,
    MoveOut,
    RecordMoveInNotice,
)
from jichitai.domain.residents.model import MoveOutDetails, ResidentRecord, ResidentStatus
from jichitai.domain.residents.reasons import ChangeReason
from jichitai.domain.residents.rules.checks import Checks
from jichitai.domain.residents.rules.dates import FILING_PERIOD
from jichitai.domain.residents.rules.heads import heads_after
from jichitai.domain.residents.rules.persons import resident, targets
from jichitai.domain.residents.view import (
    ChangeContext,
    ChangeKind,
    ChangePlan,
    Notice,
    RegisterView,
)


def plan_move_out(
    cmd: MoveOut, view: RegisterView, ctx: ChangeContext, checks: Checks
) -> ChangePlan:
    """転出 (§4.1.3): planned date may be in the future; late filings are recorded ex officio."""
    header = cmd.header
    if cmd.planned_on != header.effective_on:
        checks.error(
            "move_out.planned_on_mismatch", "転出予定日と異動日が一致しません", "planned_on"
        )
    if cmd.abroad != cmd.onward_address.is_overseas:
        checks.error(
            "move_out.onward_address_kind",
            "国外転出の場合は国外の住所を、国内転出の場合は国内の転出先を入力してください",
            "onward_address",
        )
    ex_officio = header.ex_officio
    if header.filed_on is not None and header.filed_on - cmd.planned_on > FILING_PERIOD:
        # §4.1.3.0.1 (640): a move-out filed more than 14 days after moving is recorded ex officio.
        ex_officio = True
        checks.alert(
            "move_out.late_filing_ex_officio",
            "転出日から14日を経過した届出のため、職権で消除します",
            "filed_on",
        )
    records = targets(cmd.atena_numbers, view, checks)
    for r in records:
        if r.became_resident_on.approximation > cmd.planned_on:
            checks.error(
                "move_out.before_became_resident",
                "転出予定日が住民となった日より前です",
                "planned_on",
            )
    reason = ChangeReason.MOVE_OUT_ABROAD if cmd.abroad else ChangeReason.DOMESTIC_MOVE_OUT
    details = MoveOutDetails(
        planned_on=cmd.planned_on,
        onward_address=cmd.onward_address,
        filed_on=header.filed_on,
        special=cmd.special,
    )
    out, notices, households = _remove(
        records,
        reason=reason,
        status=ResidentStatus.MOVED_OUT,
        removed_on=cmd.planned_on,
        header=header,
        view=view,
        checks=checks,
        voluntary=True,
        move_out=details,
    )
    if not cmd.special and not cmd.abroad:
        notices.append(Notice.MOVE_OUT_CERTIFICATE)
    return ChangePlan(
        ChangeKind.MOVE_OUT,
        reason,
        tuple(out),
        notices=tuple(notices),
        ex_officio=ex_officio,
        households=tuple(households),
    )


def plan_move_in_notice(
    cmd: RecordMoveInNotice, view: RegisterView, ctx: ChangeContext, checks: Checks
) -> ChangePlan:
    """転入通知の受理 (§4.1.3.1): stored beside the planned values; removal date may move earlier."""
    record = view.current(cmd.atena_number)
    if record is None:
        raise NotFound(
            Violation("person.not_found", "該当する住民は登録されていません", "atena_number")
        )
    if record.status not in (ResidentStatus.MOVED_OUT, ResidentStatus.REMOVED):
        checks.error(
            "move_in_notice.not_moved_out",
            "転出又は職権消除された方についてのみ転入通知を受理できます",
            "atena_number",
        )
    if cmd.notice_on > ctx.today:
        checks.error(
            "move_in_notice.notice_on_future",
            "転入通知年月日に未来の日付は入力できません",
            "notice_on",
        )
    previous = record.move_out or MoveOutDetails(
        planned_on=record.removed_on or record.effective_on, onward_address=Address.unknown()
    )
    details = replace(
        previous,
        notice_on=cmd.notice_on,
        confirmed_address=cmd.confirmed_address,
        confirmed_on=cmd.moved_in_on,
    )
    removed_on = (
        details.removal_on if record.status is ResidentStatus.MOVED_OUT else record.removed_on
    )
    updated = record.next_history(
        ChangeReason.EX_OFFICIO_CORRECTION,
        cmd.header.effective_on,
        move_out=details,
        removed_on=removed_on,
    )
    return ChangePlan(
        ChangeKind.MOVE_IN_NOTICE,
        ChangeReason.EX_OFFICIO_CORRECTION,
        (updated,),
        households=(record.household_number.value,),
    )


def plan_death(cmd: Death, view: RegisterView, ctx: ChangeContext, checks: Checks) -> ChangePlan:
    """死亡 (§4.2.2.1 (820)): the record becomes a 除票; the household may lose its head."""
    record = resident(view, cmd.atena_number, checks, "atena_number")
    if cmd.died_on.approximation > ctx.today:
        checks.error("death.date_future", "死亡日に未来の日付は入力できません", "died_on")
    # An unknown date's machine date is the start of its period (date.min when wholly unknown),
    # so only a known day of death can be proved earlier than the birth.
    known = cmd.died_on.kind is not DateKind.UNKNOWN
    if known and cmd.died_on.approximation < record.birth_date.approximation:
        checks.error("death.before_birth", "死亡日が生年月日より前です", "died_on")
    # 「年月日不詳」: the record is removed on the day the death is recorded, not on date.min.
    wholly_unknown = cmd.died_on.approximation == date.min
    out, notices, households = _remove(
        [record],
        reason=ChangeReason.DEATH,
        status=ResidentStatus.DEAD,
        removed_on=cmd.header.effective_on if wholly_unknown else cmd.died_on.approximation,
        header=cmd.header,
        view=view,
        checks=checks,
        voluntary=False,
        removal_event_date=cmd.died_on,
    )
    return ChangePlan(
        ChangeKind.DEATH,
        ChangeReason.DEATH,
        tuple(out),
        notices=tuple(notices),
        households=tuple(households),
    )


def plan_ex_officio_removal(
    cmd: ExOfficioRemoval, view: RegisterView, ctx: ChangeContext, checks: Checks
) -> ChangePlan:
    """職権消除 (§4.2.2): e.g. after a fact-finding survey (実態調査) or a 失踪宣告."""
    if not cmd.cause.strip():
        checks.error(
            "ex_officio_removal.cause_required", "職権消除の理由を入力してください", "cause"
        )
    records = targets(cmd.atena_numbers, view, checks)
    out, notices, households = _remove(
        records,
        reason=ChangeReason.EX_OFFICIO_REMOVAL,
        status=ResidentStatus.REMOVED,
        removed_on=cmd.header.effective_on,
        header=cmd.header,
        view=view,
        checks=checks,
        voluntary=False,
    )
    out = [
        replace(r, remarks=_append_remark(r.remarks, f"職権消除（{cmd.cause.strip()}）"))
        if r.atena_number in cmd.atena_numbers
        else r
        for r in out
    ]
    return ChangePlan(
        ChangeKind.EX_OFFICIO_REMOVAL,
        ChangeReason.EX_OFFICIO_REMOVAL,
        tuple(out),
        notices=tuple(notices),
        ex_officio=True,
        households=tuple(households),
    )


def _remove(
    records: Sequence[ResidentRecord],
    *,
    reason: ChangeReason,
    status: ResidentStatus,
    removed_on: date,
    header: ChangeHeader,
    view: RegisterView,
    checks: Checks,
    voluntary: bool,
    **extra: object,
) -> tuple[list[ResidentRecord], list[Notice], list[str]]:
    leaving = {r.atena_number.value for r in records}
    out = [
        r.next_history(
            reason,
            header.effective_on,
            status=status,
            removal_reason=reason,
            removed_on=removed_on,
            **extra,
        )
        for r in records
    ]
    notices: list[Notice] = []
    households = sorted({r.household_number.value for r in records})
    for household in households:
        updates, more = heads_after(
            HouseholdNumber(household), leaving, view, checks, header=header, voluntary=voluntary
        )
        out.extend(updates)
        notices.extend(more)
    return out, notices, households


def _append_remark(remarks: str, line: str) -> str:
    return f"{remarks}\n{line}" if remarks else line
