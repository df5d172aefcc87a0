"""What happens at a conference: presentations, attendance, recommendations, votes, consensus plans."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tumorboard.db import UtcDateTime, enum_column, utcnow
from tumorboard.extensions import db
from tumorboard.vocab import (
    AttendanceMode,
    DiagnosisOpinion,
    Implementation,
    Intent,
    Modality,
    NoConsensusAction,
    NonImplementationReason,
    PlanOpinion,
    PresentationReason,
    PresentationStatus,
    PresentationTrack,
    Specialty,
    VoteChoice,
    VoteResult,
)


class Presentation(db.Model):
    """One presentation of a case at one conference (an agenda item), with the required discussion items."""

    __tablename__ = "presentations"
    __table_args__ = (
        sa.UniqueConstraint("conference_id", "case_id"),
        sa.CheckConstraint("minutes_allotted > 0", name="minutes_positive"),
        sa.CheckConstraint("position >= 0", name="position_not_negative"),
        sa.Index("ix_presentations_conference_position", "conference_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(sa.ForeignKey("conferences.id"))
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    minutes_allotted: Mapped[int] = mapped_column(default=5)
    presenter_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    status: Mapped[PresentationStatus] = mapped_column(
        enum_column(PresentationStatus, "presentation_status"), default=PresentationStatus.PLANNED
    )
    track: Mapped[PresentationTrack] = mapped_column(
        enum_column(PresentationTrack, "presentation_track"), default=PresentationTrack.DISCUSSED
    )
    standard_of_care: Mapped[str] = mapped_column(sa.String(200), default="")  # for listed, not discussed
    late_submission: Mapped[bool] = mapped_column(default=False)
    carried_over_from_id: Mapped[int | None] = mapped_column(sa.ForeignKey("presentations.id"))

    # Prospective: computed from the reason and first-course start, overridable with a reason.
    reason: Mapped[PresentationReason] = mapped_column(
        enum_column(PresentationReason, "presentation_reason"), default=PresentationReason.PRE_TREATMENT
    )
    prospective: Mapped[bool | None]
    prospective_override_reason: Mapped[str] = mapped_column(sa.String(300), default="")
    patient_informed_on: Mapped[date | None]

    # Required discussion items
    stage_discussed: Mapped[bool] = mapped_column(default=False)
    guideline_discussed: Mapped[bool] = mapped_column(default=False)
    guideline_name: Mapped[str] = mapped_column(sa.String(120), default="")  # e.g. NCCN Breast Cancer
    guideline_version: Mapped[str] = mapped_column(sa.String(40), default="")  # e.g. 4.2026
    guideline_concordant: Mapped[bool | None]
    trials_discussed: Mapped[bool] = mapped_column(default=False)
    trials_named: Mapped[str] = mapped_column(sa.Text, default="")
    genetics_considered: Mapped[bool] = mapped_column(default=False)
    palliative_considered: Mapped[bool] = mapped_column(default=False)
    psychosocial_considered: Mapped[bool] = mapped_column(default=False)

    # Second opinions only
    diagnosis_opinion: Mapped[DiagnosisOpinion | None] = mapped_column(
        enum_column(DiagnosisOpinion, "diagnosis_opinion")
    )
    plan_opinion: Mapped[PlanOpinion | None] = mapped_column(enum_column(PlanOpinion, "plan_opinion"))

    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    conference = relationship("Conference")
    case = relationship("Case")
    presenter = relationship("User", foreign_keys=[presenter_id])
    closed_by = relationship("User", foreign_keys=[closed_by_id])
    recommendations: Mapped[list[Recommendation]] = relationship(
        back_populates="presentation", cascade="all, delete-orphan", order_by="Recommendation.specialty"
    )
    votes: Mapped[list[Vote]] = relationship(back_populates="presentation", cascade="all, delete-orphan")
    consensus_plan: Mapped[ConsensusPlan | None] = relationship(
        back_populates="presentation", cascade="all, delete-orphan", uselist=False
    )

    @property
    def plan_version(self) -> int:
        """The version of the consensus plan that votes count on (1 before any plan is put to the vote)."""
        return self.consensus_plan.version if self.consensus_plan is not None else 1


class Attendance(db.Model):
    """One person at one conference. Imported logs may name people who have no login."""

    __tablename__ = "attendance"
    __table_args__ = (
        sa.UniqueConstraint("conference_id", "user_id"),
        sa.UniqueConstraint("conference_id", "attendee_name"),
        # The report reads the specialties present at each conference from this index alone.
        sa.Index("ix_attendance_conference_specialty", "conference_id", "specialty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(sa.ForeignKey("conferences.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    attendee_name: Mapped[str] = mapped_column(sa.String(120))
    # The specialty they attended as, kept even if the user's profile changes.
    specialty: Mapped[Specialty] = mapped_column(enum_column(Specialty, "specialty"))
    mode: Mapped[AttendanceMode] = mapped_column(
        enum_column(AttendanceMode, "attendance_mode"), default=AttendanceMode.IN_PERSON
    )
    checked_in_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    checked_in_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    conference = relationship("Conference")
    user = relationship("User", foreign_keys=[user_id])
    checked_in_by = relationship("User", foreign_keys=[checked_in_by_id])


class Recommendation(db.Model):
    """The recommendation of one specialty on one presentation."""

    __tablename__ = "recommendations"
    __table_args__ = (sa.UniqueConstraint("presentation_id", "specialty"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    presentation_id: Mapped[int] = mapped_column(sa.ForeignKey("presentations.id", ondelete="CASCADE"))
    specialty: Mapped[Specialty] = mapped_column(enum_column(Specialty, "specialty"))
    modality: Mapped[Modality] = mapped_column(enum_column(Modality, "modality"))
    intent: Mapped[Intent | None] = mapped_column(enum_column(Intent, "intent"))
    sequence: Mapped[str] = mapped_column(sa.String(300), default="")  # e.g. neoadjuvant -> surgery -> RT
    text: Mapped[str] = mapped_column(sa.Text, default="")
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    # Set when the chair recorded it on the specialty's behalf.
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    presentation: Mapped[Presentation] = relationship(back_populates="recommendations")
    author = relationship("User", foreign_keys=[author_id])
    recorded_by = relationship("User", foreign_keys=[recorded_by_id])


class RecommendationVersion(db.Model):
    """A specialty's recommendation as it stood before someone changed it: who wrote it, when, and who replaced it."""

    __tablename__ = "recommendation_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    recommendation_id: Mapped[int] = mapped_column(sa.ForeignKey("recommendations.id", ondelete="CASCADE"), index=True)
    modality: Mapped[Modality] = mapped_column(enum_column(Modality, "modality"))
    intent: Mapped[Intent | None] = mapped_column(enum_column(Intent, "intent"))
    sequence: Mapped[str] = mapped_column(sa.String(300), default="")
    text: Mapped[str] = mapped_column(sa.Text, default="")
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)
    replaced_at: Mapped[datetime] = mapped_column(UtcDateTime)
    replaced_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))


class Vote(db.Model):
    """One physician's vote on a presentation's consensus plan; changeable until the case is closed."""

    __tablename__ = "votes"
    __table_args__ = (sa.UniqueConstraint("presentation_id", "voter_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    presentation_id: Mapped[int] = mapped_column(sa.ForeignKey("presentations.id", ondelete="CASCADE"))
    voter_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    choice: Mapped[VoteChoice] = mapped_column(enum_column(VoteChoice, "vote_choice"))
    comment: Mapped[str] = mapped_column(sa.String(1000), default="")
    # The version of the plan the voter saw: a vote on an earlier version is kept and shown, never counted.
    plan_version: Mapped[int] = mapped_column(default=1, server_default="1")
    cast_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    presentation: Mapped[Presentation] = relationship(back_populates="votes")
    voter = relationship("User")


class ConsensusPlan(db.Model):
    """The plan put to the vote, its result, the managing physician's final plan and its implementation."""

    __tablename__ = "consensus_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    presentation_id: Mapped[int] = mapped_column(sa.ForeignKey("presentations.id", ondelete="CASCADE"), unique=True)
    text: Mapped[str] = mapped_column(sa.Text)
    intent: Mapped[Intent | None] = mapped_column(enum_column(Intent, "intent"))
    # Raised whenever the words or the intent change: votes count only on the version they were cast on.
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    vote_opened_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    result: Mapped[VoteResult | None] = mapped_column(enum_column(VoteResult, "vote_result"))
    agree_count: Mapped[int | None]
    disagree_count: Mapped[int | None]
    abstain_count: Mapped[int | None]
    no_consensus_action: Mapped[NoConsensusAction | None] = mapped_column(
        enum_column(NoConsensusAction, "no_consensus_action")
    )
    # The room when the case was closed: physicians checked in, whether it was quorate, and the chair's reason when
    # the closing rule (quorum and share of voters) was not met.
    physicians_checked_in: Mapped[int | None]
    quorate_at_close: Mapped[bool | None]
    close_override_reason: Mapped[str] = mapped_column(sa.String(500), default="", server_default="")

    final_plan: Mapped[str] = mapped_column(sa.Text, default="")
    next_steps: Mapped[str] = mapped_column(sa.Text, default="")
    finalized_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    finalized_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    implemented: Mapped[Implementation | None] = mapped_column(enum_column(Implementation, "implementation"))
    non_implementation_reason: Mapped[NonImplementationReason | None] = mapped_column(
        enum_column(NonImplementationReason, "non_implementation_reason")
    )
    implementation_note: Mapped[str] = mapped_column(sa.String(500), default="")
    implementation_recorded_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    presentation: Mapped[Presentation] = relationship(back_populates="consensus_plan")
    finalized_by = relationship("User", foreign_keys=[finalized_by_id])


class RoomState(db.Model):
    """What every open screen of a meeting polls: a token that changes with every change in the room, and the case
    the chair has the room on. One small row per meeting, apart from the conference (whose row the agenda versions)."""

    __tablename__ = "room_states"

    conference_id: Mapped[int] = mapped_column(sa.ForeignKey("conferences.id", ondelete="CASCADE"), primary_key=True)
    token: Mapped[int] = mapped_column(sa.BigInteger)
    current_presentation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("presentations.id", ondelete="SET NULL")
    )
    changed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
