"""CS auto-send, the reviewer's hand completion and the printed lists (standard §7.1.1.1 (1090),
§4.1.3.1.2 (690); ``docs/national-links.md``): completing a message in error by hand and sending
it again; the CS送信エラー一覧表 and the 転入通知情報等取込エラー一覧表 as PDF or CSV. The services
decide who may (the completion: ``approve_draft``; the lists: ``issue``) and log the prints."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from jichitai.entrypoints.api import schemas as s
from jichitai.entrypoints.api.routes_cs import CsMessage, OrdinalPath, SeqPath, _message
from jichitai.entrypoints.api.security import CurrentActor, app_of
from jichitai.services.cs_lists import PrintedList

router = APIRouter(prefix="/api/v1", tags=["national links"])
LIST: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "一覧表（PDFまたはCSV）",
        "content": {"application/pdf": {}, "text/csv": {}},
    }
}
Format = Annotated[Literal["pdf", "csv"], Query(description="形式")]
Kind = Annotated[str | None, Query(description="電文の種別（省略時はすべて）")]
Ward = Annotated[str | None, Query(description="指定都市の行政区（例: 北区）ごとに分ける")]
Days = Annotated[str | None, Query(description="直近何日分か（1〜366。省略時はすべて）")]


class Amend(BaseModel):
    model_config = ConfigDict(extra="forbid")

    items: dict[str, Any] = Field(
        description="補完する項目（name, name_kana, address, former_address, domicile, family_head）"
    )
    note: str | None = Field(default=None, description="メモ（改行なし200文字以内）")


class AmendedMessage(CsMessage):
    amendments: list[dict[str, str]] = Field(description="補完した項目（item, old, new）")


@router.post(
    "/cs/messages/{seq}/{ordinal}/amend",
    operation_id="amendCsMessage",
    status_code=201,
    response_model=AmendedMessage,
    responses=s.error_responses(403, 404, 409, 422),
    summary="エラーの電文を手入力で補完して再送信する（送信待ちの後ろに入る）",
)
def amend_cs_message(
    request: Request, actor: CurrentActor, seq: SeqPath, ordinal: OrdinalPath, body: Amend
) -> AmendedMessage:
    import orjson

    made = app_of(request).cs_ops.amend(actor, seq, ordinal, body.items, body.note)
    return AmendedMessage(
        **_message(made).model_dump(), amendments=orjson.loads(made.amendments or "[]")
    )


def _file(printed: PrintedList, name: str) -> Response:
    return Response(
        printed.data,
        media_type=printed.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{name}.{printed.format}"',
            "Cache-Control": "no-store",
            "X-Row-Count": str(printed.count),
        },
    )


@router.get(
    "/cs/error-list",
    operation_id="printCsSendErrors",
    response_class=Response,
    responses={**LIST, **s.error_responses(403)},
    summary="CS送信エラー一覧表（PDF・CSV）",
)
def print_cs_send_errors(request: Request, actor: CurrentActor, format: Format = "pdf") -> Response:
    return _file(app_of(request).cs_lists.send_errors(actor, format), "cs-send-errors")


@router.get(
    "/cs/inbox/error-list",
    operation_id="printCsIntakeErrors",
    response_class=Response,
    responses={**LIST, **s.error_responses(403)},
    summary="転入通知情報等取込エラー一覧表（PDF・CSV）",
)
def print_cs_intake_errors(
    request: Request, actor: CurrentActor, format: Format = "pdf"
) -> Response:
    return _file(app_of(request).cs_lists.intake_errors(actor, format), "cs-intake-errors")


@router.get(
    "/cs/sent-list",
    operation_id="printCsSent",
    response_class=Response,
    responses={**LIST, **s.error_responses(403, 422)},
    summary="CS送信一覧表（PDF・CSV。種別・期間で絞り込み）",
)
def print_cs_sent(
    request: Request,
    actor: CurrentActor,
    format: Format = "pdf",
    kind: Kind = None,
    days: Days = None,
    ward: Ward = None,
) -> Response:
    printed = app_of(request).cs_lists.sent(actor, format, kind=kind, days=days, ward=ward)
    return _file(printed, "cs-sent")


@router.get(
    "/cs/inbox/list",
    operation_id="printCsReceived",
    response_class=Response,
    responses={**LIST, **s.error_responses(403, 422)},
    summary="転入通知情報等取込一覧表（PDF・CSV。種別・期間で絞り込み）",
)
def print_cs_received(
    request: Request,
    actor: CurrentActor,
    format: Format = "pdf",
    kind: Kind = None,
    days: Days = None,
    ward: Ward = None,
) -> Response:
    printed = app_of(request).cs_lists.received(actor, format, kind=kind, days=days, ward=ward)
    return _file(printed, "cs-received")


@router.get(
    "/cs/free-code-list",
    operation_id="printFreeResidentCodes",
    response_class=Response,
    responses={**LIST, **s.error_responses(403)},
    summary="住民票コード空きコード取込一覧表（PDF・CSV）",
)
def print_free_codes(request: Request, actor: CurrentActor, format: Format = "pdf") -> Response:
    return _file(app_of(request).cs_lists.free_codes(actor, format), "cs-free-codes")
