"""Second-opinion requests from outside patients and the records checklist."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tumorboard.db import UtcDateTime, enum_column, utcnow
from tumorboard.extensions import db
from tumorboard.vocab import (
    AttendanceMode,
    InsuranceStatus,
    PriorAuthorization,
    RecordKind,
    RecordState,
    Requester,
    RequestSource,
    SecondOpinionStatus,
    Sex,
    Specialty,
)


class SecondOpinionRequest(db.Model):
    """An outside patient's request for the board's opinion."""

    __tablename__ = "second_opinion_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The program's patient, once the MRN is known (an outside caller has none yet): until then the request's own
    # identity below is all there is; from then on the patient's is the one shown.
    patient_id: Mapped[int | None] = mapped_column(sa.ForeignKey("patients.id"), index=True)
    last_name: Mapped[str] = mapped_column(sa.String(80), default="", server_default="")
    first_name: Mapped[str] = mapped_column(sa.String(80), default="", server_default="")
    birth_date: Mapped[date | None]
    sex: Mapped[Sex | None] = mapped_column(enum_column(Sex, "sex"))
    source: Mapped[RequestSource] = mapped_column(
        enum_column(RequestSource, "request_source"), default=RequestSource.STAFF, server_default="staff"
    )
    requester: Mapped[Requester] = mapped_column(enum_column(Requester, "requester"))
    contact_name: Mapped[str] = mapped_column(sa.String(120))
    contact_phone: Mapped[str] = mapped_column(sa.String(40), default="")
    contact_email: Mapped[str] = mapped_column(sa.String(254), default="")
    referring_name: Mapped[str] = mapped_column(sa.String(120), default="")
    referring_practice: Mapped[str] = mapped_column(sa.String(200), default="")
    referring_address: Mapped[str] = mapped_column(sa.Text, default="")
    referring_npi: Mapped[str] = mapped_column(sa.String(10), default="", server_default="")
    referral_reason: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    treated_at: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    consent_to_contact: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    diagnosis_as_stated: Mapped[str] = mapped_column(sa.Text)
    requested_specialty: Mapped[Specialty] = mapped_column(enum_column(Specialty, "specialty"))
    visit_mode: Mapped[AttendanceMode] = mapped_column(enum_column(AttendanceMode, "visit_mode"))
    insurance_status: Mapped[InsuranceStatus] = mapped_column(
        enum_column(InsuranceStatus, "insurance_status"), default=InsuranceStatus.NOT_STARTED
    )
    insurance_payer: Mapped[str] = mapped_column(sa.String(120), default="", server_default="")
    insurance_plan: Mapped[str] = mapped_column(sa.String(120), default="", server_default="")
    insurance_member_id: Mapped[str] = mapped_column(sa.String(60), default="", server_default="")
    insurance_verified_on: Mapped[date | None]
    insurance_verified_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    prior_authorization: Mapped[PriorAuthorization] = mapped_column(
        enum_column(PriorAuthorization, "prior_authorization"),
        default=PriorAuthorization.NOT_CHECKED,
        server_default="not_checked",
    )
    prior_authorization_reference: Mapped[str] = mapped_column(sa.String(60), default="", server_default="")
    navigator_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    status: Mapped[SecondOpinionStatus] = mapped_column(
        enum_column(SecondOpinionStatus, "second_opinion_status"), default=SecondOpinionStatus.OPEN, index=True
    )
    received_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # The 7-day promise runs from the complete request to the plan letter.
    complete_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cases.id"), unique=True)

    patient = relationship("Patient")
    navigator = relationship("User", foreign_keys=[navigator_id])
    insurance_verified_by = relationship("User", foreign_keys=[insurance_verified_by_id])
    case = relationship("Case")
    records: Mapped[list[RecordItem]] = relationship(
        back_populates="request", cascade="all, delete-orphan", order_by="RecordItem.kind"
    )
    files: Mapped[list[RecordFile]] = relationship(
        back_populates="request", cascade="all, delete-orphan", order_by="RecordFile.id"
    )

    @property
    def patient_name(self) -> str:
        """'Last, First': the program's patient once registered, else as the request gives it."""
        who = self.patient or self
        return f"{who.last_name}, {who.first_name}"

    @property
    def patient_birth_date(self) -> date | None:
        """The date of birth: the program's patient's once registered, else the request's."""
        return (self.patient or self).birth_date


class RecordItem(db.Model):
    """One line of a request's records checklist."""

    __tablename__ = "second_opinion_records"
    __table_args__ = (sa.UniqueConstraint("request_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(sa.ForeignKey("second_opinion_requests.id", ondelete="CASCADE"))
    kind: Mapped[RecordKind] = mapped_column(enum_column(RecordKind, "record_kind"))
    state: Mapped[RecordState] = mapped_column(enum_column(RecordState, "record_state"), default=RecordState.NEEDED)
    requested_on: Mapped[date | None]
    received_on: Mapped[date | None]
    note: Mapped[str] = mapped_column(sa.String(300), default="")

    request: Mapped[SecondOpinionRequest] = relationship(back_populates="records")


class RecordFile(db.Model):
    """An outside record's file (a PDF or an image), kept in the database so that a backup holds it."""

    __tablename__ = "second_opinion_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        sa.ForeignKey("second_opinion_requests.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[RecordKind] = mapped_column(enum_column(RecordKind, "record_kind"))
    filename: Mapped[str] = mapped_column(sa.String(200))
    media_type: Mapped[str] = mapped_column(sa.String(60))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    content: Mapped[bytes] = mapped_column(sa.LargeBinary, deferred=True)
    uploaded_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    request: Mapped[SecondOpinionRequest] = relationship(back_populates="files")
    uploaded_by = relationship("User")


class PublicFormCount(db.Model):
    """Posts of the public forms counted in the current window, per client address and for everyone ('*')."""

    __tablename__ = "public_form_counts"

    key: Mapped[str] = mapped_column(sa.String(60), primary_key=True)
    window_started_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    posts: Mapped[int] = mapped_column(default=0)
