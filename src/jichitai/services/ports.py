"""Ports: what the services need from the outside world, as Protocols.

Adapters implement them (``jichitai.adapters``); ``tests/fakes.py`` has working in-memory
versions. A unit of work is opened for exactly one municipality: its repositories filter every
query by that municipality's code, and no method takes the code from a caller.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date, datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol, Self

from jichitai.domain.access.roles import Role
from jichitai.domain.access.suppression import Suppression
from jichitai.domain.common.identifiers import AtenaNumber, HouseholdNumber
from jichitai.domain.integration.destinations import IPAddress
from jichitai.domain.residents.model import ResidentRecord
from jichitai.domain.residents.view import RegisterView
from jichitai.domain.seals.events import SealEvent
from jichitai.domain.seals.registration import SealRegistration

if TYPE_CHECKING:  # repositories whose port lives beside its service, which imports this module
    from jichitai.services.audit import AccessLogRepository
    from jichitai.services.certificate_records import CertificateRepository
    from jichitai.services.integration import SubscriberRepository
    from jichitai.services.suppression import SuppressionRepository
    from jichitai.services.webhooks import OutboxRepository

GENESIS_HASH = "0" * 64
"""The 'previous hash' of a municipality's first journal entry (the chain's anchor)."""


class Clock(Protocol):
    """The only source of 'now' (aware UTC) and of 'today' (the municipality's date, JST)."""

    def now(self) -> datetime: ...

    def today(self) -> date: ...


class HostNotFound(Exception):
    """A host name that resolves to no address (or the resolver could not be asked)."""


class HostResolver(Protocol):
    """Host names to addresses, as the operating system's resolver (``getaddrinfo``) gives them.

    Webhook destinations are checked on the addresses, not the name; tests inject a resolver of
    their own, so that no test depends on DNS.
    """

    def resolve(self, host: str, port: int) -> Sequence[IPAddress]:
        """Every address ``host`` stands for (TCP); ``HostNotFound`` when there is none."""


class RandomSource(Protocol):
    """Random digits for 住民票コード (drawn at random, standard §4.3.1 (870)) and for the
    確認コード of a certificate (``/verify`` finds a copy by it, so it must not be guessable):
    the real source draws them from the operating system's secure generator; tests use a seeded
    one to replay a run."""

    def digits(self, count: int) -> str: ...


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

    def hidden_from_other_systems(self, atena_numbers: Sequence[str]) -> frozenset[str]:
        """Those of the persons whose current record carries 他業務参照不可フラグ."""

    def households_after(self, after: str | None, limit: int) -> Sequence[HouseholdRow]:
        """Households (with or without members) after a 世帯番号, in its order, at most ``limit``."""

    def suppressions_after(self, after: str | None, limit: int) -> Sequence[Suppression]:
        """Every suppression setting (lifted ones included) after a 措置ID (``suppression_id``),
        in its order, at most ``limit`` (a page of the data migration's export)."""


class RegisterJournal(RegisterView, Protocol):
    """One municipality's journal: what the change rules read, the chain head, the append and
    the feed."""

    def journal_head(self) -> tuple[int, str]:
        """The last sequence number and hash, locked until the unit of work ends."""

    def feed_head(self) -> int:
        """The last sequence number committed, without a lock (what a feed reader may see)."""

    def entry_by_idempotency_key(self, key: str) -> JournalEntry | None: ...

    def append(
        self,
        entry: JournalEntry,
        records: Sequence[tuple[ResidentRecord, str]],
        household_versions: dict[str, int | None],
    ) -> None:
        """Append the entry, its snapshots (record, JSON) and the projections, atomically.

        ``household_versions`` maps each household touched to the version the change was based
        on (None: the household is new); a mismatch raises ``ConflictError``.
        """

    def household_version(self, household_number: HouseholdNumber) -> int | None: ...

    def journal(self, after_seq: int = 0, limit: int | None = None) -> Sequence[JournalEntry]: ...

    def feed_entries(
        self, after_seq: int, limit: int
    ) -> Sequence[tuple[JournalEntry, Sequence[str]]]:
        """At most ``limit`` entries after ``after_seq`` in sequence order, each without its
        payload (``""``) but with the snapshots it wrote (canonical JSON, 履歴番号 order): what a
        feed needs, without parsing the commands."""


class DraftRepository(Protocol):
    """One municipality's drafts (仮登録)."""

    def add(self, draft: Draft) -> None: ...

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


class SealRepository(Protocol):
    """The municipality's 印鑑登録 (seal journal and registrations) within a unit of work."""

    def head(self) -> tuple[int, str]:
        """The seal journal's last (seq, hash), locked until the unit of work ends."""

    def new_registration_number(self) -> str: ...

    def append(
        self, event: SealEvent, registration: SealRegistration, image_png: bytes | None = None
    ) -> None:
        """The event, and the registration as it leaves it (a new one needs its image)."""

    def get(self, registration_number: str) -> SealRegistration | None: ...

    def active(self, atena_number: str) -> SealRegistration | None: ...

    def registrations(self, atena_number: str) -> Sequence[SealRegistration]:
        """Every registration the person ever had, newest first."""

    def image(self, registration_number: str) -> bytes | None: ...

    def events(
        self, *, registration_number: str | None = None, atena_number: str | None = None
    ) -> Sequence[SealEvent]: ...


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

    def add(self, municipality: Municipality) -> None: ...

    def get(self, code: str) -> Municipality | None: ...

    def all(self) -> Sequence[Municipality]: ...


# --- staff users ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StaffUser:
    """A staff user (職員) of one municipality, as stored.

    ``failed_attempts`` counts failed log-ins since the last success (for administrators to
    see); ``locked_until`` says until when log-ins for this ID were being refused from some
    address (throttled, ``services/login.py``). Neither blocks a log-in by itself: a lock that
    any stranger could set would let them shut a user out.
    """

    municipality_code: str
    login: str
    display_name: str
    roles: frozenset[Role]
    password_hash: str
    valid_from: date
    valid_until: date | None
    failed_attempts: int
    locked_until: datetime | None
    disabled: bool
    created_at: datetime
    updated_at: datetime


class UserRepository(Protocol):
    """One municipality's staff users within a unit of work (``UnitOfWork.users``); a login is
    unique within its municipality (two municipalities may each have a ``tanaka``)."""

    def add(self, user: StaffUser) -> None:
        """Raises ``ConflictError`` ``user.exists`` if the municipality already has the login."""

    def get(self, login: str) -> StaffUser | None: ...

    def update(self, user: StaffUser) -> None: ...

    def listed(self) -> Sequence[StaffUser]:
        """Every user of the municipality, by login."""


class StaffLogins(Protocol):
    """A login looked up in every municipality, outside any unit of work (a log-in that does
    not name its municipality)."""

    def with_login(self, login: str) -> Sequence[StaffUser]:
        """The users of that login in every municipality."""


class PasswordHasher(Protocol):
    """A memory-hard password hash (Argon2id in production)."""

    def hash(self, password: str) -> str: ...

    def verify(self, password_hash: str, password: str) -> bool: ...

    def needs_rehash(self, password_hash: str) -> bool: ...


@dataclass(frozen=True, slots=True)
class TokenClaims:
    """What a bearer token proves: who logged in, for which municipality, in which session."""

    login: str
    municipality_code: str
    session_id: str
    expires_at: datetime


class TokenCodec(Protocol):
    """Issues and reads bearer tokens; reading an invalid or expired one raises Unauthenticated."""

    def issue(self, login: str, municipality_code: str, session_id: str) -> tuple[str, datetime]:
        """A token for that session and when it expires."""

    def read(self, token: str) -> TokenClaims:
        """The claims of a valid, unexpired token naming a session; else ``Unauthenticated``."""

    def read_signed(self, token: str) -> TokenClaims | None:
        """The claims of a token this server signed, expired or not; None for anything else
        (the counter recognises its own user's expired session by it)."""


@dataclass(frozen=True, slots=True)
class StaffSession:
    """One log-in: the token (API bearer or counter cookie) names it by ``session_id``.

    A session ends by expiring (``expires_at``, the token's own expiry) or earlier, for the
    ``end_reason`` recorded with ``ended_at``: a log-out, a password change, or an
    administrator's change to the user.
    """

    municipality_code: str
    session_id: str
    login: str
    created_at: datetime
    expires_at: datetime
    ended_at: datetime | None = None
    end_reason: str | None = None

    def live_at(self, now: datetime) -> bool:
        return self.ended_at is None and now < self.expires_at


class SessionRepository(Protocol):
    """One municipality's staff sessions within a unit of work (``UnitOfWork.sessions``), read
    on every request (never cached: an ended session must be refused at once by every server
    process)."""

    def add(self, session: StaffSession) -> None: ...

    def get(self, session_id: str) -> StaffSession | None: ...

    def end(self, session_id: str, at: datetime, reason: str) -> bool:
        """End a live session; False if it had already ended or expired (or does not exist)."""

    def end_all(
        self, login: str, at: datetime, reason: str, *, keep: str | None = None
    ) -> Sequence[str]:
        """End every live session of the user but ``keep``; the ids of those ended."""

    def purge(self, login: str, expired_before: datetime) -> None:
        """Delete the user's sessions that expired before ``expired_before``, ended or not (the
        access log keeps the log-ins and log-outs; a row is needed only while a token naming it
        could still be presented, and a little longer for the counter's resume)."""
