"""Patients get the key "Find a patient" matches names on: lower case, without accents, each name's words and the
name written without its separators (tumorboard/cases/search.py's name_key, frozen here as of this revision).

Revision ID: c5d6e7f8a9b0
Revises: b4c5d6e7f8a9
Create Date: 2026-12-03 19:20:00
"""

import re
import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "c5d6e7f8a9b0"
down_revision = "b4c5d6e7f8a9"
branch_labels = None
depends_on = None


def _folded(text):
    plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^0-9a-z]+", " ", plain.casefold()).split())


def _name_key(last_name, first_name):
    words = [_folded(name or "") for name in (last_name, first_name)]
    squashed = [word.replace(" ", "") for word in words if " " in word]
    return " " + " ".join(part for part in (*words, *squashed) if part) + " "


def upgrade():
    # Plain ADD COLUMN (a batch would rebuild the table on SQLite and lose its report-data triggers).
    op.add_column("patients", sa.Column("name_key", sa.String(length=400), nullable=False, server_default=""))
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, last_name, first_name FROM patients")).all()
    keys = [{"id": id_, "key": _name_key(last, first)} for id_, last, first in rows]
    for start in range(0, len(keys), 10_000):
        bind.execute(sa.text("UPDATE patients SET name_key = :key WHERE id = :id"), keys[start:start + 10_000])


def downgrade():
    op.drop_column("patients", "name_key")
