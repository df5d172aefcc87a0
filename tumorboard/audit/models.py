"""The append-only audit log."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from tumorboard.db import UtcDateTime, utcnow
from tumorboard.extensions import db


class AuditEntry(db.Model):
    """Who did what to which record, when and from where. Never updated or deleted."""

    __tablename__ = "audit_log"
    __table_args__ = (sa.Index("ix_audit_log_entity", "entity_type", "entity_id"),)

    id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(sa.String(40))  # view, create, update, status, export, login, ...
    entity_type: Mapped[str] = mapped_column(sa.String(40))
    entity_id: Mapped[int | None]
    # What changed, in field names and codes; never free-text patient data.
    detail: Mapped[str] = mapped_column(sa.Text, default="")
    remote_addr: Mapped[str | None] = mapped_column(sa.String(45))


class AuditSubject(db.Model):
    """A patient an audit entry concerns, with the case when there is one: a row for each patient a page showed (a
    queue or an agenda: many), so the log answers "who looked at this patient". Never updated or deleted."""

    __tablename__ = "audit_subjects"
    __table_args__ = (
        sa.Index("ix_audit_subjects_patient", "patient_id", "audit_id"),
        sa.Index("ix_audit_subjects_case", "case_id", "audit_id"),
    )

    id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True)
    audit_id: Mapped[int] = mapped_column(
        sa.BigInteger().with_variant(sa.Integer, "sqlite"), sa.ForeignKey("audit_log.id"), index=True
    )
    patient_id: Mapped[int] = mapped_column(sa.ForeignKey("patients.id"))
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cases.id"))
