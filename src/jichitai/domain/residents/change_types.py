"""Every kind of change (異動) the register records, each registered once.

A ``ChangeType`` holds what the domain knows of one kind of change: its command, the rules that
plan it (``rules/``), the ``ChangeKind`` its events are stored under, its one Japanese label,
and the two date rules that differ between kinds. Every list of change types is derived from
``CHANGE_TYPES``: the command types the decoders accept (``services/inbound.py``,
``services/register.py``), the planner ``plan_change`` runs, and the label the API, the counter
and the review screens show. The counter registers its own part (form, draft wording) against
these in ``entrypoints/web/changes_catalogue.py``.

The ``ChangeCommand`` union in ``commands.py`` is the static type of the same set; a test keeps
the two equal. ``docs/howto/add-a-change-type.md`` lists the steps to add one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final, Generic, TypeVar

from jichitai.domain.residents.commands import (
    Birth,
    Cancel,
    ChangeCommand,
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
    RecordMoveInNotice,
    Reissue,
)
from jichitai.domain.residents.rules.cancellation import plan_cancel
from jichitai.domain.residents.rules.checks import Checks
from jichitai.domain.residents.rules.corrections import plan_correct
from jichitai.domain.residents.rules.entries import (
    plan_birth,
    plan_ex_officio_entry,
    plan_move_in,
)
from jichitai.domain.residents.rules.households import (
    plan_head_change,
    plan_household_change,
    plan_household_merge,
    plan_household_split,
)
from jichitai.domain.residents.rules.moves import plan_in_town_move
from jichitai.domain.residents.rules.nationality import plan_lose_nationality, plan_naturalise
from jichitai.domain.residents.rules.reissue import plan_reissue
from jichitai.domain.residents.rules.removals import (
    plan_death,
    plan_ex_officio_removal,
    plan_move_in_notice,
    plan_move_out,
)
from jichitai.domain.residents.view import ChangeContext, ChangeKind, ChangePlan, RegisterView

C = TypeVar("C")


@dataclass(frozen=True, slots=True)
class ChangeType(Generic[C]):
    """One kind of change: its command, its rules, its stored kind and its label."""

    command: type[C]
    kind: ChangeKind
    """What its events are stored as (``journal.kind``): never change a registered value."""
    label: str
    """Its name in Japanese, the standard's wording: the one label every screen and answer shows."""
    planner: Callable[[C, RegisterView, ChangeContext, Checks], ChangePlan]
    """The rules that turn the command into new snapshots (``rules/``)."""
    effective_on_may_be_future: bool = False
    """Its 異動日 may lie after the processing date: only a 転出, filed before the move
    (§4.0.3 (480))."""
    supersedes_pending: bool = False
    """It may be dated before a planned 転出 not yet in effect, replacing or completing it (the
    move-out's cancellation, the 転入通知): ``timeline.check_not_before_latest``."""
    filed: bool = True
    """Its 届出日 is a filing date the records keep as 届出年月日 (§1.1.1, §1.1.2, §4.1.0.2): a
    届出 under 令第11条, or a 戸籍届出 (出生, 死亡, 帰化, 国籍喪失) whose date §4.2.0.4 (780) lets
    the register keep in the same item. Not a 職権 change, a 修正, a 転入通知 from another
    municipality, a 改製, or a 取消し (which restores what it cancels): ``changes.filed_and_touched``."""

    @property
    def name(self) -> str:
        """The command's name: the ``type`` of its JSON form, and a draft's stored kind."""
        return self.command.__name__


CHANGE_TYPES: Final[tuple[ChangeType[Any], ...]] = (
    ChangeType(MoveIn, ChangeKind.MOVE_IN, "転入", plan_move_in),
    ChangeType(Birth, ChangeKind.BIRTH, "出生", plan_birth),
    ChangeType(InTownMove, ChangeKind.IN_TOWN_MOVE, "転居", plan_in_town_move),
    ChangeType(
        MoveOut, ChangeKind.MOVE_OUT, "転出", plan_move_out, effective_on_may_be_future=True
    ),
    ChangeType(
        RecordMoveInNotice,
        ChangeKind.MOVE_IN_NOTICE,
        "転入通知の受理",
        plan_move_in_notice,
        supersedes_pending=True,
        filed=False,
    ),
    ChangeType(Death, ChangeKind.DEATH, "死亡", plan_death),
    ChangeType(
        ExOfficioEntry, ChangeKind.EX_OFFICIO_ENTRY, "職権記載", plan_ex_officio_entry, filed=False
    ),
    ChangeType(
        ExOfficioRemoval,
        ChangeKind.EX_OFFICIO_REMOVAL,
        "職権消除",
        plan_ex_officio_removal,
        filed=False,
    ),
    ChangeType(HouseholdSplit, ChangeKind.HOUSEHOLD_SPLIT, "世帯分離", plan_household_split),
    ChangeType(HouseholdMerge, ChangeKind.HOUSEHOLD_MERGE, "世帯合併", plan_household_merge),
    ChangeType(HouseholdChange, ChangeKind.HOUSEHOLD_CHANGE, "世帯変更", plan_household_change),
    ChangeType(HeadChange, ChangeKind.HEAD_CHANGE, "世帯主変更", plan_head_change),
    # §4.2.3.1 names the process 「修正」; the counter's 「修正（職権修正・誤記修正など）」 and the
    # review screens' 「記載事項の修正」 disagreed with each other and with it.
    ChangeType(Correct, ChangeKind.CORRECTION, "修正", plan_correct, filed=False),
    ChangeType(Naturalise, ChangeKind.NATURALISATION, "帰化", plan_naturalise),
    ChangeType(LoseNationality, ChangeKind.LOSS_OF_NATIONALITY, "国籍喪失", plan_lose_nationality),
    ChangeType(Reissue, ChangeKind.REISSUE, "改製・再製", plan_reissue, filed=False),
    ChangeType(
        Cancel,
        ChangeKind.CANCELLATION,
        "異動の取消し",
        plan_cancel,
        supersedes_pending=True,
        filed=False,
    ),
)
"""In the order of the ``ChangeCommand`` union (the order the API's refusals list them in)."""

COMMAND_TYPES: Final[tuple[type, ...]] = tuple(t.command for t in CHANGE_TYPES)
"""Every command class, for the decoders."""

_BY_COMMAND: Final[dict[type, ChangeType[Any]]] = {t.command: t for t in CHANGE_TYPES}
_BY_NAME: Final[dict[str, ChangeType[Any]]] = {t.name: t for t in CHANGE_TYPES}


def change_type_of(command: ChangeCommand) -> ChangeType[Any]:
    """The registration of a command's type."""
    return _BY_COMMAND[type(command)]


def change_type_for(command_type: type) -> ChangeType[Any]:
    """The registration of a command class (``KeyError`` if it is not a registered command)."""
    return _BY_COMMAND[command_type]


def change_type_named(name: str) -> ChangeType[Any] | None:
    """The registration of the command called ``name`` (a draft's stored kind), if any."""
    return _BY_NAME.get(name)
