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
    RecordKind,
    RecordState,
    Requester,
    SecondOpinionStatus,
    Specialty,
)


class SecondOpinionRequest(db.Model):
    """An outside patient's request for the board's opinion."""

    __tablename__ = "second_opinion_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(sa.ForeignKey("patients.id"), index=True)
    requester: Mapped[Requester] = mapped_column(enum_column(Requester, "requester"))
    contact_name: Mapped[str] = mapped_column(sa.String(120))
    contact_phone: Mapped[str] = mapped_column(sa.String(40), default="")
    contact_email: Mapped[str] = mapped_column(sa.String(254), default="")
    referring_name: Mapped[str] = mapped_column(sa.String(120), default="")
    referring_practice: Mapped[str] = mapped_column(sa.String(200), default="")
    referring_address: Mapped[str] = mapped_column(sa.Text, default="")
    diagnosis_as_stated: Mapped[str] = mapped_column(sa.Text)
    requested_specialty: Mapped[Specialty] = mapped_column(enum_column(Specialty, "specialty"))
    visit_mode: Mapped[AttendanceMode] = mapped_column(enum_column(AttendanceMode, "visit_mode"))
    insurance_status: Mapped[InsuranceStatus] = mapped_column(
        enum_column(InsuranceStatus, "insurance_status"), default=InsuranceStatus.NOT_STARTED
    )
    navigator_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    status: Mapped[SecondOpinionStatus] = mapped_column(
        enum_column(SecondOpinionStatus, "second_opinion_status"), default=SecondOpinionStatus.OPEN, index=True
    )
    received_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # The 7-day promise runs from the complete request to the plan letter.
    complete_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cases.id"), unique=True)

    patient = relationship("Patient")
    navigator = relationship("User")
    case = relationship("Case")
    records: Mapped[list[RecordItem]] = relationship(
        back_populates="request", cascade="all, delete-orphan", order_by="RecordItem.kind"
    )


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
