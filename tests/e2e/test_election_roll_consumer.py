"""End-to-end: an election-roll system kept from the integration API alone matches the register
after every kind of change a roll must follow (issue "Integration as a vendor needs it").

The consumer (``tests/e2e/election_roll.py``) is standard library only and runs as a process
(``python -S``) against the real application served by uvicorn on 127.0.0.1; staff record each
change through the staff API (a draft, then a reviewer's approval). The application's clock is
the test's, so the day a planned 転出 takes effect can come. Two subscribers keep a roll: one
without a duty (withheld persons leave its roll) and the election roll with the duty
``elections`` (protected persons stay on it, marked by 支援措置対象フラグ, which the feed's
``protection`` entries keep right). A third consumer, of the first subscriber, starts late: after
the planned 転出 were recorded, so only their ``took_effect`` entries can tell it.

After each step both consumers follow the feed, and each one's roll of the 基準日 and of today
is compared, record for record, with the register's extract ``as_of`` that day for the same
subscriber (residents only), read afresh.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
import uvicorn

from jichitai.bootstrap import App
from jichitai.domain.access.roles import Role
from jichitai.domain.common.address import Address
from jichitai.domain.common.dates import RecordDate
from jichitai.domain.common.identifiers import AtenaNumber
from jichitai.domain.residents.commands import (
    Cancel,
    ChangeCommand,
    Correct,
    Death,
    HouseholdSplit,
    InTownMove,
    MoveIn,
    MoveOut,
    RecordChanges,
)
from jichitai.domain.residents.reasons import ChangeReason
from jichitai.entrypoints.server import create_app
from jichitai.services.register import encode_command
from tests.api.conftest import PASSWORD, Tenant, make_tenant
from tests.e2e.conftest import free_port
from tests.factories import a_header, a_name, a_person, a_previous_address, an_address
from tests.fakes import TODAY, FixedClock

pytestmark = pytest.mark.spec("7.2.3")

CONSUMER = Path(__file__).with_name("election_roll.py")
KIJUNBI = TODAY
"""The roll's 基準日: the day the consumers start."""
ITEMS = [
    "氏_日本人",
    "名_日本人",
    "生年月日",
    "性別",
    "続柄1",
    "住民状態",
    "異動年月日",
    "届出年月日",
    "住所_町字",
    "住所_番地号表記",
    "消除年月日",
]
SUPPORT = "支援措置対象フラグ"


@dataclasses.dataclass
class Server:
    base: str
    app: App
    clock: FixedClock
    tenant: Tenant

    def staff(self, role: Role) -> dict[str, str]:
        """A fresh token (the clock moves by days here, past any token's life)."""
        answer = httpx.post(
            f"{self.base}/api/v1/auth/token",
            data={"username": self.tenant.login(role), "password": PASSWORD},
        )
        assert answer.status_code == 200, answer.text
        return {"Authorization": f"Bearer {answer.json()['access_token']}"}

    def record(self, command: ChangeCommand) -> dict[str, Any]:
        """A clerk's draft approved by a reviewer (alerts acknowledged at approval)."""
        drafted = httpx.post(
            f"{self.base}/api/v1/drafts",
            json={"command": encode_command(command)},
            headers=self.staff(Role.CLERK),
        )
        assert drafted.status_code == 201, drafted.text
        url = f"{self.base}/api/v1/drafts/{drafted.json()['draft']['draft_id']}/approve"
        reviewer = self.staff(Role.REVIEWER)
        approved = httpx.post(url, json={}, headers=reviewer)
        if approved.status_code == 422:
            errors = approved.json()["errors"]
            assert all(e["level"] == "alert" for e in errors), errors
            codes = [e["code"] for e in errors]
            approved = httpx.post(url, json={"acknowledged_alerts": codes}, headers=reviewer)
        assert approved.status_code == 200, approved.text
        result: dict[str, Any] = approved.json()
        return result

    def advance_to(self, day: Any) -> None:
        self.clock.at += day - self.clock.day
        self.clock.day = day


@dataclasses.dataclass
class Consumer:
    """One consumer process's state file and key, run command by command."""

    server: Server
    api_key: str
    state: Path

    def run(self, *args: str) -> Any:
        result = subprocess.run(
            [sys.executable, "-S", str(CONSUMER), "--state", str(self.state), *args],
            env={"PATH": "/usr/bin:/bin", "NO_PROXY": "*"},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)

    def start(self) -> None:
        self.run(
            "--api",
            self.server.base,
            "--api-key",
            self.api_key,
            "start",
            "--kijunbi",
            KIJUNBI.isoformat(),
            "--today",
            self.server.clock.day.isoformat(),
        )

    def sync(self) -> None:
        today = self.server.clock.day.isoformat()
        self.run("--api", self.server.base, "--api-key", self.api_key, "sync", "--today", today)

    def roll(self, day: Any) -> dict[str, dict[str, str]]:
        found: dict[str, dict[str, str]] = self.run("roll", "--on", day.isoformat())
        return found

    def register(self, day: Any) -> dict[str, dict[str, str]]:
        """The register's residents as of ``day`` in this subscriber's items, read afresh."""
        answer = httpx.get(
            f"{self.server.base}/integration/v1/extract",
            params={"as_of": day.isoformat(), "include_removed": "false"},
            headers={"Authorization": f"Bearer {self.api_key}"},
        )
        assert answer.status_code == 200, answer.text
        records = [json.loads(line) for line in answer.text.splitlines() if line]
        return {r["宛名番号"]: r for r in records}


@pytest.fixture
def server(app: App, clock: FixedClock) -> Iterator[Server]:
    tenant = make_tenant(app, "46")
    port = free_port()
    config = uvicorn.Config(
        create_app(app), host="127.0.0.1", port=port, log_level="warning", lifespan="off"
    )
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not running.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield Server(f"http://127.0.0.1:{port}", app, clock, tenant)
    finally:
        running.should_exit = True
        thread.join(timeout=10)


def subscriber(server: Server, system: str, items: list[str]) -> str:
    admin = server.staff(Role.ADMINISTRATOR)
    created = httpx.post(
        f"{server.base}/api/v1/subscribers",
        json={"name": f"{system} の名簿", "system": system, "items": items},
        headers=admin,
    )
    assert created.status_code == 201, created.text
    issued = created.json()
    if system == "elections":
        sid = issued["subscriber"]["subscriber_id"]
        duty = httpx.put(
            f"{server.base}/api/v1/subscribers/{sid}/withheld-duties",
            json={"duties": ["elections"]},
            headers=admin,
        )
        assert duty.status_code == 200, duty.text
    key: str = issued["api_key"]
    return key


def a_single(given: str, kana: str) -> MoveIn:
    return MoveIn(
        header=a_header(effective_on=TODAY),
        members=(a_person(name="佐藤", given=given, kana=("サトウ", kana)),),
        address=an_address("三丁目1番1号"),
        previous_address=a_previous_address(),
    )


def test_an_election_roll_kept_from_the_extract_and_the_feed_matches_the_register(
    server: Server, tmp_path: Path
) -> None:
    plain_key = subscriber(server, "child_allowance", ITEMS)
    plain = Consumer(server, plain_key, tmp_path / "p.json")
    roll = Consumer(server, subscriber(server, "elections", [*ITEMS, SUPPORT]), tmp_path / "e.json")
    head, wife = server.tenant.atena_numbers
    consumers = [plain, roll]
    for consumer in consumers:
        consumer.start()

    def matches(step: str) -> dict[str, dict[str, str]]:
        """Both consumers follow the feed and match the register on the 基準日 and today;
        the election roll of today is answered for the step's own assertions."""
        today = server.clock.day
        for consumer in consumers:
            consumer.sync()
            for day in sorted({KIJUNBI, today}):
                kept, truth = consumer.roll(day), consumer.register(day)
                assert kept == truth, (step, consumer.state.name, day, kept, truth)
        return roll.roll(today)

    assert set(matches("start")) == {head, wife}

    # 転入 on the 基準日: a family of two and three single persons.
    family = server.record(
        MoveIn(
            header=a_header(effective_on=TODAY),
            members=(
                a_person(name="鈴木", kana=("スズキ", "イチロウ")),
                a_person(name="鈴木", given="次郎", kana=("スズキ", "ジロウ"), relationship="子"),
            ),
            address=an_address("二丁目1番1号"),
            previous_address=a_previous_address(),
        )
    )
    leaving = family["atena_numbers"]
    (stays,) = server.record(a_single("三郎", "サブロウ"))["atena_numbers"]
    (goes_now,) = server.record(a_single("四郎", "シロウ"))["atena_numbers"]
    entered = server.record(a_single("五郎", "ゴロウ"))
    (cancelled,) = entered["atena_numbers"]
    assert {*leaving, stays, goes_now, cancelled} <= set(matches("転入"))

    day1 = TODAY + timedelta(days=1)
    server.advance_to(day1)
    later = a_header(effective_on=day1)

    # 転居 of the family; 世帯分離 of the wife.
    server.record(
        InTownMove(
            header=later,
            atena_numbers=tuple(AtenaNumber(a) for a in leaving),
            address=an_address("二丁目5番1号"),
        )
    )
    assert matches("転居")[leaving[0]]["住所_番地号表記"] == "二丁目5番1号"
    split = server.record(
        HouseholdSplit(header=later, atena_numbers=(AtenaNumber(wife),), new_head=AtenaNumber(wife))
    )
    assert matches("世帯分離")[wife]["続柄1"] != "" and len(split["households"]) == 2

    # 転出: one today, and the family and another planned for a week ahead.
    planned_day = day1 + timedelta(days=7)
    onward = Address.municipality_only("大阪府", "大阪市北区")
    server.record(
        MoveOut(
            header=later,
            atena_numbers=(AtenaNumber(goes_now),),
            planned_on=day1,
            onward_address=onward,
        )
    )
    ahead = a_header(effective_on=planned_day, filed_on=day1)
    server.record(
        MoveOut(
            header=ahead,
            atena_numbers=tuple(AtenaNumber(a) for a in leaving),
            planned_on=planned_day,
            onward_address=onward,
        )
    )
    plan = server.record(
        MoveOut(
            header=ahead,
            atena_numbers=(AtenaNumber(stays),),
            planned_on=planned_day,
            onward_address=onward,
        )
    )
    today_roll = matches("転出")
    assert goes_now not in today_roll
    assert {*leaving, stays} <= set(today_roll)  # residents until the planned day

    # 死亡 reported late: the head died on the 基準日, so he is off that day's roll too.
    server.record(
        Death(
            header=a_header(effective_on=KIJUNBI, filed_on=day1),
            atena_number=AtenaNumber(head),
            died_on=RecordDate.of(KIJUNBI),
        )
    )
    assert head not in matches("死亡")
    assert head not in roll.roll(KIJUNBI)

    # 修正: the wife's name was written wrong.
    server.record(
        Correct(
            header=later,
            atena_number=AtenaNumber(wife),
            reason=ChangeReason.CLERICAL_CORRECTION,
            changes=RecordChanges(name=a_name("髙橋", "華子", ("タカハシ", "ハナコ"))),
            corrects_event_id=split["event_id"],
        )
    )
    assert matches("修正")[wife]["名_日本人"] == "華子"

    # 取消し: of one planned 転出, and of a 転入 entered by mistake, void from its own 異動日
    # (the day a cancellation holds from is its header's, as for any change).
    server.record(Cancel(header=later, event_id=plan["event_id"]))
    void = a_header(effective_on=TODAY, filed_on=day1)
    server.record(Cancel(header=void, event_id=entered["event_id"]))
    today_roll = matches("取消し")
    assert stays in today_roll and cancelled not in today_roll
    assert cancelled not in roll.roll(KIJUNBI)

    # A consumer starting late (from the extract as of the 基準日 and as of today) after the
    # planned 転出 was recorded learns of it on its day.
    late = Consumer(server, plain_key, tmp_path / "late.json")
    late.start()
    consumers.append(late)
    assert set(matches("途中から")) == set(today_roll)

    # Withheld: 他業務参照不可 on one, a DV support measure guarding feeds on the wife.
    server.record(
        Correct(
            header=later,
            atena_number=AtenaNumber(stays),
            reason=ChangeReason.MINOR_CORRECTION,
            changes=RecordChanges(hidden_from_other_systems=True),
        )
    )
    measure = httpx.post(
        f"{server.base}/api/v1/suppressions",
        json={
            "kind": "dv_support",
            "atena_number": wife,
            "processes": ["issue", "feed"],
            "starts_on": day1.isoformat(),
            "reason": "支援措置申出",
        },
        headers=server.staff(Role.DV_OFFICER),
    )
    assert measure.status_code == 201, measure.text
    elections = matches("提供停止")
    assert elections[wife][SUPPORT] == "1" and stays in elections
    assert not {wife, stays} & set(plain.roll(day1))
    assert not {wife, stays} & set(plain.roll(KIJUNBI))

    # Released: the flag cleared and the measure lifted.
    server.record(
        Correct(
            header=later,
            atena_number=AtenaNumber(stays),
            reason=ChangeReason.MINOR_CORRECTION,
            changes=RecordChanges(hidden_from_other_systems=False),
        )
    )
    lifted = httpx.post(
        f"{server.base}/api/v1/suppressions/{measure.json()['suppression_id']}/lift",
        headers=server.staff(Role.DV_OFFICER),
    )
    assert lifted.status_code == 200, lifted.text
    assert matches("提供再開")[wife][SUPPORT] == "0"
    assert {wife, stays} <= set(plain.roll(day1))

    # The planned day comes: the family leaves today's roll; the 基準日's roll keeps them.
    server.advance_to(planned_day)
    today_roll = matches("予定日")
    assert not set(leaving) & set(today_roll) and stays in today_roll
    assert set(leaving) <= set(roll.roll(KIJUNBI))
