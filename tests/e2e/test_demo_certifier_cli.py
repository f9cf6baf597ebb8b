"""End-to-end: the demo names a fictional mayor (見本　太郎) so that its certificates can be issued
— `make run` calls `jichitai demo certifier` on every start, and `demo seed` does it too — and
never overwrites a certifier an administrator named."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import Cli
from tests.e2e.test_certificate_reissue_cli import text_of

pytestmark = pytest.mark.spec("1.3.9")

BUNKYO = "131059"
CHUO = "131024"


def test_the_demo_certifier_is_named_only_while_nobody_is(cli: Cli, tmp_path: Path) -> None:
    assert cli.run("db", "upgrade").returncode == 0
    cli.ok("municipality", "add", BUNKYO, "東京都文京区")
    stand_in = cli.ok("municipality", "issuer", "-m", BUNKYO)
    assert stand_in["mayor_title"] == "東京都文京区長" and stand_in["mayor_name"] == ""

    named = cli.ok("demo", "certifier", "-m", BUNKYO)
    assert named == {"mayor_title": "東京都文京区長", "mayor_name": "見本　太郎", "changed": True}
    cli.ok("municipality", "issuer", "-m", BUNKYO, "--mayor-name", "山田　太郎")
    kept = cli.ok("demo", "certifier", "-m", BUNKYO)  # `make run` again: the admin's name stays
    assert kept["mayor_name"] == "山田　太郎" and kept["changed"] is False

    cli.ok("municipality", "add", CHUO, "東京都中央区")
    cli.ok("demo", "seed", "-m", CHUO, "--residents", "5", "--seed", "3")
    pdf = tmp_path / "demo.pdf"
    cli.ok("certificate", "issue", "-m", CHUO, "--person", "0000000019", "--out", str(pdf))
    assert "東京都中央区長見本太郎" in text_of(pdf)
