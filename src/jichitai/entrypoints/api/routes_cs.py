"""CS auto-send for the clerk (standard §7.1.1.1 (1090), ``docs/national-links.md``): the list of
messages (pending, sent, error, done by hand), re-sending one (with another 異動事由), completing
one by hand, switching the municipality's sending to manual for a while. The services decide who
may (viewing: the counter's ``view``; the operations: the reviewer's ``approve_draft``)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from jichitai.entrypoints.api import schemas as s
from jichitai.entrypoints.api.security import CurrentActor, app_of
from jichitai.services.inbound_cards import decode_cs_filter
from jichitai.services.national import person_of
from jichitai.services.ports import CsEntry
from jichitai.services.ports.national_ops import CsManual

router = APIRouter(prefix="/api/v1", tags=["national links"])
ERRORS = s.error_responses(403)
SeqPath = Annotated[int, Path(ge=1, le=2**62, description="通番（異動の通番）")]
OrdinalPath = Annotated[int, Path(ge=0, le=100_000, description="通番の中の順")]


class CsMessage(BaseModel):
    seq: int
    ordinal: int
    kind: str
    destination: str
    atena_number: str = Field(description="電文の住民の宛名番号（電文にあるとき）")
    resident_code: str = Field(description="電文の住民の住民票コード（電文にあるとき）")
    status: Literal["pending", "sent", "error", "done"]
    attempts: int = Field(description="送信を試みた回数（CSが応えなかった回を含む）")
    last_error: str = Field(description="CSの応答（拒否）または届かなかった理由")
    receipt: str | None = Field(description="CSの受付番号（送信済み）")
    sent_at: datetime | None
    unconvertible: str = Field(
        description="住基ネット統一文字に変換できなかった文字（この電文は送られずエラーに留まる）"
    )
    note: str = Field(description="職員の処理（再送信・手動で処理済み）のメモ")
    handled_by: str
    handled_at: datetime | None


class CsManualView(BaseModel):
    until: datetime | None = Field(description="この日時まで手動連携（null: 自動に戻すまで）")
    set_by: str
    set_at: datetime
    note: str


class CsMessages(BaseModel):
    sending: bool = Field(description="送信先のCSが設定されているか（JICHITAI_CS_URL）")
    manual: CsManualView | None = Field(description="手動連携中ならその設定")
    messages: list[CsMessage]


class Resend(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str | None = Field(default=None, description="異動事由を変えて送る（例: in_town_move）")
    note: str | None = Field(default=None, description="メモ（改行なし200文字以内）")


class Done(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: str | None = Field(
        default=None, description="手動で処理した内容（必須。改行なし200文字以内）"
    )


class Pause(BaseModel):
    model_config = ConfigDict(extra="forbid")

    until: str | None = Field(
        default=None,
        description="この日時まで手動連携（ISO 8601。時差なしは日本時間。null: 自動に戻すまで）",
    )
    note: str | None = Field(default=None, description="メモ（改行なし200文字以内）")


def _message(e: CsEntry) -> CsMessage:
    return CsMessage(
        seq=e.seq,
        ordinal=e.ordinal,
        kind=e.kind,
        destination=e.destination,
        atena_number=person_of(e)[0],
        resident_code=person_of(e)[1],
        status=e.status,  # type: ignore[arg-type]
        attempts=e.attempts,
        last_error=e.last_error,
        receipt=e.receipt,
        sent_at=e.sent_at,
        unconvertible=e.unconvertible,
        note=e.note,
        handled_by=e.handled_by,
        handled_at=e.handled_at,
    )


def _manual(m: CsManual | None) -> CsManualView | None:
    if m is None:
        return None
    return CsManualView(until=m.until, set_by=m.set_by, set_at=m.set_at, note=m.note)


@router.get(
    "/cs/messages",
    operation_id="listCsMessages",
    response_model=CsMessages,
    responses=ERRORS,
    summary="CSへの送信の一覧（送信待ち・送信済み・エラー・手動で処理済み）",
)
def list_cs_messages(
    request: Request,
    actor: CurrentActor,
    status: Annotated[Literal["pending", "sent", "error", "done"] | None, Query()] = None,
    kind: Annotated[str | None, Query(description="電文種別（例: 送付先情報）")] = None,
    person: Annotated[
        str | None, Query(description="宛名番号（10桁）または住民票コード（11桁）")
    ] = None,
    sent_from: Annotated[str | None, Query(description="送信日（YYYY-MM-DD）から")] = None,
    sent_to: Annotated[str | None, Query(description="送信日（YYYY-MM-DD）まで")] = None,
) -> CsMessages:
    app = app_of(request)
    search = decode_cs_filter(kind, person, sent_from, sent_to)
    entries = app.cs.listed(actor, status, search)
    return CsMessages(
        sending=app.cs.enabled,
        manual=_manual(app.cs_ops.manual(actor)),
        messages=[_message(e) for e in entries],
    )


@router.post(
    "/cs/messages/{seq}/{ordinal}/resend",
    operation_id="resendCsMessage",
    status_code=201,
    response_model=CsMessage,
    responses=s.error_responses(403, 404, 409),
    summary="電文の再送信（異動事由を変えて送ることもできる。送信待ちの後ろに入る）",
)
def resend_cs_message(
    request: Request, actor: CurrentActor, seq: SeqPath, ordinal: OrdinalPath, body: Resend
) -> CsMessage:
    made = app_of(request).cs_ops.resend(actor, seq, ordinal, body.reason, body.note)
    return _message(made)


@router.post(
    "/cs/messages/{seq}/{ordinal}/done",
    operation_id="completeCsMessage",
    response_model=CsMessage,
    responses=s.error_responses(403, 404, 409),
    summary="電文を手動で処理済みにする（メモ必須）",
)
def complete_cs_message(
    request: Request, actor: CurrentActor, seq: SeqPath, ordinal: OrdinalPath, body: Done
) -> CsMessage:
    return _message(app_of(request).cs_ops.complete(actor, seq, ordinal, body.note))


@router.put(
    "/cs/manual",
    operation_id="pauseCsSending",
    response_model=CsManualView,
    responses=ERRORS,
    summary="CSへの送信を一時的に手動連携に切り替える",
)
def pause_cs_sending(request: Request, actor: CurrentActor, body: Pause) -> CsManualView:
    manual = _manual(app_of(request).cs_ops.pause(actor, body.until, body.note))
    assert manual is not None
    return manual


@router.delete(
    "/cs/manual",
    operation_id="resumeCsSending",
    status_code=204,
    responses=ERRORS,
    summary="CSへの自動送信に戻す",
)
def resume_cs_sending(request: Request, actor: CurrentActor) -> Response:
    app_of(request).cs_ops.resume(actor)
    return Response(status_code=204)
