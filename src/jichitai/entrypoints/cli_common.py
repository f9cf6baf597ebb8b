"""What every ``jichitai`` sub-command shares: options, the wired app, output and refusals."""

from __future__ import annotations

import getpass
import json
import socket
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from jichitai.config import SettingsError
from jichitai.domain.access.actor import Actor
from jichitai.domain.access.roles import Role
from jichitai.domain.errors import DomainError, Violation

if TYPE_CHECKING:
    from jichitai.bootstrap import App

MunicipalityOption = Annotated[
    str, typer.Option("--municipality", "-m", help="地方公共団体コード (6桁)")
]
_json_asked: bool | None = None
"""The running command's ``--json`` (None: the command has no such option)."""


def _remember_json(value: bool) -> bool:
    global _json_asked
    _json_asked = value
    return value


JsonOption = Annotated[bool, typer.Option("--json", help="JSONで出力", callback=_remember_json)]


def _app() -> App:
    """The wired application, refusing to work with settings it cannot use or on a database
    that is not migrated yet.

    Wiring is imported here, when a command runs, not with the CLI: ``--help`` and a command's
    argument errors need none of the adapters (the database, the PDF and signing stack)."""
    from jichitai.bootstrap import bootstrap

    try:
        a = bootstrap()
    except SettingsError as e:
        _fail(DomainError(Violation("settings.invalid", str(e), "environment")))
    if not a.database_is_current():
        _fail(
            DomainError(
                Violation(
                    "database.not_upgraded",
                    "データベースが最新の構成になっていません。先に `jichitai db upgrade` を実行してください",
                    "JICHITAI_DATABASE_URL",
                )
            )
        )
    return a


def _emit(data: Any, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
    elif isinstance(data, dict):
        for key, value in data.items():
            typer.echo(f"{key}: {value}")
    elif isinstance(data, list):
        for item in data:
            typer.echo(
                "  ".join(str(v) for v in item.values()) if isinstance(item, dict) else str(item)
            )
    else:
        typer.echo(str(data))


def _fail(error: DomainError, as_json: bool | None = None) -> NoReturn:
    """Print the refusal on standard error and exit with status 2: with ``--json`` as
    ``{"errors": [...]}``, otherwise one line per error, ``エラー <code>: <message> (<field>)``.

    ``as_json`` None (a refusal before the command's own work: settings, an un-migrated
    database) follows the running command's ``--json``; a command without that option (``serve``,
    ``worker``) prints the JSON."""
    if as_json is None:
        as_json = _json_asked is not False
    errors = [
        {"code": v.code, "message": v.message, "field": v.field, "level": v.severity.value}
        | ({"line": v.line} if v.line is not None else {})
        for v in error.violations
    ]
    if as_json:
        typer.echo(json.dumps({"errors": errors}, ensure_ascii=False, indent=2), err=True)
    else:
        for e in errors:
            typer.echo(
                f"エラー {e['code']}: {e['message']}" + (f" ({e['field']})" if e["field"] else ""),
                err=True,
            )
    raise typer.Exit(code=2)


def operator_actor(municipality_code: str) -> Actor:
    """The operator running a command, as the access log records them: the command line reads
    personal data outside any staff role, so every such read is logged under this name."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return Actor(
        login=f"operator:{user}"[:64],
        municipality_code=municipality_code,
        roles=frozenset(),
        terminal=socket.gethostname()[:100],
        purpose="運用コマンド",
    )


def console_actor(municipality_code: str, role: Role) -> Actor:
    """The operator at the console acting with the rights of ``role`` (logged as the operator)."""
    operator = operator_actor(municipality_code)
    return Actor(
        login=operator.login,
        municipality_code=municipality_code,
        roles=frozenset({role}),
        terminal=operator.terminal,
        purpose=operator.purpose,
    )
