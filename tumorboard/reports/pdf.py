"""The annual cancer-conference report for the cancer committee, as a PDF. Pure: the report in, bytes out."""

from __future__ import annotations

from io import BytesIO

from reportlab.lib import colors
from reportlab.lib.pagesizes import letter
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import inch
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from tumorboard.reports.accreditation import AccreditationReport
from tumorboard.reports.charts import attendance_chart, cumulative_rate_chart
from tumorboard.reports.exports import measure_rows, percent, site_group_label
from tumorboard.text import markup
from tumorboard.vocab import NonImplementationReason

HEADER = colors.HexColor("#e8eef3")
RULE = colors.HexColor("#b8c4ce")


def met_text(met: bool | None) -> str:
    """Met / not met / no data."""
    return "no data" if met is None else ("met" if met else "not met")


def annual_report_pdf(report: AccreditationReport, program: str, printed: str) -> bytes:
    """Measures, charts, breakdowns and the quality section on letter paper."""
    buffer = BytesIO()
    title = f"Cancer conference report {report.year}"
    pdf = SimpleDocTemplate(
        buffer,
        pagesize=letter,
        leftMargin=0.7 * inch,
        rightMargin=0.7 * inch,
        topMargin=0.6 * inch,
        bottomMargin=0.6 * inch,
        title=title,
        author=program,
        invariant=1,
    )
    styles = getSampleStyleSheet()
    small = ParagraphStyle("small", parent=styles["BodyText"], fontSize=8.5, leading=10.5)
    heading = styles["Heading2"]
    period = f"{report.period_from:%d %B %Y} to {report.period_through:%d %B %Y}"
    source = (
        "the cancer registry's import"
        if report.caseload_source == "registry"
        else "analytic cases recorded in TumorBoard (no registry import for the year)"
    )
    story = [
        Paragraph(markup(program), styles["Normal"]),
        Paragraph(title, styles["Title"]),
        Paragraph(
            f"Period: {period}. Annual analytic caseload: {report.analytic_cases:,}, from {source}.", styles["Normal"]
        ),
        Spacer(1, 0.12 * inch),
        Paragraph(
            f"<b>{report.cases_presented:,} of {report.analytic_cases:,} analytic cases presented "
            f"({percent(report.case_presentation_rate)})</b> against the "
            f"{percent(report.target_case_presentation_rate)} requirement: "
            f"<b>{met_text(report.met['case_presentation_rate'])}</b>.",
            styles["BodyText"],
        ),
        Spacer(1, 0.1 * inch),
        Paragraph("Measures", heading),
        _table(
            [["Measure", "Count", "Rate", "Target", "Status"]]
            + [
                [
                    Paragraph(row.measure, small),
                    f"{row.numerator:,} / {row.denominator:,}",
                    percent(row.rate),
                    percent(row.target) if row.target is not None else "",
                    met_text(row.met),
                ]
                for row in measure_rows(report)
            ],
            [3.4, 1.1, 0.7, 0.7, 0.8],
        ),
        Paragraph(
            f"{report.presentations:,} presentations of analytic cases at {report.conferences.held} held conferences; "
            f"{report.listed_not_discussed} listed under a standard of care, not discussed, counted apart; "
            f"{report.closed_by_override} closed by the chair without the closing rule met, each with its reason in "
            "the presentation list; "
            f"{report.conferences.cancelled} conferences cancelled.",
            small,
        ),
        KeepTogether([Spacer(1, 0.15 * inch), cumulative_rate_chart(report)]),
        KeepTogether([Spacer(1, 0.1 * inch), attendance_chart(report)]),
        Paragraph("By conference series", heading),
        _table(
            [["Series", "Scheduled", "Held", "Presentations", "Cases"]]
            + [
                [
                    Paragraph(markup(row.series), small),
                    row.conferences_scheduled,
                    row.conferences_held,
                    row.presentations,
                    row.cases_presented,
                ]
                for row in report.by_series
            ],
            [2.9, 0.9, 0.7, 1.1, 0.8],
        ),
        Paragraph("By site group", heading),
        _table(
            [["Site group", "Analytic cases", "Cases presented", "Rate"]]
            + [
                [site_group_label(row.site_group), f"{row.analytic_cases:,}", row.cases_presented, percent(row.rate)]
                for row in report.by_site_group
            ],
            [2.4, 1.3, 1.3, 1.0],
        ),
        Paragraph("By month", heading),
        _table(
            [["Month", "Presentations", "Cases first presented", "Cumulative rate"]]
            + [
                [row.month, row.presentations, row.cases_presented, percent(row.cumulative_rate)]
                for row in report.by_month
            ],
            [1.2, 1.3, 1.7, 1.4],
        ),
        Paragraph("Quality", heading),
        *_quality(report, styles["BodyText"]),
        Spacer(1, 0.2 * inch),
        Paragraph(
            "Definitions: a case is presented when it was discussed at a conference held in the year (the "
            "conference date decides "
            "the year); each case counts once in the case presentation rate and each presentation in the "
            "prospective rate; "
            "non-analytic cases (class of case 30-49, 99) are excluded; attendance is over held conferences; "
            f"rates are shown with one decimal. Prepared {printed}.",
            small,
        ),
    ]
    pdf.build(story)
    return buffer.getvalue()


def _quality(report: AccreditationReport, style: ParagraphStyle) -> list[Paragraph]:
    opinions, plans = report.second_opinions, report.implementation
    median = f"{opinions.median_days:.1f} days" if opinions.median_days is not None else "no letters"
    lines = [
        f"Second opinions: {opinions.letters_sent} plan letters sent; median {median} from the complete request to "
        f"the letter; "
        f"{percent(opinions.within_promise_rate)} within {opinions.promise_days} days; "
        f"{opinions.overdue_without_letter} "
        "complete requests past the promise without a letter.",
        f"Plan implementation: {plans.recorded} of {plans.finalized_plans} finalized plans followed up; "
        f"{percent(plans.implemented_rate)} carried out, {plans.partly} in part, {plans.not_implemented} not; "
        f"{plans.not_recorded} not yet followed up.",
    ]
    if plans.reasons:
        reasons = "; ".join(f"{_reason(code)}: {n}" for code, n in plans.reasons.items())
        lines.append(f"Reasons a plan was not (fully) carried out: {reasons}.")
    return [Paragraph(line, style) for line in lines]


def _reason(code: str) -> str:
    return "not recorded" if code == "not_recorded" else NonImplementationReason(code).label.lower()


def _table(rows: list[list[object]], widths: list[float]) -> Table:
    table = Table(
        [[str(cell) if not isinstance(cell, Paragraph) else cell for cell in row] for row in rows],
        colWidths=[w * inch for w in widths],
        repeatRows=1,
        hAlign="LEFT",
    )
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 8.5),
                ("FONT", (0, 1), (-1, -1), "Helvetica", 8.5),
                ("BACKGROUND", (0, 0), (-1, 0), HEADER),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table
