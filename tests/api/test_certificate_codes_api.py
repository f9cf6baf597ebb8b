"""The 確認コード that /verify, re-issue and disposal find a copy by is random, and /verify is
rate-limited per client address: a stranger can neither walk through a day's copies nor try
codes (found by outside security testing: 70 sequential guesses listed every copy of a day)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from jichitai.adapters.db.unit_of_work import SqlUnitOfWork
from jichitai.bootstrap import App, bootstrap
from jichitai.config import Settings, SettingsError
from jichitai.domain.access.actor import Actor
from jichitai.domain.access.roles import Role
from jichitai.domain.certificates.issue_numbers import (
    CODE_RANDOM_DIGITS,
    check_digit,
    grouped,
    new_code,
)
from jichitai.entrypoints.server import create_app
from tests.api.conftest import Tenant, auth, error_codes
from tests.api.test_certificate_reissue_api import squeezed
from tests.factories import a_named_certifier
from tests.fakes import FixedClock, SeededRandom

pytestmark = pytest.mark.spec("5.5")

FIRST = "31415926535897932384"
SECOND = "27182818284590452353"
PDF = {"Content-Type": "application/pdf"}


class ScriptedRandom:
    """The random-source port: a certificate's 20 digits from a script (then from the seed), every
    other draw (住民票コード) from the seed."""

    def __init__(self, codes: list[str], seed: int = 3) -> None:
        self._codes = list(codes)
        self._rest = SeededRandom(seed)

    def digits(self, count: int) -> str:
        if count == CODE_RANDOM_DIGITS and self._codes:
            return self._codes.pop(0)
        return self._rest.digits(count)


@pytest.fixture
def randomness() -> ScriptedRandom:
    """The second copy's first draw is the first copy's code: it must be drawn again (``app``'s
    randomness: ``tests/apps.py``)."""
    return ScriptedRandom([FIRST, FIRST, SECOND])


@pytest.fixture(autouse=True)
def named_certifier(app: App, tenant: Tenant) -> str:
    return a_named_certifier(app, tenant.code)


def sequential(on: date, municipality_code: str, sequence: int) -> str:
    """The code a copy got before: issue date, municipality, sequence of the day, check digit."""
    body = f"{on:%Y%m%d}{municipality_code}{sequence:07d}"
    return body + check_digit(body)


def issue(client: TestClient, tenant: Tenant, **body: Any) -> Any:
    response = client.post(
        "/api/v1/certificates",
        json={"atena_number": tenant.atena_numbers[0], **body},
        headers=auth(client, tenant.login(Role.CLERK)),
    )
    assert response.status_code == 201, response.text
    return response


def at(app: App, address: str) -> TestClient:
    """A client calling from ``address`` (the limit counts per address)."""
    return TestClient(create_app(app), raise_server_exceptions=False, client=(address, 50000))


def test_a_copys_code_is_random_and_the_days_sequence_finds_nothing(
    app: App, client: TestClient, tenant: Tenant, other: Tenant, tmp_path: Path
) -> None:
    first = issue(client, tenant, household=True)
    second = issue(client, tenant)
    code = first.headers["x-jichitai-issue-code"]
    # The random source's digits and a check digit; the second copy's first draw was taken,
    # so it was drawn again.
    assert code == new_code(FIRST)
    assert second.headers["x-jichitai-issue-code"] == new_code(SECOND)

    today = app.clock.today()
    for sequence in range(1, 71):  # what the testers tried: every copy of the day by its number
        guessed = client.get(f"/verify/{sequential(today, tenant.code, sequence)}")
        assert guessed.status_code in (404, 429), guessed.text
        if guessed.status_code == 404:
            assert error_codes(guessed) == ["certificate.not_found"]

    text = squeezed(first.content, tmp_path)
    assert f"確認コード{grouped(code)}" in text  # printed in groups, as a person types it
    assert "発行番号" in text and f"{today:%Y%m%d}" in text  # the standard's number stays
    by_code = at(app, "192.0.2.1").get(f"/verify/{grouped(code)}")
    assert by_code.status_code == 200 and by_code.json()["issue_code"] == code
    by_file = at(app, "192.0.2.2").post("/verify", content=first.content, headers=PDF)
    assert by_file.json()["valid"] is True and by_file.json()["issue_code"] == code
    assert by_file.json()["checks"]["qr"] is True  # the QR code carries and signs the new code

    # Another municipality's staff cannot reach the copy by its code.
    elsewhere = client.post(
        f"/api/v1/certificates/{code}/reissue",
        json={"reason": "紛失"},
        headers=auth(client, other.login(Role.CLERK)),
    )
    assert elsewhere.status_code == 404 and error_codes(elsewhere) == ["certificate.not_found"]
    mistyped = code[:-2] + code[-1] + code[-2]
    refused = client.post(
        f"/api/v1/certificates/{mistyped}/dispose",
        json={"reason": "対象者の誤り"},
        headers=auth(client, tenant.login(Role.CLERK)),
    )
    assert error_codes(refused) == ["certificate.code_invalid"]  # caught before any lookup
    again = client.post(
        f"/api/v1/certificates/{grouped(code)}/reissue",
        json={"reason": "紛失"},
        headers=auth(client, tenant.login(Role.CLERK)),
    )
    assert again.status_code == 201, again.text
    newer = again.headers["x-jichitai-issue-code"]
    assert len(newer) == 21 and newer not in (code, new_code(SECOND))
    assert at(app, "192.0.2.3").get(f"/verify/{code}").json()["superseded_by"] == newer


def test_copies_issued_with_sequential_codes_keep_verifying_but_no_new_one_is_made(
    app: App, client: TestClient, tenant: Tenant
) -> None:
    """Paper with the old codes is in circulation: it verifies, is re-issued and disposed of by
    its code as before; a re-issue gets a random code."""
    issue(client, tenant)
    clerk = Actor(tenant.login(Role.CLERK), tenant.code, frozenset({Role.CLERK}))
    [made] = app.certificates.history(clerk)
    old = sequential(date(2026, 11, 2), tenant.code, 11)
    with SqlUnitOfWork(app.engine, tenant.code) as uow:  # as a copy issued before random codes
        uow.certificates.record(
            replace(made, issue_code=old, issued_on=date(2026, 11, 2), sequence=11)
        )
        uow.commit()

    checked = client.get(f"/verify/{old[:8]}-{old[8:14]}-{old[14:]}")
    assert checked.status_code == 200, checked.text
    assert checked.json()["issue_code"] == old and checked.json()["issued_on"] == "2026-11-02"
    again = client.post(
        f"/api/v1/certificates/{old}/reissue",
        json={"reason": "汚損"},
        headers=auth(client, tenant.login(Role.CLERK)),
    )
    assert again.status_code == 201, again.text
    newer = again.headers["x-jichitai-issue-code"]
    assert len(newer) == 21 and client.get(f"/verify/{old}").json()["superseded_by"] == newer


def test_verify_answers_thirty_checks_a_minute_per_address_then_asks_to_wait(
    app: App, client: TestClient, tenant: Tenant, clock: FixedClock
) -> None:
    code = issue(client, tenant).headers["x-jichitai-issue-code"]
    stranger = at(app, "198.51.100.7")
    answers = []
    for n in range(30):  # good codes, malformed codes, an over-long path, not a PDF: all count
        if n % 4 == 0:
            answers.append(stranger.get(f"/verify/{code}").status_code)
        elif n % 4 == 1:
            answers.append(stranger.get("/verify/1234").status_code)
        elif n % 4 == 2:
            answers.append(stranger.get(f"/verify/{'9' * 60}").status_code)
        else:
            answers.append(stranger.post("/verify", content=b"hello", headers=PDF).status_code)
    assert 429 not in answers and answers.count(200) == 8

    for over in (stranger.get(f"/verify/{code}"), stranger.post("/verify", content=b"%PDF")):
        assert over.status_code == 429, over.text
        assert error_codes(over) == ["verify.throttled"]
        assert over.headers["retry-after"] == "60"
        assert "60秒後にもう一度お試しください" in over.json()["errors"][0]["message"]

    assert at(app, "198.51.100.8").get(f"/verify/{code}").status_code == 200  # its own count
    staff = auth(client, tenant.login(Role.CLERK))
    assert client.get("/api/v1/certificates", headers=staff).status_code == 200  # not counted

    # An IPv6 client is counted by its /64: the next address in it does not start afresh.
    for _ in range(30):
        assert at(app, "2001:db8:1:2::1").get("/verify/1234").status_code == 422
    assert at(app, "2001:db8:1:2::ff").get(f"/verify/{code}").status_code == 429
    assert at(app, "2001:db8:1:3::1").get(f"/verify/{code}").status_code == 200

    clock.at += timedelta(seconds=59)
    assert stranger.get(f"/verify/{code}").json()["errors"][0]["code"] == "verify.throttled"
    clock.at += timedelta(seconds=1)  # the first checks leave the window
    assert stranger.get(f"/verify/{code}").status_code == 200


def test_the_verify_limit_is_a_setting_with_safe_defaults(
    monkeypatch: pytest.MonkeyPatch, clean_db: Engine, app: App
) -> None:
    monkeypatch.delenv("JICHITAI_VERIFY_LIMIT", raising=False)
    monkeypatch.delenv("JICHITAI_VERIFY_WINDOW_SECONDS", raising=False)
    defaults = Settings.from_environment()
    assert (defaults.verify_limit, defaults.verify_window_seconds) == (30, 60.0)
    monkeypatch.setenv("JICHITAI_VERIFY_LIMIT", "2")
    monkeypatch.setenv("JICHITAI_VERIFY_WINDOW_SECONDS", "10")
    tight = Settings.from_environment()
    assert (tight.verify_limit, tight.verify_window_seconds) == (2, 10.0)
    for bad in ("0", "-1", "many", "100001"):
        monkeypatch.setenv("JICHITAI_VERIFY_LIMIT", bad)
        with pytest.raises(SettingsError, match="JICHITAI_VERIFY_LIMIT"):
            Settings.from_environment()

    clock = FixedClock()
    small = bootstrap(
        replace(tight, database_url=app.settings.database_url, key_dir=app.settings.key_dir),
        engine=clean_db,
        clock=clock,
    )
    caller = at(small, "203.0.113.9")
    assert [caller.get("/verify/1234").status_code for _ in range(3)] == [422, 422, 429]
    assert caller.get("/verify/1234").headers["retry-after"] == "10"
