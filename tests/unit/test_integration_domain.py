"""The integration domain: webhook signatures, the retry schedule, item scopes, feed entries."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

import pytest

from jichitai.domain.errors import DomainError
from jichitai.domain.integration.feed import ItemSelection, Withheld, feed_change
from jichitai.domain.integration.retry import RetryPolicy
from jichitai.domain.integration.signing import signature, verify
from jichitai.domain.integration.subscribers import (
    SUPPORT_ITEM,
    Subscriber,
    checked_items,
    checked_registration,
)

pytestmark = pytest.mark.spec("7.2.3")

NOW = 1_790_000_000
BODY = '{"seq":1,"氏名":"髙橋"}'.encode()
LAYOUT = ("宛名番号", "個人履歴番号", "世帯番号", "氏_日本人", "生年月日", "個人番号")


def test_a_signature_is_hmac_sha256_over_the_timestamp_and_the_body() -> None:
    header = signature("secret", NOW, BODY)
    expected = hmac.new(b"secret", f"{NOW}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert header == f"t={NOW},v1={expected}"
    assert verify("secret", header, BODY, NOW)
    assert verify("secret", header, BODY, NOW + 300)  # within the tolerance


@pytest.mark.parametrize(
    ("header", "now"),
    [
        (signature("secret", NOW, BODY), NOW + 301),  # too old: a replay
        (signature("secret", NOW, BODY), NOW - 301),  # from the future
        (signature("other", NOW, BODY), NOW),
        (signature("secret", NOW, BODY).replace(f"t={NOW}", f"t={NOW + 1}"), NOW),  # t changed
        ("v1=" + "0" * 64, NOW),  # no timestamp
        (f"t={NOW},t={NOW},v1=00", NOW),  # two timestamps
        ("t=abc,v1=00", NOW),
        ("", NOW),
    ],
)
def test_a_wrong_old_or_malformed_signature_is_refused(header: str, now: int) -> None:
    assert not verify("secret", header, BODY, now)


def test_a_changed_body_is_refused_and_a_second_v1_may_carry_a_new_secret() -> None:
    header = signature("secret", NOW, BODY)
    assert not verify("secret", header, BODY + b" ", NOW)
    rotated = header + "," + signature("new", NOW, BODY).split(",")[1]
    assert verify("new", rotated, BODY, NOW) and verify("secret", rotated, BODY, NOW)


def test_retries_back_off_exponentially_up_to_the_cap_then_give_up() -> None:
    policy = RetryPolicy(base_seconds=1, cap_seconds=10, max_attempts=6)
    at = datetime(2026, 11, 26, tzinfo=UTC)
    delays = [policy.next_attempt(n, at) for n in range(1, 7)]
    assert [d - at if d else None for d in delays] == [
        timedelta(seconds=1),
        timedelta(seconds=2),
        timedelta(seconds=4),
        timedelta(seconds=8),
        timedelta(seconds=10),
        None,
    ]
    with pytest.raises(ValueError):
        RetryPolicy(base_seconds=0)
    default = RetryPolicy()
    total = sum((default.delay(n) for n in range(1, default.max_attempts)), timedelta())
    assert timedelta(minutes=30) < total < timedelta(hours=1)


def test_items_keep_the_layouts_order_always_include_the_keys_and_refuse_what_is_unknown() -> None:
    assert checked_items(["生年月日", "氏_日本人"], LAYOUT, my_number_allowed=False) == (
        "宛名番号",
        "世帯番号",
        "氏_日本人",
        "生年月日",
    )
    assert checked_items([SUPPORT_ITEM], LAYOUT, my_number_allowed=False)[-1] == SUPPORT_ITEM
    with pytest.raises(DomainError) as refused:
        checked_items(["個人番号", "好物", "年収"], LAYOUT, my_number_allowed=False)
    assert [v.code for v in refused.value.violations] == [
        "subscriber.unknown_item",
        "subscriber.unknown_item",
        "subscriber.my_number_not_allowed",
    ]
    assert "個人番号" in checked_items(["個人番号"], LAYOUT, my_number_allowed=True)


@pytest.mark.parametrize(
    ("name", "system", "url", "code"),
    [
        ("", "elections", None, "subscriber.name_invalid"),
        ("選挙", "lottery", None, "subscriber.unknown_system"),
        ("選挙", "elections", "ftp://host/x", "subscriber.webhook_url_invalid"),
        ("選挙", "elections", "http:///no-host", "subscriber.webhook_url_invalid"),
    ],
)
def test_a_registration_with_a_bad_name_system_or_url_is_refused(
    name: str, system: str, url: str | None, code: str
) -> None:
    with pytest.raises(DomainError) as refused:
        checked_registration(name, system, url)
    assert refused.value.code == code


def a_subscriber(items: tuple[str, ...], my_number: bool = False) -> Subscriber:
    at = datetime(2026, 11, 26, tzinfo=UTC)
    return Subscriber(
        "131016", "s-1", "税", "individual_resident_tax", items, my_number, "h", None, None,
        False, at, at,
    )  # fmt: skip


def test_a_feed_entry_keeps_its_place_but_leaves_withheld_persons_and_unscoped_items_out() -> None:
    def row(primitive: dict[str, str], cells: frozenset[int]) -> list[str]:
        return [primitive["atena_number"], "1", primitive["household_number"], primitive["name"],
                "19800101", primitive.get("number", "")]  # fmt: skip

    subscriber = a_subscriber(("宛名番号", "世帯番号", "氏_日本人", "個人番号", SUPPORT_ITEM))
    selection = ItemSelection.of(LAYOUT, subscriber)
    entry = {
        "seq": 7, "event_id": "e", "kind": "move_in", "reason": "domestic_move_in",
        "reason_group": "entry", "effective_on": "2026-11-01", "filed_on": None,
        "recorded_at": "2026-11-26T00:00:00+00:00", "corrects_event_id": None,
    }  # fmt: skip
    payload = {
        "households": ["0000000019"],
        "records": [
            {"atena_number": "0000000019", "household_number": "0000000019", "name": "旧",
             "number": "123456789018"},
            {"atena_number": "0000000027", "household_number": "0000000019", "name": "妻"},
            {"atena_number": "0000000019", "household_number": "0000000019", "name": "髙橋"},
            {"atena_number": "0000000035", "household_number": "0000000019", "name": "秘",
             "hidden_from_other_systems": True},
        ],
    }  # fmt: skip
    change = feed_change(
        entry, payload["records"], row, selection, Withheld(frozenset({"0000000027"}), frozenset())
    )
    assert change["cursor"] == "7" and change["reason_label"] == "国内転入"
    # The last snapshot of a person is the resulting state; no My Number without the duty.
    assert change["records"] == [
        {"宛名番号": "0000000019", "世帯番号": "0000000019", "氏_日本人": "髙橋", SUPPORT_ITEM: "0"}
    ]
    assert change["persons"] == ["0000000019"] and change["withheld"] == 2
    allowed = ItemSelection.of(LAYOUT, a_subscriber(("宛名番号", "個人番号"), my_number=True))
    assert allowed.names == ("宛名番号", "個人番号")
