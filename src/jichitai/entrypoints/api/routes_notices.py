"""Notices (通知書) as PDF: for one recorded change, or the 転入通知未着 list and letters."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from jichitai.domain.notices.kinds import NoticeKind, kinds_help
from jichitai.entrypoints.api import schemas as s
from jichitai.entrypoints.api.security import CurrentActor, app_of
from jichitai.services.notices import DEFAULT_DAYS, MAX_DAYS, PrintedNotice

router = APIRouter(tags=["notices"])

PDF: dict[int | str, dict[str, object]] = {
    200: {"description": "通知書のPDF", "content": {"application/pdf": {}}}
}
ACKNOWLEDGED = "確認したアラートのコード（支援措置の対象者など。例: dv_support.notice）"
EVENT_ID = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"


def _pdf(printed: PrintedNotice, name: str) -> Response:
    return Response(
        printed.pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{name}.pdf"',
            "Cache-Control": "no-store",
            "X-Jichitai-Sheets": str(printed.sheets),
        },
    )


@router.get(
    "/api/v1/changes/{event_id}/notices/{kind}",
    operation_id="printChangeNotice",
    responses={**s.error_responses(403, 404, 422), **PDF},
    response_class=Response,
    summary="異動の通知書（受理通知・職権記載等通知書・世帯主変更依頼通知書・住民票コード通知票）",
)
def change_notice(
    request: Request,
    actor: CurrentActor,
    event_id: Annotated[str, Path(pattern=EVENT_ID, description="異動のイベントID")],
    kind: Annotated[NoticeKind, Path(description="通知書の種類: " + kinds_help())],
    acknowledged: Annotated[list[str], Query(max_length=10, description=ACKNOWLEDGED)] = [],  # noqa: B006
) -> Response:
    printed = app_of(request).notices.for_change(actor, kind, event_id, frozenset(acknowledged))
    return _pdf(printed, f"{kind.value}-{event_id}")


@router.get(
    "/api/v1/notices/michaku",
    operation_id="printMoveInNoticeMissing",
    responses={**s.error_responses(403, 422), **PDF},
    response_class=Response,
    summary="転入通知未着者一覧と転入通知未着照会書（転入地ごと）",
)
def move_in_notice_missing(
    request: Request,
    actor: CurrentActor,
    days: Annotated[
        int, Query(ge=0, le=MAX_DAYS, description="消除日から経過した日数（この日数以上を一覧に）")
    ] = DEFAULT_DAYS,
    acknowledged: Annotated[list[str], Query(max_length=10, description=ACKNOWLEDGED)] = [],  # noqa: B006
) -> Response:
    printed = app_of(request).notices.move_in_notice_missing(actor, days, frozenset(acknowledged))
    return _pdf(printed, f"michaku-{days}")
