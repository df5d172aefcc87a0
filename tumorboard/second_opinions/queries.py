"""What the second-opinion pages show: the open requests with their promise clocks, one request's clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from tumorboard.auth.models import User, UserRole
from tumorboard.cases.models import Patient
from tumorboard.extensions import db
from tumorboard.program.settings import program_zone
from tumorboard.second_opinions.clock import PromiseClock, promise_clock, sent_moment
from tumorboard.second_opinions.models import RecordItem, SecondOpinionRequest
from tumorboard.second_opinions.operations import OPEN_STATUSES, plan_sent_on_by_case
from tumorboard.vocab import RecordKind, RecordState, Role


@dataclass(frozen=True)
class OpenRequest:
    """One open request as the list shows it."""

    request: SecondOpinionRequest
    patient: str
    navigator: str
    done: int
    total: int
    clock: PromiseClock


def open_requests(now: datetime, days: int) -> list[OpenRequest]:
    """Open requests with their records received and their clock: breaches first, then the fewest days left."""
    received = (
        sa.select(RecordItem.request_id, sa.func.count(RecordItem.id).label("done"))
        .where(RecordItem.state.in_((RecordState.RECEIVED, RecordState.NOT_APPLICABLE)))
        .group_by(RecordItem.request_id)
        .subquery()
    )
    rows = db.session.execute(
        sa.select(SecondOpinionRequest, Patient.last_name, Patient.first_name, User.full_name,
                  sa.func.coalesce(received.c.done, 0))
        .join(Patient, SecondOpinionRequest.patient_id == Patient.id)
        .outerjoin(User, SecondOpinionRequest.navigator_id == User.id)
        .outerjoin(received, received.c.request_id == SecondOpinionRequest.id)
        .where(SecondOpinionRequest.status.in_(OPEN_STATUSES))
        .order_by(SecondOpinionRequest.received_at)
    ).all()
    # An open request has no plan letter sent yet: every open request's clock runs.
    items = [OpenRequest(r, f"{last}, {first}", navigator or "—", done, len(RecordKind),
                         promise_clock(r.complete_at, None, now, days)) for r, last, first, navigator, done in rows]
    return sorted(items, key=lambda item: (not item.clock.breached, item.clock.days_left if item.clock.started else 99))


def request_clock(request: SecondOpinionRequest, now: datetime, days: int) -> PromiseClock:
    """The promise clock of one request: stopped when its opinion went out (the first referrer letter's dispatch)."""
    sent_on = None
    if request.case_id is not None:
        sent = plan_sent_on_by_case()
        sent_on = db.session.scalar(sa.select(sent.c.sent_on).where(sent.c.case_id == request.case_id))
    return promise_clock(request.complete_at, sent_moment(sent_on, program_zone()) if sent_on else None, now, days)


def navigator_choices() -> list[tuple[int, str]]:
    """Active navigators (id, name) for the intake form."""
    return [tuple(row) for row in db.session.execute(
        sa.select(User.id, User.full_name).join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == Role.NAVIGATOR, User.active.is_(True)).order_by(User.full_name)
    )]
