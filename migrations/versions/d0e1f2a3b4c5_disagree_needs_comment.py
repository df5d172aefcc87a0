"""A series setting: a disagree vote needs a comment (on by default).

Revision ID: d0e1f2a3b4c5
Revises: c9d0e1f2a3b4
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "d0e1f2a3b4c5"
down_revision = "c9d0e1f2a3b4"
branch_labels = None
depends_on = None


def upgrade():
    # Plain add_column (not batch): a batch rebuild of the table on SQLite would drop the report-data triggers.
    op.add_column("conference_series",
                  sa.Column("disagree_needs_comment", sa.Boolean(), server_default=sa.true(), nullable=False))


def downgrade():
    op.drop_column("conference_series", "disagree_needs_comment")
