"""``jichitai cs list`` (the CS outbox: pending, sent, in error) and ``jichitai standin serve``
(a stand-in CS on loopback, ``docs/national-links.md``)."""

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

cs_app = typer.Typer(
    help="住基ネットCSへの送信（本人確認情報・転入通知情報）", no_args_is_help=True
)
standin_app = typer.Typer(help="国の連携先の代役（テスト・デモ用）", no_args_is_help=True)


@cs_app.command("list")
def cs_list(
    municipality: MunicipalityOption,
    status: Annotated[
        str | None,
        typer.Option(
            "--status", help="pending（送信待ち）| sent（送信済み）| error | done（手動で処理済み）"
        ),
    ] = None,
    kind: Annotated[
        str | None, typer.Option("--kind", help="電文種別（例: 送付先情報、本人確認情報）")
    ] = None,
    person: Annotated[
        str | None, typer.Option("--person", help="宛名番号（10桁）または住民票コード（11桁）")
    ] = None,
    sent_from: Annotated[
        str | None, typer.Option("--from", help="送信日（YYYY-MM-DD）から")
    ] = None,
    sent_to: Annotated[str | None, typer.Option("--to", help="送信日（YYYY-MM-DD）まで")] = None,
    as_json: JsonOption = False,
) -> None:
    """CSへの送信の一覧（送信待ち・送信済み（受付番号）・エラー（CSの応答））。電文種別・住民・送信日で検索できる."""
    from jichitai.services.inbound_cards import decode_cs_filter
    from jichitai.services.national import person_of

    app = _app()
    try:
        search = decode_cs_filter(kind, person, sent_from, sent_to)
        entries = app.cs.listed(console_actor(municipality, Role.CLERK), status, search)
        manual = app.cs_ops.manual(console_actor(municipality, Role.CLERK))
    except DomainError as e:
        _fail(e, as_json)
    held = (
        {"until": manual.until.isoformat() if manual.until else "", "set_by": manual.set_by}
        if manual
        else None
    )
    rows = [
        {
            "seq": e.seq,
            "ordinal": e.ordinal,
            "kind": e.kind,
            "destination": e.destination,
            "atena_number": person_of(e)[0],
            "resident_code": person_of(e)[1],
            "status": e.status,
            "attempts": e.attempts,
            "receipt": e.receipt or "",
            "error": e.last_error,
            "sent_at": e.sent_at.isoformat() if e.sent_at else "",
            "unconvertible": e.unconvertible,
            "note": e.note,
            "handled_by": e.handled_by,
            "withheld": e.withheld,
        }
        for e in entries
    ]
    if as_json:
        _emit({"sending": app.cs.enabled, "manual": held, "messages": rows}, True)
        return
    if not app.cs.enabled:
        typer.echo("CSへの送信は止まっています（JICHITAI_CS_URL が未設定）")
    if held is not None:
        typer.echo(
            f"手動連携中です（期限: {held['until'] or 'cs resume まで'}、設定: {held['set_by']}）"
        )
    _emit(rows, False)


@standin_app.command("serve")
def standin_serve(
    data: Annotated[str, typer.Option("--data", help="代役CSのデータを置くディレクトリ")],
    host: Annotated[str, typer.Option(help="待ち受けるアドレス")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="ポート（0: 空いているもの）")] = 8765,
    delay: Annotated[
        float, typer.Option(min=0, max=600, help="応答を遅らせる秒数（受け付けてから）")
    ] = 0.0,
    refuse_seq: Annotated[
        list[int] | None, typer.Option("--refuse-seq", help="この通番の電文を拒否する（複数可）")
    ] = None,
    shared: Annotated[
        str, typer.Option("--shared", help="共同利用: GROUP=構成団体,構成団体;…（受信箱を共有）")
    ] = "",
) -> None:
    """代役のCS（本人確認情報の写しを団体ごとに持ち、電文に受付番号で応える）を起動する."""
    from jichitai.bootstrap_national import standin_cs_server

    try:
        server = standin_cs_server(
            host, port, data, delay=delay, refuse=refuse_seq or (), shared=shared
        )
    except ValueError as error:
        typer.echo(f"--shared: {error}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"standin cs listening on http://{host}:{server.server_address[1]}", err=True)
    try:
        server.serve_forever(poll_interval=0.1)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
