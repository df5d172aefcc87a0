"""The letters work list, loaded in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from tumorboard.auth.models import User, UserRole
from tumorboard.cases.models import Case, Patient
from tumorboard.conferences.models import Conference, ConferenceSeries
from tumorboard.extensions import db
from tumorboard.letters.models import LetterDelegate, LetterDispatch, PlanLetter
from tumorboard.room.models import ConsensusPlan, Presentation
from tumorboard.vocab import LetterKind, PresentationStatus, Role

SHOWN = 100


@dataclass(frozen=True)
class WaitingRow:
    """A presented case still waiting for its letter."""

    presentation_id: int
    case_id: int
    patient_name: str
    series_name: str
    conference_day: date
    days_waited: int
    finalized: bool
    managing: str


def signable_by(user: User) -> sa.ColumnElement[bool]:
    """Cases the user signs for: their own as managing physician, and those of physicians who named them delegate."""
    delegated = sa.select(LetterDelegate.physician_id).where(LetterDelegate.delegate_id == user.id)
    return (Case.managing_physician_id == user.id) | Case.managing_physician_id.in_(delegated)


def waiting_for_letters(
    scope: sa.ColumnElement[bool] | None, today: date, zone: ZoneInfo
) -> tuple[list[WaitingRow], int]:
    """Closed presentations without a referrer letter, oldest first, with how long they have waited (two queries)."""
    has_letter = sa.exists().where(
        PlanLetter.presentation_id == Presentation.id, PlanLetter.kind == LetterKind.REFERRER
    )
    # Only a case's latest closed presentation waits: an earlier one was superseded by re-presenting.
    later_one = aliased(Presentation)
    later = sa.exists().where(
        later_one.case_id == Presentation.case_id,
        later_one.status == PresentationStatus.CLOSED,
        later_one.closed_at > Presentation.closed_at,
    )
    stmt = (
        sa.select(
            Presentation,
            Case.id,
            Patient.last_name,
            Patient.first_name,
            ConferenceSeries.name,
            Conference.starts_at,
            ConsensusPlan.final_plan,
            User.full_name,
        )
        .join(Case, Presentation.case_id == Case.id)
        .join(Patient, Case.patient_id == Patient.id)
        .join(Conference, Presentation.conference_id == Conference.id)
        .join(ConferenceSeries, Conference.series_id == ConferenceSeries.id)
        .outerjoin(ConsensusPlan, ConsensusPlan.presentation_id == Presentation.id)
        .outerjoin(User, Case.managing_physician_id == User.id)
        .where(Presentation.status == PresentationStatus.CLOSED, ~has_letter, ~later)
    )
    if scope is not None:
        stmt = stmt.where(scope)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery())) or 0
    rows = db.session.execute(stmt.order_by(Presentation.closed_at).limit(SHOWN)).all()
    return [
        WaitingRow(
            p.id,
            case_id,
            f"{last}, {first}",
            series,
            starts.astimezone(zone).date(),
            (today - p.closed_at.astimezone(zone).date()).days,
            bool(final),
            managing or "—",
        )
        for p, case_id, last, first, series, starts, final, managing in rows
    ], total


@dataclass(frozen=True)
class UnsentRow:
    """An issued letter with no record of sending."""

    letter: PlanLetter
    case_id: int
    patient_name: str


def issued_not_sent(scope: sa.ColumnElement[bool] | None) -> list[UnsentRow]:
    """The newest version of each issued letter that has not been sent (one query)."""
    newer_one = aliased(PlanLetter)
    newer = sa.exists().where(newer_one.replaces_id == PlanLetter.id)
    sent = sa.exists().where(LetterDispatch.letter_id == PlanLetter.id)
    stmt = (
        sa.select(PlanLetter, Case.id, Patient.last_name, Patient.first_name)
        .join(Presentation, PlanLetter.presentation_id == Presentation.id)
        .join(Case, Presentation.case_id == Case.id)
        .join(Patient, Case.patient_id == Patient.id)
        .where(~sent, ~newer, PlanLetter.kind != LetterKind.PRESENTATION_NOTICE)
        .order_by(PlanLetter.issued_at)
        .limit(SHOWN)
    )
    if scope is not None:
        stmt = stmt.where(scope)
    return [
        UnsentRow(letter, case_id, f"{last}, {first}")
        for letter, case_id, last, first in db.session.execute(stmt).all()
    ]


def letters_of(presentation_id: int) -> list[tuple[PlanLetter, list[LetterDispatch]]]:
    """Every version of every letter of a presentation, newest first, with its dispatches (two queries)."""
    letters = list(
        db.session.scalars(
            sa.select(PlanLetter)
            .where(PlanLetter.presentation_id == presentation_id)
            .order_by(PlanLetter.kind, PlanLetter.version.desc())
        )
    )
    dispatches: dict[int, list[LetterDispatch]] = {}
    for row in db.session.scalars(
        sa.select(LetterDispatch)
        .where(LetterDispatch.letter_id.in_([letter.id for letter in letters]))
        .order_by(LetterDispatch.sent_on)
    ):
        dispatches.setdefault(row.letter_id, []).append(row)
    return [(letter, dispatches.get(letter.id, [])) for letter in letters]


def delegates_and_colleagues(physician: User) -> tuple[list[User], list[User]]:
    """Who may issue the physician's letters, and the other active physicians and coordinators they could name."""
    delegates = list(db.session.scalars(
        sa.select(User).join(LetterDelegate, LetterDelegate.delegate_id == User.id)
        .where(LetterDelegate.physician_id == physician.id).order_by(User.full_name)
    ))
    colleagues = db.session.scalars(
        sa.select(User).join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role.in_((Role.PHYSICIAN, Role.COORDINATOR)), User.active.is_(True), User.id != physician.id)
        .order_by(User.full_name).distinct()
    )
    return delegates, [user for user in colleagues if user not in delegates]
