"""End-to-end: `jichitai notice print KIND` writes the notice of a recorded change as PDF,
owner-only, read back with pdftotext; a change without such a notice is refused with a code and a
Japanese message; `michaku` lists the persons moved out whose 転入通知 has not arrived."""

from __future__ import annotations

import os
import stat
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest

from jichitai.bootstrap import App, bootstrap
from jichitai.domain.common.address import Address
from jichitai.domain.common.identifiers import AtenaNumber
from jichitai.domain.residents.commands import MoveIn, MoveOut, Notifier
from tests.api.conftest import a_move_in
from tests.e2e.conftest import Cli
from tests.factories import a_header, a_previous_address, an_address

CODE = "131016"


def text_of(path: Path) -> str:
    out = subprocess.run(
        ["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return "".join(out.split())


@pytest.mark.spec("4.1.0.3", "4.3.3", "4.1.3.1.4")
def test_notices_are_printed_owner_only_and_refused_for_a_change_without_them(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli.run("db", "upgrade").returncode == 0
    cli.ok("municipality", "add", CODE, "東京都千代田区")
    for key, value in cli.env.items():  # the changes are recorded by the service, on that database
        monkeypatch.setenv(key, value)
    app = bootstrap()
    try:
        check_notices(cli, app, tmp_path)
    finally:
        app.shards.dispose()
        app.engine.dispose()


def check_notices(cli: Cli, app: App, tmp_path: Path) -> None:
    today = app.clock.today()
    couple = a_move_in(surname="佐藤", kana="サトウ")
    moved_in = app.register.record_change(
        CODE,
        MoveIn(
            header=a_header(
                effective_on=today - timedelta(days=10), notifier=Notifier(name="佐藤　一郎")
            ),
            members=couple.members,
            address=an_address(),
            previous_address=a_previous_address(),
        ),
    )
    cli.umask = 0o022  # files would be world-readable by default

    out = tmp_path / "juri.pdf"
    printed = cli.ok(
        "notice", "print", "juri", "-m", CODE, "--change", moved_in.event_id, "--out", str(out)
    )
    assert printed == {"kind": "juri", "title": "住民異動届受理通知", "sheets": 1, "file": str(out)}
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    text = text_of(out)
    assert "住民異動届受理通知" in text and "佐藤一郎様" in text and "転入" in text

    codes = tmp_path / "code.pdf"
    cli.ok(
        "notice", "print", "code", "-m", CODE, "--change", moved_in.event_id, "--out", str(codes)
    )
    shown = cli.ok("resident", "show", "-m", CODE, moved_in.atena_numbers[0])
    assert shown["resident_code"] and shown["resident_code"] in text_of(codes)
    assert "住民票コード通知票" in text_of(codes)

    refused = cli.refused("notice", "print", "shokken", "-m", CODE, "--change", moved_in.event_id)
    assert refused[0]["code"] == "notice.not_for_change"
    assert "職権記載等通知書を出力できません" in refused[0]["message"]
    assert cli.refused("notice", "print", "juri", "-m", CODE)[0]["code"] == "notice.change_required"
    nobody = cli.refused("notice", "print", "michaku", "-m", CODE, "--days", "0")
    assert nobody[0]["code"] == "notice.none_overdue"

    on = today - timedelta(days=3)
    app.register.record_change(
        CODE,
        MoveOut(
            header=a_header(effective_on=on, filed_on=on),
            atena_numbers=tuple(AtenaNumber(a) for a in moved_in.atena_numbers),
            planned_on=on,
            onward_address=Address.municipality_only("大阪府", "大阪市北区"),
        ),
    )
    listed = tmp_path / "michaku.pdf"
    made = cli.ok("notice", "print", "michaku", "-m", CODE, "--days", "3", "--out", str(listed))
    assert made["sheets"] == 2  # the list and one letter (one destination)
    assert stat.S_IMODE(os.stat(listed).st_mode) == 0o600
    text = text_of(listed)
    assert "転入通知未着者一覧" in text and "大阪府大阪市北区長様" in text and "佐藤花子" in text
