"""Planned changes: each journal entry recorded before its 異動日 (a 転出 filed before the move),
so that the feed can say a change is planned and append a ``took_effect`` entry on its day
(``jichitai feed effective``, docs/integration.md "Dates: what an answer is as of").

Entries recorded before this revision with a 異動日 after the day they were recorded (in Japan)
are entered here; those whose day has passed are marked as told (``took_effect_seq`` 0), since
the feed cannot go back and tell them on their day.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07
"""

from collections.abc import Sequence
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APP_ROLE = "jichitai_app"
JAPAN = ZoneInfo("Asia/Tokyo")


def upgrade() -> None:
    op.create_table(
        "planned_changes",
        sa.Column("municipality_code", sa.String(6), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False, autoincrement=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("took_effect_seq", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("municipality_code", "seq", name=op.f("pk_planned_changes")),
    )
    op.create_index(
        "ix_planned_changes_due",
        "planned_changes",
        ["municipality_code", "took_effect_seq", "effective_on"],
    )
    _enter_earlier_plans()
    if op.get_context().dialect.name == "postgresql":
        op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON planned_changes TO {APP_ROLE}")


def _day(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _moment(value: object) -> datetime:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _enter_earlier_plans() -> None:
    connection = op.get_bind()
    today = datetime.now(JAPAN).date()  # noqa: TID251  # a migration runs once, on the real day
    rows = connection.execute(
        sa.text("SELECT municipality_code, seq, effective_on, recorded_at FROM journal")
    )
    planned = []
    for code, seq, effective_on, recorded_at in rows:
        day = _day(effective_on)
        if day > _moment(recorded_at).astimezone(JAPAN).date():
            planned.append({"mc": code, "s": seq, "on": day, "t": 0 if day <= today else None})
    if planned:
        connection.execute(
            sa.text(
                "INSERT INTO planned_changes (municipality_code, seq, effective_on, took_effect_seq)"
                " VALUES (:mc, :s, :on, :t)"
            ),
            planned,
        )


def downgrade() -> None:
    op.drop_index("ix_planned_changes_due", table_name="planned_changes")
    op.drop_table("planned_changes")
