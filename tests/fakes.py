"""Working in-memory stand-ins for the register, for unit tests of the change rules.

``FakeRegister`` implements ``RegisterView`` (``jichitai.domain.residents.view``) over plain dicts
and can ``apply`` a ``ChangePlan`` the way the service appends one: every snapshot is kept under
(宛名番号, 履歴番号), the highest 履歴番号 of a person is their current record, and the event is
remembered with the first and last history number it wrote per person (what cancellation needs).
It is real code, not a mock: it refuses a plan whose history numbers do not follow on.
"""

from __future__ import annotations

import base64
import copy
import random
import threading
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from ipaddress import ip_address

from jichitai.domain.common.dates import RecordDate
from jichitai.domain.common.identifiers import (
    AtenaNumber,
    HouseholdNumber,
    IndividualNumber,
    ResidenceCardNumber,
    ResidentCode,
)
from jichitai.domain.common.names import PersonName
from jichitai.domain.errors import DomainError, NotFound, Severity, Violation
from jichitai.domain.integration.destinations import IPAddress
from jichitai.domain.residents.changes import plan_change
from jichitai.domain.residents.commands import ChangeCommand
from jichitai.domain.residents.model import ResidentRecord, Sex
from jichitai.domain.residents.view import ChangeContext, ChangePlan, EventRecord
from jichitai.services.audit import (
    AccessEntry,
    AccessLog,
    AccessSearch,
    Operation,
    Outcome,
    UserActivity,
)
from jichitai.services.ports import GENESIS_HASH, HostNotFound, PasswordHasher

TODAY = date(2026, 11, 26)
NOW = datetime(2026, 11, 26, 1, 23, 45, 678901, tzinfo=UTC)
MUNICIPALITY_CODE = "131016"
MUNICIPALITY_NAME = "千代田区"


class FakeRegister:
    """One municipality's register in memory: snapshots, current records, events, numbering."""

    def __init__(self) -> None:
        self.snapshots: dict[tuple[str, int], ResidentRecord] = {}
        self.currents: dict[str, ResidentRecord] = {}
        self.events: dict[str, EventRecord] = {}
        self.plans: dict[str, ChangePlan] = {}
        self.event_ids: list[str] = []
        self._atena_serial = 0
        self._household_serial = 0
        self._code_serial = 0

    # --- RegisterView --------------------------------------------------------------------------

    def current(self, atena_number: AtenaNumber) -> ResidentRecord | None:
        return self.currents.get(atena_number.value)

    def snapshot(self, atena_number: AtenaNumber, history_number: int) -> ResidentRecord | None:
        return self.snapshots.get((atena_number.value, history_number))

    def household_residents(self, household_number: HouseholdNumber) -> Sequence[ResidentRecord]:
        return [
            record
            for _, record in sorted(self.currents.items())
            if record.household_number == household_number and record.is_resident
        ]

    def household_pending_removals(
        self, household_number: HouseholdNumber, after: date
    ) -> Sequence[ResidentRecord]:
        return [
            record
            for _, record in sorted(self.currents.items())
            if record.household_number == household_number
            and not record.is_resident
            and record.removed_on is not None
            and record.removed_on > after
        ]

    def find_by_identifiers(
        self,
        individual_number: IndividualNumber | None,
        resident_code: ResidentCode | None,
        residence_card_number: ResidenceCardNumber | None,
    ) -> Sequence[ResidentRecord]:
        found: list[ResidentRecord] = []
        for _, record in sorted(self.currents.items()):
            card = record.foreign.residence_card_number if record.foreign else None
            if (
                (individual_number is not None and record.individual_number == individual_number)
                or (resident_code is not None and record.resident_code == resident_code)
                or (residence_card_number is not None and card == residence_card_number)
            ):
                found.append(record)
        return found

    def find_same_identity(
        self, name: PersonName, sex: Sex, birth_date: RecordDate
    ) -> Sequence[ResidentRecord]:
        return [
            record
            for _, record in sorted(self.currents.items())
            if record.name.kanji_key == name.kanji_key
            and record.sex is sex
            and record.birth_date == birth_date
        ]

    def event(self, event_id: str) -> EventRecord | None:
        return self.events.get(event_id)

    def new_atena_number(self) -> AtenaNumber:
        self._atena_serial += 1
        return AtenaNumber.from_serial(self._atena_serial)

    def new_household_number(self) -> HouseholdNumber:
        self._household_serial += 1
        return HouseholdNumber.from_serial(self._household_serial)

    def new_resident_code(self) -> ResidentCode:
        self._code_serial += 1
        return ResidentCode.from_random_digits(f"{3_000_000_000 + self._code_serial:010d}")

    # --- writing ---------------------------------------------------------------------------------

    def apply(self, plan: ChangePlan, event_id: str) -> None:
        """Append the plan's snapshots as one event; refuse a history number out of sequence."""
        if event_id in self.events:
            raise ValueError(f"event {event_id} is already recorded")
        firsts: dict[str, int] = {}
        lasts: dict[str, int] = {}
        latest = {atena: record.history_number for atena, record in self.currents.items()}
        for record in plan.records:
            atena = record.atena_number.value
            expected = latest.get(atena, 0) + 1
            if record.history_number != expected:
                raise ValueError(
                    f"{atena}: history {record.history_number} written, {expected} expected"
                )
            latest[atena] = record.history_number
            firsts.setdefault(atena, record.history_number)
            lasts[atena] = record.history_number
        for record in plan.records:
            self.snapshots[(record.atena_number.value, record.history_number)] = record
            self.currents[record.atena_number.value] = record
        self.events[event_id] = EventRecord(
            event_id=event_id,
            kind=plan.kind,
            reason=plan.reason,
            persons=tuple(firsts.items()),
            last_histories=tuple(lasts.items()),
        )
        self.plans[event_id] = plan
        self.event_ids.append(event_id)

    # --- reading helpers for tests ---------------------------------------------------------------

    @property
    def last_event_id(self) -> str:
        return self.event_ids[-1]

    def history(self, atena_number: AtenaNumber) -> list[ResidentRecord]:
        """Every snapshot of a person, oldest first."""
        return [
            record
            for (atena, _), record in sorted(self.snapshots.items())
            if atena == atena_number.value
        ]

    def now(self, atena_number: AtenaNumber) -> ResidentRecord:
        """The current snapshot, which must exist."""
        record = self.current(atena_number)
        if record is None:
            raise KeyError(atena_number.value)
        return record


def context(today: date = TODAY) -> ChangeContext:
    return ChangeContext(
        today=today, municipality_code=MUNICIPALITY_CODE, municipality_name=MUNICIPALITY_NAME
    )


def record(fake: FakeRegister, command: ChangeCommand, today: date = TODAY) -> ChangePlan:
    """Plan the command against the fake (refusals raise) and apply it as the next event."""
    plan = plan_change(command, fake, context(today))
    fake.apply(plan, f"ev{len(fake.event_ids) + 1:04d}")
    return plan


def refused(fake: FakeRegister, command: ChangeCommand, today: date = TODAY) -> DomainError:
    """Plan the command, expecting a refusal; check that nothing was applied and return it."""
    before = (dict(fake.snapshots), dict(fake.currents), dict(fake.events))
    try:
        record(fake, command, today)
    except DomainError as refusal:
        assert (fake.snapshots, fake.currents, fake.events) == before, "a refusal wrote records"
        return refusal
    raise AssertionError(f"{type(command).__name__} was accepted, a refusal was expected")


def violation(
    refusal: DomainError, code: str, field: str | None = None, severity: Severity | None = None
) -> Violation:
    """The refusal's violation with this code; its field (if given) and severity must match and
    its message must be Japanese text."""
    found = [v for v in refusal.violations if v.code == code]
    codes = [v.code for v in refusal.violations]
    assert found, f"{code} not among {codes}"
    v = found[0]
    if field is not None:
        assert v.field == field, f"{code}: field {v.field!r}, expected {field!r}"
    if severity is not None:
        assert v.severity is severity, f"{code}: {v.severity}, expected {severity}"
    assert v.message.strip(), f"{code}: empty message"
    assert any("\u3040" <= ch <= "\u30ff" or "\u4e00" <= ch <= "\u9fff" for ch in v.message), (
        f"{code}: message not in Japanese: {v.message!r}"
    )
    return v


class FixedClock:
    """The ``Clock`` port, stopped where the test sets it (``at`` and ``day`` may be changed)."""

    def __init__(self, now: datetime = NOW, today: date = TODAY) -> None:
        self.at = now
        self.day = today

    def now(self) -> datetime:
        return self.at

    def today(self) -> date:
        return self.day


class SeededRandom:
    """The ``RandomSource`` port from a seed (so a failing run can be replayed); several threads
    may share it."""

    def __init__(self, seed: int) -> None:
        self._rng = random.Random(seed)
        self._lock = threading.Lock()

    def digits(self, count: int) -> str:
        with self._lock:
            return "".join(str(self._rng.randrange(10)) for _ in range(count))


class SeededIds:
    """The ``IdSource`` port from a seed (so a run's ids and tokens can be replayed); several
    threads may share it. Applications sharing a database need different seeds: their ids must
    not meet."""

    def __init__(self, seed: int) -> None:
        self._rng = random.Random(seed)
        self._lock = threading.Lock()

    def bits(self, count: int) -> int:
        with self._lock:
            return self._rng.getrandbits(count)

    def token(self, nbytes: int) -> str:
        with self._lock:
            data = self._rng.randbytes(nbytes)
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


class FakeResolver:
    """The ``HostResolver`` port over a table the test sets, and may change between deliveries
    (DNS rebinding), so that no test depends on DNS. A name not in the table does not resolve;
    every lookup is counted."""

    def __init__(self, names: Mapping[str, Sequence[str]] | None = None) -> None:
        self.names: dict[str, Sequence[str]] = dict(names or {})
        self.lookups: list[str] = []

    def resolve(self, host: str, port: int) -> Sequence[IPAddress]:
        self.lookups.append(host)
        answers = self.names.get(host)
        if not answers:
            raise HostNotFound(host)
        return [ip_address(a) for a in answers]


class CountingHasher:
    """The ``PasswordHasher`` port around a real one, counting every hash and verification.

    ``hold()`` makes the next verifications wait (in the server's thread) until ``release()``:
    with ``entered`` a test knows a verification is under way and can fill the server's bound on
    concurrent hashing without sleeping.
    """

    def __init__(self, inner: PasswordHasher) -> None:
        self.inner = inner
        self.hashed = 0
        self.verified = 0
        self.entered = threading.Event()
        self._gate: threading.Event | None = None
        self._lock = threading.Lock()

    def hash(self, password: str) -> str:
        with self._lock:
            self.hashed += 1
        return self.inner.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        with self._lock:
            self.verified += 1
            gate = self._gate
        self.entered.set()
        if gate is not None:
            gate.wait(timeout=60)  # a safety net for a broken test, never reached when it passes
        return self.inner.verify(password_hash, password)

    def needs_rehash(self, password_hash: str) -> bool:
        return self.inner.needs_rehash(password_hash)

    def hold(self) -> None:
        with self._lock:
            self._gate = threading.Event()
            self.entered.clear()

    def release(self) -> None:
        with self._lock:
            gate, self._gate = self._gate, None
        if gate is not None:
            gate.set()


class MemoryUnitOfWork:
    """The ``UnitOfWork`` port over in-memory stores, for tests of the services.

    Each store keeps the data of every municipality and gives one municipality's repository
    with ``of(code)``; the unit of work names its repositories after the stores
    (``uow.access_log`` is ``stores["access_log"].of(code)``). Like the SQL one it is all or
    nothing: the stores' data is copied on entry and put back unless ``commit`` was called; and
    one unit of work runs at a time (as SQLite's write transactions do).
    """

    def __init__(
        self,
        municipality_code: str,
        stores: Mapping[str, object],
        known: Collection[str],
        lock: threading.RLock,
    ) -> None:
        self._code = municipality_code
        self._stores = stores
        self._known = known
        self._lock = lock
        self._saved: dict[str, dict[str, object]] | None = None
        self.commits = 0

    def __enter__(self) -> MemoryUnitOfWork:
        if self._code not in self._known:
            raise NotFound(
                Violation("municipality.not_found", f"団体 {self._code} はありません", "code")
            )
        self._lock.acquire()
        self._saved = self._state()
        return self

    def _state(self) -> dict[str, dict[str, object]]:
        """A copy of every store's data; a store's ``outside_transactions`` (counters a test
        reads) are not part of it."""
        return {
            name: {
                key: copy.deepcopy(value)
                for key, value in vars(store).items()
                if key not in getattr(store, "outside_transactions", ())
            }
            for name, store in self._stores.items()
        }

    def __exit__(self, *exc: object) -> None:
        try:
            if self._saved is not None:  # not committed: every store as it was
                for name, saved in self._saved.items():
                    vars(self._stores[name]).update(saved)
        finally:
            self._saved = None
            self._lock.release()

    @property
    def municipality_code(self) -> str:
        return self._code

    @property
    def municipality_name(self) -> str:
        return MUNICIPALITY_NAME if self._code == MUNICIPALITY_CODE else f"団体{self._code}"

    def commit(self) -> None:
        assert self._saved is not None, "not open"
        self._saved = self._state()
        self.commits += 1

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        saved = self._state()
        try:
            yield
        except BaseException:
            for name, state in saved.items():
                vars(self._stores[name]).update(state)
            raise

    def __getattr__(self, name: str) -> object:
        stores = self.__dict__.get("_stores", {})
        if name not in stores:
            raise AttributeError(name)
        assert self.__dict__.get("_saved") is not None, "the unit of work is not open"
        return stores[name].of(self.__dict__["_code"])


def memory_units(known: Collection[str], **stores: object) -> Callable[[str], MemoryUnitOfWork]:
    """``uow_for`` over the stores, for the municipalities ``known``."""
    lock = threading.RLock()
    return lambda code: MemoryUnitOfWork(code, stores, known, lock)


class MemoryAccessLogStore:
    """The access log of any number of municipalities in memory; ``of(code)`` is one
    municipality's ``AccessLogRepository`` (what a unit of work hands out)."""

    def __init__(self, *codes: str) -> None:
        self.rows: dict[str, list[AccessEntry]] = {code: [] for code in codes}
        self.persons: dict[str, list[tuple[int, str]]] = {code: [] for code in codes}
        self.heads: dict[str, tuple[int, str]] = dict.fromkeys(codes, (0, GENESIS_HASH))

    def of(self, code: str) -> MemoryAccessLog:
        return MemoryAccessLog(self, code)


class MemoryAccessLog:
    """``AccessLogRepository`` of one municipality over the store."""

    def __init__(self, store: MemoryAccessLogStore, code: str) -> None:
        self.store = store
        self.code = code

    def append(self, build: Callable[[int, str], AccessEntry]) -> AccessEntry:
        store, code = self.store, self.code
        last_seq, last_hash = store.heads[code]
        entry = build(last_seq + 1, last_hash)
        assert (entry.municipality_code, entry.seq, entry.prev_hash) == (
            code,
            last_seq + 1,
            last_hash,
        )
        store.rows[code].append(entry)
        store.persons[code] += [(entry.seq, a) for a in entry.atena_numbers]
        store.heads[code] = (entry.seq, entry.entry_hash)
        return entry

    def head(self) -> tuple[int, str]:
        return self.store.heads[self.code]

    def entries(self, after_seq: int = 0, limit: int | None = None) -> Sequence[AccessEntry]:
        found = [e for e in self.store.rows[self.code] if e.seq > after_seq]
        return found[:limit] if limit is not None else found

    def indexed_persons(self, after_seq: int, through_seq: int) -> Sequence[tuple[int, str]]:
        return sorted(p for p in self.store.persons[self.code] if after_seq < p[0] <= through_seq)

    def search(
        self, query: AccessSearch, *, before_seq: int | None = None, limit: int
    ) -> Sequence[AccessEntry]:
        indexed = {s for s, a in self.store.persons[self.code] if a == query.atena_number}
        found = [
            e
            for e in reversed(self.store.rows[self.code])
            if (
                not query.atena_number
                or (e.seq in indexed and query.atena_number in e.atena_numbers)
            )
            and (not query.user_login or e.user_login == query.user_login)
            and (query.since is None or e.at >= query.since)
            and (query.until is None or e.at < query.until)
            and (query.operation is None or e.operation is query.operation)
            and (query.outcome is None or e.outcome is query.outcome)
            and (before_seq is None or e.seq < before_seq)
        ]
        return found[:limit]

    def activity(
        self, since: datetime, until: datetime, operation: Operation | None = None
    ) -> Sequence[UserActivity]:
        entries: dict[str, int] = {}
        persons: dict[str, set[str]] = {}
        for e in self.store.rows[self.code]:
            if (
                since <= e.at < until
                and e.outcome is Outcome.OK
                and (operation is None or e.operation is operation)
            ):
                entries[e.user_login] = entries.get(e.user_login, 0) + 1
                persons.setdefault(e.user_login, set()).update(e.atena_numbers)
        return [UserActivity(u, entries[u], len(persons[u])) for u in sorted(entries)]


def access_log(store: MemoryAccessLogStore, clock: FixedClock) -> AccessLog:
    """The service over the store, one unit of work a use case."""
    return AccessLog(memory_units(store.heads, access_log=store), clock, SeededIds(1))


class TownAreaRows:
    """The ``TownAreaSource`` port over rows given in a test: the header, then the data rows
    (line 2 on), as a CSV file would give them."""

    def __init__(self, header: Sequence[str], *rows: Sequence[str]) -> None:
        self._header = tuple(header)
        self._rows = rows

    def rows(self) -> Iterator[tuple[int, Mapping[str, str]]]:
        for line, row in enumerate(self._rows, start=2):
            yield line, dict(zip(self._header, row, strict=True))


TOWN_AREA_HEADER: tuple[str, ...] = (
    "町字id",
    "町字区分コード",
    "大字・町名",
    "丁目名",
    "小字名",
    "住居表示フラグ",
    "効力発生日",
    "廃止日",
    "郵便番号",
)


def town_area_row(
    town_id: str, oaza: str, chome: str = "", postcode: str = "", valid: tuple[str, str] = ("", "")
) -> tuple[str, ...]:
    """One row of :data:`TOWN_AREA_HEADER`."""
    kind = "2" if chome else "1"
    return (town_id, kind, oaza, chome, "", "1", valid[0], valid[1], postcode)
