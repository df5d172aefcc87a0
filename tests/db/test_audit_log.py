"""The audit log only grows."""

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from tumorboard.audit.models import AuditEntry, AuditSubject
from tumorboard.audit.operations import AuditLogIsAppendOnly, record
from tumorboard.domain import Actor
from tumorboard.extensions import db


def test_entries_are_written_with_who_what_and_where(make):
    user = make.user()
    record(Actor(user, "10.1.2.3", datetime.now(UTC)), "view", "case", 42, "summary")
    db.session.commit()
    entry = db.session.scalars(sa.select(AuditEntry)).one()
    assert (entry.user_id, entry.action, entry.entity_type, entry.entity_id, entry.remote_addr) == (
        user.id,
        "view",
        "case",
        42,
        "10.1.2.3",
    )
    assert entry.at is not None


def test_an_entry_cannot_be_changed(make):
    entry = record(Actor(None, None, datetime.now(UTC)), "view", "case", 1)
    db.session.commit()
    entry.action = "nothing happened"
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.flush()
    db.session.rollback()


def test_an_entry_cannot_be_deleted():
    entry = record(Actor(None, None, datetime.now(UTC)), "view", "case", 1)
    db.session.commit()
    db.session.delete(entry)
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.flush()
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(AuditEntry.id))) == 1


def test_postgresql_itself_refuses_to_update_or_delete_an_entry(make):
    """The database's own guard: raw SQL, past the application, is refused too (whom an entry concerns as well)."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite keeps the application's guard only; PostgreSQL enforces it in the database")
    record(Actor(None, None, datetime.now(UTC)), "view", "case", make.case().id)
    db.session.commit()
    for statement in ("UPDATE audit_log SET action = 'nothing'", "DELETE FROM audit_log",
                      "UPDATE audit_subjects SET case_id = NULL", "DELETE FROM audit_subjects"):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"):
            with db.engine.begin() as connection:
                connection.execute(sa.text(statement))
    assert db.session.scalar(sa.select(AuditEntry.action)) == "view"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditSubject)) == 1


def test_whom_an_entry_concerns_cannot_be_changed_either(make):
    case = make.case()
    record(Actor(None, None, datetime.now(UTC)), "view", "case", case.id)
    db.session.commit()
    subject = db.session.scalars(sa.select(AuditSubject)).one()
    assert (subject.case_id, subject.patient_id) == (case.id, case.patient_id)
    subject.case_id = None
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.flush()
    db.session.rollback()
