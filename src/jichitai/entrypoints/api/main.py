"""The ASGI application as ``jichitai serve`` (uvicorn) loads it: settings from the environment."""

from __future__ import annotations

from jichitai.bootstrap import bootstrap
from jichitai.config import Settings
from jichitai.entrypoints.api.app import create_app

_settings = Settings.from_environment()
_settings.check()
api = create_app(bootstrap(_settings))
