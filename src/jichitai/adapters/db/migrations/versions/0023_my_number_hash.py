"""個人番号 at rest (ADR 0015): the projection keeps the number's keyed hash, never the number.

``residents.individual_number`` (the clear 12 digits, searched by equality) is replaced by
``individual_number_hash`` (HMAC-SHA256 under the municipality's search key, hex), with its index.
The keys are in the key directory, which the migration does not read: on a database that held
residents before this revision the new column starts empty, and the schema owner runs
``jichitai keys encrypt-existing`` once right after it (docs/operations.md "個人番号 at rest"):
that fills the hashes from the snapshots and seals the snapshots and drafts written before.
On a new database there is nothing to do.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_residents_individual_number", table_name="residents")
    with op.batch_alter_table("residents") as batch:
        batch.add_column(sa.Column("individual_number_hash", sa.String(64), nullable=True))
        batch.drop_column("individual_number")
    op.create_index(
        "ix_residents_individual_number_hash",
        "residents",
        ["municipality_code", "individual_number_hash"],
    )


def downgrade() -> None:
    # The clear number is not put back (that needs the keys): ``keys encrypt-existing`` is not
    # undone either; the snapshots keep the sealed values.
    op.drop_index("ix_residents_individual_number_hash", table_name="residents")
    with op.batch_alter_table("residents") as batch:
        batch.add_column(sa.Column("individual_number", sa.String(12), nullable=True))
        batch.drop_column("individual_number_hash")
    op.create_index(
        "ix_residents_individual_number", "residents", ["municipality_code", "individual_number"]
    )
