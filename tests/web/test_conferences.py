"""Conferences through the app: series, occurrences, agendas, carry-over, PDF, feeds, permissions."""

import re
from datetime import UTC, date, datetime, timedelta
from io import BytesIO
from zoneinfo import ZoneInfo

import icalendar
import pypdf
import pytest
import recurring_ical_events
import sqlalchemy as sa

from tumorboard.conferences.models import Conference, ConferenceSeries, SeriesMember
from tumorboard.extensions import db
from tumorboard.room.models import Presentation
from tumorboard.vocab import CaseStatus, ConferenceStatus, PresentationStatus, Role, SiteGroup

SERIES = {
    "name": "Breast Tumor Board",
    "site_groups": ["breast"],
    "pattern": "weekly",
    "weekday": "1",
    "nth": "1",
    "custom": "",
    "starts_on": (date.today() - timedelta(days=14)).isoformat(),
    "start_time": "07:00",
    "end_time": "08:00",
    "timezone": "America/New_York",
    "place": "Room 3B",
    "video_link": "https://video.example.org/breast",
    "capacity": "3",
    "minutes_per_case": "5",
    "deadline_working_days": "2",
    "weeks_ahead": "6",
    "required_specialties": ["surgery", "medical_oncology", "radiation_oncology", "diagnostic_radiology", "pathology"],
    "consensus": "2/3",
    "active": "y",
}


@pytest.fixture
def coordinator(make, auth):
    user = make.user(roles=(Role.COORDINATOR,))
    auth.login(user.username)
    return user


def _upcoming(series_id: int) -> list[Conference]:
    return list(
        db.session.scalars(
            sa.select(Conference)
            .where(Conference.series_id == series_id, Conference.starts_at > datetime.now(UTC))
            .order_by(Conference.starts_at)
        )
    )


def _agenda(conference: Conference) -> list[Presentation]:
    return list(
        db.session.scalars(
            sa.select(Presentation).where(Presentation.conference_id == conference.id).order_by(Presentation.position)
        )
    )


def test_a_coordinator_creates_a_series_and_its_occurrences_are_generated(coordinator, client):
    response = client.post("/conferences/series/new", data=SERIES)
    assert response.status_code == 302
    series = db.session.scalars(sa.select(ConferenceSeries)).one()
    assert series.rrule == "FREQ=WEEKLY;BYDAY=TU" and series.duration_minutes == 60
    upcoming = _upcoming(series.id)
    assert 5 <= len(upcoming) <= 7
    zone_hours = {c.starts_at.astimezone(ZoneInfo("America/New_York")).strftime("%a %H:%M") for c in upcoming}
    assert zone_hours == {"Tue 07:00"}
    assert client.post(f"/conferences/series/{series.id}/generate").status_code == 302
    assert len(_upcoming(series.id)) == len(upcoming)  # nothing twice


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"end_time": "06:30"}, "The meeting must end after it starts"),
        ({"capacity": "-1"}, "Capacity must be from 0 to 200."),
        ({"closing_voter_percent": "150"}, "The share of voters must be from 0 to 100."),
        ({"weekday": "9"}, "Choose one from the list."),
        ({"pattern": "custom", "custom": "FREQ=WEEKLY;BYDAY=XX"}, "Not a valid recurrence rule"),
        (
            {"pattern": "custom", "custom": "FREQ=WEEKLY;UNTIL=20200101"},
            "no meeting on or after the first meeting date",
        ),
        ({"pattern": "custom", "custom": "FREQ=SECONDLY"}, "at most once a day"),
        ({"pattern": "custom", "custom": "FREQ=DAILY", "weeks_ahead": "104"}, "more than 400 meetings in 104 weeks"),
        ({"site_groups": []}, "Choose at least one site group."),
        ({"video_link": "zoom"}, "starting with https://"),
        ({"name": ""}, "Give the series a name."),
        ({"name": "Breast\r\nBoard"}, "Use one line"),
        ({"place": "Room 3B\nX-INJECTED:1"}, "Use one line"),
    ],
)
def test_a_series_that_cannot_work_is_refused(coordinator, client, overrides, message):
    response = client.post("/conferences/series/new", data={**SERIES, **overrides})
    assert response.status_code == 200 and message in response.data.decode()
    assert db.session.scalar(sa.select(sa.func.count(ConferenceSeries.id))) == 0


def test_every_two_weeks_and_monthly(coordinator, client):
    client.post("/conferences/series/new", data={**SERIES, "name": "GU", "pattern": "every_two_weeks", "weekday": "4"})
    client.post(
        "/conferences/series/new",
        data={**SERIES, "name": "Sarcoma", "pattern": "monthly", "weekday": "2", "nth": "2", "weeks_ahead": "12"},
    )
    gu, sarcoma = db.session.scalars(sa.select(ConferenceSeries).order_by(ConferenceSeries.name)).all()[:2]
    gu_days = [c.starts_at.date() for c in _upcoming(gu.id)]
    assert all((b - a).days == 14 for a, b in zip(gu_days, gu_days[1:], strict=False))
    assert all(8 <= c.starts_at.astimezone(ZoneInfo("America/New_York")).day <= 14 for c in _upcoming(sarcoma.id))


def test_cancel_and_move_one_occurrence_without_touching_the_others(coordinator, client, make):
    client.post("/conferences/series/new", data=SERIES)
    series = db.session.scalars(sa.select(ConferenceSeries)).one()
    first, second, third = _upcoming(series.id)[:3]
    case = make.case(status=CaseStatus.SUBMITTED)
    client.post(f"/conferences/{first.id}/agenda/add", data={"case_id": case.id, "version": first.agenda_version})
    client.post(f"/conferences/{first.id}/cancel", data={"reason": "Holiday"})
    new_time = (second.starts_at + timedelta(days=1)).astimezone(ZoneInfo("America/New_York"))
    client.post(f"/conferences/{second.id}/reschedule", data={"starts_at": new_time.strftime("%Y-%m-%dT%H:%M")})
    db.session.expire_all()
    assert (first.status, first.sequence, first.cancel_reason) == (ConferenceStatus.CANCELLED, 1, "Holiday")
    assert case.status is CaseStatus.SUBMITTED and _agenda(first) == []  # back in the queue
    assert second.starts_at == new_time and second.sequence == 1 and second.occurrence_start != second.starts_at
    assert third.sequence == 0 and third.status is ConferenceStatus.SCHEDULED


def test_a_past_or_cancelled_occurrence_cannot_change(coordinator, client, make):
    past = make.conference(
        starts_at=datetime.now(UTC) - timedelta(days=2), occurrence_start=datetime.now(UTC) - timedelta(days=2)
    )
    page = client.post(f"/conferences/{past.id}/cancel", data={}, follow_redirects=True).data.decode()
    assert "already taken place" in page
    case = make.case()
    page = client.post(
        f"/conferences/{past.id}/agenda/add", data={"case_id": case.id}, follow_redirects=True
    ).data.decode()
    assert "already taken place" in page and _agenda(past) == []


def _conference_with_cases(make, count: int, **case_overrides):
    series = make.series(capacity=3, minutes_per_case=10, deadline_working_days=2)
    start = datetime.now(UTC) + timedelta(days=10)
    conference = make.conference(series=series, starts_at=start, occurrence_start=start, duration_minutes=30)
    cases = [
        make.case(status=CaseStatus.SUBMITTED, submitted_at=datetime.now(UTC) - timedelta(days=1), **case_overrides)
        for _ in range(count)
    ]
    return conference, cases


def test_build_an_agenda_with_flags_order_minutes_and_projected_end(coordinator, client, make):
    conference, cases = _conference_with_cases(make, 4)
    for case in cases:
        db.session.refresh(conference)
        assert (
            client.post(
                f"/conferences/{conference.id}/agenda/add",
                data={"case_id": case.id, "version": conference.agenda_version},
            ).status_code
            == 302
        )
    db.session.expire_all()
    assert [p.case_id for p in _agenda(conference)] == [c.id for c in cases]
    assert all(c.status is CaseStatus.SCHEDULED for c in cases)
    page = client.get(f"/conferences/{conference.id}").data.decode()
    assert "4 / 3" in page and "over capacity" in page and "(10 min over)" in page and "imaging not ready" in page

    last = _agenda(conference)[-1]
    client.post(f"/conferences/{conference.id}/agenda/{last.id}/up", data={"version": conference.agenda_version})
    db.session.expire_all()
    assert [p.case_id for p in _agenda(conference)] == [cases[0].id, cases[1].id, cases[3].id, cases[2].id]
    client.post(
        f"/conferences/{conference.id}/agenda/{last.id}/minutes",
        data={"minutes": "3", "version": conference.agenda_version},
    )
    db.session.expire_all()
    assert last.minutes_allotted == 3
    client.post(f"/conferences/{conference.id}/agenda/{last.id}/remove", data={"version": conference.agenda_version})
    db.session.expire_all()
    assert cases[3].status is CaseStatus.SUBMITTED and [p.position for p in _agenda(conference)] == [0, 1, 2]


def test_a_case_twice_on_one_agenda_is_refused(coordinator, client, make):
    conference, (case,) = _conference_with_cases(make, 1)
    client.post(f"/conferences/{conference.id}/agenda/add", data={"case_id": case.id})
    page = client.post(
        f"/conferences/{conference.id}/agenda/add", data={"case_id": case.id}, follow_redirects=True
    ).data.decode()
    assert f"Case #{case.id} is already on this agenda." in page and len(_agenda(conference)) == 1


def test_a_late_submission_is_flagged_not_dropped(coordinator, client, make):
    series = make.series(deadline_working_days=2)
    # Two hours ahead is late at any time of day: 30 hours ahead was not late when it spanned two local midnights.
    start = datetime.now(UTC) + timedelta(hours=2)
    conference = make.conference(series=series, starts_at=start, occurrence_start=start)
    case = make.case(status=CaseStatus.SUBMITTED, submitted_at=datetime.now(UTC))
    page = client.post(
        f"/conferences/{conference.id}/agenda/add", data={"case_id": case.id}, follow_redirects=True
    ).data.decode()
    assert "flagged late" in page and _agenda(conference)[0].late_submission


def test_a_change_on_a_stale_agenda_is_refused_with_a_clear_message(coordinator, client, make):
    conference, (a, b) = _conference_with_cases(make, 2)
    seen = conference.agenda_version
    client.post(f"/conferences/{conference.id}/agenda/add", data={"case_id": a.id, "version": seen})
    page = client.post(
        f"/conferences/{conference.id}/agenda/add", data={"case_id": b.id, "version": seen}, follow_redirects=True
    ).data.decode()
    assert "Someone else changed this agenda since you opened it" in page
    assert [p.case_id for p in _agenda(conference)] == [a.id]


def test_cases_not_reached_move_to_the_top_of_the_next_meeting_in_order(coordinator, client, make):
    series = make.series()
    past_start, next_start = datetime.now(UTC) - timedelta(hours=3), datetime.now(UTC) + timedelta(days=7)
    past = make.conference(series=series, starts_at=past_start, occurrence_start=past_start)
    upcoming = make.conference(series=series, starts_at=next_start, occurrence_start=next_start)
    discussed, first, second, waiting = (make.case(status=CaseStatus.SCHEDULED) for _ in range(4))
    make.presentation(conference=past, case=discussed, position=0, status=PresentationStatus.CLOSED)
    make.presentation(conference=past, case=first, position=1)
    make.presentation(conference=past, case=second, position=2)
    make.presentation(conference=upcoming, case=waiting, position=0)
    page = client.post(f"/conferences/{past.id}/carry-over", data={}, follow_redirects=True).data.decode()
    assert "2 cases carried over" in page
    db.session.expire_all()
    assert [p.case_id for p in _agenda(upcoming)] == [first.id, second.id, waiting.id]
    assert [p.status for p in _agenda(past)] == [
        PresentationStatus.CLOSED,
        PresentationStatus.NOT_REACHED,
        PresentationStatus.NOT_REACHED,
    ]
    assert past.status is ConferenceStatus.HELD and _agenda(upcoming)[0].carried_over_from_id is not None


def test_agenda_pdfs(coordinator, client, make):
    conference, (case,) = _conference_with_cases(
        make, 1, patient=make.patient(last_name="Merriweather", first_name="Lydia", mrn="TB424242")
    )
    client.post(f"/conferences/{conference.id}/agenda/add", data={"case_id": case.id})

    def text(url: str) -> str:
        response = client.get(url)
        assert response.mimetype == "application/pdf"
        return " ".join(" ".join(p.extract_text().split()) for p in pypdf.PdfReader(BytesIO(response.data)).pages)

    assert "Merriweather, Lydia" in text(f"/conferences/{conference.id}/agenda.pdf")
    deidentified = text(f"/conferences/{conference.id}/agenda.pdf?variant=deidentified")
    assert (
        f"#{case.id}" in deidentified
        and "LM" in deidentified
        and "Merriweather" not in deidentified
        and "TB424242" not in deidentified
    )


def _feed_world(make):
    """A series with cases whose patients have recognizable names, MRNs, birth dates and questions."""
    physician = make.user(roles=(Role.PHYSICIAN,), full_name="Sarah Kim")
    series = make.series(name="Breast Tumor Board")
    db.session.add(SeriesMember(series_id=series.id, user_id=physician.id))
    db.session.commit()
    start = datetime.now(UTC) + timedelta(days=3)
    conference = make.conference(series=series, starts_at=start, occurrence_start=start)
    cancelled = make.conference(
        series=series,
        starts_at=start + timedelta(days=7),
        occurrence_start=start + timedelta(days=7),
        status=ConferenceStatus.CANCELLED,
        sequence=1,
    )
    for mrn, last in (("ZQ900001", "Quagmirevich"), ("ZQ900002", "Xanthopoulou")):
        patient = make.patient(mrn=mrn, last_name=last, first_name="Zebulon", birth_date=date(1947, 3, 9))
        make.presentation(
            conference=conference, case=make.case(patient=patient, question="Is Zebulon fit for surgery?")
        )
    return physician, series, conference, cancelled


PHI = (b"ZQ9000", b"Quagmirevich", b"Xanthopoulou", b"Zebulon", b"1947", b"19470309", b"fit for surgery")


def test_the_series_feed_has_counts_and_links_and_no_patient_data(client, make):
    _, series, conference, cancelled = _feed_world(make)
    series.feed_token = "s" * 43
    db.session.commit()
    response = client.get(f"/calendar/s/{series.feed_token}.ics")  # no login: calendar apps cannot sign in
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    assert not [marker for marker in PHI if marker in response.data]
    calendar = icalendar.Calendar.from_ical(response.data)
    events = {str(e["uid"]): e for e in calendar.walk("VEVENT")}
    mine = next(e for uid, e in events.items() if uid.startswith(f"conference-{conference.id}@"))
    assert "2 cases on the agenda." in str(mine["description"]) and str(mine["status"]) == "CONFIRMED"
    gone = next(e for uid, e in events.items() if uid.startswith(f"conference-{cancelled.id}@"))
    assert str(gone["status"]) == "CANCELLED" and int(gone["sequence"]) == 1
    assert calendar.walk("VTIMEZONE")
    assert len(recurring_ical_events.of(calendar).between(date.today(), date.today() + timedelta(days=30))) == 2


def test_the_personal_feed_needs_its_token_and_stops_when_revoked(client, auth, make):
    physician, _, conference, _ = _feed_world(make)
    other = make.user(roles=(Role.PHYSICIAN,))
    auth.login(physician.username)
    client.post("/profile/calendar", data={"action": "create"})
    db.session.expire_all()
    token = physician.calendar_token
    assert token and token in client.get("/profile").data.decode()
    client.post("/logout")
    feed = client.get(f"/calendar/u/{token}.ics")
    assert feed.status_code == 200 and f"conference-{conference.id}@".encode() in feed.data
    assert not [marker for marker in PHI if marker in feed.data]
    assert client.get("/calendar/u/not-a-token.ics").status_code == 404
    auth.login(other.username)
    client.post("/profile/calendar", data={"action": "create"})
    db.session.expire_all()
    assert (
        f"conference-{conference.id}@".encode() not in client.get(f"/calendar/u/{other.calendar_token}.ics").data
    )  # not a member
    client.post("/logout")
    auth.login(physician.username)
    client.post("/profile/calendar", data={"action": "revoke"})
    client.post("/logout")
    revoked = client.get(f"/calendar/u/{token}.ics")
    assert revoked.status_code == 404 and b"Page not found" in revoked.data


def test_my_conferences_and_my_cases_on_agendas(client, auth, make):
    physician, series, conference, _ = _feed_world(make)
    mine = make.case(presenting_physician=physician, patient=make.patient(first_name="Ann", last_name="Pemberton"))
    make.presentation(conference=conference, case=mine, position=5)
    auth.login(physician.username)
    page = client.get("/conferences/mine").data.decode()
    assert "Breast Tumor Board" in page and f"#{mine.id}</a> (AP)" in page and "presenting" in page


@pytest.mark.parametrize(
    ("roles", "method", "path", "status"),
    [
        ((Role.PHYSICIAN,), "get", "/conferences/series/new", 403),
        ((Role.PHYSICIAN,), "post", "/conferences/{id}/agenda/add", 403),
        ((Role.PHYSICIAN,), "get", "/conferences/{id}", 200),
        ((Role.PHYSICIAN,), "get", "/conferences/{id}/agenda.pdf", 200),
        ((Role.AUDITOR,), "get", "/conferences/{id}", 200),
        ((Role.AUDITOR,), "post", "/conferences/{id}/cancel", 403),
        ((Role.NAVIGATOR,), "get", "/conferences/mine", 403),
        ((Role.ADMIN,), "get", "/conferences/", 403),
    ],
)
def test_who_may_do_what(make, auth, client, roles, method, path, status):
    conference = make.conference()
    auth.login(make.user(roles=roles).username)
    assert getattr(client, method)(path.format(id=conference.id)).status_code == status


def test_agenda_page_queries_do_not_grow_with_the_cases(coordinator, client, make, count_statements):
    conference, cases = _conference_with_cases(make, 1)
    make.presentation(conference=conference, case=cases[0])

    def statements() -> int:
        with count_statements() as counter:
            assert client.get(f"/conferences/{conference.id}").status_code == 200
        return counter.count

    few = statements()
    for position in range(1, 30):
        make.presentation(conference=conference, case=make.case(), position=position)
        make.case(status=CaseStatus.SUBMITTED, site_group=SiteGroup.BREAST)
    assert statements() == few


def test_editing_the_series_room_reaches_future_occurrences_and_raises_their_sequence(coordinator, client):
    client.post("/conferences/series/new", data=SERIES)
    series = db.session.scalars(sa.select(ConferenceSeries)).one()
    upcoming = _upcoming(series.id)
    assert (
        client.post(
            f"/conferences/series/{series.id}/edit",
            data={**SERIES, "place": "Pavilion B, Room 210", "end_time": "08:30"},
        ).status_code
        == 302
    )
    db.session.expire_all()
    assert {(c.place, c.duration_minutes, c.sequence) for c in upcoming} == {("Pavilion B, Room 210", 90, 1)}


def test_changing_the_weekday_lists_the_meetings_it_cancels_and_waits_for_a_confirmation(coordinator, client, make):
    client.post("/conferences/series/new", data=SERIES)
    series = db.session.scalars(sa.select(ConferenceSeries)).one()
    tuesday = _upcoming(series.id)[0]
    case = make.case(status=CaseStatus.SUBMITTED)
    client.post(f"/conferences/{tuesday.id}/agenda/add", data={"case_id": case.id})
    asked = client.post(f"/conferences/series/{series.id}/edit", data={**SERIES, "weekday": "3"})
    page = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "The new schedule cancels" in page
    assert f"cases #{case.id} back to the queue" in page
    assert 'name="confirm_schedule"' in page
    db.session.expire_all()
    assert tuesday.status is ConferenceStatus.SCHEDULED and series.rrule.endswith("BYDAY=TU")  # nothing yet
    client.post(f"/conferences/series/{series.id}/edit", data={**SERIES, "weekday": "3", "confirm_schedule": "y"})
    db.session.expire_all()
    listed = client.get(f"/conferences/series/{series.id}").get_data(as_text=True)
    assert tuesday.starts_at.astimezone(ZoneInfo("America/New_York")).strftime("%a %d %b") not in listed  # no twin
    assert tuesday.status is ConferenceStatus.CANCELLED and tuesday.sequence == 1
    assert case.status is CaseStatus.SUBMITTED
    scheduled = [c for c in _upcoming(series.id) if c.status is ConferenceStatus.SCHEDULED]
    assert scheduled[0].starts_at.astimezone(ZoneInfo("America/New_York")).strftime("%a %d %b") in listed
    assert (
        tuesday.status is ConferenceStatus.CANCELLED and tuesday.sequence == 1 and case.status is CaseStatus.SUBMITTED
    )
    scheduled = [c for c in _upcoming(series.id) if c.status is ConferenceStatus.SCHEDULED]
    assert scheduled and {c.starts_at.astimezone(ZoneInfo("America/New_York")).strftime("%a") for c in scheduled} == {
        "Thu"
    }


def test_the_daily_command_generates_what_is_missing_once(runner, make):
    series = make.series(weeks_ahead=4)
    first = runner.invoke(args=["generate-conferences"])
    assert first.exit_code == 0 and f"{series.name}: " in first.output
    created = len(_upcoming(series.id))
    assert 3 <= created <= 5
    again = runner.invoke(args=["generate-conferences"])
    assert "0 occurrences generated." in again.output and len(_upcoming(series.id)) == created


def test_a_case_withdrawn_while_on_an_agenda_can_still_be_taken_off(client, auth, make):
    """Found by the hostile-input crawl: removing it used to try an impossible status move (a 500)."""
    make.user(username="dana", roles=(Role.COORDINATOR,))
    conference = make.conference()
    item = make.presentation(conference=conference, case=make.case(status=CaseStatus.WITHDRAWN))
    auth.login("dana")
    response = client.post(f"/conferences/{conference.id}/agenda/{item.id}/remove", data={"version": ""})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Presentation, item.id) is None and item.case.status is CaseStatus.WITHDRAWN


def test_a_boards_calendar_is_private_to_its_link_and_the_link_can_be_revoked(client, auth, make):
    _, series, conference, _ = _feed_world(make)
    series.video_link = "https://video.example.org/breast?pwd=s3cret"
    db.session.commit()
    old = client.get(f"/calendar/series/{series.id}.ics")  # earlier releases: anyone, with the video passcode
    assert old.status_code == 404 and "ask the coordinator for the board" in old.get_data(as_text=True)
    make.user(username="dana", roles=(Role.COORDINATOR,))
    auth.login("dana")
    client.post(f"/conferences/series/{series.id}/calendar", data={"action": "create"})
    db.session.expire_all()
    token = series.feed_token
    assert token and len(token) >= 43 and token in client.get(f"/conferences/series/{series.id}").get_data(as_text=True)
    client.post("/logout")
    feed = client.get(f"/calendar/s/{token}.ics")
    assert feed.status_code == 200 and f"conference-{conference.id}@".encode() in feed.data
    assert client.get(f"/calendar/s/{token[:-1]}x.ics").status_code == 404
    auth.login("dana")
    client.post(f"/conferences/series/{series.id}/calendar", data={"action": "revoke"})
    assert client.get(f"/calendar/s/{token}.ics").status_code == 404


def test_feed_tokens_are_compared_in_constant_time(client, make, monkeypatch):
    from tumorboard import tokens

    compared, original = [], tokens.hmac.compare_digest
    monkeypatch.setattr(tokens.hmac, "compare_digest", lambda a, b: compared.append((a, b)) or original(a, b))
    user = make.user(calendar_token="t" * 43)
    assert client.get(f"/calendar/u/{user.calendar_token}.ics").status_code == 200
    assert compared == [(b"t" * 43, b"t" * 43)]


def test_minutes_that_are_not_a_number_are_a_message_on_the_agenda_not_a_bare_400(coordinator, client, make):
    conference, (case,) = _conference_with_cases(make, 1)
    client.post(f"/conferences/{conference.id}/agenda/add", data={"case_id": case.id})
    item = _agenda(conference)[0]
    response = client.post(f"/conferences/{conference.id}/agenda/{item.id}/minutes", data={"minutes": "abc"})
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert "Minutes: Write a whole number, for example 2." in page
    assert _agenda(conference)[0].minutes_allotted == item.minutes_allotted


def test_a_new_series_form_starts_from_the_usual_settings(coordinator, client):
    page = client.get("/conferences/series/new").get_data(as_text=True)
    for name, value in (("capacity", 12), ("minutes_per_case", 5), ("deadline_working_days", 2), ("weeks_ahead", 12)):
        field = re.search(rf'<input[^>]*name="{name}"[^>]*>', page).group(0)
        assert f'value="{value}"' in field, field


def test_cancelling_needs_a_reason_and_restoring_brings_the_meeting_and_its_cases_back(coordinator, client, make):
    client.post("/conferences/series/new", data=SERIES)
    series = db.session.scalars(sa.select(ConferenceSeries)).one()
    meeting = _upcoming(series.id)[0]
    first, second = make.case(status=CaseStatus.SUBMITTED), make.case(status=CaseStatus.SUBMITTED)
    for case in (first, second):
        client.post(f"/conferences/{meeting.id}/agenda/add", data={"case_id": case.id})
    refused = client.post(f"/conferences/{meeting.id}/cancel", data={"reason": "  "}, follow_redirects=True)
    assert "Say why the meeting is cancelled" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert meeting.status is ConferenceStatus.SCHEDULED
    client.post(f"/conferences/{meeting.id}/cancel", data={"reason": "Visiting professor day"})
    db.session.expire_all()
    assert meeting.status is ConferenceStatus.CANCELLED and first.status is CaseStatus.SUBMITTED
    first.status = CaseStatus.WITHDRAWN  # meanwhile the first case moves on; the second waits in the queue
    db.session.commit()
    said = client.post(f"/conferences/{meeting.id}/restore", follow_redirects=True).get_data(as_text=True)
    db.session.expire_all()
    assert meeting.status is ConferenceStatus.SCHEDULED and meeting.sequence == 2  # calendars see both changes
    assert "with 1 of its cases back on the agenda (1 had moved on meanwhile)" in said
    assert [p.case_id for p in db.session.scalars(sa.select(Presentation).where(
        Presentation.conference_id == meeting.id))] == [second.id]


def test_moving_a_meeting_to_its_own_time_changes_nothing(coordinator, client):
    client.post("/conferences/series/new", data=SERIES)
    series = db.session.scalars(sa.select(ConferenceSeries)).one()
    meeting = _upcoming(series.id)[0]
    local = meeting.starts_at.astimezone(ZoneInfo("America/New_York")).strftime("%Y-%m-%dT%H:%M")
    said = client.post(f"/conferences/{meeting.id}/reschedule", data={"starts_at": local}, follow_redirects=True)
    db.session.expire_all()
    assert "already at that time: nothing changed" in said.get_data(as_text=True) and meeting.sequence == 0


def test_several_cases_are_added_at_once_and_a_case_moves_to_a_given_place(coordinator, client, make):
    conference, cases = _conference_with_cases(
        make, 4, histology="Invasive ductal carcinoma", clinical_t="cT2", clinical_n="cN1", clinical_m="cM0",
        clinical_stage="IIB",
    )
    page = client.get(f"/conferences/{conference.id}").get_data(as_text=True)
    assert page.count('name="case_ids"') == 4 and "Add the ticked cases" in page
    added = client.post(f"/conferences/{conference.id}/agenda/add", data={
        "case_ids": [str(cases[2].id), str(cases[0].id), str(cases[3].id)], "version": conference.agenda_version,
    }, follow_redirects=True).get_data(as_text=True)
    db.session.expire_all()
    assert "3 cases added" in added and [p.case_id for p in _agenda(conference)] == [
        cases[2].id, cases[0].id, cases[3].id
    ]
    assert "Invasive ductal carcinoma" in added and "cT2 cN1 cM0, stage IIB" in added  # what the board discusses
    assert "tb-not-ready" in added  # not ready, and it shows
    last = _agenda(conference)[-1]
    moved = client.post(f"/conferences/{conference.id}/agenda/{last.id}/position",
                        data={"position": "1", "version": conference.agenda_version}, follow_redirects=True)
    db.session.expire_all()
    assert f"Case #{cases[3].id} is now number 1." in moved.get_data(as_text=True)
    assert [p.case_id for p in _agenda(conference)] == [cases[3].id, cases[2].id, cases[0].id]
    for bad in ("0", "9", "x", ""):
        said = client.post(f"/conferences/{conference.id}/agenda/{last.id}/position",
                           data={"position": bad, "version": conference.agenda_version}, follow_redirects=True)
        assert said.status_code == 200 and ("position from 1 to 3" in said.get_data(as_text=True)
                                            or "Position:" in said.get_data(as_text=True)), bad
    nothing = client.post(f"/conferences/{conference.id}/agenda/add", data={"version": conference.agenda_version},
                          follow_redirects=True)
    assert "Tick the cases to add" in nothing.get_data(as_text=True)


def test_one_submit_says_every_problem_of_the_series_form(coordinator, client):
    sent = client.post("/conferences/series/new", data={**SERIES, "name": "", "capacity": "lots"})
    page = sent.get_data(as_text=True)
    assert "Give the series a name." in page and "Write a whole number, for example 2." in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ConferenceSeries)) == 0
