"""Patients, their cases, biomarkers and the status history of a case."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.engine.default import DefaultExecutionContext
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from tumorboard.cases.search import name_key
from tumorboard.db import UtcDateTime, enum_column, utcnow
from tumorboard.extensions import db
from tumorboard.vocab import CaseSource, CaseStatus, Laterality, Sex, SiteGroup, Urgency


def _name_key_of_row(context: DefaultExecutionContext) -> str:
    row = context.get_current_parameters()
    return name_key(row.get("last_name"), row.get("first_name"))


class Patient(db.Model):
    """A patient of the program, identified by MRN."""

    __tablename__ = "patients"

    id: Mapped[int] = mapped_column(primary_key=True)
    mrn: Mapped[str] = mapped_column(sa.String(32), unique=True)
    last_name: Mapped[str] = mapped_column(sa.String(80))
    first_name: Mapped[str] = mapped_column(sa.String(80))
    birth_date: Mapped[date]
    sex: Mapped[Sex] = mapped_column(enum_column(Sex, "sex"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # What "Find a patient" matches names on (cases/search.py); kept by the validator below, and by the default for
    # rows written with a Core insert (the imports).
    name_key: Mapped[str] = mapped_column(sa.String(400), default=_name_key_of_row)

    cases: Mapped[list[Case]] = relationship(back_populates="patient", order_by="Case.id")

    @validates("last_name", "first_name")
    def _keep_name_key(self, name: str, value: str) -> str:
        names = {"last_name": self.last_name, "first_name": self.first_name, name: value}
        self.name_key = name_key(names["last_name"], names["first_name"])
        return value

    @property
    def initials(self) -> str:
        """Initials, for de-identified documents."""
        return f"{self.first_name[:1]}{self.last_name[:1]}".upper()


class Case(db.Model):
    """One tumor of one patient, brought to the board with a question."""

    __tablename__ = "cases"
    __table_args__ = (
        sa.CheckConstraint("ecog BETWEEN 0 AND 4", name="ecog_range"),
        sa.CheckConstraint("ajcc_edition BETWEEN 1 AND 9", name="ajcc_edition_range"),
        sa.CheckConstraint(
            "class_of_case IS NULL OR class_of_case IN ('00','10','11','12','13','14','20','21','22',"
            "'30','31','32','33','34','35','36','37','38','40','41','42','43','49','99')",
            name="class_of_case_code",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(sa.ForeignKey("patients.id"), index=True)
    status: Mapped[CaseStatus] = mapped_column(
        enum_column(CaseStatus, "case_status"), default=CaseStatus.DRAFT, index=True
    )

    # Tumor
    site_group: Mapped[SiteGroup] = mapped_column(enum_column(SiteGroup, "site_group"), index=True)
    primary_site: Mapped[str | None] = mapped_column(sa.String(8))  # ICD-O-3 topography, e.g. C50.4
    histology: Mapped[str] = mapped_column(sa.String(200), default="")
    laterality: Mapped[Laterality] = mapped_column(
        enum_column(Laterality, "laterality"), default=Laterality.NOT_APPLICABLE
    )
    diagnosis_date: Mapped[date | None]

    # Stage (AJCC); `not_staged` when staging is not yet possible.
    not_staged: Mapped[bool] = mapped_column(default=False)
    ajcc_edition: Mapped[int | None] = mapped_column(sa.SmallInteger)
    clinical_t: Mapped[str | None] = mapped_column(sa.String(12))
    clinical_n: Mapped[str | None] = mapped_column(sa.String(12))
    clinical_m: Mapped[str | None] = mapped_column(sa.String(12))
    clinical_stage: Mapped[str | None] = mapped_column(sa.String(12))
    pathologic_t: Mapped[str | None] = mapped_column(sa.String(12))
    pathologic_n: Mapped[str | None] = mapped_column(sa.String(12))
    pathologic_m: Mapped[str | None] = mapped_column(sa.String(12))
    pathologic_stage: Mapped[str | None] = mapped_column(sa.String(12))
    ecog: Mapped[int | None] = mapped_column(sa.SmallInteger)

    # History
    prior_treatment: Mapped[str] = mapped_column(sa.Text, default="")
    current_treatment: Mapped[str] = mapped_column(sa.Text, default="")
    first_course_started_on: Mapped[date | None]

    # For the board
    question: Mapped[str] = mapped_column(sa.Text, default="")
    proposed_plan: Mapped[str] = mapped_column(sa.Text, default="")
    imaging_to_review: Mapped[str] = mapped_column(sa.Text, default="")
    pathology_to_review: Mapped[str] = mapped_column(sa.Text, default="")
    imaging_ready_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    imaging_ready_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    pathology_ready_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    pathology_ready_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    # People
    presenting_physician_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    managing_physician_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    referring_name: Mapped[str] = mapped_column(sa.String(120), default="")
    referring_practice: Mapped[str] = mapped_column(sa.String(200), default="")
    referring_address: Mapped[str] = mapped_column(sa.Text, default="")

    # Routing
    source: Mapped[CaseSource] = mapped_column(enum_column(CaseSource, "case_source"), default=CaseSource.INTERNAL)
    urgency: Mapped[Urgency] = mapped_column(enum_column(Urgency, "urgency"), default=Urgency.ROUTINE)
    requested_series_id: Mapped[int | None] = mapped_column(sa.ForeignKey("conference_series.id"), index=True)
    # Registry class of case (NAACCR item 610): 00-22 analytic.
    analytic: Mapped[bool] = mapped_column(default=True)
    class_of_case: Mapped[str | None] = mapped_column(sa.String(2))

    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    patient: Mapped[Patient] = relationship(back_populates="cases")
    biomarkers: Mapped[list[CaseBiomarker]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="CaseBiomarker.name"
    )
    status_changes: Mapped[list[CaseStatusChange]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="CaseStatusChange.at"
    )
    presenting_physician = relationship("User", foreign_keys=[presenting_physician_id])
    managing_physician = relationship("User", foreign_keys=[managing_physician_id])
    requested_series = relationship("ConferenceSeries")
    created_by = relationship("User", foreign_keys=[created_by_id])

    @property
    def ready(self) -> bool:
        """Whether radiology and pathology have marked their material ready."""
        return self.imaging_ready_at is not None and self.pathology_ready_at is not None


class CaseBiomarker(db.Model):
    """A key biomarker of a case: name = value (ER = positive, PD-L1 TPS = 60%)."""

    __tablename__ = "case_biomarkers"
    __table_args__ = (sa.UniqueConstraint("case_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(sa.String(60))
    value: Mapped[str] = mapped_column(sa.String(120))

    case: Mapped[Case] = relationship(back_populates="biomarkers")


class CaseStatusChange(db.Model):
    """One explicit move of a case's status."""

    __tablename__ = "case_status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[CaseStatus | None] = mapped_column(enum_column(CaseStatus, "from_status"))
    to_status: Mapped[CaseStatus] = mapped_column(enum_column(CaseStatus, "to_status"))
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(sa.String(300), default="")

    case: Mapped[Case] = relationship(back_populates="status_changes")
    by = relationship("User")
