"""End-to-end: webhooks to internal addresses through the command line and `jichitai worker`.

`subscriber add` refuses a receiver on 127.0.0.1 (and a URL carrying a password) unless the
operator allows the network (`JICHITAI_WEBHOOK_ALLOWED_NETWORKS`); the worker checks again when
it sends: with the allowance withdrawn it sends nothing, `subscriber status` says why in one
neutral sentence, and its log names neither the path nor the secret in the URL. The receiver is
on 127.0.0.1; nothing else is contacted.
"""

from __future__ import annotations

import subprocess

from tests.e2e.conftest import BIN, Cli
from tests.receivers import recording_receiver

CODE = "131016"
ALLOWED = "JICHITAI_WEBHOOK_ALLOWED_NETWORKS"


def add(cli: Cli, url: str) -> subprocess.CompletedProcess[str]:
    return cli.run(
        "subscriber", "add", "-m", CODE, "--name", "児童手当システム", "--system",
        "child_allowance", "--items", "氏_日本人,生年月日", "--webhook-url", url, "--json",
    )  # fmt: skip


def worker_once(cli: Cli) -> str:
    result = subprocess.run(
        [str(BIN), "worker", "--once"],
        env=cli.env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout + result.stderr


def test_an_internal_receiver_needs_the_operators_allowance_when_registered_and_when_sent(
    cli: Cli,
) -> None:
    assert cli.run("db", "upgrade").returncode == 0
    cli.ok("municipality", "add", CODE, "東京都千代田区")
    allowed = Cli({**cli.env, ALLOWED: "127.0.0.1/32"})
    with recording_receiver("127.0.0.1") as receiver:
        url = f"http://127.0.0.1:{receiver.port}/hook?token=s3cret"

        refused = add(cli, url)  # the default: nothing internal
        assert refused.returncode == 2, refused.stdout
        assert '"subscriber.webhook_destination_forbidden"' in refused.stderr
        with_password = add(allowed, f"http://admin:s3cret@127.0.0.1:{receiver.port}/hook")
        assert with_password.returncode == 2
        assert '"subscriber.webhook_url_invalid"' in with_password.stderr
        assert "s3cret" not in refused.stderr + with_password.stderr

        added = add(allowed, url)
        assert added.returncode == 0, added.stderr
        sid = allowed.ok("subscriber", "list", "-m", CODE)[0]["subscriber_id"]
        cli.ok("demo", "seed", "-m", CODE, "--residents", "5", "--seed", "2")
        pending = cli.ok("subscriber", "status", "-m", CODE, sid)["pending"]
        assert pending > 0

        # The operator withdraws the allowance: the worker refuses before connecting.
        log = worker_once(cli)
        assert receiver.connections == 0
        status = cli.ok("subscriber", "status", "-m", CODE, sid)
        assert status["pending"] == pending and status["dead"] == 0
        assert status["last_error"] == "送信先が許可されていません"
        assert "refused" in log and "s3cret" not in log and "/hook" not in log

        # Allowed again, the queued changes are sent again from the start, in order.
        allowed.ok("subscriber", "replay", "-m", CODE, sid, "--after", "0")
        worker_once(allowed)
        status = cli.ok("subscriber", "status", "-m", CODE, sid)
        assert status["pending"] == 0 and status["delivered"] == pending
        assert status["last_error"] is None
        assert receiver.seqs == sorted(receiver.seqs) and len(receiver.seqs) == pending

    bad = Cli({**cli.env, ALLOWED: "10.0.0.1/8"}).run("subscriber", "list", "-m", CODE, "--json")
    assert bad.returncode == 2 and '"settings.invalid"' in bad.stderr
    assert ALLOWED in bad.stderr
