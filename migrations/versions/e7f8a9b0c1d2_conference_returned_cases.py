"""A cancelled meeting keeps the cases it sent back to the queue, so restoring it puts them back on its agenda.

Revision ID: e7f8a9b0c1d2
Revises: d6e7f8a9b0c1
Create Date: 2026-12-03 20:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "e7f8a9b0c1d2"
down_revision = "d6e7f8a9b0c1"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("conferences", sa.Column("returned_case_ids", sa.Text(), nullable=False, server_default=""))


def downgrade():
    op.drop_column("conferences", "returned_case_ids")
