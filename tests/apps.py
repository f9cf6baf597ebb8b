"""The application over the test database (integration, API and counter tests), defined once.

``app`` is ``bootstrap`` over the session's database emptied for the test (``clean_db``): a
fixed clock, seeded randomness, Argon2id at the cheap test cost (every call counted), a key
directory of the test's own and host names that resolve to nothing unless the test says so (no
test depends on DNS). A module or a directory varies it through the fixtures it is made of,
each overridden by name where it differs:

- ``random_seed``: the seed a module's tests were written against;
- ``randomness``: randomness of another kind (a script of draws);
- ``webhook_allowed_networks``: webhooks to a receiver on 127.0.0.1;
- ``clock``, ``resolver``, ``hasher``, ``app_settings``.

A module-scoped application (one built once for a module's tests) is wired by ``wire``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from jichitai.adapters.security.passwords import Argon2PasswordHasher
from jichitai.bootstrap import App, bootstrap
from jichitai.config import Settings
from jichitai.domain.integration.destinations import parse_networks
from jichitai.services.ports import Clock, HostResolver, PasswordHasher, RandomSource
from tests.fakes import CountingHasher, FakeResolver, FixedClock, SeededRandom

SECRET = "test-secret-" + "x" * 40
DEFAULT_SEED = 3


def settings_for(key_dir: Path, webhook_allowed_networks: str = "") -> Settings:
    """Settings for a test's application: the cheap password hashing, a real secret, its keys."""
    return Settings(
        password_hash_cost="fast",
        secret_key=SECRET,
        key_dir=str(key_dir),
        webhook_allowed_networks=parse_networks(webhook_allowed_networks),
    )


def wire(
    engine: Engine,
    key_dir: Path,
    *,
    clock: Clock | None = None,
    random: RandomSource | None = None,
    hasher: PasswordHasher | None = None,
    resolver: HostResolver | None = None,
) -> App:
    """An application over ``engine`` as the ``app`` fixture wires one (for a wider scope)."""
    return bootstrap(
        settings_for(key_dir),
        engine=engine,
        clock=clock or FixedClock(),
        random=random or SeededRandom(DEFAULT_SEED),
        hasher=hasher,
        resolver=resolver or FakeResolver(),
    )


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def random_seed() -> int:
    """The seed of the application's randomness (``SeededRandom``)."""
    return DEFAULT_SEED


@pytest.fixture
def randomness(random_seed: int) -> RandomSource:
    return SeededRandom(random_seed)


@pytest.fixture
def webhook_allowed_networks() -> str:
    """``JICHITAI_WEBHOOK_ALLOWED_NETWORKS`` for the test: none, the default. A test whose
    webhooks go to a receiver on 127.0.0.1 allows it explicitly (by parametrising this name)."""
    return ""


@pytest.fixture
def resolver() -> FakeResolver:
    """Host names for webhook URLs: none resolve unless a test says so (no test needs DNS)."""
    return FakeResolver()


@pytest.fixture
def hasher() -> CountingHasher:
    """Argon2id at the cheap test cost, every call counted."""
    return CountingHasher(Argon2PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def app_settings(tmp_path: Path, webhook_allowed_networks: str) -> Settings:
    return settings_for(tmp_path / "keys", webhook_allowed_networks)


@pytest.fixture
def app(
    clean_db: Engine,
    clock: FixedClock,
    randomness: RandomSource,
    app_settings: Settings,
    hasher: CountingHasher,
    resolver: FakeResolver,
) -> App:
    return bootstrap(
        app_settings,
        engine=clean_db,
        clock=clock,
        random=randomness,
        hasher=hasher,
        resolver=resolver,
    )
