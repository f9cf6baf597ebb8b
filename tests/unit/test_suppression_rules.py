"""The rules of suppression (抑止, §3.1) and DV support measures (支援措置, §3.4), without I/O."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from jichitai.domain.access.suppression import (
    Process,
    Status,
    Suppression,
    SuppressionKind,
    amend_end,
    applicable,
    check,
    dv_period_end,
    enforce,
    extend,
    extended_end,
    flags_for,
    lift,
    months_later_end,
    new_suppression,
    one_month_before_end,
    redacted,
    release,
)
from jichitai.domain.common.identifiers import AtenaNumber, HouseholdNumber
from jichitai.domain.errors import DomainError, InvalidValue, RuleViolations, Severity
from jichitai.domain.inbound.text import SUPPRESSION_REASON
from tests.fakes import NOW, TODAY, violation

MC = "131016"
ATENA = AtenaNumber.from_serial(1).value
OTHER_ATENA = AtenaNumber.from_serial(2).value
HOUSEHOLD = HouseholdNumber.from_serial(1).value
ERROR, ALERT = Severity.ERROR, Severity.ALERT
ALL_PROCESSES = tuple(Process)
SUPPRESSION, DV, PROVISIONAL = (
    SuppressionKind.SUPPRESSION,
    SuppressionKind.DV_SUPPORT,
    SuppressionKind.PROVISIONAL_DV_SUPPORT,
)


def a_setting(
    kind: SuppressionKind = SUPPRESSION,
    *,
    processes: Any = None,
    level: Severity | str | None = None,
    starts_on: date = date(2026, 4, 1),
    ends_on: date | None = None,
    atena_number: str | None = ATENA,
    household_number: str | None = None,
    reason: str = "調査中のため",
    details: dict[str, Any] | None = None,
    suppression_id: str = "s1",
) -> Suppression:
    if processes is None and kind is SUPPRESSION:
        processes = [Process.ISSUE]
    return new_suppression(
        municipality_code=MC,
        suppression_id=suppression_id,
        kind=kind,
        atena_number=atena_number,
        household_number=household_number,
        processes=processes,
        level=level,
        starts_on=starts_on,
        ends_on=ends_on,
        reason=reason,
        details=details,
        set_by="officer",
        set_at=NOW,
    )


def codes(violations: tuple[Any, ...]) -> list[str]:
    return [v.code for v in violations]


dates = st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31))
times = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2080, 1, 1), timezones=st.just(UTC)
)
kinds = st.sampled_from(list(SuppressionKind))
levels = st.sampled_from([ERROR, ALERT])
process_sets = st.frozensets(st.sampled_from(ALL_PROCESSES), min_size=1)


# --- DV support periods (§3.4) -----------------------------------------------------------------


@pytest.mark.spec("3.4")
@pytest.mark.parametrize(
    ("starts_on", "ends_on"),
    [
        (date(2020, 4, 1), date(2021, 3, 31)),  # the standard's example (令和2年4月1日)
        (date(2020, 2, 29), date(2021, 2, 28)),  # no 29 February next year: end of February
        (date(2019, 3, 1), date(2020, 2, 29)),  # the year ending in a leap February
        (date(2020, 3, 1), date(2021, 2, 28)),
        (date(2019, 2, 28), date(2020, 2, 27)),
        (date(2026, 1, 1), date(2026, 12, 31)),
    ],
)
def test_a_dv_support_period_is_one_year_ending_the_day_before_the_anniversary(
    starts_on: date, ends_on: date
) -> None:
    assert dv_period_end(starts_on) == ends_on


@pytest.mark.spec("3.4")
@given(dates)
def test_a_dv_support_period_is_always_one_year(starts_on: date) -> None:
    end = dv_period_end(starts_on)
    assert (end - starts_on).days in (364, 365)
    following = end + timedelta(days=1)  # the first day after the period: the anniversary
    if (starts_on.month, starts_on.day) == (2, 29):
        assert (following.year, following.month, following.day) == (starts_on.year + 1, 3, 1)
    else:
        assert following == starts_on.replace(year=starts_on.year + 1)


@pytest.mark.spec("3.4")
@given(dates, st.integers(min_value=1, max_value=5))
def test_extensions_follow_on_without_gap_or_overlap(starts_on: date, years: int) -> None:
    end = dv_period_end(starts_on)
    for _ in range(years):
        new_end = extended_end(end)
        assert new_end == dv_period_end(end + timedelta(days=1))
        assert (new_end - end).days in (365, 366)
        end = new_end
    if (starts_on.month, starts_on.day) == (4, 1):
        assert (end.month, end.day) == (3, 31)


def test_a_month_long_period_ends_the_day_before_the_same_date_or_at_the_end_of_the_month() -> None:
    assert months_later_end(date(2021, 1, 15), 1) == date(2021, 2, 14)
    assert months_later_end(date(2021, 1, 31), 1) == date(2021, 2, 28)
    assert months_later_end(date(2024, 1, 30), 1) == date(2024, 2, 29)
    assert months_later_end(date(2021, 12, 1), 1) == date(2021, 12, 31)
    with pytest.raises(ValueError):
        months_later_end(date(2021, 1, 1), 0)


@pytest.mark.spec("3.4")
@pytest.mark.parametrize(
    ("ends_on", "opens_on"),
    [
        (date(2021, 3, 31), date(2021, 3, 1)),
        (date(2021, 3, 15), date(2021, 2, 16)),
        (date(2021, 2, 28), date(2021, 1, 29)),
        (date(2024, 2, 29), date(2024, 1, 30)),
    ],
)
def test_the_last_month_of_a_period_begins_one_month_before_its_end(
    ends_on: date, opens_on: date
) -> None:
    assert one_month_before_end(ends_on) == opens_on


@pytest.mark.spec("3.4")
@given(dates)
def test_one_month_before_the_end_is_the_first_day_the_period_ends_within_a_month(
    ends_on: date,
) -> None:
    opens = one_month_before_end(ends_on)
    assert 27 <= (ends_on - opens).days <= 31
    assert months_later_end(opens, 1) >= ends_on
    assert months_later_end(opens - timedelta(days=1), 1) < ends_on


# --- in force, end date, lift, temporary release (§3.1) ------------------------------------------


@pytest.mark.spec("3.1")
@given(
    kinds,
    process_sets,
    levels,
    dates,
    st.integers(min_value=0, max_value=400),
    st.integers(min_value=0, max_value=20_000),
    times,
)
def test_the_end_date_never_lifts_a_setting(
    kind: SuppressionKind,
    processes: frozenset[Process],
    level: Severity,
    starts_on: date,
    length: int,
    days_after_start: int,
    now: datetime,
) -> None:
    setting = a_setting(
        kind,
        processes=processes,
        level=level,
        starts_on=starts_on,
        ends_on=starts_on + timedelta(days=length),
    )
    today = starts_on + timedelta(days=days_after_start)  # often long after the end date
    assert setting.status(today=today, now=now) is Status.IN_FORCE
    for process in processes:
        found = check(process, [setting], today=today, now=now)
        assert [v.severity for v in found if v.code.endswith((".blocked", ".alert"))] == [level]


@pytest.mark.spec("3.1")
@given(kinds, process_sets, levels, times, st.integers(min_value=1, max_value=480))
def test_a_temporary_release_suspends_the_setting_and_expires_by_itself(
    kind: SuppressionKind,
    processes: frozenset[Process],
    level: Severity,
    now: datetime,
    minutes: int,
) -> None:
    today = date(2026, 11, 26)
    setting = a_setting(kind, processes=processes, level=level, starts_on=date(2026, 4, 1))
    until = now + timedelta(minutes=minutes)
    released = release(setting, by="officer", today=today, now=now, until=until)
    assert released.released_until == until and released.released_by == "officer"
    assert released.version == setting.version + 1

    def guarded(at: datetime) -> set[Process]:
        return {p for p in ALL_PROCESSES if released.guards(p, today=today, now=at)}

    during = now + timedelta(minutes=minutes) - timedelta(microseconds=1)
    assert released.status(today=today, now=during) is Status.RELEASED
    # A release is not passed on to the other systems (§3.1): FEED stays guarded.
    assert guarded(now) == guarded(during) == processes & {Process.FEED}
    assert released.status(today=today, now=until) is Status.IN_FORCE
    assert guarded(until) == guarded(until + timedelta(days=3)) == processes


@pytest.mark.spec("3.1")
@given(kinds, process_sets, levels, times, st.integers(min_value=0, max_value=20_000))
def test_a_lifted_setting_never_applies_again(
    kind: SuppressionKind,
    processes: frozenset[Process],
    level: Severity,
    now: datetime,
    days: int,
) -> None:
    setting = a_setting(kind, processes=processes, level=level)
    lifted = lift(setting, by="officer", at=now)
    assert (lifted.lifted_by, lifted.lifted_at, lifted.version) == ("officer", now, 2)
    today = setting.starts_on + timedelta(days=days)
    assert lifted.status(today=today, now=now) is Status.LIFTED
    for process in ALL_PROCESSES:
        assert applicable(process, [lifted], today=today, now=now) == ()
    assert flags_for([lifted], today=today, now=now) == ()


@pytest.mark.spec("3.1")
def test_a_setting_applies_from_its_start_date() -> None:
    setting = a_setting(processes=[Process.ISSUE], starts_on=date(2026, 12, 1))
    assert setting.status(today=date(2026, 11, 30), now=NOW) is Status.SCHEDULED
    assert check(Process.ISSUE, [setting], today=date(2026, 11, 30), now=NOW) == ()
    assert codes(check(Process.ISSUE, [setting], today=date(2026, 12, 1), now=NOW)) == [
        "suppression.blocked"
    ]


def test_a_lifted_setting_cannot_be_lifted_or_released() -> None:
    lifted = lift(a_setting(), by="officer", at=NOW)
    with pytest.raises(DomainError) as again:
        lift(lifted, by="officer", at=NOW)
    with pytest.raises(DomainError) as released:
        release(lifted, by="o", today=TODAY, now=NOW, until=NOW + timedelta(minutes=5))
    with pytest.raises(DomainError) as amended:
        amend_end(lifted, date(2027, 1, 1))
    for refusal in (again, released, amended):
        violation(refusal.value, "suppression.lifted", "suppression_id")


def test_a_setting_that_has_not_started_cannot_be_released() -> None:
    setting = a_setting(starts_on=TODAY + timedelta(days=1))
    with pytest.raises(DomainError) as refusal:
        release(setting, by="o", today=TODAY, now=NOW, until=NOW + timedelta(minutes=5))
    violation(refusal.value, "suppression.not_started")
    with pytest.raises(DomainError) as refusal:
        release(a_setting(), by="o", today=TODAY, now=NOW, until=NOW)
    violation(refusal.value, "suppression.release_until", "minutes")


@pytest.mark.spec("3.1")
def test_several_settings_each_with_its_processes_and_level() -> None:
    blocks_issue = a_setting(processes=[Process.ISSUE, Process.FEED], level=ERROR)
    warns_change = a_setting(processes=[Process.CHANGE, Process.ISSUE], level=ALERT)
    settings = [warns_change, blocks_issue]
    issue = check(Process.ISSUE, settings, today=TODAY, now=NOW)
    assert codes(issue) == ["suppression.blocked", "suppression.alert"]  # errors first
    v = violation(RuleViolations(*issue), "suppression.blocked", "atena_number", ERROR)
    assert v.message == "この方は証明書発行が抑止されています"
    change = check(Process.CHANGE, settings, today=TODAY, now=NOW)
    assert codes(change) == ["suppression.alert"]
    assert change[0].severity is ALERT and "異動入力" in change[0].message
    assert check(Process.VIEW, settings, today=TODAY, now=NOW) == ()
    assert codes(check(Process.FEED, settings, today=TODAY, now=NOW)) == ["suppression.blocked"]


def test_identical_violations_from_two_settings_are_reported_once() -> None:
    twice = [a_setting(suppression_id="a"), a_setting(suppression_id="b")]
    assert codes(check(Process.ISSUE, twice, today=TODAY, now=NOW)) == ["suppression.blocked"]


@pytest.mark.spec("3.1")
def test_a_household_setting_applies_to_every_member_of_the_household() -> None:
    setting = a_setting(atena_number=None, household_number=HOUSEHOLD)
    assert setting.applies_to(ATENA, HOUSEHOLD) and setting.applies_to(OTHER_ATENA, HOUSEHOLD)
    assert not setting.applies_to(ATENA, HouseholdNumber.from_serial(2).value)
    assert not setting.applies_to(ATENA, None)
    personal = a_setting()
    assert personal.applies_to(ATENA, None) and not personal.applies_to(OTHER_ATENA, HOUSEHOLD)


def test_messages_name_the_person_when_asked_to() -> None:
    found = check(Process.ISSUE, [a_setting()], today=TODAY, now=NOW, person=ATENA)
    assert found[0].message == f"宛名番号 {ATENA} の方は証明書発行が抑止されています"


# --- acknowledging alerts ------------------------------------------------------------------------


@pytest.mark.spec("3.1")
def test_an_acknowledged_alert_no_longer_stops_the_process() -> None:
    settings = [a_setting(level=ALERT)]
    assert codes(check(Process.ISSUE, settings, today=TODAY, now=NOW)) == ["suppression.alert"]
    ack = frozenset({"suppression.alert"})
    assert check(Process.ISSUE, settings, today=TODAY, now=NOW, acknowledged=ack) == ()
    found = applicable(Process.ISSUE, settings, today=TODAY, now=NOW)
    with pytest.raises(RuleViolations) as refusal:
        enforce(found)
    violation(refusal.value, "suppression.alert", "atena_number", ALERT)
    assert enforce(found, ack) == found


@pytest.mark.spec("3.1")
def test_an_error_cannot_be_acknowledged() -> None:
    settings = [a_setting(level=ERROR)]
    ack = frozenset({"suppression.blocked"})
    assert codes(check(Process.ISSUE, settings, today=TODAY, now=NOW, acknowledged=ack)) == [
        "suppression.blocked"
    ]
    with pytest.raises(RuleViolations):
        enforce(applicable(Process.ISSUE, settings, today=TODAY, now=NOW), ack)
    assert enforce(()) == ()


# --- DV support (§3.4) -------------------------------------------------------------------------


@pytest.mark.spec("3.4")
def test_dv_support_refuses_copies_by_default_and_ends_after_one_year() -> None:
    setting = a_setting(DV, starts_on=date(2020, 4, 1))
    assert setting.processes == {Process.ISSUE} and setting.level is ERROR
    assert setting.ends_on == date(2021, 3, 31)
    found = check(Process.ISSUE, [setting], today=date(2020, 6, 1), now=NOW)
    v = violation(RuleViolations(*found), "dv_support.blocked", "atena_number", ERROR)
    assert v.message == "この方は支援措置の対象者です。住民票の写し等の交付はできません"
    assert check(Process.CHANGE, [setting], today=date(2020, 6, 1), now=NOW) == ()
    assert check(Process.FEED, [setting], today=date(2020, 6, 1), now=NOW) == ()


@pytest.mark.spec("3.4")
def test_the_end_date_of_dv_support_can_be_given_instead() -> None:
    setting = a_setting(DV, starts_on=date(2020, 4, 1), ends_on=date(2020, 9, 30))
    assert setting.ends_on == date(2020, 9, 30)
    amended = amend_end(setting, date(2021, 1, 31))
    assert amended.ends_on == date(2021, 1, 31) and amended.version == 2
    with pytest.raises(InvalidValue) as refusal:
        amend_end(setting, None)
    violation(refusal.value, "dv_support.ends_on_required", "ends_on")
    with pytest.raises(InvalidValue) as refusal:
        amend_end(setting, date(2020, 3, 31))
    violation(refusal.value, "suppression.ends_before_start", "ends_on")
    assert amend_end(a_setting(ends_on=date(2027, 1, 1)), None).ends_on is None


@pytest.mark.spec("3.4")
def test_viewing_a_protected_person_always_shows_that_they_are_protected() -> None:
    dv = a_setting(DV, starts_on=date(2026, 4, 1))
    found = check(Process.VIEW, [dv], today=TODAY, now=NOW)
    v = violation(RuleViolations(*found), "dv_support.notice", "atena_number", ALERT)
    assert v.message == "この方は支援措置の対象者です"
    provisional = a_setting(PROVISIONAL, starts_on=date(2026, 11, 1))
    found = check(Process.VIEW, [provisional], today=TODAY, now=NOW)
    assert violation(RuleViolations(*found), "provisional_dv_support.notice").message == (
        "この方は仮支援措置の対象者です"
    )
    # Released for the counter: the error is suspended, the person is still shown as protected.
    released = release(dv, by="dv", today=TODAY, now=NOW, until=NOW + timedelta(minutes=30))
    assert check(Process.ISSUE, [released], today=TODAY, now=NOW) == ()
    assert codes(check(Process.VIEW, [released], today=TODAY, now=NOW)) == ["dv_support.notice"]


@pytest.mark.spec("3.4")
def test_a_dv_setting_on_view_replaces_the_notice_by_its_own_error_or_alert() -> None:
    blocked = a_setting(DV, processes=[Process.VIEW, Process.ISSUE], starts_on=date(2026, 4, 1))
    assert codes(check(Process.VIEW, [blocked], today=TODAY, now=NOW)) == ["dv_support.blocked"]
    warned = a_setting(DV, processes=[Process.VIEW], level=ALERT, starts_on=date(2026, 4, 1))
    assert codes(check(Process.VIEW, [warned], today=TODAY, now=NOW)) == ["dv_support.alert"]


@pytest.mark.spec("3.4")
def test_viewing_warns_from_one_month_before_the_end_and_after_the_end() -> None:
    setting = a_setting(DV, starts_on=date(2020, 4, 1))  # ends 2021-03-31

    def view_codes(today: date) -> list[str]:
        return codes(applicable(Process.VIEW, [setting], today=today, now=NOW))

    assert view_codes(date(2021, 2, 28)) == ["dv_support.notice"]
    assert view_codes(date(2021, 3, 1)) == ["dv_support.notice", "dv_support.ending_soon"]
    soon = applicable(Process.VIEW, [setting], today=date(2021, 3, 31), now=NOW)
    assert soon[1].message == "この方の支援措置の期間が1か月以内に終了します"
    assert view_codes(date(2021, 4, 1)) == ["dv_support.notice", "dv_support.ended"]
    assert (
        "期間が終了しています"
        in applicable(Process.VIEW, [setting], today=date(2021, 4, 1), now=NOW)[1].message
    )
    # Not lifted: after the end it still refuses copies (§3.1: the end date lifts nothing).
    assert codes(check(Process.ISSUE, [setting], today=date(2023, 4, 1), now=NOW)) == [
        "dv_support.blocked"
    ]
    # The period alerts appear on 照会 only.
    assert codes(check(Process.ISSUE, [setting], today=date(2021, 3, 15), now=NOW)) == [
        "dv_support.blocked"
    ]


@pytest.mark.spec("3.4")
def test_dv_support_can_be_extended_from_one_month_before_its_end() -> None:
    setting = a_setting(DV, starts_on=date(2020, 4, 1))  # ends 2021-03-31
    with pytest.raises(DomainError) as refusal:
        extend(setting, today=date(2021, 2, 28))
    v = violation(refusal.value, "dv_support.extension_too_early", "suppression_id")
    assert "2021-03-01" in v.message
    extended = extend(setting, today=date(2021, 3, 1))
    assert extended.ends_on == date(2022, 3, 31)
    assert (extended.starts_on, extended.version) == (date(2020, 4, 1), 2)
    assert applicable(Process.VIEW, [extended], today=date(2021, 4, 1), now=NOW)[-1].code == (
        "dv_support.notice"
    )
    # Not lifted after its end: it may still be extended, from the day after the old end.
    assert extend(setting, today=date(2021, 6, 1)).ends_on == date(2022, 3, 31)


@pytest.mark.spec("3.4")
def test_only_dv_support_is_extended() -> None:
    for kind in (SUPPRESSION, PROVISIONAL):
        with pytest.raises(DomainError) as refusal:
            extend(a_setting(kind, ends_on=date(2026, 12, 1)), today=date(2026, 11, 26))
        violation(refusal.value, "dv_support.not_extendable")
    with pytest.raises(DomainError) as refusal:
        extend(lift(a_setting(DV), by="dv", at=NOW), today=date(2027, 3, 31))
    violation(refusal.value, "suppression.lifted")


@pytest.mark.spec("3.4")
def test_provisional_dv_support_blocks_like_dv_support_without_a_period() -> None:
    setting = a_setting(PROVISIONAL, starts_on=date(2026, 11, 1))
    assert setting.ends_on is None and setting.processes == {Process.ISSUE}
    found = check(Process.ISSUE, [setting], today=TODAY, now=NOW)
    v = violation(RuleViolations(*found), "provisional_dv_support.blocked", severity=ERROR)
    assert v.message == "この方は仮支援措置の対象者です。住民票の写し等の交付はできません"
    # Years later and never lifted: it still blocks, and no period alert is invented.
    later = date(2030, 1, 1)
    assert codes(applicable(Process.VIEW, [setting], today=later, now=NOW)) == [
        "provisional_dv_support.notice"
    ]
    assert codes(check(Process.ISSUE, [setting], today=later, now=NOW)) == [
        "provisional_dv_support.blocked"
    ]


def _settable(reason: str) -> bool:
    try:
        SUPPRESSION_REASON.read(reason, "reason")
    except DomainError:
        return False
    return True


@pytest.mark.spec("3.4")
@given(
    # Letters and digits: most arbitrary text is no reason the text rules accept, and filtering
    # it out would leave Hypothesis too few examples (its health check fails the test).
    st.text(st.characters(categories=("L", "N")), min_size=3, max_size=40),
    st.text(min_size=3, max_size=40),
    st.sampled_from([DV, PROVISIONAL]),
    process_sets,
    levels,
    st.integers(min_value=0, max_value=1000),
)
def test_dv_messages_never_reveal_the_reason_or_details(
    reason: str,
    secret: str,
    kind: SuppressionKind,
    processes: frozenset[Process],
    level: Severity,
    days: int,
) -> None:
    assume(secret.strip() and reason.strip())
    assume(_settable(reason))  # a reason the text rules refuse never makes a setting
    setting = a_setting(
        kind,
        processes=processes,
        level=level,
        reason=reason,
        details={"perpetrator": secret, "new_address": secret},
        starts_on=date(2026, 1, 1),
    )
    today = date(2026, 1, 1) + timedelta(days=days)
    for process in ALL_PROCESSES:
        for v in applicable(process, [setting], today=today, now=NOW):
            if len(setting.reason) >= 3:
                assert setting.reason not in v.message
            if len(secret.strip()) >= 3:
                assert secret not in v.message


@pytest.mark.spec("3.4")
def test_reason_and_details_of_dv_settings_are_redacted() -> None:
    dv = a_setting(DV, details={"加害者": "元配偶者"}, reason="DV等支援措置申出")
    hidden = redacted(dv)
    assert (hidden.reason, dict(hidden.details)) == ("", {})
    assert (hidden.kind, hidden.processes, hidden.ends_on) == (dv.kind, dv.processes, dv.ends_on)
    plain = a_setting(details={"memo": "照会中"})
    assert redacted(plain) is plain


# --- flags for search results (§3.1) -----------------------------------------------------------


@pytest.mark.spec("3.1")
def test_flags_show_the_kinds_a_person_is_under() -> None:
    dv = a_setting(DV, starts_on=date(2026, 4, 1))
    plain = a_setting(starts_on=date(2026, 4, 1))
    later = a_setting(PROVISIONAL, starts_on=TODAY + timedelta(days=1))
    assert flags_for([dv, later, plain], today=TODAY, now=NOW) == (SUPPRESSION, DV)
    released = release(plain, by="o", today=TODAY, now=NOW, until=NOW + timedelta(minutes=5))
    assert flags_for([released], today=TODAY, now=NOW) == (SUPPRESSION,)
    assert flags_for([], today=TODAY, now=NOW) == ()


# --- validating a new setting ------------------------------------------------------------------


def test_a_new_setting_is_checked_and_every_fault_reported_at_once() -> None:
    with pytest.raises(InvalidValue) as refusal:
        a_setting(
            processes=[],
            starts_on=date(2026, 5, 1),
            ends_on=date(2026, 4, 30),
            reason="  ",
            atena_number=None,
        )
    assert codes(refusal.value.violations) == [
        "suppression.target_required",
        "suppression.processes_required",
        "suppression.ends_before_start",
        "suppression.reason_required",
    ]
    for code in codes(refusal.value.violations):
        violation(refusal.value, code)


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"household_number": HOUSEHOLD}, "suppression.target_ambiguous", "household_number"),
        ({"atena_number": "0000000012"}, "atena_number.check_digit", "atena_number"),
        (
            {"atena_number": None, "household_number": "12"},
            "household_number.format",
            "household_number",
        ),
        ({"processes": ["print"]}, "suppression.process_unknown", "processes"),
        ({"level": "warning"}, "suppression.level_unknown", "level"),
        ({"reason": "理" * 1001}, "suppression.reason_too_long", "reason"),
        ({"details": {"when": date(2026, 1, 1)}}, "suppression.details_invalid", "details"),
        ({"details": {"memo": "x" * 20_001}}, "suppression.details_too_large", "details"),
    ],
)
def test_a_new_setting_refuses(overrides: dict[str, Any], code: str, field: str) -> None:
    with pytest.raises(InvalidValue) as refusal:
        a_setting(**overrides)
    violation(refusal.value, code, field)


def test_an_unknown_kind_is_refused() -> None:
    with pytest.raises(InvalidValue) as refusal:
        a_setting(kind="dv")  # type: ignore[arg-type]
    violation(refusal.value, "suppression.kind_unknown", "kind")


@pytest.mark.spec("3.4")
def test_dv_support_is_set_on_a_person_not_a_household() -> None:
    with pytest.raises(InvalidValue) as refusal:
        a_setting(DV, atena_number=None, household_number=HOUSEHOLD)
    violation(refusal.value, "dv_support.person_required", "household_number")


def test_a_new_setting_keeps_what_it_was_given() -> None:
    setting = a_setting(
        processes=["view", Process.CHANGE],
        level="alert",
        atena_number=ATENA.translate(str.maketrans("0123456789", "０１２３４５６７８９")),
        reason="  理由  ",
        details={"memo": "メモ"},
        ends_on=date(2027, 3, 31),
    )
    assert setting.atena_number == ATENA  # full-width digits are accepted
    assert setting.processes == {Process.VIEW, Process.CHANGE}
    assert (setting.level, setting.reason, setting.version) == (ALERT, "理由", 1)
    assert dict(setting.details) == {"memo": "メモ"}
    assert a_setting(reason="理" * 1000).reason == "理" * 1000
    assert replace(setting, version=3).version == 3
    assert a_setting(processes="issue").processes == {Process.ISSUE}
