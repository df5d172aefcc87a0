"""A series' meeting window: the room opens some minutes before the start and closes some hours after the end.

Revision ID: e1f2a3b4c5d6
Revises: d0e1f2a3b4c5
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "e1f2a3b4c5d6"
down_revision = "d0e1f2a3b4c5"
branch_labels = None
depends_on = None


def upgrade():
    # Plain add_column (not batch): a batch rebuild of the table on SQLite would drop the report-data triggers.
    op.add_column("conference_series", sa.Column("opens_minutes_before", sa.Integer(), server_default="30", nullable=False))
    op.add_column("conference_series", sa.Column("closes_hours_after", sa.Integer(), server_default="4", nullable=False))


def downgrade():
    op.drop_column("conference_series", "closes_hours_after")
    op.drop_column("conference_series", "opens_minutes_before")
