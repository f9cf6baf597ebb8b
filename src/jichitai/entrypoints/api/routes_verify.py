"""Checking a certificate, by anyone and without logging in: by its 確認コード or by the PDF.

These are the API's only doors a stranger reaches with data behind them, so each client address
may check only ``Settings.verify_limit`` times per ``verify_window_seconds`` (30 a minute by
default): every request counts, a malformed code or a file that is not a PDF too, and the one
over the limit is answered ``429 verify.throttled`` with ``Retry-After``. Codes are random (the
limit is a second wall, not the first), and the answers carry no personal data.

The address is the one the server saw (``request.client``): behind a reverse proxy, run
``jichitai serve`` with the proxy's address trusted for ``X-Forwarded-For`` (uvicorn's
``--forwarded-allow-ips``) so that each client is counted, not the proxy. An IPv6 client is
counted by its /64 network, which one subscriber usually holds whole.
"""

from __future__ import annotations

import ipaddress
import math
from datetime import date

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from jichitai.domain.errors import DomainError, TooManyRequests, Violation, invalid
from jichitai.entrypoints.api import schemas as s
from jichitai.entrypoints.api.routes_certificates import IssueCodePath
from jichitai.entrypoints.api.security import app_of
from jichitai.entrypoints.api.verify_page import HEADERS, not_found_page, verification_page
from jichitai.entrypoints.presenters import status_of


def client_key(request: Request) -> str:
    """Whom a request is counted against: its address (an IPv6 address by its /64)."""
    host = request.client.host if request.client else ""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host or "unknown"
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def counted(request: Request) -> None:
    """Count this check against the client's address, or refuse it (before the code or the
    body is even read, so malformed requests count too)."""
    throttle = app_of(request).verify_throttle
    wait = throttle.take(client_key(request))
    if wait is None:
        return
    limit = throttle.limit
    seconds = max(1, math.ceil(wait.total_seconds()))
    raise TooManyRequests(
        Violation(
            "verify.throttled",
            f"証明書の確認が多すぎます（同じ接続元から{int(limit.window.total_seconds())}秒間に"
            f"{limit.limit}回まで）。{seconds}秒後にもう一度お試しください",
            None,
        ),
        retry_after_seconds=seconds,
    )


router = APIRouter(tags=["certificates"], dependencies=[Depends(counted)])
CHECK_ERRORS = s.error_responses(429)


class Verification(BaseModel):
    issue_code: str
    title: str
    municipality_name: str
    issued_on: date
    pages: int
    content_sha256: str
    superseded_by: str | None = Field(
        description="再交付・再印刷されていればその新しい確認コード（この証明書は無効）"
    )
    disposed_on: date | None = Field(
        default=None, description="誤発行により処分された日（この証明書は無効）"
    )


class FileVerification(BaseModel):
    valid: bool
    problems: list[str]
    issue_code: str
    title: str
    issued_on: date | None
    signer: str
    checks: dict[str, bool]


def wants_html(request: Request) -> bool:
    """A browser's request (it asks for ``text/html``, not ``application/json``); any other
    client, ``*/*`` included, gets the JSON."""
    accept = request.headers.get("accept", "").lower()
    return "text/html" in accept and "application/json" not in accept


@router.get(
    "/verify/{issue_code}",
    operation_id="verifyCertificateCode",
    response_model=Verification,
    responses={
        **CHECK_ERRORS,
        **s.error_responses(404),
        200: {
            "content": {"text/html": {}},
            "description": "ブラウザ（Accept: text/html）には日本語のページ",
        },
    },
    summary="証明書の確認（確認コード、ログイン不要）",
)
def verify_code(request: Request, issue_code: IssueCodePath) -> Verification | Response:
    html = wants_html(request)
    try:
        found = app_of(request).certificates.verify_code(issue_code)
    except DomainError as e:
        if not html:
            raise
        return HTMLResponse(not_found_page(e.message), status_code=status_of(e), headers=HEADERS)
    if html:
        return HTMLResponse(verification_page(found), headers=HEADERS)
    return Verification(
        issue_code=found.code,
        title=found.title,
        municipality_name=found.municipality_name,
        issued_on=found.issued_on,
        pages=found.pages,
        content_sha256=found.content_sha256,
        superseded_by=found.superseded_by,
        disposed_on=found.disposed_on,
    )


async def _pdf_sent(request: Request) -> bytes:
    """The PDF: the raw body, or the field ``file`` of a multipart upload (``curl -F
    file=@copy.pdf``)."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != "multipart/form-data":
        return await request.body()
    form = await request.form(max_files=1, max_fields=5)
    try:
        sent = form.get("file")
        return await sent.read() if isinstance(sent, UploadFile) else b""
    finally:
        await form.close()


@router.post(
    "/verify",
    operation_id="verifyCertificateFile",
    response_model=FileVerification,
    responses=CHECK_ERRORS,
    summary="証明書PDFの確認（電子署名・QRコード・発行履歴、ログイン不要）",
    openapi_extra={
        "requestBody": {
            "content": {
                "application/pdf": {"schema": {"type": "string", "format": "binary"}},
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {"file": {"type": "string", "format": "binary"}},
                        "required": ["file"],
                    }
                },
            },
            "required": True,
        }
    },
)
async def verify_file(request: Request) -> FileVerification:
    data = await _pdf_sent(request)
    if not data.startswith(b"%PDF"):
        raise invalid(
            "certificate.not_pdf",
            "PDFファイルを送信してください（本文に、又は multipart の file として）",
            "body",
        )
    result = await run_in_threadpool(app_of(request).certificates.verify_file, data)
    return FileVerification(
        valid=result.valid,
        problems=list(result.problems),
        issue_code=result.code,
        title=result.title,
        issued_on=result.issued_on,
        signer=result.signer,
        checks=result.checks,
    )
