"""What the case page shows, loaded in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass

from tumorboard.audit.models import AuditEntry
from tumorboard.auth.models import User
from tumorboard.cases.models import Case, CaseStatusChange
from tumorboard.conferences.models import Conference, ConferenceSeries
from tumorboard.extensions import db
from tumorboard.sessions.models import Presentation

AUDIT_SHOWN = 50


@dataclass(frozen=True)
class CasePage:
    """A case's presentations (with conference date, status and series), status history, audit trail and people."""

    presentations: list[tuple]
    history: list[tuple]
    audit: list[tuple]
    people: dict[int, str]


def load_case_page(case: Case) -> CasePage:
    """Everything around `case` that its page shows."""
    presentations = db.session.execute(
        db.select(Presentation, Conference.starts_at, Conference.status, ConferenceSeries.name)
        .join(Conference, Presentation.conference_id == Conference.id)
        .join(ConferenceSeries, Conference.series_id == ConferenceSeries.id)
        .where(Presentation.case_id == case.id)
        .order_by(Conference.starts_at)
        .options(db.selectinload(Presentation.consensus_plan))
    ).all()
    history = db.session.execute(
        db.select(CaseStatusChange, User.full_name).outerjoin(User, CaseStatusChange.by_id == User.id)
        .where(CaseStatusChange.case_id == case.id).order_by(CaseStatusChange.at, CaseStatusChange.id)
    ).all()
    audit = db.session.execute(
        db.select(AuditEntry, User.full_name).outerjoin(User, AuditEntry.user_id == User.id)
        .where(AuditEntry.entity_type == "case", AuditEntry.entity_id == case.id)
        .order_by(AuditEntry.id.desc()).limit(AUDIT_SHOWN)
    ).all()
    ids = {case.presenting_physician_id, case.managing_physician_id, case.imaging_ready_by_id, case.pathology_ready_by_id} - {None}
    people = {user.id: user.display_name for user in db.session.scalars(db.select(User).where(User.id.in_(ids)))}
    return CasePage(list(presentations), list(history), list(audit), people)
