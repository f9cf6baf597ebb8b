"""End-to-end: `jichitai seal register|show|end|verify` on a demo municipality, a
印鑑登録証明書 issued for the card and checked by `certificate verify`, and demo seals."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.conftest import Cli
from tests.factories import a_seal

CODE = "132012"


def test_a_seal_is_registered_shown_and_its_card_reported_lost(cli: Cli, tmp_path: Path) -> None:
    assert cli.run("db", "upgrade").returncode == 0
    cli.ok("municipality", "add", CODE, "東京都八王子市")
    cli.ok("demo", "seed", "-m", CODE, "--residents", "20", "--seed", "3", "--seal-share", "0")
    person = "0000000019"
    image = tmp_path / "seal.png"
    image.write_bytes(a_seal(15.0))

    registered = cli.ok(
        "seal", "register", "-m", CODE, "--person", person, "--image", str(image),
        "--notes", "運転免許証",
    )  # fmt: skip
    assert registered["status"] == "active" and registered["registration_number"] == "00000001"

    out = tmp_path / "inkan.pdf"
    issued = cli.ok(
        "certificate", "issue", "-m", CODE, "--person", person, "--kind", "inkan",
        "--card", "00000001", "--out", str(out),
    )  # fmt: skip
    assert issued["title"] == "印鑑登録証明書" and issued["pages"] == 1
    verified = cli.ok("certificate", "verify", str(out))
    assert verified["valid"] is True and verified["issue_code"] == issued["issue_code"]
    wrong_card = cli.refused(
        "certificate", "issue", "-m", CODE, "--person", person, "--kind", "inkan", "--card", "9"
    )
    assert [e["code"] for e in wrong_card] == ["seal.card_mismatch"]

    twice = cli.refused("seal", "register", "-m", CODE, "--person", person, "--image", str(image))
    assert [e["code"] for e in twice] == ["seal.already_registered"]
    too_large = tmp_path / "large.png"
    too_large.write_bytes(a_seal(30.0, dpi=200))
    sizes = cli.refused(
        "seal", "register", "-m", CODE, "--person", "0000000027", "--image", str(too_large)
    )
    assert {e["code"] for e in sizes} >= {"seal.size"}

    lost = cli.ok("seal", "end", "-m", CODE, "00000001", "--reason", "card_lost")
    assert (lost["status"], lost["end"]) == ("lost", "亡失")
    shown = cli.ok("seal", "show", "-m", CODE, "--person", person)
    assert shown["active"] is None
    assert [e["event"] for e in shown["events"]] == ["印鑑登録", "亡失"]
    assert shown["events"][0]["notes"] == "運転免許証"
    assert cli.ok("seal", "verify", "-m", CODE) == {
        "municipality_code": CODE,
        "events": 2,
        "chain": "ok",
    }


def test_demo_data_registers_seals_for_some_adults(cli: Cli) -> None:
    assert cli.run("db", "upgrade").returncode == 0
    cli.ok("municipality", "add", "132021", "東京都立川市")
    seeded = cli.ok("demo", "seed", "-m", "132021", "--residents", "40", "--seed", "3")
    assert 0 < seeded["seals"] < seeded["persons"]
    assert cli.ok("seal", "verify", "-m", "132021")["events"] == seeded["seals"]
