"""End-to-end: the operator rotates a subscriber's webhook secret with the command line.

`subscriber rotate-secret` shows the new secret once and until when the old one signs too;
`subscriber list` shows the window; `subscriber retire-secret` ends it at once. Nothing is sent
(the worker does not run here; ``tests/integration/test_webhook_rotation.py`` checks the
signatures a receiver gets).
"""

from __future__ import annotations

import time
from datetime import datetime

from tests.e2e.conftest import Cli

CODE = "131016"


def test_the_operator_rotates_and_retires_a_webhook_secret(cli: Cli) -> None:
    assert cli.run("db", "upgrade").returncode == 0
    cli.ok("municipality", "add", CODE, "東京都千代田区")
    added = cli.ok(
        "subscriber", "add", "-m", CODE, "--name", "選挙システム", "--system", "elections",
        "--items", "氏_日本人", "--webhook-url", "https://8.8.8.8/hook",
    )  # fmt: skip
    sid, old = added["subscriber_id"], added["webhook_secret"]
    assert added["previous_secret_until"] is None

    before = time.time()  # the command runs on the system's clock
    rotated = cli.ok("subscriber", "rotate-secret", "-m", CODE, sid, "--overlap-hours", "2")
    assert rotated["webhook_secret"].startswith("whsec_") and rotated["webhook_secret"] != old
    until = datetime.fromisoformat(rotated["previous_valid_until"])
    assert before + 7200 - 1 <= until.timestamp() <= time.time() + 7200
    listed = cli.ok("subscriber", "list", "-m", CODE)
    assert datetime.fromisoformat(listed[0]["previous_secret_until"]) == until
    assert old not in str(listed) and rotated["webhook_secret"] not in str(listed)

    retired = cli.ok("subscriber", "retire-secret", "-m", CODE, sid)
    assert retired["previous_secret_until"] is None

    too_long = cli.run("subscriber", "rotate-secret", "-m", CODE, sid, "--overlap-hours", "721")
    assert too_long.returncode == 2 and "subscriber.rotation_overlap_invalid" in too_long.stderr
    lookup_only = cli.ok(
        "subscriber", "add", "-m", CODE, "--name", "照会だけ", "--system", "other",
        "--items", "氏_日本人",
    )  # fmt: skip
    no_hook = cli.run("subscriber", "rotate-secret", "-m", CODE, lookup_only["subscriber_id"])
    assert no_hook.returncode == 2 and "subscriber.no_webhook" in no_hook.stderr
