"""The 異動 journal is append-only in the database, as the access log and the seal journal are.

Triggers refuse UPDATE and DELETE of its rows for every connection (PostgreSQL: TRUNCATE too,
with the function ``jichitai_append_only`` of 0002); on PostgreSQL the application role keeps
only SELECT and INSERT on it. Nothing in the application changes or removes a journal entry: a
change is corrected by a new entry (``corrects_event_id``), a migration import only appends, and
a failed one rolls its transaction back. ``journal_heads`` stays writable (each append moves it).

A later migration that rebuilds ``journal`` on SQLite (``batch_alter_table``: copy, drop,
rename) loses these triggers with the old table and must create them again.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APP_ROLE = "jichitai_app"


def upgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute(
            "CREATE TRIGGER journal_append_only BEFORE UPDATE OR DELETE ON journal "
            "FOR EACH ROW EXECUTE FUNCTION jichitai_append_only()"
        )
        op.execute(
            "CREATE TRIGGER journal_no_truncate BEFORE TRUNCATE ON journal "
            "FOR EACH STATEMENT EXECUTE FUNCTION jichitai_append_only()"
        )
        op.execute(f"REVOKE UPDATE, DELETE, TRUNCATE ON journal FROM {APP_ROLE}")
    else:
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER journal_no_{action.lower()} BEFORE {action} ON journal "
                "BEGIN SELECT RAISE(ABORT, 'journal is append-only'); END"
            )


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute(f"GRANT UPDATE, DELETE ON journal TO {APP_ROLE}")
        op.execute("DROP TRIGGER journal_append_only ON journal")
        op.execute("DROP TRIGGER journal_no_truncate ON journal")
    else:
        for action in ("update", "delete"):
            op.execute(f"DROP TRIGGER journal_no_{action}")
