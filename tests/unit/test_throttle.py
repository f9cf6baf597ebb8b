"""The rate limit shared by the doors a stranger can reach (log-in, /verify)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from jichitai.services.throttle import Limit, Throttle
from tests.fakes import FixedClock


def a_throttle(clock: FixedClock, limit: int = 3, seconds: int = 60, **kw: int) -> Throttle:
    return Throttle(clock, Limit(limit, timedelta(seconds=seconds)), **kw)


def test_a_key_may_have_its_limit_of_events_in_the_window_then_waits_for_the_oldest() -> None:
    clock = FixedClock()
    throttle = a_throttle(clock)
    assert [throttle.take("a") for _ in range(3)] == [None, None, None]
    assert throttle.take("a") == timedelta(seconds=60)
    clock.at += timedelta(seconds=59)
    assert throttle.retry_after("a") == timedelta(seconds=1)
    clock.at += timedelta(seconds=1)
    assert throttle.take("a") is None


def test_keys_are_counted_apart_and_a_refused_take_counts_nothing() -> None:
    clock = FixedClock()
    throttle = a_throttle(clock, limit=1)
    assert throttle.take("a") is None
    assert throttle.take("a") is not None
    assert throttle.take("b") is None
    clock.at += timedelta(seconds=60)
    assert throttle.take("a") is None


def test_hit_counts_even_past_the_limit_and_forget_clears() -> None:
    clock = FixedClock()
    throttle = a_throttle(clock, limit=2)
    for _ in range(5):
        throttle.hit("a")
    assert throttle.retry_after("a") is not None
    throttle.forget("a")
    assert throttle.retry_after("a") is None


def test_memory_is_bounded_by_forgetting_the_least_recently_used_keys() -> None:
    clock = FixedClock()
    throttle = a_throttle(clock, limit=1, max_keys=2)
    throttle.hit("a")
    throttle.hit("b")
    throttle.hit("c")
    assert throttle.retry_after("a") is None
    assert throttle.retry_after("b") is not None
    assert throttle.retry_after("c") is not None


def test_a_limit_needs_a_positive_window_and_count() -> None:
    with pytest.raises(ValueError):
        Limit(0, timedelta(seconds=1))
    with pytest.raises(ValueError):
        Limit(1, timedelta(0))


def test_forgetting_a_prefix_clears_those_keys_only() -> None:
    clock = FixedClock()
    throttle = a_throttle(clock, limit=1)
    for key in ("tanaka\x00a", "tanaka\x00b", "tanaka2\x00a"):
        throttle.hit(key)
    throttle.forget_prefix("tanaka\x00")
    assert throttle.retry_after("tanaka\x00a") is None
    assert throttle.retry_after("tanaka\x00b") is None
    assert throttle.retry_after("tanaka2\x00a") is not None
