"""``jichitai keys``: the 個人番号 keys of the key directory (ADR 0015, docs/operations.md
"個人番号 at rest")."""

from __future__ import annotations

import typer

from jichitai.domain.errors import DomainError, Violation
from jichitai.entrypoints.cli_common import JsonOption, MunicipalityOption, _app, _emit, _fail

keys_app = typer.Typer(help="個人番号の暗号鍵（鍵ディレクトリ）", no_args_is_help=True)


def _known(code: str, as_json: bool) -> None:
    if _app().municipalities.name_of(code) is None:
        _fail(
            DomainError(
                Violation(
                    "municipality.not_found",
                    f"地方公共団体コード {code} の団体は登録されていません",
                    "municipality_code",
                )
            ),
            as_json,
        )


@keys_app.command("rotate")
def keys_rotate(municipality: MunicipalityOption, as_json: JsonOption = False) -> None:
    """団体の個人番号のデータ鍵を更新する: 以後の書き込みは新しい鍵、古い鍵は読むために残す."""
    _known(municipality, as_json)
    keys = _app().my_number_keys
    keys.cipher(municipality)  # its first keys, if it had none
    key_id = keys.rotate(municipality)
    cipher = keys.cipher(municipality)
    _emit(
        {"municipality_code": municipality, "key_id": key_id, "keys": sorted(cipher.data_keys)},
        as_json,
    )


@keys_app.command("rewrap")
def keys_rewrap(as_json: JsonOption = False) -> None:
    """親鍵（マスター鍵）を更新し、全団体のデータ鍵・検索鍵を包み直す（データは書き換えない）."""
    master, count = _app().my_number_keys.rewrap()
    _emit({"master_key_id": master, "keys_rewrapped": count}, as_json)


@keys_app.command("encrypt-existing")
def keys_encrypt_existing(as_json: JsonOption = False) -> None:
    """リビジョン 0023 より前に書かれた個人番号を暗号化し、検索用ハッシュを作る（一度だけ）."""
    a = _app()
    out = [a.encrypt_existing(m.code) for m in a.municipalities.all()]
    _emit(
        [
            {
                "municipality_code": r.municipality_code,
                "snapshots_sealed": r.snapshots,
                "drafts_sealed": r.drafts,
                "hashes_written": r.hashes,
                "journal_entries_clear": r.journal_entries_clear,
            }
            for r in out
        ],
        as_json,
    )
