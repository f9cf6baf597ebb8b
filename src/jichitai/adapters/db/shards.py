"""Tenant shards (ADR 0016): the catalog, and the database each unit of work goes to.

The catalog lives in the catalog database, the one ``JICHITAI_DATABASE_URL`` names, which is
itself the shard ``home``: table ``shards`` names the other shards and their URLs, table
``shard_assignments`` which municipality lives on which shard (none: ``home``). Every
transaction is about one municipality and goes whole to that municipality's shard; nothing
joins across shards. The few look-ups that must search every municipality (a login, an API
key, a 確認コード, the webhook queue) ask each shard in turn and keep only the rows of
municipalities that shard serves.

Each process keeps the catalog in memory. A stale copy is found out by the shard itself: after
a move the old shard's ``municipalities`` row says ``moved``, and a municipality that was never
there is not found; either way the unit of work reloads the catalog and goes to the right shard
(``rerouted``). Reloads that a request for an unknown code causes are rate-limited.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final, Protocol, TypeVar

from sqlalchemy import Connection, Engine, delete, insert, select, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from jichitai.adapters.db import row_security
from jichitai.adapters.db import tables as t
from jichitai.adapters.db.engine import READ_ONLY
from jichitai.adapters.db.revisions import current_revision, head_revision
from jichitai.domain.errors import ConflictError, DomainError, NotFound, Unavailable, Violation

_log = logging.getLogger(__name__)
_T = TypeVar("_T")

HOME: Final = "home"
"""The catalog database's own name as a shard."""

SHARD_NAME = re.compile(r"[a-z][a-z0-9-]{0,39}")
RETRY_AFTER_SECONDS: Final = 5

MOVED: Final = "moved"
"""``municipalities.placement`` on the shard a municipality was moved away from."""
ARRIVING: Final = "arriving"
"""``municipalities.placement`` on the shard a move is copying a municipality to."""

_MOVE_LOCKS: Final = 0x4A4D  # "JM": the advisory-lock namespace of municipality moves
WAIT_FOR_MOVE: Final = "SELECT pg_advisory_xact_lock_shared(:space, :key)"
"""A writing transaction's first statement on PostgreSQL: it waits while a move holds the
municipality frozen (the move takes the same lock exclusively), then reads where it lives."""
FREEZE: Final = "SELECT pg_advisory_xact_lock(:space, :key)"


def move_lock(municipality_code: str) -> dict[str, int]:
    """The parameters of ``WAIT_FOR_MOVE`` and ``FREEZE`` for one municipality."""
    return {"space": _MOVE_LOCKS, "key": int(municipality_code)}


def shard_unavailable(shard: str, municipality_code: str | None = None) -> Unavailable:
    """503 ``shard.unavailable``: the shard's database does not answer (the others still do)."""
    whose = f"地方公共団体コード {municipality_code} の" if municipality_code else ""
    return Unavailable(
        Violation(
            "shard.unavailable",
            f"{whose}データを保持するデータベース（シャード {shard}）に接続できません。"
            "しばらくしてから再度お試しください",
            "municipality_code" if municipality_code else "shard",
        ),
        retry_after_seconds=RETRY_AFTER_SECONDS,
    )


def _missing_shard(shard: str, municipality_code: str) -> Unavailable:
    return Unavailable(
        Violation(
            "shard.missing",
            f"シャードカタログが地方公共団体コード {municipality_code} の配置先として、"
            f"登録されていないシャード {shard} を指しています（運用者に連絡してください）",
            "municipality_code",
        ),
        retry_after_seconds=RETRY_AFTER_SECONDS,
    )


UNANSWERED: Final = (DBAPIError, Unavailable)
"""What a database that does not answer raises: the driver's error, or (PostgreSQL's engines,
``outages.py``) 503 ``database.unavailable``."""


def hidden_password(url: str) -> str:
    """``url`` as it may be shown (its password masked)."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # not a URL SQLAlchemy reads: show nothing of it
        return "(読めないURL)"


class Route(Protocol):
    """Where a municipality's unit of work goes: one database, or the shards of a catalog."""

    def engine_for(self, municipality_code: str) -> tuple[str, Engine]:
        """The shard holding ``municipality_code`` and its engine."""
        ...

    def rerouted(self, municipality_code: str, tried: str, *, moved: bool) -> bool:
        """After ``tried`` did not serve the municipality: whether the catalog (reloaded) now
        names another shard for it. ``moved``: the shard said it gave the municipality away
        (reload at once; otherwise reloads are rate-limited)."""
        ...

    def serving(self) -> Sequence[tuple[str, Engine]]:
        """Every shard, for a look-up across municipalities."""
        ...

    def serves(self, shard: str, municipality_code: str) -> bool:
        """Whether ``shard`` holds ``municipality_code`` (a look-up keeps only such rows)."""
        ...


class SingleDatabase:
    """The route of a deployment without shards, or of a test that hands over one engine."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def engine_for(self, municipality_code: str) -> tuple[str, Engine]:
        return HOME, self._engine

    def rerouted(self, municipality_code: str, tried: str, *, moved: bool) -> bool:
        return False

    def serving(self) -> Sequence[tuple[str, Engine]]:
        return [(HOME, self._engine)]

    def serves(self, shard: str, municipality_code: str) -> bool:
        return True


def route_of(target: Engine | Route) -> Route:
    """``target`` as a route (an engine is one database)."""
    return SingleDatabase(target) if isinstance(target, Engine) else target


def read_across(
    route: Route,
    table: str,
    read: Callable[[Connection], Sequence[_T]],
    municipality_of: Callable[[_T], str],
) -> list[_T]:
    """``read`` on every shard (``table`` named for row-level security's look-up policy), the
    rows of municipalities each shard serves. A shard that does not answer is passed over while
    another answers with something; when nothing was found and a shard did not answer, the
    answer is not known: 503 ``shard.unavailable``."""
    found: list[_T] = []
    missed: tuple[str, BaseException] | None = None
    for shard, engine in route.serving():
        try:
            with engine.connect().execution_options(**READ_ONLY) as conn:
                row_security.look_across(conn, table)
                rows = read(conn)
        except UNANSWERED as exc:
            if isinstance(route, SingleDatabase):
                raise
            _log.warning("shard %s did not answer a look-up in %s: %s", shard, table, exc)
            missed = (shard, exc)
            continue
        found += [row for row in rows if route.serves(shard, municipality_of(row))]
    if not found and missed is not None:
        shard, error = missed
        if shard == HOME:  # the deployment's own database: its own answer
            raise error
        raise shard_unavailable(shard) from error
    return found


@dataclass(frozen=True)
class Shard:
    """A shard as ``jichitai shard list`` shows it."""

    name: str
    url: str
    """Its database URL, password masked."""
    municipalities: tuple[str, ...]
    revision: str | None
    """The schema revision it is at; None when it did not answer."""


class ShardCatalog:
    """The catalog of the deployment: the routing of every unit of work, and its upkeep."""

    def __init__(
        self,
        home: Engine,
        make_engine: Callable[[str], Engine],
        *,
        reload_interval: float = 1.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._home = home
        self._make_engine = make_engine
        self._reload_interval = reload_interval
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._urls: dict[str, str] = {}
        self._assigned: dict[str, str] = {}
        self._engines: dict[str, Engine] = {HOME: home}
        self._loaded_at: float | None = None

    # --- routing -------------------------------------------------------------------------------

    def _load(self) -> None:
        c = t.shard_assignments.c
        with self._home.connect().execution_options(**READ_ONLY) as conn:
            urls = {r.name: r.url for r in conn.execute(select(t.shards).order_by(t.shards.c.name))}
            assigned = {
                r.municipality_code: r.shard
                for r in conn.execute(
                    select(c.municipality_code, c.shard).order_by(c.municipality_code)
                )
            }
        with self._lock:
            self._urls, self._assigned = urls, assigned
            self._loaded_at = self._monotonic()

    def dispose(self) -> None:
        """Closes the connections of every shard's engine it made (not the catalog's own)."""
        with self._lock:
            made = [engine for name, engine in self._engines.items() if name != HOME]
            self._engines = {HOME: self._home}
        for engine in made:
            engine.dispose()

    def reload(self) -> None:
        """Reads the catalog again now."""
        self._load()

    def _loaded(self) -> None:
        if self._loaded_at is None:
            self._load()

    def shard_of(self, municipality_code: str) -> str:
        self._loaded()
        return self._assigned.get(municipality_code, HOME)

    def engine_for(self, municipality_code: str) -> tuple[str, Engine]:
        shard = self.shard_of(municipality_code)
        return shard, self._engine(shard, municipality_code)

    def _engine(self, shard: str, municipality_code: str) -> Engine:
        found = self._engines.get(shard)
        if found is not None:
            return found
        with self._lock:
            found = self._engines.get(shard)
            if found is None:
                url = self._urls.get(shard)
                if url is None:
                    raise _missing_shard(shard, municipality_code)
                found = self._engines[shard] = self._make_engine(url)
        return found

    def rerouted(self, municipality_code: str, tried: str, *, moved: bool) -> bool:
        if moved:
            self._load()
        else:
            self._reload_now_and_then()
        return self.shard_of(municipality_code) != tried

    def _reload_now_and_then(self) -> None:
        """Reloads the catalog unless it was loaded within ``reload_interval``."""
        since = None if self._loaded_at is None else self._monotonic() - self._loaded_at
        if since is None or since >= self._reload_interval:
            self._load()

    def serving(self) -> Sequence[tuple[str, Engine]]:
        self._reload_now_and_then()  # a long-running process learns of shards added since
        shards = [HOME, *sorted(self._urls)]
        return [(name, self._engine(name, "")) for name in shards]

    def serves(self, shard: str, municipality_code: str) -> bool:
        if shard != HOME and municipality_code not in self._assigned:
            # A municipality added on that shard since the catalog was read (a long-running
            # worker's look-ups find its rows before any of its units of work ran).
            self._reload_now_and_then()
        return self.shard_of(municipality_code) == shard

    # --- upkeep (the operator's commands) ------------------------------------------------------

    def shard_engine(self, shard: str) -> Engine:
        """The engine of ``shard`` by name (``shard.not_found`` if the catalog has none)."""
        self._load()
        if shard != HOME and shard not in self._urls:
            raise NotFound(
                Violation("shard.not_found", f"シャード {shard} は登録されていません", "shard")
            )
        return self._engine(shard, "")

    def shards(self) -> list[Shard]:
        self._load()
        listed = []
        for name, engine in self.serving():
            try:
                revision = current_revision(engine)
            except UNANSWERED:
                revision = None
            held = tuple(sorted(code for code, on in self._assigned.items() if on == name))
            if name == HOME:
                held = tuple(sorted(set(self._home_codes()) - set(self._assigned) | set(held)))
            url = self._urls.get(name) or self._home.url.render_as_string(hide_password=True)
            listed.append(Shard(name, hidden_password(url), held, revision))
        return listed

    def _home_codes(self) -> list[str]:
        m = t.municipalities.c
        with self._home.connect().execution_options(**READ_ONLY) as conn:
            return [
                str(code)
                for code in conn.scalars(
                    select(m.code).where(m.placement.is_(None)).order_by(m.code)
                )
            ]

    def add(self, name: str, url: str, now: datetime) -> Shard:
        """Adds a shard: its database must answer and be migrated to this release's head."""
        if not SHARD_NAME.fullmatch(name) or name == HOME:
            raise DomainError(
                Violation(
                    "shard.name",
                    "シャード名は英小文字で始まる英小文字・数字・ハイフンの40文字以内で、"
                    f"{HOME} 以外としてください",
                    "name",
                )
            )
        self._load()
        if name in self._urls:
            raise ConflictError(
                Violation("shard.exists", f"シャード {name} は既に登録されています", "name")
            )
        engine = self._make_engine(url)
        try:
            revision = current_revision(engine)
        except UNANSWERED as exc:
            engine.dispose()
            raise shard_unavailable(name) from exc
        if revision != head_revision():
            engine.dispose()
            raise DomainError(
                Violation(
                    "shard.not_migrated",
                    f"シャード {name} のデータベースのスキーマが最新ではありません"
                    f"（{revision or '未作成'}、必要なのは {head_revision()}）。"
                    "先に jichitai db upgrade を実行してください",
                    "url",
                )
            )
        with self._home.begin() as conn:
            conn.execute(insert(t.shards).values(name=name, url=url, added_at=now))
        with self._lock:
            self._engines[name] = engine
        self._load()
        return Shard(name, hidden_password(url), (), revision)

    def assign(self, municipality_code: str, shard: str, now: datetime) -> None:
        """Records that ``municipality_code`` lives on ``shard`` (a new municipality)."""
        with self._home.begin() as conn:
            conn.execute(
                insert(t.shard_assignments).values(
                    municipality_code=municipality_code, shard=shard, assigned_at=now
                )
            )
        self._load()

    def begin_move(self, municipality_code: str, to: str, now: datetime) -> str:
        """Marks a move of ``municipality_code`` to ``to`` begun; answers the shard it leaves.
        Refused when ``to`` is unknown or already holds it, or another move of it runs."""
        self.shard_engine(to)
        c = t.shard_assignments.c
        with self._home.begin() as conn:
            row = conn.execute(
                select(c.shard, c.moving_to)
                .where(c.municipality_code == municipality_code)
                .with_for_update()
            ).one_or_none()
            source = row.shard if row else HOME
            if row is not None and row.moving_to is not None:
                raise ConflictError(
                    Violation(
                        "move.in_progress",
                        f"地方公共団体コード {municipality_code} は既にシャード {row.moving_to}"
                        "への移動中です",
                        "municipality_code",
                    )
                )
            if source == to:
                raise ConflictError(
                    Violation(
                        "move.same_shard",
                        f"地方公共団体コード {municipality_code} は既にシャード {to} にあります",
                        "shard",
                    )
                )
            if row is None:
                conn.execute(
                    insert(t.shard_assignments).values(
                        municipality_code=municipality_code,
                        shard=HOME,
                        moving_to=to,
                        assigned_at=now,
                    )
                )
            else:
                conn.execute(
                    update(t.shard_assignments)
                    .where(c.municipality_code == municipality_code)
                    .values(moving_to=to)
                )
        return source

    def end_move(self, municipality_code: str, *, switched_to: str | None, now: datetime) -> None:
        """Ends the move: the municipality now lives on ``switched_to`` (None: it stays)."""
        c = t.shard_assignments.c
        with self._home.begin() as conn:
            if switched_to == HOME:
                conn.execute(
                    delete(t.shard_assignments).where(c.municipality_code == municipality_code)
                )
            elif switched_to is not None:
                conn.execute(
                    update(t.shard_assignments)
                    .where(c.municipality_code == municipality_code)
                    .values(shard=switched_to, moving_to=None, assigned_at=now)
                )
            else:
                conn.execute(
                    update(t.shard_assignments)
                    .where(c.municipality_code == municipality_code)
                    .values(moving_to=None)
                )
        self._load()
