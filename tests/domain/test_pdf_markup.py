"""User text in every PDF prints as typed: reportlab's paragraph mini-language in it is never run."""

from datetime import date
from io import BytesIO

import pypdf
import pytest

from tumorboard.conferences.pdf import AgendaDocument, AgendaRow, agenda_pdf
from tumorboard.room.certificate import AttendedMeeting, certificate_pdf
from tumorboard.text import markup

LINK = '<a href="https://evil.example.org">click</a>'
IMAGE = '<img src="/etc/hostname" width="40" height="40"/>'
HOSTILE = ("LFTs <ULN, ALT > 3x & rising", LINK, IMAGE, "<b>bold</b> <font color=red>x</font>", "unclosed <para")


def _read(pdf: bytes) -> tuple[str, pypdf.PdfReader]:
    reader = pypdf.PdfReader(BytesIO(pdf))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages), reader


def _nothing_live(reader: pypdf.PdfReader) -> None:
    for page in reader.pages:
        assert page.get("/Annots") is None, "a link was made from user text"
        assert not page.images, "an image was embedded from user text"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a < b & c > d", "a &lt; b &amp; c &gt; d"),
        ("line one\nline two", "line one<br/>line two"),
        (None, ""),
    ],
)
def test_markup_escapes_the_paragraph_language_and_keeps_line_breaks(text, expected):
    assert markup(text) == expected


@pytest.mark.parametrize("hostile", HOSTILE)
def test_the_agenda_prints_hostile_text_as_typed(hostile):
    row = AgendaRow(1, "07:00", 41, f"Doe, {hostile}", "Breast", hostile, hostile, hostile, 5, hostile)
    text, reader = _read(
        agenda_pdf(AgendaDocument(hostile, hostile, "Tuesday", hostile, hostile, [row], "07:05", False, "now"))
    )
    assert hostile.split()[0] in text
    _nothing_live(reader)


def test_the_agenda_keeps_a_less_than_sign_in_the_question():
    row = AgendaRow(1, "07:00", 41, "Doe, Jane", "Breast", "Ductal <2 cm", "LFTs <ULN, proceed?", "Dr Kim", 5, "")
    text, _ = _read(
        agenda_pdf(AgendaDocument("Riverside", "Breast", "Tuesday", "3B", "", [row], "07:05", False, "now"))
    )
    assert "LFTs <ULN, proceed?" in text and "Ductal <2 cm" in text


@pytest.mark.parametrize("hostile", HOSTILE)
def test_the_certificate_prints_hostile_names_as_typed(hostile):
    meetings = [AttendedMeeting(date(2026, 3, 3), hostile, 60, "In person")]
    text, reader = _read(
        certificate_pdf(
            hostile, f"Dr {hostile}", hostile, date(2026, 1, 1), date(2026, 12, 31), meetings, date(2026, 12, 31)
        )
    )
    assert f"Dr {hostile.split()[0]}" in text
    _nothing_live(reader)
