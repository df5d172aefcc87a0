"""What the conference-room pages show, each in a fixed number of queries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from tumorboard.auth.models import User, UserRole
from tumorboard.conferences.models import Conference, ConferenceSeries, SeriesMember
from tumorboard.conferences.queries import AgendaLine, agenda_lines
from tumorboard.extensions import db
from tumorboard.program.settings import program_settings
from tumorboard.room.certificate import AttendedMeeting
from tumorboard.room.models import (
    Attendance,
    ConsensusPlan,
    Presentation,
    Recommendation,
    RecommendationVersion,
    RoomState,
    Vote,
)
from tumorboard.room.rules import ClosingCheck, Quorum, closing_check, quorum
from tumorboard.room.tally import Tally, counted_choices, tally
from tumorboard.vocab import ConferenceStatus, PresentationStatus, Role, Specialty, VoteChoice


@dataclass(frozen=True)
class RoomPage:
    """The live page of a meeting."""

    conference: Conference
    series: ConferenceSeries
    attendance: list[Attendance]
    quorum: Quorum
    lines: list[AgendaLine]
    candidates: list[sa.Row]  # who the chair can check in: id, full_name, specialty
    me_checked_in: bool


def load_room(conference: Conference, me: User) -> RoomPage:
    """The meeting, who is in, the quorum, the agenda and the people the chair can check in."""
    series = db.session.get(ConferenceSeries, conference.series_id)
    attendance, room = _attendance(conference.id, series)
    present = {row.user_id for row in attendance}
    members = sa.select(SeriesMember.user_id).where(SeriesMember.series_id == series.id)
    physicians = sa.select(UserRole.user_id).where(UserRole.role == Role.PHYSICIAN)
    # Plain columns, not User objects: a large program has hundreds of physicians to list.
    candidates = [
        row
        for row in db.session.execute(
            sa.select(User.id, User.full_name, User.specialty)
            .where(User.active.is_(True), User.id.in_(members) | User.id.in_(physicians))
            .order_by(User.full_name)
        )
        if row.id not in present
    ]
    lines = agenda_lines(conference.id, program_settings().second_opinion_days)
    return RoomPage(conference, series, attendance, room, lines, candidates, me.id in present)


def _attendance(conference_id: int, series: ConferenceSeries) -> tuple[list[Attendance], Quorum]:
    """Who is checked in, by specialty and name, and the quorum they make."""
    attendance = list(
        db.session.scalars(
            sa.select(Attendance)
            .where(Attendance.conference_id == conference_id)
            .order_by(Attendance.specialty, Attendance.attendee_name)
        )
    )
    return attendance, quorum(series.required_specialties, (row.specialty for row in attendance))


class RoomPoll(NamedTuple):
    """All a screen's poll reads, in one statement."""

    conference: Conference  # with its series
    token: int  # changes with every change in the room; 0 before the first
    current: int | None  # the case the chair has the room on
    series_chair: bool  # the user chairs the conference's series
    my_vote: VoteChoice | None  # the user's vote on the current version of the case's plan, if a case was asked


def room_poll(conference_id: int, user_id: int, case_id: int | None = None) -> RoomPoll | None:
    """The meeting, the room's token and case, and the user's chair and vote (one query). None: no such meeting."""
    chairs = sa.exists().where(
        SeriesMember.series_id == Conference.series_id, SeriesMember.user_id == user_id, SeriesMember.runs_meetings
    )
    mine = (
        sa.select(Vote.choice)
        .join(ConsensusPlan, ConsensusPlan.presentation_id == Vote.presentation_id)
        .where(Vote.presentation_id == case_id, Vote.voter_id == user_id, Vote.plan_version == ConsensusPlan.version)
        .scalar_subquery()
        if case_id
        else sa.null()
    )
    row = db.session.execute(
        sa.select(Conference, RoomState.token, RoomState.current_presentation_id, chairs, mine)
        .outerjoin(RoomState, RoomState.conference_id == Conference.id)
        .where(Conference.id == conference_id)
        .options(joinedload(Conference.series).lazyload("*"))
    ).first()
    if row is None:
        return None
    conference, token, current, series_chair, choice = row
    return RoomPoll(conference, token or 0, current, bool(series_chair), VoteChoice(choice) if choice else None)


@dataclass(frozen=True)
class RoomLive:
    """The meeting as every screen shows it: who is in, the quorum, where each case stands (no patient data)."""

    attendance: list[Attendance]
    quorum: Quorum
    statuses: dict[int, PresentationStatus]  # presentation id -> status, in agenda order


def load_room_live(conference: Conference) -> RoomLive:
    """What a live screen refreshes of the meeting (three queries)."""
    attendance, room = _attendance(conference.id, conference.series)
    statuses = db.session.execute(
        sa.select(Presentation.id, Presentation.status)
        .where(Presentation.conference_id == conference.id)
        .order_by(Presentation.position, Presentation.id)
    ).all()
    return RoomLive(attendance, room, dict(statuses))


@dataclass(frozen=True)
class CasePanel:
    """One case in the room: recommendations, votes and the tally."""

    recommendations: list[Recommendation]
    earlier: dict[int, list[RecommendationVersion]]  # recommendation id -> its earlier versions, newest first
    votes: list[tuple[Vote, str]]
    tally: Tally
    my_vote: Vote | None
    people: dict[int, str]
    previous_id: int | None = None  # the cases before and after this one on the agenda, for the chair
    next_id: int | None = None
    roster: tuple[RosterLine, ...] = ()  # every checked-in physician and their vote on this version, for the chair
    closing: ClosingCheck | None = None  # whether the room may close the case on its vote (for the chair)
    agenda: tuple[int, ...] = ()  # the meeting's presentation ids in agenda order


@dataclass(frozen=True)
class RosterLine:
    """One checked-in physician as the chair sees them before closing: their vote on the current plan, or none."""

    name: str
    specialty: Specialty
    choice: VoteChoice | None
    comment: str
    earlier: bool  # voted, but on an earlier version of the plan


def load_case_panel(
    presentation: Presentation, me: User | None, numerator: int, denominator: int, chair: bool = True
) -> CasePanel:
    """Everything the case panel shows about the discussion so far (`me`: whose vote is `my_vote`, if anyone's; the
    roster and the closing rule only for the `chair`)."""
    recommendations = list(
        db.session.scalars(
            sa.select(Recommendation)
            .where(Recommendation.presentation_id == presentation.id)
            .order_by(Recommendation.specialty)
        )
    )
    votes = db.session.execute(
        sa.select(Vote, User.full_name)
        .join(User, Vote.voter_id == User.id)
        .where(Vote.presentation_id == presentation.id)
        .order_by(Vote.cast_at)
    ).all()
    earlier: dict[int, list[RecommendationVersion]] = defaultdict(list)
    for version in db.session.scalars(
        sa.select(RecommendationVersion)
        .where(RecommendationVersion.recommendation_id.in_([r.id for r in recommendations]))
        .order_by(RecommendationVersion.id.desc())
    ):
        earlier[version.recommendation_id].append(version)
    ids = {r.author_id for r in recommendations} | {r.recorded_by_id for r in recommendations}
    ids |= {
        person
        for versions in earlier.values()
        for v in versions
        for person in (v.author_id, v.recorded_by_id, v.replaced_by_id)
    }
    people = {u.id: u.display_name for u in db.session.scalars(sa.select(User).where(User.id.in_(ids - {None})))}
    mine = next((vote for vote, _ in votes if me is not None and vote.voter_id == me.id), None)
    version = presentation.plan_version
    counted = counted_choices(((v.choice, v.plan_version) for v, _ in votes), version)
    agenda = sa.select(Presentation.id).where(Presentation.conference_id == presentation.conference_id)
    order = list(db.session.scalars(agenda.order_by(Presentation.position, Presentation.id)))
    here = order.index(presentation.id)
    before, after = (order[here - 1] if here > 0 else None), (order[here + 1] if here + 1 < len(order) else None)
    return CasePanel(recommendations, dict(earlier), list(votes), tally(counted, numerator, denominator), mine, people,
                     before, after,
                     _roster(presentation.conference_id, [vote for vote, _ in votes], version) if chair else (),
                     room_closing_check(presentation) if chair else None, tuple(order))


def _roster(conference_id: int, votes: list[Vote], version: int) -> tuple[RosterLine, ...]:
    """The checked-in physicians (one query), who voted on `version` and who did not, by name."""
    physicians = db.session.execute(
        sa.select(Attendance.user_id, Attendance.attendee_name, Attendance.specialty)
        .join(UserRole, (UserRole.user_id == Attendance.user_id) & (UserRole.role == Role.PHYSICIAN))
        .where(Attendance.conference_id == conference_id)
        .order_by(Attendance.attendee_name)
    ).all()
    by_voter = {vote.voter_id: vote for vote in votes}
    lines = []
    for user_id, name, specialty in physicians:
        vote = by_voter.get(user_id)
        current = vote is not None and vote.plan_version == version
        lines.append(RosterLine(name, specialty, vote.choice if current else None, vote.comment if current else "",
                                vote is not None and not current))
    return tuple(lines)


def room_closing_check(presentation: Presentation) -> ClosingCheck:
    """The closing rule for this case as the room stands: its quorum, the physicians checked in and those who voted on
    the plan's current version (two queries)."""
    conference = presentation.conference
    attending = db.session.execute(
        sa.select(Attendance.specialty, UserRole.user_id.is_not(None))
        .outerjoin(UserRole, (UserRole.user_id == Attendance.user_id) & (UserRole.role == Role.PHYSICIAN))
        .where(Attendance.conference_id == conference.id)
    ).all()
    voted = db.session.scalar(
        sa.select(sa.func.count(Vote.id)).where(
            Vote.presentation_id == presentation.id, Vote.plan_version == presentation.plan_version
        )
    )
    room = quorum(conference.series.required_specialties, (specialty for specialty, _ in attending))
    physicians = sum(1 for _, physician in attending if physician)
    return closing_check(room, physicians, voted or 0, conference.series.closing_voter_percent)


def attended_meetings(user_id: int, start: date, end: date, zone: ZoneInfo, now: datetime) -> list[AttendedMeeting]:
    """The held conferences the user attended from `start` to `end` (program days), for the CME certificate: only
    meetings that have taken place, whatever a row says."""
    rows = db.session.execute(
        sa.select(Conference, ConferenceSeries.name, Attendance.mode)
        .join(Attendance, Attendance.conference_id == Conference.id)
        .join(ConferenceSeries, Conference.series_id == ConferenceSeries.id)
        .where(
            Attendance.user_id == user_id,
            Conference.status == ConferenceStatus.HELD,
            Conference.starts_at <= now,
            Conference.starts_at >= datetime.combine(start, time(0), zone),
            Conference.starts_at < datetime.combine(end + timedelta(days=1), time(0), zone),
        )
        .order_by(Conference.starts_at)
    ).all()
    return [AttendedMeeting(c.starts_at.astimezone(zone).date(), name, c.duration_minutes, mode.label)
            for c, name, mode in rows]
