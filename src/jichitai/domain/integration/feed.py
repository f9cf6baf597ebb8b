"""A change as a subscriber receives it: the event, and the resulting records cut down to the
subscriber's items.

The register's journal keeps every approved change with the snapshots it produced (drafts are
never in it). What a subscriber may not receive is **absent**, not null: an item outside its
scope has no key, and a person who is withheld (他業務参照不可, or a suppression or DV support
measure that stops passing data to other systems) is left out of the change's records. The
change itself is still delivered, with its cursor and the withheld persons' 宛名番号s and nothing
else (``withheld_persons``), so the subscriber's place in the feed never jumps and it knows whom
to stop keeping. A subscriber whose duty the administrator exempted (``withheld_duties``, e.g. the
election roll) receives them as anyone else (``Withheld.exempt``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from jichitai.domain.integration.subscribers import SUPPORT_ITEM, Subscriber
from jichitai.domain.residents.reasons import ChangeReason

TOOK_EFFECT = "took_effect"
"""The kind of the entry that tells that a planned change's day has come (no 異動 of its own)."""


def took_effect_key(seq: int) -> str:
    """The idempotency key of the ``took_effect`` entry for the planned change ``seq``: the
    journal keeps keys unique, so the entry is never appended twice."""
    return f"{TOOK_EFFECT}:{seq}"


def took_effect_of(idempotency_key: str | None) -> int:
    """The seq of the planned change a ``took_effect`` entry tells of (from its key)."""
    return int((idempotency_key or ":0").rsplit(":", 1)[1])


PROTECTION = "protection"
"""The kind of the entry that tells that a 抑止・支援措置 setting guarding feeds, or a support
measure, began or ended applying (no 異動 of its own: no history number, no 届出)."""
PROTECTION_SET = "protection_set"
"""Its reason when the setting begins to apply (set, or its start day came)."""
PROTECTION_LIFTED = "protection_lifted"
"""Its reason when the setting is lifted (解除)."""
PROTECTION_GROUP = "protection"
"""Its reason group (neither 記載, 消除 nor 修正)."""
PROTECTION_LABELS: Mapping[str, str] = {
    PROTECTION_SET: "提供停止・支援措置の開始",
    PROTECTION_LIFTED: "提供停止・支援措置の解除",
}
PROTECTION_GROUP_LABEL = "提供停止・支援措置（異動ではない）"

NOT_CHANGES = frozenset({TOOK_EFFECT, PROTECTION})
"""The kinds of journal entry that are no 異動: no snapshot of their own, no history number, not
counted in statistics, never corrected or cancelled."""


def is_system_key(idempotency_key: str) -> bool:
    """Whether the key is in the namespace of the entries the system appends itself
    (``took_effect:…``, ``protection:…``): a change may not be given one, or it would be taken
    for a replay of that entry."""
    return idempotency_key.startswith(tuple(f"{kind}:" for kind in sorted(NOT_CHANGES)))


def protection_key(suppression_id: str, reason: str) -> str:
    """The idempotency key of the ``protection`` entry telling that the setting began
    (``PROTECTION_SET``) or was lifted: each is told once."""
    return f"{PROTECTION}:{suppression_id}:{reason}"


Row = Callable[[Mapping[str, Any], frozenset[int]], Sequence[str]]
"""Turns a snapshot (its primitive form) into the layout's row of cells; only the cells at the
given positions need to be filled."""


@dataclass(frozen=True, slots=True)
class Withheld:
    """What the register says now about passing the persons on (see ``shown_records``)."""

    persons: frozenset[str] = frozenset()
    """Not to be passed on: 他業務参照不可 now, or a setting that stops feeds."""
    supported: frozenset[str] = frozenset()
    """Under 支援措置 or 仮支援措置 now (told to a subscriber that receives ``SUPPORT_ITEM``)."""
    exempt: bool = False
    """The subscriber still receives withheld persons for its duty (``withheld_duties``)."""


@dataclass(frozen=True, slots=True)
class ItemSelection:
    """Which cells of a layout row a subscriber receives, and under which names."""

    positions: tuple[tuple[int, str], ...]
    support: bool = False
    cells: frozenset[int] = frozenset()
    """The positions alone (what the row maker must fill)."""
    """Whether the subscriber receives ``SUPPORT_ITEM`` (after the layout's items)."""

    @classmethod
    def of(cls, header: Sequence[str], subscriber: Subscriber) -> ItemSelection:
        positions = tuple(
            (i, name) for i, name in enumerate(header) if subscriber.may_receive(name)
        )
        return cls(
            positions,
            support=subscriber.may_receive(SUPPORT_ITEM),
            cells=frozenset(i for i, _ in positions),
        )

    def pick(self, row: Sequence[str], supported: bool) -> dict[str, str]:
        picked = {name: row[i] for i, name in self.positions}
        if self.support:
            picked[SUPPORT_ITEM] = "1" if supported else "0"
        return picked

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(name for _, name in self.positions) + ((SUPPORT_ITEM,) if self.support else ())


WITHHELD_EVENT: Mapping[str, Any] = {
    "kind": "withheld",
    "reason": "withheld",
    "reason_group": "withheld",
    "effective_on": None,
    "filed_on": None,
    "recorded_at": None,
    "corrects_event_id": None,
}
"""The event fields of a change that concerns withheld persons only."""


def is_hidden(primitive: Mapping[str, Any]) -> bool:
    """他業務参照不可フラグ on the snapshot."""
    return bool(primitive.get("hidden_from_other_systems"))


def reason_label(reason: str) -> str:
    if reason == "withheld":
        return "提供停止"
    if reason in PROTECTION_LABELS:
        return PROTECTION_LABELS[reason]
    try:
        return ChangeReason(reason).label
    except ValueError:
        return reason


def split_records(
    records: Sequence[Mapping[str, Any]],
    row: Row,
    selection: ItemSelection,
    withheld: Withheld,
) -> tuple[list[dict[str, str]], list[str]]:
    """The records the subscriber may receive (cut to its items) and the 宛名番号s of those
    withheld from it (nothing else of them)."""
    shown: list[dict[str, str]] = []
    held: list[str] = []
    for primitive in records:
        atena = primitive["atena_number"]
        if not withheld.exempt and (is_hidden(primitive) or atena in withheld.persons):
            held.append(atena)
            continue
        shown.append(selection.pick(row(primitive, selection.cells), atena in withheld.supported))
    return shown, held


def shown_records(
    records: Sequence[Mapping[str, Any]],
    row: Row,
    selection: ItemSelection,
    withheld: Withheld,
) -> tuple[list[dict[str, str]], int]:
    """The records the subscriber may receive (cut to its items) and how many were withheld."""
    shown, held = split_records(records, row, selection, withheld)
    return shown, len(held)


def feed_change(
    entry: Mapping[str, Any],
    snapshots: Sequence[Mapping[str, Any]],
    row: Row,
    selection: ItemSelection,
    withheld: Withheld,
    before: Sequence[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    """One change of the feed, as JSON-ready data. A change that concerns withheld persons
    only is told as kind ``withheld`` with no reason and no dates (``WITHHELD_EVENT``): naming
    the persons, it must not say what happened to them or when.

    ``entry`` holds the journal entry's fields (seq, event_id, kind, reason, reason_group,
    effective_on, filed_on, recorded_at, corrects_event_id as text; ``takes_effect``, "planned"
    or "now" (the default), and ``took_effect_of`` for a ``took_effect`` entry); ``snapshots`` are those it
    wrote, in 履歴番号 order. The last snapshot of each person is the resulting state (a change
    may write several). ``before`` holds each person's snapshot just before the change.

    ``persons`` names every person the change wrote a snapshot of, ``households`` every
    household one of them lived in before it or lives in after it (the household a 世帯分離,
    a 転出 or a 死亡 leaves, both households of a 世帯合併): withheld persons excepted.
    """
    latest: dict[str, Mapping[str, Any]] = {}
    for primitive in snapshots:
        latest[primitive["atena_number"]] = primitive
    records, held = split_records(list(latest.values()), row, selection, withheld)
    shown_persons = {r["宛名番号"] for r in records}
    households = sorted(
        {
            p["household_number"]
            for p in (*before, *latest.values())
            if p["atena_number"] in shown_persons and p["household_number"]
        }
    )
    if held and not records:  # nothing but withheld persons: what happened to them is theirs
        entry = {**entry, **WITHHELD_EVENT}
    return {
        "cursor": str(entry["seq"]),
        "seq": entry["seq"],
        "event_id": entry["event_id"],
        "kind": entry["kind"],
        "reason": entry["reason"],
        "reason_label": reason_label(entry["reason"]),
        "reason_group": entry["reason_group"],
        "effective_on": entry["effective_on"],
        "takes_effect": entry.get("takes_effect", "now"),
        "took_effect_of": entry.get("took_effect_of"),
        "filed_on": entry["filed_on"],
        "recorded_at": entry["recorded_at"],
        "corrects_event_id": entry["corrects_event_id"],
        "persons": [r["宛名番号"] for r in records],
        "households": households,
        "records": records,
        "withheld_persons": sorted(held),
        "withheld": len(held),
    }
