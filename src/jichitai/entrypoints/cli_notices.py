"""``jichitai notice print KIND``: a notice (通知書) as PDF, for a recorded change (``--change``)
or, for ``michaku``, the 転入通知未着 list and letters (``--days``).

The operator prints with a counter clerk's rights (as certificates are issued); the access log
names the operator and the persons on the notice. The PDF is written owner-only (0600).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from jichitai.domain.access.roles import Role
from jichitai.domain.errors import DomainError, Violation
from jichitai.domain.notices.kinds import NoticeKind, kinds_help, notice_type
from jichitai.entrypoints.cli_common import (
    JsonOption,
    MunicipalityOption,
    _app,
    _emit,
    _fail,
    console_actor,
)

notice_app = typer.Typer(help="通知書（受理通知・職権記載等通知書など）", no_args_is_help=True)
DEFAULT_DAYS = 14
"""As ``services.notices.DEFAULT_DAYS`` (not imported: the CLI loads no service at start)."""


@notice_app.command("print")
def notice_print(
    kind: Annotated[NoticeKind, typer.Argument(help="通知書の種類: " + kinds_help())],
    municipality: MunicipalityOption,
    change: Annotated[str, typer.Option("--change", help="異動のイベントID（michaku 以外）")] = "",
    days: Annotated[
        int, typer.Option(help="michaku: 消除日から経過した日数（この日数以上を一覧に）")
    ] = DEFAULT_DAYS,
    acknowledge: Annotated[
        list[str] | None,
        typer.Option("--acknowledge", help="確認したアラートのコード（例: dv_support.notice）"),
    ] = None,
    out: Annotated[Path | None, typer.Option(help="PDFの出力先")] = None,
    as_json: JsonOption = False,
) -> None:
    """通知書をPDFに書き出す（印刷ログに記録される。何度でも再出力できる）."""
    actor = console_actor(municipality, Role.CLERK)
    per_change = notice_type(kind).per_change
    if per_change and not change:
        _fail(
            DomainError(
                Violation("notice.change_required", "異動のイベントIDを指定してください", "change")
            ),
            as_json,
        )
    a = _app()
    acknowledged = frozenset(acknowledge or ())
    try:
        if per_change:
            printed = a.notices.for_change(actor, kind, change.strip(), acknowledged)
        else:
            printed = a.notices.move_in_notice_missing(actor, days, acknowledged)
    except DomainError as e:
        _fail(e, as_json)
    target = out or Path(f"{kind.value}-{change.strip() or days}.pdf")
    a.write_private_file(str(target), printed.pdf)
    _emit(
        {"kind": kind.value, "title": printed.title, "sheets": printed.sheets, "file": str(target)},
        as_json,
    )
