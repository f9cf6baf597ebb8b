"""``jichitai cs check`` (the consistency check with the CS, standard §7.1.1.2 (1100)) and
``jichitai card status`` / ``jichitai card list`` (the cards as the card management system
reports them, §7.1.1.3 (1110)); ``docs/national-links.md``."""

from __future__ import annotations

import csv
import io
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

card_app = typer.Typer(
    help="個人番号カード・住基カードの状況（カード管理システムからCS経由で取り込む）",
    no_args_is_help=True,
)
CHECK_COLUMNS = (
    "kind",
    "kind_label",
    "resident_code",
    "atena_number",
    "item",
    "item_label",
    "register_value",
    "cs_value",
)


@cs_app.command("check")
def cs_check(
    municipality: MunicipalityOption,
    csv_out: Annotated[
        str | None, typer.Option("--csv", help="相違の一覧をCSV（UTF-8）でこのファイルに書く")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """CSの本人確認情報との整合性確認（住民記録のみ・CSのみ・項目の相違を一覧にする）."""
    app = _app()
    try:
        result = app.cs_check.check(console_actor(municipality, Role.CLERK))
    except DomainError as e:
        _fail(e, as_json)
    rows: list[dict[str, Any]] = [
        {
            "kind": d.kind,
            "kind_label": d.kind_label,
            "resident_code": d.resident_code,
            "atena_number": d.atena_number,
            "item": d.item,
            "item_label": d.item_label if d.item else "",
            "register_value": d.register_value,
            "cs_value": d.cs_value,
        }
        for d in result.differences
    ]
    if csv_out:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, CHECK_COLUMNS, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)
        app.write_private_file(csv_out, buffer.getvalue().encode("utf-8"))  # personal data
    if as_json:
        _emit({"persons": result.persons, "at_cs": result.at_cs, "differences": rows}, True)
        return
    typer.echo(
        f"住民記録 {result.persons} 人、CS {result.at_cs} 件、相違 {len(rows)} 件",
    )
    _emit(rows, False)


def _card_rows(cards: Any) -> list[dict[str, Any]]:
    from jichitai.services.national_check import card_label, status_label

    return [
        {
            "resident_code": c.resident_code,
            "card": c.card,
            "card_label": card_label(c.card),
            "status": c.status,
            "status_label": status_label(c.status),
            "issued_on": c.issued_on.isoformat() if c.issued_on else "",
            "expires_on": c.expires_on.isoformat() if c.expires_on else "",
            "updated_on": c.updated_on.isoformat() if c.updated_on else "",
        }
        for c in cards
    ]


@card_app.command("status")
def card_status(
    municipality: MunicipalityOption,
    atena: Annotated[str, typer.Argument(help="宛名番号")],
    as_json: JsonOption = False,
) -> None:
    """住民の個人番号カード・住基カードの状況（最後に取り込んだもの）と、カードを所有しているか."""
    app = _app()
    try:
        found = app.cards.cards_of(console_actor(municipality, Role.CLERK), atena)
    except DomainError as e:
        _fail(e, as_json)
    document = {
        "atena_number": found.atena_number,
        "resident_code": found.resident_code,
        "holds_card": found.holds_card,
        "recorded_at": found.recorded_at.isoformat() if found.recorded_at else "",
        "cards": _card_rows(found.cards),
    }
    if as_json:
        _emit(document, True)
        return
    typer.echo(f"カードの所有: {'あり' if found.holds_card else 'なし'}")
    typer.echo(f"取り込み: {document['recorded_at'] or '記録なし'}")
    _emit(document["cards"], False)


@card_app.command("refresh")
def card_refresh(municipality: MunicipalityOption, as_json: JsonOption = False) -> None:
    """カード管理システムから（CS経由で）カードの状況を取り込み、住民記録に記録する."""
    app = _app()
    try:
        cards, changed = app.cards.refresh(console_actor(municipality, Role.CLERK))
    except DomainError as e:
        _fail(e, as_json)
    _emit({"cards": cards, "changed": changed}, as_json)


@card_app.command("list")
def card_list(municipality: MunicipalityOption, as_json: JsonOption = False) -> None:
    """記録しているカードの状況（団体の住民全部。最後に取り込んだもの）."""
    app = _app()
    try:
        cards = app.cards.listed(console_actor(municipality, Role.CLERK))
    except DomainError as e:
        _fail(e, as_json)
    _emit({"cards": _card_rows(cards)} if as_json else _card_rows(cards), as_json)


# -- 送付先 and 更新対象者 (standard §7.1.1.4 (1120)) ------------------------------------------

destination_app = typer.Typer(
    help="個人番号カード・番号通知書類の送付先（住所と異なる居所）。設定・削除でCSへ送付先情報を送る",
    no_args_is_help=True,
)
card_app.add_typer(destination_app, name="destination")


def _send_to_document(found: Any) -> dict[str, Any]:
    return {
        "atena_number": found.atena_number,
        "resident_code": found.resident_code,
        "address": found.address,
        "send_to": found.send_to.display() if found.send_to else "",
        "send_to_postcode": found.send_to.postcode if found.send_to else "",
        "send_to_parts": found.send_to.to_json() if found.send_to else None,
        "history": [
            {
                "version": v.version,
                "send_to": v.address.display() if v.address else "",
                "cleared": v.address is None,
                "set_by": v.set_by,
                "set_at": v.set_at.isoformat(),
            }
            for v in found.history
        ],
    }


@destination_app.command("set")
def destination_set(
    municipality: MunicipalityOption,
    atena: Annotated[str, typer.Argument(help="宛名番号")],
    city: Annotated[str, typer.Option("--city", help="市区町村")],
    prefecture: Annotated[str, typer.Option("--prefecture", help="都道府県")] = "",
    town_area: Annotated[str, typer.Option("--town-area", help="町字")] = "",
    lot: Annotated[str, typer.Option("--lot", help="番地")] = "",
    supplement: Annotated[str, typer.Option("--supplement", help="方書")] = "",
    postcode: Annotated[str, typer.Option("--postcode", help="郵便番号")] = "",
    as_json: JsonOption = False,
) -> None:
    """送付先（居所）を設定し、送付先情報をCSへ送る（送信待ちに入る）."""
    address = {
        "prefecture": prefecture,
        "city": city,
        "town_area": town_area,
        "lot_text": lot,
        "address_supplement": supplement,
        "postcode": postcode,
    }
    app = _app()
    try:
        actor = console_actor(municipality, Role.CLERK)
        app.card_destinations.set(actor, atena, {k: v for k, v in address.items() if v})
        found = app.card_destinations.show(actor, atena)
    except DomainError as e:
        _fail(e, as_json)
    _emit(
        _send_to_document(found) if as_json else [_send_to_document(found)["history"][-1]], as_json
    )


@destination_app.command("clear")
def destination_clear(
    municipality: MunicipalityOption,
    atena: Annotated[str, typer.Argument(help="宛名番号")],
    as_json: JsonOption = False,
) -> None:
    """送付先を削除し（住所へ送る）、送付先情報をCSへ送る."""
    app = _app()
    try:
        actor = console_actor(municipality, Role.CLERK)
        app.card_destinations.clear(actor, atena)
        found = app.card_destinations.show(actor, atena)
    except DomainError as e:
        _fail(e, as_json)
    _emit(
        _send_to_document(found) if as_json else [_send_to_document(found)["history"][-1]], as_json
    )


@destination_app.command("show")
def destination_show(
    municipality: MunicipalityOption,
    atena: Annotated[str, typer.Argument(help="宛名番号")],
    as_json: JsonOption = False,
) -> None:
    """送付先（無いときは住所へ送る）と、その設定・削除の履歴."""
    app = _app()
    try:
        found = app.card_destinations.show(console_actor(municipality, Role.CLERK), atena)
    except DomainError as e:
        _fail(e, as_json)
    document = _send_to_document(found)
    if as_json:
        _emit(document, True)
        return
    typer.echo(f"送付先: {document['send_to'] or '（なし。住所へ送る）'}")
    typer.echo(f"住所: {document['address']}")
    _emit(document["history"], False)


@card_app.command("renewal-targets")
def card_renewal_targets(municipality: MunicipalityOption, as_json: JsonOption = False) -> None:
    """CSから更新対象者を受け取り、住民記録と突合して送付先情報をCSへ送る（突合できないものは一覧に出す）."""
    app = _app()
    try:
        result = app.card_destinations.renewal_targets(console_actor(municipality, Role.CLERK))
    except DomainError as e:
        _fail(e, as_json)
    document = {
        "listed": result.listed,
        "sent": [
            {"resident_code": t.resident_code, "card": t.card, "atena_number": atena}
            for t, atena in result.sent
        ],
        "unmatched": [
            {
                "resident_code": u.target.resident_code,
                "card": u.target.card,
                "atena_number": u.atena_number,
                "reason": u.reason,
            }
            for u in result.unmatched
        ],
    }
    if as_json:
        _emit(document, True)
        return
    typer.echo(
        f"更新対象者 {result.listed} 件、送付先情報 {len(result.sent)} 件、"
        f"突合できないもの {len(result.unmatched)} 件"
    )
    _emit(document["unmatched"], False)
