"""The register: municipalities, 異動 journal, resident history and projections, drafts.

Revision ID: 0001
Revises:
Create Date: 2026-11-27

Written by hand (not ``metadata.create_all``) and self-contained: it must keep creating exactly
this schema whatever ``tables.py`` later becomes. Constraint and index names are spelled out.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MC = 6  # municipality code length


def _mc() -> sa.Column[str]:
    return sa.Column("municipality_code", sa.String(MC), nullable=False)


def upgrade() -> None:
    op.create_table(
        "municipalities",
        sa.Column("code", sa.String(MC), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_municipalities")),
    )

    op.create_table(
        "journal",
        _mc(),
        sa.Column("seq", sa.BigInteger(), nullable=False, autoincrement=False),
        sa.Column("event_id", sa.String(36), nullable=False),
        sa.Column("idempotency_key", sa.String(200), nullable=True),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("reason", sa.String(60), nullable=False),
        sa.Column("reason_group", sa.String(12), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("filed_on", sa.Date(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("operator", sa.String(100), nullable=False),
        sa.Column("place", sa.String(100), nullable=False),
        sa.Column("terminal", sa.String(100), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("ex_officio", sa.Boolean(), nullable=False),
        sa.Column("corrects_event_id", sa.String(36), nullable=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("entry_hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("municipality_code", "seq", name=op.f("pk_journal")),
        sa.UniqueConstraint("event_id", name=op.f("uq_journal_event_id")),
        sa.UniqueConstraint(
            "municipality_code",
            "idempotency_key",
            name=op.f("uq_journal_municipality_code_idempotency_key"),
        ),
        sa.ForeignKeyConstraint(
            ["municipality_code"],
            ["municipalities.code"],
            name=op.f("fk_journal_municipality_code_municipalities"),
        ),
    )
    op.create_index(
        op.f("ix_journal_effective_on"), "journal", ["municipality_code", "effective_on"]
    )
    op.create_index(op.f("ix_journal_reason"), "journal", ["municipality_code", "reason"])

    op.create_table(
        "resident_history",
        _mc(),
        sa.Column("atena_number", sa.String(10), nullable=False),
        sa.Column("history_number", sa.Integer(), nullable=False, autoincrement=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("event_id", sa.String(36), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(60), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("record", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint(
            "municipality_code",
            "atena_number",
            "history_number",
            name=op.f("pk_resident_history"),
        ),
    )
    op.create_index(
        op.f("ix_resident_history_seq"), "resident_history", ["municipality_code", "seq"]
    )

    op.create_table(
        "residents",
        _mc(),
        sa.Column("atena_number", sa.String(10), nullable=False),
        sa.Column("history_number", sa.Integer(), nullable=False),
        sa.Column("household_number", sa.String(10), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("sex", sa.String(8), nullable=True),
        sa.Column("relationship", sa.String(60), nullable=False),
        sa.Column("name_text", sa.String(200), nullable=False),
        sa.Column("kana_key", sa.String(200), nullable=False),
        sa.Column("kanji_key", sa.String(200), nullable=False),
        sa.Column("birth_sort", sa.Date(), nullable=True),
        sa.Column("birth_text", sa.String(60), nullable=True),
        sa.Column("address_text", sa.String(400), nullable=True),
        sa.Column("address_key", sa.String(400), nullable=True),
        sa.Column("individual_number", sa.String(12), nullable=True),
        sa.Column("resident_code", sa.String(11), nullable=True),
        sa.Column("residence_card_number", sa.String(12), nullable=True),
        sa.Column("removed_on", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("municipality_code", "atena_number", name=op.f("pk_residents")),
    )
    for column in (
        "kana_key",
        "kanji_key",
        "birth_sort",
        "individual_number",
        "resident_code",
        "residence_card_number",
        "address_key",
    ):
        op.create_index(op.f(f"ix_residents_{column}"), "residents", ["municipality_code", column])
    # Households are read with their living members on every change: one index answers both.
    op.create_index(
        op.f("ix_residents_household_number"),
        "residents",
        ["municipality_code", "household_number", "status"],
    )

    op.create_table(
        "households",
        _mc(),
        sa.Column("household_number", sa.String(10), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("head_atena_number", sa.String(10), nullable=True),
        sa.Column("address_text", sa.String(400), nullable=False),
        sa.Column("member_count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "municipality_code", "household_number", name=op.f("pk_households")
        ),
    )

    op.create_table(
        "drafts",
        _mc(),
        sa.Column("draft_id", sa.String(36), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("command", sa.Text(), nullable=False),
        sa.Column("operator", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("event_id", sa.String(36), nullable=True),
        sa.Column("idempotency_key", sa.String(200), nullable=True),
        sa.PrimaryKeyConstraint("municipality_code", "draft_id", name=op.f("pk_drafts")),
        sa.CheckConstraint(
            "status IN ('pending', 'approved', 'discarded')", name=op.f("ck_drafts_status")
        ),
    )
    op.create_index(op.f("ix_drafts_status"), "drafts", ["municipality_code", "status"])

    op.create_table(
        "journal_heads",
        _mc(),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
        sa.Column("last_hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("municipality_code", name=op.f("pk_journal_heads")),
    )

    op.create_table(
        "id_sequences",
        _mc(),
        sa.Column("name", sa.String(20), nullable=False),
        sa.Column("next_value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("municipality_code", "name", name=op.f("pk_id_sequences")),
    )


def downgrade() -> None:
    # Reverse dependency order; dropping a table drops its indexes.
    for table in (
        "id_sequences",
        "journal_heads",
        "drafts",
        "households",
        "residents",
        "resident_history",
        "journal",
        "municipalities",
    ):
        op.drop_table(table)
