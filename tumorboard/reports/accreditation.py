"""The Commission on Cancer conference measures, computed with pandas from plain tables. Pure: no Flask, no session.

The definitions are the specification in ../shared/DOMAIN.md ("Accreditation measures") and
docs/accreditation.md:
- the period runs from 1 January of the year through `through` (31 December, or today in the current year),
  and a conference belongs to the day it met, in the program's time zone;
- a *presentation* counts when its conference was held in the period, the presentation was closed on the
  discussed track and its case is analytic; cases listed under a standard of care, not discussed, are
  counted apart; an item not reached (carried over) was not presented;
- *cases presented* are the distinct cases among those presentations; by month, a case counts in the month
  of its first presentation in the year, so the months add up to the year.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from fractions import Fraction

import numpy as np
import pandas as pd

from tumorboard.vocab import COC_REQUIRED_SPECIALTIES, SiteGroup

HELD, CLOSED, DISCUSSED, LISTED = "held", "closed", "discussed", "listed_not_discussed"
# NAPBC: the breast program's prospective target when it sees fewer than 100 analytic cases a year,
# and the meeting frequency it requires by volume.
NAPBC_SMALL_PROGRAM_CASES, NAPBC_SMALL_PROGRAM_PROSPECTIVE = 100, Fraction(85, 100)
NAPBC_WEEKLY_FROM_CASES = 250
RECTAL_TOPOGRAPHY = "C20"  # ICD-O-3 C20.9 rectum

CONFERENCE_COLUMNS = ("conference_id", "series", "date", "status")
PRESENTATION_COLUMNS = (
    "conference_id",
    "case_id",
    "site_group",
    "analytic",
    "primary_site",
    "status",
    "track",
    "reason",
    "prospective",
    "stage_discussed",
    "guideline_discussed",
    "trial_discussed",
    "plan_finalized",
    "implemented",
    "non_implementation_reason",
    "close_override_reason",  # "" unless the chair closed without the closing rule met (room/rules.py)
)
ATTENDANCE_COLUMNS = ("conference_id", "specialty")
SERIES_SITE_COLUMNS = ("series", "site_group")
CASELOAD_COLUMNS = ("site_group", "analytic_cases")
# complete_on and sent_on are the program's local days; complete_at and sent_at are moments (UTC).
SECOND_OPINION_COLUMNS = ("status", "complete_at", "complete_on", "sent_on", "sent_at")


@dataclass(frozen=True)
class Targets:
    """The cancer committee's annual targets, as fractions."""

    case_presentation_rate: Fraction = Fraction(15, 100)
    prospective_rate: Fraction = Fraction(80, 100)
    attendance_rate: Fraction = Fraction(90, 100)
    discussion_rate: Fraction = Fraction(90, 100)
    frequency_rate: Fraction = Fraction(90, 100)


@dataclass(frozen=True)
class ReportInput:
    """Everything the measures are computed from: plain tables (columns above), read by `reports.queries`."""

    year: int
    through: date
    conferences: pd.DataFrame
    # At the year's held conferences: every presentation, or only those that can count (closed, of an analytic case),
    # as the program's report reads them; the measures are the same either way.
    presentations: pd.DataFrame
    attendance: pd.DataFrame
    series_site_groups: pd.DataFrame
    registry_caseload: pd.DataFrame  # the registry's import for the year; empty when none
    tumorboard_caseload: pd.DataFrame  # analytic cases TumorBoard knows for the year, by site group
    second_opinions: pd.DataFrame
    as_of: datetime
    targets: Targets = field(default_factory=Targets)
    promise_days: int = 7
    napbc: bool = False
    naprc: bool = False


@dataclass(frozen=True)
class SiteGroupRate:
    """Cases presented against one site group's caseload."""

    site_group: str
    analytic_cases: int
    cases_presented: int
    rate: float | None


@dataclass(frozen=True)
class MonthRow:
    """One month: presentations, cases first presented, and the year's cumulative rate at its end."""

    month: str
    presentations: int
    cases_presented: int
    cumulative_cases_presented: int
    cumulative_rate: float | None


@dataclass(frozen=True)
class QuarterRow:
    """One quarter: the sum of its months."""

    quarter: str  # "2026-Q1"
    presentations: int
    cases_presented: int


@dataclass(frozen=True)
class SeriesRow:
    """One conference series over the period."""

    series: str
    conferences_scheduled: int
    conferences_held: int
    presentations: int
    cases_presented: int


@dataclass(frozen=True)
class SpecialtyAttendance:
    """Held conferences where a required specialty was present."""

    conferences_present: int
    rate: float | None


@dataclass(frozen=True)
class ConferenceCounts:
    """Conferences on the schedule in the period: all of them, those held and those cancelled."""

    scheduled: int
    held: int
    cancelled: int


@dataclass(frozen=True)
class Napbc:
    """NAPBC (breast) rules: prospective presentation by volume and meeting frequency by volume."""

    breast_analytic_cases: int
    presentations: int
    prospective_presentations: int
    prospective_rate: float | None
    prospective_target: float
    prospective_met: bool | None
    required_frequency: str  # "weekly" or "every 2 weeks"
    conferences_required: int
    conferences_held: int
    frequency_met: bool


@dataclass(frozen=True)
class Naprc:
    """NAPRC (rectal) rule: every rectal cancer patient presented before treatment and after neoadjuvant treatment."""

    rectal_cases_presented: int
    presented_before_treatment: int
    before_treatment_rate: float | None
    presented_before_and_after: int
    before_and_after_rate: float | None
    target: float
    met: bool | None


@dataclass(frozen=True)
class SecondOpinionTurnaround:
    """Days from the complete request to the plan letter, for letters sent in the period."""

    letters_sent: int
    median_days: float | None
    within_promise: int
    within_promise_rate: float | None
    promise_days: int
    overdue_without_letter: int


@dataclass(frozen=True)
class PlanImplementation:
    """Whether the finalized plans of the period's presentations were carried out, and why not."""

    finalized_plans: int
    recorded: int
    implemented: int
    partly: int
    not_implemented: int
    implemented_rate: float | None
    not_recorded: int
    reasons: dict[str, int]


@dataclass(frozen=True)
class AccreditationReport:
    """The year's measures. `as_json()` is the contract documented in docs/accreditation.md."""

    year: int
    period_from: date
    period_through: date
    analytic_cases: int
    caseload_source: str  # "registry" or "tumorboard"
    cases_presented: int
    case_presentation_rate: float | None
    target_case_presentation_rate: float
    presentations: int
    prospective_presentations: int
    prospective_rate: float | None
    target_prospective_rate: float
    listed_not_discussed: int
    closed_by_override: int  # counted presentations the chair closed without the closing rule met, with a reason
    conferences: ConferenceCounts
    frequency_rate: float | None
    attendance: dict[str, SpecialtyAttendance]
    discussion: dict[str, float | None]
    discussion_counts: dict[str, int]
    by_site_group: list[SiteGroupRate]
    by_month: list[MonthRow]
    by_quarter: list[QuarterRow]
    by_series: list[SeriesRow]
    targets: dict[str, float]
    met: dict[str, bool | None]
    napbc: Napbc | None
    naprc: Naprc | None
    second_opinions: SecondOpinionTurnaround
    implementation: PlanImplementation

    def as_json(self) -> dict[str, object]:
        """The stable JSON shape (docs/accreditation.md)."""
        return {
            "year": self.year,
            "period": {"from": self.period_from.isoformat(), "through": self.period_through.isoformat()},
            "caseload": {"analytic_cases": self.analytic_cases, "source": self.caseload_source},
            "cases_presented": self.cases_presented,
            "case_presentation_rate": self.case_presentation_rate,
            "target_case_presentation_rate": self.target_case_presentation_rate,
            "presentations": self.presentations,
            "prospective_presentations": self.prospective_presentations,
            "prospective_rate": self.prospective_rate,
            "target_prospective_rate": self.target_prospective_rate,
            "listed_not_discussed": self.listed_not_discussed,
            "closed_by_override": self.closed_by_override,
            "conferences": asdict(self.conferences),
            "frequency_rate": self.frequency_rate,
            "attendance": {specialty: asdict(row) for specialty, row in self.attendance.items()},
            "discussion": dict(self.discussion),
            "by_site_group": [asdict(row) for row in self.by_site_group],
            "by_month": [asdict(row) for row in self.by_month],
            "by_quarter": [asdict(row) for row in self.by_quarter],
            "by_series": [asdict(row) for row in self.by_series],
            "targets": dict(self.targets),
            "met": dict(self.met),
            "site_programs": {
                "napbc": asdict(self.napbc) if self.napbc else None,
                "naprc": asdict(self.naprc) if self.naprc else None,
            },
            "quality": {
                "second_opinions": asdict(self.second_opinions),
                "implementation": asdict(self.implementation),
            },
        }


def rate(numerator: int, denominator: int) -> float | None:
    """An unrounded fraction, or None when there is nothing to divide by."""
    return numerator / denominator if denominator else None


def meets(numerator: int, denominator: int, target: Fraction) -> bool | None:
    """Whether numerator/denominator reaches the target, compared exactly; None when there is no denominator."""
    return Fraction(numerator, denominator) >= target if denominator else None


def in_period(dates: pd.Series, start: date, through: date) -> pd.Series:
    """A mask of the dates from `start` through `through`, both included."""
    moments = pd.to_datetime(dates)
    return (moments >= pd.Timestamp(start)) & (moments <= pd.Timestamp(through))


def scheduled_conferences(data: ReportInput) -> pd.DataFrame:
    """The conferences scheduled in the period (held, cancelled or not yet), with their date as a timestamp."""
    conferences = data.conferences.assign(date=pd.to_datetime(data.conferences["date"]))
    return conferences[in_period(conferences["date"], date(data.year, 1, 1), data.through)]


def held_conferences(data: ReportInput, scheduled: pd.DataFrame | None = None) -> pd.DataFrame:
    """The conferences held in the period, with their date as a timestamp (of `scheduled` when given)."""
    scheduled = scheduled_conferences(data) if scheduled is None else scheduled
    return scheduled[scheduled["status"].eq(HELD)]


def period_presentations(presentations: pd.DataFrame, held: pd.DataFrame) -> pd.DataFrame:
    """Every presentation at a held conference of the period (`held_conferences`), with its conference's date and series
    and whether it counts."""
    position = pd.Index(held["conference_id"]).get_indexer(presentations["conference_id"])  # -1: not held
    at_held = position >= 0
    rows = presentations if at_held.all() else presentations[at_held]
    position = position[at_held]
    # Compared as arrays: a pandas comparison of a column of strings costs three times numpy's.
    closed_analytic = (rows["status"].to_numpy() == CLOSED) & (rows["analytic"].to_numpy() == True)  # noqa: E712
    track = rows["track"].to_numpy()
    return rows.assign(
        date=held["date"].to_numpy()[position],
        series=held["series"].to_numpy()[position],
        counts=closed_analytic & (track == DISCUSSED),
        listed=closed_analytic & (track == LISTED),
    )


def accreditation_report(data: ReportInput) -> AccreditationReport:
    """Compute every measure of the year from the tables in `data`."""
    start = date(data.year, 1, 1)
    targets = data.targets
    scheduled = scheduled_conferences(data)
    held = held_conferences(data, scheduled)
    all_rows = period_presentations(data.presentations, held)
    counted = all_rows[all_rows["counts"]]
    cases_presented = counted["case_id"].nunique()

    caseload = _caseload(data)
    analytic_cases = int(caseload.sum())
    source = "registry" if not data.registry_caseload.empty else "tumorboard"

    prospective = int(counted["prospective"].eq(True).sum())
    presentations = len(counted)

    counts = ConferenceCounts(len(scheduled), len(held), int(scheduled["status"].eq("cancelled").sum()))

    attendance = _attendance(data.attendance, held)
    months = _by_month(counted, start, data.through, analytic_cases)
    discussion_counts = {
        "stage": int(counted["stage_discussed"].eq(True).sum()),
        "guideline": int(counted["guideline_discussed"].eq(True).sum()),
        "clinical_trial": int(counted["trial_discussed"].eq(True).sum()),
    }
    met = {
        "case_presentation_rate": meets(cases_presented, analytic_cases, targets.case_presentation_rate),
        "prospective_rate": meets(prospective, presentations, targets.prospective_rate),
        "frequency_rate": meets(counts.held, counts.scheduled, targets.frequency_rate),
        **{
            f"attendance_{s}": meets(row.conferences_present, counts.held, targets.attendance_rate)
            for s, row in attendance.items()
        },
        **{
            f"discussion_{item}": meets(n, presentations, targets.discussion_rate)
            for item, n in discussion_counts.items()
        },
    }
    return AccreditationReport(
        year=data.year,
        period_from=start,
        period_through=data.through,
        analytic_cases=analytic_cases,
        caseload_source=source,
        cases_presented=cases_presented,
        case_presentation_rate=rate(cases_presented, analytic_cases),
        target_case_presentation_rate=float(targets.case_presentation_rate),
        presentations=presentations,
        prospective_presentations=prospective,
        prospective_rate=rate(prospective, presentations),
        target_prospective_rate=float(targets.prospective_rate),
        listed_not_discussed=int(all_rows["listed"].sum()),
        closed_by_override=int(counted["close_override_reason"].fillna("").ne("").sum()),
        conferences=counts,
        frequency_rate=rate(counts.held, counts.scheduled),
        attendance=attendance,
        discussion={item: rate(n, presentations) for item, n in discussion_counts.items()},
        discussion_counts=discussion_counts,
        by_site_group=_by_site_group(counted, caseload),
        by_month=months,
        by_quarter=_by_quarter(months),
        by_series=_by_series(scheduled, held, counted),
        targets={name: float(value) for name, value in asdict(targets).items()},
        met=met,
        napbc=_napbc(data, counted, caseload, held) if data.napbc else None,
        naprc=_naprc(counted) if data.naprc else None,
        second_opinions=_second_opinions(data),
        implementation=_implementation(counted),
    )


def _caseload(data: ReportInput) -> pd.Series:
    """Analytic cases by site group, from the registry when it was imported for the year."""
    frame = data.registry_caseload if not data.registry_caseload.empty else data.tumorboard_caseload
    return frame.groupby("site_group")["analytic_cases"].sum().astype(int)


def _attendance(attendance: pd.DataFrame, held: pd.DataFrame) -> dict[str, SpecialtyAttendance]:
    present = attendance[attendance["conference_id"].isin(held["conference_id"])].drop_duplicates(
        ["conference_id", "specialty"]
    )
    per_specialty = present.groupby("specialty").size()
    return {
        specialty.value: SpecialtyAttendance(
            int(per_specialty.get(specialty.value, 0)), rate(int(per_specialty.get(specialty.value, 0)), len(held))
        )
        for specialty in COC_REQUIRED_SPECIALTIES
    }


def _by_site_group(counted: pd.DataFrame, caseload: pd.Series) -> list[SiteGroupRate]:
    presented = counted.groupby("site_group")["case_id"].nunique()
    order = [site.value for site in SiteGroup if site.value in caseload.index or site.value in presented.index]
    rows = []
    for site in order:
        cases, shown = int(caseload.get(site, 0)), int(presented.get(site, 0))
        rows.append(SiteGroupRate(site, cases, shown, rate(shown, cases)))
    return rows


def _by_month(counted: pd.DataFrame, start: date, through: date, analytic_cases: int) -> list[MonthRow]:
    # The period lies within one year: a month is its number, counted with bincount.
    months = range(start.month, through.month + 1)
    presentations = np.bincount(counted["date"].dt.month.to_numpy(), minlength=13)
    first = np.bincount(counted.groupby("case_id")["date"].min().dt.month.to_numpy(), minlength=13)
    cumulative = np.cumsum(first)
    return [
        MonthRow(
            f"{start.year}-{month:02d}",
            int(presentations[month]),
            int(first[month]),
            int(cumulative[month]),
            rate(int(cumulative[month]), analytic_cases),
        )
        for month in months
    ]


def _by_quarter(months: list[MonthRow]) -> list[QuarterRow]:
    quarters: dict[str, list[int]] = {}
    for row in months:
        year, month = row.month.split("-")
        totals = quarters.setdefault(f"{year}-Q{(int(month) - 1) // 3 + 1}", [0, 0])
        totals[0] += row.presentations
        totals[1] += row.cases_presented
    return [QuarterRow(quarter, presentations, cases) for quarter, (presentations, cases) in quarters.items()]


def _by_series(scheduled: pd.DataFrame, held: pd.DataFrame, counted: pd.DataFrame) -> list[SeriesRow]:
    by_series = counted.groupby("series")["case_id"]
    columns = [
        scheduled["series"].value_counts().to_dict(),
        held["series"].value_counts().to_dict(),
        by_series.size().to_dict(),
        by_series.nunique().to_dict(),
    ]
    names = sorted(set().union(*columns))
    return [SeriesRow(str(name), *(int(column.get(name, 0)) for column in columns)) for name in names]


def _napbc(data: ReportInput, counted: pd.DataFrame, caseload: pd.Series, held: pd.DataFrame) -> Napbc:
    breast_cases = int(caseload.get(SiteGroup.BREAST.value, 0))
    breast = counted[counted["site_group"].eq(SiteGroup.BREAST.value)]
    prospective = int(breast["prospective"].eq(True).sum())
    target = (
        NAPBC_SMALL_PROGRAM_PROSPECTIVE if breast_cases < NAPBC_SMALL_PROGRAM_CASES else data.targets.prospective_rate
    )
    weekly = breast_cases >= NAPBC_WEEKLY_FROM_CASES
    days = (data.through - date(data.year, 1, 1)).days + 1
    required = days // (7 if weekly else 14)
    breast_series = set(
        data.series_site_groups.loc[data.series_site_groups["site_group"].eq(SiteGroup.BREAST.value), "series"]
    )
    breast_held = int(held["series"].isin(breast_series).sum())
    return Napbc(
        breast_analytic_cases=breast_cases,
        presentations=len(breast),
        prospective_presentations=prospective,
        prospective_rate=rate(prospective, len(breast)),
        prospective_target=float(target),
        prospective_met=meets(prospective, len(breast), target),
        required_frequency="weekly" if weekly else "every 2 weeks",
        conferences_required=required,
        conferences_held=breast_held,
        frequency_met=breast_held >= required,
    )


def _naprc(counted: pd.DataFrame) -> Naprc:
    sites = counted["primary_site"]
    # A program codes a few dozen topographies: each distinct one is looked at once, not once a presentation.
    rectal_sites = [site for site in sites.dropna().unique() if str(site).upper().startswith(RECTAL_TOPOGRAPHY)]
    rectal = counted[sites.isin(rectal_sites)]
    by_case = rectal.assign(
        before=rectal["reason"].eq("pre_treatment"), after=rectal["reason"].eq("further_treatment")
    ).groupby("case_id")[["before", "after"]].any()
    cases, before_count = len(by_case), int(by_case["before"].sum())
    both = int((by_case["before"] & by_case["after"]).sum())
    return Naprc(
        rectal_cases_presented=cases,
        presented_before_treatment=before_count,
        before_treatment_rate=rate(before_count, cases),
        presented_before_and_after=both,
        before_and_after_rate=rate(both, cases),
        target=1.0,
        met=meets(both, cases, Fraction(1)),
    )


def _second_opinions(data: ReportInput) -> SecondOpinionTurnaround:
    frame = data.second_opinions
    if frame.empty:  # no request completed by the end of the period
        return SecondOpinionTurnaround(0, None, 0, None, data.promise_days, 0)
    complete = frame[frame["complete_at"].notna()]
    sent = complete[complete["sent_on"].notna()]
    sent = sent[in_period(sent["sent_on"], date(data.year, 1, 1), data.through)]
    days = (
        pd.to_datetime(sent["sent_at"], utc=True) - pd.to_datetime(sent["complete_at"], utc=True)
    ).dt.total_seconds() / 86400
    within = int(days.le(data.promise_days).sum())
    return SecondOpinionTurnaround(
        letters_sent=len(sent),
        median_days=float(days.median()) if len(days) else None,
        within_promise=within,
        within_promise_rate=rate(within, len(sent)),
        promise_days=data.promise_days,
        overdue_without_letter=int(_letters_due(data).lt(pd.Timestamp(data.as_of)).sum()),
    )


def _letters_due(data: ReportInput) -> pd.Series:
    """When each complete request of the period still waiting for its letter falls due (complete + the promise)."""
    frame = data.second_opinions
    waiting = frame[
        frame["complete_at"].notna()
        & frame["sent_on"].isna()
        & frame["status"].ne("cancelled")
        & in_period(frame["complete_on"], date(data.year, 1, 1), data.through)
    ]
    return pd.to_datetime(waiting["complete_at"], utc=True) + timedelta(days=data.promise_days)


def report_expires(data: ReportInput) -> datetime | None:
    """The next moment the report of `data` changes with no change to the data: a waiting letter falls overdue.

    The report depends on the clock only there (and on `through`, which the caller fixes); None when nothing waits.
    """
    if data.second_opinions.empty:
        return None
    due = _letters_due(data)
    later = due[due.ge(pd.Timestamp(data.as_of))]
    return later.min().to_pydatetime() if len(later) else None


def _implementation(counted: pd.DataFrame) -> PlanImplementation:
    finalized = counted["plan_finalized"].eq(True)
    outcome = counted["implemented"][finalized]
    outcomes = outcome.value_counts().to_dict()  # missing (not recorded) left out
    yes, partly, no = (int(outcomes.get(value, 0)) for value in ("yes", "partly", "no"))
    short = counted["non_implementation_reason"][finalized][outcome.isin(["partly", "no"])]
    reasons = short.fillna("not_recorded").value_counts().sort_index()
    finalized_plans, recorded = int(finalized.sum()), int(sum(outcomes.values()))
    return PlanImplementation(
        finalized_plans=finalized_plans,
        recorded=recorded,
        implemented=yes,
        partly=partly,
        not_implemented=no,
        implemented_rate=rate(yes, recorded),
        not_recorded=finalized_plans - recorded,
        reasons={str(reason): int(n) for reason, n in reasons.items()},
    )
