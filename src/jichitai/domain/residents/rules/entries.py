"""Entries (記載): 転入 (§4.1.1), 出生 (§4.2.1.2), 職権記載 (§4.2.1.1), and what every
person entering the register is checked for (identifiers, returning residents, 本籍 or foreign
items).
"""

from __future__ import annotations

from collections.abc import Sequence

from jichitai.domain.common.address import Address
from jichitai.domain.common.dates import RecordDate, format_wareki
from jichitai.domain.common.identifiers import AtenaNumber, HouseholdNumber
from jichitai.domain.errors import NotFound, Violation
from jichitai.domain.residents.commands import (
    Birth,
    ChangeHeader,
    ExOfficioEntry,
    MoveIn,
    NewPerson,
)
from jichitai.domain.residents.model import ResidentKind, ResidentRecord, ResidentStatus
from jichitai.domain.residents.reasons import ChangeReason
from jichitai.domain.residents.rules.checks import Checks
from jichitai.domain.residents.rules.dates import check_late_filing
from jichitai.domain.residents.rules.persons import (
    check_foreign_items,
    check_relationship,
    require_address,
    same_place,
)
from jichitai.domain.residents.view import (
    ChangeContext,
    ChangeKind,
    ChangePlan,
    Notice,
    RegisterView,
)


def plan_move_in(cmd: MoveIn, view: RegisterView, ctx: ChangeContext, checks: Checks) -> ChangePlan:
    """転入 (§4.1.1): new persons, or returning ones keeping their 宛名番号 (§4.1.1.2)."""
    reason = ChangeReason.MOVE_IN_FROM_ABROAD if cmd.from_abroad else ChangeReason.DOMESTIC_MOVE_IN
    if cmd.address.is_overseas:
        checks.error(
            "move_in.address_abroad", "転入先の住所は市区町村内の住所を入力してください", "address"
        )
    else:
        require_address(cmd.address, checks)
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
    check_late_filing(cmd.header, checks, "move_in")
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


def plan_birth(cmd: Birth, view: RegisterView, ctx: ChangeContext, checks: Checks) -> ChangePlan:
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
        require_address(address, checks)
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


def plan_ex_officio_entry(
    cmd: ExOfficioEntry, view: RegisterView, ctx: ChangeContext, checks: Checks
) -> ChangePlan:
    """職権記載 (§4.2.1.1 (800)), with the notice to the person (§4.2.0)."""
    require_address(cmd.address, checks)
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
    checks: Checks,
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
        if existing and not same_place(existing[0].address, address):
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


def _check_new_person(
    person: NewPerson, index: int, view: RegisterView, ctx: ChangeContext, checks: Checks
) -> ResidentRecord | None:
    """Rules for a person entering the register; returns a removed record to reuse, if any."""
    prefix = f"members[{index}]"
    check_relationship(person.relationship, f"{prefix}.relationship", checks)
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
            check_foreign_items(person.foreign, f"{prefix}.foreign", checks)
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
    person: NewPerson, prefix: str, view: RegisterView, checks: Checks
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
