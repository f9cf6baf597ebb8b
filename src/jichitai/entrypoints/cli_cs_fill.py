"""``jichitai cs amend | error-list | intake-error-list | sent-list | received-list``: completing
a CS message in error by hand and sending it again, and the printed lists (standard §7.1.1.1 (1090), §4.1.3.1.2 (690);
``docs/national-links.md``). The completion needs the reviewer's role; the lists the counter's."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import orjson
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
from jichitai.entrypoints.cli_cs_ops import NoteOption, OrdinalArgument, SeqArgument, _row
from jichitai.entrypoints.cli_standin import cs_app

FormatOption = Annotated[str, typer.Option("--format", help="pdf または csv")]
OutOption = Annotated[Path | None, typer.Option("--out", help="出力先（所有者のみ読める）")]
KindOption = Annotated[str | None, typer.Option("--kind", help="電文の種別（省略時はすべて）")]
WardOption = Annotated[
    str | None, typer.Option("--ward", help="指定都市の行政区（例: 北区）ごとに分けて書き出す")
]
DaysOption = Annotated[
    str | None, typer.Option("--days", help="直近何日分か（1〜366。省略時はすべて）")
]
FILE_NAMES = {
    "send": "cs-send-errors",
    "intake": "cs-intake-errors",
    "sent": "cs-sent",
    "received": "cs-received",
    "free": "cs-free-codes",
}


@cs_app.command("amend")
def cs_amend(
    municipality: MunicipalityOption,
    seq: SeqArgument,
    ordinal: OrdinalArgument = 0,
    item: Annotated[
        list[str] | None,
        typer.Option("--set", help="補完する項目=値（例: --set name=吉田　太郎）。繰り返し可"),
    ] = None,
    note: NoteOption = None,
    as_json: JsonOption = False,
) -> None:
    """エラーの電文を手入力で補完して再送信する（送信待ちの後ろに新しい電文として）."""
    items: dict[str, str] = {}
    for given in item or ():
        key, _, value = given.partition("=")
        items[key.strip()] = value
    app = _app()
    try:
        made = app.cs_ops.amend(
            console_actor(municipality, Role.REVIEWER), seq, ordinal, items, note
        )
    except DomainError as e:
        _fail(e, as_json)
    _emit({**_row(made), "amendments": orjson.loads(made.amendments or "[]")}, as_json)


def _print(
    municipality: str,
    which: str,
    format: str,
    out: Path | None,
    as_json: bool,
    kind: str | None = None,
    days: str | None = None,
    ward: str | None = None,
) -> None:
    app = _app()
    actor = console_actor(municipality, Role.CLERK)
    try:
        lists = app.cs_lists
        if which == "send":
            printed = lists.send_errors(actor, format)
        elif which == "intake":
            printed = lists.intake_errors(actor, format)
        elif which == "free":
            printed = lists.free_codes(actor, format)
        elif which == "sent":
            printed = lists.sent(actor, format, kind=kind, days=days, ward=ward)
        else:
            printed = lists.received(actor, format, kind=kind, days=days, ward=ward)
    except DomainError as e:
        _fail(e, as_json)
    target = out or Path(f"{FILE_NAMES[which]}-{municipality}.{printed.format}")
    app.write_private_file(str(target), printed.data)
    _emit({"title": printed.title, "count": printed.count, "file": str(target)}, as_json)


@cs_app.command("error-list")
def cs_error_list(
    municipality: MunicipalityOption,
    format: FormatOption = "pdf",
    out: OutOption = None,
    as_json: JsonOption = False,
) -> None:
    """CS送信エラー一覧表を書き出す（印刷ログに記録される）."""
    _print(municipality, "send", format, out, as_json)


@cs_app.command("intake-error-list")
def cs_intake_error_list(
    municipality: MunicipalityOption,
    format: FormatOption = "pdf",
    out: OutOption = None,
    as_json: JsonOption = False,
) -> None:
    """転入通知情報等取込エラー一覧表を書き出す（取り込めなかった受信電文。印刷ログに記録）."""
    _print(municipality, "intake", format, out, as_json)


@cs_app.command("sent-list")
def cs_sent_list(
    municipality: MunicipalityOption,
    kind: KindOption = None,
    days: DaysOption = None,
    ward: WardOption = None,
    format: FormatOption = "pdf",
    out: OutOption = None,
    as_json: JsonOption = False,
) -> None:
    """CS送信一覧表を書き出す（CSが受領した電文。種別・期間・行政区で絞り込み。印刷ログに記録）."""
    _print(municipality, "sent", format, out, as_json, kind, days, ward)


@cs_app.command("received-list")
def cs_received_list(
    municipality: MunicipalityOption,
    kind: KindOption = None,
    days: DaysOption = None,
    ward: WardOption = None,
    format: FormatOption = "pdf",
    out: OutOption = None,
    as_json: JsonOption = False,
) -> None:
    """転入通知情報等取込一覧表を書き出す（CSから受信した電文と処理状況。印刷ログに記録）."""
    _print(municipality, "received", format, out, as_json, kind, days, ward)


@cs_app.command("free-code-list")
def cs_free_code_list(
    municipality: MunicipalityOption,
    format: FormatOption = "pdf",
    out: OutOption = None,
    as_json: JsonOption = False,
) -> None:
    """住民票コード空きコード取込一覧表を書き出す（CSから取り込んだ未使用の空きコード。印刷ログに記録）."""
    _print(municipality, "free", format, out, as_json)
