"""What the change rules need to know about the register, and what they hand back.

The rules are pure: they read the register through ``RegisterView`` (implemented by the service
layer over a unit of work, and by an in-memory fake in tests) and return a ``ChangePlan``: the new
snapshots, the alerts that were acknowledged, and the notices to print. They never write.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Protocol

from jichitai.domain.common.dates import RecordDate
from jichitai.domain.common.identifiers import (
    AtenaNumber,
    HouseholdNumber,
    IndividualNumber,
    ResidenceCardNumber,
    ResidentCode,
)
from jichitai.domain.common.names import PersonName
from jichitai.domain.common.town_areas import TownAreaLookup
from jichitai.domain.errors import Violation
from jichitai.domain.residents.model import ResidentRecord, Sex
from jichitai.domain.residents.reasons import ChangeReason


class ChangeKind(StrEnum):
    """The kind of command that produced an event: finer than the standard's reason."""

    MOVE_IN = "move_in"
    BIRTH = "birth"
    IN_TOWN_MOVE = "in_town_move"
    MOVE_OUT = "move_out"
    MOVE_IN_NOTICE = "move_in_notice"
    DEATH = "death"
    EX_OFFICIO_ENTRY = "ex_officio_entry"
    EX_OFFICIO_REMOVAL = "ex_officio_removal"
    HOUSEHOLD_SPLIT = "household_split"
    HOUSEHOLD_MERGE = "household_merge"
    HOUSEHOLD_CHANGE = "household_change"
    HEAD_CHANGE = "head_change"
    CORRECTION = "correction"
    NATURALISATION = "naturalisation"
    LOSS_OF_NATIONALITY = "loss_of_nationality"
    REISSUE = "reissue"
    CANCELLATION = "cancellation"
    IMPORT = "import"  # data migration: a snapshot taken over from another system


class Notice(StrEnum):
    """Documents a change calls for (printed by later issues; recorded with the event now)."""

    HEAD_CHANGE_REQUEST = "head_change_request"  # 世帯主変更依頼通知書 (§4.0.5)
    EX_OFFICIO_ENTRY_NOTICE = "ex_officio_entry_notice"  # 職権記載等通知書 (§4.2.0)
    MOVE_OUT_CERTIFICATE = "move_out_certificate"  # 転出証明書 (§4.1.3.0.3)


@dataclass(frozen=True, slots=True)
class ChangeContext:
    """Facts from outside the command: the processing date (today) and the municipality."""

    today: date
    municipality_code: str
    municipality_name: str = ""
    town_areas: TownAreaLookup | None = None
    """The municipality's 町字 master; None when none is loaded (nothing is checked)."""


@dataclass(frozen=True, slots=True)
class EventRecord:
    """A recorded event as the cancellation rule needs it: what it did to whom."""

    event_id: str
    kind: ChangeKind
    reason: ChangeReason
    persons: tuple[tuple[str, int], ...]  # (宛名番号, first history number the event wrote)
    last_histories: tuple[tuple[str, int], ...]  # (宛名番号, last history number it wrote)


class RegisterView(Protocol):
    """Read access to one municipality's register, and the numbering it needs."""

    def current(self, atena_number: AtenaNumber) -> ResidentRecord | None:
        """The latest snapshot of a person, resident or removed."""

    def snapshot(self, atena_number: AtenaNumber, history_number: int) -> ResidentRecord | None:
        """One historical snapshot."""

    def household_residents(self, household_number: HouseholdNumber) -> Sequence[ResidentRecord]:
        """The current snapshots of the household's living members."""

    def household_pending_removals(
        self, household_number: HouseholdNumber, after: date
    ) -> Sequence[ResidentRecord]:
        """Members whose recorded removal (a planned 転出) takes effect only after ``after``:
        they live in the household until then."""

    def find_by_identifiers(
        self,
        individual_number: IndividualNumber | None,
        resident_code: ResidentCode | None,
        residence_card_number: ResidenceCardNumber | None,
    ) -> Sequence[ResidentRecord]:
        """Persons (live or removed) holding any of these identifiers."""

    def find_same_identity(
        self, name: PersonName, sex: Sex, birth_date: RecordDate
    ) -> Sequence[ResidentRecord]:
        """Persons, living or removed, with the same name, sex and birth date (3情報)."""

    def event(self, event_id: str) -> EventRecord | None:
        """A recorded event of this municipality."""

    def new_atena_number(self) -> AtenaNumber: ...

    def new_household_number(self) -> HouseholdNumber: ...

    def new_resident_code(self) -> ResidentCode: ...


@dataclass(frozen=True, slots=True)
class ChangePlan:
    """The outcome of applying a command: new snapshots, in the order they were made."""

    kind: ChangeKind
    reason: ChangeReason
    records: tuple[ResidentRecord, ...]
    alerts: tuple[Violation, ...] = ()
    notices: tuple[Notice, ...] = ()
    ex_officio: bool = False
    corrects_event_id: str | None = None
    households: tuple[str, ...] = ()

    @property
    def atena_numbers(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for record in self.records:
            seen.setdefault(record.atena_number.value, None)
        return tuple(seen)
