"""A series' first meeting date, the anchor of its recurrence rule.

Revision ID: c1a2b3d4e5f6
Revises: b4557f1aa3f3
Create Date: 2026-11-21 05:45:00
"""

import sqlalchemy as sa
from alembic import op

revision = "c1a2b3d4e5f6"
down_revision = "b4557f1aa3f3"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("conference_series", schema=None) as batch_op:
        batch_op.add_column(sa.Column("starts_on", sa.Date(), nullable=True))
    # Existing series are anchored on the day they were created.
    day = "substr(created_at, 1, 10)" if op.get_bind().dialect.name == "sqlite" else "CAST(created_at AS DATE)"
    op.execute(f"UPDATE conference_series SET starts_on = {day}")
    with op.batch_alter_table("conference_series", schema=None) as batch_op:
        batch_op.alter_column("starts_on", existing_type=sa.Date(), nullable=False)


def downgrade():
    with op.batch_alter_table("conference_series", schema=None) as batch_op:
        batch_op.drop_column("starts_on")
