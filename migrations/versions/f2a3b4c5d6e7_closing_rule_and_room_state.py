"""The closing rule (share of voters, the room at closing, an override's reason) and the room state screens poll.

Revision ID: f2a3b4c5d6e7
Revises: e1f2a3b4c5d6
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "f2a3b4c5d6e7"
down_revision = "e1f2a3b4c5d6"
branch_labels = None
depends_on = None


def upgrade():
    # Plain add_column (not batch): a batch rebuild of the table on SQLite would drop the report-data triggers.
    op.add_column("conference_series", sa.Column("closing_voter_percent", sa.Integer(), server_default="50", nullable=False))
    op.add_column("consensus_plans", sa.Column("physicians_checked_in", sa.Integer(), nullable=True))
    op.add_column("consensus_plans", sa.Column("quorate_at_close", sa.Boolean(), nullable=True))
    op.add_column("consensus_plans",
                  sa.Column("close_override_reason", sa.String(length=500), server_default="", nullable=False))
    op.create_table(
        "room_states",
        sa.Column("conference_id", sa.Integer(), nullable=False),
        sa.Column("token", sa.BigInteger(), nullable=False),
        sa.Column("current_presentation_id", sa.Integer(), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["conference_id"], ["conferences.id"], name=op.f("fk_room_states_conference_id_conferences"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["current_presentation_id"], ["presentations.id"],
                                name=op.f("fk_room_states_current_presentation_id_presentations"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("conference_id", name=op.f("pk_room_states")),
    )


def downgrade():
    op.drop_table("room_states")
    op.drop_column("consensus_plans", "close_override_reason")
    op.drop_column("consensus_plans", "quorate_at_close")
    op.drop_column("consensus_plans", "physicians_checked_in")
    op.drop_column("conference_series", "closing_voter_percent")
