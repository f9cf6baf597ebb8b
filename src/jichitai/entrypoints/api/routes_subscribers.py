"""Administration of the business systems that receive the municipality's resident data (the
service checks the administrator's permission, ``Permission.MANAGE_SUBSCRIBERS``)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel, ConfigDict, Field

from jichitai.domain.access.actor import Actor
from jichitai.domain.inbound.text import SUBSCRIBER_NAME
from jichitai.domain.integration.destinations import without_credentials
from jichitai.domain.integration.subscribers import Subscriber as DomainSubscriber
from jichitai.entrypoints.api import schemas as s
from jichitai.entrypoints.api.security import CurrentActor, app_of

router = APIRouter(prefix="/api/v1", tags=["administration"])

ERRORS = s.error_responses(403, 404)
SubscriberPath = Annotated[str, Path(pattern=r"^[0-9a-f-]{36}$", description="連携先ID")]


class Subscriber(BaseModel):
    subscriber_id: str
    name: str
    system: str
    system_label: str
    items: list[str]
    my_number_allowed: bool
    webhook_url: str | None
    disabled: bool
    previous_secret_until: datetime | None = Field(
        default=None,
        description="Webhook 署名鍵の切替え中、旧い鍵でも署名する期限（切替え中でなければ null）",
    )
    withheld_duties: list[str] = Field(
        description="提供を止められた者（他業務参照不可・支援措置等）の項目をなお受け取る業務"
        "（空: 宛名番号だけを通知。docs/integration.md「Withheld persons」）"
    )


class Subscribers(BaseModel):
    subscribers: list[Subscriber]


class NewSubscriber(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(
        description=f"連携先の名称（例: 児童手当システム。{SUBSCRIBER_NAME.max_length}文字以内）"
    )
    system: str = Field(max_length=40, description="業務コード（child_allowance など）")
    items: list[str] = Field(
        max_length=300, description="受け取る項目（中間標準レイアウトの住民ファイルの項目名）"
    )
    my_number_allowed: bool = Field(
        default=False, description="番号法で個人番号の利用が認められた事務か"
    )
    webhook_url: str | None = Field(
        default=None,
        max_length=400,
        description="Webhook の送信先（https。内部ネットワーク・ループバック等は運用管理者が"
        "許可したネットワークに限り、そこでは http も可。docs/integration.md）",
    )


class WithheldDuties(BaseModel):
    model_config = ConfigDict(extra="forbid")

    duties: list[str] = Field(
        max_length=20,
        description="業務コード（elections など）。空にすると宛名番号の通知だけに戻る",
    )


class Issued(BaseModel):
    subscriber: Subscriber
    api_key: str = Field(description="APIキー（この応答でだけ表示される）")
    webhook_secret: str | None = Field(description="Webhook 署名の秘密鍵（同上）")


class Replay(BaseModel):
    model_config = ConfigDict(extra="forbid")

    after: int = Field(ge=0, description="このカーソル（通番）より後の異動を送り直す")


class SecretRotation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    overlap_hours: float = Field(
        default=24,
        ge=0,
        le=720,
        description="旧い署名鍵でも併せて署名する時間（0 なら直ちに新しい鍵だけ）",
    )


class RotatedSecret(BaseModel):
    subscriber: Subscriber
    webhook_secret: str = Field(description="新しい Webhook 署名の秘密鍵（この応答でだけ表示）")
    previous_valid_until: datetime | None = Field(
        description="旧い鍵でも署名する期限（null なら旧い鍵は既に無効）"
    )


class Deliveries(BaseModel):
    pending: int
    delivered: int
    dead: int
    last_error: str | None = Field(
        default=None,
        description="配信に失敗している理由（「HTTP 503」「接続できませんでした」"
        "「送信先が許可されていません」など）。失敗がなければ null",
    )


def _view(found: DomainSubscriber) -> Subscriber:
    return Subscriber(
        subscriber_id=found.subscriber_id,
        name=found.name,
        system=found.system,
        system_label=found.system_label,
        items=list(found.items),
        my_number_allowed=found.my_number_allowed,
        webhook_url=without_credentials(found.webhook_url),
        disabled=found.disabled,
        previous_secret_until=found.previous_secret_until
        if found.previous_webhook_secret
        else None,
        withheld_duties=list(found.withheld_duties),
    )


@router.get(
    "/subscribers",
    operation_id="listSubscribers",
    response_model=Subscribers,
    responses=ERRORS,
    summary="連携先一覧（管理者）",
)
def list_subscribers(request: Request, actor: CurrentActor) -> Subscribers:
    found = app_of(request).subscribers.list(actor)
    return Subscribers(subscribers=[_view(f) for f in found])


@router.post(
    "/subscribers",
    operation_id="addSubscriber",
    status_code=201,
    response_model=Issued,
    responses=ERRORS,
    summary="連携先の登録（APIキーを発行）",
)
def add_subscriber(request: Request, actor: CurrentActor, body: NewSubscriber) -> Issued:
    issued = app_of(request).subscribers.add(
        actor,
        name=body.name,
        system=body.system,
        items=body.items,
        my_number_allowed=body.my_number_allowed,
        webhook_url=body.webhook_url,
    )
    return Issued(
        subscriber=_view(issued.subscriber),
        api_key=issued.api_key,
        webhook_secret=issued.webhook_secret,
    )


@router.post(
    "/subscribers/{subscriber_id}/disable",
    operation_id="disableSubscriber",
    response_model=Subscriber,
    responses=ERRORS,
    summary="連携先を無効にする",
)
def disable_subscriber(
    request: Request, actor: CurrentActor, subscriber_id: SubscriberPath
) -> Subscriber:
    return _view(app_of(request).subscribers.disable(actor, subscriber_id))


@router.put(
    "/subscribers/{subscriber_id}/withheld-duties",
    operation_id="setSubscriberWithheldDuties",
    response_model=Subscriber,
    responses=s.error_responses(403, 404, 422),
    summary="提供を止められた者をなお受け取る業務の設定（管理者。アクセスログに記録）",
)
def set_subscriber_withheld_duties(
    request: Request, actor: CurrentActor, subscriber_id: SubscriberPath, body: WithheldDuties
) -> Subscriber:
    updated = app_of(request).subscribers.set_withheld_duties(actor, subscriber_id, body.duties)
    return _view(updated)


@router.post(
    "/subscribers/{subscriber_id}/renew-key",
    operation_id="renewSubscriberKey",
    response_model=Issued,
    responses=ERRORS,
    summary="APIキーの再発行（古いキーは直ちに無効）",
)
def renew_subscriber_key(
    request: Request, actor: CurrentActor, subscriber_id: SubscriberPath
) -> Issued:
    renewed = app_of(request).subscribers.renew_key(actor, subscriber_id)
    return Issued(
        subscriber=_view(renewed.subscriber), api_key=renewed.api_key, webhook_secret=None
    )


@router.post(
    "/subscribers/{subscriber_id}/rotate-secret",
    operation_id="rotateSubscriberSecret",
    response_model=RotatedSecret,
    responses=ERRORS,
    summary="Webhook 署名鍵の切替え（期間中は新旧両方の鍵で署名）",
)
def rotate_subscriber_secret(
    request: Request,
    actor: CurrentActor,
    subscriber_id: SubscriberPath,
    body: SecretRotation | None = None,
) -> RotatedSecret:
    hours = (body or SecretRotation()).overlap_hours
    rotated = app_of(request).subscribers.rotate_webhook_secret(actor, subscriber_id, hours)
    return RotatedSecret(
        subscriber=_view(rotated.subscriber),
        webhook_secret=rotated.webhook_secret,
        previous_valid_until=rotated.previous_valid_until,
    )


@router.post(
    "/subscribers/{subscriber_id}/retire-secret",
    operation_id="retireSubscriberSecret",
    response_model=Subscriber,
    responses=ERRORS,
    summary="切替え前の Webhook 署名鍵を直ちに無効にする",
)
def retire_subscriber_secret(
    request: Request, actor: CurrentActor, subscriber_id: SubscriberPath
) -> Subscriber:
    return _view(app_of(request).subscribers.retire_previous_secret(actor, subscriber_id))


@router.post(
    "/subscribers/{subscriber_id}/replay",
    operation_id="replaySubscriber",
    response_model=Deliveries,
    responses=ERRORS,
    summary="Webhook をカーソルから送り直す",
)
def replay_subscriber(
    request: Request, actor: CurrentActor, subscriber_id: SubscriberPath, body: Replay
) -> Deliveries:
    app_of(request).subscribers.replay(actor, subscriber_id, body.after)
    return _deliveries(request, actor, subscriber_id)


@router.get(
    "/subscribers/{subscriber_id}/deliveries",
    operation_id="subscriberDeliveries",
    response_model=Deliveries,
    responses=ERRORS,
    summary="Webhook の配信状況",
)
def subscriber_deliveries(
    request: Request, actor: CurrentActor, subscriber_id: SubscriberPath
) -> Deliveries:
    return _deliveries(request, actor, subscriber_id)


def _deliveries(request: Request, actor: Actor, subscriber_id: str) -> Deliveries:
    subscribers = app_of(request).subscribers
    return Deliveries(
        **subscribers.delivery_counts(actor, subscriber_id),
        last_error=subscribers.last_delivery_error(actor, subscriber_id),
    )
