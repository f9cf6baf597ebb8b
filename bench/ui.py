"""Counter (窓口) page benchmark: the server-side render time of a resident's page and of the
search results page, beside the API's record lookup, against a real server.

    jichitai bench ui                   (--residents 100000 --requests 1000 --warmup 50)

1. Set-up as ``jichitai bench api`` (bench/api.py): a fresh SQLite register in a temporary
   directory made with the ``jichitai`` command (``db upgrade``, ``municipality add``,
   ``demo seed``, ``user add``), then ``jichitai serve`` on 127.0.0.1 (one uvicorn worker).
2. One clerk logs in twice, outside the measurement: at the counter (``GET /ui/login`` for the
   form's CSRF token and cookie, ``POST /ui/login``, then ``GET /ui/`` for the session's token)
   and at the API (``POST /api/v1/auth/token``).
3. ``requests`` distinct living residents are drawn from the register (more for the warm-up),
   and as many searches as a clerk types them: a family name in kana (whole, or its first two
   characters), a resident's full name in kanji, or a birth date in 和暦 — the search page lists
   up to 100 hits, each with its own reference. A resident's page is opened by its reference
   (``/ui/residents/{ref}``: the bench owns the server's secret, so it makes the same opaque
   references the search page would link to, bound to the clerk's login).
4. Rounds, one request at a time (no concurrency, so no queueing in the figures): in each
   round the resident page of resident *i*, the baseline ``GET /api/v1/residents/{atena}`` of
   the same resident, and search *i* (``POST /ui/search`` with the session's CSRF token), so the
   three share the same server, data, access log size and moment. The first ``warmup`` rounds
   (other residents, other searches) are not counted. Every answer is checked (status 200; the
   page shows that resident's 宛名番号; the search page its results heading): a failed request
   fails the bench rather than flatter it.

What is measured is the time from sending a request to reading the last byte of the answer over
a kept-alive connection on the loopback: the server's whole work (session, CSRF, services,
database, access log, template) plus the loopback's own cost, printed as the ``GET /healthz``
p50 beside. The browser's drawing is not part of it.

ratio = resident page p99 ÷ baseline API p99 (both the same residents, the same run): what the
page costs beyond the record the API returns (household, history, seals, certificates issued,
the HTML). Target on this machine: both pages p99 ≤ 100 ms. The last line is the figure:
``ui: resident page p99 <ms> ms; search page p99 <ms> ms; baseline API p99 <ms> ms; ratio <r>``
"""

from __future__ import annotations

import http.client
import json
import random
import re
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from bench.api import CODE, Bench, _birth_dates, _environment, _prepare, _server
from bench.support import BenchFailed, cpu_seconds, executable, free_port

from jichitai.demo.names import FAMILY_NAMES
from jichitai.entrypoints.web.refs import PersonRefs

TARGET_MS = 100.0
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
RESULTS = re.compile(r"検索結果 (\d+)件")


@dataclass
class Client:
    """One kept-alive HTTP connection with its cookies (the counter) or a bearer token (API)."""

    port: int
    cookies: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    conn: http.client.HTTPConnection = field(init=False)

    def __post_init__(self) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)

    def send(self, method: str, path: str, form: dict[str, str] | None = None) -> Answer:
        headers = dict(self.headers)
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        content = response.read()
        elapsed = (time.perf_counter() - started) * 1000
        for value in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(value).items():
                self.cookies[name] = morsel.value
        return Answer(response.status, content.decode("utf-8", errors="replace"), elapsed)

    def close(self) -> None:
        self.conn.close()


@dataclass(frozen=True)
class Answer:
    status: int
    text: str
    ms: float


@dataclass
class Timings:
    """The measured times of one kind of request, and how many failed."""

    name: str
    ms: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def p(self, q: int) -> float:
        if len(self.ms) < 2:
            return self.ms[0] if self.ms else 0.0
        return statistics.quantiles(self.ms, n=100, method="inclusive")[q - 1]

    def line(self) -> str:
        return (
            f"  {self.name:<34} {len(self.ms):>6,} req  p50 {self.p(50):6.1f} ms"
            f"  p90 {self.p(90):6.1f} ms  p99 {self.p(99):6.1f} ms  max {max(self.ms):6.1f} ms"
            f"  mean {statistics.fmean(self.ms):6.1f} ms"
        )


def _csrf(answer: Answer, what: str) -> str:
    found = CSRF.search(answer.text)
    if answer.status != 200 or not found:
        raise BenchFailed(f"{what}: HTTP {answer.status}, no CSRF token\n{answer.text[:500]}")
    return found.group(1)


def _counter_session(port: int, login: str, password: str) -> tuple[Client, str]:
    """A logged-in counter session, as a browser gets it; returns it and its CSRF token."""
    client = Client(port)
    token = _csrf(client.send("GET", "/ui/login"), "GET /ui/login")
    answer = client.send(
        "POST", "/ui/login", {"csrf_token": token, "login": login, "password": password}
    )
    if answer.status != 303:
        raise BenchFailed(f"POST /ui/login: HTTP {answer.status}\n{answer.text[:500]}")
    return client, _csrf(client.send("GET", "/ui/"), "GET /ui/")


def _api_session(port: int, login: str, password: str) -> Client:
    client = Client(port)
    answer = client.send("POST", "/api/v1/auth/token", {"username": login, "password": password})
    if answer.status != 200:
        raise BenchFailed(f"POST /api/v1/auth/token: HTTP {answer.status}\n{answer.text[:500]}")
    client.headers["Authorization"] = f"Bearer {json.loads(answer.text)['access_token']}"
    return client


def _residents(database: Path, rng: random.Random, count: int) -> list[tuple[str, str]]:
    """``count`` distinct living residents: (宛名番号, name as written)."""
    with closing(sqlite3.connect(database)) as conn:
        rows = conn.execute(
            "SELECT atena_number, name_text FROM residents"
            " WHERE municipality_code = ? AND status = 'resident' ORDER BY atena_number",
            (CODE,),
        ).fetchall()
    if len(rows) < count:
        raise BenchFailed(
            f"{len(rows)} living residents: too few for {count} distinct ones"
            " (lower --requests or --warmup, or raise --residents)"
        )
    return [(str(a), str(n)) for a, n in rng.sample(rows, count)]


def _searches(
    rng: random.Random, names: list[str], birth_dates: list[str], count: int
) -> list[tuple[str, str]]:
    """(kind, text) as clerks type them: kana family names, kanji full names, 和暦 dates."""
    searches = []
    for n in range(count):
        roll = rng.random()
        if roll < 0.4:
            kana = rng.choice(FAMILY_NAMES).kana
            searches.append(("kana", kana if rng.random() < 0.7 else kana[:2]))
        elif roll < 0.7:
            searches.append(("name", names[n % len(names)]))
        else:
            searches.append(("birth date", rng.choice(birth_dates)))
    return searches


def _round(
    counter: Client,
    csrf: str,
    api: Client,
    refs: Callable[[str], str],
    atena: str,
    search: str,
    results: dict[str, Timings],
    hits: list[int],
) -> None:
    page = counter.send("GET", f"/ui/residents/{refs(atena)}")
    if page.status == 200 and f"<dd>{atena}</dd>" in page.text:
        results["page"].ms.append(page.ms)
    else:
        results["page"].failures.append(f"{atena}: HTTP {page.status} {page.text[:200]}")
    record = api.send("GET", f"/api/v1/residents/{atena}")
    if record.status == 200 and f'"{atena}"' in record.text:
        results["api"].ms.append(record.ms)
    else:
        results["api"].failures.append(f"{atena}: HTTP {record.status} {record.text[:200]}")
    found = counter.send("POST", "/ui/search", {"csrf_token": csrf, "q": search})
    count = RESULTS.search(found.text)
    if found.status == 200 and count:
        results["search"].ms.append(found.ms)
        hits.append(int(count.group(1)))
    else:
        results["search"].failures.append(f"{search}: HTTP {found.status} {found.text[:200]}")


def _fresh() -> dict[str, Timings]:
    return {
        "page": Timings("GET /ui/residents/[ref]"),
        "api": Timings("GET /api/v1/residents/[atena]"),
        "search": Timings("POST /ui/search"),
    }


def _floor(port: int, count: int = 200) -> float:
    """p50 of ``GET /healthz`` (no data, no template): the loopback and HTTP's own cost."""
    client = Client(port)
    try:
        return statistics.median(client.send("GET", "/healthz").ms for _ in range(count))
    finally:
        client.close()


def run(
    *, residents: int = 100_000, requests: int = 1_000, warmup: int = 50, seed: int = 1
) -> None:
    """Set up, measure the pages and the baseline in the same rounds, print the figures."""
    if requests < 2 or warmup < 0:
        raise SystemExit("bench ui: --requests must be at least 2, --warmup at least 0")
    try:
        with tempfile.TemporaryDirectory(prefix="jichitai-bench-ui-") as tmp:
            _run(Path(tmp), residents, requests, warmup, seed)
    except BenchFailed as failure:
        print(f"bench ui failed: {failure}", file=sys.stderr)
        raise SystemExit(1) from None


def _run(directory: Path, residents: int, requests: int, warmup: int, seed: int) -> None:
    database = directory / "bench.db"
    env = _environment(database)
    bench = Bench(directory=directory, env=env, jichitai=executable("jichitai"), locust="")
    setup = _prepare(bench, residents=residents, seed=seed, clerks=1)
    summary = setup["summary"]
    print(
        f"seeded {summary['residents']:,} residents in {summary['households']:,} households"
        f" ({summary['removed']:,} removed records) in {setup['seconds']:.1f} s"
    )
    rng = random.Random(seed)
    people = _residents(database, rng, warmup + requests)
    names = [name for _, name in people]
    rng.shuffle(names)  # a search is for someone else than the page of the same round
    searches = _searches(rng, names, _birth_dates(database, seed), warmup + requests)
    login = setup["clerks"][0]
    person_refs = PersonRefs(env["JICHITAI_SECRET_KEY"])

    def ref(atena: str) -> str:
        return person_refs.ref(login, atena)

    port = free_port()
    with _server(bench, port) as server:
        print(f"server: jichitai serve on 127.0.0.1:{port} (1 worker); one request at a time")
        counter, csrf = _counter_session(port, login, bench.password)
        api = _api_session(port, login, bench.password)
        try:
            hits: list[int] = []
            started = time.perf_counter()
            warm = _fresh()
            for (atena, _), (_, text) in zip(people[:warmup], searches[:warmup], strict=True):
                _round(counter, csrf, api, ref, atena, text, warm, hits)
            warm_seconds = time.perf_counter() - started
            hits.clear()
            results = _fresh()
            cpu_before = cpu_seconds(server.pid)
            started = time.perf_counter()
            for (atena, _), (_, text) in zip(people[warmup:], searches[warmup:], strict=True):
                _round(counter, csrf, api, ref, atena, text, results, hits)
            wall = time.perf_counter() - started
            cpu_after = cpu_seconds(server.pid)
        finally:
            counter.close()
            api.close()
        floor = _floor(port)

    failures = [f for t in (*warm.values(), *results.values()) for f in t.failures]
    if failures:
        shown = "\n".join(f"  {f}" for f in failures[:10])
        raise BenchFailed(f"{len(failures)} requests failed (warm-up included):\n{shown}")
    kinds = Counter(kind for kind, _ in searches[warmup:])
    print(
        f"warm-up: {warmup} rounds ({3 * warmup} requests, {warm_seconds:.1f} s) not counted;"
        f" measured: {requests} rounds of 3 requests, {requests} distinct residents,"
        f" {wall:.1f} s"
    )
    print(
        "searches: "
        + ", ".join(f"{n} by {kind}" for kind, n in kinds.items())
        + f"; hits per search p50 {statistics.median(hits):.0f}, max {max(hits)}"
        f" ({sum(1 for h in hits if h >= 100)} at the page's limit of 100)"
    )
    if cpu_before is not None and cpu_after is not None:
        print(
            f"server CPU over the measured rounds: {cpu_after - cpu_before:.1f} s of {wall:.1f} s"
            f" ({(cpu_after - cpu_before) * 1000 / (3 * requests):.1f} ms a request)"
        )
    for timings in results.values():
        print(timings.line())
    print(f"loopback and HTTP floor: GET /healthz p50 {floor:.2f} ms")
    page, found, api_p99 = results["page"].p(99), results["search"].p(99), results["api"].p(99)
    for name, value in (("resident page", page), ("search page", found)):
        verdict = "met" if value <= TARGET_MS else "missed"
        print(f"target {name} p99 ≤ {TARGET_MS:.0f} ms: {verdict} ({value:.1f} ms)")
    ratio = page / api_p99 if api_p99 else 0.0
    print(
        f"ui: resident page p99 {page:.1f} ms; search page p99 {found:.1f} ms;"
        f" baseline API p99 {api_p99:.1f} ms; ratio {ratio:.2f}"
    )
