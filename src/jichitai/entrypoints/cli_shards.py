"""``jichitai shard list|add`` and ``jichitai municipality move``: tenant shards (ADR 0016,
docs/operations.md "Tenant shards"). Run by the operator as the schema owner, against the
catalog database (``JICHITAI_DATABASE_URL``)."""

from __future__ import annotations

from typing import Annotated

import typer

from jichitai.domain.errors import DomainError
from jichitai.entrypoints.cli_common import JsonOption, _app, _emit, _fail

shard_app = typer.Typer(help="シャード（団体のデータを保持するデータベース）", no_args_is_help=True)


@shard_app.command("list")
def shard_list(as_json: JsonOption = False) -> None:
    """シャードの一覧: 名前、URL（パスワードは伏せる）、スキーマのリビジョン、保持する団体."""
    listed = _app().shards.shards()
    _emit(
        [
            {
                "shard": s.name,
                "url": s.url,
                "revision": s.revision or "応答なし",
                "municipalities": list(s.municipalities) if as_json else ",".join(s.municipalities),
            }
            for s in listed
        ],
        as_json,
    )


@shard_app.command("add")
def shard_add(
    name: Annotated[str, typer.Argument(help="シャード名（英小文字・数字・ハイフン）")],
    url: Annotated[str, typer.Argument(help="データベースURL（jichitai db upgrade 済みのもの）")],
    as_json: JsonOption = False,
) -> None:
    """シャードを登録する: そのデータベースが応答し、最新のスキーマであること."""
    a = _app()
    try:
        added = a.shards.add(name, url, a.clock.now())
    except DomainError as e:
        _fail(e, as_json)
    _emit({"shard": added.name, "url": added.url, "revision": added.revision}, as_json)


def municipality_move(
    code: Annotated[str, typer.Argument(help="地方公共団体コード")],
    to: Annotated[str, typer.Option("--to", help="移動先のシャード名")],
    as_json: JsonOption = False,
) -> None:
    """団体のデータを別のシャードへ移す: 複写、追いつき、数秒の書き込み停止、切替、検証."""
    from jichitai.bootstrap_shards import municipality_moves

    try:
        report = municipality_moves(_app()).move(code, to)
    except DomainError as e:
        _fail(e, as_json)
    _emit(
        {
            "municipality_code": report.municipality_code,
            "from": report.source,
            "to": report.target,
            "copy_rounds": report.rounds,
            "rows_copied": report.rows_copied,
            "frozen_seconds": round(report.frozen_seconds, 3),
            "journal_entries_verified": report.journal_entries,
            "export_files_identical": report.export_files,
            "export_bytes": report.export_bytes,
            "seconds": round(report.seconds, 3),
        },
        as_json,
    )
