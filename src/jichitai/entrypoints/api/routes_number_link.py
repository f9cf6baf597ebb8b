"""番号連携 (standard §7.1.2) and the free 住民票コード from the CS (§4.3.1) through the API, as
``jichitai number …`` does on the command line (``docs/national-links.md``). The service decides
who may (``services/number_link.py``: the stock, the list and the status need the counter's
``view``; a 変更要求, a 符号 or a serial number and a refill the reviewer's ``approve_draft``) and
masks a 個人番号, 符号 or serial number for staff whose duty does not include the 個人番号."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from jichitai.entrypoints.api import schemas as s
from jichitai.entrypoints.api.security import CurrentActor, app_of
from jichitai.services.ports.number_link import NumberLinkRecord

router = APIRouter(prefix="/api/v1", tags=["national links"])
AtenaPath = Annotated[str, Path(pattern=r"^\d{10}$", description="宛名番号 (10 digits)")]


class Stock(BaseModel):
    size: int = Field(description="住民票コードの空きコードの残数")
    low_mark: int = Field(description="この数を下回るとアラート（JICHITAI_FREE_CODES_LOW）")
    low: bool = Field(description="残数が下限を下回っているか（アラート）")


class Refilled(BaseModel):
    added: int = Field(description="CSから取得して蓄積した空きコードの数（下限以上なら0）")


class LinkStatus(BaseModel):
    enabled: bool = Field(description="番号連携が設定されているか（JICHITAI_CS_URL）")
    healthy: bool = Field(description="住基ネット（番号生成機関）が応答するか")


class NumberChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ex_officio: bool = Field(default=False, description="職権修正（false: 本人の変更請求）")


class NumberChanged(BaseModel):
    atena_number: str
    individual_number: str = Field(
        description="記載した新しい個人番号（個人番号を扱う職務でなければマスク）"
    )


class LinkRecord(BaseModel):
    atena_number: str
    kind: str = Field(
        description="number_change | fugo（符号） | serial（電子証明書のシリアル番号）"
    )
    status: Literal["ok", "error"]
    value: str = Field(description="取得した値（個人番号を扱う職務でなければ * でマスク）")
    error: str = Field(description="拒否されたときの理由")
    requested_at: datetime
    requested_by: str


class LinkRecords(BaseModel):
    records: list[LinkRecord]


def _record(r: NumberLinkRecord) -> LinkRecord:
    return LinkRecord(
        atena_number=r.atena_number,
        kind=r.kind,
        status="ok" if r.status == "ok" else "error",
        value=r.value,
        error=r.error,
        requested_at=r.requested_at,
        requested_by=r.requested_by,
    )


@router.get(
    "/number-link/stock",
    operation_id="numberLinkStock",
    response_model=Stock,
    responses=s.error_responses(403),
    summary="住民票コードの空きコードの残数（下限を下回るとアラート）",
)
def number_link_stock(request: Request, actor: CurrentActor) -> Stock:
    report = app_of(request).number_link.stock(actor)
    return Stock(size=report.size, low_mark=report.low_mark, low=report.low)


@router.post(
    "/number-link/refill",
    operation_id="refillFreeCodes",
    response_model=Refilled,
    responses=s.error_responses(403, 409, 503),
    summary="空きコードが下限を下回っていればCSから取得して蓄積する",
)
def refill_free_codes(request: Request, actor: CurrentActor) -> Refilled:
    return Refilled(added=app_of(request).number_link.refill_for(actor))


@router.get(
    "/number-link/status",
    operation_id="numberLinkStatus",
    response_model=LinkStatus,
    responses=s.error_responses(403),
    summary="住基ネット（番号生成機関）の稼働状況",
)
def number_link_status(request: Request, actor: CurrentActor) -> LinkStatus:
    enabled, healthy = app_of(request).number_link.status(actor)
    return LinkStatus(enabled=enabled, healthy=healthy)


@router.get(
    "/number-link/records",
    operation_id="listNumberLinkRecords",
    response_model=LinkRecords,
    responses=s.error_responses(403),
    summary="番号連携の要求と結果の一覧（値は個人番号を扱う職員にだけ表示）",
)
def list_number_link_records(
    request: Request,
    actor: CurrentActor,
    atena_number: Annotated[
        str | None, Query(pattern=r"^\d{10}$", description="宛名番号で絞る")
    ] = None,
) -> LinkRecords:
    found = app_of(request).number_link.records(actor, atena_number)
    return LinkRecords(records=[_record(r) for r in found])


@router.post(
    "/residents/{atena_number}/individual-number/change",
    operation_id="changeIndividualNumber",
    status_code=201,
    response_model=NumberChanged,
    responses=s.error_responses(403, 404, 409, 503),
    summary="個人番号の変更要求を送り、生成された個人番号を記載する",
)
def change_individual_number(
    request: Request, actor: CurrentActor, atena_number: AtenaPath, body: NumberChange
) -> NumberChanged:
    number = app_of(request).number_link.change_number(
        actor, atena_number, on_request=not body.ex_officio
    )
    return NumberChanged(atena_number=atena_number, individual_number=number)


@router.post(
    "/residents/{atena_number}/number-link/{kind}",
    operation_id="obtainNumberLinkValue",
    status_code=201,
    response_model=LinkRecord,
    responses=s.error_responses(403, 404, 409, 503),
    summary="符号または利用者証明用電子証明書のシリアル番号を住基ネット経由で取得する"
    "（拒否も記録され status=error で答える）",
)
def obtain_number_link_value(
    request: Request,
    actor: CurrentActor,
    atena_number: AtenaPath,
    kind: Annotated[Literal["fugo", "serial"], Path(description="fugo（符号）| serial")],
) -> LinkRecord:
    return _record(app_of(request).number_link.obtain(actor, atena_number, kind))
