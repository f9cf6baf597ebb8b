"""``jichitai certificate issue|verify``: issue a resident certificate as PDF, check a file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from jichitai.domain.access.actor import Actor
from jichitai.domain.access.roles import Role
from jichitai.domain.certificates.contents import CertificateKind, ItemChoice, SheetLayout
from jichitai.domain.errors import DomainError
from jichitai.entrypoints.cli_common import (
    JsonOption,
    MunicipalityOption,
    _app,
    _emit,
    _fail,
    operator_actor,
)

certificate_app = typer.Typer(help="証明書（住民票の写し等）", no_args_is_help=True)


def _clerk(municipality: str) -> Actor:
    """The operator issuing at the console, with a clerk's rights (no My Number)."""
    operator = operator_actor(municipality)
    return Actor(
        login=operator.login,
        municipality_code=municipality,
        roles=frozenset({Role.CLERK}),
        terminal=operator.terminal,
        purpose=operator.purpose,
    )


@certificate_app.command("issue")
def certificate_issue(
    municipality: MunicipalityOption,
    person: Annotated[str, typer.Option(help="宛名番号")],
    kind: Annotated[
        CertificateKind, typer.Option(help="juminhyo, johyo (除票), kisai-jiko")
    ] = CertificateKind.JUMINHYO,
    household: Annotated[bool, typer.Option("--household", help="世帯全員")] = False,
    personal: Annotated[bool, typer.Option("--personal", help="個人票（1人1枚）")] = False,
    head: Annotated[bool, typer.Option("--head", help="世帯主・続柄を記載")] = False,
    domicile: Annotated[bool, typer.Option("--domicile", help="本籍・筆頭者を記載")] = False,
    resident_code: Annotated[
        bool, typer.Option("--resident-code", help="住民票コードを記載")
    ] = False,
    foreign_items: Annotated[
        bool, typer.Option("--foreign-items", help="外国人住民の国籍・在留資格等を記載")
    ] = False,
    history: Annotated[bool, typer.Option("--history", help="履歴を記載")] = False,
    out: Annotated[Path | None, typer.Option(help="PDFの出力先")] = None,
    as_json: JsonOption = False,
) -> None:
    """証明書を1部発行してPDFに書き出す（発行履歴とアクセスログに記録される）."""
    a = _app()
    try:
        issued = a.certificates.issue(
            _clerk(municipality),
            person,
            kind,
            household=household,
            layout=SheetLayout.PERSONAL if personal else SheetLayout.HOUSEHOLD,
            items=ItemChoice(
                head_and_relationship=head,
                domicile=domicile,
                resident_code=resident_code,
                foreign_items=foreign_items,
            ),
            with_history=history,
        )
    except DomainError as e:
        _fail(e, as_json)
    target = out or Path(f"{issued.code}.pdf")
    target.write_bytes(issued.pdf)
    _emit(
        {
            "issue_code": issued.code,
            "title": issued.title,
            "pages": issued.pages,
            "file": str(target),
        },
        as_json,
    )


@certificate_app.command("verify")
def certificate_verify(
    file: Annotated[Path, typer.Argument(help="確認するPDF", exists=True, dir_okay=False)],
    as_json: JsonOption = False,
) -> None:
    """証明書のPDFを確認する（電子署名、QRコード、発行履歴）。有効でなければ終了コード 1."""
    result = _app().certificates.verify_file(file.read_bytes())
    _emit(
        {
            "valid": result.valid,
            "issue_code": result.code,
            "title": result.title,
            "issued_on": result.issued_on.isoformat() if result.issued_on else None,
            "signer": result.signer,
            "checks": result.checks,
            "problems": list(result.problems),
        },
        as_json,
    )
    if not result.valid:
        raise typer.Exit(code=1)
