"""End-to-end: the clerk's CS operations (standard §7.1.1.1 (1090)) through `jichitai standin
serve --refuse-seq`, `jichitai worker`, `jichitai cs list|resend|done|pause|resume`: a refused
message goes to the error list while the rest go on; the clerk re-sends it with another 異動事由
(after the others) or completes it by hand; manual mode holds everything until resumed."""

from __future__ import annotations

from pathlib import Path

import httpx2 as httpx
import pytest

from tests.e2e.conftest import Cli
from tests.e2e.test_cs_standin import CODE, listed, seeded, standin, work

pytestmark = pytest.mark.spec("7.1.1.1")
__all__ = ["seeded"]  # the fixture, shared


def test_a_refusal_is_resent_or_done_by_hand_and_manual_mode_holds_sending(
    seeded: tuple[Cli, str], tmp_path: Path
) -> None:
    cli, url = seeded
    queued = listed(cli, "pending")
    port = int(url.rsplit(":", 1)[1])
    with standin(cli, tmp_path / "cs", port, "--refuse-seq", "1", "--delay", "0") as base:
        work(cli)
        errors = listed(cli, "error")
        assert errors and {m["seq"] for m in errors} == {1}
        assert {m["error"].split(":")[0] for m in errors} == {"cs.fault"}
        assert len(listed(cli, "sent")) == len(queued) - len(errors)
        httpx.post(f"{base}/v1/faults", json={"refuse": []})
        first, *others = errors
        made = cli.ok(
            "cs", "resend", "-m", CODE, str(first["seq"]), str(first["ordinal"]),
            "--reason", "in_town_move", "--note", "拒否の理由を確認した",
        )  # fmt: skip
        last = queued[-1]
        assert (made["seq"], made["ordinal"]) == (last["seq"], last["ordinal"] + 1)
        assert made["status"] == "pending" and made["handled_by"]
        for m in others:
            done = cli.ok(
                "cs", "done", "-m", CODE, str(m["seq"]), str(m["ordinal"]), "--note", "郵送した"
            )
            assert done["status"] == "done"
        assert cli.refused("cs", "done", "-m", CODE, "1", "0", "--note", "x")[0]["code"] == (
            "cs.not_completable"
        )
        work(cli)
        assert listed(cli, "error") == [] and listed(cli, "pending") == []
        taken = httpx.get(f"{base}/v1/messages", params={"municipality": CODE}).json()
        assert taken[-1]["seq"] == made["seq"] and taken[-1]["ordinal"] == made["ordinal"]

        # Manual mode: nothing goes until resumed.
        paused = cli.ok("cs", "pause", "-m", CODE, "--until", "2099-01-01T09:00", "--note", "保守")
        assert paused["until"].startswith("2099-01-01T09:00:00+09:00")
        sent = listed(cli, "sent")[0]
        cli.ok("cs", "resend", "-m", CODE, str(sent["seq"]), str(sent["ordinal"]))
        work(cli)
        assert len(listed(cli, "pending")) == 1
        assert cli.ok("cs", "list", "-m", CODE)["manual"]["until"].startswith("2099-01-01")
        cli.ok("cs", "resume", "-m", CODE)
        work(cli)
        assert listed(cli, "pending") == []
