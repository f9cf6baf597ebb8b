"""The clerk's operations on the CS outbox read their input through the one decoder
(``services/inbound_national.py``): the same bad note, 異動事由 or 期限 gets the same refusal —
code and field — from `jichitai cs resend|done|pause|amend` and from the API
(``/api/v1/cs/messages/...``, ``/api/v1/cs/manual``)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from jichitai.bootstrap import bootstrap
from jichitai.config import Settings
from jichitai.domain.access.roles import Role
from jichitai.entrypoints.server import create_app
from tests.api.conftest import PASSWORD, auth
from tests.e2e.conftest import own_database
from tests.e2e.test_koseki_immigration_standin import CODE

LONG = "あ" * 201
CASES: list[tuple[list[str], str, dict[str, Any], tuple[str, str]]] = [
    (["resend", "1", "0", "--reason", "nonsense"], "messages/1/0/resend",
     {"reason": "nonsense"}, ("cs.reason_unknown", "reason")),
    (["resend", "1", "0", "--note", LONG], "messages/1/0/resend",
     {"note": LONG}, ("cs.note_invalid", "note")),
    (["done", "1", "0", "--note", "一行目\n二行目"], "messages/1/0/done",
     {"note": "一行目\n二行目"}, ("cs.note_invalid", "note")),
    (["done", "1", "0"], "messages/1/0/done", {}, ("cs.note_missing", "note")),
    (["pause", "--until", "2001-01-01T09:00"], "manual",
     {"until": "2001-01-01T09:00"}, ("cs.until_invalid", "until")),
    (["pause", "--until", "来週"], "manual", {"until": "来週"}, ("cs.until_invalid", "until")),
    (["pause", "--note", LONG], "manual", {"note": LONG}, ("cs.note_invalid", "note")),
    (["amend", "1", "0", "--set", "age=3"], "messages/1/0/amend",
     {"items": {"age": "3"}}, ("cs.item_unknown", "items.age")),
]  # fmt: skip


def test_the_same_bad_input_is_refused_alike_by_the_command_line_and_the_api(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    with own_database(tmp_path_factory) as cli:
        assert cli.run("db", "upgrade").returncode == 0
        cli.ok("municipality", "add", CODE, "東京都千代田区")
        by_cli = [
            [(e["code"], e["field"]) for e in cli.refused("cs", *args[:1], "-m", CODE, *args[1:])]
            for args, _, _, _ in CASES
        ]
        for name in ("JICHITAI_DATABASE_URL", "JICHITAI_KEY_DIR"):
            monkeypatch.setenv(name, cli.env[name])
        monkeypatch.setenv("JICHITAI_CS_URL", "")
        app = bootstrap(Settings.from_environment())
        try:
            app.users.add(CODE, "reviewer", PASSWORD, [Role.REVIEWER])
            with TestClient(create_app(app), raise_server_exceptions=False) as client:
                reviewer = auth(client, "reviewer")
                by_api = []
                for _, path, body, _ in CASES:
                    method = "PUT" if path == "manual" else "POST"
                    answer = client.request(
                        method, f"/api/v1/cs/{path}", json=body, headers=reviewer
                    )
                    assert answer.status_code == 422, (path, answer.text)
                    by_api.append([(e["code"], e["field"]) for e in answer.json()["errors"]])
        finally:
            app.engine.dispose()
    assert by_cli == by_api == [[expected] for *_, expected in CASES]
