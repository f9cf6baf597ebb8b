"""Certificates: issuing (staff) and checking (anyone, no login: /verify)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from jichitai.domain.certificates.contents import CertificateKind, ItemChoice, SheetLayout
from jichitai.domain.errors import invalid
from jichitai.entrypoints.api import schemas as s
from jichitai.entrypoints.api.security import CurrentActor, app_of

router = APIRouter(tags=["certificates"])

ERRORS = s.error_responses(403, 404)


class Items(BaseModel):
    model_config = ConfigDict(extra="forbid")

    head_and_relationship: bool = False
    domicile: bool = False
    resident_code: bool = False
    individual_number: bool = False
    foreign_items: bool = False


class IssueRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    atena_number: str = Field(pattern=r"^\d{10}$", description="宛名番号")
    kind: CertificateKind = CertificateKind.JUMINHYO
    household: bool = Field(default=False, description="世帯全員（既定: 本人のみ）")
    layout: SheetLayout = SheetLayout.HOUSEHOLD
    items: Items = Field(default_factory=Items, description="記載する項目（既定: 省略）")
    with_history: bool = False
    acknowledged_alerts: list[str] = Field(default_factory=list, max_length=20)


class Verification(BaseModel):
    issue_code: str
    title: str
    municipality_name: str
    issued_on: date
    pages: int
    content_sha256: str


class FileVerification(BaseModel):
    valid: bool
    problems: list[str]
    issue_code: str
    title: str
    issued_on: date | None
    signer: str
    checks: dict[str, bool]


@router.post(
    "/api/v1/certificates",
    operation_id="issueCertificate",
    status_code=201,
    responses={
        **ERRORS,
        201: {"description": "署名済みPDF", "content": {"application/pdf": {}}},
    },
    response_class=Response,
    summary="証明書の発行（住民票の写し・除票の写し・記載事項証明書）",
)
def issue_certificate(request: Request, actor: CurrentActor, body: IssueRequest) -> Response:
    issued = app_of(request).certificates.issue(
        actor,
        body.atena_number,
        body.kind,
        household=body.household,
        layout=body.layout,
        items=ItemChoice(**body.items.model_dump()),
        with_history=body.with_history,
        acknowledged=frozenset(body.acknowledged_alerts),
    )
    return Response(
        issued.pdf,
        status_code=201,
        media_type="application/pdf",
        headers={
            "X-Jichitai-Issue-Code": issued.code,
            "X-Jichitai-Pages": str(issued.pages),
            "Content-Disposition": f'attachment; filename="{issued.code}.pdf"',
            "Cache-Control": "no-store",
        },
    )


@router.get(
    "/verify/{issue_code}",
    operation_id="verifyCertificateCode",
    response_model=Verification,
    responses=s.error_responses(404),
    summary="証明書の確認（確認コード、ログイン不要）",
)
def verify_code(
    request: Request,
    issue_code: Annotated[str, Path(max_length=40, description="22桁の確認コード")],
) -> Verification:
    found = app_of(request).certificates.verify_code(issue_code)
    return Verification(
        issue_code=found.code,
        title=found.title,
        municipality_name=found.municipality_name,
        issued_on=found.issued_on,
        pages=found.pages,
        content_sha256=found.content_sha256,
    )


@router.post(
    "/verify",
    operation_id="verifyCertificateFile",
    response_model=FileVerification,
    responses=s.error_responses(),
    summary="証明書PDFの確認（電子署名・QRコード・発行履歴、ログイン不要）",
    openapi_extra={
        "requestBody": {
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            "required": True,
        }
    },
)
async def verify_file(request: Request) -> FileVerification:
    data = await request.body()
    if not data.startswith(b"%PDF"):
        raise invalid("certificate.not_pdf", "PDFファイルを送信してください", "body")
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
