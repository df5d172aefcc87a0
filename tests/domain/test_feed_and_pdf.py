"""The calendar feed reads in two independent libraries; the agenda PDF shows or hides what it must."""

from datetime import UTC, date, datetime
from io import BytesIO

import icalendar
import pypdf
import recurring_ical_events

from tumorboard.conferences.ical import FeedEvent, calendar_bytes
from tumorboard.conferences.pdf import AgendaDocument, AgendaRow, agenda_pdf

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def event(n: int, start: datetime, **overrides) -> FeedEvent:
    fields = dict(
        uid=f"conference-{n}@riverside.tumorboard",
        summary="Breast Tumor Board",
        starts_at=start,
        duration_minutes=60,
        timezone="America/New_York",
        place="Room 3B",
        video_link="https://video.example.org/b",
        case_count=4,
        url=f"https://tb.example.org/conferences/{n}",
        cancelled=False,
        sequence=0,
        changed_at=NOW,
    )
    fields.update(overrides)
    return FeedEvent(**fields)


# 7:00 in New York on both sides of the 1 November 2026 change: 11:00 UTC, then 12:00 UTC.
EVENTS = [
    event(1, datetime(2026, 10, 27, 11, 0, tzinfo=UTC)),
    event(2, datetime(2026, 11, 3, 12, 0, tzinfo=UTC), sequence=2),
    event(3, datetime(2026, 11, 10, 12, 0, tzinfo=UTC), cancelled=True, sequence=1),
]


def test_the_feed_parses_with_icalendar_with_uids_sequence_status_and_a_vtimezone():
    calendar = icalendar.Calendar.from_ical(calendar_bytes("Breast", EVENTS, NOW))
    events = calendar.walk("VEVENT")
    assert [str(e["uid"]) for e in events] == [
        "conference-1@riverside.tumorboard",
        "conference-2@riverside.tumorboard",
        "conference-3@riverside.tumorboard",
    ]
    assert [int(e["sequence"]) for e in events] == [0, 2, 1]
    assert [str(e["status"]) for e in events] == ["CONFIRMED", "CONFIRMED", "CANCELLED"]
    assert [e.decoded("dtstart").strftime("%H:%M %Z") for e in events] == ["07:00 EDT", "07:00 EST", "07:00 EST"]
    assert [str(tz["tzid"]) for tz in calendar.walk("VTIMEZONE")] == ["America/New_York"]
    assert "4 cases on the agenda." in str(events[0]["description"]) and "Video: https://video.example.org/b" in str(
        events[0]["description"]
    )


def test_an_independent_library_expands_the_feed_to_the_same_local_times():
    calendar = icalendar.Calendar.from_ical(calendar_bytes("Breast", EVENTS, NOW))
    found = recurring_ical_events.of(calendar).between(date(2026, 10, 1), date(2026, 12, 1))
    assert sorted((e.decoded("dtstart").astimezone(UTC).isoformat(), str(e["status"])) for e in found) == [
        ("2026-10-27T11:00:00+00:00", "CONFIRMED"),
        ("2026-11-03T12:00:00+00:00", "CONFIRMED"),
        ("2026-11-10T12:00:00+00:00", "CANCELLED"),
    ]


def test_a_line_break_in_a_name_stays_inside_its_property():
    feed = calendar_bytes(
        "TumorBoard: Ana\r\nBEGIN:VEVENT", [event(1, NOW, summary="Breast\nBoard", place="Room\n3B")], NOW
    )
    assert b"\r\nX-WR-CALNAME:TumorBoard: Ana\\nBEGIN:VEVENT\r\n" in feed  # escaped, one content line
    calendar = icalendar.Calendar.from_ical(feed)
    assert len(calendar.walk("VEVENT")) == 1
    assert str(calendar.walk("VEVENT")[0]["summary"]) == "Breast\nBoard"


def test_an_empty_feed_is_still_a_calendar():
    calendar = icalendar.Calendar.from_ical(calendar_bytes("Nothing", [], NOW))
    assert calendar.walk("VEVENT") == [] and str(calendar["version"]) == "2.0"


ROWS = [
    AgendaRow(
        1,
        "07:00",
        41,
        "Merriweather, Lydia (TB424242)",
        "Breast",
        "Invasive lobular carcinoma · cT2 cN0 cM0, stage IIA",
        "Breast conservation or mastectomy?",
        "Sarah Kim",
        5,
        "",
    ),
    AgendaRow(
        2,
        "07:05",
        42,
        "Quillan, Ada (TB424243)",
        "Hepatobiliary & pancreas",
        "Pancreatic ductal adenocarcinoma · not yet staged",
        "Neoadjuvant therapy?",
        "Elena Vasquez",
        5,
        "IMAGING NOT READY, late",
    ),
]


def _text(document: AgendaDocument) -> str:
    return " ".join(
        " ".join(page.extract_text().split()) for page in pypdf.PdfReader(BytesIO(agenda_pdf(document))).pages
    )


def test_the_full_agenda_names_the_patients_and_questions():
    text = _text(
        AgendaDocument(
            "Riverside",
            "Breast Tumor Board",
            "Tuesday 24 November 2026, 07:00 EST",
            "Room 3B",
            "",
            ROWS,
            "07:10",
            False,
            "now",
        )
    )
    for expected in (
        "Breast Tumor Board: agenda",
        "Merriweather, Lydia",
        "TB424242",
        "Neoadjuvant therapy?",
        "IMAGING NOT READY, late",
        "stage IIA",
        "projected end 07:10",
        "Confidential",
    ):
        assert expected in text


def test_the_deidentified_agenda_has_initials_and_case_numbers_only():
    rows = [
        AgendaRow(
            r.number,
            r.time,
            r.case_number,
            "".join(w[0] for w in r.patient.split(", ")[::-1])[:2],
            r.site,
            r.diagnosis,
            "",
            r.presenter,
            r.minutes,
            r.flags,
        )
        for r in ROWS
    ]
    text = _text(
        AgendaDocument("Riverside", "Breast Tumor Board", "Tuesday", "Room 3B", "", rows, "07:10", True, "now")
    )
    assert "(de-identified)" in text and "#41" in text and "LM" in text
    for absent in ("Merriweather", "TB424242", "Neoadjuvant", "Question for the board"):
        assert absent not in text


def test_a_long_site_group_wraps_in_its_column_and_never_runs_into_the_next_one():
    document = AgendaDocument("Riverside", "GI board", "Tuesday", "Room 3B", "", ROWS, "07:10", False, "now")
    placed: list[tuple[str, float]] = []
    page = pypdf.PdfReader(BytesIO(agenda_pdf(document))).pages[0]
    page.extract_text(visitor_text=lambda text, cm, *_: placed.append((text.strip(), cm[4])) if text.strip() else None)
    x_of = {text: x for text, x in placed}
    site, diagnosis = x_of["Site"], x_of["Diagnosis and stage"]
    assert site <= x_of["Hepatobiliary &"] < diagnosis and site <= x_of["pancreas"] < diagnosis  # wrapped, in place
    assert x_of["Question for the board"] > diagnosis and "Min" in x_of  # a header word is never cut either
