"""The access log (アクセスログ, standard §10.2 (1370)): who read or changed whose data, and why.

Every read, print, export and change of personal data, every log-in (and failed log-in) and
every refusal of an authenticated user is appended as one ``AccessEntry``: who (login and roles),
when, from where (terminal and place), what (operation, target, the persons concerned by their
宛名番号), for what purpose, whether the My Number was shown, and the outcome.

The log is append-only and hash-chained per municipality, like the register's journal: each
entry's hash covers every field and the previous entry's hash, so an edited, removed or inserted
entry is found by ``AccessLog.verify``. The database adds its own wall (triggers refuse UPDATE
and DELETE; on PostgreSQL the application role may only INSERT and SELECT).

The log holds personal data only as 宛名番号 (validated as such, so a name or a My Number cannot
slip in through that field). Reading it needs ``Permission.READ_ACCESS_LOG`` and is itself logged.
The ready-made analyses the standard lists map to: night and holiday access
(``AccessSearch(night_or_holiday=True)``), failed log-ins (``operation=LOGIN_FAILED``), log-ins
per ID (``logins_per_user``), mass searches (``mass_searches``) and who looked a person up
(``AccessSearch(atena_number=...)``); ``disclosure`` is the resident-facing list.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time
from enum import StrEnum
from typing import Final, TypedDict, Unpack
from zoneinfo import ZoneInfo

import jpholiday
import orjson

from jichitai.domain.access.actor import Actor, Forbidden
from jichitai.domain.access.roles import ROLE_LABELS, Permission, Role
from jichitai.domain.common.identifiers import AtenaNumber
from jichitai.domain.errors import DomainError, Violation, invalid
from jichitai.services.event_ids import new_event_id
from jichitai.services.ports import GENESIS_HASH, AccessLogRepository, Clock, IdSource, UnitOfWork

JST: Final = ZoneInfo("Asia/Tokyo")
#: Office hours for the night/holiday analysis: [08:00, 20:00) JST on working days.
OFFICE_OPENS: Final = time(8, 0)
OFFICE_CLOSES: Final = time(20, 0)
#: The most entries one search answers.
MAX_SEARCH_LIMIT: Final = 1000
#: Entries read from the store at a time when the service filters or checks them itself.
PAGE_SIZE: Final = 1000

# Column widths of the ``access_log`` table: longer texts are cut before hashing, so the stored
# row and the hashed text stay the same on every database (PostgreSQL would refuse them,
# SQLite store them whole).
_WIDTHS: Final = {"terminal": 100, "place": 100, "purpose": 200, "target": 200, "detail": 200}


class Operation(StrEnum):
    """What was done (the standard's 操作ログ, 認証ログ, 印刷ログ and 設定変更ログ)."""

    SEARCH = "search"
    VIEW = "view"
    HISTORY = "history"
    HOUSEHOLD = "household"
    REMOVED_RECORDS = "removed_records"
    RECORD_CHANGE = "record_change"
    SUBMIT_DRAFT = "submit_draft"
    UPDATE_DRAFT = "update_draft"
    CHECK_DRAFT = "check_draft"
    APPROVE_DRAFT = "approve_draft"
    DISCARD_DRAFT = "discard_draft"
    RETURN_DRAFT = "return_draft"
    """A draft sent back to its clerk (差戻し) with the reviewer's comment."""
    RESUBMIT_DRAFT = "resubmit_draft"
    VIEW_DRAFTS = "view_drafts"
    ISSUE = "issue"
    DISPOSE_CERTIFICATE = "dispose_certificate"
    """A copy issued by mistake recorded as destroyed (処分情報)."""
    PRINT = "print"
    EXPORT = "export"
    SET_SUPPRESSION = "set_suppression"
    LIFT_SUPPRESSION = "lift_suppression"
    RELEASE_SUPPRESSION = "release_suppression"
    VIEW_SUPPRESSION = "view_suppression"
    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    LOGOUT = "logout"
    END_SESSION = "end_session"
    """A session ended before its time by a password change or an administrator's change to
    the user (``detail``: the reason)."""
    MANAGE_USERS = "manage_users"
    CHANGE_SETTINGS = "change_settings"
    READ_ACCESS_LOG = "read_access_log"
    DISCLOSURE = "disclosure"
    INTEGRATION_QUERY = "integration_query"
    """A business system asked for persons or a household (他業務連携の照会)."""
    FEED = "feed"
    """A business system read changes from the feed."""
    EXTRACT = "extract"
    """A business system took the full extract (全件連携)."""
    WEBHOOK = "webhook"
    """Changes delivered to a business system's webhook."""
    MANAGE_SUBSCRIBERS = "manage_subscribers"
    REGISTER_SEAL = "register_seal"
    END_SEAL = "end_seal"
    """印鑑登録の亡失・廃止 recorded at the counter."""
    VIEW_SEAL = "view_seal"
    REFUSED = "refused"
    """A request refused before its operation was known (the API's error handler)."""


OPERATION_LABELS: Final[dict[Operation, str]] = {
    Operation.SEARCH: "検索",
    Operation.VIEW: "照会",
    Operation.HISTORY: "履歴照会",
    Operation.HOUSEHOLD: "世帯照会",
    Operation.REMOVED_RECORDS: "除票照会",
    Operation.RECORD_CHANGE: "異動入力",
    Operation.SUBMIT_DRAFT: "異動入力（仮登録）",
    Operation.UPDATE_DRAFT: "仮登録の修正",
    Operation.CHECK_DRAFT: "入力確認",
    Operation.APPROVE_DRAFT: "本登録",
    Operation.DISCARD_DRAFT: "仮登録の破棄",
    Operation.RETURN_DRAFT: "仮登録の差戻し",
    Operation.RESUBMIT_DRAFT: "仮登録の再提出",
    Operation.VIEW_DRAFTS: "仮登録の一覧",
    Operation.ISSUE: "証明書の発行",
    Operation.DISPOSE_CERTIFICATE: "証明書の処分",
    Operation.PRINT: "帳票の印刷",
    Operation.EXPORT: "データ抽出",
    Operation.SET_SUPPRESSION: "抑止・支援措置の設定",
    Operation.LIFT_SUPPRESSION: "抑止・支援措置の解除",
    Operation.RELEASE_SUPPRESSION: "抑止の一時解除",
    Operation.VIEW_SUPPRESSION: "抑止・支援措置の照会",
    Operation.LOGIN: "ログイン",
    Operation.LOGIN_FAILED: "ログイン失敗",
    Operation.LOGOUT: "ログアウト",
    Operation.END_SESSION: "ログインの強制終了",
    Operation.MANAGE_USERS: "利用者管理",
    Operation.CHANGE_SETTINGS: "設定変更",
    Operation.READ_ACCESS_LOG: "アクセスログの閲覧",
    Operation.DISCLOSURE: "アクセス記録の開示",
    Operation.INTEGRATION_QUERY: "他業務連携（照会）",
    Operation.FEED: "他業務連携（異動差分）",
    Operation.EXTRACT: "他業務連携（全件）",
    Operation.WEBHOOK: "他業務連携（Webhook送信）",
    Operation.MANAGE_SUBSCRIBERS: "連携先の管理",
    Operation.REGISTER_SEAL: "印鑑登録",
    Operation.END_SEAL: "印鑑登録の亡失・廃止",
    Operation.VIEW_SEAL: "印鑑登録の照会",
    Operation.REFUSED: "拒否された要求",
}


class Outcome(StrEnum):
    OK = "ok"
    REFUSED = "refused"
    """Refused (permission, suppression, rule): ``detail`` holds the error code."""


@dataclass(frozen=True, slots=True)
class AccessEntry:
    """One access-log entry as stored; ``entry_hash`` covers every other field."""

    municipality_code: str
    seq: int
    entry_id: str
    at: datetime
    user_login: str
    roles: tuple[str, ...]
    terminal: str
    place: str
    operation: Operation
    purpose: str
    target: str
    atena_numbers: tuple[str, ...]
    person_count: int
    my_number_shown: bool
    outcome: Outcome
    detail: str
    prev_hash: str
    entry_hash: str


def access_entry_hash(entry: AccessEntry) -> str:
    """SHA-256 over the previous hash, then the canonical JSON of every other field.

    Canonical: sorted keys, no spaces, characters as stored, the time as UTC ISO 8601 with
    microseconds, roles and 宛名番号 as lists in their stored order.
    """
    fields = {
        "municipality_code": entry.municipality_code,
        "seq": entry.seq,
        "entry_id": entry.entry_id,
        "at": entry.at.astimezone(UTC).isoformat(timespec="microseconds"),
        "user_login": entry.user_login,
        "roles": list(entry.roles),
        "terminal": entry.terminal,
        "place": entry.place,
        "operation": entry.operation.value,
        "purpose": entry.purpose,
        "target": entry.target,
        "atena_numbers": list(entry.atena_numbers),
        "person_count": entry.person_count,
        "my_number_shown": entry.my_number_shown,
        "outcome": entry.outcome.value,
        "detail": entry.detail,
    }
    digest = hashlib.sha256(entry.prev_hash.encode())
    digest.update(orjson.dumps(fields, option=orjson.OPT_SORT_KEYS))
    return digest.hexdigest()


def is_night_or_holiday(at: datetime) -> bool:
    """Outside 08:00–20:00 in Japan, or on a Saturday, Sunday or public holiday (祝日・休日)."""
    local = at.astimezone(JST)
    day = local.date()
    if day.weekday() >= 5 or is_public_holiday(day):
        return True
    return not OFFICE_OPENS <= local.time() < OFFICE_CLOSES


def is_public_holiday(day: date) -> bool:
    """A national holiday, including substitute and citizens' holidays (jpholiday)."""
    return bool(jpholiday.is_holiday(day))


@dataclass(frozen=True, slots=True)
class AccessSearch:
    """An auditor's search; every criterion given narrows it. Newest entries first.

    ``since`` is inclusive, ``until`` exclusive (timezone-aware). ``night_or_holiday`` keeps
    entries outside 08:00–20:00 JST or on weekends and public holidays.
    """

    atena_number: str = ""
    user_login: str = ""
    since: datetime | None = None
    until: datetime | None = None
    operation: Operation | None = None
    outcome: Outcome | None = None
    night_or_holiday: bool = False
    limit: int = 100


@dataclass(frozen=True, slots=True)
class UserActivity:
    """One user's entries in a window and the distinct persons they concern."""

    user_login: str
    entries: int
    persons: int


@dataclass(frozen=True, slots=True)
class DisclosureRow:
    """One line of a resident's "who read my data" list: no staff login (staff privacy)."""

    at: datetime
    municipality_code: str
    role: str
    operation: Operation
    operation_label: str
    purpose: str


class EntryDetails(TypedDict, total=False):
    """What an entry says beyond who did what (``AccessLog.record_for_user_in``)."""

    atena_numbers: Iterable[str | AtenaNumber]
    target: str
    my_number_shown: bool
    outcome: Outcome | str
    detail: str
    person_count: int | None


class UserEntryDetails(EntryDetails, total=False):
    """``EntryDetails`` and where the user was, for a user who is not an ``Actor``."""

    terminal: str
    place: str
    purpose: str


class AccessLog:
    """Writes, checks and searches the access log.

    A use case writes its entry in its own unit of work with ``record_in`` (and
    ``record_for_user_in``), as its last write: the entry commits with the action or not at
    all, and the log's head, locked by the append, is the last lock the use case takes (ADR
    0012). ``record`` opens a unit of work for an entry that is the whole use case: a refusal
    (the refused action's unit of work rolled back), a print, a log-in that wrote nothing else.
    """

    def __init__(
        self,
        uow_for: Callable[[str], UnitOfWork],
        clock: Clock,
        ids: IdSource,
        *,
        reader_for: Callable[[str], UnitOfWork] | None = None,
    ) -> None:
        """``reader_for``: a unit of work for reading only, in one snapshot (``verify``); the
        writing one by default."""
        self._uow_for = uow_for
        self._reader_for = reader_for or uow_for
        self._clock = clock
        self._ids = ids

    # --- writing -------------------------------------------------------------------------------

    def record(
        self, actor: Actor, operation: Operation, **details: Unpack[EntryDetails]
    ) -> AccessEntry:
        """Append what ``actor`` did, in a unit of work of its own."""
        with self._uow_for(actor.municipality_code) as uow:
            entry = self.record_in(uow, actor, operation, **details)
            uow.commit()
        return entry

    def record_in(
        self,
        uow: UnitOfWork,
        actor: Actor,
        operation: Operation,
        **details: Unpack[EntryDetails],
    ) -> AccessEntry:
        """Append what ``actor`` did within ``uow`` (the actor's municipality's): it commits
        with the rest of the use case, or not at all."""
        return self.record_for_user_in(
            uow,
            actor.municipality_code,
            actor.login,
            actor.roles,
            operation,
            terminal=actor.terminal,
            place=actor.place,
            purpose=actor.purpose,
            **details,
        )

    def record_for_user(
        self,
        municipality_code: str,
        login: str,
        roles: Iterable[Role | str],
        operation: Operation,
        **details: Unpack[UserEntryDetails],
    ) -> AccessEntry:
        """Append, in a unit of work of its own, an event of a known user who is not (or not
        yet) an ``Actor``: a failed log-in, a log-in, a log-out."""
        with self._uow_for(municipality_code) as uow:
            entry = self.record_for_user_in(
                uow, municipality_code, login, roles, operation, **details
            )
            uow.commit()
        return entry

    def record_for_user_in(
        self,
        uow: UnitOfWork,
        municipality_code: str,
        login: str,
        roles: Iterable[Role | str],
        operation: Operation,
        *,
        terminal: str = "",
        place: str = "",
        purpose: str = "",
        atena_numbers: Iterable[str | AtenaNumber] = (),
        target: str = "",
        my_number_shown: bool = False,
        outcome: Outcome | str = Outcome.OK,
        detail: str = "",
        person_count: int | None = None,
    ) -> AccessEntry:
        """``record_for_user`` within ``uow`` (the municipality's). ``detail`` is the error code
        of a refusal; ``person_count`` defaults to the number of 宛名番号 given (a batch that
        concerns more persons than it lists, a whole-register export, states the real number).
        """
        numbers = _atena_numbers(atena_numbers)
        count = len(numbers) if person_count is None else person_count
        if count < len(numbers):
            raise ValueError(f"person_count {count} < {len(numbers)} 宛名番号 listed")
        unplaced = AccessEntry(  # seq, id, time and chain are set under the head's lock
            municipality_code=municipality_code,
            seq=0,
            entry_id="",
            at=datetime.min.replace(tzinfo=UTC),
            user_login=login,
            roles=tuple(sorted({str(r) for r in roles})),
            terminal=terminal[: _WIDTHS["terminal"]],
            place=place[: _WIDTHS["place"]],
            operation=Operation(operation),
            purpose=purpose[: _WIDTHS["purpose"]],
            target=target[: _WIDTHS["target"]],
            atena_numbers=numbers,
            person_count=count,
            my_number_shown=my_number_shown,
            outcome=Outcome(outcome),
            detail=detail[: _WIDTHS["detail"]],
            prev_hash="",
            entry_hash="",
        )

        def build(seq: int, prev_hash: str) -> AccessEntry:
            at = self._clock.now().astimezone(UTC)  # read under the lock: times follow seq
            entry = replace(
                unplaced,
                seq=seq,
                entry_id=new_event_id(self._ids, at),
                at=at,
                prev_hash=prev_hash,
            )
            return replace(entry, entry_hash=access_entry_hash(entry))

        return uow.access_log.append(build)

    # --- the chain -----------------------------------------------------------------------------

    def verify(self, actor: Actor) -> int:
        """Recompute every hash of the actor's municipality's access log (an auditor's right,
        ``READ_ACCESS_LOG``); return the number of entries.

        Also checks the person index against each entry's (hashed) 宛名番号. Raises
        ``DomainError`` ``audit.chain_broken`` naming the first entry that does not match. Read
        in one snapshot, without the log's lock (the whole chain may take long to read): entries
        appended meanwhile lie beyond the head it reads first. Whoever asked for the check logs
        it afterwards, in a unit of work of its own.
        """
        actor.require(Permission.READ_ACCESS_LOG)
        municipality_code = actor.municipality_code
        with self._reader_for(municipality_code) as uow:
            return _verified(uow.access_log)

    # --- reading (auditors) --------------------------------------------------------------------

    def search(self, actor: Actor, query: AccessSearch) -> list[AccessEntry]:
        """Entries matching ``query``, newest first (at most ``query.limit``, ≤ 1000)."""
        self._require(actor, target="search")
        query = _checked(query)
        with self._uow_for(actor.municipality_code) as uow:
            found = _found(uow.access_log, query)
            self.record_in(
                uow,
                actor,
                Operation.READ_ACCESS_LOG,
                atena_numbers=(query.atena_number,) if query.atena_number else (),
                target=_describe(query),
            )
            uow.commit()
        return found

    def mass_searches(
        self, actor: Actor, since: datetime, until: datetime, threshold: int
    ) -> list[UserActivity]:
        """大量検索: users whose entries in [since, until) concern more than ``threshold``
        distinct persons, most persons first."""
        self._require(actor, target="mass_searches")
        _checked(AccessSearch(since=since, until=until))
        with self._uow_for(actor.municipality_code) as uow:
            rows = [row for row in uow.access_log.activity(since, until) if row.persons > threshold]
            self.record_in(
                uow,
                actor,
                Operation.READ_ACCESS_LOG,
                target=f"mass_searches since={since.isoformat()} until={until.isoformat()} "
                f"threshold={threshold}",
            )
            uow.commit()
        return sorted(rows, key=lambda r: (-r.persons, r.user_login))

    def logins_per_user(self, actor: Actor, since: datetime, until: datetime) -> list[UserActivity]:
        """ID別ログイン数: successful log-ins in [since, until) per login."""
        self._require(actor, target="logins_per_user")
        _checked(AccessSearch(since=since, until=until))
        with self._uow_for(actor.municipality_code) as uow:
            rows = list(uow.access_log.activity(since, until, Operation.LOGIN))
            self.record_in(
                uow,
                actor,
                Operation.READ_ACCESS_LOG,
                target=f"logins_per_user since={since.isoformat()} until={until.isoformat()}",
            )
            uow.commit()
        return sorted(rows, key=lambda r: r.user_login)

    # --- the resident's view -------------------------------------------------------------------

    def disclosure(self, actor: Actor, atena_number: str) -> list[DisclosureRow]:
        """Who read or changed this person's data: when, which organisation, in which role, what
        and why; never the staff login. Successful entries only, newest first."""
        self._require(actor, target="disclosure")
        number = AtenaNumber.parse(atena_number).value
        query = AccessSearch(atena_number=number, outcome=Outcome.OK)
        with self._uow_for(actor.municipality_code) as uow:
            entries: list[AccessEntry] = []
            before: int | None = None
            while True:
                page = uow.access_log.search(query, before_seq=before, limit=PAGE_SIZE)
                entries += page
                if len(page) < PAGE_SIZE:
                    break
                before = page[-1].seq
            rows = [
                DisclosureRow(
                    at=e.at,
                    municipality_code=e.municipality_code,
                    role="・".join(_role_label(r) for r in e.roles),
                    operation=e.operation,
                    operation_label=OPERATION_LABELS[e.operation],
                    purpose=e.purpose,
                )
                for e in entries
            ]
            self.record_in(
                uow, actor, Operation.DISCLOSURE, atena_numbers=(number,), target="disclosure"
            )
            uow.commit()
        return rows

    # --- helpers -------------------------------------------------------------------------------

    def _require(self, actor: Actor, *, target: str) -> None:
        """READ_ACCESS_LOG, or a refusal that is itself logged."""
        try:
            actor.require(Permission.READ_ACCESS_LOG)
        except Forbidden as refusal:
            self.record(
                actor,
                Operation.READ_ACCESS_LOG,
                target=target,
                outcome=Outcome.REFUSED,
                detail=refusal.code,
            )
            raise


def _verified(log: AccessLogRepository) -> int:
    last_seq, last_hash = log.head()  # entries appended during the check lie beyond it
    previous, count = GENESIS_HASH, 0
    while count < last_seq:
        page = log.entries(after_seq=count, limit=min(PAGE_SIZE, last_seq - count))
        if not page:
            break
        index: dict[int, set[str]] = {}
        for seq, atena in log.indexed_persons(count, page[-1].seq):
            index.setdefault(seq, set()).add(atena)
        for entry in page:
            if (
                entry.seq != count + 1
                or entry.prev_hash != previous
                or access_entry_hash(entry) != entry.entry_hash
            ):
                raise _chain_broken(count + 1)
            if index.pop(entry.seq, set()) != set(entry.atena_numbers):
                raise _chain_broken(entry.seq)
            previous = entry.entry_hash
            count += 1
        if index:  # person rows pointing at no entry of this page
            raise _chain_broken(min(index))
    if count != last_seq:
        raise _chain_broken(count + 1)  # entries missing at the end
    if previous != last_hash:
        raise _chain_broken(last_seq)
    return count


def _found(log: AccessLogRepository, query: AccessSearch) -> list[AccessEntry]:
    if not query.night_or_holiday:
        return list(log.search(query, limit=query.limit))
    found: list[AccessEntry] = []
    before: int | None = None
    while len(found) < query.limit:
        page = log.search(query, before_seq=before, limit=PAGE_SIZE)
        found += [e for e in page if is_night_or_holiday(e.at)]
        if len(page) < PAGE_SIZE:
            break
        before = page[-1].seq
    return found[: query.limit]


def _atena_numbers(values: Iterable[str | AtenaNumber]) -> tuple[str, ...]:
    """Validated 宛名番号, each once, in the order given."""
    numbers = (
        v.value if isinstance(v, AtenaNumber) else AtenaNumber.parse(v, "atena_numbers").value
        for v in dict.fromkeys(values)  # each checked once (a feed page repeats persons)
    )
    return tuple(dict.fromkeys(numbers))


def _checked(query: AccessSearch) -> AccessSearch:
    """The query, refused if malformed, with its 宛名番号 in ASCII digits."""
    if not 1 <= query.limit <= MAX_SEARCH_LIMIT:
        raise invalid(
            "audit.limit", f"件数は1から{MAX_SEARCH_LIMIT}までで指定してください", "limit"
        )
    for name, value in (("since", query.since), ("until", query.until)):
        if value is not None and value.utcoffset() is None:
            raise invalid("audit.naive_time", "日時にはタイムゾーンを指定してください", name)
    if query.since and query.until and query.since >= query.until:
        raise invalid("audit.period", "期間の開始は終了より前にしてください", "since")
    if query.atena_number:
        return replace(query, atena_number=AtenaNumber.parse(query.atena_number).value)
    return query


def _describe(query: AccessSearch) -> str:
    """The query as text for the log entry of the search itself (宛名番号 go in their column)."""
    parts = [
        f"{name}={value}"
        for name, value in (
            ("user_login", query.user_login),
            ("since", query.since.isoformat() if query.since else ""),
            ("until", query.until.isoformat() if query.until else ""),
            ("operation", query.operation.value if query.operation else ""),
            ("outcome", query.outcome.value if query.outcome else ""),
            ("night_or_holiday", "1" if query.night_or_holiday else ""),
        )
        if value
    ]
    return " ".join(["search", *parts])


def _role_label(role: str) -> str:
    try:
        return ROLE_LABELS[Role(role)]
    except ValueError:
        return role


def _chain_broken(seq: int) -> DomainError:
    return DomainError(
        Violation(
            "audit.chain_broken",
            f"アクセスログの連鎖が一致しません（通番 {seq}）。改ざんの可能性があります",
            "seq",
        )
    )
