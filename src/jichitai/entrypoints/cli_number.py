"""``jichitai number …``: 番号連携 (standard §7.1.2) and the free 住民票コード from the CS
(§4.3.1), through the number-generation service at ``JICHITAI_CS_URL`` (the stand-in:
``jichitai standin serve``; ``docs/national-links.md``)."""

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

number_app = typer.Typer(
    help="番号連携（個人番号の変更要求・符号・電子証明書のシリアル番号）と住民票コードの空きコード",
    no_args_is_help=True,
)
AtenaArgument = Annotated[str, typer.Argument(help="宛名番号")]


@number_app.command("stock")
def number_stock(municipality: MunicipalityOption, as_json: JsonOption = False) -> None:
    """住民票コードの空きコードの残数（設定した数を下回るとアラート）."""
    app = _app()
    try:
        report = app.number_link.stock(console_actor(municipality, Role.CLERK))
    except DomainError as e:
        _fail(e, as_json)
    if as_json:
        _emit({"size": report.size, "low_mark": report.low_mark, "low": report.low}, True)
        return
    typer.echo(f"空きコード {report.size} 件（下限 {report.low_mark} 件）")
    if report.low:
        typer.echo("アラート: 住民票コードの空きコードが下限を下回っています", err=True)


@number_app.command("refill")
def number_refill(municipality: MunicipalityOption, as_json: JsonOption = False) -> None:
    """空きコードが下限を下回っていれば、CSから空きコードを取得して蓄積する."""
    app = _app()
    try:
        added = app.number_link.refill(municipality)
    except DomainError as e:
        _fail(e, as_json)
    _emit({"added": added}, as_json)


@number_app.command("change")
def number_change(
    municipality: MunicipalityOption,
    atena: AtenaArgument,
    ex_officio: Annotated[
        bool, typer.Option("--ex-officio", help="職権修正（省略時: 本人の変更請求）")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """個人番号の変更要求を送り、生成された個人番号を記載する."""
    app = _app()
    try:
        number = app.number_link.change_number(
            console_actor(municipality, Role.REVIEWER), atena, on_request=not ex_officio
        )
    except DomainError as e:
        _fail(e, as_json)
    _emit({"atena_number": atena, "individual_number": number}, as_json)


@number_app.command("obtain")
def number_obtain(
    municipality: MunicipalityOption,
    kind: Annotated[str, typer.Argument(help="fugo（符号）| serial（電子証明書のシリアル番号）")],
    atena: AtenaArgument,
    as_json: JsonOption = False,
) -> None:
    """符号または利用者証明用電子証明書のシリアル番号を住基ネット経由で取得する."""
    app = _app()
    try:
        found = app.number_link.obtain(console_actor(municipality, Role.REVIEWER), atena, kind)
    except DomainError as e:
        _fail(e, as_json)
    _emit(
        {"kind": found.kind, "status": found.status, "value": found.value, "error": found.error},
        as_json,
    )
    if found.status != "ok":
        raise typer.Exit(1)


@number_app.command("list")
def number_list(
    municipality: MunicipalityOption,
    atena: Annotated[str | None, typer.Option("--atena", help="宛名番号で絞る")] = None,
    as_json: JsonOption = False,
) -> None:
    """番号連携の要求と結果の一覧（値は個人番号を扱える職員にだけ表示）."""
    app = _app()
    try:
        found = app.number_link.records(console_actor(municipality, Role.CLERK), atena)
    except DomainError as e:
        _fail(e, as_json)
    rows = [
        {
            "atena_number": r.atena_number,
            "kind": r.kind,
            "status": r.status,
            "value": r.value,
            "error": r.error,
            "requested_at": r.requested_at.isoformat(),
            "requested_by": r.requested_by,
        }
        for r in found
    ]
    _emit(rows, as_json)


@number_app.command("status")
def number_status(as_json: JsonOption = False) -> None:
    """住基ネット（番号生成機関）の稼働状況."""
    app = _app()
    healthy = app.number_link.healthy()
    _emit({"enabled": app.number_link.enabled, "healthy": healthy}, as_json)
    if not healthy:
        raise typer.Exit(1)
