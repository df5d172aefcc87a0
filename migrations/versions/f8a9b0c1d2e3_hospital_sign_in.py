"""A user remembers who the hospital's identity provider says they are (issuer and subject), once linked.

Revision ID: f8a9b0c1d2e3
Revises: e7f8a9b0c1d2
Create Date: 2026-12-04 16:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "f8a9b0c1d2e3"
down_revision = "e7f8a9b0c1d2"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("users", sa.Column("sso_issuer", sa.String(255), nullable=True))
    op.add_column("users", sa.Column("sso_subject", sa.String(255), nullable=True))
    op.create_index("ux_users_sso", "users", ["sso_issuer", "sso_subject"], unique=True)


def downgrade():
    op.drop_index("ux_users_sso", table_name="users")
    op.drop_column("users", "sso_subject")
    op.drop_column("users", "sso_issuer")
