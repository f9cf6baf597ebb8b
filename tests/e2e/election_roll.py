"""An election-roll (選挙人名簿) system kept from the integration API: the consumer side of
``tests/e2e/test_election_roll_consumer.py``.

Standard library only, and written from ``docs/integration.md`` alone: it knows the register only
through ``/integration/v1`` (the extract, the feed, ``/withheld`` and ``/persons/{n}``). It is run
as a process (``python -S``, so it cannot lean on jichitai) with its state in a JSON file:

    python election_roll.py --state roll.json --api URL --api-key KEY start --kijunbi 2026-11-26 --today 2026-11-27
    python election_roll.py --state roll.json --api URL --api-key KEY sync --today 2026-11-27
    python election_roll.py --state roll.json roll --on 2026-12-03

How it keeps the roll (the documented rules, nothing else):

* **Dates** ("Dates: what an answer is as of"). A person's record on a day is the record, among
  those dated (``effective_on``) on or before that day, that the register wrote last. The
  consumer keeps every record it is given with the date it holds from and the feed sequence that
  brought it, and answers a day by that rule; so a 転出 announced ahead (``takes_effect:
  planned``) takes the person off the roll from its date and not before, a late 届出 dated before
  the 基準日 changes the roll of the 基準日, and a 取消し or 修正 (a record written later) wins over
  what it puts right. The ``took_effect`` entry brings the records again on the day; applying
  them twice changes nothing.
* **Start** from the extract as of the 基準日 and as of today (``as_of``), then follow the feed
  from the extract's ``X-Jichitai-Feed-Cursor``.
* **Withheld persons** ("Withheld persons"): a 宛名番号 in ``withheld_persons`` or in
  ``/withheld`` is deleted; one that leaves ``/withheld``, or comes back in ``records``, is
  released and read again with ``/persons/{n}`` (as of the 基準日 and as of today).
  ``支援措置対象フラグ`` (given to a subscriber with the duty ``elections``) is judged now,
  whatever the day: the value an entry brings is set on every record kept of the person.

``roll --on DAY`` prints the roll of that day as JSON: 宛名番号 → the record, for every person
whose record that day is a resident's (住民状態 ``1``).
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

RESIDENT = "1"  # 住民状態 of a resident (GET /integration/v1/codes, table 住民状態)
SUPPORT = "支援措置対象フラグ"  # given to a subscriber with a duty for protected persons
PAGE = 500
Record = dict[str, str]


class Api:
    """The integration API with the subscriber's key."""

    def __init__(self, base: str, key: str) -> None:
        self.base = base.rstrip("/")
        self.key = key

    def get(self, path: str, **params: str) -> tuple[bytes, dict[str, str]]:
        query = f"?{urllib.parse.urlencode(params)}" if params else ""
        request = urllib.request.Request(
            f"{self.base}/integration/v1{path}{query}",
            headers={"Authorization": f"Bearer {self.key}"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.read(), {k.lower(): v for k, v in response.headers.items()}

    def json(self, path: str, **params: str) -> Any:
        return json.loads(self.get(path, **params)[0])

    def person(self, atena: str, **params: str) -> Record | None:
        """A person's record, or None when the register has none for the day (404)."""
        try:
            found: Record = self.json(f"/persons/{atena}", **params)["record"]
        except urllib.error.HTTPError as error:
            if error.code == 404:
                return None
            raise
        return found


class Roll:
    """What the consumer keeps: each person's dated records, the cursor and the withheld list."""

    def __init__(self, state: dict[str, Any]) -> None:
        self.kijunbi: str = state["kijunbi"]
        self.cursor: str = state["cursor"]
        self.withheld: set[str] = set(state["withheld"])
        # 宛名番号 → [[effective_on, seq, record], ...]
        self.records: dict[str, list[list[Any]]] = state["records"]

    def state(self) -> dict[str, Any]:
        return {
            "kijunbi": self.kijunbi,
            "cursor": self.cursor,
            "withheld": sorted(self.withheld),
            "records": self.records,
        }

    def keep(self, record: Record, effective_on: str, seq: int) -> None:
        atena = record["宛名番号"]
        if atena in self.withheld:
            return
        dated = self.records.setdefault(atena, [])
        if SUPPORT in record:  # judged now, whatever the day: it holds for every record kept
            for _, _, kept in dated:
                kept[SUPPORT] = record[SUPPORT]
        if [effective_on, seq, record] not in dated:
            dated.append([effective_on, seq, record])

    def forget(self, atena: str) -> None:
        self.withheld.add(atena)
        self.records.pop(atena, None)

    def on(self, day: str) -> dict[str, Record]:
        """The roll of ``day``: each person's record that holds that day, residents only."""
        roll: dict[str, Record] = {}
        for atena, dated in self.records.items():
            holding = [d for d in dated if d[0] <= day]
            if not holding:
                continue
            _, _, record = max(holding, key=lambda d: (d[1], d[0]))
            if record.get("住民状態") == RESIDENT:
                roll[atena] = record
        return roll


def start(api: Api, kijunbi: str, today: str) -> Roll:
    """The extract as of the 基準日 (residents only) and as of today (with the 除票: a person
    on the 基準日's roll who has left since must be known to have left), read at one cursor
    each; the feed is followed from the older of the two (changes in between are applied
    again: harmless)."""
    roll = Roll({"kijunbi": kijunbi, "cursor": "0", "withheld": [], "records": {}})
    cursors = []
    for day in sorted({kijunbi, today}):
        removed = "true" if day == today else "false"
        body, headers = api.get("/extract", as_of=day, include_removed=removed)
        cursor = int(headers["x-jichitai-feed-cursor"])
        cursors.append(cursor)
        for line in body.decode("utf-8").splitlines():
            if line:
                roll.keep(json.loads(line), day, cursor)
    roll.cursor = str(min(cursors))
    roll.withheld = set(api.json("/withheld")["withheld_persons"])
    return roll


def apply(roll: Roll, change: dict[str, Any], api: Api, today: str) -> None:
    """One feed entry (a change, a ``took_effect`` or a ``withheld`` entry)."""
    for atena in change["withheld_persons"]:
        roll.forget(atena)
    seq = int(change["seq"])
    for record in change["records"]:
        if record["宛名番号"] in roll.withheld:
            release(roll, record["宛名番号"], api, seq, today)
        roll.keep(record, change["effective_on"], seq)


def release(roll: Roll, atena: str, api: Api, seq: int, today: str) -> None:
    """A person no longer withheld: read again as of the 基準日 and as of today."""
    roll.withheld.discard(atena)
    for day in sorted({roll.kijunbi, today}):
        record = api.person(atena, as_of=day)
        if record is not None:
            roll.keep(record, day, seq)


def sync(roll: Roll, api: Api, today: str) -> int:
    """Follow the feed to its head, then compare the withheld list; the number of entries."""
    applied = 0
    while True:
        page = api.json("/changes", after=roll.cursor, limit=str(PAGE))
        for change in page["changes"]:
            apply(roll, change, api, today)
            applied += 1
        roll.cursor = page["next_cursor"]
        if not page["has_more"]:
            break
    now = set(api.json("/withheld")["withheld_persons"])
    for atena in sorted(now - roll.withheld):
        roll.forget(atena)
    for atena in sorted(roll.withheld - now):
        release(roll, atena, api, int(roll.cursor), today)
    return applied


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description="選挙人名簿: 住民記録の連携APIから保つ")
    parser.add_argument("--state", type=Path, required=True)
    parser.add_argument("--api", default="")
    parser.add_argument("--api-key", default="")
    commands = parser.add_subparsers(dest="command", required=True)
    begin = commands.add_parser("start")
    begin.add_argument("--kijunbi", required=True)
    begin.add_argument("--today", required=True)
    follow = commands.add_parser("sync")
    follow.add_argument("--today", required=True)
    show = commands.add_parser("roll")
    show.add_argument("--on", required=True)
    args = parser.parse_args(argv)
    api = Api(args.api, args.api_key)
    if args.command == "start":
        roll = start(api, args.kijunbi, args.today)
    else:
        roll = Roll(json.loads(args.state.read_text(encoding="utf-8")))
    if args.command == "roll":
        sys.stdout.write(json.dumps(roll.on(args.on), ensure_ascii=False, sort_keys=True) + "\n")
        return 0
    applied = sync(roll, api, args.today) if args.command == "sync" else 0
    args.state.write_text(json.dumps(roll.state(), ensure_ascii=False), encoding="utf-8")
    sys.stdout.write(json.dumps({"cursor": roll.cursor, "applied": applied}) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
