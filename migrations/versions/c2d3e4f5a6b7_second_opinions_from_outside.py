"""Second opinions from outside: a request without a patient (no MRN yet) keeps its own identity; a caregiver may
ask; where a request came from, the referral, insurance details, attached record files and the public forms' post
counts.

`second_opinion_requests.patient_id` becomes nullable. On SQLite that rebuilds the table, so:
- foreign keys are off during the rebuild (dropping the old table would otherwise cascade to its records
  checklist), which needs a moment outside the migration's transaction (`autocommit_block`): the rebuild's steps
  are not one transaction there, so take a backup first (`flask --app tumorboard backup PATH`), as before any upgrade;
- the rebuild drops the table's report-data triggers (e5f6a7b8c9d0, b0c1d2e3f4a5): they are made again.

Revision ID: c2d3e4f5a6b7
Revises: b0c1d2e3f4a5
Create Date: 2026-12-07 23:30:00
"""

import contextlib
import warnings

import sqlalchemy as sa
from alembic import op

revision = "c2d3e4f5a6b7"
down_revision = "b0c1d2e3f4a5"
branch_labels = None
depends_on = None

TABLE = "second_opinion_requests"
# Frozen as of b0c1d2e3f4a5.
UPDATE_TOKEN = "UPDATE report_data_version SET token = lower(hex(randomblob(16))) WHERE id = 1;"
REQUESTERS = ("patient", "referring_provider")
REQUESTERS_NOW = ("patient", "caregiver", "referring_provider")
SEX = ("female", "male", "other", "unknown")
SOURCES = ("staff", "web_request", "web_referral")
PRIOR_AUTHORIZATIONS = ("not_checked", "not_needed", "needed", "requested", "approved", "denied")
RECORD_KINDS = (
    "pathology_report", "slides_blocks", "imaging_reports", "images", "labs", "operative_notes", "genetic_tests",
    "medication_list", "treatment_summary",
)


def _one_of(column, values):
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


CHECKS = {
    "sex": _one_of("sex", SEX),
    "request_source": _one_of("source", SOURCES),
    "prior_authorization": _one_of("prior_authorization", PRIOR_AUTHORIZATIONS),
}
TEXTS = {
    "last_name": 80, "first_name": 80, "referring_npi": 10, "treated_at": 200, "insurance_payer": 120,
    "insurance_plan": 120, "insurance_member_id": 60, "prior_authorization_reference": 60,
}
VERIFIED_BY = "fk_second_opinion_requests_insurance_verified_by_id_users"


def _sqlite_triggers():
    for operation in ("insert", "update", "delete"):
        name = f"report_data_{operation}_{TABLE}"
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute(f"CREATE TRIGGER {name} AFTER {operation.upper()} ON {TABLE} FOR EACH ROW BEGIN {UPDATE_TOKEN} END")


@contextlib.contextmanager
def _changing_requests():
    """A batch on the requests table: on SQLite a rebuild with foreign keys off, its triggers made again after."""
    if op.get_bind().dialect.name != "sqlite":
        with op.batch_alter_table(TABLE) as batch:
            yield batch
        return
    with op.get_context().autocommit_block(), warnings.catch_warnings():
        # The rebuild reflects the tables it refers to; users' index on lower(email) is one SQLAlchemy cannot read
        # (and need not: users is not rebuilt).
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based index", sa.exc.SAWarning)
        op.execute("PRAGMA foreign_keys = OFF")
        try:
            with op.batch_alter_table(TABLE, recreate="always") as batch:
                yield batch
            _sqlite_triggers()
        finally:
            op.execute("PRAGMA foreign_keys = ON")


def upgrade():
    with _changing_requests() as batch:
        for name, length in TEXTS.items():
            batch.add_column(sa.Column(name, sa.String(length), nullable=False, server_default=""))
        batch.add_column(sa.Column("birth_date", sa.Date(), nullable=True))
        batch.add_column(sa.Column("sex", sa.String(32), nullable=True))
        batch.add_column(sa.Column("source", sa.String(32), nullable=False, server_default="staff"))
        batch.add_column(sa.Column("referral_reason", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("consent_to_contact", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("insurance_verified_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("insurance_verified_by_id", sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column("prior_authorization", sa.String(32), nullable=False, server_default="not_checked")
        )
        batch.create_foreign_key(op.f(VERIFIED_BY), "users", ["insurance_verified_by_id"], ["id"])
        for name, condition in CHECKS.items():
            batch.create_check_constraint(op.f(f"ck_{TABLE}_{name}"), condition)
        batch.alter_column("patient_id", existing_type=sa.Integer(), nullable=True)
        batch.drop_constraint(op.f(f"ck_{TABLE}_requester"), type_="check")
        batch.create_check_constraint(op.f(f"ck_{TABLE}_requester"), _one_of("requester", REQUESTERS_NOW))
    # Every request so far has its patient: the request's own identity is theirs.
    for column in ("last_name", "first_name", "birth_date", "sex"):
        op.execute(
            f"UPDATE {TABLE} SET {column} = (SELECT patients.{column} FROM patients "  # nosec B608: fixed names
            f"WHERE patients.id = {TABLE}.patient_id)"
        )

    op.create_table(
        "second_opinion_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("filename", sa.String(200), nullable=False),
        sa.Column("media_type", sa.String(60), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_second_opinion_files")),
        sa.ForeignKeyConstraint(["request_id"], [f"{TABLE}.id"], ondelete="CASCADE",
                                name=op.f("fk_second_opinion_files_request_id_second_opinion_requests")),
        sa.ForeignKeyConstraint(["uploaded_by_id"], ["users.id"], name=op.f("fk_second_opinion_files_uploaded_by_id_users")),
        sa.CheckConstraint(_one_of("kind", RECORD_KINDS), name=op.f("ck_second_opinion_files_record_kind")),
    )
    op.create_index(op.f("ix_second_opinion_files_request_id"), "second_opinion_files", ["request_id"])
    op.create_table(
        "public_form_counts",
        sa.Column("key", sa.String(60), nullable=False),
        sa.Column("window_started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("posts", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_public_form_counts")),
    )
    op.create_index(op.f("ix_public_form_counts_window_started_at"), "public_form_counts", ["window_started_at"])


def downgrade():
    op.drop_index(op.f("ix_public_form_counts_window_started_at"), "public_form_counts")
    op.drop_table("public_form_counts")
    op.drop_index(op.f("ix_second_opinion_files_request_id"), "second_opinion_files")
    op.drop_table("second_opinion_files")
    # A request without a patient cannot be kept by the schema before this revision.
    op.execute(f"DELETE FROM second_opinion_records WHERE request_id IN (SELECT id FROM {TABLE} "  # nosec B608
               "WHERE patient_id IS NULL)")
    op.execute(f"DELETE FROM {TABLE} WHERE patient_id IS NULL")  # nosec B608: a fixed name
    op.execute(f"UPDATE {TABLE} SET requester = 'patient' WHERE requester = 'caregiver'")  # nosec B608
    with _changing_requests() as batch:
        batch.alter_column("patient_id", existing_type=sa.Integer(), nullable=False)
        batch.drop_constraint(op.f(f"ck_{TABLE}_requester"), type_="check")
        batch.create_check_constraint(op.f(f"ck_{TABLE}_requester"), _one_of("requester", REQUESTERS))
        for name in CHECKS:
            batch.drop_constraint(op.f(f"ck_{TABLE}_{name}"), type_="check")
        batch.drop_constraint(op.f(VERIFIED_BY), type_="foreignkey")
        for column in (*TEXTS, "birth_date", "sex", "source", "referral_reason", "consent_to_contact",
                       "insurance_verified_on", "insurance_verified_by_id", "prior_authorization"):
            batch.drop_column(column)
