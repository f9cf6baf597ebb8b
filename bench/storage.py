"""Storage benchmark: what one resident and one change cost on disk and in WAL (PostgreSQL only).

    scripts/with-postgres.sh .venv/bin/jichitai bench storage --residents 20000 --changes 5000

The figures feed ``docs/sizing.md`` (issue 20): bytes per resident, bytes per change, WAL per
change and the write path's changes/s, with the CPU each side (Python, PostgreSQL) spent.

1. A new database on the server of ``--database-url`` (else ``JICHITAI_DATABASE_URL``; it must
   name PostgreSQL: SQLite has no WAL position nor relation sizes to read, so the bench refuses
   it). Migrated, one municipality added: the *empty* sizes.
2. The demo register of ``--residents`` (``jichitai demo seed``'s generator, through the register
   service) — bytes per resident is the growth of the tenant tables (``pg_total_relation_size``,
   heap + indexes + TOAST) divided by the living residents, beside the size of the same register
   exported in the standard layout (UTF-8 CSV, ``jichitai layout export``): the baseline.
3. ``ANALYZE`` (the statistics autovacuum would soon gather after the bulk load), ``CHECKPOINT``,
   then ``--changes`` 転居 (in-town moves of whole households), one approved
   change per transaction through ``RegisterService.record_change`` as a counter approves them.
   Bytes per change = growth of the tenant tables; WAL per change = ``pg_wal_lsn_diff`` of
   ``pg_current_wal_lsn()`` around the run (the WAL is the server's: on a server with other
   writers their WAL is counted too — use a throwaway cluster). CPU per change: the bench's own
   process time and the server backends' (``/proc``, so the server must run on this host). Right
   after a checkpoint every first touch of a page writes a full-page image, so this is the
   conservative side; the share of full-page images is printed when ``pg_walinspect`` loads.
4. ``--reads`` record views by a clerk (``RegisterAccess.record``): each appends an access-log
   entry, so reads too grow the database and the WAL — bytes and WAL per read.

The last line is the figure:
``storage: <bytes>/resident, <bytes>/change, WAL <bytes>/change, <n> changes/s`` (bytes)
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.register import (
    CODE,
    TODAY,
    BenchClock,
    SeededRandom,
    State,
    address,
    load_state,
)
from bench.support import BenchFailed, cpu_seconds, seed_demo
from sqlalchemy import Engine, text

from jichitai.adapters.db import tables as t
from jichitai.bootstrap import App, bootstrap
from jichitai.config import Settings
from jichitai.domain.access.actor import Actor
from jichitai.domain.access.roles import Role
from jichitai.domain.common.identifiers import AtenaNumber
from jichitai.domain.errors import DomainError
from jichitai.domain.residents import commands as c

NAME = "東京都千代田区"
LAYOUT_VERSION = "1.0"
TOP_TABLES = 6


def _plain(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


@contextmanager
def _database(server: str) -> Iterator[str]:
    """A new database on ``server`` for the run, dropped afterwards."""
    import psycopg

    name = f"bench_storage_{uuid.uuid4().hex[:12]}"
    plain = _plain(server)
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = "postgresql+psycopg://" + plain.removeprefix("postgresql://").rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def table_sizes(engine: Engine) -> dict[str, int]:
    """Heap + indexes + TOAST of every tenant table, in bytes."""
    names = [table.name for table in t.tenant_tables()]
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT c.relname, pg_total_relation_size(c.oid) FROM pg_class c"
                " JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')"
                " AND c.relname = ANY(:names)"
            ),
            {"names": names},
        )
        return {name: int(size) for name, size in rows}


def database_size(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT pg_database_size(current_database())")).scalar_one())


def wal_position(engine: Engine) -> str:
    with engine.connect() as conn:
        return str(conn.execute(text("SELECT pg_current_wal_lsn()")).scalar_one())


def wal_between(engine: Engine, start: str, end: str) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(
                text("SELECT pg_wal_lsn_diff(CAST(:end AS pg_lsn), CAST(:start AS pg_lsn))"),
                {"start": start, "end": end},
            ).scalar_one()
        )


def full_page_share(engine: Engine, start: str, end: str) -> float | None:
    """The share of the WAL between two positions that is full-page images (pg_walinspect)."""
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS pg_walinspect"))
        with engine.connect() as conn:
            fpi, combined = conn.execute(
                text(
                    "SELECT sum(fpi_size), sum(combined_size) FROM pg_get_wal_stats("
                    "CAST(:start AS pg_lsn), CAST(:end AS pg_lsn))"
                ),
                {"start": start, "end": end},
            ).one()
    except Exception:  # the extension is optional (contrib, PostgreSQL ≥ 15)
        return None
    return float(fpi) / float(combined) if combined else None


def backend_cpu(engine: Engine) -> dict[int, float]:
    """CPU seconds so far of each server process connected to this database (Linux /proc);
    nothing when the server is not on this host (its process ids would name other processes)."""
    with engine.connect() as conn:
        address = conn.execute(text("SELECT host(inet_server_addr())")).scalar_one()
        if address not in (None, "127.0.0.1", "::1"):  # None: a Unix socket, so this host
            return {}
        pids = conn.execute(
            text(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
                " AND backend_type = 'client backend'"
            )
        ).scalars()
        found = {int(pid): cpu_seconds(int(pid)) for pid in pids}
    return {pid: seconds for pid, seconds in found.items() if seconds is not None}


def growth(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {name: after.get(name, 0) - before.get(name, 0) for name in after}


def show_growth(label: str, grown: dict[str, int], per: int, unit: str) -> None:
    top = sorted(grown.items(), key=lambda item: -item[1])[:TOP_TABLES]
    parts = ", ".join(f"{name} {size / per:,.0f}" for name, size in top if size > 0)
    print(f"  {label} by table (bytes/{unit}): {parts}")


def moves(state: State, rng: random.Random) -> Iterator[c.InTownMove]:
    """転居 of whole households to new addresses in the town (the household stays as it is)."""
    households = [h for h in state.households.values() if h.members]
    while True:
        household = rng.choice(households)
        # Filed and effective today: a move dated before the household's latest change would be
        # refused (change.effective_before_latest), and refusals are not what is measured.
        yield c.InTownMove(
            header=c.ChangeHeader(
                effective_on=TODAY, filed_on=TODAY, operator="bench", place="本庁", terminal="T01"
            ),
            atena_numbers=tuple(AtenaNumber(a) for a in household.members),
            address=address(state),
        )


def measure_reads(
    app: App, state: State, rng: random.Random, reads: int
) -> tuple[float, float, float]:
    """``reads`` record views by a clerk, each logged: (bytes, WAL bytes per read, reads/s)."""
    clerk = Actor(
        login="bench-clerk",
        municipality_code=CODE,
        roles=frozenset({Role.CLERK}),
        terminal="T01",
        place="本庁",
        purpose="窓口での確認",
    )
    people = [a for h in state.households.values() for a in h.members]
    before = table_sizes(app.engine)
    start_lsn = wal_position(app.engine)
    done = 0
    started = time.perf_counter()
    for _ in range(reads):
        try:
            app.register_access.record(clerk, rng.choice(people))
            done += 1
        except DomainError:
            continue  # a suppressed record (抑止): refused, and not what is measured here
    seconds = time.perf_counter() - started
    wal = wal_between(app.engine, start_lsn, wal_position(app.engine))
    grown = sum(growth(before, table_sizes(app.engine)).values())
    if not done:
        raise BenchFailed(f"every one of the {reads} reads was refused")
    return grown / done, wal / done, done / seconds


def export_bytes(app: App, directory: Path) -> int:
    """The standard layout export (UTF-8 CSV) of the municipality: total bytes of its files."""
    export = directory / "export"
    app.layout_export.export(CODE, str(export), "utf-8", LAYOUT_VERSION)
    return sum(path.stat().st_size for path in export.iterdir() if path.suffix == ".csv")


def run(
    *,
    residents: int,
    changes: int,
    seed: int,
    reads: int = 2_000,
    database_url: str | None = None,
) -> None:
    if residents < 1 or changes < 1 or reads < 1:
        raise SystemExit("bench storage: --residents, --changes and --reads must be at least 1")
    server = database_url or os.environ.get("JICHITAI_DATABASE_URL", "").strip()
    if not server.startswith("postgresql"):
        print(
            "bench storage は PostgreSQL でのみ計測します（SQLite には WAL の位置もリレーションの"
            "大きさもありません）。例: scripts/with-postgres.sh .venv/bin/jichitai bench storage"
            " / --database-url postgresql+psycopg://…",
            file=sys.stderr,
        )
        raise SystemExit(2)
    try:
        with (
            tempfile.TemporaryDirectory(prefix="jichitai-bench-storage-") as tmp,
            _database(server) as url,
        ):
            _run(Path(tmp), url, residents, changes, reads, seed)
    except BenchFailed as failure:
        print(f"bench storage failed: {failure}", file=sys.stderr)
        raise SystemExit(1) from failure


def _run(directory: Path, url: str, residents: int, changes: int, reads: int, seed: int) -> None:
    app = bootstrap(Settings(database_url=url), clock=BenchClock(), random=SeededRandom(seed))
    engine = app.engine
    try:
        app.upgrade_database()
        app.municipalities.add(CODE, NAME)
        with engine.connect() as conn:
            version = conn.execute(text("SHOW server_version")).scalar_one()
            fsync = conn.execute(text("SHOW fsync")).scalar_one()
            fpw = conn.execute(text("SHOW full_page_writes")).scalar_one()
        print(f"PostgreSQL {version} (fsync={fsync}, full_page_writes={fpw})")
        empty_db = database_size(engine)
        empty = table_sizes(engine)
        print(
            f"empty: database {empty_db:,} bytes; {len(empty)} tenant tables {sum(empty.values()):,} bytes"
        )

        # -- 2. residents ------------------------------------------------------------------------
        started = time.perf_counter()
        seed_demo(app, CODE, residents, seed, TODAY)
        seeded_seconds = time.perf_counter() - started
        state = load_state(app)
        living = sum(len(h.members) for h in state.households.values())
        with engine.connect() as conn:
            records = conn.execute(
                text("SELECT count(*) FROM residents WHERE municipality_code = :code"),
                {"code": CODE},
            ).scalar_one()
            journal = conn.execute(
                text("SELECT count(*) FROM journal WHERE municipality_code = :code"),
                {"code": CODE},
            ).scalar_one()
        seeded = table_sizes(engine)
        seeded_db = database_size(engine)
        grown = growth(empty, seeded)
        per_resident = sum(grown.values()) / living
        print(
            f"seeded {living:,} living residents ({records:,} records incl. removed,"
            f" {len(state.households):,} households, {journal:,} journal entries)"
            f" in {seeded_seconds:.1f} s"
        )
        print(
            f"bytes per resident: {per_resident:,.0f} (tenant tables +{sum(grown.values()):,};"
            f" whole database +{seeded_db - empty_db:,} → {(seeded_db - empty_db) / living:,.0f})"
        )
        show_growth("per resident", grown, living, "resident")
        csv_bytes = export_bytes(app, directory)
        print(
            f"baseline: standard layout export (UTF-8 CSV) {csv_bytes:,} bytes"
            f" = {csv_bytes / living:,.0f} bytes/resident; database ÷ CSV = "
            f"{per_resident / (csv_bytes / living):.2f}"
        )

        # -- 3. changes --------------------------------------------------------------------------
        rng = random.Random(seed)
        stream = moves(state, rng)
        with engine.connect() as conn:
            # Statistics as autovacuum leaves them within a minute or so of a bulk load: without
            # them the planner still sees the tables as empty and reads a resident by 宛名番号
            # through another (municipality_code, …) index, filtering the whole municipality.
            conn.execute(text("ANALYZE"))
            conn.execute(text("CHECKPOINT"))
            conn.commit()
        before = table_sizes(engine)
        cpu_before = backend_cpu(engine)
        start_lsn = wal_position(engine)
        applied = refused = 0
        client_started = time.process_time()
        started = time.perf_counter()
        for _ in range(changes):
            try:
                app.register.record_change(CODE, next(stream))
                applied += 1
            except DomainError:
                refused += 1
        seconds = time.perf_counter() - started
        client_cpu = time.process_time() - client_started
        end_lsn = wal_position(engine)
        cpu_after = backend_cpu(engine)
        if not applied:
            raise BenchFailed(f"every one of the {changes} 転居 was refused")
        server_cpu = sum(cpu - cpu_before.get(pid, 0.0) for pid, cpu in cpu_after.items())
        after = table_sizes(engine)
        changed = growth(before, after)
        wal = wal_between(engine, start_lsn, end_lsn)
        per_change = sum(changed.values()) / applied
        wal_per_change = wal / applied
        rate = applied / seconds
        print(
            f"{applied:,} 転居 applied ({refused} refused), one per transaction,"
            f" in {seconds:.1f} s: {rate:,.0f} changes/s"
        )
        database_side = (
            f"PostgreSQL {server_cpu / applied * 1000:.2f} ms"
            if cpu_after
            else "PostgreSQL not measured (the server is not on this host)"
        )
        per_core = f", {applied / server_cpu:,.0f} per database core" if server_cpu > 0 else ""
        print(
            f"  CPU per change: Python {client_cpu / applied * 1000:.2f} ms, {database_side}"
            f" (→ {applied / client_cpu:,.0f} changes/s per Python core{per_core})"
        )
        print(f"bytes per change: {per_change:,.0f} (tenant tables +{sum(changed.values()):,})")
        show_growth("per change", changed, applied, "change")
        share = full_page_share(engine, start_lsn, end_lsn)
        fpi = f"; full-page images {share:.0%} of it" if share is not None else ""
        print(f"WAL per change: {wal_per_change:,.0f} bytes ({wal:,} bytes in all{fpi})")
        print(
            f"ratio: a change's WAL ÷ its table growth = {wal_per_change / per_change:.2f}"
            if per_change > 0
            else "ratio: the tables did not grow (updates fitted in free space)"
        )
        per_read, wal_per_read, read_rate = measure_reads(app, state, rng, reads)
        print(
            f"a logged read (住民票の閲覧, one access-log entry): {per_read:,.0f} bytes,"
            f" WAL {wal_per_read:,.0f} bytes; {read_rate:,.0f} reads/s"
        )
        print(
            f"storage: {per_resident:.0f}/resident, {per_change:.0f}/change,"
            f" WAL {wal_per_change:.0f}/change, {rate:.0f} changes/s"
        )
    finally:
        engine.dispose()
