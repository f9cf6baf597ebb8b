"""``jichitai cs resend | done | pause | resume | manual``: the clerk's operations on CS auto-send
(standard §7.1.1.1 (1090); ``docs/national-links.md``). They need the reviewer's role."""

from __future__ import annotations

from typing import Annotated, Any

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
from jichitai.entrypoints.cli_standin import cs_app

SeqArgument = Annotated[int, typer.Argument(min=1, help="通番（jichitai cs list の seq）")]
OrdinalArgument = Annotated[int, typer.Argument(min=0, help="通番の中の順（ordinal）")]
NoteOption = Annotated[str | None, typer.Option("--note", help="メモ（誰に何をしたか）")]


def _row(e: Any) -> dict[str, Any]:
    return {
        "seq": e.seq,
        "ordinal": e.ordinal,
        "kind": e.kind,
        "status": e.status,
        "error": e.last_error,
        "unconvertible": e.unconvertible,
        "note": e.note,
        "handled_by": e.handled_by,
        "handled_at": e.handled_at.isoformat() if e.handled_at else "",
    }


@cs_app.command("resend")
def cs_resend(
    municipality: MunicipalityOption,
    seq: SeqArgument,
    ordinal: OrdinalArgument = 0,
    reason: Annotated[
        str | None, typer.Option("--reason", help="異動事由を変えて送る（例: in_town_move）")
    ] = None,
    note: NoteOption = None,
    as_json: JsonOption = False,
) -> None:
    """エラーか送信済みの電文を再送信する（送信待ちの後ろに新しい電文として）."""
    app = _app()
    try:
        made = app.cs_ops.resend(
            console_actor(municipality, Role.REVIEWER), seq, ordinal, reason, note
        )
    except DomainError as e:
        _fail(e, as_json)
    _emit(_row(made), as_json)


@cs_app.command("done")
def cs_done(
    municipality: MunicipalityOption,
    seq: SeqArgument,
    ordinal: OrdinalArgument = 0,
    note: NoteOption = None,
    as_json: JsonOption = False,
) -> None:
    """電文を手動で処理済みにする（メモ必須）."""
    app = _app()
    try:
        done = app.cs_ops.complete(console_actor(municipality, Role.REVIEWER), seq, ordinal, note)
    except DomainError as e:
        _fail(e, as_json)
    _emit(_row(done), as_json)


@cs_app.command("pause")
def cs_pause(
    municipality: MunicipalityOption,
    until: Annotated[
        str | None, typer.Option("--until", help="この日時まで手動連携（省略: resume まで）")
    ] = None,
    note: NoteOption = None,
    as_json: JsonOption = False,
) -> None:
    """CSへの送信を一時的に手動連携に切り替える（電文は順に送信待ちのまま）."""
    app = _app()
    try:
        manual = app.cs_ops.pause(console_actor(municipality, Role.REVIEWER), until, note)
    except DomainError as e:
        _fail(e, as_json)
    _emit(
        {
            "manual": True,
            "until": manual.until.isoformat() if manual.until else "",
            "set_by": manual.set_by,
        },
        as_json,
    )


@cs_app.command("resume")
def cs_resume(municipality: MunicipalityOption, as_json: JsonOption = False) -> None:
    """自動送信に戻す（待っていた電文が順に送られる）."""
    app = _app()
    try:
        app.cs_ops.resume(console_actor(municipality, Role.REVIEWER))
    except DomainError as e:
        _fail(e, as_json)
    _emit({"manual": False}, as_json)
