"""Calendar links found by the SHA-256 digest of their token (compared in constant time); a series' own secret link.

Revision ID: b8c9d0e1f2a3
Revises: a7b8c9d0e1f2
Create Date: 2026-12-03
"""

import hashlib

import sqlalchemy as sa
from alembic import op

revision = "b8c9d0e1f2a3"
down_revision = "a7b8c9d0e1f2"
branch_labels = None
depends_on = None


def upgrade():
    # Plain add_column (not batch): a batch rebuild of these tables on SQLite would drop the report-data triggers.
    op.add_column("users", sa.Column("calendar_token_digest", sa.String(length=64), nullable=True))
    op.create_index("ix_users_calendar_token_digest", "users", ["calendar_token_digest"], unique=True)
    op.add_column("conference_series", sa.Column("feed_token", sa.String(length=64), nullable=True))
    op.add_column("conference_series", sa.Column("feed_token_digest", sa.String(length=64), nullable=True))
    op.create_index("ix_conference_series_feed_token", "conference_series", ["feed_token"], unique=True)
    op.create_index("ix_conference_series_feed_token_digest", "conference_series", ["feed_token_digest"], unique=True)
    users = sa.table("users", sa.column("id", sa.Integer), sa.column("calendar_token", sa.String),
                     sa.column("calendar_token_digest", sa.String))
    connection = op.get_bind()
    tokens = sa.select(users.c.id, users.c.calendar_token).where(users.c.calendar_token.is_not(None))
    for user_id, token in connection.execute(tokens).all():
        digest = hashlib.sha256(token.encode()).hexdigest()
        connection.execute(users.update().where(users.c.id == user_id).values(calendar_token_digest=digest))


def downgrade():
    op.drop_index("ix_conference_series_feed_token_digest", table_name="conference_series")
    op.drop_index("ix_conference_series_feed_token", table_name="conference_series")
    op.drop_column("conference_series", "feed_token_digest")
    op.drop_column("conference_series", "feed_token")
    op.drop_index("ix_users_calendar_token_digest", table_name="users")
    op.drop_column("users", "calendar_token_digest")
