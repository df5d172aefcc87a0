"""Each audit entry names the patients it concerns (audit_subjects), list and agenda views included.

Existing entries are linked too: those naming a case, patient, second-opinion request, presentation or letter by
their own record, list views by the ids their detail kept ("ids=1,2,3"), and agenda changes by "case=N".
On PostgreSQL the table is append-only like the log itself.

Revision ID: b4c5d6e7f8a9
Revises: a3b4c5d6e7f8
Create Date: 2026-12-03 19:00:00
"""

import re

import sqlalchemy as sa
from alembic import op

revision = "b4c5d6e7f8a9"
down_revision = "a3b4c5d6e7f8"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
INSERT = "INSERT INTO audit_subjects (audit_id, patient_id, case_id) "
BY_RECORD = {
    "case": "SELECT a.id, c.patient_id, c.id FROM audit_log a JOIN cases c ON c.id = a.entity_id "
    "WHERE a.entity_type = 'case'",
    "patient": "SELECT a.id, p.id, NULL FROM audit_log a JOIN patients p ON p.id = a.entity_id "
    "WHERE a.entity_type = 'patient'",
    "second_opinion": "SELECT a.id, r.patient_id, r.case_id FROM audit_log a "
    "JOIN second_opinion_requests r ON r.id = a.entity_id WHERE a.entity_type = 'second_opinion'",
    "presentation": "SELECT a.id, c.patient_id, c.id FROM audit_log a JOIN presentations p ON p.id = a.entity_id "
    "JOIN cases c ON c.id = p.case_id WHERE a.entity_type = 'presentation'",
    "letter": "SELECT a.id, c.patient_id, c.id FROM audit_log a JOIN plan_letters l ON l.id = a.entity_id "
    "JOIN presentations p ON p.id = l.presentation_id JOIN cases c ON c.id = p.case_id WHERE a.entity_type = 'letter'",
}
NAMED_IN_DETAIL = re.compile(r"(?:^|;)(?:ids|case)=([\d,]+)")


def upgrade():
    op.create_table(
        "audit_subjects",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("audit_id", BIG_ID, nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["audit_id"], ["audit_log.id"], name=op.f("fk_audit_subjects_audit_id_audit_log")),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_audit_subjects_case_id_cases")),
        sa.ForeignKeyConstraint(["patient_id"], ["patients.id"], name=op.f("fk_audit_subjects_patient_id_patients")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_subjects")),
    )
    op.create_index("ix_audit_subjects_audit_id", "audit_subjects", ["audit_id"])
    op.create_index("ix_audit_subjects_patient", "audit_subjects", ["patient_id", "audit_id"])
    op.create_index("ix_audit_subjects_case", "audit_subjects", ["case_id", "audit_id"])
    bind = op.get_bind()
    for select in BY_RECORD.values():
        bind.execute(sa.text(INSERT + select))
    named = bind.execute(sa.text(
        "SELECT id, detail FROM audit_log WHERE entity_id IS NULL AND entity_type = 'case' AND detail LIKE '%ids=%' "
        "UNION ALL SELECT id, detail FROM audit_log WHERE entity_type = 'conference' AND detail LIKE '%case=%'"
    )).all()
    pairs = [
        {"audit": audit_id, "case": int(case_id)}
        for audit_id, detail in named
        for match in NAMED_IN_DETAIL.finditer(detail or "")
        for case_id in match.group(1).split(",") if case_id
    ]
    link = sa.text(INSERT + "SELECT :audit, patient_id, id FROM cases WHERE id = :case")
    for start in range(0, len(pairs), 10_000):
        bind.execute(link, pairs[start:start + 10_000])
    if bind.dialect.name == "postgresql":  # the function comes with the log's own guard (d2e3f4a5b6c7)
        op.execute(
            "CREATE TRIGGER audit_subjects_append_only BEFORE UPDATE OR DELETE ON audit_subjects "
            "FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only()"
        )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_subjects_append_only ON audit_subjects")
    op.drop_index("ix_audit_subjects_case", table_name="audit_subjects")
    op.drop_index("ix_audit_subjects_patient", table_name="audit_subjects")
    op.drop_index("ix_audit_subjects_audit_id", table_name="audit_subjects")
    op.drop_table("audit_subjects")
