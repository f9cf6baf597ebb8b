"""The shard catalog (ADR 0016) across processes: each keeps the catalog in memory, and the
shards correct a stale copy. Two applications stand for two processes over the same databases
(the catalog database and a shard ``b``: SQLite files, or PostgreSQL databases)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from jichitai.adapters.db.engine import create_engine_for
from jichitai.adapters.db.migrate import upgrade
from jichitai.adapters.db.shards import HOME, ShardCatalog
from jichitai.bootstrap import App
from jichitai.bootstrap_shards import municipality_moves
from jichitai.domain.residents.commands import MoveIn
from tests.apps import wire
from tests.e2e.conftest import own_database
from tests.factories import a_header, a_person, a_previous_address, an_address

CODE = "131016"


@dataclass
class Deployment:
    home_url: str
    b_url: str
    key_dir: Path
    processes: list[App] = field(default_factory=list)

    def process(self) -> App:
        """One more process of the deployment: its own engines, its own copy of the catalog."""
        app = wire(create_engine_for(self.home_url), self.key_dir)
        self.processes.append(app)
        return app

    def stop(self) -> None:
        for app in self.processes:
            app.shards.dispose()
            app.engine.dispose()


@pytest.fixture
def deployment(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> Iterator[Deployment]:
    with own_database(tmp_path_factory) as home, own_database(tmp_path_factory) as b:
        urls = [cli.env["JICHITAI_DATABASE_URL"] for cli in (home, b)]
        for url in urls:
            engine = create_engine_for(url)
            upgrade(engine)
            engine.dispose()
        deployment = Deployment(urls[0], urls[1], tmp_path / "keys")
        try:
            yield deployment
        finally:
            deployment.stop()


def a_move_in(number: int) -> MoveIn:
    return MoveIn(
        header=a_header(),
        members=(a_person(given=["一郎", "二郎", "三郎", "四郎"][number]),),
        address=an_address(lot=f"一丁目{number + 1}番"),
        previous_address=a_previous_address(),
    )


def journal_of(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return list(
            conn.execute(
                text("SELECT event_id FROM journal WHERE municipality_code = :c ORDER BY seq"),
                {"c": CODE},
            ).scalars()
        )


def test_a_process_with_a_stale_catalog_follows_a_moved_municipality(
    deployment: Deployment,
) -> None:
    operator, stale = deployment.process(), deployment.process()
    operator.shards.add("b", deployment.b_url, operator.clock.now())
    operator.municipalities.add(CODE, "千代田区")
    operator.register.record_change(CODE, a_move_in(0))
    assert stale.queries.stats(CODE).persons == 1  # its catalog read now: 131016 on home
    assert stale.shards.shard_of(CODE) == HOME

    report = municipality_moves(operator).move(CODE, "b")
    assert (report.source, report.target) == (HOME, "b")
    assert report.journal_entries == 1 and report.export_files >= 1

    # The stale process writes: the catalog database says ``moved``, it reloads, goes to b.
    stale.register.record_change(CODE, a_move_in(1))
    assert stale.shards.shard_of(CODE) == "b"
    b = create_engine_for(deployment.b_url)
    try:
        assert len(journal_of(b)) == 2
    finally:
        b.dispose()
    assert len(journal_of(operator.engine)) == 1  # the copy left behind took no write
    assert operator.queries.stats(CODE).persons == 2
    assert operator.register.verify_chain(CODE) == 2


def test_a_municipality_added_on_a_shard_is_found_by_a_process_that_read_the_catalog_before(
    deployment: Deployment,
) -> None:
    operator, early = deployment.process(), deployment.process()
    assert early.municipalities.all() == []  # its catalog read now: no shard yet
    operator.shards.add("b", deployment.b_url, operator.clock.now())
    operator.municipalities.add(CODE, "千代田区", shard="b")
    assert [m.code for m in early.municipalities.all()] == [CODE]
    early.register.record_change(CODE, a_move_in(0))
    assert early.queries.stats(CODE).persons == 1


def test_reloads_for_unknown_codes_are_rate_limited(deployment: Deployment) -> None:
    home = create_engine_for(deployment.home_url)
    now = [0.0]
    catalog = ShardCatalog(home, create_engine_for, reload_interval=1.0, monotonic=lambda: now[0])
    try:
        assert catalog.shard_of(CODE) == HOME
        with home.begin() as conn:  # another process assigns it meanwhile
            conn.execute(
                text(
                    "INSERT INTO shard_assignments (municipality_code, shard, assigned_at)"
                    " VALUES (:c, 'b', CURRENT_TIMESTAMP)"
                ),
                {"c": CODE},
            )
        now[0] = 0.5  # within the interval: not reloaded for a code the shard did not have
        assert catalog.rerouted(CODE, HOME, moved=False) is False
        now[0] = 1.5
        assert catalog.rerouted(CODE, HOME, moved=False) is True
        assert catalog.shard_of(CODE) == "b"
    finally:
        home.dispose()
