"""User names and e-mail addresses are unique whatever their case ("Coordinator" and "coordinator" were two users).

Refuses to upgrade, naming them, while two users already differ only in case: an administrator renames one first.

Revision ID: a3b4c5d6e7f8
Revises: f2a3b4c5d6e7
Create Date: 2026-12-03 18:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "a3b4c5d6e7f8"
down_revision = "f2a3b4c5d6e7"
branch_labels = None
depends_on = None


def upgrade():
    for column in ("username", "email"):
        clashes = op.get_bind().execute(sa.text(
            f"SELECT lower({column}) FROM users GROUP BY lower({column}) HAVING count(*) > 1"  # noqa: S608 (constant)
        )).scalars().all()
        if clashes:
            raise RuntimeError(
                f"Users share a {column} but for its case ({', '.join(clashes)}): rename one of each on the "
                "Users page of the version still running, then upgrade again."
            )
        op.create_index(f"ux_users_{column}_lower", "users", [sa.text(f"lower({column})")], unique=True)


def downgrade():
    for column in ("username", "email"):
        op.drop_index(f"ux_users_{column}_lower", table_name="users")
