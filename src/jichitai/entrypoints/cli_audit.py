"""``jichitai audit``: the access log (アクセスログ) from the command line.

Registered on the main command by ``cli.py`` (``app.add_typer(audit_app, name="audit")``).
Refusals follow ``cli.py``: code, Japanese message and field on standard error (as JSON with
``--json``), exit status 2.
"""

from __future__ import annotations

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

audit_app = typer.Typer(help="アクセスログ", no_args_is_help=True)


@audit_app.command("verify")
def audit_verify(municipality: MunicipalityOption, as_json: JsonOption = False) -> None:
    """アクセスログのハッシュ連鎖を検証する (改ざん検知。操作者は監査の権限で検証する)."""
    a = _app()
    try:
        code = a.municipalities.get(municipality).code
        count = a.access_log.verify(console_actor(code, Role.AUDITOR))
    except DomainError as e:
        _fail(e, as_json)
    _emit({"municipality_code": code, "entries": count, "chain": "ok"}, as_json)
