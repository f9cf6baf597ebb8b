"""The integration API for other business systems (他業務連携): ``/integration/v1``.

A business system authenticates with its API key (``Authorization: Bearer jk_...``), issued
when it is registered (``jichitai subscriber add``). Records use the standard item names of the
data migration layout; an item the system may not receive is absent from every answer.
``?municipality=CODE`` may be given on any request: another municipality's code is refused.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

import orjson
from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.responses import StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field

from jichitai.domain.access.actor import Unauthenticated
from jichitai.domain.errors import Violation
from jichitai.domain.inbound.integration_params import checked_encoding
from jichitai.domain.integration.subscribers import Subscriber
from jichitai.domain.residents.search import MAX_SEARCH_RESULTS, SearchBy
from jichitai.entrypoints.api import schemas as s
from jichitai.entrypoints.api.inputs import query_text
from jichitai.entrypoints.api.security import app_of
from jichitai.services.integration import MAX_FEED_LIMIT
from jichitai.services.integration_csv import (
    MEDIA_TYPES,
    csv_chunks,
    gaiji_report_csv,
)

router = APIRouter(prefix="/integration/v1", tags=["integration"])
api_key = HTTPBearer(auto_error=False, description="連携先のAPIキー（jk_ で始まる）")

ERRORS = s.error_responses(403, 404, 429)
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
EncodingQuery = Annotated[
    str,
    Query(
        max_length=20,
        description="CSV の文字コード: utf-8（既定、BOM なし）又は cp932（外字は &#xHHHH;）",
    ),
]
AsOfQuery = Annotated[
    str | None,
    Query(
        max_length=40,
        description="基準日 YYYY-MM-DD（この日に効力のある記録で答える。省略時は今日。"
        "今日より後は 422 as_of.future）",
    ),
]
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
    app_of(request).integration_limits.take(subscriber)  # 429 integration.throttled
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
    effective_on: date | None = Field(
        description="異動日（この異動が効力を生じる日。kind が withheld のとき null: 提供を止められた者だけの異動）"
    )
    takes_effect: Literal["planned", "now"] = Field(
        description="planned: 記録した日より後の異動日の異動（転出予定）。now: 記録した時点で効力あり"
    )
    took_effect_of: dict[str, str | int] | None = Field(
        description="kind が took_effect のとき、異動日が来た予定の異動（seq, event_id）"
    )
    filed_on: date | None = Field(
        description="届出日（届出による異動のみ）。記録の届出年月日はこの日付になる"
    )
    recorded_at: str | None = Field(description="記録日時（kind が withheld のとき null）")
    corrects_event_id: str | None = Field(
        description="この異動が訂正・取り消す以前の異動の event_id（誤記修正・異動の取消し）。他は null"
    )
    persons: list[str] = Field(description="記録が変わった全ての住民の宛名番号")
    households: list[str] = Field(
        description="異動前又は異動後にその住民が属した全ての世帯の世帯番号（分離元・合併元を含む）"
    )
    records: list[Record] = Field(description="異動後の記録（連携先が受け取れる項目だけ）")
    withheld_persons: list[str] = Field(
        description="提供を止められた（他業務参照不可・支援措置等）者の宛名番号（それ以外は何も"
        "含まない。docs/integration.md「Withheld persons」）"
    )
    withheld: int = Field(description="提供を止められた人数（withheld_persons の数）")


class WithheldAnswer(BaseModel):
    withheld_persons: list[str] = Field(
        description="いまこの連携先への提供が止められている者の宛名番号（それ以外は何も含まない）"
    )


class FeedPage(BaseModel):
    changes: list[FeedChange]
    next_cursor: str
    has_more: bool


@router.get(
    "/withheld",
    operation_id="integrationWithheld",
    response_model=WithheldAnswer,
    responses=ERRORS,
    summary="提供停止中の者の宛名番号（抑止・支援措置の設定・解除・期間の始まり終わりを知るため）",
)
def withheld(request: Request, subscriber: CurrentSubscriber) -> Response:
    return _json({"withheld_persons": app_of(request).integration.withheld_persons(subscriber)})


class PersonAnswer(BaseModel):
    record: Record


class RecordsAnswer(BaseModel):
    count: int
    records: list[Record]
    withheld: int


class CodesAnswer(BaseModel):
    version: str = Field(description="内容のハッシュ（ETag と同じ。内容が変われば変わる）")
    layout_version: str
    tables: dict[str, list[dict[str, str]]] = Field(
        description="コード表名 → [{code（応答に現れる値）, value（台帳の値）, label（名称）}]"
    )
    items: list[dict[str, str | int | bool | None]] = Field(
        description="記録の項目: name, type, type_label, length, table, gaiji, extension, meaning"
    )
    feed_fields: list[dict[str, str]] = Field(
        description="異動差分の各欄: name, type, table, meaning"
    )


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
    as_of: AsOfQuery = None,
) -> Response:
    integration = app_of(request).integration
    record = integration.person(subscriber, atena_number, integration.as_of(as_of))
    return _json({"record": record})


@router.get(
    "/households/{household_number}",
    operation_id="integrationHousehold",
    response_model=RecordsAnswer,
    responses=ERRORS,
    summary="世帯の構成員",
)
def household(
    request: Request,
    subscriber: CurrentSubscriber,
    household_number: HouseholdPath,
    as_of: AsOfQuery = None,
) -> Response:
    integration = app_of(request).integration
    records, withheld = integration.household(
        subscriber, household_number, integration.as_of(as_of)
    )
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
    as_of: AsOfQuery = None,
) -> Response:
    integration = app_of(request).integration
    records, withheld = integration.search(
        subscriber,
        query_text(q, "q"),
        by,
        include_removed=include_removed,
        limit=limit,
        as_of=integration.as_of(as_of),
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
    summary="全件データ（NDJSON又はCSV（UTF-8又はcp932）、ストリーム）",
)
def extract(
    request: Request,
    subscriber: CurrentSubscriber,
    format: Literal["ndjson", "csv"] = "ndjson",
    include_removed: bool = True,
    encoding: EncodingQuery = "utf-8",
    bom: Annotated[bool, Query(description="UTF-8 の CSV の先頭に BOM を付ける")] = False,
    as_of: AsOfQuery = None,
) -> StreamingResponse:
    encoding = checked_encoding(encoding, csv_format=format == "csv", bom=bom)
    integration = app_of(request).integration
    found = integration.extract(
        subscriber, include_removed=include_removed, as_of=integration.as_of(as_of)
    )
    headers = {"X-Jichitai-Feed-Cursor": found.cursor, "Cache-Control": "no-store"}
    if format == "csv":
        headers["Content-Disposition"] = 'attachment; filename="extract.csv"'
        return StreamingResponse(
            csv_chunks(found.items, found.records, encoding, bom=bom),
            media_type=MEDIA_TYPES[encoding],
            headers=headers,
        )
    return StreamingResponse(
        (orjson.dumps(record) + b"\n" for record in found.records),
        media_type="application/x-ndjson",
        headers=headers,
    )


@router.get(
    "/extract/gaiji",
    operation_id="integrationExtractGaiji",
    responses={
        **ERRORS,
        200: {
            "description": "cp932 の CSV で &#xHHHH; と書かれる文字の一覧（UTF-8 の CSV）。"
            "X-Jichitai-Gaiji-Count は文字数、X-Jichitai-Feed-Cursor は同じ時点の全件データの"
            "カーソル",
            "content": {"text/csv": {}},
        },
    },
    summary="全件データ（cp932）の外字一覧",
)
def extract_gaiji(
    request: Request, subscriber: CurrentSubscriber, include_removed: bool = True
) -> Response:
    cursor, rows = app_of(request).integration.extract_gaiji(
        subscriber, include_removed=include_removed
    )
    return Response(
        gaiji_report_csv(rows),
        media_type=MEDIA_TYPES["utf-8"],
        headers={
            "X-Jichitai-Feed-Cursor": cursor,
            "X-Jichitai-Gaiji-Count": str(len(rows)),
            "Cache-Control": "no-store",
            "Content-Disposition": 'attachment; filename="gaiji_report.csv"',
        },
    )


@router.get(
    "/codes",
    operation_id="integrationCodes",
    response_model=CodesAnswer,
    responses={**ERRORS, 304: {"description": "If-None-Match の版から変わっていない"}},
    summary="コード表と項目の意味（住民状態・異動事由・続柄・kind・reason 等）",
)
def codes(request: Request, subscriber: CurrentSubscriber) -> Response:
    # No personal data, the same for every subscriber: authenticated, not logged.
    found = app_of(request).integration.codes()
    etag = f'"{found["version"]}"'
    headers = {"ETag": etag, "Cache-Control": "no-cache"}
    wanted = request.headers.get("if-none-match", "")
    if etag in {tag.strip() for tag in wanted.split(",")} or wanted.strip() == "*":
        return Response(status_code=304, headers=headers)
    return Response(orjson.dumps(found), media_type="application/json", headers=headers)
