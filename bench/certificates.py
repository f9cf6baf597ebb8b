"""Certificate benchmark: signed certificates per second through the service, unsigned page
drawing against raw drawing with the same font, and the issue latency.

    jichitai bench certificates --count 500      (or: make bench)

1. A fresh SQLite register (temporary directory) with the demo generator, and a key directory
   for the municipality's signing key.
2. Signed: ``--count`` 住民票の写し (whole household, 世帯主・続柄 shown), one after another
   through ``CertificateService.issue``, as a clerk issues them: the rights, the suppression
   check, the sheets, the 発行番号, the PDF with its QR code, the PAdES signature, the issue
   history and the access log. Latency p99 of one issue, and certificates/s.
3. Unsigned: the same certificates' PDFs drawn (sheets laid out once beforehand), without the
   signature and without the database: certificates/s.
4. Baseline, same run: the same lines drawn directly with ReportLab in IPAmj明朝 (one page, a
   string a line, no layout, no QR code): pages/s. ratio = unsigned ÷ baseline.

Targets on this machine: unsigned ratio ≥ 0.7, signed ≥ 15 certificates/s on one core, p99 ≤
150 ms. The last line is the figure:
``certificates: <n>/s signed, <n>/s unsigned; p99 <ms> ms; baseline raw page drawing <n>/s; ratio <r>``
"""

from __future__ import annotations

import io
import statistics
import tempfile
import time
from pathlib import Path

from bench.feed import RealTimeClock
from bench.register import CODE, TODAY, SeededRandom
from bench.support import BenchFailed, seed_demo
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas
from sqlalchemy import select

from jichitai.adapters.db import tables as t
from jichitai.adapters.pdf.certificate_pdf import Issuer, render_certificate
from jichitai.adapters.pdf.fonts import mj_font
from jichitai.bootstrap import App, bootstrap
from jichitai.config import Settings
from jichitai.demo.certifier import DEMO_MAYOR_NAME, name_demo_certifier
from jichitai.domain.access.actor import Actor
from jichitai.domain.access.roles import Role
from jichitai.domain.certificates.contents import (
    ResidentCertificateRequest,
    certificate_lines,
    resident_sheets,
)
from jichitai.domain.certificates.issue_numbers import CODE_RANDOM_DIGITS, IssueNumber, new_code
from jichitai.domain.certificates.kinds import CertificateKind, ItemChoice
from jichitai.domain.errors import DomainError
from jichitai.services.certificates import CertificateRequest

NAME = "東京都千代田区"
ADMIN = frozenset({Role.ADMINISTRATOR})
TARGET_RATIO = 0.7
TARGET_SIGNED = 15.0
TARGET_P99_MS = 150.0


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def run(*, count: int, residents: int = 300, seed: int = 1) -> None:
    if count < 1 or residents < 1:
        raise SystemExit("bench certificates: --count and --residents must be at least 1")
    try:
        with tempfile.TemporaryDirectory(prefix="jichitai-bench-certificates-") as tmp:
            _run(Path(tmp), count, residents, seed)
    except BenchFailed as failure:
        print(f"bench certificates failed: {failure}")
        raise SystemExit(1) from failure


def _run(directory: Path, count: int, residents: int, seed: int) -> None:
    settings = Settings(
        database_url=f"sqlite:///{directory / 'bench.db'}", key_dir=str(directory / "keys")
    )
    app = bootstrap(settings, clock=RealTimeClock(), random=SeededRandom(seed))
    app.upgrade_database()
    app.municipalities.add(CODE, NAME)
    app.certificates.ensure_keys(CODE)
    name_demo_certifier(app.certificates, Actor("bench-admin", CODE, ADMIN), NAME)
    seed_demo(app, CODE, residents, seed, TODAY)
    clerk = Actor("bench-clerk", CODE, frozenset({Role.CLERK}), terminal="本庁1")
    persons = _heads(app)
    if not persons:
        raise BenchFailed("the demo register has no households")
    items = ItemChoice(head_and_relationship=True)

    latencies: list[float] = []
    pages = 0
    started = time.perf_counter()
    for n in range(count):
        atena = persons[n % len(persons)]
        began = time.perf_counter()
        try:
            issued = app.certificates.issue(
                clerk,
                CertificateRequest(
                    atena, CertificateKind.RESIDENCE_CERTIFICATE, household=True, items=items
                ),
            )
        except DomainError as error:
            raise BenchFailed(f"issuing for {atena} was refused: {error}") from error
        latencies.append((time.perf_counter() - began) * 1000)
        pages += issued.pages
    signed_seconds = time.perf_counter() - started
    signed_rate = count / signed_seconds
    print(
        f"signed: {count:,} 住民票の写し ({pages:,} pages) issued through the service in"
        f" {signed_seconds:.1f} s: {signed_rate:,.1f}/s; latency p50"
        f" {statistics.median(latencies):.0f} ms, p99 {_p(latencies, 0.99):.0f} ms"
    )

    request = ResidentCertificateRequest(CertificateKind.RESIDENCE_CERTIFICATE, items=items)
    laid_out = []
    for atena in persons[: min(len(persons), 50)]:
        head = app.queries.current(CODE, atena)
        members = app.queries.household(CODE, head.household_number.value)
        laid_out.append(resident_sheets(request, members, TODAY))
    issuer = Issuer(NAME, f"{NAME}長", DEMO_MAYOR_NAME, None)
    code = new_code("0" * CODE_RANDOM_DIGITS)
    qr = f"JICHITAI2 {CODE} {code} " + "A" * 43 + " " + "B" * 96

    started = time.perf_counter()
    for n in range(count):
        sheets = laid_out[n % len(laid_out)]
        number = IssueNumber(TODAY, CODE, NAME, "本庁1", "", n + 1, code)
        render_certificate(sheets, issuer, number, TODAY, qr)
    unsigned_rate = count / (time.perf_counter() - started)
    print(
        f"unsigned: {count:,} certificates drawn (no signature, no database): {unsigned_rate:,.1f}/s"
    )

    font = mj_font()
    started = time.perf_counter()
    for n in range(count):
        lines = certificate_lines(laid_out[n % len(laid_out)])
        out = io.BytesIO()
        page = Canvas(out, pagesize=A4, pageCompression=1)
        page.setFont(font.name, 10.5)
        y = 800.0
        for line in lines:
            page.drawString(50, y, line)
            y -= 15
        page.showPage()
        page.save()
    baseline_rate = count / (time.perf_counter() - started)
    ratio = unsigned_rate / baseline_rate
    print(
        f"baseline: the same lines drawn directly with ReportLab in IPAmj明朝, one page each:"
        f" {baseline_rate:,.1f}/s"
    )
    p99 = _p(latencies, 0.99)
    for label, value, goal, at_most in (
        ("unsigned ratio", ratio, TARGET_RATIO, False),
        ("signed", signed_rate, TARGET_SIGNED, False),
        ("p99", p99, TARGET_P99_MS, True),
    ):
        met = value <= goal if at_most else value >= goal
        print(
            f"target {label} {'≤' if at_most else '≥'} {goal:g}: {'met' if met else 'missed'} ({value:,.2f})"
        )
    print(
        f"certificates: {signed_rate:,.1f}/s signed, {unsigned_rate:,.1f}/s unsigned;"
        f" p99 {p99:.0f} ms; baseline raw page drawing {baseline_rate:,.1f}/s; ratio {ratio:.2f}"
    )


def _heads(app: App) -> list[str]:
    """The living heads of household (each issue is a whole household's certificate)."""
    r = t.residents.c
    with app.engine.connect() as conn:
        rows = conn.execute(
            select(r.atena_number)
            .where(r.municipality_code == CODE, r.status == "resident", r.relationship == "世帯主")
            .order_by(r.atena_number)
        ).scalars()
        return list(rows)
