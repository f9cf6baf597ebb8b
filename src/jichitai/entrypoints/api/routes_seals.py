"""印鑑登録: registering a resident's seal, recording 亡失 and 廃止, and reading it (counter staff).

The seal image travels as base64 in JSON (PNG, JPEG or TIFF with its resolution), so that one
request carries the image and the clerk's declarations together.
"""

from __future__ import annotations

import base64
import binascii
from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from jichitai.domain.errors import invalid
from jichitai.domain.inbound.text import SEAL_NOTES
from jichitai.domain.seals.events import SealEvent
from jichitai.domain.seals.registration import END_LABELS, EndReason, SealRegistration
from jichitai.entrypoints.api import schemas as s
from jichitai.entrypoints.api.security import CurrentActor, app_of

router = APIRouter(tags=["seals"])

AtenaPath = Annotated[str, Path(pattern=r"^\d{10}$", description="宛名番号 (10 digits)")]
RegistrationPath = Annotated[
    str, Path(pattern=r"^\d{8}$", description="登録番号（印鑑登録証の番号、8桁）")
]
STATUS_LABELS = {"active": "登録中", "lost": "亡失", "abolished": "廃止"}


class RegisterRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    image_base64: str = Field(
        min_length=1,
        max_length=7_000_000,
        description="印影の画像（PNG・JPEG・TIFF、解像度（dpi）の記録があるもの）をbase64で",
    )
    adult_ward: bool = Field(default=False, description="成年被後見人である")
    representative_present: bool = Field(default=False, description="法定代理人が同行している")
    notes: str = Field(
        default="", description=f"備考（本人確認の方法など。{SEAL_NOTES.max_length}文字以内）"
    )
    acknowledged_alerts: list[str] = Field(default_factory=list, max_length=20)


class EndRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Literal["card_lost", "requested"] = Field(description="card_lost 亡失 / requested 廃止")
    on: date | None = Field(default=None, description="亡失・廃止の日（既定: 今日）")
    notes: str = Field(default="", description=f"備考（{SEAL_NOTES.max_length}文字以内）")


class Registration(BaseModel):
    registration_number: str
    atena_number: str
    status: str
    status_label: str
    registered_on: date
    ended_on: date | None
    end_reason: str | None
    end_label: str | None
    width_mm: float
    height_mm: float
    image_sha256: str


class Event(BaseModel):
    seq: int
    event_id: str
    registration_number: str
    kind: str
    label: str
    effective_on: date
    recorded_at: datetime
    operator: str
    terminal: str
    place: str
    notes: str
    journal_event_id: str


class PersonSeals(BaseModel):
    atena_number: str
    active: Registration | None
    registrations: list[Registration]
    events: list[Event]


def _registration(r: SealRegistration) -> Registration:
    return Registration(
        registration_number=r.registration_number,
        atena_number=r.atena_number,
        status=r.status.value,
        status_label=STATUS_LABELS[r.status.value],
        registered_on=r.registered_on,
        ended_on=r.ended_on,
        end_reason=r.end_reason.value if r.end_reason else None,
        end_label=END_LABELS[r.end_reason] if r.end_reason else None,
        width_mm=round(r.impression.width_mm, 1),
        height_mm=round(r.impression.height_mm, 1),
        image_sha256=r.image_sha256,
    )


def _event(e: SealEvent) -> Event:
    return Event(
        seq=e.seq,
        event_id=e.event_id,
        registration_number=e.registration_number,
        kind=e.kind.value,
        label=e.label,
        effective_on=e.effective_on,
        recorded_at=e.recorded_at,
        operator=e.operator,
        terminal=e.terminal,
        place=e.place,
        notes=e.notes,
        journal_event_id=e.journal_event_id,
    )


def _image(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise invalid(
            "seal.image_invalid", "印影の画像をbase64として読み取れません", "image_base64"
        ) from None


@router.post(
    "/api/v1/residents/{atena_number}/seal",
    operation_id="registerSeal",
    status_code=201,
    response_model=Registration,
    responses=s.error_responses(403, 404, 409),
    summary="印鑑登録（登録番号を払い出す）",
)
def register_seal(
    request: Request, actor: CurrentActor, atena_number: AtenaPath, body: RegisterRequest
) -> Registration:
    registration = app_of(request).seals.register(
        actor,
        atena_number,
        _image(body.image_base64),
        adult_ward=body.adult_ward,
        representative_present=body.representative_present,
        notes=body.notes,
        acknowledged=frozenset(body.acknowledged_alerts),
    )
    return _registration(registration)


@router.get(
    "/api/v1/residents/{atena_number}/seal",
    operation_id="getPersonSeals",
    response_model=PersonSeals,
    responses=s.error_responses(403, 404),
    summary="印鑑登録の照会（登録と履歴）",
)
def person_seals(request: Request, actor: CurrentActor, atena_number: AtenaPath) -> PersonSeals:
    found = app_of(request).seals.of_person(actor, atena_number)
    return PersonSeals(
        atena_number=found.atena_number,
        active=_registration(found.active) if found.active else None,
        registrations=[_registration(r) for r in found.registrations],
        events=[_event(e) for e in found.events],
    )


@router.get(
    "/api/v1/seals/{registration_number}/image",
    operation_id="getSealImage",
    response_class=Response,
    responses={**s.error_responses(403, 404), 200: {"content": {"image/png": {}}}},
    summary="登録印影の画像（PNG）",
)
def seal_image(
    request: Request, actor: CurrentActor, registration_number: RegistrationPath
) -> Response:
    png = app_of(request).seals.image(actor, registration_number)
    return Response(png, media_type="image/png", headers={"Cache-Control": "no-store"})


@router.post(
    "/api/v1/seals/{registration_number}/end",
    operation_id="endSealRegistration",
    response_model=Registration,
    responses=s.error_responses(403, 404, 409),
    summary="印鑑登録の亡失・廃止",
)
def end_seal(
    request: Request, actor: CurrentActor, registration_number: RegistrationPath, body: EndRequest
) -> Registration:
    ended = app_of(request).seals.end(
        actor, registration_number, EndReason(body.reason), on=body.on, notes=body.notes
    )
    return _registration(ended)
