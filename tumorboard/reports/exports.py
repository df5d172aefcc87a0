"""The report as tables: the measures list shared by the page, CSV, XLSX and PDF, and the surveyor's presentation list.
Pure.
"""

from __future__ import annotations

import io
import json
from dataclasses import asdict, dataclass
from datetime import date

import pandas as pd

from tumorboard.reports.accreditation import AccreditationReport, ReportInput, held_conferences, period_presentations
from tumorboard.reports.charts import CHARTS, inline_svg
from tumorboard.vocab import NonImplementationReason, SiteGroup, Specialty

DISCUSSION_LABELS = {"stage": "stage", "guideline": "guidelines", "clinical_trial": "clinical trials"}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PRESENTATION_LIST_COLUMNS = (
    "conference_date",
    "series",
    "case_id",
    "mrn",
    "last_name",
    "first_name",
    "birth_date",
    "site_group",
    "class_of_case",
    "analytic",
    "track",
    "status",
    "reason",
    "prospective",
    "stage_discussed",
    "guideline_discussed",
    "trial_discussed",
    "close_override_reason",
    "counted",
)


@dataclass(frozen=True)
class MeasureRow:
    """One measure: what it counts, its value, the target and whether it is met."""

    measure: str
    numerator: int
    denominator: int
    rate: float | None
    target: float | None
    met: bool | None


def percent(value: float | None) -> str:
    """A fraction as a percentage with one decimal; a dash when there is none."""
    return "—" if value is None else f"{value * 100:.1f}%"


def measure_rows(report: AccreditationReport) -> list[MeasureRow]:
    """The Commission on Cancer measures in the order the cancer committee reads them, then the site programs'."""
    targets, met, held = report.targets, report.met, report.conferences.held
    rows = [
        MeasureRow(
            "Case presentation rate (analytic cases presented / caseload)",
            report.cases_presented,
            report.analytic_cases,
            report.case_presentation_rate,
            targets["case_presentation_rate"],
            met["case_presentation_rate"],
        ),
        MeasureRow(
            "Prospective presentations",
            report.prospective_presentations,
            report.presentations,
            report.prospective_rate,
            targets["prospective_rate"],
            met["prospective_rate"],
        ),
        MeasureRow(
            "Conferences held / scheduled",
            held,
            report.conferences.scheduled,
            report.frequency_rate,
            targets["frequency_rate"],
            met["frequency_rate"],
        ),
    ]
    rows += [
        MeasureRow(
            f"Attendance: {Specialty(code).label}",
            row.conferences_present,
            held,
            row.rate,
            targets["attendance_rate"],
            met[f"attendance_{code}"],
        )
        for code, row in report.attendance.items()
    ]
    rows += [
        MeasureRow(
            f"Discussed: {DISCUSSION_LABELS[item]}",
            report.discussion_counts[item],
            report.presentations,
            value,
            targets["discussion_rate"],
            met[f"discussion_{item}"],
        )
        for item, value in report.discussion.items()
    ]
    if report.napbc:
        napbc = report.napbc
        rows += [
            MeasureRow(
                "NAPBC: breast prospective presentations",
                napbc.prospective_presentations,
                napbc.presentations,
                napbc.prospective_rate,
                napbc.prospective_target,
                napbc.prospective_met,
            ),
            MeasureRow(
                f"NAPBC: breast conferences held (required {napbc.required_frequency})",
                napbc.conferences_held,
                napbc.conferences_required,
                None,
                None,
                napbc.frequency_met,
            ),
        ]
    if report.naprc:
        naprc = report.naprc
        rows.append(
            MeasureRow(
                "NAPRC: rectal cases presented before and after neoadjuvant treatment",
                naprc.presented_before_and_after,
                naprc.rectal_cases_presented,
                naprc.before_and_after_rate,
                naprc.target,
                naprc.met,
            )
        )
    return rows


def report_json(report: AccreditationReport) -> str:
    """The JSON contract, indented."""
    return json.dumps(report.as_json(), indent=2) + "\n"


def measures_frame(report: AccreditationReport) -> pd.DataFrame:
    """The measures as a table (rates and targets as unrounded fractions, like the JSON)."""
    return pd.DataFrame([asdict(row) for row in measure_rows(report)])


def in_words(frame: pd.DataFrame) -> pd.DataFrame:
    """Yes/no columns written "yes" and "no", the words the imports read (vocab.parse_yes_no), not True and False."""
    flags = [column for column in frame.columns if frame[column].dtype == bool or (
        frame[column].dtype == object and len(frame) and frame[column].map(lambda v: isinstance(v, bool)).all()
    )]
    return frame.assign(**{column: frame[column].map({True: "yes", False: "no"}) for column in flags})


def measures_csv(report: AccreditationReport) -> bytes:
    """The measures, one per row, as CSV."""
    return in_words(measures_frame(report)).to_csv(index=False).encode()


def presentation_list(data: ReportInput) -> pd.DataFrame:
    """Every presentation at the year's held conferences, with the patient's identifiers and whether it counts in the
    measures.
    """
    rows = period_presentations(data.presentations, held_conferences(data)).sort_values(["date", "series", "case_id"])
    listed = rows.assign(conference_date=rows["date"].dt.strftime("%Y-%m-%d"), counted=rows["counts"])[
        list(PRESENTATION_LIST_COLUMNS)
    ]
    return without_formulas(listed)


def without_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells that a spreadsheet would run as a formula (=, +, -, @, tab, CR first) are kept as text with a leading
    quote.
    """
    text = frame.select_dtypes(include=["object", "string"]).columns
    return frame.assign(**{column: frame[column].map(_inert) for column in text})


def _inert(value: object) -> object:
    return f"'{value}" if isinstance(value, str) and value[:1] in FORMULA_STARTS else value


def presentation_list_csv(data: ReportInput) -> bytes:
    """The surveyor's list as CSV."""
    return in_words(presentation_list(data)).to_csv(index=False).encode()


def report_xlsx(report: AccreditationReport, data: ReportInput | None = None) -> bytes:
    """A workbook: the measures, the breakdowns and (when `data` carries identifiers) the presentation list."""
    sheets = {
        "Measures": measures_frame(report),
        "By site group": pd.DataFrame(
            [asdict(row) for row in report.by_site_group],
            columns=["site_group", "analytic_cases", "cases_presented", "rate"],
        ),
        "By month": pd.DataFrame([asdict(row) for row in report.by_month]),
        "By quarter": pd.DataFrame(
            [asdict(row) for row in report.by_quarter], columns=["quarter", "presentations", "cases_presented"]
        ),
        "By series": without_formulas(
            pd.DataFrame(
                [asdict(row) for row in report.by_series],
                columns=["series", "conferences_scheduled", "conferences_held", "presentations", "cases_presented"],
            )
        ),
        "Summary": pd.DataFrame(_summary(report), columns=["item", "value"]),
    }
    if data is not None:
        sheets["Presentations"] = presentation_list(data)
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            in_words(frame).to_excel(writer, sheet_name=name, index=False)
    return buffer.getvalue()


def _summary(report: AccreditationReport) -> list[tuple[str, object]]:
    quality, plans = report.second_opinions, report.implementation
    return [
        ("year", report.year),
        ("period from", report.period_from.isoformat()),
        ("period through", report.period_through.isoformat()),
        ("analytic caseload", report.analytic_cases),
        ("caseload source", report.caseload_source),
        ("listed, not discussed", report.listed_not_discussed),
        ("closed without the closing rule met (chair's reason in the presentation list)", report.closed_by_override),
        ("conferences cancelled", report.conferences.cancelled),
        ("second opinions: letters sent", quality.letters_sent),
        ("second opinions: median days to letter", quality.median_days),
        (f"second opinions: share within {quality.promise_days} days", quality.within_promise_rate),
        ("second opinions: overdue without letter", quality.overdue_without_letter),
        ("plans finalized", plans.finalized_plans),
        ("plans with implementation recorded", plans.recorded),
        ("plans implemented", plans.implemented),
        ("plans partly implemented", plans.partly),
        ("plans not implemented", plans.not_implemented),
        ("share implemented", plans.implemented_rate),
        *((f"reason not (fully) implemented: {reason}", n) for reason, n in plans.reasons.items()),
    ]


def site_group_label(code: str) -> str:
    """A site group's label."""
    return SiteGroup(code).label



def dashboard_values(report: AccreditationReport, year: int) -> dict[str, object]:
    """What the year's dashboard shows besides the report itself: measure rows, charts inline, labels."""
    median = report.second_opinions.median_days
    return {
        "measures": measure_rows(report),
        "charts": {name: inline_svg(draw(report), name) for name, draw in CHARTS.items()},
        "year_to_date": report.period_through != date(year, 12, 31),
        "median_days": f"{median:.1f}" if median is not None else "—",
        "site_labels": {site.value: site.label for site in SiteGroup},
        "reason_labels": {"not_recorded": "reason not recorded", **{r.value: r.label for r in NonImplementationReason}},
    }
