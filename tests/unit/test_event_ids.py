"""Journal event ids are UUID version 7: unique, and ordered by the time they were recorded."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from jichitai.services.event_ids import time_ordered_id

START = datetime(2026, 11, 26, tzinfo=UTC)


@given(
    st.integers(min_value=0, max_value=10**9),
    st.integers(min_value=1, max_value=10**6),
    st.integers(min_value=0, max_value=(1 << 74) - 1),
    st.integers(min_value=0, max_value=(1 << 74) - 1),
)
def test_a_later_millisecond_always_sorts_after_an_earlier_one(
    offset_ms: int, gap_ms: int, bits_a: int, bits_b: int
) -> None:
    earlier = START + timedelta(milliseconds=offset_ms)
    later = earlier + timedelta(milliseconds=gap_ms)
    assert time_ordered_id(earlier, bits_a) < time_ordered_id(later, bits_b)


def test_an_event_id_is_a_version_7_rfc_9562_uuid_keeping_all_random_bits() -> None:
    value = uuid.UUID(time_ordered_id(START, (1 << 74) - 1))
    assert value.version == 7
    assert value.variant == uuid.RFC_4122
    assert time_ordered_id(START, 1) != time_ordered_id(START, 2)
    assert time_ordered_id(START, 1 << 73) != time_ordered_id(START, 0)
