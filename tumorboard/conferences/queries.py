"""What the conference pages show, each loaded in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from tumorboard.auth.models import User, UserRole
from tumorboard.cases.models import Case, Patient
from tumorboard.cases.queries import promise_due
from tumorboard.conferences.agenda import AgendaEntry, AgendaPlan, plan_agenda, stage_summary
from tumorboard.conferences.membership import MemberAttendance, attendance
from tumorboard.conferences.models import Conference, ConferenceSeries, SeriesMember, SeriesSiteGroup
from tumorboard.extensions import db
from tumorboard.program.settings import program_settings
from tumorboard.room.models import Attendance, Presentation
from tumorboard.second_opinions.models import SecondOpinionRequest
from tumorboard.vocab import BoardRole, CaseSource, CaseStatus, ConferenceStatus, Role, Specialty

QUEUE_SHOWN = 100


def agenda_size() -> sa.ScalarSelect[int]:
    """The number of cases on a conference's agenda, as a column of a query over conferences."""
    return (
        sa.select(sa.func.count(Presentation.id)).where(Presentation.conference_id == Conference.id).scalar_subquery()
    )


@dataclass(frozen=True)
class AgendaLine:
    """One case on the agenda, as the page and the PDF show it."""

    presentation: Presentation
    case_id: int
    patient_name: str
    initials: str
    mrn: str
    site_label: str
    question: str
    presenter: str
    imaging_ready: bool
    pathology_ready: bool
    diagnosis: str  # histology
    stage: str  # stage_summary
    promised_by: datetime | None = None  # a second opinion's promise (once its records were complete)


@dataclass(frozen=True)
class QueuedCase:
    """A submitted case that this series could take."""

    case_id: int
    patient_name: str
    site_label: str
    urgent: bool
    ready: bool
    submitted_at: datetime | None
    second_opinion: bool = False
    promised_by: datetime | None = None


@dataclass(frozen=True)
class AgendaPage:
    """A conference, its agenda with timings and flags, and the matching queue."""

    conference: Conference
    series: ConferenceSeries
    lines: list[AgendaLine]
    plan: AgendaPlan
    queue: list[QueuedCase]


def agenda_lines(conference_id: int, promise_days: int) -> list[AgendaLine]:
    """The agenda in order, with each case's patient, presenter, readiness and second-opinion promise (the program's
    `promise_days` after the records were complete)."""
    rows = db.session.execute(
        sa.select(Presentation, Case, Patient.last_name, Patient.first_name, Patient.mrn, User.full_name,
                  SecondOpinionRequest.complete_at)
        .join(Case, Presentation.case_id == Case.id)
        .join(Patient, Case.patient_id == Patient.id)
        .outerjoin(User, Presentation.presenter_id == User.id)
        .outerjoin(SecondOpinionRequest, SecondOpinionRequest.case_id == Case.id)
        .where(Presentation.conference_id == conference_id)
        .order_by(Presentation.position, Presentation.id)
    ).all()
    return [
        AgendaLine(
            item,
            case.id,
            f"{last}, {first}",
            f"{first[:1]}{last[:1]}".upper(),
            mrn,
            case.site_group.label,
            case.question,
            presenter or "",
            case.imaging_ready_at is not None,
            case.pathology_ready_at is not None,
            case.histology,
            stage_summary(
                (case.clinical_t, case.clinical_n, case.clinical_m), case.clinical_stage,
                (case.pathologic_t, case.pathologic_n, case.pathologic_m), case.pathologic_stage, case.not_staged,
            ),
            promise_due(complete_at, promise_days),
        )
        for item, case, last, first, mrn, presenter, complete_at in rows
    ]


def plan_for(conference: Conference, capacity: int, lines: list[AgendaLine]) -> AgendaPlan:
    """The projection of an agenda from its lines."""
    entries = [
        AgendaEntry(
            line.presentation.id,
            line.presentation.minutes_allotted,
            line.imaging_ready and line.pathology_ready,
            line.presentation.late_submission,
        )
        for line in lines
    ]
    return plan_agenda(conference.starts_at, conference.duration_minutes, capacity, entries)


def load_agenda_page(conference: Conference) -> AgendaPage:
    """Everything the agenda page shows: four queries whatever the number of cases."""
    series = db.session.get(ConferenceSeries, conference.series_id)
    days = program_settings().second_opinion_days
    lines = agenda_lines(conference.id, days)
    by_site = sa.select(SeriesSiteGroup.site_group).where(SeriesSiteGroup.series_id == series.id)
    queued = db.session.execute(
        sa.select(Case, Patient.last_name, Patient.first_name, SecondOpinionRequest.complete_at)
        .join(Patient, Case.patient_id == Patient.id)
        .outerjoin(SecondOpinionRequest, SecondOpinionRequest.case_id == Case.id)
        .where(
            Case.status == CaseStatus.SUBMITTED,
            (Case.requested_series_id == series.id)
            | (Case.requested_series_id.is_(None) & Case.site_group.in_(by_site)),
        )
        .order_by(sa.case((Case.urgency == "urgent", 0), else_=1), Case.submitted_at)
        .limit(QUEUE_SHOWN)
    ).all()
    queue = [
        QueuedCase(
            case.id,
            f"{last}, {first}",
            case.site_group.label,
            case.urgency.value == "urgent",
            case.ready,
            case.submitted_at,
            case.source is CaseSource.SECOND_OPINION,
            promise_due(complete_at, days),
        )
        for case, last, first, complete_at in queued
    ]
    return AgendaPage(conference, series, lines, plan_for(conference, series.capacity, lines), queue)


def soonest_conference(case: Case, after: datetime) -> tuple[Conference, str] | None:
    """The first scheduled meeting after `after` of an active series that takes the case (its requested series, or
    one for its site group), with the series' name: the one that can meet a second opinion's promise soonest."""
    takes_it = (
        Conference.series_id == case.requested_series_id if case.requested_series_id is not None
        else Conference.series_id.in_(
            sa.select(SeriesSiteGroup.series_id).where(SeriesSiteGroup.site_group == case.site_group)
        )
    )
    row = db.session.execute(
        sa.select(Conference, ConferenceSeries.name)
        .join(ConferenceSeries, Conference.series_id == ConferenceSeries.id)
        .where(Conference.status == ConferenceStatus.SCHEDULED, Conference.starts_at > after,
               ConferenceSeries.active.is_(True), takes_it)
        .order_by(Conference.starts_at, Conference.id)
        .limit(1)
    ).first()
    return (row[0], row[1]) if row else None


@dataclass(frozen=True)
class ConferenceRow:
    """A conference in a list."""

    conference: Conference
    series_name: str
    case_count: int
    starts_local: datetime


def conference_rows(
    where: sa.ColumnElement[bool], zone_of: dict[int, ZoneInfo] | None = None, limit: int = 200
) -> list[ConferenceRow]:
    """Conferences matching `where`, in time order, with their case counts (one query)."""
    rows = db.session.execute(
        sa.select(Conference, ConferenceSeries.name, ConferenceSeries.timezone, agenda_size())
        .join(ConferenceSeries, Conference.series_id == ConferenceSeries.id)
        .where(where)
        .order_by(Conference.starts_at)
        .limit(limit)
    ).all()
    return [ConferenceRow(c, name, n, c.starts_at.astimezone(ZoneInfo(tz))) for c, name, tz, n in rows]


@dataclass(frozen=True)
class MyAgendaCase:
    """A case of mine on an upcoming agenda."""

    case_id: int
    initials: str
    conference_id: int
    series_name: str
    starts_local: datetime
    role: str


def my_page(user: User, now: datetime, weeks: int = 8) -> tuple[list[ConferenceRow], list[MyAgendaCase]]:
    """A physician's upcoming conferences (series they belong to) and their cases on upcoming agendas."""
    horizon = now + timedelta(weeks=weeks)
    member = sa.select(SeriesMember.series_id).where(SeriesMember.user_id == user.id)
    conferences = conference_rows(
        Conference.series_id.in_(member)
        & (Conference.starts_at >= now - timedelta(hours=2))
        & (Conference.starts_at < horizon)
    )
    rows = db.session.execute(
        sa.select(
            Case.id,
            Case.presenting_physician_id,
            Patient.first_name,
            Patient.last_name,
            Conference,
            ConferenceSeries.name,
            ConferenceSeries.timezone,
        )
        .join(Patient, Case.patient_id == Patient.id)
        .join(Presentation, Presentation.case_id == Case.id)
        .join(Conference, Presentation.conference_id == Conference.id)
        .join(ConferenceSeries, Conference.series_id == ConferenceSeries.id)
        .where(
            (Case.presenting_physician_id == user.id) | (Case.managing_physician_id == user.id),
            Conference.starts_at >= now - timedelta(hours=2),
            Conference.status != ConferenceStatus.CANCELLED,
        )
        .order_by(Conference.starts_at)
    ).all()
    cases = [
        MyAgendaCase(
            case_id,
            f"{first[:1]}{last[:1]}".upper(),
            conf.id,
            name,
            conf.starts_at.astimezone(ZoneInfo(tz)),
            "presenting" if presenter == user.id else "managing",
        )
        for case_id, presenter, first, last, conf, name, tz in rows
    ]
    return conferences, cases


@dataclass(frozen=True)
class MemberLine:
    """A board member as the members page shows them."""

    user_id: int
    name: str
    username: str
    specialty: Specialty
    role: BoardRole
    joined_on: date
    attendance: MemberAttendance


@dataclass(frozen=True)
class MembersPage:
    """A board's members with their attendance this year, and the physicians who could join."""

    year: int
    target: Fraction
    members: list[MemberLine]
    candidates: list[tuple[str, str]]  # (username, "Name, credentials · specialty") of physicians not on the board


def load_members_page(series: ConferenceSeries, now: datetime) -> MembersPage:
    """The members, each one's attendance of this year's meetings held since they joined (meetings in the series'
    zone), and who else could join: four queries whatever the number of members or meetings."""
    zone = ZoneInfo(series.timezone)
    year = now.astimezone(zone).year
    rows = db.session.execute(
        sa.select(SeriesMember, User).join(User, SeriesMember.user_id == User.id)
        .where(SeriesMember.series_id == series.id).order_by(User.full_name)
    ).all()
    start = datetime.combine(date(year, 1, 1), time(0), zone)
    held = [
        (conference_id, starts.astimezone(zone).date())
        for conference_id, starts in db.session.execute(
            sa.select(Conference.id, Conference.starts_at).where(
                Conference.series_id == series.id, Conference.status == ConferenceStatus.HELD,
                Conference.starts_at >= start, Conference.starts_at <= now,
            )
        )
    ]
    came = set(db.session.execute(
        sa.select(Attendance.conference_id, Attendance.user_id).where(
            Attendance.conference_id.in_([conference_id for conference_id, _ in held]),
            Attendance.user_id.in_([user.id for _, user in rows]),
        )
    ).all())
    target = Fraction(series.attendance_target_numerator, series.attendance_target_denominator)
    rates = attendance({member.user_id: member.joined_on for member, _ in rows}, held, came, target)
    members = [
        MemberLine(user.id, user.display_name, user.username, user.specialty, member.role, member.joined_on,
                   rates[user.id])
        for member, user in rows
    ]
    on_board = {line.user_id for line in members}
    candidates = [
        (username, f"{name}{', ' + credentials if credentials else ''} · {specialty.label}")
        for user_id, username, name, credentials, specialty in db.session.execute(
            sa.select(User.id, User.username, User.full_name, User.credentials, User.specialty)
            .join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == Role.PHYSICIAN, User.active.is_(True))
            .order_by(User.full_name)
        )
        if user_id not in on_board
    ]
    return MembersPage(year, target, members, candidates)
