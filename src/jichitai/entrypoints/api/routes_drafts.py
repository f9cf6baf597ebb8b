"""Changes: submit as a draft (仮登録), review, check, approve (本登録), discard.

Cancellations (取消し) and corrections (修正) are changes like any other (``Cancel``,
``Correct``): submitted as drafts and approved by a second person.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Header, Path, Query, Request, Response

from jichitai.domain.residents.view import ChangePlan
from jichitai.entrypoints.api import schemas as s
from jichitai.entrypoints.api.inputs import check_strings, idempotency_key_of
from jichitai.entrypoints.api.present import draft as draft_body
from jichitai.entrypoints.api.present import error_items
from jichitai.entrypoints.api.security import CurrentActor, app_of
from jichitai.services.inbound import decode_change

router = APIRouter(prefix="/api/v1", tags=["drafts"])

ERRORS = s.error_responses(403, 404, 409)
DraftPath = Annotated[str, Path(pattern=r"^[0-9a-f-]{36}$", description="仮登録ID")]


def _checked(plan: ChangePlan) -> s.ChangeChecked:
    return s.ChangeChecked(
        kind=plan.kind.value,
        reason=plan.reason.value,
        atena_numbers=list(plan.atena_numbers),
        households=list(plan.households),
        alerts=error_items(plan.alerts),
        notices=[n.value for n in plan.notices],
    )


@router.post(
    "/changes/check",
    operation_id="checkChange",
    response_model=s.ChangeChecked,
    responses=ERRORS,
    summary="異動の入力確認（全ての規則を確認し、保存しない）",
)
def check_change(request: Request, actor: CurrentActor, body: s.DraftIn) -> s.ChangeChecked:
    checked = app_of(request).register_access.check_change(actor, decode_change(body.command))
    return _checked(checked.plan)


@router.post(
    "/drafts",
    operation_id="submitDraft",
    status_code=201,
    response_model=s.DraftSubmitted,
    responses=ERRORS,
    summary="異動の仮登録（全ての規則を確認してから保存）",
)
def submit_draft(
    request: Request,
    actor: CurrentActor,
    body: s.DraftIn,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> s.DraftSubmitted:
    staff = app_of(request).register_access
    command = decode_change(body.command)
    view, checked = staff.submit_draft(
        actor, command, idempotency_key=idempotency_key_of(idempotency_key)
    )
    plan = checked.plan
    return s.DraftSubmitted(
        draft=draft_body(view),
        atena_numbers=list(plan.atena_numbers),
        households=list(plan.households),
        alerts=error_items(plan.alerts),
        notices=[n.value for n in plan.notices],
    )


@router.get(
    "/drafts",
    operation_id="listDrafts",
    response_model=s.Drafts,
    responses=ERRORS,
    summary="審査待ちの仮登録（status=returned: 差し戻された仮登録）",
)
def list_drafts(
    request: Request,
    actor: CurrentActor,
    status: Annotated[
        Literal["pending", "returned"],
        Query(description="pending: waiting for review; returned: sent back (差戻し)"),
    ] = "pending",
) -> s.Drafts:
    views = app_of(request).register_access.drafts(actor, status=status)
    return s.Drafts(count=len(views), drafts=[draft_body(v) for v in views])


@router.get(
    "/drafts/{draft_id}",
    operation_id="getDraft",
    response_model=s.Draft,
    responses=ERRORS,
    summary="仮登録の内容",
)
def get_draft(request: Request, actor: CurrentActor, draft_id: DraftPath) -> s.Draft:
    return draft_body(app_of(request).register_access.draft(actor, draft_id))


@router.put(
    "/drafts/{draft_id}",
    operation_id="updateDraft",
    response_model=s.Draft,
    responses=ERRORS,
    summary="仮登録の修正（本登録前のみ。修正した職員は本登録できない）",
)
def update_draft(
    request: Request, actor: CurrentActor, draft_id: DraftPath, body: s.DraftIn
) -> s.Draft:
    view = app_of(request).register_access.update_draft(
        actor, draft_id, decode_change(body.command)
    )
    return draft_body(view)


@router.post(
    "/drafts/{draft_id}/check",
    operation_id="checkDraft",
    response_model=s.ChangeChecked,
    responses=ERRORS,
    summary="本登録した場合の確認（書き込みなし）",
)
def check_draft(request: Request, actor: CurrentActor, draft_id: DraftPath) -> s.ChangeChecked:
    return _checked(app_of(request).register_access.check_draft(actor, draft_id).plan)


@router.post(
    "/drafts/{draft_id}/approve",
    operation_id="approveDraft",
    response_model=s.ChangeRecorded,
    responses=ERRORS,
    summary="本登録（入力・修正した職員以外の審査者）",
)
def approve_draft(
    request: Request, actor: CurrentActor, draft_id: DraftPath, body: s.ApproveIn
) -> s.ChangeRecorded:
    check_strings(body.acknowledged_alerts, "acknowledged_alerts")
    result = app_of(request).register_access.approve_draft(
        actor, draft_id, acknowledged=frozenset(body.acknowledged_alerts)
    )
    return s.ChangeRecorded(
        event_id=result.event_id,
        seq=result.seq,
        kind=result.kind,
        reason=result.reason,
        atena_numbers=list(result.atena_numbers),
        households=list(result.households),
        alerts=error_items(result.alerts),
        notices=list(result.notices),
        replayed=result.replayed,
    )


@router.post(
    "/drafts/{draft_id}/return",
    operation_id="returnDraft",
    response_model=s.Draft,
    responses=ERRORS,
    summary="差戻し（入力・修正した職員以外の審査者。理由とコメントを入力者に返す）",
)
def return_draft(
    request: Request, actor: CurrentActor, draft_id: DraftPath, body: s.ReturnIn
) -> s.Draft:
    return draft_body(app_of(request).register_access.return_draft(actor, draft_id, body.comment))


@router.post(
    "/drafts/{draft_id}/resubmit",
    operation_id="resubmitDraft",
    response_model=s.Draft,
    responses=ERRORS,
    summary="差し戻された仮登録の再提出（そのまま。修正するときは PUT）",
)
def resubmit_draft(request: Request, actor: CurrentActor, draft_id: DraftPath) -> s.Draft:
    return draft_body(app_of(request).register_access.resubmit_draft(actor, draft_id))


@router.delete(
    "/drafts/{draft_id}",
    operation_id="discardDraft",
    status_code=204,
    responses=ERRORS,
    summary="仮登録の破棄",
)
def discard_draft(request: Request, actor: CurrentActor, draft_id: DraftPath) -> Response:
    app_of(request).register_access.discard_draft(actor, draft_id)
    return Response(status_code=204)
