"""Certificates: issuing, re-issuing and the issue history (staff), the issuer and official seal
(administrators); checking by anyone is ``routes_verify``."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Header, Path, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from jichitai.domain.access.roles import Permission
from jichitai.domain.certificates.issuer import CertifierChoice, Deputy, IssuerSettings
from jichitai.domain.certificates.kinds import (
    CERTIFICATE_TYPES,
    CertificateKind,
    ItemChoice,
    SheetLayout,
)
from jichitai.domain.certificates.requests import (
    MAX_COPIES,
    MAX_FEE_PER_COPY,
    Requester,
    read_request,
    requester_label,
)
from jichitai.domain.errors import invalid
from jichitai.domain.inbound.text import CERTIFICATE_REASON, CERTIFIER_TEXT
from jichitai.entrypoints.api import schemas as s
from jichitai.entrypoints.api.inputs import idempotency_key_of
from jichitai.entrypoints.api.security import CurrentActor, app_of
from jichitai.services.certificates import CertificateRequest, Issued
from jichitai.services.certificates import IssueRecord as IssueRow

REASON = CERTIFICATE_REASON.max_length
ISSUER = CERTIFIER_TEXT.max_length

router = APIRouter(tags=["certificates"])

ERRORS = s.error_responses(403, 404)
PDF_CREATED: dict[int | str, dict[str, object]] = {
    201: {"description": "署名済みPDF", "content": {"application/pdf": {}}}
}
IMAGE_BODY: dict[str, object] = {
    "requestBody": {
        "content": {
            "image/png": {"schema": {"type": "string", "format": "binary"}},
            "image/jpeg": {"schema": {"type": "string", "format": "binary"}},
        },
        "required": True,
    }
}
"""A seal image sent as the raw body."""
IssueCodePath = Annotated[
    str, Path(max_length=40, description="確認コード（21桁。旧形式の22桁も可）")
]


class Items(BaseModel):
    model_config = ConfigDict(extra="forbid")

    head_and_relationship: bool = False
    domicile: bool = False
    resident_code: bool = False
    individual_number: bool = False
    foreign_items: bool = False
    furigana: bool = Field(default=False, description="氏名・通称の後に括弧書きでフリガナを記載")
    official_use: bool = Field(default=False, description="「公用」と表示（官公署の公用請求）")


class IssueRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    atena_number: str = Field(pattern=r"^\d{10}$", description="宛名番号")
    kind: CertificateKind = Field(
        default=CertificateKind.RESIDENCE_CERTIFICATE,
        description="証明書の種類: "
        + "、".join(f"{t.kind.value}（{t.title}）" for t in CERTIFICATE_TYPES),
    )
    household: bool = Field(default=False, description="世帯全員（既定: 本人のみ）")
    layout: SheetLayout = SheetLayout.HOUSEHOLD
    items: Items = Field(default_factory=Items, description="記載する項目（既定: 省略）")
    with_history: bool = False
    seal_card_number: str = Field(
        default="",
        max_length=20,
        description="印鑑登録証の番号（印鑑登録証明書のとき必須）",
    )
    acknowledged_alerts: list[str] = Field(default_factory=list, max_length=20)
    certifier: CertifierChoice = Field(
        default=CertifierChoice.AUTO,
        description="認証者: auto（職務代理の期間は職務代理者、それ以外は市区町村長）、mayor、deputy",
    )
    official_seal: bool = Field(default=True, description="公印を印字する（false: 「公印省略」）")
    requester: str = Field(
        default=Requester.SELF.value,
        max_length=20,
        description="請求者: " + "、".join(f"{r.value}（{r.label}）" for r in Requester),
    )
    copies: int = Field(
        default=1,
        description=f"通数（1〜{MAX_COPIES}）。手数料は市区町村の設定から計算されます（公用は無料）",
    )


class ReissueRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(description=f"再交付・再印刷の理由（{REASON}文字以内）")
    acknowledged_alerts: list[str] = Field(default_factory=list, max_length=20)


class DisposeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(
        description=f"処分の理由（例: 対象者の誤り、記載事項の誤り。{REASON}文字以内）"
    )


class DisposalOut(BaseModel):
    disposed_at: datetime
    disposed_by: str
    terminal: str
    reason: str


class IssueEntry(BaseModel):
    issue_code: str
    issued_on: date
    issued_at: datetime
    kind: str
    title: str
    persons: list[str]
    items: list[str]
    pages: int
    issued_by: str
    terminal: str
    place: str
    reissue_of: str | None
    reason: str
    disposal: DisposalOut | None = Field(
        default=None, description="誤発行による処分の記録（処分情報）"
    )
    requester: str | None = Field(
        default=None, description="請求者（記録のない以前の発行・再交付は null）"
    )
    requester_label: str | None = None
    copies: int = Field(default=1, description="通数")
    fee: int | None = Field(default=None, description="手数料（円。記録のないものは null）")


class KindTotalOut(BaseModel):
    kind: str
    title: str
    requests: int = Field(description="請求の件数")
    copies: int = Field(description="通数の合計")
    fee: int = Field(description="手数料の合計（円）")


class DayTotals(BaseModel):
    issued_on: date
    kinds: list[KindTotalOut]
    copies: int
    fee: int


class FeesBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    fees: dict[CertificateKind, int] = Field(
        description=f"証明書の種類ごとの1通の手数料（円、0〜{MAX_FEE_PER_COPY}）。"
        "指定しない種類はそのまま"
    )


class FeesOut(BaseModel):
    fees: dict[str, int] = Field(description="証明書の種類ごとの1通の手数料（円）")


class OverflowEntry(BaseModel):
    issue_code: str
    issued_at: datetime
    title: str
    sheet: int = Field(description="何枚目か")
    label: str = Field(description="項目")
    value: str = Field(description="印字できなかった内容")
    reason: str = Field(description="too_long（文字溢れ）又は gaiji（未登録外字）")
    reason_label: str


class OverflowList(BaseModel):
    issued_on: date
    count: int
    overflows: list[OverflowEntry]


class IssueHistory(BaseModel):
    count: int
    issues: list[IssueEntry]


class DeputyBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(
        description=f"職務代理者の職名（例: 千代田区長職務代理者　千代田区副区長。{ISSUER}文字以内）"
    )
    name: str = Field(default="", description=f"職務代理者の氏名（{ISSUER}文字以内）")
    starts_on: date | None = Field(
        default=None, description="職務代理の開始日（この期間は自動で職務代理者が認証者）"
    )
    ends_on: date | None = Field(default=None, description="職務代理の終了日（なし: 未定）")


class IssuerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    mayor_title: str = Field(description=f"認証者の職名（例: 千代田区長。{ISSUER}文字以内）")
    mayor_name: str = Field(default="", description=f"認証者の氏名（{ISSUER}文字以内）")
    deputy: DeputyBody | None = Field(default=None, description="職務代理者（なし: 登録しない）")
    fixed_phrase: str = Field(
        default="",
        description=f"認証者の下に印字する固定文言（例: この印は黒色です。{ISSUER}文字以内）",
    )
    blank_overflow: bool = Field(
        default=False,
        description="文字溢れ・未登録外字の項目を空白で印字する（false: 限界まで小さくして印字）",
    )


class IssuerOut(BaseModel):
    municipality_name: str
    mayor_title: str
    mayor_name: str
    official_seal_width: int
    official_seal_height: int
    official_seal_sha256: str
    deputy: DeputyBody | None = None
    fixed_phrase: str = ""
    deputy_seal_sha256: str = Field(
        default="", description="職務代理者の公印（空: 市区町村長の公印を使う）"
    )
    blank_overflow: bool = False


def _pdf(issued: Issued) -> Response:
    return Response(
        issued.pdf,
        status_code=201,
        media_type="application/pdf",
        headers={
            "X-Jichitai-Issue-Code": issued.code,
            "X-Jichitai-Pages": str(issued.pages),
            "Content-Disposition": f'attachment; filename="{issued.code}.pdf"',
            "Cache-Control": "no-store",
            # §5.8: how many values could not be printed whole (listed by /certificates/overflows)
            "X-Jichitai-Overflows": str(len(issued.overflows)),
            "X-Jichitai-Copies": str(issued.copies),
            **({"X-Jichitai-Fee": str(issued.fee)} if issued.fee is not None else {}),
        },
    )


@router.post(
    "/api/v1/certificates",
    operation_id="issueCertificate",
    status_code=201,
    responses={**s.error_responses(403, 404, 409), **PDF_CREATED},
    response_class=Response,
    summary="証明書の発行（住民票の写し・除票の写し・記載事項証明書・転出証明書・印鑑登録証明書）",
)
def issue_certificate(
    request: Request,
    actor: CurrentActor,
    body: IssueRequest,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            description="同じキーで送り直した発行は行わず、409 certificate.already_issued で最初の確認コードを返します",
        ),
    ] = None,
) -> Response:
    asked = CertificateRequest(
        body.atena_number,
        body.kind,
        household=body.household,
        layout=body.layout,
        items=ItemChoice(**body.items.model_dump()),
        with_history=body.with_history,
        acknowledged=frozenset(body.acknowledged_alerts),
        seal_card_number=body.seal_card_number,
        certifier=body.certifier,
        with_seal=body.official_seal,
        terms=read_request(body.requester, body.copies),
    )
    issued = app_of(request).certificates.issue(
        actor, asked, idempotency_key=idempotency_key_of(idempotency_key)
    )
    return _pdf(issued)


@router.post(
    "/api/v1/certificates/{issue_code}/reissue",
    operation_id="reissueCertificate",
    status_code=201,
    responses={**s.error_responses(403, 404, 409), **PDF_CREATED},
    response_class=Response,
    summary="証明書の再交付（転出証明書）・再印刷（発行時の内容で新しい発行番号）",
)
def reissue_certificate(
    request: Request, actor: CurrentActor, issue_code: IssueCodePath, body: ReissueRequest
) -> Response:
    issued = app_of(request).certificates.reissue(
        actor, issue_code, body.reason, acknowledged=frozenset(body.acknowledged_alerts)
    )
    return _pdf(issued)


def _entry(row: IssueRow) -> IssueEntry:
    return IssueEntry(
        issue_code=row.issue_code,
        issued_on=row.issued_on,
        issued_at=row.issued_at,
        kind=row.kind,
        title=row.title,
        persons=list(row.persons),
        items=list(row.items),
        pages=row.pages,
        issued_by=row.issued_by,
        terminal=row.terminal,
        place=row.place,
        reissue_of=row.reissue_of,
        reason=row.reason,
        disposal=DisposalOut(
            disposed_at=row.disposal.disposed_at,
            disposed_by=row.disposal.disposed_by,
            terminal=row.disposal.terminal,
            reason=row.disposal.reason,
        )
        if row.disposal
        else None,
        requester=row.requester,
        requester_label=requester_label(row.requester),
        copies=row.copies,
        fee=row.fee,
    )


@router.post(
    "/api/v1/certificates/{issue_code}/dispose",
    operation_id="disposeCertificate",
    response_model=IssueEntry,
    responses=s.error_responses(403, 404, 409),
    summary="誤って発行した証明書の処分を記録（以後この証明書は無効）",
)
def dispose_certificate(
    request: Request, actor: CurrentActor, issue_code: IssueCodePath, body: DisposeRequest
) -> IssueEntry:
    return _entry(app_of(request).certificates.dispose(actor, issue_code, body.reason))


@router.get(
    "/api/v1/certificates",
    operation_id="listCertificateIssues",
    response_model=IssueHistory,
    responses=s.error_responses(403),
    summary="証明書の発行履歴（新しい順、最大500件）",
)
def certificate_history(
    request: Request,
    actor: CurrentActor,
    atena_number: Annotated[
        str | None, Query(pattern=r"^\d{10}$", description="宛名番号（その方の証明書）")
    ] = None,
    issued_on: Annotated[date | None, Query(description="発行日")] = None,
) -> IssueHistory:
    rows = app_of(request).certificates.history(actor, atena_number, issued_on)
    return IssueHistory(count=len(rows), issues=[_entry(r) for r in rows])


@router.get(
    "/api/v1/certificates/totals",
    operation_id="certificateDayTotals",
    response_model=DayTotals,
    responses=s.error_responses(403),
    summary="その日の証明書の種類ごとの通数・手数料の合計（処分したものを除く）",
)
def certificate_totals(
    request: Request,
    actor: CurrentActor,
    issued_on: Annotated[date | None, Query(description="発行日（既定: 今日）")] = None,
) -> DayTotals:
    app = app_of(request)
    day = issued_on or app.clock.today()
    kinds = app.certificates.totals(actor, day)
    return DayTotals(
        issued_on=day,
        kinds=[
            KindTotalOut(
                kind=k.kind, title=k.title, requests=k.requests, copies=k.copies, fee=k.fee
            )
            for k in kinds
        ],
        copies=sum(k.copies for k in kinds),
        fee=sum(k.fee for k in kinds),
    )


@router.get(
    "/api/v1/admin/certificate-fees",
    operation_id="getCertificateFees",
    response_model=FeesOut,
    responses=s.error_responses(403),
    tags=["administration"],
    summary="証明書の1通の手数料（種類ごと）",
)
def get_fees(request: Request, actor: CurrentActor) -> FeesOut:
    found = app_of(request).certificates.fees(actor)
    return FeesOut(fees={k.value: v for k, v in found.items()})


@router.put(
    "/api/v1/admin/certificate-fees",
    operation_id="setCertificateFees",
    response_model=FeesOut,
    responses=s.error_responses(403),
    tags=["administration"],
    summary="証明書の1通の手数料の設定（管理者、次の発行から。公用の請求は無料）",
)
def set_fees(request: Request, actor: CurrentActor, body: FeesBody) -> FeesOut:
    found = app_of(request).certificates.set_fees(actor, body.fees)
    return FeesOut(fees={k.value: v for k, v in found.items()})


@router.get(
    "/api/v1/certificates/overflows",
    operation_id="listCertificateOverflows",
    response_model=OverflowList,
    responses=s.error_responses(403),
    summary="文字超過リスト（その日の証明書で印字しきれなかった項目）",
)
def certificate_overflows(
    request: Request,
    actor: CurrentActor,
    issued_on: Annotated[date | None, Query(description="発行日（既定: 今日）")] = None,
) -> OverflowList:
    app = app_of(request)
    day = issued_on or app.clock.today()
    rows = app.certificates.overflow_list(actor, day)
    return OverflowList(
        issued_on=day,
        count=len(rows),
        overflows=[
            OverflowEntry(
                issue_code=r.issue_code,
                issued_at=r.issued_at,
                title=r.title,
                sheet=o.sheet,
                label=o.label,
                value=o.value,
                reason=o.reason.value,
                reason_label=o.reason.label,
            )
            for r, o in rows
        ],
    )


def _issuer(request: Request, actor_mc: str, found: IssuerSettings) -> IssuerOut:
    name = app_of(request).municipalities.get(actor_mc).name
    return IssuerOut(
        municipality_name=name,
        mayor_title=found.mayor_title,
        mayor_name=found.mayor_name,
        official_seal_width=found.seal_width,
        official_seal_height=found.seal_height,
        official_seal_sha256=found.seal_sha256,
        deputy=DeputyBody(
            title=found.deputy.title,
            name=found.deputy.name,
            starts_on=found.deputy.starts_on,
            ends_on=found.deputy.ends_on,
        )
        if found.deputy
        else None,
        fixed_phrase=found.fixed_phrase,
        deputy_seal_sha256=found.deputy_seal_sha256,
        blank_overflow=found.blank_overflow,
    )


@router.get(
    "/api/v1/admin/issuer",
    operation_id="getCertificateIssuer",
    response_model=IssuerOut,
    responses=s.error_responses(403),
    tags=["administration"],
    summary="証明書の認証者（職名・氏名）と公印（管理者）",
)
def get_issuer(request: Request, actor: CurrentActor) -> IssuerOut:
    found = app_of(request).certificates.issuer(actor)
    return _issuer(request, actor.municipality_code, found)


@router.put(
    "/api/v1/admin/issuer",
    operation_id="setCertificateIssuer",
    response_model=IssuerOut,
    responses=s.error_responses(403),
    tags=["administration"],
    summary="証明書の認証者（市区町村長・職務代理者と職務代理の期間）と固定文言の設定（管理者、次の発行から）",
)
def set_issuer(request: Request, actor: CurrentActor, body: IssuerIn) -> IssuerOut:
    d = body.deputy
    found = app_of(request).certificates.set_issuer(
        actor,
        body.mayor_title,
        body.mayor_name,
        deputy=Deputy(d.title, d.name, d.starts_on, d.ends_on) if d else None,
        fixed_phrase=body.fixed_phrase,
        blank_overflow=body.blank_overflow,
    )
    return _issuer(request, actor.municipality_code, found)


@router.put(
    "/api/v1/admin/official-seal",
    operation_id="setOfficialSeal",
    response_model=IssuerOut,
    responses=s.error_responses(403),
    tags=["administration"],
    summary="公印の画像の設定（PNG・JPEG、2MB・2000×2000ピクセル以内、管理者）",
    openapi_extra=IMAGE_BODY,
)
async def set_official_seal(request: Request, actor: CurrentActor) -> IssuerOut:
    return await _store_seal(request, actor, deputy=False)


@router.put(
    "/api/v1/admin/deputy-seal",
    operation_id="setDeputySeal",
    response_model=IssuerOut,
    responses=s.error_responses(403),
    tags=["administration"],
    summary="職務代理者の公印の画像の設定（なければ市区町村長の公印を使う。管理者）",
    openapi_extra=IMAGE_BODY,
)
async def set_deputy_seal(request: Request, actor: CurrentActor) -> IssuerOut:
    return await _store_seal(request, actor, deputy=True)


async def _store_seal(request: Request, actor: CurrentActor, *, deputy: bool) -> IssuerOut:
    actor.require(Permission.MANAGE_ISSUER)  # before the body is read
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media not in ("image/png", "image/jpeg"):
        raise invalid(
            "certificate.seal_image_invalid",
            "公印の画像は Content-Type: image/png または image/jpeg で送信してください",
            "Content-Type",
        )
    data = await request.body()

    def store() -> IssuerOut:
        found = app_of(request).certificates.set_official_seal(actor, data, deputy=deputy)
        return _issuer(request, actor.municipality_code, found)

    return await run_in_threadpool(store)
