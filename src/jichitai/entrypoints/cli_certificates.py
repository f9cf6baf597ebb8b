"""``jichitai certificate issue|reissue|history|verify``: issue a certificate as PDF, re-issue a
copy, list the issue history, check a file; and ``jichitai municipality issuer`` (registered in
``cli.py``): the mayor's title and name and the official seal printed on certificates.

The command line is an operator's console: it acts with the rights a task needs, and the access
log names the operator. Issuing and the history act as a counter clerk (no My Number), except
a 転出証明書 (which shows the My Number) and any re-issue, which act as a reviewer; the issuer
settings act as an administrator.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from jichitai.domain.access.roles import Role
from jichitai.domain.certificates.issuer import CertifierChoice, Deputy
from jichitai.domain.certificates.kinds import (
    CERTIFICATE_TYPES,
    CertificateKind,
    ItemChoice,
    SheetLayout,
    certificate_type,
)
from jichitai.domain.certificates.requests import MAX_COPIES, Requester, read_request
from jichitai.domain.errors import DomainError
from jichitai.entrypoints.cli_common import (
    JsonOption,
    MunicipalityOption,
    _app,
    _emit,
    _fail,
    console_actor,
)

if TYPE_CHECKING:
    from jichitai.domain.access.actor import Actor
    from jichitai.services.certificates import Issued, IssueRecord

certificate_app = typer.Typer(help="証明書（住民票の写し等）", no_args_is_help=True)


def _clerk(municipality: str) -> Actor:
    """The operator issuing at the console, with a clerk's rights (no My Number)."""
    return console_actor(municipality, Role.CLERK)


def _written(issued: Issued, out: Path | None) -> dict[str, object]:
    """The PDF written owner-only (0600): a certificate is personal data on the operator's disk."""
    target = out or Path(f"{issued.code}.pdf")
    _app().write_private_file(str(target), issued.pdf)
    return {
        "issue_code": issued.code,
        "title": issued.title,
        "pages": issued.pages,
        "copies": issued.copies,
        "fee": issued.fee,
        "file": str(target),
    }


_KINDS_HELP = (
    "、".join(f"{t.kind.value}（{t.label}）" for t in CERTIFICATE_TYPES)
    + "。個人番号を記載する種類は審査の権限で、印鑑登録証明書は --card を付けて発行する"
)


@certificate_app.command("issue")
def certificate_issue(
    municipality: MunicipalityOption,
    person: Annotated[str, typer.Option(help="宛名番号")],
    kind: Annotated[
        CertificateKind,
        typer.Option(help=_KINDS_HELP),
    ] = CertificateKind.RESIDENCE_CERTIFICATE,
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
    furigana: Annotated[
        bool, typer.Option("--furigana", help="氏名・通称の後に括弧書きでフリガナを記載")
    ] = False,
    official_use: Annotated[
        bool, typer.Option("--official-use", help="「公用」と表示（官公署の公用請求）")
    ] = False,
    history: Annotated[bool, typer.Option("--history", help="履歴を記載")] = False,
    certifier: Annotated[
        CertifierChoice,
        typer.Option(help="認証者: auto（職務代理の期間は職務代理者）, mayor, deputy"),
    ] = CertifierChoice.AUTO,
    no_official_seal: Annotated[
        bool, typer.Option("--no-official-seal", help="公印を印字しない（「公印省略」）")
    ] = False,
    card: Annotated[
        str, typer.Option("--card", help="印鑑登録証の番号（印鑑登録証明書のとき）")
    ] = "",
    requester: Annotated[
        str,
        typer.Option(help="請求者: " + "、".join(f"{r.value}（{r.label}）" for r in Requester)),
    ] = Requester.SELF.value,
    copies: Annotated[
        str, typer.Option(help=f"通数（1〜{MAX_COPIES}。手数料は市区町村の設定から計算）")
    ] = "1",
    out: Annotated[Path | None, typer.Option(help="PDFの出力先")] = None,
    as_json: JsonOption = False,
) -> None:
    """証明書を発行してPDFに書き出す（--copies の通数を1つのPDFに。発行履歴とアクセスログに記録される）.

    操作者は窓口の権限で発行する（個人番号は記載しない）。転出証明書（--kind tenshutsu）は
    個人番号を記載するため審査の権限で発行する。
    """
    from jichitai.services.certificates import CertificateRequest

    a = _app()
    role = Role.REVIEWER if certificate_type(kind).carries_individual_number else Role.CLERK
    try:
        asked = CertificateRequest(
            person,
            kind,
            household=household,
            layout=SheetLayout.PERSONAL if personal else SheetLayout.HOUSEHOLD,
            items=ItemChoice(
                head_and_relationship=head,
                domicile=domicile,
                resident_code=resident_code,
                foreign_items=foreign_items,
                furigana=furigana,
                official_use=official_use,
            ),
            with_history=history,
            seal_card_number=card,
            certifier=certifier,
            with_seal=not no_official_seal,
            terms=read_request(requester, copies),
        )
        issued = a.certificates.issue(console_actor(municipality, role), asked)
    except DomainError as e:
        _fail(e, as_json)
    _emit(_written(issued, out), as_json)


@certificate_app.command("reissue")
def certificate_reissue(
    municipality: MunicipalityOption,
    issue_code: Annotated[
        str, typer.Argument(help="再交付する証明書の確認コード（21桁。以前の22桁も可）")
    ],
    reason: Annotated[str, typer.Option(help="再交付・再印刷の理由")],
    out: Annotated[Path | None, typer.Option(help="PDFの出力先")] = None,
    as_json: JsonOption = False,
) -> None:
    """発行済みの証明書を発行時の内容で再交付する（新しい発行番号、元の証明書は無効になる）.

    転出証明書は「（再交付）」と表示した再交付、その他の証明書は同じ内容の再印刷。
    操作者は審査の権限で再交付する（個人番号を記載した証明書・転出証明書の再交付に必要）。
    """
    a = _app()
    try:
        issued = a.certificates.reissue(
            console_actor(municipality, Role.REVIEWER), issue_code, reason
        )
    except DomainError as e:
        _fail(e, as_json)
    _emit({**_written(issued, out), "reissue_of": "".join(issue_code.split())}, as_json)


@certificate_app.command("history")
def certificate_history(
    municipality: MunicipalityOption,
    person: Annotated[str | None, typer.Option(help="宛名番号（その方の証明書だけ）")] = None,
    issued_on: Annotated[
        datetime | None, typer.Option(help="発行日 (YYYY-MM-DD)", formats=["%Y-%m-%d"])
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """証明書の発行履歴（新しい順、最大500件）。窓口の権限で照会し、アクセスログに記録される."""
    a = _app()
    try:
        rows = a.certificates.history(
            _clerk(municipality), person, issued_on.date() if issued_on else None
        )
    except DomainError as e:
        _fail(e, as_json)
    _emit(
        [
            {
                "issue_code": r.issue_code,
                "issued_at": r.issued_at.isoformat(),
                "kind": r.kind,
                "title": r.title,
                "persons": list(r.persons),
                "items": list(r.items),
                "pages": r.pages,
                "issued_by": r.issued_by,
                "terminal": r.terminal,
                "place": r.place,
                "reissue_of": r.reissue_of,
                "reason": r.reason,
                "requester": r.requester,
                "copies": r.copies,
                "fee": r.fee,
                "disposed": _disposal(r),
            }
            for r in rows
        ],
        as_json,
    )


def _disposal(record: IssueRecord) -> dict[str, str] | None:
    d = record.disposal
    if d is None:
        return None
    return {
        "disposed_at": d.disposed_at.isoformat(),
        "disposed_by": d.disposed_by,
        "terminal": d.terminal,
        "reason": d.reason,
    }


@certificate_app.command("overflows")
def certificate_overflows(
    municipality: MunicipalityOption,
    issued_on: Annotated[datetime, typer.Option(help="発行日 (YYYY-MM-DD)", formats=["%Y-%m-%d"])],
    as_json: JsonOption = False,
) -> None:
    """文字超過リスト: その日の証明書で印字しきれなかった項目（文字溢れ・未登録外字）."""
    a = _app()
    try:
        rows = a.certificates.overflow_list(_clerk(municipality), issued_on.date())
    except DomainError as e:
        _fail(e, as_json)
    _emit(
        [
            {
                "issue_code": r.issue_code,
                "title": r.title,
                "sheet": o.sheet,
                "label": o.label,
                "value": o.value,
                "reason": o.reason.value,
            }
            for r, o in rows
        ],
        as_json,
    )


@certificate_app.command("dispose")
def certificate_dispose(
    municipality: MunicipalityOption,
    issue_code: Annotated[
        str, typer.Argument(help="処分した証明書の確認コード（21桁。以前の22桁も可）")
    ],
    reason: Annotated[str, typer.Option(help="処分の理由（例: 対象者の誤り）")],
    as_json: JsonOption = False,
) -> None:
    """誤って発行し処分した証明書を記録する（処分情報）。以後その証明書は照合で無効となる."""
    a = _app()
    try:
        record = a.certificates.dispose(_clerk(municipality), issue_code, reason)
    except DomainError as e:
        _fail(e, as_json)
    _emit({"issue_code": record.issue_code, "disposed": _disposal(record)}, as_json)


def municipality_issuer(
    municipality: MunicipalityOption,
    mayor_title: Annotated[str | None, typer.Option(help="認証者の職名（例: 千代田区長）")] = None,
    mayor_name: Annotated[str | None, typer.Option(help="認証者の氏名")] = None,
    seal: Annotated[
        Path | None,
        typer.Option(help="公印の画像（PNG・JPEG）", exists=True, dir_okay=False),
    ] = None,
    deputy_title: Annotated[
        str | None,
        typer.Option(help="職務代理者の職名（例: 千代田区長職務代理者　千代田区副区長）"),
    ] = None,
    deputy_name: Annotated[str | None, typer.Option(help="職務代理者の氏名")] = None,
    deputy_from: Annotated[
        datetime | None, typer.Option(help="職務代理の開始日 (YYYY-MM-DD)", formats=["%Y-%m-%d"])
    ] = None,
    deputy_until: Annotated[
        datetime | None, typer.Option(help="職務代理の終了日 (YYYY-MM-DD)", formats=["%Y-%m-%d"])
    ] = None,
    no_deputy: Annotated[bool, typer.Option("--no-deputy", help="職務代理者の登録を消す")] = False,
    deputy_seal: Annotated[
        Path | None,
        typer.Option(help="職務代理者の公印の画像（PNG・JPEG）", exists=True, dir_okay=False),
    ] = None,
    fixed_phrase: Annotated[
        str | None, typer.Option(help="認証者の下に印字する固定文言（例: この印は黒色です）")
    ] = None,
    blank_overflow: Annotated[
        bool | None,
        typer.Option(
            "--blank-overflow/--print-overflow",
            help="文字溢れ・未登録外字の項目を空白で印字する／限界まで小さくして印字する",
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """証明書の認証者（市区町村長・職務代理者）、固定文言と公印を表示・設定する（管理者の権限、次の発行から）.

    指定しなかった項目はそのまま。設定はアクセスログ（設定変更）に記録される。
    """
    a = _app()
    admin = console_actor(municipality, Role.ADMINISTRATOR)
    deputy_given = (deputy_title, deputy_name, deputy_from, deputy_until)
    try:
        found = a.certificates.issuer(admin)
        texts = (mayor_title, mayor_name, fixed_phrase, blank_overflow, *deputy_given)
        if no_deputy or any(v is not None for v in texts):
            found = a.certificates.set_issuer(
                admin,
                found.mayor_title if mayor_title is None else mayor_title,
                found.mayor_name if mayor_name is None else mayor_name,
                deputy=None if no_deputy else _deputy(found.deputy, *deputy_given),
                fixed_phrase=found.fixed_phrase if fixed_phrase is None else fixed_phrase,
                blank_overflow=found.blank_overflow if blank_overflow is None else blank_overflow,
            )
        if seal is not None:
            found = a.certificates.set_official_seal(admin, seal.read_bytes())
        if deputy_seal is not None:
            found = a.certificates.set_official_seal(admin, deputy_seal.read_bytes(), deputy=True)
    except DomainError as e:
        _fail(e, as_json)
    d = found.deputy
    _emit(
        {
            "mayor_title": found.mayor_title,
            "mayor_name": found.mayor_name,
            "official_seal_width": found.seal_width,
            "official_seal_height": found.seal_height,
            "official_seal_sha256": found.seal_sha256,
            "deputy": {
                "title": d.title,
                "name": d.name,
                "starts_on": d.starts_on.isoformat() if d.starts_on else None,
                "ends_on": d.ends_on.isoformat() if d.ends_on else None,
            }
            if d
            else None,
            "deputy_seal_sha256": found.deputy_seal_sha256,
            "fixed_phrase": found.fixed_phrase,
            "blank_overflow": found.blank_overflow,
        },
        as_json,
    )


def _deputy(
    current: Deputy | None,
    title: str | None,
    name: str | None,
    starts: datetime | None,
    ends: datetime | None,
) -> Deputy | None:
    """The deputy with the options given laid over the one set (none given: unchanged)."""
    if title is None and name is None and starts is None and ends is None:
        return current
    base = current or Deputy("", "")
    return Deputy(
        base.title if title is None else title,
        base.name if name is None else name,
        base.starts_on if starts is None else starts.date(),
        base.ends_on if ends is None else ends.date(),
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
