"""Periods of DV support (民法 第143条): the end of a one-year period, of its extension, and the
day from which the period ends within one month."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

__all__ = [
    "dv_period_end",
    "extended_end",
    "months_later_end",
    "one_month_before_end",
]


def months_later_end(start: date, months: int) -> date:
    """The last day of a period of ``months`` months that begins on ``start`` (民法 第143条).

    The period ends the day before the date that corresponds to ``start`` in the last month; when
    that month has no such date (31st, 29 February), it ends on the last day of that month.
    """
    if months < 1:
        raise ValueError(f"months must be positive, got {months}")
    index = start.year * 12 + start.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last_day = calendar.monthrange(year, month)[1]
    if start.day > last_day:
        return date(year, month, last_day)
    return date(year, month, start.day) - timedelta(days=1)


def dv_period_end(starts_on: date) -> date:
    """支援措置の終了年月日 for a start date: one year (2020-04-01 → 2021-03-31)."""
    return months_later_end(starts_on, 12)


def extended_end(ends_on: date) -> date:
    """The end of the year that follows an extension: one year from the day after ``ends_on``."""
    return dv_period_end(ends_on + timedelta(days=1))


def one_month_before_end(ends_on: date) -> date:
    """The first day on which the period ends within one month (its end date falls inside the
    one-month period that begins that day): 2021-03-31 → 2021-03-01, 2021-03-15 → 2021-02-16.

    From this day on the DV support may be extended and 照会 shows ``dv_support.ending_soon``.
    """
    day = ends_on
    while months_later_end(day - timedelta(days=1), 1) >= ends_on:
        day -= timedelta(days=1)
    return day
