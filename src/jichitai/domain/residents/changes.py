"""The processing rules of 異動 (standard chapter 3 §4): a command in, a ``ChangePlan`` out.

``plan_change`` checks every rule, collects all errors and the alerts the operator has not yet
acknowledged, and raises them together as ``RuleViolations`` so the counter sees every fault at
once. Nothing is written here: the service appends the plan to the journal in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from jichitai.domain.common.address import Address
from jichitai.domain.common.dates import DateKind, RecordDate, format_wareki
from jichitai.domain.common.identifiers import AtenaNumber, HouseholdNumber
from jichitai.domain.errors import InvalidValue, NotFound, RuleViolations, Severity, Violation
from jichitai.domain.residents.commands import (
    Birth,
    Cancel,
    ChangeCommand,
    ChangeHeader,
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
    NewPerson,
    RecordChanges,
    RecordMoveInNotice,
    Reissue,
)
from jichitai.domain.residents.model import (
    Alias,
    ForeignResidentCategory,
    ForeignResidentDetails,
    MoveOutDetails,
    ResidentKind,
    ResidentRecord,
    ResidentStatus,
)
from jichitai.domain.residents.reasons import ChangeReason, ReasonGroup
from jichitai.domain.residents.relationships import Relationship
from jichitai.domain.residents.timeline import check_not_before_latest, is_pending
from jichitai.domain.residents.view import (
    ChangeContext,
    ChangeKind,
    ChangePlan,
    Notice,
    RegisterView,
)

FILING_PERIOD = timedelta(days=14)
"""住民基本台帳法 第22〜25条: notifications are due within 14 days."""

HEAD = Relationship("世帯主")


@dataclass
class _Checks:
    """Collects errors and alerts; ``raise_if_any`` refuses with all of them at once."""

    acknowledged: frozenset[str]
    today: date = date.min
    """The processing date (to tell a planned 転出 not yet due from a past one)."""
    errors: list[Violation] = field(default_factory=list)
    alerts: list[Violation] = field(default_factory=list)

    def error(self, code: str, message: str, field_name: str | None = None) -> None:
        self.errors.append(Violation(code, message, field_name, Severity.ERROR))

    def alert(self, code: str, message: str, field_name: str | None = None) -> None:
        self.alerts.append(Violation(code, message, field_name, Severity.ALERT))

    def raise_if_any(self) -> tuple[Violation, ...]:
        """Refuse on any error or unacknowledged alert; return the acknowledged alerts."""
        pending = [a for a in self.alerts if a.code not in self.acknowledged]
        if self.errors or pending:
            raise RuleViolations(*self.errors, *pending)
        return tuple(self.alerts)


def plan_change(command: ChangeCommand, view: RegisterView, ctx: ChangeContext) -> ChangePlan:
    """Apply the rules of §4 to one command and return the snapshots it produces."""
    header = command.header
    checks = _Checks(acknowledged=header.acknowledged_alerts, today=ctx.today)
    _check_dates(header, ctx, checks, future_allowed=isinstance(command, MoveOut))
    planner = _PLANNERS[type(command)]
    plan = planner(command, view, ctx, checks)
    _check_order_of_dates(command, plan, view, ctx, checks)
    _check_heads_remain(plan, view, checks)
    alerts = checks.raise_if_any()
    # §4.2.0.2 (760): any filing-type change may be recorded ex officio; the event says so.
    return replace(plan, alerts=alerts, ex_officio=plan.ex_officio or header.ex_officio)


# --- common checks -----------------------------------------------------------------------------


def _check_dates(
    header: ChangeHeader, ctx: ChangeContext, checks: _Checks, *, future_allowed: bool
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


def _check_order_of_dates(
    command: ChangeCommand,
    plan: ChangePlan,
    view: RegisterView,
    ctx: ChangeContext,
    checks: _Checks,
) -> None:
    """No snapshot dated before the person's latest one (the "as of" rule, ``timeline.py``)."""
    supersedes = isinstance(command, Cancel | RecordMoveInNotice)
    seen: set[str] = set()
    for record in plan.records:
        if record.atena_number.value in seen:
            continue
        seen.add(record.atena_number.value)
        fault = check_not_before_latest(
            record, view.current(record.atena_number), ctx.today, supersedes_pending=supersedes
        )
        if fault is not None:
            checks.error(fault.code, fault.message, fault.field)


_HEAD_FAULTS = frozenset({"household.no_head", "household.head_absent"})


def _check_heads_remain(plan: ChangePlan, view: RegisterView, checks: _Checks) -> None:
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


def _check_relationship(rel: Relationship, field_name: str, checks: _Checks) -> None:
    """The whitelist of §1.1.11 (110), also for a ``Relationship`` built without ``parse``."""
    try:
        Relationship.parse(rel.text, field_name)
    except InvalidValue as refusal:
        for v in refusal.violations:
            checks.error(v.code, v.message, field_name)


def _planned_move_out(record: ResidentRecord, field_name: str, checks: _Checks) -> bool:
    """Refuse a change for a person whose 転出 is filed for a later date (ADR 0011): she is a
    resident until then, but only the move-out's cancellation or the 転入通知 may be recorded."""
    if record.status is not ResidentStatus.MOVED_OUT or not is_pending(record, checks.today):
        return False
    checks.error(
        "person.planned_move_out",
        f"宛名番号 {record.atena_number.value} の方は{format_wareki(record.effective_on)}に転出する"
        "届出がされています（転出予定）。転出の取消し又は転入通知の受理のほかは入力できません",
        field_name,
    )
    return True


def _resident(
    view: RegisterView, atena: AtenaNumber, checks: _Checks, field_name: str
) -> ResidentRecord:
    record = view.current(atena)
    if record is None:
        raise NotFound(
            Violation(
                "person.not_found", f"宛名番号 {atena.value} の住民は登録されていません", field_name
            )
        )
    if not _planned_move_out(record, field_name, checks) and not record.is_resident:
        checks.error(
            "person.not_resident",
            f"宛名番号 {atena.value} の方は既に消除されています（{record.status.label}）",
            field_name,
        )
    return record


def _check_new_person(
    person: NewPerson, index: int, view: RegisterView, ctx: ChangeContext, checks: _Checks
) -> ResidentRecord | None:
    """Rules for a person entering the register; returns a removed record to reuse, if any."""
    prefix = f"members[{index}]"
    _check_relationship(person.relationship, f"{prefix}.relationship", checks)
    if person.birth_date.approximation > ctx.today:
        checks.error(
            "person.birth_date_future",
            "生年月日に未来の日付は入力できません",
            f"{prefix}.birth_date",
        )
    if person.kind is ResidentKind.JAPANESE:
        if person.family_register is None:
            checks.error(
                "person.family_register_required",
                "日本人住民の本籍・筆頭者は空欄にできません（不明の場合は「不明」と入力してください）",
                f"{prefix}.family_register",
            )
        if person.foreign is not None:
            checks.error(
                "person.foreign_items_for_japanese",
                "日本人住民に外国人住民の項目は記載できません",
                f"{prefix}.foreign",
            )
    else:
        if person.family_register is not None:
            checks.error(
                "person.family_register_for_foreign",
                "外国人住民に本籍は記載できません",
                f"{prefix}.family_register",
            )
        if person.foreign is None:
            checks.error(
                "person.foreign_items_required",
                "外国人住民の国籍・在留資格等を入力してください",
                f"{prefix}.foreign",
            )
        else:
            _check_foreign_items(person.foreign, f"{prefix}.foreign", checks)
    matches = view.find_by_identifiers(
        person.individual_number,
        person.resident_code,
        person.foreign.residence_card_number if person.foreign else None,
    )
    live = [m for m in matches if m.is_resident]
    removed = [m for m in matches if not m.is_resident]
    if live:
        checks.error(
            "person.duplicate_live",
            f"個人番号・住民票コード又は在留カード番号が現存する住民（宛名番号 {live[0].atena_number.value}）と一致します",
            f"{prefix}.{_matched_identifier(person, live[0])}",
        )
    reuse: ResidentRecord | None = None
    if removed:
        atenas = {m.atena_number.value for m in removed}
        if len(atenas) > 1:
            checks.error(
                "person.ambiguous_returning_resident",
                "一致する除票が複数あります。識別番号を確認してください",
                f"{prefix}.{_matched_identifier(person, removed[0])}",
            )
        elif removed[0].status is ResidentStatus.DEAD:
            checks.error(
                "person.matches_dead_record",
                f"個人番号・住民票コード又は在留カード番号が死亡により消除された方（宛名番号 {removed[0].atena_number.value}）と一致します",
                f"{prefix}.{_matched_identifier(person, removed[0])}",
            )
        else:
            reuse = removed[0]
    elif person.returning_as is not None:
        reuse = _chosen_returning_record(person, prefix, view, checks)
    elif not live:
        same = view.find_same_identity(person.name, person.sex, person.birth_date)
        living = [m for m in same if m.is_resident]
        returning = [
            m for m in same if m.status not in (ResidentStatus.RESIDENT, ResidentStatus.DEAD)
        ]
        if living:
            checks.alert(
                "person.possible_duplicate",
                f"氏名・性別・生年月日が一致する住民（宛名番号 {living[0].atena_number.value}）がいます。同一人でないことを確認してください",
                f"{prefix}.name",
            )
        if returning:
            # §4.1.1.2 (600): an alert, and the clerk may take the person as returning.
            checks.alert(
                "person.possible_returning_resident",
                f"氏名・性別・生年月日が一致する除票（宛名番号 {returning[0].atena_number.value}）があります。再転入者であれば選択してください",
                f"{prefix}.returning_as",
            )
    return reuse


def _chosen_returning_record(
    person: NewPerson, prefix: str, view: RegisterView, checks: _Checks
) -> ResidentRecord | None:
    """The removed record the clerk chose as this person's (再転入者として選択, §4.1.1.2)."""
    assert person.returning_as is not None
    chosen = view.current(person.returning_as)
    field_name = f"{prefix}.returning_as"
    if chosen is None:
        raise NotFound(
            Violation(
                "person.not_found",
                f"宛名番号 {person.returning_as.value} の記録はありません",
                field_name,
            )
        )
    if chosen.is_resident or chosen.status is ResidentStatus.DEAD:
        checks.error(
            "person.returning_record_invalid",
            "再転入者として選べるのは転出等により消除された記録だけです",
            field_name,
        )
        return None
    if (chosen.sex, chosen.birth_date) != (person.sex, person.birth_date):
        checks.alert(
            "person.returning_record_differs",
            "選択した除票と性別又は生年月日が一致しません。同一人であることを確認してください",
            field_name,
        )
    return chosen


def _matched_identifier(person: NewPerson, record: ResidentRecord) -> str:
    """The field of ``person`` whose identifier ``record`` also holds."""
    if (
        person.individual_number is not None
        and person.individual_number == record.individual_number
    ):
        return "individual_number"
    if person.resident_code is not None and person.resident_code == record.resident_code:
        return "resident_code"
    return "foreign.residence_card_number"


def _check_foreign_items(foreign: ForeignResidentDetails, prefix: str, checks: _Checks) -> None:
    """The items art. 30-45 requires for the person's category (never blank, §1.1.6 (60))."""
    category = foreign.category
    if category is ForeignResidentCategory.MID_TO_LONG_TERM:
        if foreign.residence_card_number is None:
            checks.error(
                "foreign.residence_card_required",
                "中長期在留者の在留カード番号を入力してください",
                f"{prefix}.residence_card_number",
            )
        if not foreign.residence_status:
            checks.error(
                "foreign.residence_status_required",
                "在留資格を入力してください",
                f"{prefix}.residence_status",
            )
        if foreign.stay_expires_on is None:
            checks.error(
                "foreign.expiry_required",
                "在留期間の満了の日を入力してください",
                f"{prefix}.stay_expires_on",
            )
    if (
        category
        in (ForeignResidentCategory.TEMPORARY_REFUGE, ForeignResidentCategory.PROVISIONAL_STAY)
        and not foreign.period_of_stay
    ):
        # §1.1.6 (60): 上陸期間 and 仮滞在期間 are never blank.
        checks.error(
            "foreign.period_required",
            "上陸期間又は仮滞在期間を入力してください",
            f"{prefix}.period_of_stay",
        )
    if (
        category is ForeignResidentCategory.SPECIAL_PERMANENT
        and not foreign.special_permanent_certificate_number
    ):
        checks.error(
            "foreign.certificate_number_required",
            "特別永住者証明書の番号を入力してください",
            f"{prefix}.special_permanent_certificate_number",
        )


def _check_late_filing(header: ChangeHeader, checks: _Checks, what: str) -> None:
    if header.filed_on is not None and header.filed_on - header.effective_on > FILING_PERIOD:
        checks.alert(
            f"{what}.late_filing",
            "届出が異動日から14日を経過しています（届出期間経過）",
            "filed_on",
        )


def _heads_after(
    household: HouseholdNumber,
    leaving: set[str],
    view: RegisterView,
    checks: _Checks,
    *,
    header: ChangeHeader,
    voluntary: bool,
) -> tuple[list[ResidentRecord], list[Notice]]:
    """世帯主不在となる場合の処理 (§4.0.4 (490)).

    When the head leaves and one member remains, that member becomes head ex officio (and a
    世帯主変更依頼通知書 is due). With two or more remaining, a voluntary change (move, split) is
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
        return [updated], [Notice.HEAD_CHANGE_REQUEST]
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


def _same_place(a: Address, b: Address) -> bool:
    """Same address ignoring 方書 (household changes never change the address, §4.1.4.1)."""
    return (a.prefecture, a.city, a.town_area, a.lot_text, a.country, a.overseas_text) == (
        b.prefecture,
        b.city,
        b.town_area,
        b.lot_text,
        b.country,
        b.overseas_text,
    )


def _relationship_for(
    atena: str,
    relationships: Mapping[str, Relationship],
    checks: _Checks,
    current: Relationship | None,
) -> Relationship:
    rel = relationships.get(atena)
    if rel is None:
        if current is not None and not current.is_head:
            return current
        checks.error(
            "relationship.required",
            f"宛名番号 {atena} の方の続柄を入力してください",
            f"relationships.{atena}",
        )
        return Relationship("同居人")
    _check_relationship(rel, f"relationships.{atena}", checks)
    if rel.is_head:
        checks.error(
            "household.second_head",
            "世帯主は1人だけです。新しい世帯主以外の続柄を入力してください",
            f"relationships.{atena}",
        )
    return rel


def _new_record(
    person: NewPerson,
    *,
    atena: AtenaNumber,
    history_number: int,
    household: HouseholdNumber,
    address: Address,
    previous_address: Address | None,
    reason: ChangeReason,
    header: ChangeHeader,
    view: RegisterView,
    unreported: bool = False,
    returning: ResidentRecord | None = None,
) -> ResidentRecord:
    became = person.became_resident_on or RecordDate.of(header.effective_on)
    # A returning resident (§4.1.1.2 (600)) keeps the identifiers of the removed record unless
    # new ones are entered: a 住民票コード is never drawn twice for one person.
    individual_number = person.individual_number
    resident_code = person.resident_code
    if returning is not None:
        individual_number = individual_number or returning.individual_number
        resident_code = resident_code or returning.resident_code
    return ResidentRecord(
        atena_number=atena,
        history_number=history_number,
        kind=person.kind,
        status=ResidentStatus.RESIDENT,
        name=person.name,
        birth_date=person.birth_date,
        sex=person.sex,
        household_number=household,
        relationship=person.relationship,
        became_resident_on=became,
        address=address,
        # §4.1.1.1 (590): without an in-town move, 住所を定めた年月日 equals 住民となった年月日.
        address_set_on=became,
        reason=reason,
        effective_on=header.effective_on,
        filed_on=header.filed_on,
        previous_address=previous_address,
        previous_address_unreported=unreported,
        family_register=person.family_register,
        former_surname=person.former_surname,
        individual_number=individual_number,
        resident_code=resident_code or view.new_resident_code(),
        foreign=person.foreign,
        electoral_roll=person.electoral_roll,
        coverages=person.coverages,
        remarks=person.remarks,
    )


# --- entries -----------------------------------------------------------------------------------


def _require_address(address: Address, checks: _Checks) -> None:
    """住所 is never blank (§1.1.6 (60)): an entry or a move needs at least the 市区町村."""
    if not address.city or address.is_unknown:
        checks.error(
            "address.required", "住所を入力してください（市区町村・町字・番地）", "address"
        )


def _enter_members(
    members: Sequence[NewPerson],
    *,
    address: Address,
    previous_address: Address | None,
    household_number: HouseholdNumber | None,
    reason: ChangeReason,
    header: ChangeHeader,
    view: RegisterView,
    ctx: ChangeContext,
    checks: _Checks,
    unreported: bool = False,
) -> tuple[list[ResidentRecord], str]:
    if not members:
        checks.error("change.no_persons", "異動者を1人以上入力してください", "members")
        return [], ""
    heads = [p for p in members if p.relationship.is_head]
    if household_number is None:
        household = view.new_household_number()
        if len(heads) > 1:
            checks.error("household.second_head", "世帯主は1人だけです", "members")
        elif not heads:
            checks.alert("household.no_head", "世帯主のいない世帯になります", "members")
    else:
        household = household_number
        existing = view.household_residents(household)
        leaving = [] if existing else view.household_pending_removals(household, ctx.today)
        if leaving:
            checks.error(
                "household.planned_move_out",
                f"世帯番号 {household.value} の世帯は{format_wareki(leaving[0].effective_on)}に"
                "転出する届出がされています。先に転出を取り消してから入力してください",
                "household_number",
            )
        elif not existing:
            checks.error(
                "household.not_found",
                f"世帯番号 {household.value} の世帯に住民がいません",
                "household_number",
            )
        elif heads and any(m.is_head for m in existing):
            checks.error("household.second_head", "転入先世帯には既に世帯主がいます", "members")
        if existing and not _same_place(existing[0].address, address):
            checks.error(
                "household.address_differs",
                "異動先世帯の住所と入力した住所が一致しません",
                "address",
            )
    seen: set[object] = set()
    for index, person in enumerate(members):
        card = person.foreign.residence_card_number if person.foreign else None
        for field_name, key in (
            ("individual_number", person.individual_number),
            ("resident_code", person.resident_code),
            ("foreign.residence_card_number", card),
        ):
            if key is None:
                continue
            if key in seen:
                checks.error(
                    "person.duplicate_in_change",
                    "同じ個人番号・住民票コード又は在留カード番号の方が2回入力されています",
                    f"members[{index}].{field_name}",
                )
            seen.add(key)
    records: list[ResidentRecord] = []
    for index, person in enumerate(members):
        reuse = _check_new_person(person, index, view, ctx, checks)
        if reuse is not None:
            atena, history = reuse.atena_number, reuse.history_number + 1
        else:
            atena, history = view.new_atena_number(), 1
        records.append(
            _new_record(
                person,
                atena=atena,
                history_number=history,
                household=household,
                address=address,
                previous_address=previous_address,
                reason=reason,
                header=header,
                view=view,
                unreported=unreported,
                returning=reuse,
            )
        )
    return records, household.value


def _plan_move_in(
    cmd: MoveIn, view: RegisterView, ctx: ChangeContext, checks: _Checks
) -> ChangePlan:
    """転入 (§4.1.1): new persons, or returning ones keeping their 宛名番号 (§4.1.1.2)."""
    reason = ChangeReason.MOVE_IN_FROM_ABROAD if cmd.from_abroad else ChangeReason.DOMESTIC_MOVE_IN
    if cmd.address.is_overseas:
        checks.error(
            "move_in.address_abroad", "転入先の住所は市区町村内の住所を入力してください", "address"
        )
    else:
        _require_address(cmd.address, checks)
    # §4.5.1–4.5.2 (910–920): an art. 30-46/30-47 arrival may leave 転入前住所 blank.
    blank_previous = cmd.previous_address == Address()
    if blank_previous and not cmd.from_abroad:
        checks.error(
            "move_in.previous_address_required",
            "転入前住所を入力してください（不明の場合は「不明」）",
            "previous_address",
        )
    elif (
        not blank_previous
        and cmd.from_abroad != cmd.previous_address.is_overseas
        and not cmd.previous_address_unreported
    ):
        checks.alert(
            "move_in.previous_address_kind",
            "国外転入等の区分と転入前住所（国内・国外）が一致しません",
            "previous_address",
        )
    _check_late_filing(cmd.header, checks, "move_in")
    records, household = _enter_members(
        cmd.members,
        address=cmd.address,
        previous_address=None if blank_previous else cmd.previous_address,
        household_number=cmd.household_number,
        reason=reason,
        header=cmd.header,
        view=view,
        ctx=ctx,
        checks=checks,
        unreported=cmd.previous_address_unreported,
    )
    return ChangePlan(ChangeKind.MOVE_IN, reason, tuple(records), households=(household,))


def _plan_birth(cmd: Birth, view: RegisterView, ctx: ChangeContext, checks: _Checks) -> ChangePlan:
    """出生 (§4.2.1.2 (810)): the child joins its household, at that household's address."""
    address = cmd.address
    if cmd.household_number is not None:
        members = view.household_residents(cmd.household_number)
        if members:
            address = address or members[0].address
    if address is None:
        checks.error("birth.address_required", "出生した子の住所を入力してください", "address")
        address = Address()
    else:
        _require_address(address, checks)
    if cmd.child.birth_date.approximation > cmd.header.effective_on:
        checks.error(
            "birth.after_effective_on", "生年月日が異動日より後になっています", "child.birth_date"
        )
    records, household = _enter_members(
        (cmd.child,),
        address=address,
        previous_address=None,
        household_number=cmd.household_number,
        reason=ChangeReason.BIRTH,
        header=cmd.header,
        view=view,
        ctx=ctx,
        checks=checks,
    )
    return ChangePlan(ChangeKind.BIRTH, ChangeReason.BIRTH, tuple(records), households=(household,))


def _plan_ex_officio_entry(
    cmd: ExOfficioEntry, view: RegisterView, ctx: ChangeContext, checks: _Checks
) -> ChangePlan:
    """職権記載 (§4.2.1.1 (800)), with the notice to the person (§4.2.0)."""
    _require_address(cmd.address, checks)
    records, household = _enter_members(
        cmd.members,
        address=cmd.address,
        previous_address=cmd.previous_address,
        household_number=cmd.household_number,
        reason=ChangeReason.EX_OFFICIO_ENTRY,
        header=cmd.header,
        view=view,
        ctx=ctx,
        checks=checks,
    )
    return ChangePlan(
        ChangeKind.EX_OFFICIO_ENTRY,
        ChangeReason.EX_OFFICIO_ENTRY,
        tuple(records),
        notices=(Notice.EX_OFFICIO_ENTRY_NOTICE,),
        ex_officio=True,
        households=(household,),
    )


# --- removals ----------------------------------------------------------------------------------


def _targets(
    atenas: Iterable[AtenaNumber], view: RegisterView, checks: _Checks
) -> list[ResidentRecord]:
    records = [_resident(view, a, checks, "atena_numbers") for a in atenas]
    if not records:
        checks.error("change.no_persons", "異動者を1人以上選択してください", "atena_numbers")
    if len({r.atena_number.value for r in records}) != len(records):
        checks.error("change.duplicate_person", "同じ方が2回選択されています", "atena_numbers")
    return records


def _remove(
    records: Sequence[ResidentRecord],
    *,
    reason: ChangeReason,
    status: ResidentStatus,
    removed_on: date,
    header: ChangeHeader,
    view: RegisterView,
    checks: _Checks,
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
        updates, more = _heads_after(
            HouseholdNumber(household), leaving, view, checks, header=header, voluntary=voluntary
        )
        out.extend(updates)
        notices.extend(more)
    return out, notices, households


def _plan_move_out(
    cmd: MoveOut, view: RegisterView, ctx: ChangeContext, checks: _Checks
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
    records = _targets(cmd.atena_numbers, view, checks)
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


def _plan_move_in_notice(
    cmd: RecordMoveInNotice, view: RegisterView, ctx: ChangeContext, checks: _Checks
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


def _plan_death(cmd: Death, view: RegisterView, ctx: ChangeContext, checks: _Checks) -> ChangePlan:
    """死亡 (§4.2.2.1 (820)): the record becomes a 除票; the household may lose its head."""
    record = _resident(view, cmd.atena_number, checks, "atena_number")
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


def _plan_ex_officio_removal(
    cmd: ExOfficioRemoval, view: RegisterView, ctx: ChangeContext, checks: _Checks
) -> ChangePlan:
    """職権消除 (§4.2.2): e.g. after a fact-finding survey (実態調査) or a 失踪宣告."""
    if not cmd.cause.strip():
        checks.error(
            "ex_officio_removal.cause_required", "職権消除の理由を入力してください", "cause"
        )
    records = _targets(cmd.atena_numbers, view, checks)
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


def _append_remark(remarks: str, line: str) -> str:
    return f"{remarks}\n{line}" if remarks else line


# --- moves and household changes ---------------------------------------------------------------


def _plan_in_town_move(
    cmd: InTownMove, view: RegisterView, ctx: ChangeContext, checks: _Checks
) -> ChangePlan:
    """転居 (§4.1.2): a new address in the municipality; whole or part of a household."""
    header = cmd.header
    if cmd.address.is_overseas:
        checks.error(
            "in_town_move.address_abroad", "転居先は市区町村内の住所を入力してください", "address"
        )
    else:
        _require_address(cmd.address, checks)
    _check_late_filing(header, checks, "in_town_move")
    records = _targets(cmd.atena_numbers, view, checks)
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
        elif not _same_place(existing[0].address, cmd.address):
            checks.error(
                "household.address_differs",
                "転居先世帯の住所と入力した住所が一致しません",
                "address",
            )
        for r in records:
            rel = _relationship_for(r.atena_number.value, cmd.relationships, checks, None)
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
                else _relationship_for(r.atena_number.value, cmd.relationships, checks, None)
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
            updates, more = _heads_after(
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


def _plan_household_split(
    cmd: HouseholdSplit, view: RegisterView, ctx: ChangeContext, checks: _Checks
) -> ChangePlan:
    """世帯分離: some members form a new household at the same address (§4.1.4.1 (720))."""
    records = _targets(cmd.atena_numbers, view, checks)
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
            else _relationship_for(r.atena_number.value, cmd.relationships, checks, None),
            filed_on=cmd.header.filed_on,
        )
        for r in records
    ]
    updates, notices = _heads_after(
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


def _join_household(
    kind: ChangeKind,
    reason: ChangeReason,
    records: Sequence[ResidentRecord],
    target: HouseholdNumber,
    relationships: Mapping[str, Relationship],
    header: ChangeHeader,
    view: RegisterView,
    checks: _Checks,
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
        if target_members and not _same_place(r.address, target_members[0].address):
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
            relationship=_relationship_for(r.atena_number.value, relationships, checks, None),
            filed_on=header.filed_on,
        )
        for r in records
    ]
    notices: list[Notice] = []
    sources = sorted({r.household_number.value for r in records})
    if not whole_source:
        for household in sources:
            updates, more = _heads_after(
                HouseholdNumber(household), movers, view, checks, header=header, voluntary=True
            )
            out.extend(updates)
            notices.extend(more)
    return ChangePlan(
        kind, reason, tuple(out), notices=tuple(notices), households=(*sources, target.value)
    )


def _plan_household_merge(
    cmd: HouseholdMerge, view: RegisterView, ctx: ChangeContext, checks: _Checks
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


def _plan_household_change(
    cmd: HouseholdChange, view: RegisterView, ctx: ChangeContext, checks: _Checks
) -> ChangePlan:
    """世帯変更: some members move into another existing household at the same address."""
    records = _targets(cmd.atena_numbers, view, checks)
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


def _plan_head_change(
    cmd: HeadChange, view: RegisterView, ctx: ChangeContext, checks: _Checks
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
            rel = _relationship_for(atena, cmd.relationships, checks, None)
        else:
            rel = _relationship_for(atena, cmd.relationships, checks, m.relationship)
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


# --- corrections -------------------------------------------------------------------------------

_CORRECTION_REASONS = {
    ChangeReason.MINOR_CORRECTION,
    ChangeReason.EX_OFFICIO_CORRECTION,
    ChangeReason.CLERICAL_CORRECTION,
    ChangeReason.INDIVIDUAL_NUMBER_CHANGE_ON_REQUEST,
    ChangeReason.INDIVIDUAL_NUMBER_EX_OFFICIO_CORRECTION,
    ChangeReason.INDIVIDUAL_NUMBER_EX_OFFICIO_ENTRY,
    ChangeReason.RESIDENT_CODE_CHANGE_ON_REQUEST,
    ChangeReason.RESIDENT_CODE_EX_OFFICIO_ENTRY,
    ChangeReason.FORMER_SURNAME_ENTRY,
    ChangeReason.FORMER_SURNAME_CHANGE,
    ChangeReason.FORMER_SURNAME_DELETION,
    ChangeReason.ALIAS_ENTRY,
    ChangeReason.ALIAS_DELETION,
}

_CLEARABLE = {"former_surname", "individual_number", "family_register", "remarks", "memo"}

_ON_REQUEST = {
    ChangeReason.INDIVIDUAL_NUMBER_CHANGE_ON_REQUEST,
    ChangeReason.RESIDENT_CODE_CHANGE_ON_REQUEST,
    ChangeReason.FORMER_SURNAME_ENTRY,
    ChangeReason.FORMER_SURNAME_CHANGE,
    ChangeReason.FORMER_SURNAME_DELETION,
}
"""Corrections made on the person's request (請求), not ex officio."""


def _plan_correct(
    cmd: Correct, view: RegisterView, ctx: ChangeContext, checks: _Checks
) -> ChangePlan:
    """修正 (§4.2.3), 個人番号・住民票コードの異動 (§4.3, §4.4), 旧氏・通称 (§1.1.7)."""
    record = view.current(cmd.atena_number)
    if record is None:
        raise NotFound(
            Violation("person.not_found", "該当する住民は登録されていません", "atena_number")
        )
    reason = cmd.reason
    if reason not in _CORRECTION_REASONS:
        checks.error(
            "correct.reason_not_allowed",
            f"異動事由「{reason.label}」は記載事項の修正には使えません",
            "reason",
        )
    planned = _planned_move_out(record, "atena_number", checks)
    if not planned and record.is_removed and reason is not ChangeReason.CLERICAL_CORRECTION:
        checks.error("correct.removed_record", "除票の修正は誤記修正でのみ行えます", "atena_number")
    c = cmd.changes
    # 通称 is never emptied: its deletion is dated and kept in the alias history (§1.1.7 (70)).
    for name in c.clear - _CLEARABLE - {"alias"}:
        checks.error(
            "correct.not_clearable", f"項目 {name} は削除できません", f"changes.clear.{name}"
        )
    changes = _correction_changes(record, c, cmd.header, ctx, checks)
    _check_reason_fits(reason, record, c, checks)
    if c.individual_number is not None and c.individual_number != record.individual_number:
        others = [
            m
            for m in view.find_by_identifiers(c.individual_number, None, None)
            if m.atena_number != record.atena_number
        ]
        if any(m.is_resident for m in others):
            checks.error(
                "person.duplicate_live",
                "この個人番号は他の住民に記載されています",
                "changes.individual_number",
            )
    if c.resident_code is not None and c.resident_code != record.resident_code:
        others = [
            m
            for m in view.find_by_identifiers(None, c.resident_code, None)
            if m.atena_number != record.atena_number
        ]
        if others:
            checks.error(
                "person.duplicate_resident_code",
                "この住民票コードは他の方に記載されています",
                "changes.resident_code",
            )
    if not changes:
        checks.error("correct.nothing_to_change", "修正する項目がありません", "changes")
    updated = record.next_history(reason, cmd.header.effective_on, **changes)
    return ChangePlan(
        ChangeKind.CORRECTION,
        reason,
        (updated,),
        ex_officio=reason not in _ON_REQUEST,
        corrects_event_id=cmd.corrects_event_id,
        households=(record.household_number.value,),
    )


def _correction_changes(
    record: ResidentRecord,
    c: RecordChanges,
    header: ChangeHeader,
    ctx: ChangeContext,
    checks: _Checks,
) -> dict[str, object]:
    changes: dict[str, object] = {}
    for name in (
        "name",
        "birth_date",
        "sex",
        "family_register",
        "former_surname",
        "individual_number",
        "resident_code",
        "address",
        "foreign",
        "electoral_roll",
        "coverages",
        "hidden_from_other_systems",
        "display_order",
        "remarks",
        "memo",
    ):
        value = getattr(c, name)
        if value is not None and value != getattr(record, name):
            changes[name] = value
    if c.relationship is not None and c.relationship != record.relationship:
        if c.relationship.is_head or record.is_head:
            checks.error(
                "correct.head_by_head_change",
                "世帯主の変更は世帯主変更で行ってください",
                "changes.relationship",
            )
        changes["relationship"] = c.relationship
    if c.foreign is not None and record.kind is ResidentKind.JAPANESE:
        checks.error(
            "person.foreign_items_for_japanese",
            "日本人住民に外国人住民の項目は記載できません",
            "changes.foreign",
        )
    if c.family_register is not None and record.kind is ResidentKind.FOREIGN:
        checks.error(
            "person.family_register_for_foreign",
            "外国人住民に本籍は記載できません",
            "changes.family_register",
        )
    if c.former_surname is not None and record.kind is ResidentKind.FOREIGN:
        checks.error(
            "correct.former_surname_foreign",
            "旧氏は日本人住民についてのみ記載できます（外国人住民は通称）",
            "changes.former_surname",
        )
    if c.relationship is not None:
        _check_relationship(c.relationship, "changes.relationship", checks)
    for name in c.clear & _CLEARABLE:
        if name == "family_register" and record.kind is ResidentKind.JAPANESE:
            checks.error(
                "person.family_register_required",
                "日本人住民の本籍・筆頭者は空欄にできません",
                "changes.clear",
            )
            continue
        if getattr(record, name) not in (None, ""):
            changes[name] = "" if name in ("remarks", "memo") else None
    if c.birth_date is not None and c.birth_date.approximation > ctx.today:
        checks.error(
            "person.birth_date_future", "生年月日に未来の日付は入力できません", "changes.birth_date"
        )
    if c.alias is not None or "alias" in c.clear:
        foreign = changes.get("foreign", record.foreign)
        if foreign is None:
            checks.error(
                "alias.japanese", "通称は外国人住民についてのみ記載できます", "changes.alias"
            )
        else:
            assert isinstance(foreign, type(record.foreign)) and foreign is not None
            aliases = list(foreign.aliases)
            if "alias" in c.clear:
                aliases = [
                    replace(a, deleted_on=header.effective_on, deleted_in=ctx.municipality_code)
                    if a.deleted_on is None
                    else a
                    for a in aliases
                ]
            if c.alias is not None:
                aliases.append(Alias(c.alias, header.effective_on, ctx.municipality_code))
            changes["foreign"] = replace(foreign, aliases=tuple(aliases))
    return changes


def _check_reason_fits(
    reason: ChangeReason, record: ResidentRecord, c: RecordChanges, checks: _Checks
) -> None:
    """Each 修正の事由 names what it changes: the reason and the items must agree."""
    number_reasons = {
        ChangeReason.INDIVIDUAL_NUMBER_CHANGE_ON_REQUEST,
        ChangeReason.INDIVIDUAL_NUMBER_EX_OFFICIO_CORRECTION,
        ChangeReason.INDIVIDUAL_NUMBER_EX_OFFICIO_ENTRY,
    }
    code_reasons = {
        ChangeReason.RESIDENT_CODE_CHANGE_ON_REQUEST,
        ChangeReason.RESIDENT_CODE_EX_OFFICIO_ENTRY,
    }
    if reason in number_reasons and c.individual_number is None:
        checks.error(
            "correct.individual_number_required",
            "個人番号を入力してください",
            "changes.individual_number",
        )
    if (
        reason is ChangeReason.INDIVIDUAL_NUMBER_EX_OFFICIO_ENTRY
        and record.individual_number is not None
    ):
        checks.error(
            "correct.individual_number_exists",
            "個人番号は既に記載されています",
            "changes.individual_number",
        )
    if reason in code_reasons and c.resident_code is None:
        checks.error(
            "correct.resident_code_required",
            "住民票コードを入力してください",
            "changes.resident_code",
        )
    if reason is ChangeReason.FORMER_SURNAME_ENTRY:
        if c.former_surname is None:
            checks.error(
                "correct.former_surname_required",
                "旧氏を入力してください",
                "changes.former_surname",
            )
        elif record.former_surname is not None:
            checks.error(
                "correct.former_surname_exists",
                "旧氏は既に記載されています。旧氏の変更を選んでください",
                "reason",
            )
    if reason is ChangeReason.FORMER_SURNAME_CHANGE and (
        c.former_surname is None or record.former_surname is None
    ):
        checks.error(
            "correct.former_surname_change",
            "記載されている旧氏を新しい旧氏に変更してください",
            "changes.former_surname",
        )
    if reason is ChangeReason.FORMER_SURNAME_DELETION and "former_surname" not in c.clear:
        checks.error(
            "correct.former_surname_deletion",
            "旧氏の削除では旧氏を削除対象にしてください",
            "changes.clear",
        )
    live_alias = record.foreign.current_alias if record.foreign else None
    if reason is ChangeReason.ALIAS_ENTRY and c.alias is None:
        checks.error("correct.alias_required", "通称を入力してください", "changes.alias")
    elif reason is ChangeReason.ALIAS_ENTRY and live_alias is not None:
        checks.error(
            "correct.alias_exists",
            "通称は既に記載されています。先に通称の削除を行ってください",
            "reason",
        )
    if reason is ChangeReason.ALIAS_DELETION and "alias" not in c.clear:
        checks.error(
            "correct.alias_deletion", "通称の削除では通称を削除対象にしてください", "changes.clear"
        )
    elif reason is ChangeReason.ALIAS_DELETION and record.foreign and live_alias is None:
        checks.error("correct.alias_none", "削除する通称が記載されていません", "changes.clear")
    if (
        reason is ChangeReason.INDIVIDUAL_NUMBER_CHANGE_ON_REQUEST
        and record.individual_number is None
    ):
        checks.error(
            "correct.individual_number_missing",
            "個人番号が記載されていません。個人番号の職権記載を選んでください",
            "reason",
        )
    if reason is ChangeReason.RESIDENT_CODE_EX_OFFICIO_ENTRY and record.resident_code is not None:
        checks.error(
            "correct.resident_code_exists",
            "住民票コードは既に記載されています。住民票コードの変更請求を選んでください",
            "reason",
        )
    if c.alias is not None and reason is not ChangeReason.ALIAS_ENTRY:
        checks.error(
            "correct.alias_reason", "通称の記載は異動事由「通称の記載」で行ってください", "reason"
        )
    if c.former_surname is not None and reason not in (
        ChangeReason.FORMER_SURNAME_ENTRY,
        ChangeReason.FORMER_SURNAME_CHANGE,
        ChangeReason.CLERICAL_CORRECTION,
    ):
        checks.error(
            "correct.former_surname_reason", "旧氏は旧氏の記載・変更で入力してください", "reason"
        )


# --- nationality -------------------------------------------------------------------------------


def _plan_naturalise(
    cmd: Naturalise, view: RegisterView, ctx: ChangeContext, checks: _Checks
) -> ChangePlan:
    """帰化 (§4.5.3): foreign record removed, Japanese record entered, identifiers kept."""
    record = _resident(view, cmd.atena_number, checks, "atena_number")
    if record.kind is not ResidentKind.FOREIGN:
        checks.error(
            "naturalise.not_foreign", "帰化は外国人住民についてのみ処理できます", "atena_number"
        )
    on = cmd.header.effective_on
    # §4.5.3 (930): 外国人住民となった年月日 is carried over as 住民となった年月日.
    became = record.foreign.became_foreign_resident_on if record.foreign else RecordDate.of(on)
    return _reenter(
        ChangeKind.NATURALISATION,
        record,
        ChangeReason.EX_OFFICIO_REMOVAL_NATURALISATION,
        ChangeReason.EX_OFFICIO_ENTRY_NATURALISATION,
        on,
        kind=ResidentKind.JAPANESE,
        name=cmd.name,
        family_register=cmd.family_register,
        foreign=None,
        became_resident_on=became,
    )


def _plan_lose_nationality(
    cmd: LoseNationality, view: RegisterView, ctx: ChangeContext, checks: _Checks
) -> ChangePlan:
    """国籍喪失 (§4.5.5): Japanese record removed, foreign record entered, identifiers kept."""
    record = _resident(view, cmd.atena_number, checks, "atena_number")
    if record.kind is not ResidentKind.JAPANESE:
        checks.error(
            "lose_nationality.not_japanese",
            "国籍喪失は日本人住民についてのみ処理できます",
            "atena_number",
        )
    _check_foreign_items(cmd.foreign, "foreign", checks)
    return _reenter(
        ChangeKind.LOSS_OF_NATIONALITY,
        record,
        ChangeReason.EX_OFFICIO_REMOVAL_LOSS_OF_NATIONALITY,
        ChangeReason.EX_OFFICIO_ENTRY_LOSS_OF_NATIONALITY,
        cmd.header.effective_on,
        kind=ResidentKind.FOREIGN,
        name=cmd.name,
        family_register=None,
        former_surname=None,
        foreign=cmd.foreign,
    )


# --- reissue ------------------------------------------------------------------------------------


def _plan_reissue(
    cmd: Reissue, view: RegisterView, ctx: ChangeContext, checks: _Checks
) -> ChangePlan:
    """改製 / 再製 (§1.1.4 (40), §1.2.2 (210)): removal and re-entry, items unchanged."""
    record = _resident(view, cmd.atena_number, checks, "atena_number")
    removal, entry = (
        (ChangeReason.REMAKE_REMOVAL, ChangeReason.REMAKE_ENTRY)
        if cmd.remake
        else (ChangeReason.REISSUE_REMOVAL, ChangeReason.REISSUE_ENTRY)
    )
    return _reenter(ChangeKind.REISSUE, record, removal, entry, cmd.header.effective_on)


def _reenter(
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


# --- cancellation ------------------------------------------------------------------------------

_CANCEL_REASON = {
    ReasonGroup.REMOVAL: ChangeReason.CANCELLATION_INCREASE,
    ReasonGroup.ENTRY: ChangeReason.CANCELLATION_DECREASE,
    ReasonGroup.CORRECTION: ChangeReason.CANCELLATION_CORRECTION,
}


def _plan_cancel(
    cmd: Cancel, view: RegisterView, ctx: ChangeContext, checks: _Checks
) -> ChangePlan:
    """異動の取消し (§4.6 (980)): append snapshots restoring each person's state before the event.

    Only the latest change of a person can be cancelled this way: restoring an older state would
    silently undo the later changes, so those must be cancelled first.
    """
    event = view.event(cmd.event_id)
    if event is None:
        raise NotFound(
            Violation("cancel.event_not_found", "取り消す異動が見つかりません", "event_id")
        )
    if event.kind is ChangeKind.CANCELLATION:
        checks.error(
            "cancel.cancellation",
            "異動の取消しは取り消せません。改めて異動を入力してください",
            "event_id",
        )
    if event.kind is ChangeKind.IMPORT:
        checks.error(
            "cancel.import",
            "移行で取り込んだ記録は取り消せません。修正の異動を入力してください",
            "event_id",
        )
    # An event that removed and re-entered the same person (帰化, 国籍喪失, 改製) changed neither
    # the population nor the person's presence: cancelling it is a correction.
    same_person_kinds = (
        ChangeKind.NATURALISATION,
        ChangeKind.LOSS_OF_NATIONALITY,
        ChangeKind.REISSUE,
    )
    reason = (
        ChangeReason.CANCELLATION_CORRECTION
        if event.kind in same_person_kinds
        else _CANCEL_REASON[event.reason.group]
    )
    chosen = {a.value for a in cmd.atena_numbers}
    firsts = dict(event.persons)
    lasts = dict(event.last_histories)
    unknown = chosen - set(firsts)
    if unknown:
        checks.error(
            "cancel.person_not_in_event",
            "選択した方はこの異動の異動者ではありません",
            "atena_numbers",
        )
    out: list[ResidentRecord] = []
    households: set[str] = set()
    on = cmd.header.effective_on
    for atena, first in firsts.items():
        if chosen and atena not in chosen:
            continue
        current = view.current(AtenaNumber(atena))
        assert current is not None
        if current.history_number != lasts[atena] and not _undone_since(
            current, view.snapshot(AtenaNumber(atena), lasts[atena])
        ):
            checks.error(
                "cancel.later_changes",
                f"宛名番号 {atena} の方にはこの異動より後の異動があります。後の異動から取り消してください",
                "event_id",
            )
            continue
        before = view.snapshot(AtenaNumber(atena), first - 1) if first > 1 else None
        households.add(current.household_number.value)
        if before is None:
            restored = current.next_history(
                reason,
                on,
                status=ResidentStatus.REMOVED,
                removal_reason=reason,
                removed_on=on,
            )
        else:
            households.add(before.household_number.value)
            restored = replace(
                before, history_number=current.history_number + 1, reason=reason, effective_on=on
            )
            if restored.is_resident and restored.is_head:
                # Members restored by this same cancellation get their old relationship back.
                others = [
                    m
                    for m in view.household_residents(restored.household_number)
                    if m.is_head
                    and m.atena_number.value != atena
                    and not (
                        m.atena_number.value in firsts
                        and (not chosen or m.atena_number.value in chosen)
                    )
                ]
                if others:
                    checks.error(
                        "cancel.household_has_new_head",
                        "元の世帯には既に別の世帯主がいます。先に世帯主変更を取り消してください",
                        "event_id",
                    )
        out.append(restored)
    restored_in = {r.atena_number.value for r in out}
    out = _rehouse_if_emptied(out, restored_in, view, header=cmd.header, households=households)
    return ChangePlan(
        ChangeKind.CANCELLATION,
        reason,
        tuple(out),
        corrects_event_id=event.event_id,
        households=tuple(sorted(households)),
    )


def _rehouse_if_emptied(
    restored: list[ResidentRecord],
    restored_in: set[str],
    view: RegisterView,
    *,
    header: ChangeHeader,
    households: set[str],
) -> list[ResidentRecord]:
    """§4.6.0.1 (980): a person returned by a cancellation goes back to the former household;
    if that household has meanwhile left entirely (and its head is not among those returning),
    they return as a new household at the former address, one person alone becoming its head.
    Several returning without a head form a headless household, which the head check alerts."""
    groups: dict[str, list[ResidentRecord]] = {}
    for record in restored:
        if record.is_resident:
            groups.setdefault(record.household_number.value, []).append(record)
    moved: dict[str, ResidentRecord] = {}
    for household, group in groups.items():
        others = [
            m
            for m in view.household_residents(HouseholdNumber(household))
            if m.atena_number.value not in restored_in
        ]
        if others or any(r.is_head for r in group):
            continue
        new_household = view.new_household_number()
        households.add(new_household.value)
        for record in group:
            relationship = HEAD if len(group) == 1 else record.relationship
            moved[record.atena_number.value] = replace(
                record, household_number=new_household, relationship=relationship
            )
    return [moved.get(r.atena_number.value, r) for r in restored]


def _undone_since(current: ResidentRecord, last: ResidentRecord | None) -> bool:
    """Whether the changes after ``last`` were all cancelled: the current snapshot holds the same
    items, only its history number, reason and effective date differ (a cancellation restores a
    snapshot that way). Then the event before them may be cancelled in turn."""
    if last is None:
        return False
    return (
        replace(
            current,
            history_number=last.history_number,
            reason=last.reason,
            effective_on=last.effective_on,
        )
        == last
    )


_Planner = Callable[[Any, RegisterView, ChangeContext, _Checks], ChangePlan]

_PLANNERS: dict[type, _Planner] = {
    MoveIn: _plan_move_in,
    Birth: _plan_birth,
    ExOfficioEntry: _plan_ex_officio_entry,
    MoveOut: _plan_move_out,
    RecordMoveInNotice: _plan_move_in_notice,
    Death: _plan_death,
    ExOfficioRemoval: _plan_ex_officio_removal,
    InTownMove: _plan_in_town_move,
    HouseholdSplit: _plan_household_split,
    HouseholdMerge: _plan_household_merge,
    HouseholdChange: _plan_household_change,
    HeadChange: _plan_head_change,
    Correct: _plan_correct,
    Naturalise: _plan_naturalise,
    LoseNationality: _plan_lose_nationality,
    Reissue: _plan_reissue,
    Cancel: _plan_cancel,
}
