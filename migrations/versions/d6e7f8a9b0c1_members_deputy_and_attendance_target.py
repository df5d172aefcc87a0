"""Board members: a deputy chair, the day each joined (their attendance counts from it), and the series' attendance
target (2 of 3 meetings unless changed). Existing members joined on their series' first meeting.

Revision ID: d6e7f8a9b0c1
Revises: c5d6e7f8a9b0
Create Date: 2026-12-03 19:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "d6e7f8a9b0c1"
down_revision = "c5d6e7f8a9b0"
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN with defaults (a batch would rebuild the tables on SQLite and lose their triggers).
    op.add_column("series_members", sa.Column("is_deputy", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column("series_members", sa.Column("joined_on", sa.Date(), nullable=False, server_default="2000-01-01"))
    op.execute(
        "UPDATE series_members SET joined_on = "
        "(SELECT starts_on FROM conference_series WHERE conference_series.id = series_members.series_id)"
    )
    for name, default in (("numerator", "2"), ("denominator", "3")):
        op.add_column(
            "conference_series",
            sa.Column(f"attendance_target_{name}", sa.Integer(), nullable=False, server_default=default),
        )


def downgrade():
    for name in ("numerator", "denominator"):
        op.drop_column("conference_series", f"attendance_target_{name}")
    op.drop_column("series_members", "joined_on")
    op.drop_column("series_members", "is_deputy")
