"""SQLite's report-data triggers write the token with one UPDATE (the row is kept here), not an UPDATE and an INSERT.

The INSERT that recreated a missing token row ran for every row written to a report table: about 6 us a row, a
tenth of a 10,000-case import. The row exists from migration e5f6a7b8c9d0 on and nothing in the application deletes
it on SQLite; were it deleted by hand, `reports.freshness.data_token` reads None and nothing is served from the
cache (correct, only slower). PostgreSQL's triggers are unchanged.

Revision ID: b0c1d2e3f4a5
Revises: a9b0c1d2e3f4
Create Date: 2026-12-04 20:20:00
"""

import uuid

import sqlalchemy as sa
from alembic import op

revision = "b0c1d2e3f4a5"
down_revision = "a9b0c1d2e3f4"
branch_labels = None
depends_on = None

# Frozen here as of this revision (the tables of e5f6a7b8c9d0).
TABLES = (
    "analytic_caseload", "attendance", "cases", "conference_series", "conferences", "consensus_plans", "letter_dispatches",
    "patients", "plan_letters", "presentations", "program_settings", "second_opinion_requests", "series_site_groups",
)
OPERATIONS = ("insert", "update", "delete")
UPDATE_TOKEN = "UPDATE report_data_version SET token = lower(hex(randomblob(16))) WHERE id = 1;"
RECREATE_TOKEN = (
    "INSERT INTO report_data_version (id, token) SELECT 1, lower(hex(randomblob(16))) "
    "WHERE NOT EXISTS (SELECT 1 FROM report_data_version WHERE id = 1);"
)


def _triggers(body: str) -> None:
    for table in TABLES:
        for operation in OPERATIONS:
            name = f"report_data_{operation}_{table}"
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
            op.execute(f"CREATE TRIGGER {name} AFTER {operation.upper()} ON {table} FOR EACH ROW BEGIN {body} END")


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        return
    op.execute(
        sa.text(
            "INSERT INTO report_data_version (id, token) SELECT 1, :token "
            "WHERE NOT EXISTS (SELECT 1 FROM report_data_version WHERE id = 1)"
        ).bindparams(token=uuid.uuid4().hex)
    )
    _triggers(UPDATE_TOKEN)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        return
    _triggers(f"{UPDATE_TOKEN} {RECREATE_TOKEN}")
