"""One municipality's rows copied from one shard's database to another's (ADR 0016).

``jichitai municipality move`` (``services/municipality_moves.py``) drives it: ``prepare`` the
target, ``copy_appended`` while the municipality keeps working (the insert-only tables, the
journal first, grow by their ``seq`` and are copied from where the target's copy ends: a move
run again resumes), then ``frozen``: the municipality's writes wait (PostgreSQL: an advisory
lock every writing transaction takes shared, held here exclusively; SQLite: the database's
write lock) while ``copy_appended`` takes the last rows and ``replace_current`` copies the
tables that are updated in place (the current records, heads, drafts, sessions…) whole.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Final

from sqlalchemy import (
    Connection,
    Engine,
    Table,
    delete,
    func,
    insert,
    select,
    text,
    tuple_,
    update,
)

from jichitai.adapters.db import row_security
from jichitai.adapters.db import tables as t
from jichitai.adapters.db.engine import READ_ONLY
from jichitai.adapters.db.shards import ARRIVING, FREEZE, MOVED, move_lock
from jichitai.domain.errors import ConflictError, Violation

INSERT_ONLY_BY_SEQ: Final = (
    "journal",
    "resident_history",
    "access_log",
    "access_log_persons",
    "seal_events",
)
"""Tables only ever inserted into, in ``seq`` order (assigned under their chain head's lock, so
rows commit in ``seq`` order): copied from the target's last ``seq`` on."""
INSERT_ONLY_BY_KEY: Final = ("certificate_issues", "certificate_disposals")
"""Tables only ever inserted into, copied by the keys the target lacks."""
BATCH: Final = 2000


def _tables(names: Sequence[str]) -> list[Table]:
    return [table for table in t.tenant_tables() if table.name in names]


def _current_tables() -> list[Table]:
    appended = {*INSERT_ONLY_BY_SEQ, *INSERT_ONLY_BY_KEY}
    return [table for table in t.tenant_tables() if table.name not in appended]


class SqlShardCopy:
    """The copy of ``code``'s rows from ``source`` to ``target``."""

    def __init__(self, source: Engine, target: Engine, code: str) -> None:
        self._source = source
        self._target = target
        self._code = code

    @contextmanager
    def _on(self, engine: Engine) -> Iterator[Connection]:
        """A transaction on ``engine``: reading only on the source (on SQLite it then does
        not wait for the write lock the freeze holds), writing on the target."""
        with engine.connect() as conn:
            if engine is self._source:
                conn = conn.execution_options(**READ_ONLY)
            with conn.begin():
                row_security.act_for(conn, self._code)
                yield conn

    def prepare(self) -> None:
        """The municipality's row on the target, marked ``arriving`` (kept if a move that
        stopped left it). Refused if the target serves the municipality already."""
        m = t.municipalities.c
        with self._on(self._source) as conn:
            row = conn.execute(select(t.municipalities).where(m.code == self._code)).one()
        with self._on(self._target) as conn:
            placement = conn.execute(select(m.placement).where(m.code == self._code)).one_or_none()
            if placement is None:
                conn.execute(
                    insert(t.municipalities).values(
                        code=row.code, name=row.name, created_at=row.created_at, placement=ARRIVING
                    )
                )
            elif placement[0] is None:
                raise ConflictError(
                    Violation(
                        "move.target_serves",
                        f"移動先のシャードが地方公共団体コード {self._code} を既に保持しています"
                        "（カタログと一致しません）",
                        "shard",
                    )
                )
            else:  # moved away from there once, or a move that stopped: resume
                conn.execute(
                    update(t.municipalities).where(m.code == self._code).values(placement=ARRIVING)
                )

    def copy_appended(self) -> int:
        """Copies what the insert-only tables gained since the target's copy; the rows copied."""
        copied = 0
        for table in _tables(INSERT_ONLY_BY_SEQ):
            seq = table.c.seq
            with self._on(self._target) as conn:
                last = conn.scalar(
                    select(func.coalesce(func.max(seq), 0)).where(
                        table.c.municipality_code == self._code
                    )
                )
            copied += self._copy(
                table,
                select(table)
                .where(table.c.municipality_code == self._code, seq > last)
                .order_by(*table.primary_key.columns),
            )
        for table in _tables(INSERT_ONLY_BY_KEY):
            keys = [c for c in table.primary_key.columns if c.name != "municipality_code"]
            mine = table.c.municipality_code == self._code
            with self._on(self._target) as conn:
                held = {tuple(row) for row in conn.execute(select(*keys).where(mine))}
            with self._on(self._source) as conn:
                found = [tuple(row) for row in conn.execute(select(*keys).where(mine))]
            wanted = [key for key in found if key not in held]
            for start in range(0, len(wanted), BATCH):
                chunk = wanted[start : start + BATCH]
                copied += self._copy(table, select(table).where(mine, tuple_(*keys).in_(chunk)))
        return copied

    def _copy(self, table: Table, query: Any) -> int:
        copied = 0
        with self._on(self._source) as source, self._on(self._target) as target:
            result = source.execution_options(yield_per=BATCH).execute(query)
            for rows in result.partitions():
                target.execute(insert(table), [row._asdict() for row in rows])
                copied += len(rows)
        return copied

    def replace_current(self) -> int:
        """Replaces the target's rows of the tables updated in place with the source's (under
        the freeze: nothing changes them meanwhile); the rows copied."""
        current = _current_tables()
        copied = 0
        with self._on(self._source) as source, self._on(self._target) as target:
            for table in reversed(current):
                target.execute(delete(table).where(table.c.municipality_code == self._code))
            for table in current:
                query = (
                    select(table)
                    .where(table.c.municipality_code == self._code)
                    .order_by(*table.primary_key.columns)
                )
                result = source.execution_options(yield_per=BATCH).execute(query)
                for rows in result.partitions():
                    target.execute(insert(table), [row._asdict() for row in rows])
                    copied += len(rows)
        return copied

    def differences(self) -> list[str]:
        """The tenant tables whose row counts differ between source and target (none after a
        complete copy under the freeze)."""
        differing = []
        for table in t.tenant_tables():
            counts = []
            for engine in (self._source, self._target):
                with self._on(engine) as conn:
                    counts.append(
                        conn.scalar(
                            select(func.count()).where(table.c.municipality_code == self._code)
                        )
                    )
            if counts[0] != counts[1]:
                differing.append(f"{table.name}: {counts[0]} → {counts[1]}")
        return differing

    @contextmanager
    def frozen(self) -> Iterator[Callable[[], None]]:
        """Holds the municipality's writes on the source for the block. The block calls the
        function it is given to hand the municipality over: the source then says ``moved``
        when the freeze ends (the waiting writers go to the catalog); otherwise the source
        keeps it and the writers go on."""
        connection = self._source.connect()
        handed = False
        try:
            connection.begin()
            if connection.dialect.name == "postgresql":
                connection.execute(text(FREEZE), move_lock(self._code))
            m = t.municipalities.c

            def hand_over() -> None:
                nonlocal handed
                row_security.act_for(connection, self._code)
                connection.execute(
                    update(t.municipalities).where(m.code == self._code).values(placement=MOVED)
                )
                handed = True

            # SQLite: the write lock, taken by this first write (the unit of work's writers
            # wait for it); PostgreSQL: a no-op row lock besides the advisory lock.
            connection.execute(
                update(t.municipalities).where(m.code == self._code).values(placement=m.placement)
            )
            yield hand_over
            if handed:
                connection.commit()
        except BaseException:
            if handed:  # the hand-over did not commit: the target must not serve it
                self.serve_target(False)
            raise
        finally:
            connection.close()  # not handed over: rolled back, the writers go on

    def serve_target(self, serving: bool) -> None:
        """The target serves the municipality (``serving``), or is back to ``arriving``."""
        m = t.municipalities.c
        with self._on(self._target) as conn:
            conn.execute(
                update(t.municipalities)
                .where(m.code == self._code)
                .values(placement=None if serving else ARRIVING)
            )
