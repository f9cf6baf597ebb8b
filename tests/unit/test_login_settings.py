"""The log-in limits and the hashing bound are settings with safe defaults, checked when read."""

from __future__ import annotations

import os

import pytest

from jichitai.config import Settings, SettingsError


def test_the_defaults_are_the_documented_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("JICHITAI_"):
            monkeypatch.delenv(name)
    settings = Settings.from_environment()
    assert (
        settings.login_failures_per_address,
        settings.login_failures_per_login,
        settings.login_failure_minutes,
    ) == (20, 5, 15)
    assert settings.hash_concurrency == (os.cpu_count() or 1)
    assert settings.hash_waiting is None


def test_the_environment_sets_them(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JICHITAI_LOGIN_FAILURES_PER_ADDRESS", "50")
    monkeypatch.setenv("JICHITAI_LOGIN_FAILURES_PER_LOGIN", "3")
    monkeypatch.setenv("JICHITAI_LOGIN_FAILURE_MINUTES", "30")
    monkeypatch.setenv("JICHITAI_HASH_CONCURRENCY", "4")
    monkeypatch.setenv("JICHITAI_HASH_WAITING", "0")
    settings = Settings.from_environment()
    assert (settings.login_failures_per_address, settings.login_failures_per_login) == (50, 3)
    assert (settings.login_failure_minutes, settings.hash_concurrency) == (30, 4)
    assert settings.hash_waiting == 0


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("JICHITAI_LOGIN_FAILURES_PER_ADDRESS", "0"),
        ("JICHITAI_LOGIN_FAILURES_PER_LOGIN", "many"),
        ("JICHITAI_HASH_CONCURRENCY", "-1"),
        ("JICHITAI_HASH_WAITING", "1.5"),
    ],
)
def test_nonsense_is_refused_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError, match=name):
        Settings.from_environment()
