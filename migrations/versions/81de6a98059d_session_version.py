"""A session version per user: raising it signs the user out everywhere.

Revision ID: 81de6a98059d
Revises: d2e3f4a5b6c7
Create Date: 2026-11-21 08:22:43
"""

import sqlalchemy as sa
from alembic import op

revision = "81de6a98059d"
down_revision = "d2e3f4a5b6c7"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("session_version", sa.Integer(), server_default="0", nullable=False))


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("session_version")
