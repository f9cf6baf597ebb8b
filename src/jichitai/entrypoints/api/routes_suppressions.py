"""Suppressions (抑止) and DV support measures (支援措置): set, list, lift, release, extend.

Setting and lifting need the suppression officer's or the DV officer's right; a temporary
release (一時解除) of a 抑止 is a right of its own (reviewers hold it). Every call is written to
the access log.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request

from jichitai.domain.access.suppression import KIND_LABELS, PROCESS_LABELS
from jichitai.domain.access.suppression import Suppression as Setting
from jichitai.entrypoints.api import schemas as s
from jichitai.entrypoints.api.inputs import check_strings
from jichitai.entrypoints.api.security import CurrentActor, app_of

router = APIRouter(prefix="/api/v1", tags=["suppressions"])
ERRORS = s.error_responses(403, 404, 409)
IdPath = Annotated[str, Path(pattern=r"^[0-9a-f-]{36}$", description="抑止設定ID")]


def _body(setting: Setting, request: Request) -> s.Suppression:
    clock = app_of(request).clock
    return s.Suppression(
        suppression_id=setting.suppression_id,
        kind=setting.kind.value,
        kind_label=KIND_LABELS[setting.kind],
        atena_number=setting.atena_number,
        household_number=setting.household_number,
        processes=sorted(p.value for p in setting.processes),
        process_labels=[PROCESS_LABELS[p] for p in sorted(setting.processes)],
        level=setting.level.value,
        status=setting.status(today=clock.today(), now=clock.now()).value,
        starts_on=setting.starts_on,
        ends_on=setting.ends_on,
        reason=setting.reason,
        details=dict(setting.details),
        set_by=setting.set_by,
        set_at=setting.set_at,
        lifted_by=setting.lifted_by,
        lifted_at=setting.lifted_at,
        released_by=setting.released_by,
        released_until=setting.released_until,
        version=setting.version,
    )


@router.get(
    "/suppressions",
    operation_id="listSuppressions",
    response_model=s.Suppressions,
    responses=ERRORS,
    summary="抑止・支援措置の一覧（対象者又は世帯）",
)
def list_suppressions(
    request: Request,
    actor: CurrentActor,
    atena_number: Annotated[str | None, Query(pattern=r"^\d{10}$")] = None,
    household_number: Annotated[str | None, Query(pattern=r"^\d{10}$")] = None,
    include_lifted: bool = False,
) -> s.Suppressions:
    found = app_of(request).suppressions.list_for(
        actor, atena_number, household_number, include_lifted=include_lifted
    )
    return s.Suppressions(count=len(found), suppressions=[_body(x, request) for x in found])


@router.post(
    "/suppressions",
    operation_id="setSuppression",
    status_code=201,
    response_model=s.Suppression,
    responses=ERRORS,
    summary="抑止・支援措置の設定",
)
def set_suppression(request: Request, actor: CurrentActor, body: s.SuppressionIn) -> s.Suppression:
    check_strings(body.details or {}, "details")  # the reason: the suppression rules
    setting = app_of(request).suppressions.set(
        actor,
        kind=body.kind,
        atena_number=body.atena_number,
        household_number=body.household_number,
        processes=body.processes,
        level=body.level,
        starts_on=body.starts_on,
        ends_on=body.ends_on,
        reason=body.reason,
        details=body.details,
    )
    return _body(setting, request)


@router.post(
    "/suppressions/{suppression_id}/lift",
    operation_id="liftSuppression",
    response_model=s.Suppression,
    responses=ERRORS,
    summary="抑止・支援措置の解除（終了）",
)
def lift_suppression(
    request: Request, actor: CurrentActor, suppression_id: IdPath
) -> s.Suppression:
    setting = app_of(request).suppressions.lift(actor, suppression_id)
    return _body(setting, request)


@router.post(
    "/suppressions/{suppression_id}/release",
    operation_id="releaseSuppression",
    response_model=s.Suppression,
    responses=ERRORS,
    summary="抑止の一時解除（時間経過で自動的に戻る）",
)
def release_suppression(
    request: Request, actor: CurrentActor, suppression_id: IdPath, body: s.ReleaseIn
) -> s.Suppression:
    setting = app_of(request).suppressions.release_temporarily(actor, suppression_id, body.minutes)
    return _body(setting, request)


@router.post(
    "/suppressions/{suppression_id}/extend",
    operation_id="extendDvSupport",
    response_model=s.Suppression,
    responses=ERRORS,
    summary="支援措置の延長（終了日の1か月前から）",
)
def extend_dv_support(
    request: Request, actor: CurrentActor, suppression_id: IdPath
) -> s.Suppression:
    setting = app_of(request).suppressions.extend(actor, suppression_id)
    return _body(setting, request)


@router.patch(
    "/suppressions/{suppression_id}",
    operation_id="amendSuppressionEnd",
    response_model=s.Suppression,
    responses=ERRORS,
    summary="終了日の修正",
)
def amend_suppression_end(
    request: Request, actor: CurrentActor, suppression_id: IdPath, body: s.AmendEndIn
) -> s.Suppression:
    setting = app_of(request).suppressions.amend_end(actor, suppression_id, body.ends_on)
    return _body(setting, request)
