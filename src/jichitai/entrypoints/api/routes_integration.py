"""The integration API for other business systems (他業務連携): ``/integration/v1``.

A business system authenticates with its API key (``Authorization: Bearer jk_...``), issued
when it is registered (``jichitai subscriber add``). Records use the standard item names of the
data migration layout; an item the system may not receive is absent from every answer.
``?municipality=CODE`` may be given on any request: another municipality's code is refused.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date
from typing import Annotated, Literal

import orjson
from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.responses import StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field

from jichitai.domain.access.actor import Unauthenticated
from jichitai.domain.errors import Violation
from jichitai.domain.integration.subscribers import Subscriber
from jichitai.domain.residents.search import MAX_SEARCH_RESULTS, SearchBy
from jichitai.entrypoints.api import schemas as s
from jichitai.entrypoints.api.inputs import query_text
from jichitai.entrypoints.api.security import app_of
from jichitai.services.integration import MAX_FEED_LIMIT

router = APIRouter(prefix="/integration/v1", tags=["integration"])
api_key = HTTPBearer(auto_error=False, description="連携先のAPIキー（jk_ で始まる）")

ERRORS = s.error_responses(403, 404)
AtenaPath = Annotated[str, Path(pattern=r"^\d{10}$", description="宛名番号 (10 digits)")]
HouseholdPath = Annotated[str, Path(pattern=r"^\d{10}$", description="世帯番号 (10 digits)")]
MunicipalityQuery = Annotated[
    str | None,
    Query(
        pattern=r"^\d{6}$",
        description="地方公共団体コード（省略時は連携先の団体。他の団体は拒否）",
    ),
]
Record = dict[str, str]
ItemsQuery = Annotated[
    str | None,
    Query(
        max_length=4000,
        description="返す項目をさらに絞る（カンマ区切りの項目名。登録された範囲外は 403）",
    ),
]


def current_subscriber(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(api_key)],
    municipality: MunicipalityQuery = None,
    items: ItemsQuery = None,
) -> Subscriber:
    """The authenticated subscriber, narrowed to the items the request asks for."""
    if credentials is None or not credentials.credentials:
        raise Unauthenticated(
            Violation("auth.api_key_required", "APIキーが必要です", "Authorization")
        )
    integration = app_of(request).integration
    subscriber = integration.authenticate(credentials.credentials)
    request.state.subscriber = subscriber  # refusals from here on are logged as its own
    return integration.narrowed(
        subscriber, municipality, items.split(",") if items is not None else None
    )


CurrentSubscriber = Annotated[Subscriber, Depends(current_subscriber)]


class FeedChange(BaseModel):
    cursor: str = Field(description="この異動までを読んだことを示すカーソル")
    seq: int
    event_id: str
    kind: str
    reason: str
    reason_label: str
    reason_group: str
    effective_on: date
    filed_on: date | None = Field(
        description="届出日（届出による異動のみ）。記録の届出年月日はこの日付になる"
    )
    recorded_at: str
    corrects_event_id: str | None = Field(
        description="この異動が訂正・取り消す以前の異動の event_id（誤記修正・異動の取消し）。他は null"
    )
    persons: list[str] = Field(description="記録が変わった全ての住民の宛名番号")
    households: list[str] = Field(
        description="異動前又は異動後にその住民が属した全ての世帯の世帯番号（分離元・合併元を含む）"
    )
    records: list[Record] = Field(description="異動後の記録（連携先が受け取れる項目だけ）")
    withheld: int = Field(description="提供を止められた（他業務参照不可・支援措置等）人数")


class FeedPage(BaseModel):
    changes: list[FeedChange]
    next_cursor: str
    has_more: bool


class PersonAnswer(BaseModel):
    record: Record


class RecordsAnswer(BaseModel):
    count: int
    records: list[Record]
    withheld: int


def _json(body: object) -> Response:
    return Response(orjson.dumps(body), media_type="application/json")


@router.get(
    "/changes",
    operation_id="integrationChanges",
    response_model=FeedPage,
    responses=ERRORS,
    summary="異動差分（コミット順のフィード）",
)
def changes(
    request: Request,
    subscriber: CurrentSubscriber,
    after: Annotated[str, Query(max_length=20, description="前回の next_cursor（最初は 0）")] = "0",
    limit: Annotated[int, Query(ge=1, le=MAX_FEED_LIMIT)] = 100,
) -> Response:
    page = app_of(request).integration.changes(subscriber, after, limit)
    return _json(
        {"changes": page.changes, "next_cursor": page.next_cursor, "has_more": page.has_more}
    )


@router.get(
    "/persons/{atena_number}",
    operation_id="integrationPerson",
    response_model=PersonAnswer,
    responses=ERRORS,
    summary="個人の記録（現在又は指定日時点）",
)
def person(
    request: Request,
    subscriber: CurrentSubscriber,
    atena_number: AtenaPath,
    as_of: date | None = None,
) -> Response:
    record = app_of(request).integration.person(subscriber, atena_number, as_of)
    return _json({"record": record})


@router.get(
    "/households/{household_number}",
    operation_id="integrationHousehold",
    response_model=RecordsAnswer,
    responses=ERRORS,
    summary="世帯の構成員",
)
def household(
    request: Request, subscriber: CurrentSubscriber, household_number: HouseholdPath
) -> Response:
    records, withheld = app_of(request).integration.household(subscriber, household_number)
    return _json({"count": len(records), "records": records, "withheld": withheld})


@router.get(
    "/persons",
    operation_id="integrationSearch",
    response_model=RecordsAnswer,
    responses=ERRORS,
    summary="基本検索（カナ・氏名・生年月日・住所・各種番号）",
)
def search(
    request: Request,
    subscriber: CurrentSubscriber,
    q: Annotated[str, Query(min_length=1, max_length=200)],
    by: SearchBy = SearchBy.AUTO,
    include_removed: bool = True,
    limit: Annotated[int, Query(ge=1, le=MAX_SEARCH_RESULTS)] = 50,
) -> Response:
    records, withheld = app_of(request).integration.search(
        subscriber, query_text(q, "q"), by, include_removed=include_removed, limit=limit
    )
    return _json({"count": len(records), "records": records, "withheld": withheld})


@router.get(
    "/extract",
    operation_id="integrationExtract",
    responses={
        **ERRORS,
        200: {
            "description": "全件（NDJSON は1行1人、CSV は見出し行つき）。"
            "X-Jichitai-Feed-Cursor はこの時点のフィードのカーソル",
            "content": {"application/x-ndjson": {}, "text/csv": {}},
        },
    },
    summary="全件データ（NDJSON又はCSV、ストリーム）",
)
def extract(
    request: Request,
    subscriber: CurrentSubscriber,
    format: Literal["ndjson", "csv"] = "ndjson",
    include_removed: bool = True,
) -> StreamingResponse:
    found = app_of(request).integration.extract(subscriber, include_removed=include_removed)
    headers = {"X-Jichitai-Feed-Cursor": found.cursor, "Cache-Control": "no-store"}
    if format == "csv":
        return StreamingResponse(
            _csv_lines(found.items, found.records),
            media_type="text/csv; charset=utf-8",
            headers=headers,
        )
    return StreamingResponse(
        (orjson.dumps(record) + b"\n" for record in found.records),
        media_type="application/x-ndjson",
        headers=headers,
    )


def _csv_lines(items: tuple[str, ...], records: Iterator[Record]) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(items)
    for count, record in enumerate(records, 1):
        writer.writerow([record.get(item, "") for item in items])
        if count % 500 == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()
