"""What the case pages show: the queue (filters read from the query string, rows in two queries) and one case's page
(in a fixed number of queries)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from tumorboard.audit.models import AuditEntry, AuditSubject
from tumorboard.auth.models import User, UserRole
from tumorboard.cases.models import Case, CaseStatusChange, Patient
from tumorboard.cases.search import PatientQuery
from tumorboard.conferences.models import Conference, ConferenceSeries, SeriesSiteGroup
from tumorboard.extensions import db
from tumorboard.paging import Page, page_of
from tumorboard.program.settings import program_settings
from tumorboard.room.models import Presentation
from tumorboard.second_opinions.models import RecordFile, SecondOpinionRequest
from tumorboard.vocab import CaseSource, CaseStatus, ConferenceStatus, Role, SiteGroup, Urgency

PAGE_SIZE = 25
# A case waits from submission until it is presented (or given up).
WAITING = frozenset({CaseStatus.SUBMITTED, CaseStatus.SCHEDULED, CaseStatus.DEFERRED})
SORTS = {
    "waited": "Longest waiting first",
    "urgency": "Urgent first",
    "site": "Site group",
    "patient": "Patient name",
}


@dataclass(frozen=True)
class QueueFilter:
    """What the queue shows. Holds no patient data: it travels in the URL."""

    site_group: SiteGroup | None = None
    series_id: int | None = None
    status: CaseStatus | None = CaseStatus.SUBMITTED
    urgency: Urgency | None = None
    submitted_from: date | None = None
    submitted_to: date | None = None
    ready: bool | None = None
    patient_id: int | None = None  # an id, never a name: chosen on "Find a patient"
    sort: str = "waited"
    page: int = 1

    def as_args(self) -> dict[str, str]:
        """The filter as query-string arguments for the pager links (defaults left out): only names the queue reads."""
        args: dict[str, str] = {}
        for name in ("site_group", "series_id", "urgency", "submitted_from", "submitted_to", "patient_id"):
            value = getattr(self, name)
            if value is not None:
                args[name] = value.isoformat() if isinstance(value, date) else str(getattr(value, "value", value))
        if self.ready is not None:
            args["ready"] = "yes" if self.ready else "no"
        if self.status is not CaseStatus.SUBMITTED:
            args["status"] = self.status.value if self.status else "any"
        if self.sort != "waited":
            args["sort"] = self.sort
        return args


def parse_filter(args: Mapping[str, str]) -> tuple[QueueFilter, list[str]]:
    """The filter from a query string; values that cannot be read are dropped with a message."""
    problems: list[str] = []
    values: dict[str, object] = {}

    def read(name: str, convert, label: str) -> None:  # noqa: ANN001
        raw = (args.get(name) or "").strip()
        if raw:
            try:
                values[name] = convert(raw)
            except ValueError:
                problems.append(f"Ignored the {label} filter: '{raw[:40]}' is not valid.")

    read("site_group", SiteGroup, "site group")
    read("series_id", database_id, "conference")
    read("urgency", Urgency, "urgency")
    read("submitted_from", date.fromisoformat, "submitted-from")
    read("submitted_to", date.fromisoformat, "submitted-to")
    read("ready", _yes_no, "readiness")
    read("patient_id", database_id, "patient")
    status = (args.get("status") or "submitted").strip()
    if status == "any":
        values["status"] = None
    else:
        read("status", CaseStatus, "status")
    sort = args.get("sort", "waited")
    values["sort"] = sort if sort in SORTS else "waited"
    try:
        values["page"] = max(1, min(int(args.get("page", 1)), 10_000))
    except ValueError:
        values["page"] = 1
    return QueueFilter(**values), problems


def database_id(raw: str) -> int:
    """A positive id that fits the database's integer column."""
    value = int(raw)
    if not 0 < value < 2**31:
        raise ValueError(raw)
    return value


def _yes_no(raw: str) -> bool:
    if raw not in ("yes", "no"):
        raise ValueError(raw)
    return raw == "yes"


@dataclass(frozen=True)
class QueueRow:
    """One case in the queue, as the page shows it."""

    id: int
    patient_name: str
    mrn: str
    site_group: SiteGroup
    series_name: str
    status: CaseStatus
    urgency: Urgency
    submitted_at: datetime | None
    waited_days: int | None
    imaging_ready: bool
    pathology_ready: bool
    presenter: str
    second_opinion: bool = False
    promised_by: datetime | None = None  # a second opinion's promise, once its records were complete
    promise_broken: bool = False  # that moment has passed


def _conditions(f: QueueFilter, zone: ZoneInfo) -> list[sa.ColumnElement[bool]]:
    """The filter as WHERE conditions on cases (applied directly, so the
    database can walk an index in the sort order).
    """
    conditions: list[sa.ColumnElement[bool]] = []
    if f.status is not None:
        conditions.append(Case.status == f.status)
    if f.site_group is not None:
        conditions.append(Case.site_group == f.site_group)
    if f.series_id is not None:
        by_site = sa.select(SeriesSiteGroup.site_group).where(SeriesSiteGroup.series_id == f.series_id)
        conditions.append(
            (Case.requested_series_id == f.series_id)
            | (Case.requested_series_id.is_(None) & Case.site_group.in_(by_site))
        )
    if f.urgency is not None:
        conditions.append(Case.urgency == f.urgency)
    if f.patient_id is not None:
        conditions.append(Case.patient_id == f.patient_id)
    if f.submitted_from is not None:
        conditions.append(Case.submitted_at >= datetime.combine(f.submitted_from, time(0), zone))
    if f.submitted_to is not None:
        conditions.append(Case.submitted_at < datetime.combine(f.submitted_to + timedelta(days=1), time(0), zone))
    if f.ready is True:
        conditions += [Case.imaging_ready_at.is_not(None), Case.pathology_ready_at.is_not(None)]
    elif f.ready is False:
        conditions.append(Case.imaging_ready_at.is_(None) | Case.pathology_ready_at.is_(None))
    return conditions


def load_queue(
    f: QueueFilter, now: datetime, zone: ZoneInfo, visible: sa.ColumnElement[bool] | None = None
) -> Page:
    """The page of cases matching `f` (and `visible`, the cases the reader
    may see): one count query and one row query.
    """
    conditions = _conditions(f, zone) + ([visible] if visible is not None else [])
    # count(*), not count(id): SQLite counts an index without reading each value (86,000 cases: 0.7 ms, not 4)
    count = sa.select(sa.func.count()).select_from(Case).where(*conditions)
    order = {
        "waited": (Case.submitted_at.asc(), Case.id),
        "urgency": (sa.case((Case.urgency == Urgency.URGENT, 0), else_=1), Case.submitted_at.asc(), Case.id),
        "site": (Case.site_group, Case.submitted_at.asc(), Case.id),
        "patient": (Patient.last_name, Patient.first_name, Case.id),
    }[f.sort]
    found = page_of(
        count,
        sa.select(Case, Patient.last_name, Patient.first_name, Patient.mrn, ConferenceSeries.name, User.full_name,
                  SecondOpinionRequest.complete_at)
        .join(Patient, Case.patient_id == Patient.id)
        .outerjoin(ConferenceSeries, Case.requested_series_id == ConferenceSeries.id)
        .outerjoin(User, Case.presenting_physician_id == User.id)
        .outerjoin(SecondOpinionRequest, SecondOpinionRequest.case_id == Case.id)
        .where(*conditions)
        .order_by(*order),
        f.page,
        PAGE_SIZE,
    )
    days = program_settings().second_opinion_days
    return Page(
        rows=[
            QueueRow(
                id=case.id,
                patient_name=f"{last}, {first}",
                mrn=mrn,
                site_group=case.site_group,
                series_name=series or "",
                status=case.status,
                urgency=case.urgency,
                submitted_at=case.submitted_at.astimezone(zone) if case.submitted_at else None,
                waited_days=(now - case.submitted_at).days if case.submitted_at and case.status in WAITING else None,
                imaging_ready=case.imaging_ready_at is not None,
                pathology_ready=case.pathology_ready_at is not None,
                presenter=presenter or "",
                second_opinion=case.source is CaseSource.SECOND_OPINION,
                promised_by=(due := promise_due(complete_at, days)),
                promise_broken=due is not None and due < now,
            )
            for case, last, first, mrn, series, presenter, complete_at in found.rows
        ],
        total=found.total,
        page=found.page,
        pages=found.pages,
    )


FOUND_AT_MOST = 20
IMPORTED_SHOWN = 200  # the import result page lists the first ones; the queue has them all


@dataclass(frozen=True)
class ImportedCase:
    """A case an import just created, as its result page lists it."""

    id: int
    patient_name: str
    mrn: str
    site_group: SiteGroup
    status: CaseStatus


def load_imported(case_ids: list[int]) -> list[ImportedCase]:
    """The cases an import created, in the file's order (one query)."""
    rows = db.session.execute(
        sa.select(Case.id, Patient.last_name, Patient.first_name, Patient.mrn, Case.site_group, Case.status)
        .join(Patient, Case.patient_id == Patient.id).where(Case.id.in_(case_ids))
    ).all()
    by_id = {row[0]: ImportedCase(row[0], f"{row[1]}, {row[2]}", row[3], row[4], row[5]) for row in rows}
    return [by_id[case_id] for case_id in case_ids if case_id in by_id]


@dataclass(frozen=True)
class FoundCase:
    """One of a found patient's cases."""

    id: int
    site_group: SiteGroup
    status: CaseStatus
    next_conference: str  # "Breast Tumor Board, 2026-12-08 07:00" or ""


@dataclass(frozen=True)
class FoundPatient:
    """A patient "Find a patient" found, with the cases the reader may see."""

    id: int
    mrn: str
    name: str
    birth_date: date
    cases: list[FoundCase]


def find_patients(
    query: PatientQuery, now: datetime, zone: ZoneInfo, visible: sa.ColumnElement[bool] | None = None
) -> tuple[list[FoundPatient], bool]:
    """The patients matching the search (at most FOUND_AT_MOST, and whether there were more) with their cases and
    each case's next conference, in three queries whatever the number of patients; only patients with a case the
    reader may see (`visible`)."""
    if query.kind == "none":
        return [], False
    stmt = sa.select(Patient)
    if query.case_id is not None:
        stmt = stmt.where(Patient.id.in_(sa.select(Case.patient_id).where(Case.id == query.case_id)))
    elif query.identifier is not None:
        same = Patient.mrn == query.identifier
        if query.identifier.isdigit() and int(query.identifier) < 2**31:  # digits: an MRN, or a case number
            same |= Patient.id.in_(sa.select(Case.patient_id).where(Case.id == int(query.identifier)))
        stmt = stmt.where(same)
    elif query.birth_date is not None:
        stmt = stmt.where(Patient.birth_date == query.birth_date)
    else:
        stmt = stmt.where(*(Patient.name_key.contains(f" {word}") for word in query.words))
    readable = [visible] if visible is not None else []
    if readable:
        stmt = stmt.where(sa.exists().where(Case.patient_id == Patient.id, *readable))
    patients = list(db.session.scalars(
        stmt.order_by(Patient.last_name, Patient.first_name, Patient.id).limit(FOUND_AT_MOST + 1)
    ))
    more, patients = len(patients) > FOUND_AT_MOST, patients[:FOUND_AT_MOST]
    cases = db.session.execute(
        sa.select(Case.id, Case.patient_id, Case.site_group, Case.status)
        .where(Case.patient_id.in_([p.id for p in patients]), *readable)
        .order_by(Case.id)
    ).all()
    upcoming = sa.select(
        Presentation.case_id, Conference.starts_at, ConferenceSeries.name,
        sa.func.row_number().over(partition_by=Presentation.case_id, order_by=Conference.starts_at).label("n"),
    ).join(Conference, Presentation.conference_id == Conference.id).join(
        ConferenceSeries, Conference.series_id == ConferenceSeries.id
    ).where(Presentation.case_id.in_([c.id for c in cases]), Conference.starts_at >= now,
            Conference.status == ConferenceStatus.SCHEDULED).subquery()
    next_of = {
        case_id: f"{series}, {starts.astimezone(zone):%Y-%m-%d %H:%M}"
        for case_id, starts, series in db.session.execute(
            sa.select(upcoming.c.case_id, upcoming.c.starts_at, upcoming.c.name).where(upcoming.c.n == 1)
        )
    }
    by_patient: dict[int, list[FoundCase]] = {p.id: [] for p in patients}
    for case_id, patient_id, site, status in cases:
        by_patient[patient_id].append(FoundCase(case_id, site, status, next_of.get(case_id, "")))
    found = [FoundPatient(p.id, p.mrn, f"{p.last_name}, {p.first_name}", p.birth_date, by_patient[p.id])
             for p in patients]
    return found, more


AUDIT_SHOWN = 50


@dataclass(frozen=True)
class CasePage:
    """A case's presentations (with conference date, status and series), status history, audit trail and people."""

    presentations: list[tuple]
    history: list[tuple]
    audit: list[tuple]
    people: dict[int, str]
    second_opinion: SecondOpinionRequest | None = None  # the request the case was made for: insurance, promise
    files: list[RecordFile] = field(default_factory=list)  # its outside records' files (without their content)
    promised_by: datetime | None = None  # the promise: a plan within the program's days of the complete records


def load_case_page(case: Case) -> CasePage:
    """Everything around `case` that its page shows."""
    presentations = db.session.execute(
        sa.select(Presentation, Conference.starts_at, Conference.status, ConferenceSeries.name)
        .join(Conference, Presentation.conference_id == Conference.id)
        .join(ConferenceSeries, Conference.series_id == ConferenceSeries.id)
        .where(Presentation.case_id == case.id)
        .order_by(Conference.starts_at)
        .options(selectinload(Presentation.consensus_plan))
    ).all()
    history = db.session.execute(
        sa.select(CaseStatusChange, User.full_name)
        .outerjoin(User, CaseStatusChange.by_id == User.id)
        .where(CaseStatusChange.case_id == case.id)
        .order_by(CaseStatusChange.at, CaseStatusChange.id)
    ).all()
    audit = db.session.execute(
        sa.select(AuditEntry, User.full_name)
        .outerjoin(User, AuditEntry.user_id == User.id)
        .where(AuditEntry.id.in_(sa.select(AuditSubject.audit_id).where(AuditSubject.case_id == case.id)))
        .order_by(AuditEntry.id.desc())
        .limit(AUDIT_SHOWN)
    ).all()
    ids = {
        case.presenting_physician_id,
        case.managing_physician_id,
        case.imaging_ready_by_id,
        case.pathology_ready_by_id,
    } - {None}
    people = {user.id: user.display_name for user in db.session.scalars(sa.select(User).where(User.id.in_(ids)))}
    request = second_opinion_of(case.id)
    files = [] if request is None else record_files(request.id)
    return CasePage(list(presentations), list(history), list(audit), people, request, files,
                    promise_due(request.complete_at if request else None, program_settings().second_opinion_days))


def second_opinion_of(case_id: int) -> SecondOpinionRequest | None:
    """The second-opinion request a case was made for, if any."""
    return db.session.scalar(sa.select(SecondOpinionRequest).where(SecondOpinionRequest.case_id == case_id))


def record_files(request_id: int) -> list[RecordFile]:
    """A request's outside records' files in the order attached, with their uploaders (not their content)."""
    return list(db.session.scalars(
        sa.select(RecordFile).where(RecordFile.request_id == request_id).order_by(RecordFile.id)
        .options(selectinload(RecordFile.uploaded_by))  # each file's uploader: one query, however many
    ))


def promise_due(complete_at: datetime | None, days: int) -> datetime | None:
    """When a second opinion's plan is due: `days` (the program's promise) after its records were complete (None
    before). second_opinions.clock counts the days left from the same moment."""
    return complete_at + timedelta(days=days) if complete_at else None


def physician_choices() -> list[tuple[int, str]]:
    """Active physicians for the case form's selects, 'name, credentials'."""
    rows = db.session.execute(
        sa.select(User.id, User.full_name, User.credentials)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == Role.PHYSICIAN, User.active.is_(True))
        .order_by(User.full_name)
    ).all()
    return [(i, f"{name}, {credentials}" if credentials else name) for i, name, credentials in rows]


def series_choices(active_only: bool) -> list[tuple[int, str]]:
    """Conference series (id, name) by name: active ones for a new case, all of them for the queue's filter."""
    stmt = sa.select(ConferenceSeries.id, ConferenceSeries.name).order_by(ConferenceSeries.name)
    return [
        tuple(row) for row in db.session.execute(stmt.where(ConferenceSeries.active.is_(True)) if active_only else stmt)
    ]
