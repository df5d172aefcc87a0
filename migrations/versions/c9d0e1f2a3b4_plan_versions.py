"""A consensus plan's version, and the version each vote was cast on (votes on an earlier version are not counted).

Revision ID: c9d0e1f2a3b4
Revises: b8c9d0e1f2a3
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "c9d0e1f2a3b4"
down_revision = "b8c9d0e1f2a3"
branch_labels = None
depends_on = None


def upgrade():
    # Plain add_column (not batch): a batch rebuild of these tables on SQLite would drop the report-data triggers.
    op.add_column("consensus_plans", sa.Column("version", sa.Integer(), server_default="1", nullable=False))
    op.add_column("votes", sa.Column("plan_version", sa.Integer(), server_default="1", nullable=False))


def downgrade():
    op.drop_column("votes", "plan_version")
    op.drop_column("consensus_plans", "version")
