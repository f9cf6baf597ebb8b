"""町字 master benchmark: what the 町字 check costs a change (ADR 0013), against the way it was.

    jichitai bench town-areas                 (--areas 5000 --checks 5000)

1. A fresh SQLite database (a temporary file) with two municipalities: one with a 町字 master of
   ``areas`` 町字 (a large city's), one with none.
2. The check as a change makes it: inside a unit of work, a fresh ``MasterLookup`` (one per
   change) asked ``town_area_fault`` for one 町字 of the master — one indexed read of the 町字
   named. Then for a 町字 not in the master (that read, and one ``EXISTS``), and in the
   municipality with no master (the same two reads, both empty).
3. Baseline, same run, same database: the check as it was before — a ``count`` of the master on
   every change, then the read of the 町字 named with its former ``ORDER BY town_id`` (which
   made SQLite walk every 町字 of the municipality by the primary key instead of the name index).

The last line is the figure:
``town_areas: <n> checks/s (<µs> µs) at <N> 町字; baseline count + read <n> checks/s; ratio <r>; not in master <n>/s; no master <n>/s``
"""

from __future__ import annotations

import random
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from sqlalchemy import select

from jichitai.adapters.db import tables as t
from jichitai.adapters.db.town_area_store import SqlTownAreas, _area
from jichitai.adapters.db.unit_of_work import SqlUnitOfWork
from jichitai.bootstrap import bootstrap
from jichitai.config import Settings
from jichitai.domain.common.address import Address
from jichitai.domain.common.town_areas import TownArea, town_area_fault, town_area_key
from jichitai.services.town_areas import MasterLookup

WITH_MASTER = "131016"
WITHOUT_MASTER = "131024"
ON = date(2026, 11, 26)
KANJI = "東西南北上下中本新旧大小山川田森林松竹梅桜花岡村野原島宮浜谷沢橋"
CHOME = ("", "一丁目", "二丁目", "三丁目", "四丁目", "五丁目", "六丁目")


def master(count: int, rng: random.Random) -> list[TownArea]:
    """``count`` distinct 町字 (大字・町 with or without 丁目)."""
    areas: dict[str, TownArea] = {}
    while len(areas) < count:
        oaza = "".join(rng.choice(KANJI) for _ in range(rng.randint(2, 4))) + "町"
        chome = rng.choice(CHOME)
        area = TownArea(f"{len(areas) + 1:07d}", "2" if chome else "1", oaza, chome)
        areas.setdefault(area.key, area)
    return list(areas.values())


def address(town_area: str) -> Address:
    return Address.create(prefecture="東京都", city="千代田区", town_area=town_area, lot_text="1番")


def timed(uow_for: Callable[[], SqlUnitOfWork], check: Callable[[SqlUnitOfWork], object],
          checks: int) -> float:  # fmt: skip
    """Checks per second, ``check`` run ``checks`` times inside one read unit of work."""
    with uow_for() as uow:
        for _ in range(min(200, checks)):  # warm the statement cache and the pages
            check(uow)
        started = time.perf_counter()
        for _ in range(checks):
            check(uow)
        return checks / (time.perf_counter() - started)


class Before(SqlTownAreas):
    """The repository's read of the 町字 named as it was (ordered by the database)."""

    def named(self, key: str) -> list[TownArea]:
        c = t.town_areas.c
        rows = self._conn.execute(
            select(t.town_areas)
            .where(c.municipality_code == self._mc, c.name_key == key)
            .order_by(c.town_id)
        )
        return [_area(row) for row in rows]


def old_way(repository: Before, key: str) -> bool:
    """The check before: count the master on every change, then read the 町字 named."""
    if repository.count() == 0:
        return True
    return any(area.valid_on(ON) for area in repository.named(key))


def run(*, areas: int = 5_000, checks: int = 5_000, seed: int = 1) -> None:
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory(prefix="jichitai-bench-") as tmp:
        app = bootstrap(Settings(database_url=f"sqlite:///{Path(tmp) / 'bench.db'}"))
        app.upgrade_database()
        app.municipalities.add(WITH_MASTER, "東京都千代田区")
        app.municipalities.add(WITHOUT_MASTER, "東京都中央区")
        loaded = master(areas, rng)
        with SqlUnitOfWork(app.engine, WITH_MASTER) as uow:
            uow.town_areas.replace(loaded)
            uow.commit()
        names = [rng.choice(loaded).name for _ in range(64)]
        inside = [address(name) for name in names]
        keys = [town_area_key(name) for name in names]
        outside = address("幻町九丁目")

        def with_master() -> SqlUnitOfWork:
            return SqlUnitOfWork(app.engine, WITH_MASTER)

        def without_master() -> SqlUnitOfWork:
            return SqlUnitOfWork(app.engine, WITHOUT_MASTER)

        turn = iter(range(1 << 62))

        def new_check(uow: SqlUnitOfWork) -> object:
            found = town_area_fault(inside[next(turn) % 64], MasterLookup(uow.town_areas), ON)
            assert found is None
            return found

        def baseline(uow: SqlUnitOfWork) -> object:
            before = Before(uow.town_areas._conn, WITH_MASTER)  # the same connection
            assert old_way(before, keys[next(turn) % 64])
            return None

        def not_in_master(uow: SqlUnitOfWork) -> object:
            found = town_area_fault(outside, MasterLookup(uow.town_areas), ON)
            assert found is not None
            return found

        def no_master(uow: SqlUnitOfWork) -> object:
            return town_area_fault(outside, MasterLookup(uow.town_areas), ON)

        rate = timed(with_master, new_check, checks)
        old = timed(with_master, baseline, checks)
        missing = timed(with_master, not_in_master, checks)
        bare = timed(without_master, no_master, checks)
    print(f"master: {len(loaded):,} 町字 (SQLite); {checks:,} checks each, one unit of work")
    print(f"町字 in the master (one indexed read): {rate:,.0f} checks/s")
    print(f"baseline, the check before (count of the master + read): {old:,.0f} checks/s")
    print(f"町字 not in the master (read + EXISTS): {missing:,.0f} checks/s")
    print(f"no master loaded (read + EXISTS, both empty): {bare:,.0f} checks/s")
    print(
        f"town_areas: {rate:,.0f} checks/s ({1e6 / rate:.0f} µs) at {len(loaded):,} 町字;"
        f" baseline count + read {old:,.0f} checks/s; ratio {rate / old:.2f};"
        f" not in master {missing:,.0f}/s; no master {bare:,.0f}/s"
    )
