"""When an issued letter's copy was filed under REPORTS_DIR: a letter whose copy could not be written is filed later.

Letters issued before this revision start unfiled: the next filing run writes any copy that is missing and marks
those already on disk.

Revision ID: a7b8c9d0e1f2
Revises: f6a7b8c9d0e1
Create Date: 2026-12-02 19:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "a7b8c9d0e1f2"
down_revision = "f6a7b8c9d0e1"
branch_labels = None
depends_on = None


# Plain ALTER TABLE, not batch mode: recreating plan_letters on SQLite would drop its report-data triggers (e5f6a7b8c9d0).
def upgrade():
    op.add_column("plan_letters", sa.Column("filed_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_plan_letters_filed_at", "plan_letters", ["filed_at"])


def downgrade():
    op.drop_index("ix_plan_letters_filed_at", table_name="plan_letters")
    op.drop_column("plan_letters", "filed_at")  # SQLite 3.35 and later drop a column in place
