"""The composition of ``jichitai municipality move`` (ADR 0016), beside ``bootstrap.py``: built
only by the command that moves, from the wired application."""

from __future__ import annotations

import time
from collections.abc import Callable

from jichitai.adapters.clock import SystemIds, SystemRandom
from jichitai.adapters.db.move_checks import PinnedSnapshot
from jichitai.adapters.db.shard_moves import SqlShardCopy
from jichitai.adapters.db.unit_of_work import SqlUnitOfWork
from jichitai.adapters.standard_layout.csv_export import CsvExportSink
from jichitai.bootstrap import App, _bundled_layout
from jichitai.services.migration import LayoutExportService
from jichitai.services.municipality_moves import MoveChecks, MunicipalityMoves
from jichitai.services.ports import UnitOfWork
from jichitai.services.register import RegisterService


def municipality_moves(app: App) -> MunicipalityMoves:
    shards = app.shards
    keys = app.my_number_keys

    def export(uow_for: Callable[[str], UnitOfWork], code: str, out_dir: str) -> None:
        LayoutExportService(uow_for, _bundled_layout, CsvExportSink).export(code, out_dir)

    def snapshot(shard: str, code: str) -> PinnedSnapshot:
        return PinnedSnapshot(shards.shard_engine(shard), code, keys, export)

    def verify_chain(shard: str, code: str) -> int:
        engine = shards.shard_engine(shard)

        def pinned(municipality_code: str) -> SqlUnitOfWork:
            return SqlUnitOfWork(engine, municipality_code, keys=keys, pinned=True)

        return RegisterService(pinned, app.clock, SystemRandom(), SystemIds()).verify_chain(code)

    def copy_for(source: str, target: str, code: str) -> SqlShardCopy:
        return SqlShardCopy(shards.shard_engine(source), shards.shard_engine(target), code)

    checks = MoveChecks(snapshot, verify_chain)
    return MunicipalityMoves(shards, copy_for, checks, app.clock, time.monotonic)
