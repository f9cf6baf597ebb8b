"""``jichitai seal register|show|end``: 印鑑登録 at the console, with a counter clerk's rights."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from jichitai.domain.access.roles import Role
from jichitai.domain.errors import DomainError
from jichitai.domain.seals.registration import END_LABELS, EndReason, SealRegistration
from jichitai.entrypoints.cli_common import (
    JsonOption,
    MunicipalityOption,
    _app,
    _emit,
    _fail,
    console_actor,
)

seal_app = typer.Typer(help="印鑑登録", no_args_is_help=True)


class CounterEnd(StrEnum):
    CARD_LOST = "card_lost"
    REQUESTED = "requested"


def _shown(r: SealRegistration) -> dict[str, Any]:
    return {
        "registration_number": r.registration_number,
        "atena_number": r.atena_number,
        "status": r.status.value,
        "registered_on": r.registered_on.isoformat(),
        "ended_on": r.ended_on.isoformat() if r.ended_on else None,
        "end": END_LABELS[r.end_reason] if r.end_reason else None,
        "size_mm": f"{r.impression.width_mm:.1f} x {r.impression.height_mm:.1f}",
    }


@seal_app.command("register")
def seal_register(
    municipality: MunicipalityOption,
    person: Annotated[str, typer.Option(help="宛名番号")],
    image: Annotated[Path, typer.Option(help="印影の画像（PNG・JPEG・TIFF、dpiの記録があるもの）")],
    adult_ward: Annotated[bool, typer.Option("--adult-ward", help="成年被後見人である")] = False,
    representative_present: Annotated[
        bool, typer.Option("--representative-present", help="法定代理人が同行している")
    ] = False,
    notes: Annotated[str, typer.Option(help="備考（本人確認の方法など）")] = "",
    as_json: JsonOption = False,
) -> None:
    """印鑑を登録し、登録番号（印鑑登録証の番号）を払い出す."""
    a = _app()
    try:
        data = image.read_bytes()
    except OSError as exc:
        typer.echo(f"エラー seal.image_unreadable: 画像を読めません: {exc}", err=True)
        raise typer.Exit(code=2) from None
    try:
        registration = a.seals.register(
            console_actor(municipality, Role.CLERK),
            person,
            data,
            adult_ward=adult_ward,
            representative_present=representative_present,
            notes=notes,
        )
    except DomainError as e:
        _fail(e, as_json)
    _emit(_shown(registration), as_json)


@seal_app.command("show")
def seal_show(
    municipality: MunicipalityOption,
    person: Annotated[str, typer.Option(help="宛名番号")],
    as_json: JsonOption = False,
) -> None:
    """その方の印鑑登録（登録中・過去の登録）と履歴を表示する."""
    a = _app()
    try:
        found = a.seals.of_person(console_actor(municipality, Role.CLERK), person)
    except DomainError as e:
        _fail(e, as_json)
    _emit(
        {
            "atena_number": found.atena_number,
            "active": found.active.registration_number if found.active else None,
            "registrations": [_shown(r) for r in found.registrations],
            "events": [
                {
                    "seq": e.seq,
                    "registration_number": e.registration_number,
                    "event": e.label,
                    "effective_on": e.effective_on.isoformat(),
                    "operator": e.operator,
                    "notes": e.notes,
                }
                for e in found.events
            ],
        },
        as_json,
    )


@seal_app.command("end")
def seal_end(
    municipality: MunicipalityOption,
    registration_number: Annotated[str, typer.Argument(help="登録番号（8桁）")],
    reason: Annotated[CounterEnd, typer.Option(help="card_lost（亡失）/ requested（廃止）")],
    on: Annotated[str | None, typer.Option(help="亡失・廃止の日 YYYY-MM-DD（既定: 今日）")] = None,
    notes: Annotated[str, typer.Option(help="備考")] = "",
    as_json: JsonOption = False,
) -> None:
    """印鑑登録証の亡失、又は申請による廃止を記録する."""
    a = _app()
    try:
        day = date.fromisoformat(on) if on else None
    except ValueError:
        typer.echo(
            f"エラー date.invalid: 日付は YYYY-MM-DD で指定してください: {on} (on)", err=True
        )
        raise typer.Exit(code=2) from None
    try:
        ended = a.seals.end(
            console_actor(municipality, Role.CLERK),
            registration_number,
            EndReason(reason.value),
            on=day,
            notes=notes,
        )
    except DomainError as e:
        _fail(e, as_json)
    _emit(_shown(ended), as_json)


@seal_app.command("verify")
def seal_verify(municipality: MunicipalityOption, as_json: JsonOption = False) -> None:
    """印鑑登録の記録のハッシュ連鎖を検証する（改ざん検知）."""
    a = _app()
    try:
        code = a.municipalities.get(municipality).code
        count = a.seals.verify_chain(code)
    except DomainError as e:
        _fail(e, as_json)
    _emit({"municipality_code": code, "events": count, "chain": "ok"}, as_json)
