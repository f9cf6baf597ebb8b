"""Settings shared by every test."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from hypothesis import settings

pytest_plugins = ["tests.database", "tests.apps"]

# Timings belong in bench/, not in tests: on a busy 2-core CI machine a property test's example
# may take longer than Hypothesis's default 200 ms deadline without anything being wrong.
# JICHITAI_HYPOTHESIS_EXAMPLES raises the number of examples for a deeper search by hand.
settings.register_profile(
    "jichitai",
    deadline=None,
    max_examples=int(os.environ.get("JICHITAI_HYPOTHESIS_EXAMPLES", "100")),
)
settings.load_profile("jichitai")


@pytest.fixture(scope="session", autouse=True)
def _key_dir_of_the_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """An application a test bootstraps from the environment keeps its keys (the 個人番号 keys
    every change writes with, certificate keys) in the session's temporary folder, not in a
    ``keys`` folder of the checkout."""
    if os.environ.get("JICHITAI_KEY_DIR"):
        yield
        return
    os.environ["JICHITAI_KEY_DIR"] = str(tmp_path_factory.mktemp("keys"))
    yield
    os.environ.pop("JICHITAI_KEY_DIR", None)
