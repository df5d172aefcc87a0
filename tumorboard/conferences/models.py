"""Conference series (recurring, site-specific) and their occurrences."""

from __future__ import annotations

from datetime import date, datetime, time

import sqlalchemy as sa
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from tumorboard.db import UtcDateTime, enum_column, utcnow
from tumorboard.extensions import db
from tumorboard.tokens import token_digest
from tumorboard.vocab import BoardRole, ConferenceStatus, SiteGroup, Specialty


class ConferenceSeries(db.Model):
    """A recurring tumor board, e.g. the weekly Breast Tumor Board."""

    __tablename__ = "conference_series"
    __table_args__ = (
        sa.CheckConstraint("duration_minutes > 0", name="duration_positive"),
        sa.CheckConstraint("capacity >= 0", name="capacity_not_negative"),
        sa.CheckConstraint("deadline_working_days >= 0", name="deadline_not_negative"),
        sa.CheckConstraint(
            "consensus_numerator > 0 AND consensus_numerator <= consensus_denominator", name="consensus_fraction"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    rrule: Mapped[str] = mapped_column(sa.String(200))  # RFC 5545 RRULE, e.g. FREQ=WEEKLY;BYDAY=TU
    # The first meeting: the anchor of the rule (every second week counts from here).
    starts_on: Mapped[date]
    start_time: Mapped[time]
    duration_minutes: Mapped[int] = mapped_column(default=60)
    timezone: Mapped[str] = mapped_column(sa.String(64))
    place: Mapped[str] = mapped_column(sa.String(200), default="")
    video_link: Mapped[str] = mapped_column(sa.String(500), default="")
    capacity: Mapped[int] = mapped_column(default=12)
    minutes_per_case: Mapped[int] = mapped_column(default=5)
    deadline_working_days: Mapped[int] = mapped_column(default=2)
    weeks_ahead: Mapped[int] = mapped_column(default=12)
    # A plan has consensus when agree votes >= numerator/denominator of votes cast.
    consensus_numerator: Mapped[int] = mapped_column(default=2)
    consensus_denominator: Mapped[int] = mapped_column(default=3)
    active: Mapped[bool] = mapped_column(default=True)
    # A disagree vote must say why (the dissent is what the letter and a surveyor read).
    disagree_needs_comment: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    # The room opens this long before the start and closes this long after the scheduled end (room/rules.py).
    opens_minutes_before: Mapped[int] = mapped_column(default=30, server_default="30")
    closes_hours_after: Mapped[int] = mapped_column(default=4, server_default="4")
    # Closing a case needs more than this share (percent) of the checked-in physicians to have voted on the plan, and a
    # quorum; otherwise the chair closes only with a reason, which the letter and the report show (room/rules.py).
    closing_voter_percent: Mapped[int] = mapped_column(default=50, server_default="50")
    # A member is flagged when they attend fewer than numerator/denominator of the meetings held since they joined
    # (0/1: no target). NAPBC and UK peer review ask for each member's attendance.
    attendance_target_numerator: Mapped[int] = mapped_column(default=2, server_default="2")
    attendance_target_denominator: Mapped[int] = mapped_column(default=3, server_default="3")
    # Secret of the series' calendar link (None: no link); found by its digest (tokens.py), revocable.
    feed_token: Mapped[str | None] = mapped_column(sa.String(64), unique=True, index=True)
    feed_token_digest: Mapped[str | None] = mapped_column(sa.String(64), unique=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    site_group_rows: Mapped[list[SeriesSiteGroup]] = relationship(cascade="all, delete-orphan", lazy="selectin")
    required_specialty_rows: Mapped[list[SeriesRequiredSpecialty]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )
    members: Mapped[list[SeriesMember]] = relationship(back_populates="series", cascade="all, delete-orphan")
    conferences: Mapped[list[Conference]] = relationship(back_populates="series", order_by="Conference.starts_at")

    @validates("feed_token")
    def _keep_digest(self, _key: str, token: str | None) -> str | None:
        self.feed_token_digest = token_digest(token)
        return token

    @property
    def site_groups(self) -> list[SiteGroup]:
        """Site groups this series reviews."""
        return sorted((row.site_group for row in self.site_group_rows), key=list(SiteGroup).index)

    @property
    def required_specialties(self) -> list[Specialty]:
        """Specialties that must be present for a quorum."""
        return sorted((row.specialty for row in self.required_specialty_rows), key=list(Specialty).index)


class SeriesSiteGroup(db.Model):
    """A site group reviewed by a series."""

    __tablename__ = "series_site_groups"

    series_id: Mapped[int] = mapped_column(sa.ForeignKey("conference_series.id", ondelete="CASCADE"), primary_key=True)
    site_group: Mapped[SiteGroup] = mapped_column(enum_column(SiteGroup, "site_group"), primary_key=True)


class SeriesRequiredSpecialty(db.Model):
    """A specialty a series requires for a quorum."""

    __tablename__ = "series_required_specialties"

    series_id: Mapped[int] = mapped_column(sa.ForeignKey("conference_series.id", ondelete="CASCADE"), primary_key=True)
    specialty: Mapped[Specialty] = mapped_column(enum_column(Specialty, "specialty"), primary_key=True)


class SeriesMember(db.Model):
    """A user who belongs to a series (core member or chair)."""

    __tablename__ = "series_members"

    series_id: Mapped[int] = mapped_column(sa.ForeignKey("conference_series.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    is_chair: Mapped[bool] = mapped_column(default=False)
    # The deputy chair runs the meeting too (when the chair is away); one a series.
    is_deputy: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # Their attendance counts the meetings held from this day on.
    joined_on: Mapped[date] = mapped_column(default=date.today, server_default="2000-01-01")

    series: Mapped[ConferenceSeries] = relationship(back_populates="members")
    user = relationship("User")

    @hybrid_property
    def runs_meetings(self) -> bool:
        """A chair or the deputy: runs the board's meetings."""
        return self.is_chair or self.is_deputy

    @runs_meetings.inplace.expression
    @classmethod
    def _runs_meetings_expression(cls) -> sa.ColumnElement[bool]:
        return sa.or_(cls.is_chair, cls.is_deputy)

    @property
    def role(self) -> BoardRole:
        """Member, chair or deputy."""
        return BoardRole.CHAIR if self.is_chair else BoardRole.DEPUTY if self.is_deputy else BoardRole.MEMBER


class Conference(db.Model):
    """One occurrence of a series."""

    __tablename__ = "conferences"
    __table_args__ = (
        # The rule's original start identifies an occurrence even after it is moved.
        sa.UniqueConstraint("series_id", "occurrence_start"),
        sa.CheckConstraint("duration_minutes > 0", name="duration_positive"),
        sa.CheckConstraint("sequence >= 0", name="sequence_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(sa.ForeignKey("conference_series.id"), index=True)
    occurrence_start: Mapped[datetime] = mapped_column(UtcDateTime)
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    duration_minutes: Mapped[int]
    status: Mapped[ConferenceStatus] = mapped_column(
        enum_column(ConferenceStatus, "conference_status"), default=ConferenceStatus.SCHEDULED, index=True
    )
    place: Mapped[str] = mapped_column(sa.String(200), default="")
    video_link: Mapped[str] = mapped_column(sa.String(500), default="")
    # iCalendar SEQUENCE: raised on every change clients must see.
    sequence: Mapped[int] = mapped_column(default=0)
    # The cases a cancellation sent back to the queue (ids, comma-separated): restoring the meeting puts them back.
    returned_case_ids: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    cancel_reason: Mapped[str] = mapped_column(sa.String(300), default="")
    chair_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    # Optimistic lock for the agenda: two coordinators cannot overwrite each other.
    agenda_version: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    series: Mapped[ConferenceSeries] = relationship(back_populates="conferences")
    chair = relationship("User")

    # Every agenda change updates this row; the version check makes a concurrent change fail instead of overwrite.
    __mapper_args__ = {"version_id_col": agenda_version}
