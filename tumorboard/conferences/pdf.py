"""The agenda as a PDF for the meeting room, full or de-identified. Pure: data in, bytes out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from io import BytesIO
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from reportlab.lib import colors
from reportlab.lib.pagesizes import landscape, letter
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import inch
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from tumorboard.text import markup

if TYPE_CHECKING:
    from tumorboard.conferences.queries import AgendaPage


@dataclass(frozen=True)
class AgendaRow:
    """One case as printed. In the de-identified variant `patient` holds initials and `question` is empty."""

    number: int
    time: str
    case_number: int
    patient: str
    site: str
    diagnosis: str  # histology and stage
    question: str
    presenter: str
    minutes: int
    flags: str


@dataclass(frozen=True)
class AgendaDocument:
    """What the printed agenda shows."""

    program: str
    series: str
    when: str
    place: str
    video_link: str
    rows: list[AgendaRow]
    projected_end: str
    deidentified: bool
    printed: str


def agenda_document(page: AgendaPage, program: str, deidentified: bool, now: datetime) -> AgendaDocument:
    """What the printed agenda of `page` shows, in the series' zone (initials and case numbers when de-identified)."""
    zone, conference = ZoneInfo(page.series.timezone), page.conference
    rows = [
        AgendaRow(
            slot.number,
            slot.starts_at.astimezone(zone).strftime("%H:%M"),
            line.case_id,
            line.initials if deidentified else f"{line.patient_name} ({line.mrn})",
            line.site_label,
            " · ".join(part for part in (line.diagnosis, line.stage) if part),
            "" if deidentified else line.question,
            line.presenter,
            slot.entry.minutes,
            ", ".join(
                flag
                for flag, on in (
                    ("IMAGING NOT READY", not line.imaging_ready),
                    ("PATHOLOGY NOT READY", not line.pathology_ready),
                    ("late", slot.entry.late),
                    ("over capacity", slot.over_capacity),
                    (_promise(line.promised_by, conference.starts_at, zone), line.promised_by is not None),
                )
                if on
            ),
        )
        for slot, line in zip(page.plan.slots, page.lines, strict=True)
    ]
    return AgendaDocument(
        program=program,
        series=page.series.name,
        when=conference.starts_at.astimezone(zone).strftime("%A %d %B %Y, %H:%M %Z"),
        place=conference.place,
        video_link=conference.video_link,
        rows=rows,
        projected_end=page.plan.projected_end.astimezone(zone).strftime("%H:%M"),
        deidentified=deidentified,
        printed=now.astimezone(zone).strftime("%d %b %Y %H:%M"),
    )


def _promise(due: datetime | None, starts_at: datetime, zone: ZoneInfo) -> str:
    """A second opinion's flag: its promise, and whether this meeting is after it."""
    if due is None:
        return ""
    return f"{'AFTER THE PROMISE: ' if due < starts_at else ''}second opinion promised by {due.astimezone(zone):%d %b}"


def agenda_filename(page: AgendaPage, deidentified: bool) -> str:
    """The PDF's file name: series and day, no patient data."""
    day = page.conference.starts_at.astimezone(ZoneInfo(page.series.timezone))
    return f"agenda-{page.series.id}-{day:%Y%m%d}{'-deidentified' if deidentified else ''}.pdf"


def agenda_pdf(document: AgendaDocument) -> bytes:
    """A landscape table of the agenda, with a header and the projected end."""
    buffer = BytesIO()
    title = f"{document.series}: agenda" + (" (de-identified)" if document.deidentified else "")
    pdf = SimpleDocTemplate(
        buffer,
        pagesize=landscape(letter),
        leftMargin=0.5 * inch,
        rightMargin=0.5 * inch,
        topMargin=0.5 * inch,
        bottomMargin=0.5 * inch,
        title=title,
        author=document.program,
    )
    styles = getSampleStyleSheet()
    small = ParagraphStyle("small", parent=styles["BodyText"], fontSize=8.5, leading=10.5)
    flags = ParagraphStyle("flags", parent=small, fontName="Helvetica-Bold", textColor=colors.HexColor("#9a3412"))
    story = [
        Paragraph(markup(document.program), styles["Normal"]),
        Paragraph(markup(title), styles["Title"]),
        Paragraph(
            markup(
                f"{document.when} · {document.place}" + (f" · {document.video_link}" if document.video_link else "")
            ),
            styles["Normal"],
        ),
        Spacer(1, 0.15 * inch),
    ]
    bold = ParagraphStyle("bold", parent=small, fontName="Helvetica-Bold")
    header = [
        "#",
        "Time",
        "Case",
        "Patient" if not document.deidentified else "Initials",
        "Site",
        "Diagnosis and stage",
        *([] if document.deidentified else ["Question for the board"]),
        "Presenter",
        "Min",
        "Flags",
    ]
    data = [[Paragraph(markup(text), bold) for text in header]]
    for row in document.rows:  # every text a Paragraph: it wraps in its column, never runs into the next one
        texts = [str(row.number), row.time, f"#{row.case_number}", row.patient, row.site, row.diagnosis,
                 *([] if document.deidentified else [row.question]), row.presenter, str(row.minutes)]
        data.append([*(Paragraph(markup(text), small) for text in texts), Paragraph(markup(row.flags), flags)])
    widths = (  # 10 inches between the margins of a landscape letter page
        [0.3, 0.5, 0.55, 1.45, 1.0, 1.65, 2.05, 1.1, 0.4, 1.0]
        if not document.deidentified
        else [0.35, 0.55, 0.6, 0.7, 1.2, 3.0, 1.6, 0.4, 1.6]
    )
    table = Table(data, colWidths=[w * inch for w in widths], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 9),
                ("FONT", (0, 1), (-1, -1), "Helvetica", 8.5),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef3")),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#b8c4ce")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story += [
        table,
        Spacer(1, 0.15 * inch),
        Paragraph(
            f"{len(document.rows)} case{'s' if len(document.rows) != 1 else ''}; projected end "
            f"{document.projected_end}.",
            styles["Normal"],
        ),
        Paragraph(
            f"Printed {document.printed}. Confidential: contains protected health information."
            if not document.deidentified
            else f"Printed {document.printed}. De-identified: initials and case numbers only.",
            small,
        ),
    ]
    pdf.build(story)
    return buffer.getvalue()
