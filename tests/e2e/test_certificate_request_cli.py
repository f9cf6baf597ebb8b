"""End-to-end: `jichitai certificate issue --requester … --copies …` records the request's
請求者, 通数 and the 手数料 the service works out; wrong terms are refused before anything is
issued."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.conftest import Cli

CODE = "131016"
PERSON = "0000000019"


def test_the_request_terms_are_recorded_and_the_fee_is_the_services(
    cli: Cli, tmp_path: Path
) -> None:
    assert cli.run("db", "upgrade").returncode == 0
    cli.ok("municipality", "add", CODE, "東京都千代田区")
    cli.ok("demo", "seed", "-m", CODE, "--residents", "20", "--seed", "3")
    issued = cli.ok(
        "certificate", "issue", "-m", CODE, "--person", PERSON, "--requester", "agent",
        "--copies", "２", "--out", str(tmp_path / "a.pdf"),
    )  # fmt: skip
    assert (issued["copies"], issued["fee"]) == (2, 600)
    official = cli.ok(
        "certificate", "issue", "-m", CODE, "--person", PERSON, "--requester", "official",
        "--out", str(tmp_path / "b.pdf"),
    )  # fmt: skip
    assert official["fee"] == 0

    history = cli.ok("certificate", "history", "-m", CODE, "--person", PERSON)
    assert [(h["requester"], h["copies"], h["fee"]) for h in history] == [
        ("official", 1, 0),
        ("agent", 2, 600),
    ]

    too_many = cli.refused(
        "certificate", "issue", "-m", CODE, "--person", PERSON, "--copies", "11",
        "--out", str(tmp_path / "c.pdf"),
    )  # fmt: skip
    assert too_many[0]["code"] == "certificate.copies_invalid"
    nobody = cli.refused(
        "certificate", "issue", "-m", CODE, "--person", PERSON, "--requester", "neighbour",
        "--out", str(tmp_path / "d.pdf"),
    )  # fmt: skip
    assert nobody[0]["code"] == "certificate.requester_invalid"
    assert not (tmp_path / "c.pdf").exists() and not (tmp_path / "d.pdf").exists()
    assert len(cli.ok("certificate", "history", "-m", CODE, "--person", PERSON)) == 2
