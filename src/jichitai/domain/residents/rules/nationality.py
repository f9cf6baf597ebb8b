"""帰化 (§4.5.3 (930)) and 国籍喪失 (§4.5.5 (950)): the record is removed and entered
again as the other kind of resident, keeping 宛名番号 and identifiers.
"""

from __future__ import annotations

from jichitai.domain.common.dates import RecordDate
from jichitai.domain.residents.commands import LoseNationality, Naturalise
from jichitai.domain.residents.model import ResidentKind
from jichitai.domain.residents.reasons import ChangeReason
from jichitai.domain.residents.rules.checks import Checks
from jichitai.domain.residents.rules.persons import check_foreign_items, resident
from jichitai.domain.residents.rules.reissue import reenter
from jichitai.domain.residents.view import ChangeContext, ChangeKind, ChangePlan, RegisterView


def plan_naturalise(
    cmd: Naturalise, view: RegisterView, ctx: ChangeContext, checks: Checks
) -> ChangePlan:
    """帰化 (§4.5.3): foreign record removed, Japanese record entered, identifiers kept."""
    record = resident(view, cmd.atena_number, checks, "atena_number")
    if record.kind is not ResidentKind.FOREIGN:
        checks.error(
            "naturalise.not_foreign", "帰化は外国人住民についてのみ処理できます", "atena_number"
        )
    on = cmd.header.effective_on
    # §4.5.3 (930): 外国人住民となった年月日 is carried over as 住民となった年月日.
    became = record.foreign.became_foreign_resident_on if record.foreign else RecordDate.of(on)
    return reenter(
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


def plan_lose_nationality(
    cmd: LoseNationality, view: RegisterView, ctx: ChangeContext, checks: Checks
) -> ChangePlan:
    """国籍喪失 (§4.5.5): Japanese record removed, foreign record entered, identifiers kept."""
    record = resident(view, cmd.atena_number, checks, "atena_number")
    if record.kind is not ResidentKind.JAPANESE:
        checks.error(
            "lose_nationality.not_japanese",
            "国籍喪失は日本人住民についてのみ処理できます",
            "atena_number",
        )
    check_foreign_items(cmd.foreign, "foreign", checks)
    return reenter(
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
