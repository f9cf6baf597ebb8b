"""End-to-end: `jichitai cs amend | error-list | intake-error-list` (standard §7.1.1.1 (1090)):
a message the CS refused is completed by hand (the name typed again) and goes as a re-send after
the others; the CS送信エラー一覧表 is written owner-only as CSV and PDF."""

from __future__ import annotations

import csv
import io
import stat
from pathlib import Path

import httpx2 as httpx
import pytest

from tests.e2e.conftest import Cli
from tests.e2e.test_cs_standin import CODE, listed, seeded, standin, work

pytestmark = pytest.mark.spec("7.1.1.1")
__all__ = ["seeded"]  # the fixture, shared


def test_a_refused_message_is_completed_by_hand_and_the_error_list_is_written(
    seeded: tuple[Cli, str], tmp_path: Path
) -> None:
    cli, url = seeded
    queued = listed(cli, "pending")
    port = int(url.rsplit(":", 1)[1])
    with standin(cli, tmp_path / "cs", port, "--refuse-seq", "1", "--delay", "0") as base:
        work(cli)
        errors = listed(cli, "error")
        assert errors
        httpx.post(f"{base}/v1/faults", json={"refuse": []})

        out = tmp_path / "errors.csv"
        written = cli.ok("cs", "error-list", "-m", CODE, "--format", "csv", "--out", str(out))
        assert written["count"] == len(errors) and written["file"] == str(out)
        assert stat.S_IMODE(out.stat().st_mode) == 0o600
        rows = list(csv.reader(io.StringIO(out.read_text("utf-8-sig"))))
        assert [r[0] for r in rows[1:]] == [f"{m['seq']}-{m['ordinal']}" for m in errors]
        pdf = tmp_path / "errors.pdf"
        cli.ok("cs", "error-list", "-m", CODE, "--out", str(pdf))
        assert pdf.read_bytes().startswith(b"%PDF")
        assert stat.S_IMODE(pdf.stat().st_mode) == 0o600

        first = errors[0]
        key = (str(first["seq"]), str(first["ordinal"]))
        refused = cli.refused("cs", "amend", "-m", CODE, *key, "--set", "sex=9")
        assert refused[0]["code"] == "cs.item_unknown"
        made = cli.ok(
            "cs", "amend", "-m", CODE, *key, "--set", "name=補完　花子", "--note", "電話で確認",
        )  # fmt: skip
        last = queued[-1]
        assert (made["seq"], made["ordinal"]) == (last["seq"], last["ordinal"] + 1)
        assert made["status"] == "pending"
        assert [(a["item"], a["new"]) for a in made["amendments"]] == [("name", "補完\u3000花子")]
        work(cli)
        taken = httpx.get(f"{base}/v1/messages", params={"municipality": CODE}).json()
        assert (taken[-1]["seq"], taken[-1]["ordinal"]) == (made["seq"], made["ordinal"])
        assert taken[-1]["kind"] == first["kind"] == "本人確認情報"
        copy = httpx.get(f"{base}/v1/identities", params={"municipality": CODE}).json()
        assert "補完\u3000花子" in {held["name"] for held in copy.values()}  # as typed
        assert cli.ok("cs", "intake-error-list", "-m", CODE, "--format", "csv",
                      "--out", str(tmp_path / "in.csv"))["count"] == 0  # fmt: skip
        # CS送信一覧表: what the CS took, with its receipts; by kind; a wrong kind is refused.
        sent = tmp_path / "sent.csv"
        took = cli.ok("cs", "sent-list", "-m", CODE, "--format", "csv", "--out", str(sent))
        rows = list(csv.reader(io.StringIO(sent.read_text("utf-8-sig"))))
        assert took["count"] == len(rows) - 1 == len(listed(cli, "sent"))
        assert (made_key := f"{made['seq']}-{made['ordinal']}") in {r[0] for r in rows[1:]}
        assert all(r[7] for r in rows[1:])  # 受領番号
        assert stat.S_IMODE(sent.stat().st_mode) == 0o600
        only = cli.ok("cs", "sent-list", "-m", CODE, "--kind", "本人確認情報", "--days", "1",
                      "--format", "csv", "--out", str(tmp_path / "ids.csv"))  # fmt: skip
        assert 0 < only["count"] <= took["count"] and made_key
        wrong = cli.refused("cs", "sent-list", "-m", CODE, "--kind", "電報")
        assert wrong[0]["code"] == "list.kind_unknown"
        assert cli.ok("cs", "received-list", "-m", CODE, "--format", "csv",
                      "--out", str(tmp_path / "received.csv"))["count"] == 0  # fmt: skip
        # 広域交付要求 from the counter's CLI: checked by the inbound decoder, queued in order.
        refused_request = cli.refused("cs", "wide-request", "-m", CODE, "-r", "1234567890",
                                      "--name", "広域　花子", "--birth-date", "あした",
                                      "--to", "27100")  # fmt: skip
        assert {"resident_code.format", "date.format", "municipality_code.format"} <= {
            e["code"] for e in refused_request
        }
        request = cli.ok("cs", "wide-request", "-m", CODE, "-r", "12345678903",
                         "--name", "広域　花子", "--birth-date", "昭和55年1月2日",
                         "--to", "271004", "--household")  # fmt: skip
        assert (request["kind"], request["status"]) == ("広域交付要求", "pending")
        assert request["note"] == "広域交付要求（世帯全員）"
