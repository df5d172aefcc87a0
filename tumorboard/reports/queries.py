"""Read the tables the accreditation measures are computed from: a handful of queries, whatever the number of rows.

Each query returns the columns `reports.accreditation` documents, with vocabulary codes as plain strings.
The queries take the year's conferences by UTC window; the pure module then decides by local date.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from tumorboard.cases.models import Case, Patient
from tumorboard.conferences.models import Conference, ConferenceSeries, SeriesSiteGroup
from tumorboard.db import utcnow
from tumorboard.extensions import db
from tumorboard.program.models import ProgramSettings
from tumorboard.program.settings import program_settings, program_today, program_zone
from tumorboard.reports.accreditation import (
    ATTENDANCE_COLUMNS,
    CASELOAD_COLUMNS,
    CONFERENCE_COLUMNS,
    PRESENTATION_COLUMNS,
    SECOND_OPINION_COLUMNS,
    SERIES_SITE_COLUMNS,
    AccreditationReport,
    ReportInput,
    Targets,
    accreditation_report,
    report_expires,
)
from tumorboard.reports.caseload import CaseloadCheck
from tumorboard.reports.freshness import cached
from tumorboard.reports.models import AnalyticCaseload
from tumorboard.room.models import Attendance, ConsensusPlan, Presentation
from tumorboard.second_opinions.clock import sent_moment
from tumorboard.second_opinions.models import SecondOpinionRequest
from tumorboard.second_opinions.operations import plan_sent_on_by_case
from tumorboard.vocab import CaseStatus, ConferenceStatus, PresentationStatus, PresentationTrack, SiteGroup

IDENTITY_COLUMNS = ("mrn", "last_name", "first_name", "birth_date", "class_of_case")


def code(column: sa.ColumnElement) -> ColumnElement:
    """A vocabulary column read as its stored code (a plain string), under its own name."""
    return sa.type_coerce(column, sa.String()).label(column.key)


def report_period(year: int, today: date) -> date:
    """The last day a report of `year` counts: 31 December, or today while the year runs."""
    return min(date(year, 12, 31), today)


def load_report_input(
    year: int, through: date, settings: ProgramSettings, zone: ZoneInfo, now: datetime, with_identity: bool = False
) -> ReportInput:
    """Everything `accreditation_report` needs for the year. With identity, every presentation with the patient's
    identifiers (the surveyor's list); without, only the presentations that can count, read lean.
    """
    start = datetime.combine(date(year, 1, 1), time(0), zone)
    end = datetime.combine(through + timedelta(days=1), time(0), zone)
    in_window = sa.and_(Conference.starts_at >= start, Conference.starts_at < end)
    held = sa.and_(in_window, Conference.status == ConferenceStatus.HELD)
    connection = db.session.connection()  # Core rows: no ORM loading machinery for plain columns

    conferences = _arrays(
        connection.execute(
            sa.select(
                Conference.id.label("conference_id"),
                ConferenceSeries.name.label("series"),
                Conference.starts_at,
                code(Conference.status),
            )
            .join(ConferenceSeries, Conference.series_id == ConferenceSeries.id)
            .where(in_window)
        ),
        ("conference_id", "series", "starts_at", "status"),
        integers=("conference_id",),
    )
    # The day it met, in the program's zone, as a timestamp at midnight (the driver's value: SQLite's text in UTC,
    # PostgreSQL's moment).
    local = pd.to_datetime(pd.Series(conferences.pop("starts_at"), dtype=object), utc=True, format="ISO8601")
    local = local.dt.tz_convert(zone)
    conferences["date"] = local.dt.tz_localize(None).dt.normalize().to_numpy()
    conferences = _array_frame(conferences, CONFERENCE_COLUMNS)

    presentations = (
        _identified_presentations(connection, held) if with_identity else _counted_presentations(connection, held)
    )

    attendance = _array_frame(
        _arrays(
            connection.execute(
                sa.select(Attendance.conference_id, code(Attendance.specialty))
                .distinct()
                .join(Conference, Attendance.conference_id == Conference.id)
                .where(held)
            ),
            ATTENDANCE_COLUMNS,
            integers=("conference_id",),
        ),
        ATTENDANCE_COLUMNS,
    )
    series_sites = _frame(
        connection.execute(
            sa.select(ConferenceSeries.name, code(SeriesSiteGroup.site_group)).join(
                SeriesSiteGroup, SeriesSiteGroup.series_id == ConferenceSeries.id
            )
        ),
        SERIES_SITE_COLUMNS,
    )
    registry = _frame(
        connection.execute(
            sa.select(code(AnalyticCaseload.site_group), AnalyticCaseload.analytic_cases).where(
                AnalyticCaseload.year == year
            )
        ),
        CASELOAD_COLUMNS,
    )
    # TumorBoard's own analytic cases are the denominator only for a year without a registry import (a scan of all
    # cases).
    known = (
        _frame(
            connection.execute(
                sa.select(code(Case.site_group), sa.func.count(Case.id))
                .where(
                    Case.analytic.is_(True),
                    Case.status != CaseStatus.WITHDRAWN,
                    sa.or_(
                        Case.diagnosis_date.between(date(year, 1, 1), date(year, 12, 31)),
                        sa.and_(
                            Case.diagnosis_date.is_(None),
                            Case.created_at >= start,
                            Case.created_at < datetime.combine(date(year + 1, 1, 1), time(0), zone),
                        ),
                    ),
                )
                .group_by(Case.site_group)
            ),
            CASELOAD_COLUMNS,
        )
        if registry.empty
        else pd.DataFrame(columns=list(CASELOAD_COLUMNS))
    )

    sent = plan_sent_on_by_case()
    opinions = _frame(
        connection.execute(
            sa.select(code(SecondOpinionRequest.status), SecondOpinionRequest.complete_at, sent.c.sent_on)
            .outerjoin(sent, sent.c.case_id == SecondOpinionRequest.case_id)
            .where(SecondOpinionRequest.complete_at.is_not(None), SecondOpinionRequest.complete_at < end)
        ),
        ("status", "complete_at", "sent_on"),
    )
    if opinions.empty:  # most years; the conversions below cost a millisecond even on no rows
        opinions = pd.DataFrame(columns=list(SECOND_OPINION_COLUMNS))
    else:
        opinions["complete_on"] = pd.to_datetime(opinions["complete_at"], utc=True).dt.tz_convert(zone).dt.date
        opinions["sent_at"] = opinions["sent_on"].map(lambda day: sent_moment(day, zone) if day is not None else None)
        opinions = opinions[list(SECOND_OPINION_COLUMNS)]

    targets = Targets(
        **{name: Fraction(str(getattr(settings, f"target_{name}"))) for name in Targets.__dataclass_fields__}
    )
    return ReportInput(
        year=year,
        through=through,
        conferences=conferences,
        presentations=presentations,
        attendance=attendance,
        series_site_groups=series_sites,
        registry_caseload=registry,
        tumorboard_caseload=known,
        second_opinions=opinions,
        as_of=now,
        targets=targets,
        promise_days=settings.second_opinion_days,
        napbc=settings.napbc_enabled,
        naprc=settings.naprc_enabled,
    )


# A presentation's yes/no columns, one bit each of one small integer: the driver makes a Python object of every value
# it returns, and an integer under 256 is one CPython shares (decoded in `_counted_presentations`).
FLAG_COLUMNS = (
    "discussed",
    "prospective",
    "stage_discussed",
    "guideline_discussed",
    "trial_discussed",
    "plan_finalized",
)
# What became of the plan, in the measures' columns (both reads).
PLAN_OUTCOME = (
    code(ConsensusPlan.implemented),
    code(ConsensusPlan.non_implementation_reason),
    sa.func.coalesce(ConsensusPlan.close_override_reason, "").label("close_override_reason"),
)
COUNTED_COLUMNS = (
    "conference_id",
    "case_id",
    "site_group",
    "primary_site",
    "reason",
    "flags",
    "implemented",
    "non_implementation_reason",
    "close_override_reason",
)


def _counted_presentations(connection: sa.Connection, held: ColumnElement[bool]) -> pd.DataFrame:
    """The presentations the measures read (closed, of an analytic case, at a held conference of the period), in the
    columns `reports.accreditation` documents: the program report's fetch, its status and analytic columns known
    from the filter and its yes/no columns read as bits. The other presentations count in no measure.
    """
    conditions = (
        Presentation.track == PresentationTrack.DISCUSSED,
        Presentation.prospective.is_(True),
        Presentation.stage_discussed.is_(True),
        Presentation.guideline_discussed.is_(True),
        Presentation.trials_discussed.is_(True),
        ConsensusPlan.finalized_at.is_not(None),
    )
    flags = sum((sa.case((condition, 1 << bit), else_=0) for bit, condition in enumerate(conditions)), sa.literal(0))
    result = connection.execute(
        _with_case_and_plan(
            Presentation.conference_id,
            Presentation.case_id,
            code(Case.site_group),
            Case.primary_site,
            code(Presentation.reason),
            sa.type_coerce(flags, sa.Integer()).label("flags"),
            *PLAN_OUTCOME,
        ).where(held, Presentation.status == PresentationStatus.CLOSED, Case.analytic.is_(True))
    )
    columns = _arrays(result, COUNTED_COLUMNS, integers=("conference_id", "case_id", "flags"))
    flags = columns.pop("flags")
    bits = {name: (flags & (1 << bit)) != 0 for bit, name in enumerate(FLAG_COLUMNS)}
    discussed, listed = PresentationTrack.DISCUSSED.value, PresentationTrack.LISTED_NOT_DISCUSSED.value
    columns |= {
        "status": np.full(len(flags), PresentationStatus.CLOSED.value, dtype=object),
        "track": np.array([listed, discussed], dtype=object)[bits.pop("discussed").astype(np.intp)],  # two strings
        "analytic": np.ones(len(flags), dtype=bool),
        **bits,
    }
    return _array_frame(columns, PRESENTATION_COLUMNS)


def _identified_presentations(connection: sa.Connection, held: ColumnElement[bool]) -> pd.DataFrame:
    """Every presentation at a held conference of the period, with the patient's identifiers (the surveyor's list)."""
    result = connection.execute(
        _with_case_and_plan(
            Presentation.conference_id,
            Presentation.case_id,
            code(Case.site_group),
            Case.analytic,
            Case.primary_site,
            code(Presentation.status),
            code(Presentation.track),
            code(Presentation.reason),
            Presentation.prospective,
            Presentation.stage_discussed,
            Presentation.guideline_discussed,
            Presentation.trials_discussed.label("trial_discussed"),
            ConsensusPlan.finalized_at.is_not(None).label("plan_finalized"),
            *PLAN_OUTCOME,
            Patient.mrn,
            Patient.last_name,
            Patient.first_name,
            Patient.birth_date,
            Case.class_of_case,
        )
        .join(Patient, Case.patient_id == Patient.id)
        .where(held)
    )
    return _frame(result, PRESENTATION_COLUMNS + IDENTITY_COLUMNS)


def _with_case_and_plan(*columns: ColumnElement) -> sa.Select:
    """A select of presentations with their conference, their case and their consensus plan (when there is one)."""
    return (
        sa.select(*columns)
        .join(Conference, Presentation.conference_id == Conference.id)
        .join(Case, Presentation.case_id == Case.id)
        .outerjoin(ConsensusPlan, ConsensusPlan.presentation_id == Presentation.id)
    )


def caseload_years() -> dict[int, tuple[int, datetime | None]]:
    """Each imported year: its total analytic cases and when it was last imported."""
    rows = db.session.execute(
        sa.select(
            AnalyticCaseload.year,
            sa.func.sum(AnalyticCaseload.analytic_cases),
            sa.func.max(AnalyticCaseload.imported_at),
        )
        .group_by(AnalyticCaseload.year)
        .order_by(AnalyticCaseload.year.desc())
    )
    return {year: (int(total), imported) for year, total, imported in rows}


def caseload_site_groups(years: list[int]) -> dict[int, set[SiteGroup]]:
    """The site groups with a caseload held for each of `years`."""
    held: dict[int, set[SiteGroup]] = {year: set() for year in years}
    for year, site in db.session.execute(
        sa.select(AnalyticCaseload.year, AnalyticCaseload.site_group).where(AnalyticCaseload.year.in_(years))
    ):
        held[year].add(site)
    return held


def _arrays(result: sa.Result, columns: tuple[str, ...], integers: tuple[str, ...]) -> dict[str, np.ndarray]:
    """The rows of `result` as one array a column: 64-bit integers for the `integers` (never null), objects for the
    rest. pandas builds a frame from arrays far faster than from rows.
    """
    # Read from the driver's cursor: these columns need no conversion, and SQLAlchemy's rows cost a tenth more.
    with result:
        values = list(zip(*result.cursor.fetchall(), strict=True)) or [()] * len(columns)
    return {
        name: np.array(column, dtype=np.int64 if name in integers else object)
        for name, column in zip(columns, values, strict=True)
    }


def _array_frame(columns: dict[str, np.ndarray], names: tuple[str, ...]) -> pd.DataFrame:
    # Object columns kept as they are: pandas would otherwise look at every value to choose a string type.
    return pd.DataFrame(
        {name: pd.Series(columns[name], dtype=columns[name].dtype, copy=False) for name in names}, copy=False
    )


def _frame(result: sa.Result, columns: tuple[str, ...]) -> pd.DataFrame:
    # All rows in one fetch (row by row, psycopg's fetchone costs 13 ms a report), as plain tuples: pandas inspects
    # Row objects one by one (namedtuple detection), tuples go the fast path.
    return pd.DataFrame(list(map(tuple, result.all())), columns=list(columns))


def _as_of_now(year: int) -> tuple[datetime, ZoneInfo, date]:
    """Now, the program's zone, and the last day a report of `year` counts as of now."""
    now, zone = utcnow(), program_zone()
    return now, zone, report_period(year, now.astimezone(zone).date())


def program_report(year: int) -> AccreditationReport:
    """The program's report of `year` as of now (year-to-date for the current year); served again while its data is
    unchanged.
    """
    now, zone, through = _as_of_now(year)

    def compute() -> tuple[AccreditationReport, datetime | None]:
        data = load_report_input(year, through, program_settings(), zone, now)
        return accreditation_report(data), report_expires(data)

    return cached(year, through, zone.key, now, compute)


def identified_report(year: int) -> tuple[ReportInput, AccreditationReport]:
    """The report with the tables it came from, the patients' identifiers
    included (the surveyor's list); never cached.
    """
    now, zone, through = _as_of_now(year)
    data = load_report_input(year, through, program_settings(), zone, now, with_identity=True)
    return data, accreditation_report(data)


def report_years() -> list[int]:
    """Years a report can be asked for: from the first held conference or imported caseload to this year."""
    first_conference = db.session.scalar(
        sa.select(sa.func.min(Conference.starts_at)).where(Conference.status == ConferenceStatus.HELD)
    )
    first_caseload = db.session.scalar(sa.select(sa.func.min(AnalyticCaseload.year)))
    this_year = program_today().year
    first = min(
        [
            this_year,
            *([first_conference.astimezone(program_zone()).year] if first_conference else []),
            *([first_caseload] if first_caseload else []),
        ]
    )
    return list(range(this_year, first - 1, -1))


def replaced_years(check: CaseloadCheck) -> list[tuple[int, int, int, list[str]]]:
    """The years of a caseload file the program holds already: (year, held total, file total, site groups that go)."""
    held = caseload_years()
    sites = caseload_site_groups([year for year in check.years if year in held])
    replaced = []
    for year in (year for year in check.years if year in held):
        kept = {count.site_group for count in check.counts if count.year == year}
        going = [site.label for site in SiteGroup if site in sites[year] - kept]
        replaced.append((year, held[year][0], check.total(year), going))
    return replaced
