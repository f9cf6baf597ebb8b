"""End-to-end: `jichitai certificate issue` writes a signed 住民票の写し; `certificate verify`
accepts it and reports any change to the file."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from tests.e2e.conftest import Cli

pytestmark = pytest.mark.spec("5.5")

CODE = "131016"


def test_a_certificate_is_issued_verified_and_a_changed_copy_is_reported(
    cli: Cli, tmp_path: Path
) -> None:
    assert cli.run("db", "upgrade").returncode == 0
    cli.ok("municipality", "add", CODE, "東京都千代田区")
    keys = Path(cli.env["JICHITAI_KEY_DIR"]) / "municipalities" / CODE
    assert (keys / "key.pem").exists() and (keys / "cert.pem").exists()
    cli.ok("demo", "seed", "-m", CODE, "--residents", "20", "--seed", "3")
    out = tmp_path / "juminhyo.pdf"
    issued = cli.ok(
        "certificate", "issue", "-m", CODE, "--person", "0000000019", "--household", "--head",
        "--out", str(out),
    )  # fmt: skip
    assert issued["title"] == "住民票の写し" and len(issued["issue_code"]) == 21
    assert out.read_bytes().startswith(b"%PDF")

    verified = cli.ok("certificate", "verify", str(out))
    assert verified["valid"] is True and verified["problems"] == []
    assert verified["issue_code"] == issued["issue_code"]
    assert verified["checks"] == {
        "signature": True, "qr": True, "issued": True, "content": True, "file": True,
        "current": True, "not_disposed": True,
    }  # fmt: skip

    changed = tmp_path / "changed.pdf"
    changed.write_bytes(out.read_bytes() + b"\n%% appended after issue\n")
    result = cli.run("certificate", "verify", str(changed), "--json")
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["valid"] is False and "ファイルが発行したものと一致しません" in report["problems"]

    second = cli.ok(
        "certificate", "issue", "-m", CODE, "--person", "0000000019", "--out",
        str(tmp_path / "second.pdf"),
    )  # fmt: skip
    assert second["issue_code"] != issued["issue_code"]  # one number per copy

    # Copies (通数) come out in the one file, each marked, and the file verifies.
    both = tmp_path / "two.pdf"
    two = cli.ok(
        "certificate", "issue", "-m", CODE, "--person", "0000000019", "--copies", "2",
        "--out", str(both),
    )  # fmt: skip
    assert two["copies"] == 2
    info = subprocess.run(["pdfinfo", str(both)], capture_output=True, text=True, check=True)
    pages = int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.M)[1])  # type: ignore[index]
    assert pages == 2 * two["pages"]  # the certificate twice over
    text = subprocess.run(
        ["pdftotext", "-raw", str(both), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "2通のうち1通目" in text and "2通のうち2通目" in text
    verified = cli.ok("certificate", "verify", str(both))
    assert verified["valid"] is True and verified["issue_code"] == two["issue_code"]


def test_wrong_requests_are_refused_and_nothing_is_written(cli: Cli, tmp_path: Path) -> None:
    unknown = cli.refused(
        "certificate", "issue", "-m", CODE, "--person", "0000999997", "--out",
        str(tmp_path / "x.pdf"),
    )  # fmt: skip
    assert unknown[0]["code"] == "person.not_found"
    living = cli.refused(
        "certificate", "issue", "-m", CODE, "--person", "0000000019", "--kind", "johyo",
        "--out", str(tmp_path / "y.pdf"),
    )  # fmt: skip
    assert living[0]["code"] == "certificate.not_removed"
    assert not (tmp_path / "x.pdf").exists() and not (tmp_path / "y.pdf").exists()
