"""Staff traffic at a 窓口 for ``jichitai bench api`` (bench/api.py), run by the locust CLI.

Not meant to be run by hand: bench/api.py writes a plan (JSON) and names it in
``JICHITAI_BENCH_PLAN``; it holds the logins, the search terms, the number of simulated users,
the measured duration and where to write the report. Locust runs in a process of its own (its
gevent monkey-patching breaks a process that has already imported ssl: stack.md §1).

User classes:

- ``ClerkUser``: searches by kana (family-name readings the demo generator uses) and by birth
  date in 和暦, views a resident, their household and history (宛名番号 and 世帯番号 taken from
  its own search results), lists the drafts, and now and then submits a correction (仮登録 of a
  軽微な修正: a memo) — reads dominate, as at a counter.
- ``ReviewerUser`` (``fixed_count`` from the plan): lists the pending drafts and approves
  (本登録) the ones in its share — each reviewer owns the drafts whose id falls in its slice, so
  two reviewers never race for one draft — and looks residents up now and then.
- ``HealthUser``: ``GET /healthz`` only, the trivial-endpoint baseline.

Every user logs in once (``POST /api/v1/auth/token``) and then waits until all have: the
log-ins (Argon2id at the standard cost) are not part of the measured traffic. When the last one
is in, traffic starts (paced users each after a random part of their think time, so they do not
all fire at the same instant); after ``warmup`` seconds locust's statistics are reset, the
report (log-in figures, failures so far) is written, and the run stops ``duration`` seconds
later. Every request states the status it expects; anything else is a failure, and so an error
in the benchmark's figures (failures during the warm-up and refused log-ins count too).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import time
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlencode

import gevent  # type: ignore[import-untyped]  # gevent ships no type information
from gevent.event import Event  # type: ignore[import-untyped]
from locust import FastHttpUser, between, constant, task
from locust.env import Environment
from locust.exception import StopUser

PLAN: dict[str, Any] = json.loads(Path(os.environ["JICHITAI_BENCH_PLAN"]).read_text("utf-8"))
LOGIN = "POST /api/v1/auth/token"
#: Log-in attempts per user before giving up (the server refuses with 503 while busy hashing).
LOGIN_ATTEMPTS = 100
THINK = float(PLAN.get("think_seconds", 0.0))
WAIT = between(THINK / 2, THINK * 3 / 2) if THINK > 0 else constant(0)


PLANNED_MOVE_OUT = frozenset({"change.effective_before_latest", "person.planned_move_out"})
"""The refusals of a change for a person whose planned 転出 has not yet taken effect."""


def _codes_of(text: str) -> frozenset[str]:
    try:
        errors = json.loads(text)["errors"]
    except (ValueError, KeyError, TypeError):
        return frozenset({"<not an error body>"})
    return frozenset(str(e.get("code")) for e in errors)


CONFLICT = object()
"""What ``call`` answers for an expected refusal (a draft whose persons changed since)."""


class Start:
    """Everyone logs in first; then traffic starts, and the measured window after a warm-up."""

    arrived = 0
    first = 0.0
    go = Event()
    report: ClassVar[dict[str, Any]] = {}

    @classmethod
    def begin(cls) -> None:
        cls.first = cls.first or time.time()

    @classmethod
    def arrive(cls, environment: Environment) -> None:
        cls.arrived += 1
        if cls.arrived == int(PLAN["users"]):
            cls._open(environment)
        cls.go.wait()

    @classmethod
    def _open(cls, environment: Environment) -> None:
        """Everyone is in: traffic starts now, the measured window after the warm-up."""
        login = environment.stats.entries.get((LOGIN, "POST"))
        cls.report = {
            "logins": login.num_requests if login else 0,
            "login_failures": login.num_failures if login else 0,
            "login_median_ms": login.median_response_time if login else 0,
            "login_max_ms": login.max_response_time if login else 0,
            "login_seconds": time.time() - cls.first,
        }
        gevent.spawn_later(float(PLAN.get("warmup", 0.0)), cls._measure, environment)
        cls.go.set()

    @classmethod
    def _measure(cls, environment: Environment) -> None:
        """The warm-up is over: forget what was counted so far, stop after ``duration``."""
        counted = environment.stats.total.num_failures
        cls.report["warmup_failures"] = counted - int(cls.report["login_failures"])
        environment.stats.reset_all()
        cls.report["started"] = time.time()
        Path(PLAN["report"]).write_text(json.dumps(cls.report), "utf-8")
        runner = environment.runner
        assert runner is not None
        gevent.spawn_later(float(PLAN["duration"]), runner.quit)


class Staff(FastHttpUser):
    abstract = True
    wait_time = WAIT
    numbers: ClassVar[itertools.count[int]]
    logins: ClassVar[list[str]] = []

    def on_start(self) -> None:
        Start.begin()
        self.index = next(self.numbers)
        self.rng = random.Random(f"{PLAN['seed']}:{type(self).__name__}:{self.index}")
        self.hits: list[dict[str, Any]] = []
        self.headers: dict[str, str] = {}
        logged_in = self.log_in(self.logins[self.index % len(self.logins)])
        Start.arrive(self.environment)
        if not logged_in:
            raise StopUser
        if THINK > 0:  # paced users do not all start at the same instant
            gevent.sleep(self.rng.uniform(0, THINK))

    def log_in(self, login: str) -> bool:
        """Log in; a 503 (the server's bound on concurrent password hashing) is answered as a
        client should, by trying again after its Retry-After, and is not a failure."""
        for _ in range(LOGIN_ATTEMPTS):
            with self.client.post(
                "/api/v1/auth/token",
                data=urlencode({"username": login, "password": PLAN["password"]}),
                headers={"Content-Type": "application/x-www-form-urlencoded"},
                name=LOGIN,
                catch_response=True,
            ) as response:
                if response.status_code == 503:
                    response.success()
                    wait = float(response.headers.get("Retry-After", "1"))
                elif response.status_code != 200:
                    response.failure(f"HTTP {response.status_code}: {(response.text or '')[:200]}")
                    return False
                else:
                    self.headers = {"Authorization": f"Bearer {response.json()['access_token']}"}
                    response.success()
                    return True
            gevent.sleep(wait * self.rng.uniform(1.0, 1.5))  # not all back at the same instant
        return False

    def call(
        self,
        method: str,
        path: str,
        name: str,
        *,
        expect: int = 200,
        params: dict[str, str] | None = None,
        body: dict[str, Any] | None = None,
        also: tuple[int, ...] = (),
        codes: frozenset[str] | None = None,
    ) -> Any:
        """One request; a status other than ``expect`` (or a body that is not JSON) is a failure.
        A status in ``also`` is an expected outcome, answered as ``CONFLICT``, provided it names
        one of ``codes`` (when given): a refusal for a planned mover may name other findings about
        the same request beside it, and the clerk is refused all the same."""
        url = f"{path}?{urlencode(params)}" if params else path
        with self.client.request(
            method, url, name=name, headers=self.headers, json=body, catch_response=True
        ) as response:
            if response.status_code in also and (codes is None or _codes_of(response.text) & codes):
                response.success()
                return CONFLICT
            if response.status_code != expect:
                found = ", ".join(sorted(_codes_of(response.text or "")))
                response.failure(
                    f"HTTP {response.status_code} [{found}]: {(response.text or '')[:200]}"
                )
                return None
            try:
                data = response.json() if response.content else None
            except ValueError:
                response.failure("the body is not JSON")
                return None
            response.success()
            return data

    # --- reads -----------------------------------------------------------------------------------

    def search(self, by: str, query: str) -> None:
        found = self.call(
            "GET", "/api/v1/residents", f"GET /residents?by={by}", params={"q": query, "by": by}
        )
        if found:
            living = [h for h in found["results"] if h["status"] == "resident"]
            self.hits = (living[:5] + self.hits)[:20]

    def search_kana(self) -> None:
        kana: str = self.rng.choice(PLAN["kana"])
        # A clerk types the whole family name, or its first two characters.
        self.search("kana", kana if self.rng.random() < 0.7 else kana[:2])

    def search_birth(self) -> None:
        self.search("birth", self.rng.choice(PLAN["birth_dates"]))

    def hit(self) -> dict[str, Any] | None:
        if not self.hits:
            self.search_kana()
        return self.rng.choice(self.hits) if self.hits else None

    def view(self) -> None:
        if hit := self.hit():
            self.call("GET", f"/api/v1/residents/{hit['atena_number']}", "GET /residents/[atena]")

    def history(self) -> None:
        if hit := self.hit():
            self.call(
                "GET",
                f"/api/v1/residents/{hit['atena_number']}/history",
                "GET /residents/[atena]/history",
            )

    def household(self) -> None:
        if hit := self.hit():
            self.call(
                "GET", f"/api/v1/households/{hit['household_number']}", "GET /households/[number]"
            )


class ClerkUser(Staff):
    weight = 1
    numbers = itertools.count()
    logins: ClassVar[list[str]] = list(PLAN.get("clerks", []))

    @task(30)
    def search_by_kana(self) -> None:
        self.search_kana()

    @task(10)
    def search_by_birth_date(self) -> None:
        self.search_birth()

    @task(25)
    def view_resident(self) -> None:
        self.view()

    @task(10)
    def view_household(self) -> None:
        self.household()

    @task(8)
    def view_history(self) -> None:
        self.history()

    @task(4)
    def list_drafts(self) -> None:
        self.call("GET", "/api/v1/drafts", "GET /drafts")

    @task(3)
    def submit_correction(self) -> None:
        """仮登録 of a 軽微な修正 (a memo) of a resident found earlier."""
        hit = self.hit()
        if hit is None:
            return
        header = {"effective_on": PLAN["today"], "filed_on": PLAN["today"], "operator": "bench"}
        command = {
            "type": "Correct",
            "header": header,
            "atena_number": hit["atena_number"],
            "reason": "minor_correction",
            "changes": {"memo": f"方書確認 {self.rng.randint(1, 10**9)}"},
        }
        # A resident found may have filed a move-out for a later date: a resident until then,
        # but nothing but its cancellation may be recorded for her, as the clerk is told.
        self.call(
            "POST",
            "/api/v1/drafts",
            "POST /drafts",
            expect=201,
            body={"command": command},
            also=(422,),
            codes=PLANNED_MOVE_OUT,
        )


class ReviewerUser(Staff):
    fixed_count = int(PLAN.get("reviewer_users", 0))
    numbers = itertools.count()
    logins: ClassVar[list[str]] = list(PLAN.get("reviewers", []))

    @task(6)
    def review(self) -> None:
        """Approve (本登録) up to five pending drafts of this reviewer's share."""
        pending = self.call("GET", "/api/v1/drafts", "GET /drafts")
        if not pending:
            return
        share = self.fixed_count or 1
        mine = [
            d["draft_id"]
            for d in pending["drafts"]
            if int(d["draft_id"][:8], 16) % share == self.index % share
        ]
        for draft_id in mine[:5]:
            answer = self.call(
                "POST",
                f"/api/v1/drafts/{draft_id}/approve",
                "POST /drafts/[id]/approve",
                body={"acknowledged_alerts": []},
                also=(409,),
            )
            if answer is CONFLICT:
                # The person or household changed since the draft was checked (another clerk's
                # draft on the same household was approved first): as a reviewer would, the
                # stale draft is discarded, to be entered again from the register as it is.
                self.call(
                    "DELETE",
                    f"/api/v1/drafts/{draft_id}",
                    "DELETE /drafts/[id] (conflict)",
                    expect=204,
                )

    @task(2)
    def search_by_kana(self) -> None:
        self.search_kana()

    @task(2)
    def view_resident(self) -> None:
        self.view()


class HealthUser(FastHttpUser):
    """The baseline: a trivial endpoint that touches no data (no log-in needed)."""

    wait_time = WAIT

    def on_start(self) -> None:
        Start.begin()
        Start.arrive(self.environment)

    @task
    def health(self) -> None:
        with self.client.get("/healthz", name="GET /healthz", catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
            else:
                response.success()
