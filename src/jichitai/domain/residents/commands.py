"""Commands: what staff ask the register to record (異動の入力).

Each command names the persons concerned and the facts of the change; the rules (``rules/``,
run by ``changes.plan_change``) turn it into new snapshots or refuse it. Every command carries
the same header (``ChangeHeader``): effective date (異動日), filing date (届出日), operator,
place and terminal (入力場所・入力端末, §1.3.1 (230)), notes (留意事項) and the alert codes the
operator has acknowledged. The processing date (処理日) is never an input: the standard forbids
entering any date but today (§4.0.3 (480), 【実装しない機能】), so the service takes it from the
clock.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from jichitai.domain.common.address import Address
from jichitai.domain.common.dates import RecordDate
from jichitai.domain.common.identifiers import (
    AtenaNumber,
    HouseholdNumber,
    IndividualNumber,
    ResidentCode,
)
from jichitai.domain.common.names import PersonName
from jichitai.domain.residents.model import (
    Coverage,
    FamilyRegister,
    ForeignResidentDetails,
    ResidentKind,
    Sex,
)
from jichitai.domain.residents.reasons import ChangeReason
from jichitai.domain.residents.relationships import Relationship


class NotifierKind(StrEnum):
    """Who filed the 届出 (届出人): the person concerned, the 世帯主, an agent or another."""

    SELF = "self"
    HEAD = "head"
    AGENT = "agent"
    OTHER = "other"

    @property
    def label(self) -> str:
        return _NOTIFIER_KINDS[self]


_NOTIFIER_KINDS: dict[NotifierKind, str] = {
    NotifierKind.SELF: "本人",
    NotifierKind.HEAD: "世帯主",
    NotifierKind.AGENT: "代理人",
    NotifierKind.OTHER: "その他",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Notifier:
    """届出人: who filed the 届出 (§4.1.0.3 (580): the 受理通知 names 届出人氏名), as written on
    the 住民異動届. Name, address and telephone are text as the notifier wrote them (an agent
    need not be a resident); ``relation`` is an agent's relation to the persons (委任, 親族 …)."""

    kind: NotifierKind = NotifierKind.SELF
    name: str = ""
    address: str = ""
    telephone: str = ""
    relation: str = ""


class IdentityDocument(StrEnum):
    """How the notifier's identity was checked at the counter (本人確認の方法)."""

    MY_NUMBER_CARD = "my_number_card"
    DRIVING_LICENCE = "driving_licence"
    PASSPORT = "passport"
    RESIDENCE_CARD = "residence_card"
    OTHER = "other"

    @property
    def label(self) -> str:
        return _IDENTITY_DOCUMENTS[self]


_IDENTITY_DOCUMENTS: dict[IdentityDocument, str] = {
    IdentityDocument.MY_NUMBER_CARD: "マイナンバーカード",
    IdentityDocument.DRIVING_LICENCE: "運転免許証",
    IdentityDocument.PASSPORT: "旅券",
    IdentityDocument.RESIDENCE_CARD: "在留カード",
    IdentityDocument.OTHER: "その他",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class IdentityCheck:
    """本人確認: the document shown, and a note (another document's name, a second one)."""

    document: IdentityDocument
    detail: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class ChangeHeader:
    """The facts every 異動 records besides its content (§1.2.1 (200))."""

    effective_on: date
    filed_on: date | None = None
    operator: str = ""
    place: str = ""
    terminal: str = ""
    notes: str = ""
    ex_officio: bool = False
    acknowledged_alerts: frozenset[str] = frozenset()
    expected_versions: Mapping[str, int] = field(default_factory=dict)
    """世帯番号 → the household's version the change was prepared against."""
    expected_histories: Mapping[str, int] = field(default_factory=dict)
    """宛名番号 → the person's 履歴番号 the change was prepared against."""
    notifier: Notifier | None = None
    """届出人, for a change filed by someone (None: not recorded, or 職権)."""
    identity_check: IdentityCheck | None = None
    """本人確認 of the notifier at the counter."""


@dataclass(frozen=True, slots=True, kw_only=True)
class NewPerson:
    """A person who becomes a resident by this change (転入, 出生, 職権記載)."""

    kind: ResidentKind
    name: PersonName
    birth_date: RecordDate
    sex: Sex
    relationship: Relationship
    family_register: FamilyRegister | None = None
    former_surname: PersonName | None = None
    individual_number: IndividualNumber | None = None
    resident_code: ResidentCode | None = None
    foreign: ForeignResidentDetails | None = None
    became_resident_on: RecordDate | None = None
    electoral_roll: bool = False
    coverages: tuple[Coverage, ...] = ()
    remarks: str = ""
    returning_as: AtenaNumber | None = None
    """A removed record (除票) the clerk chose as this person's: a returning resident (§4.1.1.2)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class MoveIn:
    """転入 (住民基本台帳法 第22条) and 国外転入等 / 第30条の46 arrival (§4.1.1, §4.5.1).

    ``household_number`` None: the movers form a new household (全部); otherwise they join that
    existing household (一部). A person found among the removed records by 個人番号, 住民票コード or
    在留カード番号 is a returning resident (再転入) and keeps the old 宛名番号 (§4.1.1.2 (600)).
    """

    header: ChangeHeader
    members: tuple[NewPerson, ...]
    address: Address
    previous_address: Address
    from_abroad: bool = False
    household_number: HouseholdNumber | None = None
    special: bool = False
    previous_address_unreported: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Birth:
    """出生 (§4.2.1.2 (810)): the child joins an existing household (or a new one)."""

    header: ChangeHeader
    child: NewPerson
    household_number: HouseholdNumber | None = None
    address: Address | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class InTownMove:
    """転居 (第23条, §4.1.2): persons move to another address in the municipality.

    Without ``household_number`` the movers keep their household if all its residents move, and
    form a new one otherwise (then ``new_head`` names its head).
    """

    header: ChangeHeader
    atena_numbers: tuple[AtenaNumber, ...]
    address: Address
    household_number: HouseholdNumber | None = None
    new_head: AtenaNumber | None = None
    relationships: Mapping[str, Relationship] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class MoveOut:
    """転出 (第24条, §4.1.3): filed before moving; the planned date may lie in the future."""

    header: ChangeHeader
    atena_numbers: tuple[AtenaNumber, ...]
    planned_on: date
    onward_address: Address
    abroad: bool = False
    special: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordMoveInNotice:
    """転入通知の受理 (§4.1.3.1.1 (680)): the new municipality's notice, kept beside the plan."""

    header: ChangeHeader
    atena_number: AtenaNumber
    notice_on: date
    confirmed_address: Address
    moved_in_on: date


@dataclass(frozen=True, slots=True, kw_only=True)
class Death:
    """死亡 (§4.2.2.1 (820)); the date of death may be unknown or a non-calendar date."""

    header: ChangeHeader
    atena_number: AtenaNumber
    died_on: RecordDate


@dataclass(frozen=True, slots=True, kw_only=True)
class ExOfficioEntry:
    """職権記載 (§4.2.1.1 (800)): e.g. address set after a fact-finding survey."""

    header: ChangeHeader
    members: tuple[NewPerson, ...]
    address: Address
    previous_address: Address | None = None
    household_number: HouseholdNumber | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ExOfficioRemoval:
    """職権消除 (§4.2.2 (820–830)): e.g. after a fact-finding survey or a 失踪 declaration."""

    header: ChangeHeader
    atena_numbers: tuple[AtenaNumber, ...]
    cause: str


@dataclass(frozen=True, slots=True, kw_only=True)
class HouseholdSplit:
    """世帯分離: members leave to form a new household at the same address (§4.1.4.1 (720))."""

    header: ChangeHeader
    atena_numbers: tuple[AtenaNumber, ...]
    new_head: AtenaNumber
    relationships: Mapping[str, Relationship] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class HouseholdMerge:
    """世帯合併: a whole household joins another at the same address."""

    header: ChangeHeader
    source_household: HouseholdNumber
    target_household: HouseholdNumber
    relationships: Mapping[str, Relationship] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class HouseholdChange:
    """世帯変更: some members move to another existing household at the same address."""

    header: ChangeHeader
    atena_numbers: tuple[AtenaNumber, ...]
    target_household: HouseholdNumber
    relationships: Mapping[str, Relationship] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class HeadChange:
    """世帯主変更, with the members' relationships set anew (§4.1.4.2 (730))."""

    header: ChangeHeader
    household_number: HouseholdNumber
    new_head: AtenaNumber
    relationships: Mapping[str, Relationship] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordChanges:
    """The items a correction changes; ``None`` leaves an item as it is.

    ``clear`` names optional items to empty (e.g. ``{"former_surname"}`` for 旧氏の削除).
    """

    name: PersonName | None = None
    birth_date: RecordDate | None = None
    sex: Sex | None = None
    family_register: FamilyRegister | None = None
    former_surname: PersonName | None = None
    individual_number: IndividualNumber | None = None
    resident_code: ResidentCode | None = None
    address: Address | None = None
    relationship: Relationship | None = None
    foreign: ForeignResidentDetails | None = None
    alias: PersonName | None = None
    electoral_roll: bool | None = None
    coverages: tuple[Coverage, ...] | None = None
    hidden_from_other_systems: bool | None = None
    display_order: int | None = None
    remarks: str | None = None
    memo: str | None = None
    clear: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True, kw_only=True)
class Correct:
    """A correction of one person's record under one 修正の事由 (§4.2.3, §4.3, §4.4, §1.1.7).

    ``reason`` must be of the correction group and fit the items changed: 誤記修正, 職権修正,
    軽微な修正, 個人番号/住民票コード changes, 旧氏 and 通称 entries. ``corrects_event_id`` points
    at the change being put right (誤記修正 never overwrites: it follows the wrong entry).
    """

    header: ChangeHeader
    atena_number: AtenaNumber
    reason: ChangeReason
    changes: RecordChanges
    corrects_event_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Naturalise:
    """帰化 (§4.5.3 (930)): the foreign record is removed and a Japanese one entered.

    The new record keeps 宛名番号, 住民票コード, 個人番号, address and birth date.
    """

    header: ChangeHeader
    atena_number: AtenaNumber
    name: PersonName
    family_register: FamilyRegister


@dataclass(frozen=True, slots=True, kw_only=True)
class LoseNationality:
    """国籍喪失 (§4.5.5 (950)): the Japanese record is removed and a foreign one entered."""

    header: ChangeHeader
    atena_number: AtenaNumber
    name: PersonName
    foreign: ForeignResidentDetails


@dataclass(frozen=True, slots=True, kw_only=True)
class Reissue:
    """改製 (§1.1.4 (40)) or 再製: the record is removed and entered again with the same items.

    改製 happens only when staff choose it (never automatically when history grows); the date is
    kept as the event's 異動日. 再製 (``remake=True``) re-creates a record that was lost or damaged.
    Both keep 宛名番号, so the old record's history stays readable behind the new one.
    """

    header: ChangeHeader
    atena_number: AtenaNumber
    remake: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Cancel:
    """異動の取消し (§4.6 (980)): appends snapshots restoring the state before an event.

    The kind follows from the cancelled event: a removal is cancelled by 異動の取消し(増), an
    entry by 異動の取消し(減), a correction by 異動の取消し(修正). ``atena_numbers`` limits the
    cancellation to some of the event's persons (一部).
    """

    header: ChangeHeader
    event_id: str
    atena_numbers: tuple[AtenaNumber, ...] = ()


ChangeCommand = (
    MoveIn
    | Birth
    | InTownMove
    | MoveOut
    | RecordMoveInNotice
    | Death
    | ExOfficioEntry
    | ExOfficioRemoval
    | HouseholdSplit
    | HouseholdMerge
    | HouseholdChange
    | HeadChange
    | Correct
    | Naturalise
    | LoseNationality
    | Reissue
    | Cancel
)
