"""The FastAPI application of the API: routers, the body-size limit, one error shape.

``create_api(app)`` takes the wired services (``jichitai.bootstrap.App``); the application
``jichitai serve`` runs adds the counter to it (``entrypoints/server.py``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
import orjson
from fastapi import FastAPI
from fastapi_offline import FastAPIOffline
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from jichitai import __version__
from jichitai.bootstrap import App
from jichitai.domain.errors import Violation
from jichitai.domain.integration.versioning import INTEGRATION_VERSION, VERSION_HEADER
from jichitai.entrypoints.api import (
    routes_admin,
    routes_audit,
    routes_auth,
    routes_certificates,
    routes_cs,
    routes_cs_fill,
    routes_cs_inbox,
    routes_drafts,
    routes_integration,
    routes_national_check,
    routes_notices,
    routes_number_link,
    routes_residents,
    routes_seals,
    routes_subscribers,
    routes_suppressions,
    routes_verify,
)
from jichitai.entrypoints.api.errors import error_body, install_error_handlers


class IntegrationVersion:
    """Name the integration contract's version (``X-Jichitai-Integration-Version``) on every
    answer under ``/integration/``, refusals included (``domain/integration/versioning.py``)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not str(scope["path"]).startswith("/integration/"):
            await self.app(scope, receive, send)
            return

        async def versioned_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [*message.get("headers", ()), _VERSION]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, versioned_send)


_VERSION = (VERSION_HEADER.lower().encode(), INTEGRATION_VERSION.encode())


class BodySizeLimit:
    """Refuse (413, in the API's error shape) a body larger than ``limit`` bytes, whether or
    not it declares a Content-Length, before any of it reaches a route."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await self._refuse(send, scope["path"])
            return
        received = 0
        too_large = False

        async def limited_receive() -> Message:
            nonlocal received, too_large
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    too_large = True
                    return {"type": "http.disconnect"}
            return message

        started = False

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if too_large and not started:
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        await self.app(scope, limited_receive, guarded_send)
        if too_large and not started:
            await self._refuse(send, scope["path"])

    async def _refuse(self, send: Send, path: str) -> None:
        message = f"リクエストが大きすぎます（上限 {self.limit:,} バイト）"
        if path.startswith("/ui/"):
            # The counter's forms get a page, not JSON (the route never ran, so no template).
            body = (
                '<!doctype html><html lang="ja"><meta charset="utf-8">'
                "<title>送信された内容が大きすぎます</title><h1>送信された内容が大きすぎます</h1>"
                f"<p>{message}。ファイルを小さくして、前の画面からもう一度送信してください。</p>"
            ).encode()
            content_type = b"text/html; charset=utf-8"
        else:
            body = orjson.dumps(error_body([Violation("request.too_large", message, "body")]))
            content_type = b"application/json"
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", content_type),
                    (b"content-length", str(len(body)).encode()),
                    (b"cache-control", b"no-store"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def create_api(jichitai: App) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # Routes are plain functions run in a thread pool; more threads than pooled database
        # connections only queue (and switch the GIL) without adding throughput.
        if jichitai.api_threads is not None:
            limiter = anyio.to_thread.current_default_thread_limiter()
            limiter.total_tokens = jichitai.api_threads
        yield

    # The interactive docs (/docs, /redoc) serve their scripts from the package, not a CDN:
    # municipal networks are often closed to the internet.
    api = FastAPIOffline(
        lifespan=lifespan,
        title="jichitai 住民記録 API",
        version=__version__,
        description=(
            "住民記録システム（標準仕様準拠）の職員向けAPI。"
            "認証は OAuth2 パスワードフロー（POST /api/v1/auth/token）。"
            'エラーは常に {"errors": [{code, message, field, level}]} の形で返します。'
        ),
    )
    api.state.jichitai = jichitai
    api.state.access_log = jichitai.access_log
    install_error_handlers(api)
    for module in (
        routes_auth,
        routes_residents,
        routes_drafts,
        routes_suppressions,
        routes_admin,
        routes_subscribers,
        routes_certificates,
        routes_verify,
        routes_seals,
        routes_audit,
        routes_integration,
        routes_cs,
        routes_national_check,
        routes_notices,
        routes_cs_inbox,
        routes_cs_fill,
        routes_number_link,
    ):
        api.include_router(module.router)
    api.add_middleware(BodySizeLimit, limit=jichitai.settings.max_body_bytes)
    api.add_middleware(IntegrationVersion)

    @api.get("/healthz", operation_id="health", tags=["operations"], summary="死活監視")
    def health() -> dict[str, str]:
        """Liveness for load balancers: answers without touching the database or any data."""
        return {"status": "ok"}

    return api
