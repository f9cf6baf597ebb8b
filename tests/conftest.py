"""Settings shared by every test."""

from __future__ import annotations

import os

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
