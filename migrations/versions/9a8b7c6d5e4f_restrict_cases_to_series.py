"""A program setting: physicians read only the cases of their own boards.

Revision ID: 9a8b7c6d5e4f
Revises: 81de6a98059d
Create Date: 2026-11-21 08:45:00
"""

import sqlalchemy as sa
from alembic import op

revision = "9a8b7c6d5e4f"
down_revision = "81de6a98059d"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("program_settings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("restrict_cases_to_series", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table("program_settings", schema=None) as batch_op:
        batch_op.drop_column("restrict_cases_to_series")
