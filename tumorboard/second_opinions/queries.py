"""What the second-opinion pages show: requests by filter with their promise clocks, one request with its files and
possible duplicates, the requests waiting on insurance. A bounded number of queries each."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from tumorboard.auth.models import User, UserRole
from tumorboard.cases.models import Patient
from tumorboard.cases.queries import record_files
from tumorboard.extensions import db
from tumorboard.paging import Page, page_of
from tumorboard.program.settings import program_zone
from tumorboard.second_opinions.clock import PromiseClock, promise_clock, sent_moment
from tumorboard.second_opinions.intake import WAITING_ON_AUTHORIZATION, WAITING_ON_INSURANCE
from tumorboard.second_opinions.models import RecordFile, RecordItem, SecondOpinionRequest
from tumorboard.second_opinions.operations import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    Duplicates,
    plan_sent_on_by_case,
    possible_duplicates,
)
from tumorboard.vocab import RecordKind, RecordState, RequestSource, Role, SecondOpinionStatus

PAGE_SIZE = 50
# The groups, then the statuses a list may show alone ("open" and "closed" name the groups: the status codes of the
# same spelling are in them).
STATES = {"open": "Open", "closed": "Closed or cancelled", "all": "All"} | {
    status.value: f"{status.label} only" for status in SecondOpinionStatus if status.value not in ("open", "closed")
}
SOURCES = {"": "Any way in", "web": "Web forms", "staff": "Taken in by staff"}
NAVIGATORS = {"": "Any navigator", "mine": "Mine", "unassigned": "Not assigned yet"}


@dataclass(frozen=True)
class RequestFilter:
    """Which requests a list shows; no patient data (it travels in the URL)."""

    state: str = "open"
    source: str = ""
    navigator: str = ""
    insurance: bool = False  # only those waiting on insurance
    page: int = 1

    def as_args(self) -> dict[str, str]:
        """The filter as query-string arguments (defaults left out), for links and the pager."""
        args = {"state": self.state} if self.state != "open" else {}
        args |= {name: getattr(self, name) for name in ("source", "navigator") if getattr(self, name)}
        return args | ({"insurance": "waiting"} if self.insurance else {})


def parse_request_filter(args: Mapping[str, str]) -> RequestFilter:
    """The filter from a query string; an unknown value is the default."""
    def pick(name: str, known: Mapping[str, str], default: str) -> str:
        value = args.get(name, default)
        return value if value in known else default

    try:
        page = max(1, min(int(args.get("page", 1)), 10_000))
    except ValueError:
        page = 1
    return RequestFilter(pick("state", STATES, "open"), pick("source", SOURCES, ""), pick("navigator", NAVIGATORS, ""),
                         args.get("insurance") == "waiting", page)


@dataclass(frozen=True)
class ListedRequest:
    """One request as a list shows it."""

    request: SecondOpinionRequest
    patient: str
    registered: bool
    navigator: str
    done: int
    total: int
    clock: PromiseClock

    @property
    def new_from_the_web(self) -> bool:
        """Sent through a public form and not taken on by a navigator yet."""
        return self.request.source is not RequestSource.STAFF and self.request.navigator_id is None


def _conditions(f: RequestFilter, user_id: int | None) -> list[sa.ColumnElement[bool]]:
    groups = {"open": OPEN_STATUSES, "closed": CLOSED_STATUSES, "all": tuple(SecondOpinionStatus)}
    statuses = groups[f.state] if f.state in groups else (SecondOpinionStatus(f.state),)  # parse_request_filter knew it
    where = [SecondOpinionRequest.status.in_(statuses)] if len(statuses) < len(SecondOpinionStatus) else []
    if f.source == "web":
        where.append(SecondOpinionRequest.source != RequestSource.STAFF)
    elif f.source == "staff":
        where.append(SecondOpinionRequest.source == RequestSource.STAFF)
    if f.navigator == "mine":
        where.append(SecondOpinionRequest.navigator_id == (user_id or 0))
    elif f.navigator == "unassigned":
        where.append(SecondOpinionRequest.navigator_id.is_(None))
    if f.insurance:
        where.append(SecondOpinionRequest.insurance_status.in_(WAITING_ON_INSURANCE)
                     | SecondOpinionRequest.prior_authorization.in_(WAITING_ON_AUTHORIZATION))
    return where


def count_requests(f: RequestFilter, user_id: int | None = None) -> int:
    """How many requests the filter's list holds (the dashboard says the list's own number)."""
    return db.session.scalar(sa.select(sa.func.count(SecondOpinionRequest.id)).where(*_conditions(f, user_id))) or 0


def list_requests(f: RequestFilter, user_id: int | None, now: datetime, days: int) -> Page:
    """One page of requests with their records received and clock: three queries. Open requests first (breaches
    first, then the fewest days left, then those whose records are still coming), newest first among the rest."""
    received = (
        sa.select(RecordItem.request_id, sa.func.count(RecordItem.id).label("done"))
        .where(RecordItem.state.in_((RecordState.RECEIVED, RecordState.NOT_APPLICABLE)))
        .group_by(RecordItem.request_id)
        .subquery()
    )
    sent = plan_sent_on_by_case()
    where = _conditions(f, user_id)
    is_open = SecondOpinionRequest.status.in_(OPEN_STATUSES)
    rows = (
        sa.select(SecondOpinionRequest, sa.func.coalesce(Patient.last_name, SecondOpinionRequest.last_name),
                  sa.func.coalesce(Patient.first_name, SecondOpinionRequest.first_name), Patient.id, User.full_name,
                  sa.func.coalesce(received.c.done, 0), sent.c.sent_on)
        .outerjoin(Patient, SecondOpinionRequest.patient_id == Patient.id)
        .outerjoin(User, SecondOpinionRequest.navigator_id == User.id)
        .outerjoin(received, received.c.request_id == SecondOpinionRequest.id)
        .outerjoin(sent, sent.c.case_id == SecondOpinionRequest.case_id)
        .where(*where)
        .order_by(~is_open, sa.case((is_open, SecondOpinionRequest.complete_at.is_(None)), else_=False),
                  sa.case((is_open, SecondOpinionRequest.complete_at)),
                  sa.case((is_open, SecondOpinionRequest.received_at)),
                  SecondOpinionRequest.received_at.desc(), SecondOpinionRequest.id.desc())
    )
    page = page_of(sa.select(sa.func.count(SecondOpinionRequest.id)).where(*where), rows, f.page, PAGE_SIZE)
    zone = program_zone()
    items = [
        ListedRequest(r, f"{last}, {first}", patient_id is not None, navigator or "—", done, len(RecordKind),
                      promise_clock(r.complete_at, sent_moment(sent_on, zone) if sent_on else None, now, days))
        for r, last, first, patient_id, navigator, done, sent_on in page.rows
    ]
    return Page(items, page.total, page.page, page.pages)


@dataclass(frozen=True)
class RequestPage:
    """One request: its clock, its files (without their content) and who else it may be."""

    request: SecondOpinionRequest
    clock: PromiseClock
    files: list[RecordFile]
    duplicates: Duplicates


def load_request_page(request: SecondOpinionRequest, now: datetime, days: int) -> RequestPage:
    """Everything the request page shows."""
    files = record_files(request.id)
    who = request.patient or request
    duplicates = possible_duplicates(who.last_name, who.first_name, who.birth_date, request.id, request.patient_id)
    return RequestPage(request, request_clock(request, now, days), files, duplicates)


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
