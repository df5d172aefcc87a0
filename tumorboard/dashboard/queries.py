"""What the dashboard shows each role, loaded in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from tumorboard.audit.models import AuditEntry
from tumorboard.auth.models import User
from tumorboard.cases.models import Case, Patient
from tumorboard.conferences.models import Conference, ConferenceSeries, SeriesMember
from tumorboard.conferences.queries import agenda_size
from tumorboard.extensions import db
from tumorboard.second_opinions.queries import RequestFilter, count_requests
from tumorboard.vocab import CaseStatus, ConferenceStatus, Role, SecondOpinionStatus

UPCOMING_DAYS = 14
ACTIVE_CASE_STATUSES = (
    CaseStatus.DRAFT,
    CaseStatus.SUBMITTED,
    CaseStatus.SCHEDULED,
    CaseStatus.PRESENTED,
    CaseStatus.PLAN_FINALIZED,
    CaseStatus.DEFERRED,
)


@dataclass(frozen=True)
class UpcomingConference:
    """One upcoming conference, in local time, with its number of cases."""

    id: int
    series_name: str
    starts_at: datetime
    status: ConferenceStatus
    place: str
    case_count: int
    capacity: int
    mine: bool


@dataclass(frozen=True)
class MyCase:
    """A case the physician presents or manages (initials only on the dashboard)."""

    id: int
    initials: str
    site_group_label: str
    status: CaseStatus
    role: str


@dataclass(frozen=True)
class Dashboard:
    """Everything the dashboard page shows."""

    upcoming: list[UpcomingConference]
    my_cases: list[MyCase]
    queue_waiting: int | None
    queue_unready: int | None
    held_this_year: int | None
    open_second_opinions: int | None
    new_web_requests: int | None
    records_complete: int | None
    audit_entries_week: int | None


def upcoming_conferences(user: User, now: datetime, tz: ZoneInfo) -> list[UpcomingConference]:
    """Conferences in the next two weeks, with case counts and whether the user is a member."""
    member = sa.exists().where(SeriesMember.series_id == Conference.series_id, SeriesMember.user_id == user.id)
    rows = db.session.execute(
        sa.select(Conference, ConferenceSeries.name, ConferenceSeries.capacity, agenda_size(), member)
        .join(ConferenceSeries, Conference.series_id == ConferenceSeries.id)
        .where(
            Conference.starts_at >= now - timedelta(hours=2), Conference.starts_at < now + timedelta(days=UPCOMING_DAYS)
        )
        .order_by(Conference.starts_at)
    ).all()
    return [
        UpcomingConference(c.id, name, c.starts_at.astimezone(tz), c.status, c.place, count, capacity, bool(mine))
        for c, name, capacity, count, mine in rows
    ]


def my_cases(user: User, limit: int = 15) -> list[MyCase]:
    """Active cases the user presents or manages, most recently changed first."""
    rows = db.session.execute(
        sa.select(
            Case.id, Patient.first_name, Patient.last_name, Case.site_group, Case.status, Case.presenting_physician_id
        )
        .join(Patient, Case.patient_id == Patient.id)
        .where(
            (Case.presenting_physician_id == user.id) | (Case.managing_physician_id == user.id),
            Case.status.in_(ACTIVE_CASE_STATUSES),
        )
        .order_by(Case.updated_at.desc())
        .limit(limit)
    ).all()
    return [
        MyCase(
            id,
            f"{first[:1]}{last[:1]}".upper(),
            site.label,
            status,
            "presenting" if presenter == user.id else "managing",
        )
        for id, first, last, site, status, presenter in rows
    ]


def _count(stmt: sa.Select) -> int:
    return db.session.scalar(stmt) or 0


def build_dashboard(user: User, now: datetime, tz: ZoneInfo) -> Dashboard:
    """The dashboard of `user`: shared upcoming conferences plus the parts of each role they hold."""
    coordinator = user.has_role(Role.COORDINATOR, Role.ADMIN)
    queue_waiting = queue_unready = held = open_so = complete_so = new_so = audit_week = None
    if coordinator:
        waiting = sa.select(sa.func.count(Case.id)).where(Case.status == CaseStatus.SUBMITTED)
        queue_waiting = _count(waiting)
        queue_unready = _count(waiting.where((Case.imaging_ready_at.is_(None)) | (Case.pathology_ready_at.is_(None))))
        year_start = datetime(now.astimezone(tz).year, 1, 1, tzinfo=tz)
        held = _count(
            sa.select(sa.func.count(Conference.id)).where(
                Conference.status == ConferenceStatus.HELD, Conference.starts_at >= year_start
            )
        )
    if user.has_role(Role.NAVIGATOR, Role.COORDINATOR):
        # The numbers of the lists they link to: the same filters, counted the same way.
        open_so = count_requests(RequestFilter(state="open"))
        complete_so = count_requests(RequestFilter(state=SecondOpinionStatus.RECORDS_COMPLETE.value))
        new_so = count_requests(RequestFilter(source="web", navigator="unassigned"))
    if user.has_role(Role.AUDITOR, Role.ADMIN):
        audit_week = _count(sa.select(sa.func.count(AuditEntry.id)).where(AuditEntry.at >= now - timedelta(days=7)))
    return Dashboard(
        upcoming=upcoming_conferences(user, now, tz),
        my_cases=my_cases(user) if user.has_role(Role.PHYSICIAN) else [],
        queue_waiting=queue_waiting,
        queue_unready=queue_unready,
        held_this_year=held,
        open_second_opinions=open_so,
        records_complete=complete_so,
        new_web_requests=new_so,
        audit_entries_week=audit_week,
    )
