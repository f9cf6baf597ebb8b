"""Settings: every environment variable jichitai reads, named once, with safe defaults.

``make run`` and the tests need no set-up: the default database is an SQLite file in the
working directory. PostgreSQL is chosen by setting ``JICHITAI_DATABASE_URL``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

DEFAULT_DATABASE_URL = "sqlite:///jichitai.db"


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    timezone: str = "Asia/Tokyo"

    @classmethod
    def from_environment(cls) -> Settings:
        url = os.environ.get("JICHITAI_DATABASE_URL", "").strip() or DEFAULT_DATABASE_URL
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
        return cls(database_url=url, timezone=os.environ.get("JICHITAI_TIMEZONE", "Asia/Tokyo"))
