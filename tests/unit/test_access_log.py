"""The access log service (standard §10.2 (1370)) over an in-memory store.

The store below is a working stand-in for the SQL access log: a list of entries, a person index
and a head per municipality, appended within a unit of work that undoes what it did not commit. Tests tamper with what it holds the way someone with
write access to the database could, and ``verify`` must name the first entry that no longer fits.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from jichitai.domain.access.actor import Actor, Forbidden
from jichitai.domain.access.roles import Role
from jichitai.domain.common.identifiers import AtenaNumber
from jichitai.domain.errors import DomainError, InvalidValue
from jichitai.services.audit import (
    AccessEntry,
    AccessLog,
    AccessSearch,
    DisclosureRow,
    Operation,
    Outcome,
    UserActivity,
    access_entry_hash,
    is_night_or_holiday,
)
from jichitai.services.ports import GENESIS_HASH
from tests.factories import an_auditor
from tests.fakes import FixedClock, MemoryAccessLogStore, access_log, violation

JST = ZoneInfo("Asia/Tokyo")
MC = "131016"
OTHER_MC = "011002"
A1, A2, A3 = (AtenaNumber.from_serial(n).value for n in (1, 2, 3))
MY_NUMBER = "123456789018"


def actor(login: str = "clerk1", *roles: Role, code: str = MC) -> Actor:
    return Actor(
        login=login,
        municipality_code=code,
        roles=frozenset(roles or (Role.CLERK,)),
        terminal="窓口端末03",
        place="本庁舎1階 市民課",
        purpose="住民票の写しの交付",
    )


CLERK = actor("clerk1", Role.CLERK)
REVIEWER = actor("reviewer1", Role.REVIEWER)
AUDITOR = actor("auditor1", Role.AUDITOR)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def store() -> MemoryAccessLogStore:
    return MemoryAccessLogStore(MC, OTHER_MC)


@pytest.fixture
def log(store: MemoryAccessLogStore, clock: FixedClock) -> AccessLog:
    return access_log(store, clock)


def jst(year: int, month: int, day: int, hour: int, minute: int, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=JST)


# --- writing and the chain ---------------------------------------------------------------------


@pytest.mark.spec("10.2")
def test_an_entry_records_who_when_where_what_why_and_whether_the_my_number_was_shown(
    log: AccessLog, clock: FixedClock
) -> None:
    entry = log.record(
        REVIEWER, Operation.VIEW, atena_numbers=(A1,), target="resident.show", my_number_shown=True
    )
    assert entry.municipality_code == MC
    assert (entry.seq, entry.prev_hash) == (1, GENESIS_HASH)
    assert entry.at == clock.now()
    assert (entry.user_login, entry.roles) == ("reviewer1", ("reviewer",))
    assert (entry.terminal, entry.place, entry.purpose) == (
        "窓口端末03",
        "本庁舎1階 市民課",
        "住民票の写しの交付",
    )
    assert (entry.operation, entry.target) == (Operation.VIEW, "resident.show")
    assert (entry.atena_numbers, entry.person_count) == ((A1,), 1)
    assert entry.my_number_shown is True
    assert (entry.outcome, entry.detail) == (Outcome.OK, "")
    assert entry.entry_hash == access_entry_hash(entry)
    assert len(entry.entry_id) == 36 and entry.entry_id[14] == "7"  # UUID version 7


def test_entries_chain_each_to_the_previous_one(log: AccessLog, clock: FixedClock) -> None:
    entries = []
    for i in range(3):
        clock.at += timedelta(seconds=1)
        entries.append(log.record(CLERK, Operation.SEARCH, atena_numbers=(A1, A2), target=str(i)))
    assert [e.seq for e in entries] == [1, 2, 3]
    assert [e.prev_hash for e in entries] == [GENESIS_HASH] + [e.entry_hash for e in entries[:2]]
    assert len({e.entry_hash for e in entries}) == 3
    assert sorted(e.entry_id for e in entries) == [e.entry_id for e in entries]  # time ordered


def test_every_field_is_covered_by_the_hash(log: AccessLog) -> None:
    entry = log.record(CLERK, Operation.VIEW, atena_numbers=(A1,), target="resident.show")
    changes: dict[str, object] = {
        "municipality_code": OTHER_MC,
        "seq": 2,
        "entry_id": "0" * 36,
        "at": entry.at + timedelta(microseconds=1),
        "user_login": "someone",
        "roles": ("auditor",),
        "terminal": "x",
        "place": "x",
        "operation": Operation.PRINT,
        "purpose": "x",
        "target": "x",
        "atena_numbers": (A2,),
        "person_count": 2,
        "my_number_shown": True,
        "outcome": Outcome.REFUSED,
        "detail": "x",
        "prev_hash": "1" * 64,
    }
    assert set(changes) | {"entry_hash"} == set(AccessEntry.__dataclass_fields__)
    for name, value in changes.items():
        assert access_entry_hash(replace(entry, **{name: value})) != entry.entry_hash, name


def test_the_same_time_in_another_zone_hashes_the_same(log: AccessLog) -> None:
    entry = log.record(CLERK, Operation.VIEW, atena_numbers=(A1,))
    assert access_entry_hash(replace(entry, at=entry.at.astimezone(JST))) == entry.entry_hash


def test_only_atena_numbers_enter_the_log_each_once(log: AccessLog) -> None:
    entry = log.record(CLERK, Operation.SEARCH, atena_numbers=(A2, AtenaNumber(A1), A2))
    assert (entry.atena_numbers, entry.person_count) == ((A2, A1), 2)
    for wrong in (MY_NUMBER, "髙橋一郎", A1[:-1] + str((int(A1[-1]) + 1) % 10)):
        with pytest.raises(InvalidValue) as refused:
            log.record(CLERK, Operation.VIEW, atena_numbers=(wrong,))
        assert refused.value.field == "atena_numbers"


def test_an_export_may_state_more_persons_than_it_lists(log: AccessLog) -> None:
    entry = log.record(CLERK, Operation.EXPORT, target="euc:all", person_count=98_765)
    assert (entry.atena_numbers, entry.person_count) == ((), 98_765)
    with pytest.raises(ValueError):
        log.record(CLERK, Operation.EXPORT, atena_numbers=(A1, A2), person_count=1)


def test_long_texts_are_cut_to_their_columns_before_hashing(log: AccessLog) -> None:
    long = actor("clerk1", Role.CLERK)
    long = replace(long, terminal="T" * 300, purpose="目" * 300)
    entry = log.record(long, Operation.VIEW, target="x" * 500, detail="d" * 500)
    assert (len(entry.terminal), len(entry.purpose)) == (100, 200)
    assert (len(entry.target), len(entry.detail)) == (200, 200)
    assert entry.entry_hash == access_entry_hash(entry)


@pytest.mark.spec("10.2")
def test_a_failed_log_in_of_a_known_user_is_recorded_without_an_actor(log: AccessLog) -> None:
    entry = log.record_for_user(
        MC,
        "clerk1",
        [Role.CLERK],
        Operation.LOGIN_FAILED,
        terminal="窓口端末03",
        outcome="refused",
        detail="auth.bad_password",
    )
    assert (entry.user_login, entry.roles, entry.operation) == (
        "clerk1",
        ("clerk",),
        Operation.LOGIN_FAILED,
    )
    assert (entry.outcome, entry.detail, entry.purpose) == (
        Outcome.REFUSED,
        "auth.bad_password",
        "",
    )


def test_an_unknown_outcome_is_refused(log: AccessLog) -> None:
    with pytest.raises(ValueError):
        log.record(CLERK, Operation.VIEW, outcome="maybe")


# --- verification ------------------------------------------------------------------------------


def filled(log: AccessLog, clock: FixedClock, count: int = 5) -> None:
    for i in range(count):
        clock.at += timedelta(minutes=1)
        log.record(CLERK, Operation.VIEW, atena_numbers=((A1,) if i % 2 else (A2, A3)))


def test_an_untouched_log_verifies_and_counts_its_entries(
    log: AccessLog, clock: FixedClock
) -> None:
    assert log.verify(an_auditor(MC)) == 0
    filled(log, clock)
    assert log.verify(an_auditor(MC)) == 5
    assert log.verify(an_auditor(OTHER_MC)) == 0


@pytest.mark.spec("10.2")
@pytest.mark.parametrize(
    "field, value",
    [
        ("user_login", "someone_else"),
        ("at", datetime(2026, 1, 1, tzinfo=UTC)),
        ("atena_numbers", (A3,)),
        ("my_number_shown", True),
        ("purpose", "私用"),
    ],
)
def test_verify_names_the_first_entry_whose_stored_field_was_changed(
    log: AccessLog,
    clock: FixedClock,
    store: MemoryAccessLogStore,
    field: str,
    value: object,
) -> None:
    filled(log, clock)
    rows = store.rows[MC]
    rows[2] = replace(rows[2], **{field: value})  # seq 3
    with pytest.raises(DomainError) as broken:
        log.verify(an_auditor(MC))
    v = violation(broken.value, "audit.chain_broken", "seq")
    assert "通番 3" in v.message


def test_an_entry_rewritten_with_a_fresh_hash_breaks_the_next_link(
    log: AccessLog, clock: FixedClock, store: MemoryAccessLogStore
) -> None:
    filled(log, clock)
    rows = store.rows[MC]
    forged = replace(rows[1], user_login="someone_else")
    rows[1] = replace(forged, entry_hash=access_entry_hash(forged))
    with pytest.raises(DomainError) as broken:
        log.verify(an_auditor(MC))
    assert "通番 3" in violation(broken.value, "audit.chain_broken", "seq").message


@pytest.mark.parametrize("removed, named", [(0, 1), (2, 3), (4, 5)])
def test_a_removed_entry_is_found_first_middle_or_last(
    log: AccessLog, clock: FixedClock, store: MemoryAccessLogStore, removed: int, named: int
) -> None:
    filled(log, clock)
    del store.rows[MC][removed]
    with pytest.raises(DomainError) as broken:
        log.verify(an_auditor(MC))
    assert f"通番 {named}" in violation(broken.value, "audit.chain_broken", "seq").message


def test_a_person_row_added_to_the_index_is_found(
    log: AccessLog, clock: FixedClock, store: MemoryAccessLogStore
) -> None:
    filled(log, clock)
    store.persons[MC].append((4, A3))
    with pytest.raises(DomainError) as broken:
        log.verify(an_auditor(MC))
    assert "通番 4" in violation(broken.value, "audit.chain_broken", "seq").message


def test_verify_of_an_unknown_municipality_is_refused(log: AccessLog) -> None:
    with pytest.raises(DomainError) as refused:
        log.verify(an_auditor("999999"))
    assert refused.value.code == "municipality.not_found"


# --- night and holiday -------------------------------------------------------------------------


@pytest.mark.spec("10.2")
@pytest.mark.parametrize(
    "at, expected",
    [
        (jst(2026, 11, 26, 10, 0), False),  # Thursday, office hours
        (jst(2026, 11, 26, 8, 0), False),
        (jst(2026, 11, 26, 19, 59, 59), False),
        (jst(2026, 11, 26, 7, 59, 59), True),
        (jst(2026, 11, 26, 20, 0), True),
        (jst(2026, 11, 26, 23, 30), True),
        (jst(2026, 11, 26, 2, 0), True),
        (jst(2026, 11, 23, 10, 0), True),  # 勤労感謝の日 (a Monday)
        (jst(2026, 5, 6, 10, 0), True),  # 振替休日
        (jst(2026, 9, 22, 10, 0), True),  # 国民の休日
        (jst(2026, 11, 28, 10, 0), True),  # Saturday
        (jst(2026, 11, 29, 10, 0), True),  # Sunday
        (datetime(2026, 11, 26, 1, 0, tzinfo=UTC), False),  # 10:00 JST
        (datetime(2026, 11, 25, 23, 30, tzinfo=UTC), False),  # 08:30 JST on the 26th
        (datetime(2026, 11, 25, 22, 30, tzinfo=UTC), True),  # 07:30 JST
        (datetime(2026, 11, 26, 11, 0, tzinfo=UTC), True),  # 20:00 JST
        (datetime(2026, 11, 22, 16, 0, tzinfo=UTC), True),  # 01:00 JST on the holiday
    ],
)
def test_night_and_holiday_are_judged_in_japan_time(at: datetime, expected: bool) -> None:
    assert is_night_or_holiday(at) is expected


@pytest.mark.spec("10.2")
def test_a_search_for_night_and_holiday_access_lists_only_those(
    log: AccessLog, clock: FixedClock
) -> None:
    times = [
        jst(2026, 11, 23, 10, 0),
        jst(2026, 11, 26, 10, 0),
        jst(2026, 11, 26, 21, 0),
        jst(2026, 11, 27, 12, 0),
    ]
    for at in times:
        clock.at = at.astimezone(UTC)
        log.record(CLERK, Operation.VIEW, atena_numbers=(A1,))
    clock.at = jst(2026, 11, 30, 9, 0).astimezone(UTC)
    found = log.search(AUDITOR, AccessSearch(night_or_holiday=True))
    assert [e.seq for e in found] == [3, 1]


def test_a_night_search_pages_through_more_entries_than_a_page(
    store: MemoryAccessLogStore, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("jichitai.services.audit.PAGE_SIZE", 3)
    log = access_log(store, clock)
    for hour in (21, 10, 11, 12, 13, 14, 22, 15):  # nights: seq 1 and 7
        clock.at = jst(2026, 11, 26, hour, 0).astimezone(UTC)
        log.record(CLERK, Operation.VIEW, atena_numbers=(A1,))
    assert [e.seq for e in log.search(AUDITOR, AccessSearch(night_or_holiday=True))] == [7, 1]
    assert [e.seq for e in log.search(AUDITOR, AccessSearch(night_or_holiday=True, limit=1))] == [7]


# --- searching ---------------------------------------------------------------------------------


@pytest.mark.spec("10.2")
def test_an_auditor_searches_by_person_user_period_operation_and_outcome(
    log: AccessLog, clock: FixedClock
) -> None:
    start = clock.at
    log.record(CLERK, Operation.SEARCH, atena_numbers=(A1, A2))  # 1
    clock.at += timedelta(hours=1)
    log.record(REVIEWER, Operation.VIEW, atena_numbers=(A2,))  # 2
    clock.at += timedelta(hours=1)
    log.record(CLERK, Operation.ISSUE, atena_numbers=(A1,), outcome="refused", detail="x.y")  # 3
    clock.at += timedelta(hours=1)

    def seqs(query: AccessSearch) -> list[int]:
        return [e.seq for e in log.search(AUDITOR, query) if e.operation != "read_access_log"]

    assert seqs(AccessSearch(atena_number=A1)) == [3, 1]
    assert seqs(AccessSearch(atena_number="０" + A2[1:])) == [2, 1]  # full-width digits
    assert seqs(AccessSearch(user_login="reviewer1")) == [2]
    assert seqs(AccessSearch(since=start + timedelta(minutes=30))) == [3, 2]
    assert seqs(AccessSearch(until=start + timedelta(minutes=90))) == [2, 1]
    assert seqs(AccessSearch(operation=Operation.ISSUE)) == [3]
    assert seqs(AccessSearch(outcome=Outcome.REFUSED)) == [3]
    assert seqs(AccessSearch(atena_number=A1, outcome=Outcome.OK)) == [1]


def test_a_search_answers_the_newest_entries_up_to_its_limit(
    log: AccessLog, store: MemoryAccessLogStore
) -> None:
    for _ in range(5):
        log.record(CLERK, Operation.VIEW, atena_numbers=(A1,))
    assert [e.seq for e in log.search(AUDITOR, AccessSearch(limit=2))] == [5, 4]
    assert len(log.search(AUDITOR, AccessSearch(limit=1000))) == 6  # 5 and the first search


def test_a_search_is_itself_recorded(log: AccessLog, store: MemoryAccessLogStore) -> None:
    log.record(CLERK, Operation.VIEW, atena_numbers=(A1,))
    log.search(AUDITOR, AccessSearch(atena_number=A1, operation=Operation.VIEW))
    last = store.rows[MC][-1]
    assert (last.user_login, last.operation, last.outcome) == (
        "auditor1",
        Operation.READ_ACCESS_LOG,
        Outcome.OK,
    )
    assert last.atena_numbers == (A1,)
    assert "operation=view" in last.target


@pytest.mark.spec("10.2")
def test_failed_log_ins_are_listed(log: AccessLog) -> None:
    log.record_for_user(MC, "clerk1", ["clerk"], Operation.LOGIN_FAILED, outcome="refused")
    log.record_for_user(MC, "clerk1", ["clerk"], Operation.LOGIN)
    found = log.search(AUDITOR, AccessSearch(operation=Operation.LOGIN_FAILED))
    assert [(e.seq, e.user_login) for e in found] == [(1, "clerk1")]


@pytest.mark.parametrize(
    "query, code, field",
    [
        (AccessSearch(limit=0), "audit.limit", "limit"),
        (AccessSearch(limit=1001), "audit.limit", "limit"),
        (AccessSearch(since=datetime(2026, 1, 1)), "audit.naive_time", "since"),
        (
            AccessSearch(
                since=datetime(2026, 2, 1, tzinfo=UTC), until=datetime(2026, 1, 1, tzinfo=UTC)
            ),
            "audit.period",
            "since",
        ),
        (AccessSearch(atena_number=MY_NUMBER), "atena_number.format", "atena_number"),
    ],
)
def test_a_malformed_search_is_refused_with_its_field(
    log: AccessLog, query: AccessSearch, code: str, field: str
) -> None:
    with pytest.raises(InvalidValue) as refused:
        log.search(AUDITOR, query)
    violation(refused.value, code, field)


@pytest.mark.spec("10.2")
@pytest.mark.parametrize("who", [CLERK, REVIEWER, actor("admin1", Role.ADMINISTRATOR)])
def test_only_an_auditor_may_read_the_log_and_a_refusal_is_recorded(
    log: AccessLog, store: MemoryAccessLogStore, who: Actor
) -> None:
    start = datetime(2026, 11, 1, tzinfo=UTC)
    for read in (
        lambda: log.search(who, AccessSearch()),
        lambda: log.disclosure(who, A1),
        lambda: log.mass_searches(who, start, start + timedelta(days=30), 10),
        lambda: log.logins_per_user(who, start, start + timedelta(days=30)),
    ):
        with pytest.raises(Forbidden) as refused:
            read()
        assert refused.value.code == "auth.forbidden"
    assert [(e.user_login, e.operation, e.outcome, e.detail) for e in store.rows[MC]] == [
        (who.login, Operation.READ_ACCESS_LOG, Outcome.REFUSED, "auth.forbidden")
    ] * 4


def test_an_auditor_reads_only_their_own_municipalitys_log(log: AccessLog) -> None:
    log.record(actor("clerk9", Role.CLERK, code=OTHER_MC), Operation.VIEW, atena_numbers=(A1,))
    assert log.search(AUDITOR, AccessSearch(atena_number=A1)) == []
    other_auditor = actor("auditor9", Role.AUDITOR, code=OTHER_MC)
    assert [e.user_login for e in log.search(other_auditor, AccessSearch(atena_number=A1))] == [
        "clerk9"
    ]


# --- analyses ----------------------------------------------------------------------------------


@pytest.mark.spec("10.2")
def test_mass_searches_list_users_who_read_more_persons_than_the_threshold(
    log: AccessLog, clock: FixedClock
) -> None:
    start = clock.at
    many = [AtenaNumber.from_serial(n).value for n in range(1, 31)]
    log.record(CLERK, Operation.SEARCH, atena_numbers=many[:20])
    log.record(CLERK, Operation.VIEW, atena_numbers=many[10:30])  # 30 distinct in all
    log.record(REVIEWER, Operation.VIEW, atena_numbers=many[:5])
    log.record(REVIEWER, Operation.VIEW, atena_numbers=many, outcome="refused", detail="x")
    clock.at += timedelta(days=2)
    log.record(REVIEWER, Operation.SEARCH, atena_numbers=many)  # outside the window
    found = log.mass_searches(AUDITOR, start, start + timedelta(days=1), threshold=10)
    assert found == [UserActivity("clerk1", entries=2, persons=30)]
    assert log.mass_searches(AUDITOR, start, start + timedelta(days=1), threshold=4) == [
        UserActivity("clerk1", 2, 30),
        UserActivity("reviewer1", 1, 5),
    ]


@pytest.mark.spec("10.2")
def test_logins_are_counted_per_user(log: AccessLog, clock: FixedClock) -> None:
    start = clock.at
    for login in ("clerk1", "clerk1", "reviewer1"):
        log.record_for_user(MC, login, ["clerk"], Operation.LOGIN)
    log.record_for_user(MC, "clerk2", ["clerk"], Operation.LOGIN_FAILED, outcome="refused")
    assert log.logins_per_user(AUDITOR, start, start + timedelta(hours=1)) == [
        UserActivity("clerk1", 2, 0),
        UserActivity("reviewer1", 1, 0),
    ]


# --- disclosure --------------------------------------------------------------------------------


def test_disclosure_lists_who_touched_a_person_without_staff_logins(
    log: AccessLog, store: MemoryAccessLogStore, clock: FixedClock
) -> None:
    log.record(CLERK, Operation.SEARCH, atena_numbers=(A1, A2))
    clock.at += timedelta(minutes=5)
    log.record(actor("both1", Role.CLERK, Role.REVIEWER), Operation.ISSUE, atena_numbers=(A1,))
    log.record(CLERK, Operation.VIEW, atena_numbers=(A1,), outcome="refused", detail="x")
    log.record(CLERK, Operation.VIEW, atena_numbers=(A2,))
    rows = log.disclosure(AUDITOR, A1)
    assert rows == [
        DisclosureRow(
            at=clock.at,
            municipality_code=MC,
            role="窓口・審査",
            operation=Operation.ISSUE,
            operation_label="証明書の発行",
            purpose="住民票の写しの交付",
        ),
        DisclosureRow(
            at=clock.at - timedelta(minutes=5),
            municipality_code=MC,
            role="窓口",
            operation=Operation.SEARCH,
            operation_label="検索",
            purpose="住民票の写しの交付",
        ),
    ]
    assert not any(login in repr(rows) for login in ("clerk1", "both1", "auditor1"))
    last = store.rows[MC][-1]
    assert (last.operation, last.atena_numbers, last.user_login) == (
        Operation.DISCLOSURE,
        (A1,),
        "auditor1",
    )
    # the disclosure itself now shows in the person's list
    assert log.disclosure(AUDITOR, A1)[0].operation is Operation.DISCLOSURE


def test_disclosure_needs_a_valid_atena_number(log: AccessLog) -> None:
    with pytest.raises(InvalidValue):
        log.disclosure(AUDITOR, MY_NUMBER)


def test_disclosure_pages_through_every_entry(
    store: MemoryAccessLogStore, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("jichitai.services.audit.PAGE_SIZE", 2)
    log = access_log(store, clock)
    for _ in range(5):
        log.record(CLERK, Operation.VIEW, atena_numbers=(A1,))
    assert len(log.disclosure(AUDITOR, A1)) == 5
