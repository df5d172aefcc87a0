"""The specialties present at each conference, read from an index alone (the accreditation report's attendance).

Revision ID: a9b0c1d2e3f4
Revises: f8a9b0c1d2e3
Create Date: 2026-12-04 20:50:00
"""

from alembic import op

revision = "a9b0c1d2e3f4"
down_revision = "f8a9b0c1d2e3"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_attendance_conference_specialty", "attendance", ["conference_id", "specialty"])


def downgrade():
    op.drop_index("ix_attendance_conference_specialty", table_name="attendance")
