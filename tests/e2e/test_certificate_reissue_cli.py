"""End-to-end: a 転出証明書 issued at the console with the mayor and seal set there, re-issued
(marked 「再交付」), the old copy then refused by `certificate verify`, and the issue history."""

from __future__ import annotations

import io
import json
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from jichitai.domain.common.identifiers import AtenaNumber
from tests.e2e.conftest import Cli

pytestmark = pytest.mark.spec("5.1")

CODE = "131016"
CHUO = "131024"
MINATO = "131032"


def text_of(pdf: Path) -> str:
    out = subprocess.run(
        ["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return "".join(out.split())


def a_person_moving_out(cli: Cli) -> str:
    """A demo resident whose move-out to another municipality is filed."""
    for serial in range(1, 40):
        atena = AtenaNumber.from_serial(serial).value
        # The latest snapshot: a move-out filed for a later date is recorded, not yet in effect.
        result = cli.run("resident", "show", "-m", CODE, atena, "--history", "--json")
        if result.returncode != 0:
            continue
        latest = json.loads(result.stdout)[-1]
        if latest.get("status") == "moved_out" and latest.get("move_out"):
            return atena
    raise AssertionError("the demo data has no filed move-out")


def test_a_move_out_certificate_is_reissued_at_the_console(cli: Cli, tmp_path: Path) -> None:
    assert cli.run("db", "upgrade").returncode == 0
    cli.ok("municipality", "add", CODE, "東京都千代田区")
    cli.ok("demo", "seed", "-m", CODE, "--residents", "20", "--seed", "3")
    seal = tmp_path / "seal.png"
    image = io.BytesIO()
    Image.new("RGBA", (200, 200), (200, 30, 30, 255)).save(image, format="PNG")
    seal.write_bytes(image.getvalue())
    issuer = cli.ok(
        "municipality", "issuer", "-m", CODE, "--mayor-title", "東京都千代田区長",
        "--mayor-name", "山田　太郎", "--seal", str(seal),
    )  # fmt: skip
    assert issuer["mayor_name"] == "山田　太郎" and issuer["official_seal_width"] == 200
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"not an image")
    refused_seal = cli.refused("municipality", "issuer", "-m", CODE, "--seal", str(bad))
    assert refused_seal[0]["code"] == "certificate.seal_image_invalid"

    person = a_person_moving_out(cli)
    first = tmp_path / "tenshutsu.pdf"
    issued = cli.ok(
        "certificate", "issue", "-m", CODE, "--person", person, "--kind", "tenshutsu",
        "--out", str(first),
    )  # fmt: skip
    assert issued["title"] == "転出証明書"
    text = text_of(first)
    assert "転出証明書" in text and "転出先" in text and "東京都千代田区長山田太郎" in text

    second = tmp_path / "reissued.pdf"
    again = cli.ok(
        "certificate", "reissue", "-m", CODE, issued["issue_code"], "--reason", "紛失",
        "--out", str(second),
    )  # fmt: skip
    assert again["reissue_of"] == issued["issue_code"]
    assert again["issue_code"] != issued["issue_code"]
    assert "転出証明書（再交付）" in text_of(second)

    old = cli.run("certificate", "verify", str(first), "--json")
    assert old.returncode == 1
    report = json.loads(old.stdout)
    assert report["checks"]["current"] is False
    assert any(again["issue_code"] in p and "再交付" in p for p in report["problems"])
    assert cli.ok("certificate", "verify", str(second))["valid"] is True

    twice = tmp_path / "twice.pdf"
    refused = cli.refused(
        "certificate", "reissue", "-m", CODE, issued["issue_code"], "--reason", "紛失",
        "--out", str(twice),
    )  # fmt: skip
    assert refused[0]["code"] == "certificate.already_reissued"
    assert not twice.exists()

    rows = cli.ok("certificate", "history", "-m", CODE, "--person", person)
    assert [(r["issue_code"], r["reissue_of"]) for r in rows] == [
        (again["issue_code"], issued["issue_code"]),
        (issued["issue_code"], None),
    ]
    assert rows[0]["reason"] == "紛失" and "individual_number" in rows[0]["items"]


@pytest.mark.spec("1.3.8")
def test_a_copy_issued_by_mistake_is_recorded_as_disposed_at_the_console(
    cli: Cli, tmp_path: Path
) -> None:
    assert cli.run("db", "upgrade").returncode == 0
    cli.ok("municipality", "add", CHUO, "東京都中央区")
    cli.ok("demo", "seed", "-m", CHUO, "--residents", "5", "--seed", "3")
    person = AtenaNumber.from_serial(1).value
    pdf = tmp_path / "wrong.pdf"
    issued = cli.ok("certificate", "issue", "-m", CHUO, "--person", person, "--out", str(pdf))
    assert cli.ok("certificate", "verify", str(pdf))["valid"] is True
    no_reason = cli.refused(
        "certificate", "dispose", "-m", CHUO, issued["issue_code"], "--reason", " "
    )
    assert no_reason[0]["code"] == "certificate.reason_required"

    disposed = cli.ok(
        "certificate", "dispose", "-m", CHUO, issued["issue_code"], "--reason", "対象者の誤り"
    )
    assert disposed["issue_code"] == issued["issue_code"]
    assert disposed["disposed"]["reason"] == "対象者の誤り"
    checked = cli.run("certificate", "verify", str(pdf), "--json")
    assert checked.returncode == 1
    report = json.loads(checked.stdout)
    assert report["checks"]["not_disposed"] is False
    assert any("処分" in p for p in report["problems"])
    twice = cli.refused(
        "certificate", "dispose", "-m", CHUO, issued["issue_code"], "--reason", "対象者の誤り"
    )
    assert twice[0]["code"] == "certificate.already_disposed"
    rows = cli.ok("certificate", "history", "-m", CHUO, "--person", person)
    assert [r["disposed"]["reason"] if r["disposed"] else None for r in rows] == ["対象者の誤り"]


@pytest.mark.spec("1.3.9")
def test_the_deputy_and_the_period_are_set_at_the_console_and_certify_within_it(
    cli: Cli, tmp_path: Path
) -> None:
    assert cli.run("db", "upgrade").returncode == 0
    cli.ok("municipality", "add", MINATO, "東京都港区")
    cli.ok("demo", "seed", "-m", MINATO, "--residents", "3", "--seed", "3")
    # A period that holds whatever day the console's clock reads.
    set_up = cli.ok(
        "municipality", "issuer", "-m", MINATO, "--mayor-title", "東京都港区長",
        "--mayor-name", "高橋　花子", "--deputy-title", "東京都港区長職務代理者　東京都港区副区長",
        "--deputy-name", "鈴木　一郎", "--deputy-from", "2000-01-01", "--deputy-until", "2999-12-31",
    )  # fmt: skip
    assert set_up["deputy"]["name"] == "鈴木　一郎"
    person = AtenaNumber.from_serial(1).value
    pdf = tmp_path / "acting.pdf"
    cli.ok("certificate", "issue", "-m", MINATO, "--person", person, "--out", str(pdf))
    assert "東京都港区長職務代理者東京都港区副区長鈴木一郎" in text_of(pdf)
    cli.ok(
        "certificate", "issue", "-m", MINATO, "--person", person, "--certifier", "mayor",
        "--no-official-seal", "--out", str(pdf),
    )  # fmt: skip
    assert "港区長" in text_of(pdf) and "鈴木" not in text_of(pdf) and "公印省略" in text_of(pdf)
    cleared = cli.ok("municipality", "issuer", "-m", MINATO, "--no-deputy")
    assert cleared["deputy"] is None and cleared["mayor_title"] == "東京都港区長"
    refused = cli.refused(
        "certificate", "issue", "-m", MINATO, "--person", person, "--certifier", "deputy"
    )
    assert refused[0]["code"] == "certificate.no_deputy"
