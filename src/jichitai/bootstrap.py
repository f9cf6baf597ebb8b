"""Composition root: the one place that chooses implementations and wires them together."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from jichitai.adapters.clock import SystemClock, SystemRandom
from jichitai.adapters.db.engine import create_engine_for
from jichitai.adapters.db.migrate import current_revision, head_revision, upgrade
from jichitai.adapters.db.unit_of_work import SqlMunicipalityDirectory, SqlUnitOfWork
from jichitai.config import Settings
from jichitai.services.municipalities import MunicipalityService
from jichitai.services.ports import Clock, RandomSource
from jichitai.services.queries import RegisterQueries
from jichitai.services.register import RegisterService


@dataclass
class App:
    """The wired services an entry point uses."""

    engine: Engine
    municipalities: MunicipalityService
    register: RegisterService
    queries: RegisterQueries
    clock: Clock

    def upgrade_database(self) -> None:
        upgrade(self.engine)

    def database_is_current(self) -> bool:
        """Whether the database has every migration (``jichitai db upgrade`` was run)."""
        return current_revision(self.engine) == head_revision()


def bootstrap(
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    random: RandomSource | None = None,
    engine: Engine | None = None,
) -> App:
    settings = settings or Settings.from_environment()
    engine = engine or create_engine_for(settings.database_url)
    clock = clock or SystemClock(settings.timezone)
    random = random or SystemRandom()
    municipalities = MunicipalityService(SqlMunicipalityDirectory(engine), clock)

    def uow_for(code: str) -> SqlUnitOfWork:
        return SqlUnitOfWork(engine, code)

    register = RegisterService(uow_for, clock, random, municipalities.name_of)
    return App(engine, municipalities, register, RegisterQueries(uow_for, clock), clock)
