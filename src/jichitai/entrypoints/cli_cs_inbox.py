"""``jichitai cs inbox`` (what other municipalities sent through the CS: 転入通知情報 and
転出証明書情報, with what became of each), ``jichitai cs receive`` (take them in now, as the
worker does) and ``jichitai cs move-in`` (特例転入 from the received 転出証明書情報, submitted as a
draft for review), ``docs/national-links.md``."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from jichitai.domain.access.roles import Role
from jichitai.domain.errors import DomainError, invalid
from jichitai.entrypoints.cli_common import (
    JsonOption,
    MunicipalityOption,
    _app,
    _emit,
    _fail,
    console_actor,
)
from jichitai.entrypoints.cli_cs_ops import _row
from jichitai.entrypoints.cli_standin import cs_app
from jichitai.entrypoints.presenters import wide_area_answer


@cs_app.command("inbox")
def cs_inbox(
    municipality: MunicipalityOption,
    status: Annotated[
        str | None,
        typer.Option("--status", help="new（未処理）| taken（取込済み）| unmatched | used"),
    ] = None,
    kind: Annotated[
        str | None, typer.Option("--kind", help="転入通知情報 | 転出証明書情報")
    ] = None,
    query: Annotated[str, typer.Option("--query", "-q", help="住民票コード又は氏名")] = "",
    as_json: JsonOption = False,
) -> None:
    """CSから受信した転入通知情報・転出証明書情報の一覧（取込の結果・取り込めなかった理由）."""
    app = _app()
    try:
        rows = app.cs_inbox.listed(
            console_actor(municipality, Role.CLERK), status=status, kind=kind, query=query
        )
    except DomainError as e:
        _fail(e, as_json)
    _emit([inbox_item(r) for r in rows], as_json)


def inbox_item(row: Any) -> dict[str, Any]:
    body = json.loads(row.body)
    return {
        "relay_id": row.relay_id,
        "kind": row.kind,
        "sender": row.sender,
        "sender_seq": row.sender_seq,
        "resident_code": row.resident_code,
        "name": row.name,
        "moved_on": body.get("planned_on") or body.get("effective_on") or "",
        "status": row.status,
        "note": row.note,
        "received_at": row.received_at.isoformat(),
        "answer": wide_area_answer(row.kind, body),
        "withheld": row.withheld,
    }


@cs_app.command("wide-request")
def cs_wide_request(
    municipality: MunicipalityOption,
    resident_code: Annotated[str, typer.Option("--resident-code", "-r", help="住民票コード")],
    name: Annotated[str, typer.Option("--name", help="氏名（本人確認書類のとおり）")],
    birth_date: Annotated[str, typer.Option("--birth-date", help="生年月日（和暦又は西暦）")],
    to: Annotated[str, typer.Option("--to", help="住所地の地方公共団体コード")],
    household: Annotated[bool, typer.Option("--household", help="世帯全員の住民票")] = False,
    as_json: JsonOption = False,
) -> None:
    """広域交付要求をCS経由で住所地へ送る（回答は cs inbox --kind 広域交付住民票情報 に届く）."""
    app = _app()
    data = {
        "resident_code": resident_code,
        "name": name,
        "birth_date": birth_date,
        "to": to,
        "scope": "household" if household else "person",
    }
    try:
        made = app.wide_area.request(console_actor(municipality, Role.CLERK), data)
    except DomainError as e:
        _fail(e, as_json)
    _emit(_row(made), as_json)


@cs_app.command("receive")
def cs_receive(as_json: JsonOption = False) -> None:
    """CSから各団体あての電文を受信して取り込む（転入通知は自動で受理する）."""
    app = _app()
    if not app.cs_inbox.enabled:
        typer.echo("CSとの連携は止まっています（JICHITAI_CS_URL が未設定）", err=True)
        raise typer.Exit(1)
    report = app.cs_inbox.receive()
    _emit(
        {
            "received": report.received,
            "taken": report.taken,
            "unmatched": report.unmatched,
            "unreachable": report.unreachable,
            "answered": report.answered,
        },
        as_json,
    )


@cs_app.command("move-in")
def cs_move_in(
    municipality: MunicipalityOption,
    resident_code: Annotated[
        list[str], typer.Option("--resident-code", "-r", help="特例転入する方の住民票コード")
    ],
    moved_in_on: Annotated[
        str | None, typer.Option("--moved-in-on", help="転入日（既定: 転出予定日）")
    ] = None,
    filed_on: Annotated[str | None, typer.Option("--filed-on", help="届出日（既定: 今日）")] = None,
    address: Annotated[
        str | None, typer.Option("--address", help="住所（JSON。既定: 転出証明書情報の転出先）")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """特例転入: CSから受信した転出証明書情報から転入を入力し、仮登録する."""
    app = _app()
    try:
        given: Any = None
        if address:
            try:
                given = json.loads(address)
            except json.JSONDecodeError:
                raise invalid("input.shape", "住所はJSONで指定してください", "address") from None
        view, checked = app.cs_inbox.special_move_in(
            console_actor(municipality, Role.CLERK),
            resident_code,
            address=given,
            header={
                key: text
                for key, text in (("effective_on", moved_in_on), ("filed_on", filed_on))
                if text
            },
        )
    except DomainError as e:
        _fail(e, as_json)
    _emit(
        {
            "draft_id": view.draft.draft_id,
            "atena_numbers": list(checked.plan.atena_numbers),
            "alerts": [a.code for a in checked.plan.alerts],
        },
        as_json,
    )
