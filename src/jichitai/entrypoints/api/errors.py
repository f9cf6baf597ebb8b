"""One error shape for the whole API, mapped in this one place.

``{"errors": [{"code": ..., "message": <Japanese>, "field": ..., "level": "error"|"alert"}]}``

Domain refusals map by their class (401 unauthenticated, 403 forbidden, 404 not found — also for
another municipality's data, which must not be told apart from missing data — 409 conflict, 429
too many attempts and 503 at capacity, both with ``Retry-After``, 422 for every other rule);
framework errors (malformed JSON, wrong types, unknown routes, oversized bodies) are rewritten
into the same shape; anything unexpected is a 500 in the same shape, with
no detail leaked. Every refusal of an authenticated user or business system (subscriber) is
written to the access log.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from jichitai.domain.access.actor import Actor, Unauthenticated
from jichitai.domain.common.identifiers import AtenaNumber
from jichitai.domain.errors import (
    DomainError,
    TooManyRequests,
    Unavailable,
    Violation,
)
from jichitai.domain.integration.subscribers import Subscriber
from jichitai.entrypoints.presenters import status_of
from jichitai.services.audit import AccessLog, Operation
from jichitai.services.integration import INTEGRATION_ROLE

log = logging.getLogger("jichitai.api")


def error_body(violations: Sequence[Violation]) -> dict[str, Any]:
    return {
        "errors": [
            {
                "code": v.code,
                "message": v.message,
                "field": v.field,
                "level": v.severity.value,
            }
            for v in violations
        ]
    }


def headers_of(error: DomainError) -> dict[str, str] | None:
    """The headers a refusal needs: the scheme to authenticate with, or when to come back."""
    if isinstance(error, Unauthenticated):
        return {"WWW-Authenticate": "Bearer"}
    if isinstance(error, (TooManyRequests, Unavailable)):
        return {"Retry-After": str(error.retry_after_seconds)}
    return None


_HTTP_CODES: dict[int, tuple[str, str]] = {
    400: ("request.bad", "リクエストの形式が正しくありません"),
    401: ("auth.required", "ログインが必要です"),
    403: ("auth.forbidden", "この操作を行う権限がありません"),
    404: ("route.not_found", "指定されたURLはありません"),
    405: ("route.method_not_allowed", "このURLではその操作はできません"),
    406: ("request.not_acceptable", "応答の形式が受け付けられません"),
    413: ("request.too_large", "リクエストが大きすぎます"),
    415: ("request.unsupported_media_type", "リクエストの形式(Content-Type)が正しくありません"),
}

_VALIDATION_MESSAGES: dict[str, str] = {
    "missing": "必須項目です",
    "extra_forbidden": "この項目は指定できません",
    "json_invalid": "JSONの形式が正しくありません",
    "string_too_long": "長すぎます",
    "string_too_short": "短すぎます",
    "too_long": "項目が多すぎます",
    "string_pattern_mismatch": "形式が正しくありません",
    "date_from_datetime_parsing": "日付の形式が正しくありません（YYYY-MM-DD）",
    "date_parsing": "日付の形式が正しくありません（YYYY-MM-DD）",
    "int_parsing": "整数で指定してください",
    "less_than_equal": "値が大きすぎます",
    "greater_than_equal": "値が小さすぎます",
    "enum": "指定できる値ではありません",
    "literal_error": "指定できる値ではありません",
    "model_attributes_type": "オブジェクトで指定してください",
    "dict_type": "オブジェクトで指定してください",
    "list_type": "配列で指定してください",
    "string_type": "文字列で指定してください",
    "bool_parsing": "true か false で指定してください",
    "bool_type": "true か false で指定してください",
}


def _field(loc: Sequence[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) if parts else "body"


def validation_violations(error: RequestValidationError) -> tuple[int, list[Violation]]:
    violations: list[Violation] = []
    status = 422
    for item in error.errors():
        kind = str(item.get("type", "invalid"))
        if kind == "json_invalid":
            status = 400
        message = _VALIDATION_MESSAGES.get(kind, "入力値が正しくありません")
        violations.append(Violation(f"request.{kind}", message, _field(item.get("loc", ()))))
    if not violations:
        violations.append(Violation("request.invalid", "入力値が正しくありません", "body"))
    return status, violations


def _log_refusal(request: Request, status: int, violations: Sequence[Violation]) -> None:
    """The access log keeps every refusal of an authenticated user (who tried what)."""
    actor: Actor | None = getattr(request.state, "actor", None)
    subscriber: Subscriber | None = getattr(request.state, "subscriber", None)
    access_log: AccessLog | None = getattr(request.app.state, "access_log", None)
    if (actor is None and subscriber is None) or access_log is None:
        return
    atena = request.path_params.get("atena_number")
    try:
        AtenaNumber.parse(str(atena))
        persons: tuple[str, ...] = (str(atena),)
    except DomainError:
        persons = ()
    target = f"{request.method} {request.url.path}"[:200]
    detail = f"{status} {violations[0].code}"[:200]
    try:
        if actor is not None:
            access_log.record(
                actor,
                Operation.REFUSED,
                atena_numbers=persons,
                target=target,
                outcome="refused",
                detail=detail,
            )
        elif subscriber is not None:
            access_log.record_for_user(
                subscriber.municipality_code,
                subscriber.login,
                (INTEGRATION_ROLE,),
                Operation.REFUSED,
                place=subscriber.name,
                purpose=subscriber.system_label,
                atena_numbers=persons,
                target=target,
                outcome="refused",
                detail=detail,
            )
    except Exception:  # the refusal is answered even if logging it failed; the failure is loud
        log.exception("could not write the refusal to the access log")


def respond(
    request: Request,
    status: int,
    violations: Sequence[Violation],
    headers: dict[str, str] | None = None,
) -> Response:
    """The refusal logged, then answered as JSON, or as a page for the counter's paths."""
    _log_refusal(request, status, violations)
    html_error = getattr(request.app.state, "html_error", None)
    if html_error is not None and request.url.path.startswith("/ui/"):
        response: Response = html_error(request, status, violations)
        return response
    return JSONResponse(error_body(violations), status_code=status, headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def domain_error(request: Request, error: DomainError) -> Response:
        return respond(request, status_of(error), error.violations, headers_of(error))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, error: RequestValidationError) -> Response:
        status, violations = validation_violations(error)
        return respond(request, status, violations)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        code, message = _HTTP_CODES.get(
            error.status_code, (f"http.{error.status_code}", "リクエストを処理できません")
        )
        headers = dict(error.headers) if error.headers else None
        return respond(request, error.status_code, [Violation(code, message, None)], headers)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> Response:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        internal = Violation(
            "internal.error", "システムエラーが発生しました。時間をおいて再度お試しください", None
        )
        html_error = getattr(request.app.state, "html_error", None)
        if html_error is not None and request.url.path.startswith("/ui/"):
            page: Response = html_error(request, 500, [internal])
            return page
        return JSONResponse(error_body([internal]), status_code=500)
