"""``jichitai address``: the municipality's 町字 master (standard §1.3.2, §1.3.3; ADR 0013).

Registered on the main command by ``cli.py`` (``app.add_typer(address_app, name="address")``).
Refusals follow ``cli.py``: code, Japanese message, field and line on standard error (as JSON
with ``--json``), exit status 2; a refused file writes nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from jichitai.domain.errors import DomainError
from jichitai.entrypoints.cli_common import (
    JsonOption,
    MunicipalityOption,
    _app,
    _emit,
    _fail,
    operator_actor,
)

address_app = typer.Typer(help="住所辞書（町字マスター）", no_args_is_help=True)


@address_app.command("import")
def address_import(
    municipality: MunicipalityOption,
    file: Annotated[
        Path, typer.Argument(help="町字マスターのCSV（アドレス・ベース・レジストリの列名）")
    ],
    as_json: JsonOption = False,
) -> None:
    """団体の町字マスターを読み込み、全件を置き換える（1行でも誤りがあれば何も書かない）."""
    a = _app()
    try:
        code = a.municipalities.get(municipality).code
        result = a.town_areas.import_master(operator_actor(code), a.town_area_file(str(file)))
    except DomainError as e:
        _fail(e, as_json)
    _emit(
        {
            "municipality_code": result.municipality_code,
            "town_areas": result.town_areas,
            "in_force": result.in_force,
            "replaced": result.replaced,
        },
        as_json,
    )
