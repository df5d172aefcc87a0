"""The letters as PDFs: a physician's letter, a plain-language patient letter, a notice of presentation. Pure.

Drawn with invariant=1 so the same content always gives the same bytes (and SHA-256).
"""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import letter
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import inch
from reportlab.platypus import Image, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from tumorboard.letters.content import LetterContent, Letterhead, NoticeContent, plain_care
from tumorboard.text import markup

_BASE = getSampleStyleSheet()
BODY = ParagraphStyle(
    "body", parent=_BASE["BodyText"], fontName="Times-Roman", fontSize=10.5, leading=13.5, spaceAfter=4
)
SMALL = ParagraphStyle("small", parent=BODY, fontSize=9, leading=11.5)
HEAD = ParagraphStyle("head", parent=BODY, fontName="Helvetica-Bold", fontSize=10.5, spaceBefore=8, spaceAfter=3)
PROGRAM = ParagraphStyle("program", parent=BODY, fontName="Helvetica-Bold", fontSize=14, leading=17)
RIGHT = ParagraphStyle("right", parent=SMALL, alignment=TA_RIGHT)


def _p(text: str, style: ParagraphStyle = BODY) -> Paragraph:
    """A paragraph of user text: escaped, line breaks kept."""
    return Paragraph(markup(text), style)


def _letterhead(head: Letterhead) -> list:
    """The program's letterhead; a missing or unreadable logo falls back to the plain header."""
    left = [Paragraph(markup(head.name or "Multidisciplinary Cancer Conference"), PROGRAM)]
    if head.address or head.phone:
        left.append(_p("\n".join(x for x in (head.address, head.phone) if x), SMALL))
    logo = None
    if head.logo_path and Path(head.logo_path).is_file():
        try:
            logo = Image(head.logo_path, width=1.1 * inch, height=0.55 * inch, kind="proportional")
        except (OSError, ValueError):
            logo = None
    table = Table([[left, logo or ""]], colWidths=[5.2 * inch, 1.3 * inch])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.HexColor("#2f6f8f")),
                ("BOTTOMPADDING", (0, 0), (-1, 0), 6),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return [table, Spacer(1, 0.18 * inch)]


def _document(buffer: BytesIO, title: str, author: str) -> SimpleDocTemplate:
    return SimpleDocTemplate(
        buffer,
        pagesize=letter,
        leftMargin=inch,
        rightMargin=inch,
        topMargin=0.75 * inch,
        bottomMargin=0.75 * inch,
        title=title,
        author=author,
        invariant=1,
    )


def _signature(content: LetterContent) -> KeepTogether:
    return KeepTogether(
        [
            Spacer(1, 0.3 * inch),
            _p("Sincerely,"),
            Spacer(1, 0.35 * inch),
            _p(content.signer_name),
            _p(f"{content.signer_specialty}, managing physician", SMALL),
            _p(f"On behalf of the {content.conference}", SMALL),
        ]
    )


def referrer_letter_pdf(content: LetterContent) -> bytes:
    """The letter to the referring physician (copy to the chart)."""
    buffer = BytesIO()
    story = _letterhead(content.letterhead)
    version = f"Version {content.version}" + (
        f", correcting version {content.replaces_version}: {content.correction_reason}"
        if content.replaces_version
        else ""
    )
    story += [
        _p(f"{content.letter_date:%B %d, %Y}", RIGHT),
        _p(version, RIGHT) if content.version > 1 else Spacer(1, 1),
        _p("\n".join(x for x in (content.recipient_name, content.recipient_practice, content.recipient_address) if x)),
        Spacer(1, 0.12 * inch),
    ]
    ident = Table(
        [
            [
                _p("Patient", SMALL),
                _p(content.patient_name, SMALL),
                _p("Date of birth", SMALL),
                _p(f"{content.birth_date:%Y-%m-%d}", SMALL),
            ],
            [
                _p("MRN", SMALL),
                _p(content.mrn, SMALL),
                _p("Conference", SMALL),
                _p(f"{content.conference}, {content.conference_date:%B %d, %Y}", SMALL),
            ],
        ],
        colWidths=[0.9 * inch, 2.2 * inch, 1.0 * inch, 2.4 * inch],
    )
    ident.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 0.4, colors.grey),
                ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#f4f7f9")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story += [
        ident,
        Spacer(1, 0.1 * inch),
        _p(f"Dear {content.recipient_name or 'colleague'},"),
        _p(
            f"Your patient was discussed at our multidisciplinary {content.conference} on "
            f"{content.conference_date:%B %d, %Y}. "
            "This letter gives the board's recommendation."
        ),
    ]
    story += [Paragraph("Diagnosis and stage", HEAD), _p(f"{content.diagnosis}. {content.stage}.")]
    story += [Paragraph("Question for the board", HEAD), _p(content.question)]
    if content.second_opinion:
        story += [Paragraph("Second opinion", HEAD), _p(content.second_opinion)]
    story += [
        Paragraph("Specialties present", HEAD),
        _p("; ".join(f"{specialty}: {people}" for specialty, people in content.present) or "Not recorded"),
    ]
    if content.listed_standard:
        story += [
            Paragraph("Management", HEAD),
            _p(f"Listed, not discussed: managed by the agreed standard of care ({content.listed_standard})."),
        ]
    if content.recommendations:
        rows = [[_p("Specialty", SMALL), _p("Recommendation", SMALL)]] + [
            [
                _p(r.specialty, SMALL),
                _p(
                    " · ".join(
                        x for x in (f"{r.modality}{', ' + r.intent if r.intent else ''}", r.sequence, r.text) if x
                    ),
                    SMALL,
                ),
            ]
            for r in content.recommendations
        ]
        table = Table(rows, colWidths=[1.6 * inch, 4.9 * inch], repeatRows=1)
        table.setStyle(
            TableStyle(
                [
                    ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#b8c4ce")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef3")),
                ]
            )
        )
        story += [Paragraph("Recommendations by specialty", HEAD), table]
    story += [
        Paragraph("Consensus plan", HEAD),
        _p(content.consensus_plan or "—"),
        _p(f"Vote of the board: {content.vote_result}.", SMALL),
    ]
    story += [Paragraph("Final plan", HEAD), _p(content.final_plan)]
    story += [Paragraph("Clinical trials", HEAD), _p(content.trials)]
    story += [Paragraph("Guideline", HEAD), _p(content.guideline)]
    story += [Paragraph("Next steps", HEAD), _p(content.next_steps or "—")]
    story.append(_signature(content))
    _document(buffer, f"Tumor board recommendation, {content.conference}", content.letterhead.name).build(story)
    return buffer.getvalue()


def patient_letter_pdf(content: LetterContent) -> bytes:
    """The same plan in plain words for the patient: short sentences, no codes."""
    buffer = BytesIO()
    story = _letterhead(content.letterhead)
    care = plain_care([r.modality_code for r in content.recommendations])
    story += [
        _p(f"{content.letter_date:%B %d, %Y}", RIGHT),
        Spacer(1, 0.1 * inch),
        _p(f"Dear {content.patient_first_name},"),
        _p(
            f"On {content.conference_date:%B %d, %Y}, a team of cancer doctors met to talk about your care. "
            "Surgeons, cancer medicine doctors, radiation doctors, and doctors who read scans and tissue samples "
            "looked at "
            "your results together. This letter tells you what they suggest."
        ),
        Paragraph("What the team suggests", HEAD),
        _p(content.final_plan),
        *([_p(f"In short, the doctors recommend {care}.")] if care else []),
        Paragraph("What happens next", HEAD),
        _p(content.next_steps or "Your doctor will call you to talk about this plan."),
        Paragraph("Research studies", HEAD),
        _p(
            content.trials
            if content.trials != "No clinical trial was discussed."
            else "The team did not find a research study for you at this time."
        ),
        Paragraph("Questions", HEAD),
        _p(
            f"You can ask {content.signer_name} or your care team anything about this plan. It is your choice, and "
            f"we will "
            "help you decide. Please bring this letter to your next visit."
        ),
        _signature(content),
    ]
    _document(buffer, "Your care plan", content.letterhead.name).build(story)
    return buffer.getvalue()


def notice_pdf(content: NoticeContent) -> bytes:
    """One page telling a patient their case will be presented at a conference."""
    buffer = BytesIO()
    story = _letterhead(content.letterhead) + [
        _p(f"{content.letter_date:%B %d, %Y}", RIGHT),
        Spacer(1, 0.1 * inch),
        _p(f"Dear {content.patient_first_name},"),
        _p(
            f"Your doctor, {content.physician_name}, will present your case at the {content.conference} on "
            f"{content.conference_date:%A, %B %d, %Y}."
        ),
        _p(
            "At this meeting, doctors from several specialties look at your results together and agree on the best "
            "plan for "
            "you. You do not need to come. Your information is shared only with the doctors who care for you."
        ),
        _p("After the meeting your doctor will talk with you about what the team suggests."),
        Spacer(1, 0.3 * inch),
        _p(f"{content.physician_name}"),
        _p(content.letterhead.name, SMALL),
    ]
    _document(buffer, "Your case will be discussed", content.letterhead.name).build(story)
    return buffer.getvalue()
