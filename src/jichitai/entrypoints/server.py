"""The HTTP application ``jichitai serve`` runs: the staff and integration API, with the counter
(窓口) on the same application.

This is the one module where the two HTTP doors meet: the API (``entrypoints/api``) and the
counter (``entrypoints/web``) never import each other (an import-linter contract), so either can
change without the other. The counter relies on the API's error handlers, which answer a refusal
on a ``/ui/`` path with the counter's page (``app.state.html_error``) instead of JSON.
"""

from __future__ import annotations

from fastapi import FastAPI

from jichitai.bootstrap import App
from jichitai.entrypoints.api.app import create_api
from jichitai.entrypoints.web.app import install_counter


def create_app(jichitai: App) -> FastAPI:
    """The API with the counter installed on it (tests and ``jichitai serve`` build the same)."""
    api = create_api(jichitai)
    install_counter(api, jichitai)
    return api
