"""Earlier versions of a specialty's recommendation: who wrote it, when, who replaced it.

Revision ID: f6a7b8c9d0e1
Revises: e5f6a7b8c9d0
Create Date: 2026-12-02 11:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "f6a7b8c9d0e1"
down_revision = "e5f6a7b8c9d0"
branch_labels = None
depends_on = None

MODALITIES = ("surgery", "systemic_therapy", "radiation", "active_surveillance", "further_workup", "palliative_supportive", "clinical_trial", "other")
INTENTS = ("curative", "palliative")


def upgrade():
    op.create_table(
        "recommendation_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recommendation_id", sa.Integer(), nullable=False),
        sa.Column("modality", sa.Enum(*MODALITIES, name="modality", native_enum=False, create_constraint=True, length=32), nullable=False),
        sa.Column("intent", sa.Enum(*INTENTS, name="intent", native_enum=False, create_constraint=True, length=32), nullable=True),
        sa.Column("sequence", sa.String(length=300), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("replaced_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("replaced_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"], name=op.f("fk_recommendation_versions_author_id_users")),
        sa.ForeignKeyConstraint(["recommendation_id"], ["recommendations.id"], ondelete="CASCADE",
                                name=op.f("fk_recommendation_versions_recommendation_id_recommendations")),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["users.id"], name=op.f("fk_recommendation_versions_recorded_by_id_users")),
        sa.ForeignKeyConstraint(["replaced_by_id"], ["users.id"], name=op.f("fk_recommendation_versions_replaced_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recommendation_versions")),
    )
    op.create_index(op.f("ix_recommendation_versions_recommendation_id"), "recommendation_versions", ["recommendation_id"])


def downgrade():
    op.drop_index(op.f("ix_recommendation_versions_recommendation_id"), table_name="recommendation_versions")
    op.drop_table("recommendation_versions")
