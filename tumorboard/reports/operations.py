"""Writing imports: the registry caseload and past conference logs. Operations flush; the caller commits once."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from tumorboard.audit.operations import record, record_many
from tumorboard.auth.models import User
from tumorboard.cases.importer import KnownPatient
from tumorboard.cases.models import Case, CaseStatusChange, Patient
from tumorboard.cases.operations import insert_cases, insert_patients
from tumorboard.conferences.models import Conference, ConferenceSeries, SeriesRequiredSpecialty, SeriesSiteGroup
from tumorboard.conferences.recurrence import Repeat, RepeatPattern, build_rrule
from tumorboard.db import insert_rows
from tumorboard.domain import Actor
from tumorboard.extensions import db
from tumorboard.reports.caseload import CaseloadCount
from tumorboard.reports.conference_log import CaseKey, ConferenceKey, KnownConference, LogCheck, LogContext
from tumorboard.reports.models import AnalyticCaseload
from tumorboard.room.models import Attendance, Presentation
from tumorboard.vocab import (
    COC_REQUIRED_SPECIALTIES,
    AttendanceMode,
    CaseStatus,
    ConferenceStatus,
    PresentationReason,
    PresentationStatus,
    Sex,
    SiteGroup,
)

IMPORTED_SERIES_START = time(12)  # the log gives days, not hours


def replace_caseload(actor: Actor, counts: list[CaseloadCount]) -> list[int]:
    """Store the counts; each year in them replaces every count held for that year. Returns the years."""
    years = sorted({count.year for count in counts})
    db.session.execute(sa.delete(AnalyticCaseload).where(AnalyticCaseload.year.in_(years)))
    actor_id = actor.id if actor else None
    db.session.add_all(
        AnalyticCaseload(
            year=c.year,
            site_group=c.site_group,
            analytic_cases=c.analytic_cases,
            imported_at=actor.now,
            imported_by_id=actor_id,
        )
        for c in counts
    )
    db.session.flush()
    for year in years:
        total = sum(c.analytic_cases for c in counts if c.year == year)
        record(actor, "import", "analytic_caseload", year, f"analytic_cases={total}")
    return years


def log_context(
    presentation_rows: list[dict[str, str]],
    attendance_rows: list[dict[str, str]],
    today: date,
    mrn_pattern: str,
    zone: ZoneInfo,
) -> LogContext:
    """What the log's rows refer to, in a fixed number of queries whatever the file's size."""
    rows = presentation_rows + attendance_rows
    series = {
        name.casefold(): (sid, name)
        for sid, name in db.session.execute(sa.select(ConferenceSeries.id, ConferenceSeries.name))
    }
    wanted = {series[r.get("series", "").casefold()][0] for r in rows if r.get("series", "").casefold() in series}
    conferences: dict[ConferenceKey, KnownConference] = {}
    for conference_id, name, starts_at, status in db.session.execute(
        sa.select(Conference.id, ConferenceSeries.name, Conference.starts_at, Conference.status)
        .join(ConferenceSeries, Conference.series_id == ConferenceSeries.id)
        .where(Conference.series_id.in_(wanted))
        .order_by(Conference.starts_at)
    ):
        conferences.setdefault(
            (name.casefold(), starts_at.astimezone(zone).date()), KnownConference(conference_id, status.value)
        )
    mrns = {r.get("mrn", "") for r in presentation_rows}
    patients: dict[str, KnownPatient] = {}
    patient_ids: dict[str, int] = {}
    for patient_id, mrn, last, first, born in db.session.execute(
        sa.select(Patient.id, Patient.mrn, Patient.last_name, Patient.first_name, Patient.birth_date).where(
            Patient.mrn.in_(mrns)
        )
    ):
        patients[mrn], patient_ids[mrn] = KnownPatient(last, first, born), patient_id
    cases: dict[tuple[str, SiteGroup], tuple[int, bool]] = {}
    for mrn, site, case_id, analytic in db.session.execute(
        sa.select(Patient.mrn, Case.site_group, Case.id, Case.analytic)
        .join(Case, Case.patient_id == Patient.id)
        .where(Patient.mrn.in_(mrns))
        .order_by(Case.id)
    ):
        cases.setdefault((mrn, site), (case_id, analytic))
    conference_ids = [c.id for c in conferences.values()]
    presented = db.session.execute(
        sa.select(Presentation.conference_id, Presentation.case_id).where(
            Presentation.conference_id.in_(conference_ids)
        )
    ).all()
    attended = db.session.execute(
        sa.select(Attendance.conference_id, Attendance.attendee_name).where(
            Attendance.conference_id.in_(conference_ids)
        )
    ).all()
    names: dict[str, list[int]] = {}
    for user_id, full_name in db.session.execute(sa.select(User.id, User.full_name)):
        names.setdefault(" ".join(full_name.split()).casefold(), []).append(user_id)
    return LogContext(
        today=today,
        mrn_pattern=mrn_pattern,
        series={key: name for key, (_, name) in series.items()},
        conferences=conferences,
        patients=patients,
        cases=cases,
        presented=frozenset(presented),
        attended=frozenset((cid, name.casefold()) for cid, name in attended),
        users_by_name={name: ids[0] for name, ids in names.items() if len(ids) == 1},
        patient_ids=patient_ids,
    )


def import_log(actor: Actor, check: LogCheck, zone: ZoneInfo) -> dict[str, int]:
    """Write a checked log (one flush at the end: the caller's commit makes it all or nothing). Returns what was
    created.
    """
    actor_id = actor.id if actor else None
    series = {s.name.casefold(): s for s in db.session.scalars(sa.select(ConferenceSeries))}
    created = {"series": 0, "conferences": 0, "patients": 0, "cases": 0, "presentations": 0, "attendance": 0}
    days_of = {}
    for key, day in check.conferences:
        days_of.setdefault(key, []).append(day)
    for key, name in check.new_series.items():
        first = min(days_of.get(key, [actor.now.astimezone(zone).date()]))
        series[key] = ConferenceSeries(
            name=name,
            rrule=build_rrule(Repeat(RepeatPattern.WEEKLY, weekday=first.weekday()), first),
            starts_on=first,
            start_time=IMPORTED_SERIES_START,
            timezone=zone.key,
            active=False,
            site_group_rows=[
                SeriesSiteGroup(site_group=site) for site in sorted(check.series_site_groups.get(key, ()))
            ],
            required_specialty_rows=[SeriesRequiredSpecialty(specialty=s) for s in COC_REQUIRED_SPECIALTIES],
        )
        db.session.add(series[key])
        created["series"] += 1
    db.session.flush()

    conferences = _conferences(check, series, zone, actor.now, created)
    cases, patient_ids = _cases(check, actor.now, actor_id, created)
    positions: dict[int, int] = dict(
        db.session.execute(
            sa.select(Presentation.conference_id, sa.func.count(Presentation.id))
            .where(Presentation.conference_id.in_([c.id for c in conferences.values()]))
            .group_by(Presentation.conference_id)
        ).all()
    )
    # Core inserts of plain rows, one statement a table: a log has thousands of rows and nothing reads them back as
    # objects in this transaction.
    presentations = []
    for item in check.presentations:
        conference = conferences[item.conference]
        position = positions.get(conference.id, 0)
        positions[conference.id] = position + 1
        presentations.append({
            "conference_id": conference.id,
            "case_id": cases[item.case],
            "position": position,
            "status": PresentationStatus.CLOSED,
            "reason": PresentationReason.PRE_TREATMENT if item.prospective else PresentationReason.REVIEW,
            "prospective": item.prospective,
            "stage_discussed": item.stage_discussed,
            "guideline_discussed": item.guideline_discussed,
            "trials_discussed": item.trial_discussed,
            "started_at": conference.starts_at,
            "closed_at": conference.starts_at,
            "created_at": actor.now,
        })
    attendance = [
        {
            "conference_id": conferences[item.conference].id,
            "user_id": item.user_id,
            "attendee_name": item.name,
            "specialty": item.specialty,
            "mode": AttendanceMode.IN_PERSON,
            "checked_in_at": conferences[item.conference].starts_at,
            "checked_in_by_id": actor_id,
        }
        for item in check.attendance
    ]
    for table, rows in ((Presentation.__table__, presentations), (Attendance.__table__, attendance)):
        insert_rows(db.session, table, rows)
    created["presentations"], created["attendance"] = len(presentations), len(attendance)
    record_many(actor, "import_presentations",
                {cases[item.case]: patient_ids[item.case[0]] for item in check.presentations}, "conference log")
    record(actor, "import", "conference_log", None, ";".join(f"{k}={v}" for k, v in created.items()))
    db.session.flush()
    return created


def _conferences(
    check: LogCheck, series: dict[str, ConferenceSeries], zone: ZoneInfo, now: datetime, created: dict[str, int]
) -> dict[ConferenceKey, Conference]:
    """The log's conferences: found by series and date (program time, as reports count them), or created as held.
    A past one still scheduled is marked held."""
    found: dict[ConferenceKey, Conference] = {}
    key_of = {series[key].id: key for key, _ in check.conferences}
    for conference in db.session.scalars(
        sa.select(Conference).where(Conference.series_id.in_(key_of)).order_by(Conference.starts_at)
    ):
        found.setdefault((key_of[conference.series_id], conference.starts_at.astimezone(zone).date()), conference)
    for key in sorted(check.conferences):
        conference = found.get(key)
        if conference is None:
            owner = series[key[0]]
            start = datetime.combine(key[1], owner.start_time, zone)
            conference = found[key] = Conference(
                series_id=owner.id,
                occurrence_start=start,
                starts_at=start,
                duration_minutes=owner.duration_minutes,
                status=ConferenceStatus.HELD,
                place=owner.place,
                updated_at=now,
            )
            db.session.add(conference)
            created["conferences"] += 1
        elif conference.status is ConferenceStatus.SCHEDULED:
            conference.status = ConferenceStatus.HELD
    db.session.flush()
    return found


def _cases(
    check: LogCheck, now: datetime, actor_id: int | None, created: dict[str, int]
) -> tuple[dict[CaseKey, int], dict[str, int]]:
    """The log's cases by key (the first of the patient's cases in the site group, or a new presented case, and its
    patient, written with one statement a table), and its patients' ids by MRN. The known ones are those the check
    read (`log_context`, earlier in the same transaction)."""
    if check.context is None:
        raise ValueError("import_log needs the check made by check_log with its context")
    patient_ids = dict(check.context.patient_ids)
    cases: dict[CaseKey, int] = {key: case_id for key, (case_id, _) in check.context.cases.items()}
    new = {item.case: item for item in reversed(check.presentations) if item.case not in cases}  # first row wins
    people = {mrn: item.patient for (mrn, _), item in reversed(new.items()) if mrn not in patient_ids}
    patient_ids |= insert_patients([
        {"mrn": mrn, "last_name": p.last_name, "first_name": p.first_name, "birth_date": p.birth_date,
         "sex": Sex.UNKNOWN}
        for mrn, p in people.items()
    ], now)
    created["patients"] += len(people)
    if new:
        rows = [
            {"patient_id": patient_ids[mrn], "site_group": site, "analytic": item.analytic,
             "status": CaseStatus.PRESENTED, "created_by_id": actor_id, "created_at": now, "updated_at": now}
            for (mrn, site), item in new.items()
        ]
        made = insert_cases(rows)
        cases.update(zip(new, made, strict=True))
        insert_rows(db.session, CaseStatusChange.__table__, [
            {"case_id": case_id, "from_status": None, "to_status": CaseStatus.PRESENTED, "at": now, "by_id": actor_id,
             "reason": "conference log import"} for case_id in made
        ])
        created["cases"] += len(rows)
    return cases, patient_ids
