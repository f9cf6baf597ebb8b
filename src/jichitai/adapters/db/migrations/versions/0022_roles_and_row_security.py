"""Database roles and row-level security per municipality (PostgreSQL only; SQLite: nothing).

Roles (group roles, NOLOGIN: a deployment creates its logins ``IN ROLE`` one of them):

- the schema owner, whoever runs ``jichitai db upgrade``, owns every table; it bypasses row-level
  security (no ``FORCE``), so migrations and maintenance see every municipality;
- ``jichitai_app``, the application: DML only, as granted table by table since 0002 (no UPDATE
  or DELETE on the journal, the access log or the seal journal, nor on issued certificates);
  ``alembic_version`` becomes read-only to it; it has no CREATE on the schema (nor has PUBLIC);
- ``jichitai_auditor``: SELECT on the access log (entries, persons, heads) and nothing else.

Row-level security, the second wall (ADR 0014): each table whose rows belong to one municipality
lets ``jichitai_app`` (and the auditor, on the access log) see and write only the rows of the
municipality named by the transaction-local setting ``jichitai.municipality`` (the unit of work
sets it when it begins); without the setting nothing is visible. The four tables that a request
must look up across municipalities before it knows its municipality (staff_users by login,
subscribers by API key hash, certificate_issues by 確認コード, webhook_outbox for the worker's
queue) add a SELECT-only policy for a transaction that names that one table in
``jichitai.lookup``. ``municipalities`` and ``alembic_version`` carry no tenant rows and have no
row-level security.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APP_ROLE = "jichitai_app"
AUDITOR_ROLE = "jichitai_auditor"
ACCESS_LOG = ("access_log", "access_log_persons", "access_log_heads")
# Rows of one municipality, read and written only inside that municipality's unit of work.
SCOPED = (
    "journal",
    "resident_history",
    "residents",
    "households",
    "drafts",
    "planned_changes",
    "journal_heads",
    "id_sequences",
    "staff_sessions",
    "suppressions",
    "access_log",
    "access_log_persons",
    "access_log_heads",
    "certificate_disposals",
    "certificate_fees",
    "seal_heads",
    "seal_events",
    "seal_registrations",
    "town_areas",
)
# Rows of one municipality, but also looked up across municipalities (read only) by one query.
LOOKED_UP = ("staff_users", "subscribers", "certificate_issues", "webhook_outbox")
TENANT = "municipality_code = current_setting('jichitai.municipality', true)"


def _create_role(name: str) -> None:
    op.execute(
        f"""
        DO $$ BEGIN
            IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{name}') THEN
                CREATE ROLE {name} NOLOGIN;
            END IF;
        END $$
        """
    )


def upgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    _create_role(APP_ROLE)
    _create_role(AUDITOR_ROLE)
    op.execute(
        f"""
        DO $$ BEGIN
            EXECUTE format('REVOKE CREATE ON SCHEMA %I FROM PUBLIC, {APP_ROLE}, {AUDITOR_ROLE}',
                           current_schema());
            EXECUTE format('GRANT USAGE ON SCHEMA %I TO {APP_ROLE}, {AUDITOR_ROLE}',
                           current_schema());
        END $$
        """
    )
    # The table grants of 0002-0017 stand (tests/integration/test_row_security.py holds every
    # table to them); the application only reads which revision the schema is at.
    op.execute(f"REVOKE INSERT, UPDATE, DELETE ON alembic_version FROM {APP_ROLE}")
    op.execute(f"GRANT SELECT ON {', '.join(ACCESS_LOG)} TO {AUDITOR_ROLE}")
    for table in SCOPED + LOOKED_UP:
        roles = f"{APP_ROLE}, {AUDITOR_ROLE}" if table in ACCESS_LOG else APP_ROLE
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(
            f"CREATE POLICY tenant ON {table} TO {roles} USING ({TENANT}) WITH CHECK ({TENANT})"
        )
    for table in LOOKED_UP:
        op.execute(
            f"CREATE POLICY lookup ON {table} FOR SELECT TO {APP_ROLE}"
            f" USING (current_setting('jichitai.lookup', true) = '{table}')"
        )


def downgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    for table in LOOKED_UP:
        op.execute(f"DROP POLICY lookup ON {table}")
    for table in SCOPED + LOOKED_UP:
        op.execute(f"DROP POLICY tenant ON {table}")
        op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
    op.execute(f"REVOKE ALL ON {', '.join(ACCESS_LOG)} FROM {AUDITOR_ROLE}")
    op.execute(
        f"""
        DO $$ BEGIN
            EXECUTE format('REVOKE USAGE ON SCHEMA %I FROM {AUDITOR_ROLE}', current_schema());
        END $$
        """
    )
    # Roles belong to the cluster, not to this database (0002 leaves jichitai_app too).
    # As 0002 left it (UPDATE and DELETE on alembic_version; the append-only grants stay).
    op.execute(f"GRANT INSERT, UPDATE, DELETE ON alembic_version TO {APP_ROLE}")
