"""Suppressions: ``feed_told_seq``, the journal entry that told the feed a setting began to apply
(a ``protection`` entry, docs/integration.md "Withheld persons"); NULL while a setting made in
advance has not begun, 0 when there was nothing to tell.

Settings made before this revision are marked told (0), except those not lifted that concern
the feed (they guard ``feed`` or are a support measure) and begin after today (in Japan): those
are told on their first day.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07
"""

from collections.abc import Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JAPAN = ZoneInfo("Asia/Tokyo")
SUPPORT_KINDS = ("dv_support", "provisional_dv_support")


def upgrade() -> None:
    op.add_column("suppressions", sa.Column("feed_told_seq", sa.BigInteger(), nullable=True))
    op.create_index(
        "ix_suppressions_feed_due",
        "suppressions",
        ["municipality_code", "feed_told_seq", "starts_on"],
    )
    connection = op.get_bind()
    today = datetime.now(JAPAN).date()  # noqa: TID251  # a migration runs once, on the real day
    rows = connection.execute(
        sa.text(
            "SELECT municipality_code, suppression_id, kind, processes, starts_on, lifted_at"
            " FROM suppressions"
        )
    )
    told = [
        {"mc": code, "id": sid}
        for code, sid, kind, processes, starts_on, lifted_at in rows
        if not (
            lifted_at is None
            and _day(starts_on) > today
            and (kind in SUPPORT_KINDS or "feed" in str(processes).split(","))
        )
    ]
    if told:
        connection.execute(
            sa.text(
                "UPDATE suppressions SET feed_told_seq = 0"
                " WHERE municipality_code = :mc AND suppression_id = :id"
            ),
            told,
        )


def _day(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def downgrade() -> None:
    op.drop_index("ix_suppressions_feed_due", table_name="suppressions")
    with op.batch_alter_table("suppressions") as batch:
        batch.drop_column("feed_told_seq")
