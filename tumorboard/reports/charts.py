"""The report's two charts as reportlab drawings: drawn into the PDF, and rendered to SVG for the page. Pure."""

from __future__ import annotations

import calendar

from reportlab.graphics import renderSVG
from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.charts.lineplots import LinePlot
from reportlab.graphics.shapes import Drawing, Line, String
from reportlab.lib import colors

from tumorboard.reports.accreditation import AccreditationReport
from tumorboard.vocab import Specialty

ACTUAL = colors.HexColor("#1f5f8b")
TARGET = colors.HexColor("#c0392b")
WIDTH, HEIGHT = 480, 230


def cumulative_rate_chart(report: AccreditationReport) -> Drawing:
    """Share of the annual caseload presented, cumulated month by month, against the target line."""
    drawing = Drawing(WIDTH, HEIGHT)
    drawing.add(
        String(
            10,
            HEIGHT - 16,
            f"Cases presented, cumulative share of the {report.year} caseload",
            fontName="Helvetica-Bold",
            fontSize=10,
        )
    )
    target = report.target_case_presentation_rate * 100
    points = [(index, (row.cumulative_rate or 0) * 100) for index, row in enumerate(report.by_month, 1)]
    top = max([target * 1.4, *(y for _, y in points), 1.0])
    plot = LinePlot()
    plot.x, plot.y, plot.width, plot.height = 45, 35, WIDTH - 70, HEIGHT - 75
    plot.data = [points or [(1, 0)], [(1, target), (12, target)]]
    plot.lines[0].strokeColor, plot.lines[0].strokeWidth = ACTUAL, 2
    plot.lines[1].strokeColor, plot.lines[1].strokeWidth, plot.lines[1].strokeDashArray = TARGET, 1.2, (4, 3)
    plot.xValueAxis.valueMin, plot.xValueAxis.valueMax = 0.5, 12.5
    plot.xValueAxis.valueSteps = list(range(1, 13))
    plot.xValueAxis.labelTextFormat = lambda month: calendar.month_abbr[int(month)]
    plot.xValueAxis.labels.fontSize = 8
    plot.yValueAxis.valueMin, plot.yValueAxis.valueMax = 0, top
    plot.yValueAxis.labelTextFormat = lambda value: f"{value:.0f}%"
    plot.yValueAxis.labels.fontSize = 8
    drawing.add(plot)
    drawing.add(
        String(
            plot.x + plot.width - 2,
            plot.y + plot.height * target / top + 4,
            f"target {target:.1f}%",
            fontSize=8,
            fillColor=TARGET,
            textAnchor="end",
        )
    )
    return drawing


def attendance_chart(report: AccreditationReport) -> Drawing:
    """Share of held conferences each required specialty attended, against the attendance target."""
    names = [Specialty(code).label for code in report.attendance]
    drawing = Drawing(WIDTH, 40 + 30 * len(names) + 30)
    chart = HorizontalBarChart()
    chart.x, chart.y, chart.width, chart.height = 140, 30, WIDTH - 170, 30 * len(names)
    chart.data = [[(row.rate or 0) * 100 for row in reversed(report.attendance.values())]]
    chart.categoryAxis.categoryNames = list(reversed(names))
    chart.categoryAxis.labels.fontSize = 8
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, 100, 20
    chart.valueAxis.labelTextFormat = lambda value: f"{value:.0f}%"
    chart.valueAxis.labels.fontSize = 8
    chart.bars[0].fillColor = ACTUAL
    drawing.add(chart)
    target = report.targets["attendance_rate"] * 100
    x = chart.x + chart.width * target / 100
    drawing.add(
        Line(x, chart.y - 4, x, chart.y + chart.height + 4, strokeColor=TARGET, strokeDashArray=(4, 3), strokeWidth=1.2)
    )
    drawing.add(
        String(
            x, chart.y + chart.height + 8, f"target {target:.1f}%", fontSize=8, fillColor=TARGET, textAnchor="middle"
        )
    )
    drawing.add(
        String(
            10,
            drawing.height - 16,
            "Attendance of required specialties (share of held conferences)",
            fontName="Helvetica-Bold",
            fontSize=10,
        )
    )
    return drawing


CHARTS = {"cumulative-rate": cumulative_rate_chart, "attendance": attendance_chart}


def chart_svg(drawing: Drawing) -> str:
    """The drawing as an SVG document."""
    return renderSVG.drawToString(drawing)


def inline_svg(drawing: Drawing, name: str) -> str:
    """The drawing as an <svg> element for an HTML page: no XML prolog, and its clip path named apart from other
    charts'.
    """
    svg = chart_svg(drawing)
    return (
        svg[svg.index("<svg") :].replace('id="clip"', f'id="clip-{name}"').replace("url(#clip)", f"url(#clip-{name})")
    )
