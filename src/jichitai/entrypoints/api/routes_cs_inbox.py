"""What other municipalities sent through the CS (転入通知情報, 転出証明書情報, 広域交付要求 and
広域交付住民票情報): the list, the 特例転入 started from a received 転出証明書情報 (§4.1.1.3 (610)),
submitted as a draft, and the 広域交付要求 sent for an applicant at the counter (§7.1.1.1)."""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from jichitai.entrypoints.api import schemas as s
from jichitai.entrypoints.api.inputs import check_strings
from jichitai.entrypoints.api.present import draft as draft_body
from jichitai.entrypoints.api.present import error_items
from jichitai.entrypoints.api.routes_cs import CsMessage, _message
from jichitai.entrypoints.api.security import CurrentActor, app_of
from jichitai.entrypoints.presenters import wide_area_answer

router = APIRouter(prefix="/api/v1", tags=["cs"])
ERRORS = s.error_responses(403, 404, 409)


class CsInboxItem(BaseModel):
    relay_id: int
    kind: str = Field(description="転入通知情報 | 転出証明書情報")
    sender: str = Field(description="送信元の地方公共団体コード")
    sender_seq: int
    resident_code: str
    name: str
    moved_on: str = Field(description="転出予定日（転出証明書情報）又は異動日（転入通知情報）")
    status: str = Field(description="new | taken（自動で受理） | unmatched（note: 理由） | used")
    note: str
    received_at: str
    answer: dict[str, Any] | None = Field(
        default=None,
        description="広域交付住民票情報の内容（status: issued | refused、refusal、members …）",
    )
    withheld: bool = Field(
        default=False,
        description="抑止・支援措置の対象者: 住民票コード・氏名・異動日・理由を表示しない",
    )


class CsInboxList(BaseModel):
    items: list[CsInboxItem]


class SpecialMoveInIn(BaseModel):
    resident_codes: list[str] = Field(description="特例転入する方の住民票コード")
    header: dict[str, Any] | None = Field(
        default=None,
        description="異動の共通項目（effective_on: 転入日、filed_on: 届出日 …）。既定: 転出予定日・今日",
    )
    address: dict[str, Any] | None = Field(
        default=None, description="転入先の住所（既定: 転出証明書情報の転出先）"
    )


@router.get(
    "/cs/inbox",
    operation_id="listCsInbox",
    response_model=CsInboxList,
    responses=ERRORS,
    summary="CSから受信した転入通知情報・転出証明書情報の一覧",
)
def list_cs_inbox(
    request: Request,
    actor: CurrentActor,
    status: Annotated[str | None, Query(max_length=12)] = None,
    kind: Annotated[str | None, Query(max_length=20)] = None,
    q: Annotated[str, Query(max_length=100, description="住民票コード又は氏名")] = "",
) -> CsInboxList:
    rows = app_of(request).cs_inbox.listed(actor, status=status, kind=kind, query=q)
    items = []
    for r in rows:
        body = orjson.loads(r.body)
        items.append(
            CsInboxItem(
                relay_id=r.relay_id,
                kind=r.kind,
                sender=r.sender,
                sender_seq=r.sender_seq,
                resident_code=r.resident_code,
                name=r.name,
                moved_on=str(body.get("planned_on") or body.get("effective_on") or ""),
                status=r.status,
                note=r.note,
                received_at=r.received_at.isoformat(),
                answer=wide_area_answer(r.kind, body),
                withheld=r.withheld,
            )
        )
    return CsInboxList(items=items)


class WideAreaRequestIn(BaseModel):
    resident_code: str = Field(description="申請者の住民票コード")
    name: str = Field(description="申請者の氏名（本人確認書類のとおり）")
    birth_date: str = Field(description="生年月日（和暦又は西暦）")
    to: str = Field(description="住所地の地方公共団体コード")
    scope: str = Field(default="person", description="person（本人のみ） | household（世帯全員）")


@router.post(
    "/cs/wide-area-requests",
    operation_id="requestWideAreaCopy",
    status_code=201,
    response_model=CsMessage,
    responses={**ERRORS, **s.error_responses(422)},
    summary="広域交付要求をCS経由で住所地へ送る（回答は受信一覧に届く）",
)
def request_wide_area_copy(
    request: Request, actor: CurrentActor, body: WideAreaRequestIn
) -> CsMessage:
    return _message(app_of(request).wide_area.request(actor, body.model_dump()))


@router.post(
    "/cs/special-move-in",
    operation_id="submitSpecialMoveIn",
    status_code=201,
    response_model=s.DraftSubmitted,
    responses=ERRORS,
    summary="特例転入: 受信した転出証明書情報から転入を入力して仮登録する",
)
def special_move_in(
    request: Request, actor: CurrentActor, body: SpecialMoveInIn
) -> s.DraftSubmitted:
    check_strings(body.resident_codes, "resident_codes")
    view, checked = app_of(request).cs_inbox.special_move_in(
        actor, body.resident_codes, address=body.address, header=body.header
    )
    plan = checked.plan
    return s.DraftSubmitted(
        draft=draft_body(view),
        atena_numbers=list(plan.atena_numbers),
        households=list(plan.households),
        alerts=error_items(plan.alerts),
        notices=[n.value for n in plan.notices],
    )
