"""Issued plan letters (immutable versions), their dispatches and letter delegates."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tumorboard.db import UtcDateTime, enum_column, utcnow
from tumorboard.extensions import db
from tumorboard.vocab import DispatchMethod, LetterKind


class PlanLetter(db.Model):
    """One issued version of a letter. Never changed: a correction is a new version that names this one."""

    __tablename__ = "plan_letters"
    __table_args__ = (
        sa.UniqueConstraint("presentation_id", "kind", "version"),
        sa.CheckConstraint("version >= 1", name="version_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    presentation_id: Mapped[int] = mapped_column(sa.ForeignKey("presentations.id"), index=True)
    kind: Mapped[LetterKind] = mapped_column(enum_column(LetterKind, "letter_kind"))
    version: Mapped[int] = mapped_column(default=1)
    replaces_id: Mapped[int | None] = mapped_column(sa.ForeignKey("plan_letters.id"), unique=True)
    correction_reason: Mapped[str] = mapped_column(sa.String(300), default="")
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    issued_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    pdf: Mapped[bytes] = mapped_column(sa.LargeBinary, deferred=True)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    filename: Mapped[str] = mapped_column(sa.String(200))  # no patient data
    # When its copy was written under REPORTS_DIR; NULL until then (a full disk: filed by the next issue or `file-
    # letters`).
    filed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)

    presentation = relationship("Presentation")
    issued_by = relationship("User")
    replaces: Mapped[PlanLetter | None] = relationship(remote_side=[id])
    dispatches: Mapped[list[LetterDispatch]] = relationship(back_populates="letter", order_by="LetterDispatch.sent_on")


class LetterDispatch(db.Model):
    """A record that a letter was sent, how and to whom."""

    __tablename__ = "letter_dispatches"

    id: Mapped[int] = mapped_column(primary_key=True)
    letter_id: Mapped[int] = mapped_column(sa.ForeignKey("plan_letters.id"), index=True)
    sent_on: Mapped[date]
    method: Mapped[DispatchMethod] = mapped_column(enum_column(DispatchMethod, "dispatch_method"))
    recipient: Mapped[str] = mapped_column(sa.String(200))
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    letter: Mapped[PlanLetter] = relationship(back_populates="dispatches")


class LetterDelegate(db.Model):
    """A user a managing physician allows to issue letters in their name."""

    __tablename__ = "letter_delegates"
    __table_args__ = (sa.CheckConstraint("physician_id <> delegate_id", name="not_self"),)

    physician_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    delegate_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
