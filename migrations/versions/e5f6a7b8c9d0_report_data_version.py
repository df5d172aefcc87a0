"""A token that changes with every change to the tables the accreditation report reads (reports/freshness.py).

SQLite: row triggers after each insert, update and delete write a new random token.
PostgreSQL: deferred constraint triggers write it once per transaction at commit (the token row is locked
last, so it cannot take part in a deadlock), and TRUNCATE deletes it.

Revision ID: e5f6a7b8c9d0
Revises: 9a8b7c6d5e4f
Create Date: 2026-11-21 10:30:00
"""

import uuid

import sqlalchemy as sa
from alembic import op

revision = "e5f6a7b8c9d0"
down_revision = "9a8b7c6d5e4f"
branch_labels = None
depends_on = None

# Frozen here as of this revision; reports.freshness.REPORT_TABLES is checked against the triggers by a test.
TABLES = (
    "analytic_caseload", "attendance", "cases", "conference_series", "conferences", "consensus_plans", "letter_dispatches",
    "patients", "plan_letters", "presentations", "program_settings", "second_opinion_requests", "series_site_groups",
)
OPERATIONS = ("insert", "update", "delete")
# Two statements that cannot conflict: in a trigger, SQLite applies the firing statement's conflict policy
# (INSERT OR IGNORE ...) to the body's statements too, which would silently skip an INSERT OR REPLACE.
SQLITE_NEW_TOKEN = (
    "UPDATE report_data_version SET token = lower(hex(randomblob(16))) WHERE id = 1; "
    "INSERT INTO report_data_version (id, token) SELECT 1, lower(hex(randomblob(16))) "
    "WHERE NOT EXISTS (SELECT 1 FROM report_data_version WHERE id = 1);"
)


def upgrade():
    op.create_table(
        "report_data_version",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("token", sa.String(length=36), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_report_data_version_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_data_version")),
    )
    op.execute(sa.text("INSERT INTO report_data_version (id, token) VALUES (1, :token)").bindparams(token=uuid.uuid4().hex))
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION report_data_changed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "IF current_setting('tumorboard.report_data_changed', true) IS DISTINCT FROM txid_current()::text THEN "
            "INSERT INTO report_data_version (id, token) VALUES (1, gen_random_uuid()::text) "
            "ON CONFLICT (id) DO UPDATE SET token = EXCLUDED.token; "
            "PERFORM set_config('tumorboard.report_data_changed', txid_current()::text, true); "
            "END IF; RETURN NULL; END $$"
        )
        op.execute(
            "CREATE FUNCTION report_data_truncated() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "DELETE FROM report_data_version; RETURN NULL; END $$"
        )
        for table in TABLES:
            op.execute(
                f"CREATE CONSTRAINT TRIGGER report_data_changed AFTER INSERT OR UPDATE OR DELETE ON {table} "
                "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION report_data_changed()"
            )
            op.execute(f"CREATE TRIGGER report_data_truncated AFTER TRUNCATE ON {table} FOR EACH STATEMENT EXECUTE FUNCTION report_data_truncated()")
        return
    for table in TABLES:
        for operation in OPERATIONS:
            op.execute(
                f"CREATE TRIGGER report_data_{operation}_{table} AFTER {operation.upper()} ON {table} FOR EACH ROW BEGIN "
                f"{SQLITE_NEW_TOKEN} END"
            )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"DROP TRIGGER report_data_changed ON {table}")
            op.execute(f"DROP TRIGGER report_data_truncated ON {table}")
        op.execute("DROP FUNCTION report_data_changed()")
        op.execute("DROP FUNCTION report_data_truncated()")
    else:
        for table in TABLES:
            for operation in OPERATIONS:
                op.execute(f"DROP TRIGGER report_data_{operation}_{table}")
    op.drop_table("report_data_version")
