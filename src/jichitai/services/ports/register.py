"""Ports of the register: one municipality's journal, snapshots, projections and drafts, read
and written in a unit of work, and the list of tenants.

A unit of work is opened for exactly one municipality: its repositories (the register's here,
the others' in their areas' modules) filter every query by that municipality's code, and no
method takes the code from a caller. A use case runs in one (ADR 0012).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date, datetime
from types import TracebackType
from typing import Any, NamedTuple, Protocol, Self

from jichitai.domain.access.suppression import Suppression
from jichitai.domain.common.identifiers import AtenaNumber, HouseholdNumber
from jichitai.domain.errors import Violation
from jichitai.domain.residents.model import ResidentRecord
from jichitai.domain.residents.view import RegisterView
from jichitai.services.ports.addresses import TownAreaRepository
from jichitai.services.ports.audit import AccessLogRepository
from jichitai.services.ports.certificates import CertificateRepository
from jichitai.services.ports.integration import OutboxRepository, SubscriberRepository
from jichitai.services.ports.number_link import NumberLinkRepository
from jichitai.services.ports.seals import SealRepository
from jichitai.services.ports.staff import SessionRepository, UserRepository
from jichitai.services.ports.suppression import SuppressionRepository

GENESIS_HASH = "0" * 64
"""The 'previous hash' of a municipality's first journal entry (the chain's anchor)."""


@dataclass(frozen=True, slots=True)
class JournalEntry:
    """One appended 異動 as stored: the fields the hash chain covers, plus the chain itself."""

    seq: int
    event_id: str
    idempotency_key: str | None
    kind: str
    reason: str
    reason_group: str
    effective_on: date
    filed_on: date | None
    recorded_at: datetime
    operator: str
    place: str
    terminal: str
    notes: str
    ex_officio: bool
    corrects_event_id: str | None
    payload: str
    prev_hash: str
    entry_hash: str


class FeedEntry(NamedTuple):
    """A journal entry as the feed reads it (``feed_entries``)."""

    entry: JournalEntry
    snapshots: Sequence[str]
    """The snapshots it wrote (canonical JSON, 履歴番号 order)."""
    before: Sequence[str] = ()
    """The snapshot each of its persons had just before it (none for a person it entered):
    where they lived before, so the feed names the households they left."""


@dataclass(frozen=True, slots=True)
class Draft:
    """仮登録: a change entered but not yet approved; invisible to every reader of the register."""

    draft_id: str
    kind: str
    status: str
    command: str
    operator: str
    created_at: datetime
    updated_at: datetime
    event_id: str | None = None
    idempotency_key: str | None = None
    editors: tuple[str, ...] = ()
    """Everyone who entered or changed the draft, first to last: none of them may approve it."""
    number: int = 0
    """受付番号: the municipality's running number of its drafts, from 1, drawn when the draft is
    saved (a clerk reads it out; the ``draft_id`` stays the key). Shown with :func:`receipt_number`."""
    return_comment: str = ""
    """差戻し: the reviewer's comment when the draft was last sent back to its clerk."""
    return_reasons: tuple[Violation, ...] = ()
    """差戻し: why approving it was refused when it was sent back (none when its rules held)."""


RECEIPT_NUMBER_DIGITS = 6


def receipt_number(number: int) -> str:
    """A draft's 受付番号 as every door shows it: six digits at least (``000123``)."""
    return f"{number:0{RECEIPT_NUMBER_DIGITS}d}"


@dataclass(frozen=True, slots=True)
class SearchCriteria:
    """基本検索 (standard §2.1.3 (340)): any combination narrows the result."""

    kana_key: str = ""
    kanji_key: str = ""
    birth_on: date | None = None
    address_key: str = ""
    atena_number: str = ""
    household_number: str = ""
    individual_number: str = ""
    resident_code: str = ""
    residence_card_number: str = ""
    include_removed: bool = True
    living_on: date | None = None
    """With ``include_removed`` False: the day whose living residents are wanted (a planned
    転出 not yet due on it still counts as living); None counts recorded removals at once."""


@dataclass(frozen=True, slots=True)
class RegisterStats:
    """Counts for ``jichitai stats``."""

    persons: int
    residents: int
    households: int
    removed_records: int
    japanese: int
    foreign: int
    planned_move_outs: int
    events: int
    events_by_reason: dict[str, int]


class ImportedSnapshot(NamedTuple):
    """One snapshot of a data migration, checked and ready to write (see ``import_snapshots``).

    Plain values only, so a worker process can prepare it and hand it over cheaply (pickling a
    whole :class:`ResidentRecord` costs more than decoding it).
    """

    atena_number: str
    history_number: int
    household_number: str
    effective_on: date
    filed_on: date | None
    reason: str
    reason_group: str
    status: str
    text: str
    """The snapshot as canonical JSON (``canonical_text``)."""
    projection: Mapping[str, Any] | None
    """Its projection row when it is the person's last snapshot (最新フラグ), else ``None``."""


@dataclass(frozen=True, slots=True)
class HouseholdRow:
    """A household as the projection keeps it (the data migration's 世帯 file)."""

    household_number: str
    member_count: int
    address_text: str = ""
    head_atena_number: str | None = None


class RegisterReadModel(Protocol):
    """The read side of one municipality's register (may read projections directly)."""

    def current(self, atena_number: AtenaNumber) -> ResidentRecord | None:
        """The person's latest snapshot, even one not yet in effect; None if never entered."""

    def current_of(self, atena_numbers: Sequence[AtenaNumber]) -> Sequence[ResidentRecord]:
        """``current`` of several persons in one read, by 宛名番号 (those never entered left
        out)."""

    def household_residents(self, household_number: HouseholdNumber) -> Sequence[ResidentRecord]:
        """The household's members whose latest snapshot is a resident's."""

    def household_version(self, household_number: HouseholdNumber) -> int | None: ...

    def search(self, criteria: SearchCriteria, limit: int = 50) -> Sequence[ResidentRecord]: ...

    def snapshot_on(self, atena_number: AtenaNumber, on: date) -> ResidentRecord | None:
        """The snapshot in effect on ``on`` (``domain/residents/timeline.py``), if any."""

    def household_pending_removals(
        self, household_number: HouseholdNumber, after: date
    ) -> Sequence[ResidentRecord]:
        """Members whose recorded removal takes effect only after ``after``."""

    def history(self, atena_number: AtenaNumber) -> Sequence[ResidentRecord]: ...

    def history_events(self, atena_number: AtenaNumber) -> Sequence[tuple[int, str]]:
        """(履歴番号, the event that wrote it) of each of the person's snapshots, 1 first."""

    def stats(self, on: date) -> RegisterStats:
        """Counts as they stand on a date (a planned move-out is a resident until its date)."""

    def first_address(self, low: str, high: str) -> tuple[str, str] | None:
        """The smallest address search key of a living resident in ``[low, high)`` and its
        address text; None if there is none (町字 completion walks the index with it)."""

    def snapshots_after(
        self, after: tuple[str, int] | None, limit: int
    ) -> Sequence[ResidentRecord]:
        """Every snapshot of every person (live and removed) after ``(宛名番号, 履歴番号)``, in
        that order, at most ``limit`` (a page of the data migration's export)."""

    def latest_snapshots_after(
        self, after: str | None, limit: int, *, include_removed: bool = True, on: date
    ) -> Sequence[str]:
        """Each person's snapshot in effect ``on`` (canonical JSON; a planned 転出 not yet due
        gives the one before it), by 宛名番号 after ``after``, at most ``limit``; without
        removed records (除票) unless ``include_removed`` (a full extract)."""

    def household_members_ever(self, household_number: HouseholdNumber) -> Sequence[str]:
        """The 宛名番号 of every person with a snapshot in the household at any time."""

    def hidden_from_other_systems(self, atena_numbers: Sequence[str]) -> frozenset[str]:
        """Those of the persons whose current record carries 他業務参照不可フラグ."""

    def hidden_atena_numbers(self) -> frozenset[str]:
        """Every person whose current record carries 他業務参照不可フラグ."""

    def atena_numbers_by_code(self, resident_codes: Sequence[str]) -> dict[str, str]:
        """住民票コード → 宛名番号 of the persons (live or removed) recorded with these codes;
        codes nobody here holds are left out (the access log names persons a list shows)."""

    def households_after(self, after: str | None, limit: int) -> Sequence[HouseholdRow]:
        """Households (with or without members) after a 世帯番号, in its order, at most ``limit``."""

    def suppressions_after(self, after: str | None, limit: int) -> Sequence[Suppression]:
        """Every suppression setting (lifted ones included) after a 措置ID (``suppression_id``),
        in its order, at most ``limit`` (a page of the data migration's export)."""


class RegisterJournal(RegisterView, Protocol):
    """One municipality's journal: what the change rules read, the chain head, the append and
    the feed."""

    def sealed(self, text: str) -> str:
        """``text`` (JSON) as the storage keeps it: each ``individual_number`` member sealed
        (ADR 0015). A snapshot or payload is sealed before it is hashed into the chain."""
        ...

    def journal_head(self) -> tuple[int, str]:
        """The last sequence number and hash, locked until the unit of work ends."""

    def feed_head(self) -> int:
        """The last sequence number committed, without a lock (what a feed reader may see)."""

    def entry_by_idempotency_key(self, key: str) -> JournalEntry | None: ...

    def entry(self, event_id: str) -> JournalEntry | None:
        """The entry of a recorded change by its event id (notices read it)."""

    def append(
        self,
        entry: JournalEntry,
        records: Sequence[tuple[ResidentRecord, str]],
        household_versions: dict[str, int | None],
        *,
        planned: bool = False,
    ) -> None:
        """Append the entry, its snapshots (record, JSON) and the projections, atomically.

        ``household_versions`` maps each household touched to the version the change was based
        on (None: the household is new); a mismatch raises ``ConflictError``.
        """

    def household_version(self, household_number: HouseholdNumber) -> int | None: ...

    def journal(self, after_seq: int = 0, limit: int | None = None) -> Sequence[JournalEntry]: ...

    def feed_entries(self, after_seq: int, limit: int) -> Sequence[FeedEntry]:
        """At most ``limit`` entries after ``after_seq`` in sequence order, each without its
        payload (``""``) but with the snapshots it wrote and those they followed: what a feed
        needs, without parsing the commands."""

    def planned_in(self, first_seq: int, last_seq: int) -> dict[int, int | None]:
        """Entries among ``first_seq``..``last_seq`` recorded before their 異動日 (``planned``
        when appended), each with the seq of its ``took_effect`` entry (None: its day has not
        been told yet; 0: nothing of it held on the day)."""

    def due_planned(self, on: date) -> Sequence[int]:
        """Planned entries dated on or before ``on`` whose day has not been told, in date order."""

    def anything_due(self, on: date) -> bool:
        """Anything for the dates step to tell on ``on``, in one read: a planned entry whose day
        has come and not been told (``due_planned``), or a setting guarding the feed made in
        advance whose day has come and not been told (``SuppressionRepository.due_feed``)."""

    def holding_persons(self, seq: int) -> Sequence[str]:
        """The persons whose snapshot written by entry ``seq`` still holds on its 異動日."""

    def mark_took_effect(self, seq: int, took_effect_seq: int) -> None:
        """Record that the planned entry ``seq`` was told by ``took_effect_seq`` (0: nothing)."""


class DraftRepository(Protocol):
    """One municipality's drafts (仮登録)."""

    def add(self, draft: Draft) -> None: ...

    def next_number(self) -> int:
        """The next 受付番号 (from 1), held until the unit of work ends (none is handed out twice)."""
        ...

    def get(self, draft_id: str) -> Draft | None:
        """The draft, locked until the unit of work ends (approve and discard must not race)."""

    def by_idempotency_key(self, key: str) -> Draft | None: ...

    def update(self, draft: Draft) -> None: ...

    def listed(self, status: str | None = "pending") -> Sequence[Draft]:
        """The drafts in that status (every draft with None), oldest first."""


class RegisterImport(Protocol):
    """The data migration's writes into one municipality's register."""

    def has_persons(self) -> bool:
        """Whether the municipality holds any person (live or removed)."""

    def import_snapshots(
        self,
        entries: Sequence[tuple[JournalEntry, ImportedSnapshot]],
        latest: Sequence[Mapping[str, Any]],
    ) -> None:
        """Append entries (one snapshot each) and write ``latest`` (each person's last
        snapshot, as made by :meth:`projection_encoder`) to the projection. The chain head
        moves to the last entry."""

    def projection_encoder(self) -> Callable[[ResidentRecord], Mapping[str, Any]]:
        """The function making a snapshot's projection row for :meth:`import_snapshots`.

        It holds no connection and can be pickled: the data migration calls it in worker
        processes, next to the checks of each row.
        """

    def import_households(self, households: Sequence[HouseholdRow]) -> None:
        """The households as the source register had them (version 1)."""

    def import_suppressions(self, settings: Sequence[Suppression]) -> None:
        """Suppression settings (抑止・支援措置) as the source had them, lifted ones included,
        into this municipality's ``suppressions`` within this unit of work (so they are
        committed, or rolled back, with the residents). Each setting must name this unit of
        work's municipality."""

    def advance_sequences(self, atena_serial: int, household_serial: int) -> None:
        """Make the next 宛名番号 and 世帯番号 drawn follow the given serials (never go back)."""

    def bulk_import(self) -> AbstractContextManager[None]:
        """The connection set for one long bulk write while it lasts (the adapter decides how;
        settings come back afterwards)."""

    def live_duplicates(self) -> Sequence[tuple[str, Sequence[str]]]:
        """(column, 宛名番号s) for each 個人番号 (``individual_number``), 住民票コード
        (``resident_code``) or 在留カード番号 (``residence_card_number``) that more than one
        living resident of this municipality holds (data migration check)."""

    def next_serials(self) -> tuple[int, int]:
        """The serials the next 宛名番号 and 世帯番号 would get (without drawing them)."""


class UnitOfWork(Protocol):
    """One transaction on one municipality's data; leaving without ``commit`` rolls back.

    A use case runs in one: its action, its journal and outbox rows and its access-log entry
    commit together or not at all (ADR 0012).
    """

    @property
    def municipality_code(self) -> str:
        """The municipality the unit of work was opened for."""

    @property
    def municipality_name(self) -> str:
        """Its name, as registered (read when the unit of work was opened)."""

    @property
    def journal(self) -> RegisterJournal:
        """The municipality's journal (and the rules' view of the register)."""

    @property
    def drafts(self) -> DraftRepository: ...

    @property
    def read_model(self) -> RegisterReadModel: ...

    @property
    def imports(self) -> RegisterImport:
        """The data migration's writes."""

    @property
    def seals(self) -> SealRepository:
        """The municipality's 印鑑登録, in the same transaction."""

    @property
    def access_log(self) -> AccessLogRepository:
        """The municipality's access log: an entry commits with what it records."""

    @property
    def suppressions(self) -> SuppressionRepository:
        """The municipality's suppression settings (抑止・支援措置)."""

    @property
    def certificates(self) -> CertificateRepository:
        """The municipality's certificate issue history and copy numbers."""

    @property
    def users(self) -> UserRepository:
        """The municipality's staff users."""

    @property
    def sessions(self) -> SessionRepository:
        """The municipality's staff sessions (log-ins)."""

    @property
    def subscribers(self) -> SubscriberRepository:
        """The business systems registered with the municipality."""

    @property
    def outbox(self) -> OutboxRepository:
        """The municipality's webhook outbox."""

    @property
    def town_areas(self) -> TownAreaRepository:
        """The municipality's 町字 master (ADR 0013)."""

    @property
    def number_link(self) -> NumberLinkRepository:
        """The stock of free 住民票コード from the CS and the 番号連携 records (§7.1.2)."""

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def commit(self) -> None: ...

    def savepoint(self) -> AbstractContextManager[None]:
        """A nested transaction: an exception inside rolls back only what it wrote."""

    def trial(self) -> AbstractContextManager[None]:
        """A nested transaction always rolled back: a check that draws numbers (planning a
        change) leaves nothing behind, and the use case goes on in the same transaction."""


@dataclass(frozen=True, slots=True)
class Municipality:
    """A tenant: a 地方公共団体 and its name."""

    code: str
    name: str
    created_at: datetime


class MunicipalityDirectory(Protocol):
    """The list of tenants, outside any one tenant's data."""

    def add(self, municipality: Municipality, shard: str | None = None) -> None:
        """Adds ``municipality`` on ``shard`` (None: where the deployment keeps new ones)."""
        ...

    def get(self, code: str) -> Municipality | None: ...

    def all(self) -> Sequence[Municipality]: ...


# --- staff users ----------------------------------------------------------------------------
