"""The consistency check with the CS (standard §7.1.1.2 (1100)) and the card status reported by
the card management system (§7.1.1.3 (1110)); the service checks the clerk's right to view the
register (``Permission.VIEW``). ``docs/national-links.md``."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel, Field

from jichitai.entrypoints.api import schemas as s
from jichitai.entrypoints.api.security import CurrentActor, app_of
from jichitai.services.national_check import card_label, status_label
from jichitai.services.ports.national_check import CardStatus

router = APIRouter(prefix="/api/v1", tags=["national"])
ERRORS = s.error_responses(403, 404, 409, 503)
AtenaPath = Annotated[str, Path(pattern=r"^\d{10}$", description="宛名番号 (10 digits)")]


class Difference(BaseModel):
    kind: str = Field(description="register_only | cs_only | differs")
    kind_label: str
    resident_code: str = Field(description="住民票コード（住民記録に無いときは空）")
    atena_number: str
    item: str = Field(description="相違する項目（differs のとき）: name, address, status …")
    item_label: str
    register_value: str
    cs_value: str


class CheckResult(BaseModel):
    persons: int = Field(description="照合した住民記録の人数（除票を含む）")
    at_cs: int = Field(description="CSの本人確認情報の件数")
    differences: list[Difference]


class Card(BaseModel):
    resident_code: str
    card: str = Field(description="my_number（個人番号カード）| juki（住基カード）")
    card_label: str
    status: str = Field(description="applied | issued | delivered | suspended | revoked | returned")
    status_label: str
    issued_on: date | None
    expires_on: date | None
    updated_on: date | None


class PersonCards(BaseModel):
    atena_number: str
    resident_code: str
    holds_card: bool = Field(description="カードを所有しているか（交付済・一時停止で有効期限内）")
    recorded_at: datetime | None = Field(description="カードの状況を最後に記録した日時")
    cards: list[Card]


class Cards(BaseModel):
    cards: list[Card]


class Refreshed(BaseModel):
    cards: int = Field(description="カード管理システムが報告したカードの数")
    changed: int = Field(description="記録が追加・変更・削除されたカードの数")


def _card(c: CardStatus) -> Card:
    return Card(
        resident_code=c.resident_code,
        card=c.card,
        card_label=card_label(c.card),
        status=c.status,
        status_label=status_label(c.status),
        issued_on=c.issued_on,
        expires_on=c.expires_on,
        updated_on=c.updated_on,
    )


@router.get(
    "/cs/check",
    operation_id="csConsistencyCheck",
    response_model=CheckResult,
    responses=ERRORS,
    summary="CSの本人確認情報との整合性確認",
)
def cs_check(request: Request, actor: CurrentActor) -> CheckResult:
    result = app_of(request).cs_check.check(actor)
    return CheckResult(
        persons=result.persons,
        at_cs=result.at_cs,
        differences=[
            Difference(
                kind=d.kind,
                kind_label=d.kind_label,
                resident_code=d.resident_code,
                atena_number=d.atena_number,
                item=d.item,
                item_label=d.item_label if d.item else "",
                register_value=d.register_value,
                cs_value=d.cs_value,
            )
            for d in result.differences
        ],
    )


@router.get(
    "/cards",
    operation_id="listCards",
    response_model=Cards,
    responses=ERRORS,
    summary="記録しているカードの状況（団体の住民全部）",
)
def list_cards(request: Request, actor: CurrentActor) -> Cards:
    return Cards(cards=[_card(c) for c in app_of(request).cards.listed(actor)])


@router.post(
    "/cards/refresh",
    operation_id="refreshCards",
    response_model=Refreshed,
    responses=ERRORS,
    summary="カード管理システムから（CS経由で）カードの状況を取り込む",
)
def refresh_cards(request: Request, actor: CurrentActor) -> Refreshed:
    cards, changed = app_of(request).cards.refresh(actor)
    return Refreshed(cards=cards, changed=changed)


@router.get(
    "/residents/{atena_number}/cards",
    operation_id="residentCards",
    response_model=PersonCards,
    responses=ERRORS,
    summary="住民の個人番号カード・住基カードの状況",
)
def resident_cards(request: Request, actor: CurrentActor, atena_number: AtenaPath) -> PersonCards:
    found = app_of(request).cards.cards_of(actor, atena_number)
    return PersonCards(
        atena_number=found.atena_number,
        resident_code=found.resident_code,
        holds_card=found.holds_card,
        recorded_at=found.recorded_at,
        cards=[_card(c) for c in found.cards],
    )


# -- 送付先 and 更新対象者 (standard §7.1.1.4 (1120)) ------------------------------------------


class SendToChange(BaseModel):
    version: int
    send_to: str = Field(description="送付先（空: 削除）")
    cleared: bool
    set_by: str
    set_at: datetime


class PersonSendTo(BaseModel):
    atena_number: str
    resident_code: str
    address: str = Field(description="住所（送付先が無いときの送り先）")
    send_to: str = Field(description="送付先（居所）。空: 住所へ送る")
    send_to_postcode: str
    send_to_parts: dict[str, str] | None
    history: list[SendToChange]


class SendToInput(BaseModel):
    address: dict[str, Any] = Field(
        description="送付先の住所の項目: prefecture, city, town_area, lot_text,"
        " address_supplement（方書）, postcode, town_code"
    )


class RenewalTargetView(BaseModel):
    resident_code: str
    card: str
    atena_number: str
    reason: str = Field(description="突合できなかった理由（sent では空）")


class RenewalResult(BaseModel):
    listed: int = Field(description="CSから受け取った更新対象者の件数")
    sent: list[RenewalTargetView] = Field(description="突合し、送付先情報を書いたもの")
    unmatched: list[RenewalTargetView] = Field(description="突合できなかったもの（理由つき）")


def _send_to(found: Any) -> PersonSendTo:
    return PersonSendTo(
        atena_number=found.atena_number,
        resident_code=found.resident_code,
        address=found.address,
        send_to=found.send_to.display() if found.send_to else "",
        send_to_postcode=found.send_to.postcode if found.send_to else "",
        send_to_parts=found.send_to.to_json() if found.send_to else None,
        history=[
            SendToChange(
                version=v.version,
                send_to=v.address.display() if v.address else "",
                cleared=v.address is None,
                set_by=v.set_by,
                set_at=v.set_at,
            )
            for v in found.history
        ],
    )


@router.get(
    "/residents/{atena_number}/card-destination",
    operation_id="cardDestination",
    response_model=PersonSendTo,
    responses=ERRORS,
    summary="個人番号カード・番号通知書類の送付先と、その履歴",
)
def card_destination(
    request: Request, actor: CurrentActor, atena_number: AtenaPath
) -> PersonSendTo:
    return _send_to(app_of(request).card_destinations.show(actor, atena_number))


@router.put(
    "/residents/{atena_number}/card-destination",
    operation_id="setCardDestination",
    response_model=PersonSendTo,
    responses=s.error_responses(403, 404, 409, 422),
    summary="送付先（居所）を設定し、送付先情報をCSへ送る",
)
def set_card_destination(
    request: Request, actor: CurrentActor, atena_number: AtenaPath, body: SendToInput
) -> PersonSendTo:
    destinations = app_of(request).card_destinations
    destinations.set(actor, atena_number, body.address)
    return _send_to(destinations.show(actor, atena_number))


@router.delete(
    "/residents/{atena_number}/card-destination",
    operation_id="clearCardDestination",
    response_model=PersonSendTo,
    responses=ERRORS,
    summary="送付先を削除し（住所へ送る）、送付先情報をCSへ送る",
)
def clear_card_destination(
    request: Request, actor: CurrentActor, atena_number: AtenaPath
) -> PersonSendTo:
    destinations = app_of(request).card_destinations
    destinations.clear(actor, atena_number)
    return _send_to(destinations.show(actor, atena_number))


@router.post(
    "/cards/renewal-targets",
    operation_id="takeRenewalTargets",
    response_model=RenewalResult,
    responses=ERRORS,
    summary="CSから更新対象者を受け取り、突合して送付先情報をCSへ送る",
)
def take_renewal_targets(request: Request, actor: CurrentActor) -> RenewalResult:
    result = app_of(request).card_destinations.renewal_targets(actor)
    return RenewalResult(
        listed=result.listed,
        sent=[
            RenewalTargetView(resident_code=t.resident_code, card=t.card, atena_number=a, reason="")
            for t, a in result.sent
        ],
        unmatched=[
            RenewalTargetView(
                resident_code=u.target.resident_code,
                card=u.target.card,
                atena_number=u.atena_number,
                reason=u.reason,
            )
            for u in result.unmatched
        ],
    )
