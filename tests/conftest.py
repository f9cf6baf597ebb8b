"""Settings shared by every test."""

from __future__ import annotations

from hypothesis import settings

# Timings belong in bench/, not in tests: on a busy 2-core CI machine a property test's example
# may take longer than Hypothesis's default 200 ms deadline without anything being wrong.
settings.register_profile("jichitai", deadline=None)
settings.load_profile("jichitai")
