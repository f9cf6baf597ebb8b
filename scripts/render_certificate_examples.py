"""Render the certificate examples in ``docs/examples/`` from the demo data.

    PYTHONPATH=. .venv/bin/python scripts/render_certificate_examples.py [OUT_DIR]

(default OUT_DIR: docs/examples; run from the repository root, which holds ``bench``).

A fresh SQLite register in a temporary directory, seeded as ``jichitai demo seed`` seeds
東京都千代田区 (300 residents, seed 1, demo seals, on 2026-11-26), the demo certifier named, then one signed copy
of each kind issued through the service, as a clerk (a reviewer for the 転出証明書) issues it:

- ``juminhyo.png``: 住民票の写し of a household of four, 世帯連記式, 世帯主・続柄 shown;
- ``juminhyo-2.png``: the second page of a household of five or more (page 2/2, the
  certification);
- ``johyo.png``: 除票の写し of a removed record with its history;
- ``kisai-jiko.png``: 住民票記載事項証明書 of a foreign resident, 個人票, foreign items shown;
- ``tenshutsu.png``: 転出証明書 of a person whose move-out is filed (a 同居人 if any);
- ``inkan.png``: 印鑑登録証明書 of a demo seal.

Each PDF's pages are rasterised at 60 dpi with ``pdftoppm`` (poppler-utils); the first page is
kept, except for ``juminhyo-2.png``.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path

from bench.register import CODE, TODAY, SeededRandom
from sqlalchemy import select

from jichitai.adapters.db import tables as t
from jichitai.bootstrap import bootstrap
from jichitai.config import Settings
from jichitai.demo.certifier import name_demo_certifier
from jichitai.demo.generator import seed_register
from jichitai.demo.seals import register_demo_seals
from jichitai.domain.access.actor import Actor
from jichitai.domain.access.roles import Role
from jichitai.domain.certificates.kinds import CertificateKind, ItemChoice, SheetLayout
from jichitai.domain.errors import DomainError
from jichitai.services.certificates import CertificateRequest

NAME = "東京都千代田区"


class FixedClock:
    """The demo's day, 2026-11-26 at 10:00 JST, so the examples come out the same each time."""

    def now(self) -> datetime:
        return datetime(2026, 11, 26, 1, 0, tzinfo=UTC)

    def today(self) -> date:
        return TODAY


def main(out: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="jichitai-examples-") as tmp:
        directory = Path(tmp)
        settings = Settings(
            database_url=f"sqlite:///{directory / 'examples.db'}", key_dir=str(directory / "keys")
        )
        app = bootstrap(settings, clock=FixedClock(), random=SeededRandom(1))
        app.upgrade_database()
        app.municipalities.add(CODE, NAME)
        app.certificates.ensure_keys(CODE)
        admin = Actor("examples-admin", CODE, frozenset({Role.ADMINISTRATOR}))
        name_demo_certifier(app.certificates, admin, NAME)
        clerk = Actor("examples-clerk", CODE, frozenset({Role.CLERK}), terminal="本庁1")
        summary = seed_register(
            app.register,
            CODE,
            municipality_prefecture="東京都",
            municipality_city="千代田区",
            residents=300,
            seed=1,
            today=TODAY,
        )
        register_demo_seals(  # as `jichitai demo seed` does
            app.seals.register,
            app.draw_seal_scan,
            lambda atena: app.queries.current(CODE, atena),
            clerk,
            summary.persons,
            TODAY,
        )
        reviewer = Actor("examples-reviewer", CODE, frozenset({Role.REVIEWER}), terminal="本庁1")

        r = t.residents
        with app.engine.connect() as db:
            living = db.execute(
                select(r.c.atena_number, r.c.household_number, r.c.kind, r.c.relationship)
                .where(r.c.municipality_code == CODE, r.c.removed_on.is_(None))
                .order_by(r.c.atena_number)
            ).all()
            removed = db.execute(
                select(r.c.atena_number)
                .where(r.c.municipality_code == CODE, r.c.removed_on.is_not(None))
                .order_by(r.c.atena_number)
            ).scalars()
            removed = list(removed)
            seal = db.execute(
                select(
                    t.seal_registrations.c.registration_number, t.seal_registrations.c.atena_number
                )
                .where(
                    t.seal_registrations.c.municipality_code == CODE,
                    t.seal_registrations.c.status == "active",
                )
                .order_by(t.seal_registrations.c.registration_number)
            ).first()
        sizes = Counter(row.household_number for row in living)
        four = next(row.atena_number for row in living if sizes[row.household_number] == 4)
        large = next(row.atena_number for row in living if sizes[row.household_number] >= 5)
        foreign = next(row.atena_number for row in living if row.kind == "foreign")
        with_history = max(removed, key=lambda a: len(app.queries.history(CODE, a)))
        pending = [  # a move-out filed for a later date: still resident today
            a
            for a in removed
            if not app.queries.current(CODE, a).is_removed
            and app.queries.latest(CODE, a).move_out is not None
        ]
        pending.sort(key=lambda a: app.queries.current(CODE, a).relationship.text != "同居人")
        head = ItemChoice(head_and_relationship=True)
        issued = {
            "juminhyo": app.certificates.issue(
                clerk,
                CertificateRequest(
                    four, CertificateKind.RESIDENCE_CERTIFICATE, household=True, items=head
                ),
            ),
            "juminhyo-2": app.certificates.issue(
                clerk,
                CertificateRequest(
                    large, CertificateKind.RESIDENCE_CERTIFICATE, household=True, items=head
                ),
            ),
            "johyo": app.certificates.issue(
                clerk,
                CertificateRequest(
                    with_history, CertificateKind.REMOVED_RECORD_CERTIFICATE, with_history=True
                ),
            ),
            "kisai-jiko": app.certificates.issue(
                clerk,
                CertificateRequest(
                    foreign,
                    CertificateKind.RECORDED_MATTERS_CERTIFICATE,
                    layout=SheetLayout.PERSONAL,
                    items=ItemChoice(foreign_items=True),
                ),
            ),
        }
        for mover in pending:  # the first the register issues one for (not a move abroad)
            try:
                issued["tenshutsu"] = app.certificates.issue(
                    reviewer, CertificateRequest(mover, CertificateKind.MOVE_OUT_CERTIFICATE)
                )
                break
            except DomainError:
                continue
        if seal is not None:
            issued["inkan"] = app.certificates.issue(
                clerk,
                CertificateRequest(
                    seal.atena_number,
                    CertificateKind.SEAL_CERTIFICATE,
                    seal_card_number=seal.registration_number,
                ),
            )
        out.mkdir(parents=True, exist_ok=True)
        for name, copy in issued.items():
            pdf = directory / f"{name}.pdf"
            pdf.write_bytes(copy.pdf)
            subprocess.run(
                ["pdftoppm", "-r", "60", "-png", str(pdf), str(directory / name)], check=True
            )
            pages = sorted(directory.glob(f"{name}-*.png"))
            page = pages[-1] if name == "juminhyo-2" else pages[0]
            shutil.copyfile(page, out / f"{name}.png")
            print(f"{out / name}.png  ({len(pages)} page(s))")  # noqa: T201


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/examples"))
