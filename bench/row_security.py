"""What row-level security's setting costs a transaction on PostgreSQL (ADR 0014).

    scripts/with-postgres.sh .venv/bin/python bench/row_security.py [--transactions 5000]

On the database of ``JICHITAI_DATABASE_URL`` (migrated here; a throwaway one), as the schema
owner, times N transactions that do what a unit of work does when it opens and closes with
nothing else (begin, check the municipality, roll back), three ways: the check alone (before
migration 0022), the check that also sets ``jichitai.municipality`` (what the unit of work does
now), and the check followed by a separate ``set_config`` statement (one more round trip).
Then the same point read of ``residents`` by a login of ``jichitai_app`` under its policy and by
the owner, who bypasses it. Prints µs per transaction, the best and the median of the\nrounds (the variants interleaved); not a test.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

from sqlalchemy import Connection, text
from sqlalchemy.engine import make_url

from jichitai.adapters.db.engine import create_engine_for
from jichitai.adapters.db.migrate import upgrade

CODE = "131016"
CHECK = "SELECT name FROM municipalities WHERE code = :mc"
CHECK_AND_SET = (
    "SELECT name, set_config('jichitai.municipality', :mc, true) FROM municipalities"
    " WHERE code = :mc"
)
SET = "SELECT set_config('jichitai.municipality', :mc, true)"
POINT_READ = "SELECT status FROM residents WHERE municipality_code = :mc AND atena_number = :a"


def timed(conn: Connection, statements: list[str], transactions: int) -> float:
    """µs per transaction over ``transactions`` transactions on the driver's cursor."""
    raw = conn.connection.dbapi_connection
    assert raw is not None
    cursor = raw.cursor()
    sqls = [s.replace(":mc", "%(mc)s").replace(":a", "%(a)s") for s in statements]
    params = {"mc": CODE, "a": "0000000019"}
    start = time.perf_counter()
    for _ in range(transactions):
        for sql in sqls:
            cursor.execute(sql, params)
            cursor.fetchall()
        raw.rollback()
    return (time.perf_counter() - start) / transactions * 1e6


def seed(conn: Connection) -> None:
    conn.execute(
        text(
            "INSERT INTO municipalities (code, name, created_at)"
            " VALUES (:mc, '千代田区', now()) ON CONFLICT DO NOTHING"
        ),
        {"mc": CODE},
    )
    conn.exec_driver_sql("DROP ROLE IF EXISTS bench_rls_app")
    conn.exec_driver_sql("CREATE ROLE bench_rls_app LOGIN IN ROLE jichitai_app")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transactions", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args(argv)
    url = os.environ.get("JICHITAI_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        sys.exit("row_security: set JICHITAI_DATABASE_URL to a throwaway PostgreSQL database")
    owner = create_engine_for(url)
    upgrade(owner)
    with owner.begin() as conn:
        seed(conn)
    app = create_engine_for(
        make_url(url).set(username="bench_rls_app").render_as_string(hide_password=False)
    )
    n = args.transactions
    with owner.connect() as by_owner, app.connect() as by_app:
        figures: list[tuple[str, Connection, list[str]]] = [
            ("check only (before 0022)", by_owner, [CHECK]),
            ("check + set_config, one statement (now)", by_owner, [CHECK_AND_SET]),
            ("check, then set_config apart", by_owner, [CHECK, SET]),
            ("point read, owner (no policy)", by_owner, [CHECK_AND_SET, POINT_READ]),
            ("point read, jichitai_app (policy)", by_app, [CHECK_AND_SET, POINT_READ]),
        ]
        runs: dict[str, list[float]] = {name: [] for name, _, _ in figures}
        for _ in range(args.rounds):  # interleaved, so a busy moment hits every variant
            for name, conn, statements in figures:
                runs[name].append(timed(conn, statements, n))
    print(f"{args.rounds} rounds of {n} transactions each, µs per transaction (best, median):")
    for name, found in runs.items():
        print(f"  {name:<42} {min(found):8.1f} {statistics.median(found):8.1f}")
    app.dispose()
    with owner.begin() as conn:
        conn.exec_driver_sql("DROP ROLE bench_rls_app")
    owner.dispose()


if __name__ == "__main__":
    main()
