"""Who a change is about, and the items every process checks alike: the persons named
(residents, not removed, not waiting for a planned 転出), the address, 続柄, a foreign
resident's items and whether two addresses are the same place.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from jichitai.domain.common.address import Address
from jichitai.domain.common.dates import format_wareki
from jichitai.domain.common.identifiers import AtenaNumber
from jichitai.domain.errors import InvalidValue, NotFound, Violation
from jichitai.domain.residents.model import (
    ForeignResidentCategory,
    ForeignResidentDetails,
    ResidentRecord,
    ResidentStatus,
)
from jichitai.domain.residents.relationships import Relationship
from jichitai.domain.residents.rules.checks import Checks
from jichitai.domain.residents.timeline import is_pending
from jichitai.domain.residents.view import RegisterView


def planned_move_out(record: ResidentRecord, field_name: str, checks: Checks) -> bool:
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


def resident(
    view: RegisterView, atena: AtenaNumber, checks: Checks, field_name: str
) -> ResidentRecord:
    """The current record of a person the change names, who must be a resident now."""
    record = view.current(atena)
    if record is None:
        raise NotFound(
            Violation(
                "person.not_found", f"宛名番号 {atena.value} の住民は登録されていません", field_name
            )
        )
    if not planned_move_out(record, field_name, checks) and not record.is_resident:
        checks.error(
            "person.not_resident",
            f"宛名番号 {atena.value} の方は既に消除されています（{record.status.label}）",
            field_name,
        )
    return record


def targets(
    atenas: Iterable[AtenaNumber], view: RegisterView, checks: Checks
) -> list[ResidentRecord]:
    """The residents a change names by 宛名番号: at least one, each once."""
    records = [resident(view, a, checks, "atena_numbers") for a in atenas]
    if not records:
        checks.error("change.no_persons", "異動者を1人以上選択してください", "atena_numbers")
    if len({r.atena_number.value for r in records}) != len(records):
        checks.error("change.duplicate_person", "同じ方が2回選択されています", "atena_numbers")
    return records


def require_address(address: Address, checks: Checks) -> None:
    """住所 is never blank (§1.1.6 (60)): an entry or a move needs at least the 市区町村."""
    if not address.city or address.is_unknown:
        checks.error(
            "address.required", "住所を入力してください（市区町村・町字・番地）", "address"
        )


def check_relationship(rel: Relationship, field_name: str, checks: Checks) -> None:
    """The whitelist of §1.1.11 (110), also for a ``Relationship`` built without ``parse``."""
    try:
        Relationship.parse(rel.text, field_name)
    except InvalidValue as refusal:
        for v in refusal.violations:
            checks.error(v.code, v.message, field_name)


def relationship_for(
    atena: str,
    relationships: Mapping[str, Relationship],
    checks: Checks,
    current: Relationship | None,
    *,
    name: str = "",
) -> Relationship:
    """The 続柄 a person takes in the household they join or stay in: the one entered, or the
    current one (``current``) where none was entered; never a second 世帯主. ``name`` (氏名)
    names the person in a refusal, with the 宛名番号."""
    rel = relationships.get(atena)
    if rel is None:
        if current is not None and not current.is_head:
            return current
        who = f"{name}（宛名番号 {atena}）" if name else f"宛名番号 {atena} の方"
        checks.error(
            "relationship.required",
            f"{who}の続柄を入力してください",
            f"relationships.{atena}",
        )
        return Relationship("同居人")
    check_relationship(rel, f"relationships.{atena}", checks)
    if rel.is_head:
        checks.error(
            "household.second_head",
            "世帯主は1人だけです。新しい世帯主以外の続柄を入力してください",
            f"relationships.{atena}",
        )
    return rel


def check_foreign_items(foreign: ForeignResidentDetails, prefix: str, checks: Checks) -> None:
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


def same_place(a: Address, b: Address) -> bool:
    """Same address ignoring 方書 (household changes never change the address, §4.1.4.1)."""
    return (a.prefecture, a.city, a.town_area, a.lot_text, a.country, a.overseas_text) == (
        b.prefecture,
        b.city,
        b.town_area,
        b.lot_text,
        b.country,
        b.overseas_text,
    )
