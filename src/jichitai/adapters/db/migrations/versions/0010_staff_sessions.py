"""Staff sessions, and logins unique per municipality.

``staff_sessions`` holds one row per log-in (the token names it by ``session_id``); every request
reads it by its key, so a log-out, a password change or an administrator's change to the user
ends the session at once. ``staff_users.login`` is no longer unique across the deployment (an
administrator could learn another municipality's logins from ``user.exists``): the key
(municipality_code, login) stays, the UNIQUE constraint gives way to a plain index for log-ins
that do not name the municipality.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MC = 6
APP_ROLE = "jichitai_app"


def upgrade() -> None:
    with op.batch_alter_table("staff_users") as batch:
        batch.drop_constraint("uq_staff_users_login", type_="unique")
        batch.create_index("ix_staff_users_login", ["login"])
    op.create_table(
        "staff_sessions",
        sa.Column("municipality_code", sa.String(MC), nullable=False),
        sa.Column("session_id", sa.String(32), nullable=False),
        sa.Column("login", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("end_reason", sa.String(40), nullable=True),
        sa.PrimaryKeyConstraint("municipality_code", "session_id", name="pk_staff_sessions"),
        sa.ForeignKeyConstraint(
            ["municipality_code", "login"],
            ["staff_users.municipality_code", "staff_users.login"],
            name="fk_staff_sessions_staff_users",
        ),
    )
    op.create_index("ix_staff_sessions_login", "staff_sessions", ["municipality_code", "login"])
    if op.get_context().dialect.name == "postgresql":
        op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON staff_sessions TO {APP_ROLE}")


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute(f"REVOKE ALL ON staff_sessions FROM {APP_ROLE}")
    op.drop_index("ix_staff_sessions_login", table_name="staff_sessions")
    op.drop_table("staff_sessions")
    # Going back needs the logins to be unique across municipalities again; a downgrade with
    # the same login in two municipalities fails here, and nothing is lost.
    with op.batch_alter_table("staff_users") as batch:
        batch.drop_index("ix_staff_users_login")
        batch.create_unique_constraint("uq_staff_users_login", ["login"])
