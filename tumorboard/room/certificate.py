"""The attendance certificate (for CME): the conferences one person attended in a period. Pure: data in, bytes out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from io import BytesIO

from reportlab.lib import colors
from reportlab.lib.pagesizes import letter
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import inch
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from tumorboard.text import markup


@dataclass(frozen=True)
class AttendedMeeting:
    """One conference attended."""

    day: date
    series: str
    minutes: int
    mode: str


def certificate_pdf(
    program: str, name: str, specialty: str, start: date, end: date, meetings: list[AttendedMeeting], issued: date
) -> bytes:
    """A one-table certificate with the total hours."""
    buffer = BytesIO()
    pdf = SimpleDocTemplate(
        buffer,
        pagesize=letter,
        title=f"Attendance certificate: {name}",
        author=program,
        leftMargin=inch,
        rightMargin=inch,
        topMargin=inch,
        bottomMargin=inch,
    )
    styles = getSampleStyleSheet()
    hours = sum(m.minutes for m in meetings) / 60
    story = [
        Paragraph(markup(program), styles["Normal"]),
        Paragraph("Certificate of attendance", styles["Title"]),
        Paragraph(
            f"This certifies that <b>{markup(name)}</b> ({markup(specialty)}) attended {len(meetings)} "
            f"multidisciplinary cancer "
            f"conference{'s' if len(meetings) != 1 else ''} between {start:%d %B %Y} and {end:%d %B %Y}, "
            f"for {hours:.1f} hours in all.",
            styles["BodyText"],
        ),
        Spacer(1, 0.2 * inch),
    ]
    data = [["Date", "Conference", "Minutes", "Attended"]] + [
        [f"{m.day:%d %b %Y}", m.series, str(m.minutes), m.mode] for m in meetings
    ]
    table = Table(data, colWidths=[1.2 * inch, 3.2 * inch, 0.9 * inch, 1.2 * inch], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 9),
                ("FONT", (0, 1), (-1, -1), "Helvetica", 9),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef3")),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#b8c4ce")),
            ]
        )
    )
    story += [
        table,
        Spacer(1, 0.3 * inch),
        Paragraph(f"Issued {issued:%d %B %Y} from the program's attendance records.", styles["Italic"]),
    ]
    pdf.build(story)
    return buffer.getvalue()
