"""``jichitai immigration receive|list|take``: the 出入国在留管理庁長官通知 taken in (standard
§4.5.6 (960), ``docs/national-links.md``): pulled from the authority (the stand-in at
``JICHITAI_CS_URL``), listed for the clerk (the unknown ones with the reason), and a listed one made
into a draft 職権修正 that another clerk approves (the counter, or ``POST /drafts/{id}/approve``)."""

from __future__ import annotations

from typing import Annotated

import typer

from jichitai.domain.access.roles import Role
from jichitai.domain.errors import DomainError
from jichitai.entrypoints.cli_common import (
    JsonOption,
    MunicipalityOption,
    _app,
    _emit,
    _fail,
    console_actor,
)

immigration_app = typer.Typer(help="出入国在留管理庁長官通知の取込", no_args_is_help=True)


@immigration_app.command("receive")
def immigration_receive(municipality: MunicipalityOption, as_json: JsonOption = False) -> None:
    """出入国在留管理庁の通知を取り込み、住民と照合して一覧に載せる."""
    from jichitai.bootstrap_national import immigration_intake
    from jichitai.services.ports import CsUnreachable

    intake = immigration_intake(_app())
    try:
        report = intake.receive(console_actor(municipality, Role.CLERK))
    except DomainError as e:
        _fail(e, as_json)
    except CsUnreachable as e:
        typer.echo(f"出入国在留管理庁（代役）に接続できません: {e}", err=True)
        raise typer.Exit(1) from e
    _emit(
        {"receiving": intake.enabled, "listed": report.listed, "unknown": report.unknown}, as_json
    )


@immigration_app.command("list")
def immigration_list(
    municipality: MunicipalityOption,
    status: Annotated[
        str | None, typer.Option("--status", help="listed（取込待ち）| unknown | drafted")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """取り込んだ通知の一覧（取込待ち・該当者なし（理由）・仮登録済み）."""
    from jichitai.bootstrap_national import immigration_intake

    try:
        notices = immigration_intake(_app()).listed(console_actor(municipality, Role.CLERK), status)
    except DomainError as e:
        _fail(e, as_json)
    rows = [
        {
            "notice_id": n.notice_id,
            "kind": n.kind,
            "residence_card_number": n.residence_card_number,
            "status": n.status,
            "atena_number": n.atena_number or "",
            "reason": n.reason,
            "draft_id": n.draft_id or "",
            "withheld": n.withheld,
        }
        for n in notices
    ]
    _emit({"notices": rows} if as_json else rows, as_json)


@immigration_app.command("take")
def immigration_take(
    municipality: MunicipalityOption,
    notice_id: Annotated[str, typer.Argument(help="通知番号")],
    as_json: JsonOption = False,
) -> None:
    """取込待ちの通知を職権修正の仮登録にする（本登録は別の職員が行う）."""
    from jichitai.bootstrap_national import immigration_intake

    try:
        draft_id = immigration_intake(_app()).take(
            console_actor(municipality, Role.CLERK), notice_id
        )
    except DomainError as e:
        _fail(e, as_json)
    _emit({"notice_id": notice_id, "draft_id": draft_id}, as_json)
